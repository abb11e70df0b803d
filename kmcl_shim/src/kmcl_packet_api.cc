// KMCL packet functions (kmcl-api.md §3.7, §3.8): outgoing packet objects and the handling of
// incoming packets. Argument translation only.
#include <vector>

#include "handle_checks.h"
#include "mdl_builder.h"
#include "mdl_chain.h"

using vmbsim::shim::checked_channel;
using vmbsim::shim::checked_incoming;
using vmbsim::shim::checked_packet;

namespace {
// Reused between calls: converting a chain costs no allocation once warmed up.
thread_local std::vector<vmbsim::MemoryDescriptor> t_chain;

const vmbsim::ExternalData* whole_chain(PMDL mdl, vmbsim::ExternalData& ext) {
  if (mdl == nullptr) return nullptr;
  vmbsim::shim::read_mdl_chain(mdl, t_chain);
  ext.kind = vmbsim::ExternalData::Kind::Mdl;
  ext.chain = t_chain.data();
  ext.chain_length = t_chain.size();
  return &ext;
}
}  // namespace

extern "C" {

VMBPACKET VmbPacketAllocate(VMBCHANNEL Channel) {
  auto* c = checked_channel(Channel, "VmbPacketAllocate");
  if (!c) return nullptr;
  vmbsim::Packet* p = c->allocate_packet();
  return p ? vmbsim::shim::handle(*p) : nullptr;
}

NTSTATUS VmbPacketInitialize(VMBCHANNEL Channel, VMBPACKET VmbPacket, UINT32 ByteCount) {
  auto* c = checked_channel(Channel, "VmbPacketInitialize");
  if (!c) return STATUS_INVALID_PARAMETER_1;
  void* handle = nullptr;
  return c->initialize_packet(VmbPacket, ByteCount, &handle);
}

VOID VmbPacketFree(VMBPACKET VmbPacket) {
  if (auto* p = checked_packet(VmbPacket, "VmbPacketFree")) p->channel().free_packet(*p);
}

VOID VmbPacketSetCompletionRoutine(VMBPACKET PacketObject, PFN_VMB_PACKET_COMPLETION_ROUTINE CompletionRoutine) {
  if (auto* p = checked_packet(PacketObject, "VmbPacketSetCompletionRoutine"))
    p->channel().set_completion_routine(*p, reinterpret_cast<vmbsim::OpaqueFn>(CompletionRoutine));
}

VOID FASTCALL VmbPacketSetPointer(VMBPACKET PacketObject, PVOID Pointer) {
  auto* p = checked_packet(PacketObject, "VmbPacketSetPointer");
  if (p && p->channel().check_live(*p, "VmbPacketSetPointer")) p->set_pointer(Pointer);
}

PVOID FASTCALL VmbPacketGetPointer(VMBPACKET PacketObject) {
  auto* p = checked_packet(PacketObject, "VmbPacketGetPointer");
  return p && p->channel().check_live(*p, "VmbPacketGetPointer") ? p->pointer() : nullptr;
}

VMBCHANNEL FASTCALL VmbPacketGetChannel(VMBPACKET PacketObject) {
  auto* p = checked_packet(PacketObject, "VmbPacketGetChannel");
  return p && p->channel().check_live(*p, "VmbPacketGetChannel") ? vmbsim::shim::handle(p->channel()) : nullptr;
}

NTSTATUS VmbPacketSend(VMBPACKET PacketObject, PVOID Buffer, UINT32 BufferLength, PMDL ExternalDataMdl,
                       UINT32 Flags) {
  auto* p = checked_packet(PacketObject, "VmbPacketSend");
  if (!p) return STATUS_INVALID_PARAMETER_1;
  vmbsim::ExternalData ext;
  return p->channel().send(*p, Buffer, BufferLength, whole_chain(ExternalDataMdl, ext), Flags, "VmbPacketSend");
}

NTSTATUS VmbPacketSendWithExternalMdl(VMBPACKET PacketObject, PVOID Buffer, UINT32 BufferLength,
                                      PMDL ExternalDataMdl, UINT32 MdlOffset, UINT32 MdlLength, UINT32 Flags) {
  auto* p = checked_packet(PacketObject, "VmbPacketSendWithExternalMdl");
  if (!p) return STATUS_INVALID_PARAMETER_1;
  vmbsim::shim::read_mdl_chain(ExternalDataMdl, t_chain);
  vmbsim::ExternalData ext;
  ext.kind = vmbsim::ExternalData::Kind::MdlRange;
  ext.chain = t_chain.data();
  ext.chain_length = t_chain.size();
  ext.offset = MdlOffset;
  ext.length = MdlLength;
  return p->channel().send(*p, Buffer, BufferLength, &ext, Flags, "VmbPacketSendWithExternalMdl");
}

NTSTATUS VmbPacketSendWithExternalPfns(VMBPACKET PacketObject, PVOID Buffer, UINT32 BufferLength,
                                       PPFN_NUMBER ExternalDataPfns, UINT32 PfnLength, UINT32 Flags) {
  auto* p = checked_packet(PacketObject, "VmbPacketSendWithExternalPfns");
  if (!p) return STATUS_INVALID_PARAMETER_1;
  vmbsim::ExternalData ext;
  ext.kind = vmbsim::ExternalData::Kind::Pfns;
  ext.pfns = reinterpret_cast<const uint64_t*>(ExternalDataPfns);
  ext.pfn_count = PfnLength;
  return p->channel().send(*p, Buffer, BufferLength, &ext, Flags, "VmbPacketSendWithExternalPfns");
}

NTSTATUS VmbChannelSendSynchronousRequest(VMBCHANNEL Channel, PVOID Buffer, UINT32 BufferSize, PMDL ExternalDataMdl,
                                          UINT32 Flags, PVOID CompletionBuffer, PUINT32 CompletionBufferSize,
                                          PLARGE_INTEGER Timeout) {
  auto* c = checked_channel(Channel, "VmbChannelSendSynchronousRequest");
  if (!c) return STATUS_INVALID_PARAMETER_1;
  int64_t timeout = Timeout ? Timeout->QuadPart : 0;
  vmbsim::ExternalData ext;
  return c->send_synchronous(Buffer, BufferSize, whole_chain(ExternalDataMdl, ext), Flags, CompletionBuffer,
                             CompletionBufferSize, Timeout ? &timeout : nullptr);
}

VOID VmbChannelPacketComplete(VMBPACKETCOMPLETION PacketCompletionContext, PVOID PacketCompletionBuffer,
                              UINT32 BufSize) {
  if (auto* p = checked_incoming(PacketCompletionContext, "VmbChannelPacketComplete"))
    p->channel().complete_incoming(*p, PacketCompletionBuffer, BufSize);
}

VOID FASTCALL VmbChannelPacketDeferToPassive(VMBPACKETCOMPLETION PacketCompletionContext) {
  if (auto* p = checked_incoming(PacketCompletionContext, "VmbChannelPacketDeferToPassive"))
    p->channel().defer_to_passive(*p);
}

VOID FASTCALL VmbChannelPacketFail(VMBPACKETCOMPLETION PacketCompletionContext) {
  if (auto* p = checked_incoming(PacketCompletionContext, "VmbChannelPacketFail")) p->channel().fail_incoming(*p);
}

NTSTATUS VmbChannelPacketGetExternalData(VMBPACKETCOMPLETION PacketCompletionContext, UINT32 Flags, PMDL* Mdl) {
  auto* p = checked_incoming(PacketCompletionContext, "VmbChannelPacketGetExternalData");
  if (!p) return STATUS_INVALID_PARAMETER_1;
  if (Mdl == nullptr) return STATUS_INVALID_PARAMETER_3;
  *Mdl = nullptr;
  NTSTATUS s = p->channel().get_external_data(*p, Flags);
  if (s != STATUS_SUCCESS) return s;  // STATUS_PENDING passes NT_SUCCESS but carries no MDL
  // The MDL lives until the packet is completed; a second call returns the same one.
  if (p->channel().external_mapping(*p) == nullptr)
  {
    PMDL chain = vmbsim::shim::mdl_chain_for(p->external_ranges());
    vmbsim::shim::mark_external_data(chain, p->channel().id(), p->id());
    p->channel().set_external_mapping(*p, chain, vmbsim::shim::retire_external_data);
  }
  *Mdl = static_cast<PMDL>(p->channel().external_mapping(*p));
  return STATUS_SUCCESS;
}

}  // extern "C"
