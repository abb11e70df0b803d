// Channel: initialisation calls that only a server (VSP) channel may make (kmcl-api.md §3.3,
// rules 3, 5, 10). The server's offer and data path are a later step; until then Enable on a
// server channel says so and fails with STATUS_NOT_IMPLEMENTED.
#include "sim/core/channel.h"
#include "sim/core/simulation.h"

namespace vmbsim {

namespace {
constexpr uint32_t kServerInitFlagsMask = 0x1F;  // VMBUS_SERVER_CHANNEL_INIT_FLAGS
constexpr uint8_t kMaxVtl = 2;                   // Q: VTLs 0-2 on current Hyper-V
}  // namespace

Status Channel::check_server_init_call(const char* call) {
  if (!is_server_) {
    if (cleaned_) {
      violation(6, call, "", "channel used after VmbChannelCleanup");
      return status::kInvalidParameter1;
    }
    violation(3, call, "", "server-only function called on a client channel");
    return status::kInvalidParameter1;
  }
  return check_init_call(call);
}

Status Channel::server_init_set_flags(uint32_t flags) {
  const char* call = "VmbServerChannelInitSetFlags";
  Status s = check_server_init_call(call);
  if (!succeeded(s)) return s;
  if (flags & ~kServerInitFlagsMask) {
    violation(10, call, "", "flag bits outside VMBUS_SERVER_CHANNEL_INIT_FLAGS");
    return status::kInvalidParameter2;
  }
  server_.flags = flags;
  return status::kSuccess;
}

Status Channel::server_init_set_mmio_megabytes(uint16_t megabytes, uint16_t optional_megabytes) {
  const char* call = "VmbServerChannelInitSetMmioMegabytes";
  Status s = check_server_init_call(call);
  if (!succeeded(s)) return s;
  if (megabytes == 0 && optional_megabytes == 0) {
    violation(10, call, "", "both MmioMegabytes and MmioMegabytesOptional are 0");
    return status::kInvalidParameter;
  }
  if (megabytes == 0)  // Q37: the SAL asks for > 0, the docs only reject both being 0
    sim_.log().warn("{}: {} with MmioMegabytes 0 and only optional space", describe(), call);
  server_.mmio_megabytes = megabytes;
  server_.mmio_optional_megabytes = optional_megabytes;
  return status::kSuccess;
}

Status Channel::server_init_set_save_restore_callbacks(bool save_callback, bool restore_callback) {
  const char* call = "VmbServerChannelInitSetSaveRestorePacketCallbacks";
  Status s = check_server_init_call(call);
  if (!succeeded(s)) return s;
  if (!save_callback) {
    violation(10, call, "", "SavePacketCallback is NULL");
    return status::kInvalidParameter2;
  }
  if (!restore_callback) {
    violation(10, call, "", "RestorePacketCallback is NULL");
    return status::kInvalidParameter3;
  }
  server_.save_restore_callbacks = true;
  return status::kSuccess;
}

Status Channel::server_init_set_target_interface_id(const Guid& type, const Guid& instance) {
  Status s = check_server_init_call("VmbServerChannelInitSetTargetInterfaceId");
  if (!succeeded(s)) return s;
  server_.has_interface_id = true;
  server_.interface_type = type;
  server_.interface_instance = instance;
  return status::kSuccess;
}

Status Channel::server_init_set_target_vtl(uint8_t vtl) {
  const char* call = "VmbServerChannelInitSetTargetVtl";
  Status s = check_server_init_call(call);
  if (!succeeded(s)) return s;
  if (vtl > kMaxVtl) {
    violation(10, call, "", "TargetVtl " + std::to_string(vtl) + " is not a valid VTL (0-2)");
    return status::kInvalidParameter2;
  }
  server_.target_vtl = vtl;
  return status::kSuccess;
}

Status Channel::server_init_set_vmbus_handle(void* kernel_handle) {
  const char* call = "VmbServerChannelInitSetVmbusHandle";
  Status s = check_server_init_call(call);
  if (!succeeded(s)) return s;
  if (!sim_.is_kernel_vmbus_handle(kernel_handle)) {
    violation(5, call, "", "VmbusHandle did not come from VmbConvertVmbusHandleToKernelHandle");
    return status::kInvalidParameter2;
  }
  server_.vmbus_handle = kernel_handle;
  return status::kSuccess;
}

}  // namespace vmbsim
