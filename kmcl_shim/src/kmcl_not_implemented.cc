// KMCL functions whose simulation is a later milestone: save/restore. Each one exists, is reachable through the table, says loudly in the log
// why it fails, and returns STATUS_NOT_IMPLEMENTED. The README lists them as missing.
// Server-only calls on a client channel are still checked (rule 3): that is misuse either way.
#include "handle_checks.h"

using vmbsim::shim::checked_channel;

namespace {

NTSTATUS not_implemented(VMBCHANNEL channel, const char* call, const char* why, bool server_only) {
  vmbsim::Channel* c = checked_channel(channel, call);
  if (c == nullptr) return STATUS_INVALID_PARAMETER_1;
  if (server_only && !c->is_server()) {
    c->violation(3, call, "", "server-only function called on a client channel");
    return STATUS_INVALID_PARAMETER_1;
  }
  c->sim().log().error("{}: {} is not implemented yet ({})", c->describe(), call, why);
  return STATUS_NOT_IMPLEMENTED;
}

constexpr const char* kServer = "the server endpoint role is a later milestone";

}  // namespace

extern "C" {

NTSTATUS VmbChannelRestoreFromBuffer(VMBCHANNEL Channel, PVOID Buffer, ULONG BufferSize) {
  (void)Buffer, (void)BufferSize;
  return not_implemented(Channel, "VmbChannelRestoreFromBuffer", kServer, true);
}

NTSTATUS VmbChannelSaveBegin(VMBCHANNEL Channel) {
  return not_implemented(Channel, "VmbChannelSaveBegin", kServer, true);
}

NTSTATUS VmbChannelSaveContinue(VMBCHANNEL Channel, PVOID SaveBuffer, ULONG SaveBufferSize, PULONG BytesFilled,
                                PULONG BytesRequired) {
  (void)SaveBuffer, (void)SaveBufferSize;
  if (BytesFilled) *BytesFilled = 0;
  if (BytesRequired) *BytesRequired = 0;
  return not_implemented(Channel, "VmbChannelSaveContinue", kServer, true);
}

VOID VmbChannelSaveEnd(VMBCHANNEL Channel) { not_implemented(Channel, "VmbChannelSaveEnd", kServer, true); }

NTSTATUS VmbPacketRestore(VMBPACKET PacketObject, PVOID Buffer, ULONG BufferSize) {
  (void)Buffer, (void)BufferSize;
  auto* p = vmbsim::shim::checked_packet(PacketObject, "VmbPacketRestore");
  if (!p) return STATUS_INVALID_PARAMETER_1;
  return not_implemented(vmbsim::shim::handle(p->channel()), "VmbPacketRestore", kServer, true);
}

}  // extern "C"
