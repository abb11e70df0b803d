// KMCL server save and restore (kmcl-api.md §1.10, §3.9). Argument translation only; the
// chunk format and the rules live in sim/core/channel_save.cc.
#include "handle_checks.h"

using vmbsim::shim::checked_channel;
using vmbsim::shim::checked_packet;

extern "C" {

NTSTATUS VmbChannelSaveBegin(VMBCHANNEL Channel) {
  auto* c = checked_channel(Channel, "VmbChannelSaveBegin");
  return c ? c->save_begin() : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbChannelSaveContinue(VMBCHANNEL Channel, PVOID SaveBuffer, ULONG SaveBufferSize, PULONG BytesFilled,
                                PULONG BytesRequired) {
  auto* c = checked_channel(Channel, "VmbChannelSaveContinue");
  if (c == nullptr) return STATUS_INVALID_PARAMETER_1;
  uint32_t filled = 0, required = 0;
  NTSTATUS s = c->save_continue(SaveBuffer, SaveBufferSize, BytesFilled ? &filled : nullptr,
                                BytesRequired ? &required : nullptr);
  if (BytesFilled) *BytesFilled = filled;
  if (BytesRequired) *BytesRequired = required;
  return s;
}

VOID VmbChannelSaveEnd(VMBCHANNEL Channel) {
  if (auto* c = checked_channel(Channel, "VmbChannelSaveEnd")) c->save_end();
}

NTSTATUS VmbChannelRestoreFromBuffer(VMBCHANNEL Channel, PVOID Buffer, ULONG BufferSize) {
  auto* c = checked_channel(Channel, "VmbChannelRestoreFromBuffer");
  return c ? c->restore_from_buffer(Buffer, BufferSize) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbPacketRestore(VMBPACKET PacketObject, PVOID Buffer, ULONG BufferSize) {
  auto* p = checked_packet(PacketObject, "VmbPacketRestore");
  return p ? p->channel().restore_packet(*p, Buffer, BufferSize) : STATUS_INVALID_PARAMETER_1;
}

}  // extern "C"
