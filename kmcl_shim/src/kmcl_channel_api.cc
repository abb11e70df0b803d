// KMCL channel functions (kmcl-api.md §3.1-§3.5, §3.10): argument translation only; every
// decision is made by vmbsim::Channel.
#include <cstring>
#include <memory>
#include <string>

#include "handle_checks.h"
#include "kmcl_client.h"

using vmbsim::Channel;
using vmbsim::Guid;
using vmbsim::Simulation;
using vmbsim::shim::checked_channel;
using vmbsim::shim::KmclClient;
using vmbsim::shim::to_guid;

namespace {
KmclClient* client_of(Channel& c) { return static_cast<KmclClient*>(c.client()); }
}  // namespace

extern "C" {

NTSTATUS VmbChannelAllocate(PDEVICE_OBJECT ParentDeviceObject, BOOLEAN IsServer, VMBCHANNEL* Channel) {
  vmbsim::Device* device = vmbsim::Device::from_handle(ParentDeviceObject);
  if (device == nullptr) {
    Simulation::report_bad_handle("VmbChannelAllocate", "PDEVICE_OBJECT", ParentDeviceObject);
    return STATUS_INVALID_PARAMETER_1;
  }
  if (Channel == nullptr) return STATUS_INVALID_PARAMETER_3;
  *Channel = nullptr;
  vmbsim::Status st;
  vmbsim::Channel* c = device->sim().allocate_channel(device, IsServer != FALSE, &st);
  if (c == nullptr) return st;
  c->set_client(std::make_unique<KmclClient>());
  *Channel = vmbsim::shim::handle(*c);
  return STATUS_SUCCESS;
}

VOID VmbChannelCleanup(VMBCHANNEL Channel) {
  if (auto* c = checked_channel(Channel, "VmbChannelCleanup")) c->cleanup();
}

NTSTATUS VmbChannelInitSetMaximumPacketSize(VMBCHANNEL Channel, UINT32 PacketSize) {
  auto* c = checked_channel(Channel, "VmbChannelInitSetMaximumPacketSize");
  return c ? c->init_set_maximum_packet_size(PacketSize) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbChannelInitSetMaximumExternalData(VMBCHANNEL Channel, UINT32 DataSize, UINT32 ChainLength) {
  auto* c = checked_channel(Channel, "VmbChannelInitSetMaximumExternalData");
  return c ? c->init_set_maximum_external_data(DataSize, ChainLength) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbChannelInitSetClientContextSize(VMBCHANNEL Channel, UINT32 ContextSize) {
  auto* c = checked_channel(Channel, "VmbChannelInitSetClientContextSize");
  return c ? c->init_set_client_context_size(ContextSize) : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbChannelInitSetProcessPacketCallbacks(VMBCHANNEL Channel,
                                                 PFN_VMB_CHANNEL_PROCESS_PACKET ProcessPacketCallback,
                                                 PFN_VMB_CHANNEL_PROCESSING_COMPLETE ProcessingCompleteCallback) {
  auto* c = checked_channel(Channel, "VmbChannelInitSetProcessPacketCallbacks");
  if (!c) return STATUS_INVALID_PARAMETER_1;
  NTSTATUS s = c->init_set_process_callbacks(ProcessPacketCallback != nullptr, ProcessingCompleteCallback != nullptr);
  if (NT_SUCCESS(s)) {
    client_of(*c)->process_packet_cb = ProcessPacketCallback;
    client_of(*c)->processing_complete_cb = ProcessingCompleteCallback;
  }
  return s;
}

NTSTATUS VmbChannelInitSetStateChangeCallbacks(VMBCHANNEL Channel,
                                               PVMB_CHANNEL_STATE_CHANGE_CALLBACKS StateChangeCallbacks) {
  const char* call = "VmbChannelInitSetStateChangeCallbacks";
  auto* c = checked_channel(Channel, call);
  if (!c) return STATUS_INVALID_PARAMETER_1;
  if (StateChangeCallbacks == nullptr || StateChangeCallbacks->Version != 1 ||
      StateChangeCallbacks->Size != sizeof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS)) {
    c->violation(10, call, "", "callbacks struct is NULL or has the wrong Version/Size "
                               "(use VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT)");
    return STATUS_INVALID_PARAMETER_2;
  }
  vmbsim::CallbackSet set;
  set.opened = StateChangeCallbacks->EvtChannelOpened != nullptr;
  set.closed = StateChangeCallbacks->EvtChannelClosed != nullptr;
  set.suspend = StateChangeCallbacks->EvtChannelSuspend != nullptr;
  set.started = StateChangeCallbacks->EvtChannelStarted != nullptr;
  set.post_started = StateChangeCallbacks->EvtChannelPostStarted != nullptr;
  NTSTATUS s = c->init_set_state_callbacks(set);
  // The struct is copied, so the caller's may live on the stack.
  if (NT_SUCCESS(s)) client_of(*c)->state = *StateChangeCallbacks;
  return s;
}

NTSTATUS VmbChannelInitSetFriendlyName(VMBCHANNEL Channel, PCUNICODE_STRING Name) {
  const char* call = "VmbChannelInitSetFriendlyName";
  auto* c = checked_channel(Channel, call);
  if (!c) return STATUS_INVALID_PARAMETER_1;
  if (Name == nullptr || (Name->Length > 0 && Name->Buffer == nullptr) || Name->Length % 2 != 0) {
    c->violation(10, call, "", "Name is NULL or not a valid UNICODE_STRING");
    return STATUS_INVALID_PARAMETER_2;
  }
  std::string utf8;
  for (USHORT i = 0; i < Name->Length / 2; ++i) {
    uint16_t ch = static_cast<uint16_t>(Name->Buffer[i]);
    if (ch < 0x80) {
      utf8 += static_cast<char>(ch);
    } else if (ch < 0x800) {
      utf8 += static_cast<char>(0xC0 | (ch >> 6));
      utf8 += static_cast<char>(0x80 | (ch & 0x3F));
    } else {
      utf8 += static_cast<char>(0xE0 | (ch >> 12));
      utf8 += static_cast<char>(0x80 | ((ch >> 6) & 0x3F));
      utf8 += static_cast<char>(0x80 | (ch & 0x3F));
    }
  }
  return c->init_set_friendly_name(utf8);
}

NTSTATUS VmbChannelInitSetFlags(VMBCHANNEL Channel, UINT32 Flags) {
  auto* c = checked_channel(Channel, "VmbChannelInitSetFlags");
  return c ? c->init_set_flags(Flags) : STATUS_INVALID_PARAMETER_1;
}

VOID VmbChannelSetIncomingProcessingAtPassive(VMBCHANNEL Channel, BOOLEAN RequirePassive) {
  if (auto* c = checked_channel(Channel, "VmbChannelSetIncomingProcessingAtPassive"))
    c->set_incoming_processing_at_passive(RequirePassive != FALSE);
}

VOID VmbChannelSetTransactionQuota(VMBCHANNEL Channel, UINT32 Quota) {
  if (auto* c = checked_channel(Channel, "VmbChannelSetTransactionQuota")) c->set_transaction_quota(Quota);
}

NTSTATUS VmbClientChannelInitSetRingBufferPageCount(VMBCHANNEL Channel, UINT32 IncomingPageCount,
                                                    UINT32 OutgoingPageCount) {
  auto* c = checked_channel(Channel, "VmbClientChannelInitSetRingBufferPageCount");
  return c ? c->client_init_set_ring_buffer_page_count(IncomingPageCount, OutgoingPageCount)
           : STATUS_INVALID_PARAMETER_1;
}

NTSTATUS VmbClientChannelInitSetTargetPnp(VMBCHANNEL Channel, LPCGUID InterfaceType, LPCGUID InterfaceInstance,
                                          PFN_VMB_CHANNEL_PNP_FAILURE PnpFailureCallback) {
  const char* call = "VmbClientChannelInitSetTargetPnp";
  auto* c = checked_channel(Channel, call);
  if (!c) return STATUS_INVALID_PARAMETER_1;
  if (InterfaceType == nullptr) {
    c->violation(10, call, "", "InterfaceType is NULL");
    return STATUS_INVALID_PARAMETER_2;
  }
  Guid type = to_guid(*InterfaceType);
  Guid instance;
  if (InterfaceInstance) instance = to_guid(*InterfaceInstance);
  NTSTATUS s = c->client_init_set_target(type, InterfaceInstance ? &instance : nullptr, PnpFailureCallback != nullptr);
  if (NT_SUCCESS(s)) client_of(*c)->pnp_failure_cb = PnpFailureCallback;
  return s;
}

NTSTATUS VmbChannelEnable(VMBCHANNEL Channel) {
  auto* c = checked_channel(Channel, "VmbChannelEnable");
  return c ? c->enable() : STATUS_INVALID_PARAMETER_1;
}

VOID VmbChannelDisable(VMBCHANNEL Channel) {
  if (auto* c = checked_channel(Channel, "VmbChannelDisable")) c->disable();
}

VOID VmbChannelStart(VMBCHANNEL Channel) {
  if (auto* c = checked_channel(Channel, "VmbChannelStart")) c->start();
}

VOID VmbChannelPause(VMBCHANNEL Channel) {
  if (auto* c = checked_channel(Channel, "VmbChannelPause")) c->pause();
}

VOID FASTCALL VmbChannelSetPointer(VMBCHANNEL Channel, PVOID Pointer) {
  if (auto* c = checked_channel(Channel, "VmbChannelSetPointer")) c->set_pointer(Pointer);
}

PVOID FASTCALL VmbChannelGetPointer(VMBCHANNEL Channel) {
  auto* c = checked_channel(Channel, "VmbChannelGetPointer");
  return c ? c->pointer() : nullptr;
}

VOID VmbChannelGetInterfaceInstance(VMBCHANNEL Channel, LPGUID InterfaceInstance) {
  auto* c = checked_channel(Channel, "VmbChannelGetInterfaceInstance");
  if (!c || InterfaceInstance == nullptr) return;
  Guid g = c->interface_instance();
  std::memcpy(InterfaceInstance, &g, sizeof(g));
}

UINT32 VmbChannelSizeofPacket(VMBCHANNEL Channel) {
  auto* c = checked_channel(Channel, "VmbChannelSizeofPacket");
  return c ? c->sizeof_packet() : 0;
}

NTSTATUS VmbChannelSetInterruptLatency(VMBCHANNEL Channel, UINT16 Latency, PUINT16 OriginalLatency) {
  auto* c = checked_channel(Channel, "VmbChannelSetInterruptLatency");
  if (!c) return STATUS_INVALID_PARAMETER_1;
  if (OriginalLatency == nullptr) return STATUS_INVALID_PARAMETER_3;
  return c->set_interrupt_latency(Latency, OriginalLatency);
}

VOID VmbChannelGetMmioSpace(VMBCHANNEL Channel, UINT64* MmioAddress, UINT64* MmioSize) {
  auto* c = checked_channel(Channel, "VmbChannelGetMmioSpace");
  if (!c) return;
  uint64_t address = 0, size = 0;
  c->get_mmio_space(&address, &size);
  if (MmioAddress) *MmioAddress = address;
  if (MmioSize) *MmioSize = size;
}

}  // extern "C"
