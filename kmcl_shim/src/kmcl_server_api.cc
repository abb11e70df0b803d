// KMCL server-only initialisation (kmcl-api.md §3.3, §3.10.1). Argument translation only.
#include <cstring>

#include "handle_checks.h"

using vmbsim::shim::checked_channel;

namespace {
vmbsim::Guid to_guid(const GUID& g) {
  vmbsim::Guid out;
  std::memcpy(static_cast<void*>(&out), &g, sizeof(out));
  return out;
}
}  // namespace

extern "C" {

NTSTATUS VmbServerChannelInitSetFlags(VMBCHANNEL Channel, UINT32 Flags) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetFlags");
  return c ? c->server_init_set_flags(Flags) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbServerChannelInitSetMmioMegabytes(VMBCHANNEL Channel, UINT16 MmioMegabytes, UINT16 MmioMegabytesOptional) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetMmioMegabytes");
  return c ? c->server_init_set_mmio_megabytes(MmioMegabytes, MmioMegabytesOptional) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbServerChannelInitSetSaveRestorePacketCallbacks(VMBCHANNEL Channel,
                                                           PFN_VMB_CHANNEL_SAVE_PACKET SavePacketCallback,
                                                           PFN_VMB_CHANNEL_RESTORE_PACKET RestorePacketCallback) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetSaveRestorePacketCallbacks");
  return c ? c->server_init_set_save_restore_callbacks(SavePacketCallback != nullptr, RestorePacketCallback != nullptr)
           : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbServerChannelInitSetTargetInterfaceId(VMBCHANNEL Channel, GUID InterfaceType, GUID InterfaceInstance) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetTargetInterfaceId");
  return c ? c->server_init_set_target_interface_id(to_guid(InterfaceType), to_guid(InterfaceInstance))
           : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbServerChannelInitSetTargetVtl(VMBCHANNEL Channel, UINT8 TargetVtl) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetTargetVtl");
  return c ? c->server_init_set_target_vtl(TargetVtl) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbServerChannelInitSetVmbusHandle(VMBCHANNEL Channel, HANDLE VmbusHandle) {
  auto* c = checked_channel(Channel, "VmbServerChannelInitSetVmbusHandle");
  return c ? c->server_init_set_vmbus_handle(VmbusHandle) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbConvertVmbusHandleToKernelHandle(HANDLE VmbusHandle, PHANDLE KernelHandle) {
  if (KernelHandle == nullptr) return STATUS_INVALID_PARAMETER_2;
  *KernelHandle = nullptr;
  if (VmbusHandle == nullptr) return STATUS_INVALID_PARAMETER_1;
  vmbsim::Simulation* sim = vmbsim::Simulation::current();
  if (sim == nullptr) return STATUS_INVALID_DEVICE_STATE;
  *KernelHandle = sim->convert_vmbus_handle(VmbusHandle);
  return STATUS_SUCCESS;
}

}  // extern "C"
