#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {

namespace {

TestChannel* from(VMBCHANNEL c) { return static_cast<TestChannel*>(VmbChannelGetPointer(c)); }

NTSTATUS evt_opened(VMBCHANNEL c) {
  TestChannel* t = from(c);
  t->events.push_back("Opened");
  return t->on_opened ? t->on_opened() : STATUS_SUCCESS;
}
void evt_closed(VMBCHANNEL c) {
  TestChannel* t = from(c);
  t->events.push_back("Closed");
  if (t->on_closed) t->on_closed();
}
void evt_suspend(VMBCHANNEL c) {
  TestChannel* t = from(c);
  t->events.push_back("Suspend");
  if (t->on_suspend) t->on_suspend();
}
void evt_started(VMBCHANNEL c) {
  TestChannel* t = from(c);
  t->events.push_back("Started");
  if (t->on_started) t->on_started();
}
void evt_post_started(VMBCHANNEL c) {
  TestChannel* t = from(c);
  t->events.push_back("PostStarted");
  if (t->on_post_started) t->on_post_started();
}
void evt_process(VMBCHANNEL c, VMBPACKETCOMPLETION p, PVOID buffer, UINT32 length, UINT32 flags) {
  TestChannel* t = from(c);
  const uint8_t* b = static_cast<const uint8_t*>(buffer);
  t->incoming.push_back(IncomingRecord{p, std::vector<uint8_t>(b, b + length), flags, t->sim->irql()});
  if (t->on_packet)
    t->on_packet(p, b, length);
  else
    t->kmcl->VmbChannelPacketComplete(p, nullptr, 0);
}
void evt_batch(VMBCHANNEL c, UINT32 n) { from(c)->events.push_back("Batch(" + std::to_string(n) + ")"); }

}  // namespace

void TestChannel::completion_routine(VMBPACKET packet, NTSTATUS status, PVOID buffer, UINT32 length) {
  TestChannel* t = from(VmbPacketGetChannel(packet));
  const uint8_t* b = static_cast<const uint8_t*>(buffer);
  t->completions.push_back(CompletionRecord{packet, status, std::vector<uint8_t>(b, b + (b ? length : 0)),
                                            t->kmcl->VmbPacketGetPointer(packet)});
  if (t->on_completion)
    t->on_completion(packet, status, b, length);
  else
    t->kmcl->VmbPacketFree(packet);
}

NTSTATUS TestChannel::save_packet(VMBCHANNEL c, VMBPACKET packet, PVOID buffer, UINT32 size, PUINT32 needed) {
  TestChannel* t = from(c);
  if (t->on_save_packet) return t->on_save_packet(packet, buffer, size, needed);
  *needed = 0;
  return STATUS_SUCCESS;
}

NTSTATUS TestChannel::restore_packet(VMBCHANNEL c, PVOID lib, UINT32 lib_size, PVOID save, UINT32 save_size) {
  TestChannel* t = from(c);
  if (t->on_restore_packet) return t->on_restore_packet(lib, lib_size, save, save_size);
  VMBPACKET p = t->kmcl->VmbPacketAllocate(c);
  if (p == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
  t->kmcl->VmbPacketSetCompletionRoutine(p, completion_routine);
  NTSTATUS s = VmbPacketRestore(p, lib, lib_size);
  if (NT_SUCCESS(s)) t->restored.push_back(p);
  return s;
}

OfferSpec default_test_offer() {
  OfferSpec spec;
  spec.name = "test-device";
  Guid::parse("3c5e0f7a-2b1d-4e6f-9a8b-7c6d5e4f3a2b", spec.interface_type);
  Guid::parse("9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", spec.interface_instance);
  return spec;
}

KmclTest::KmclTest() : device(sim.offer(default_test_offer())), host(device.host()) {
  NTSTATUS s = WdfFdoQueryForInterface(shim::wdf_device(device), &KMCL_CLIENT_INTERFACE_TYPE,
                                       reinterpret_cast<PINTERFACE>(&kmcl), sizeof(kmcl),
                                       KMCL_CLIENT_INTERFACE_VERSION_V1, nullptr);
  EXPECT_EQ(s, STATUS_SUCCESS);
}

KmclTest::~KmclTest() = default;

TestChannel& KmclTest::allocate_channel(ChannelConfig config) {
  channels.push_back(std::make_unique<TestChannel>());
  TestChannel& t = *channels.back();
  t.kmcl = &kmcl;
  t.sim = &sim;
  EXPECT_EQ(kmcl.VmbChannelAllocate(shim::device_object(device), config.server ? TRUE : FALSE, &t.channel),
            STATUS_SUCCESS);
  kmcl.VmbChannelSetPointer(t.channel, &t);
  EXPECT_EQ(kmcl.VmbChannelInitSetMaximumPacketSize(t.channel, config.max_packet_size), STATUS_SUCCESS);
  if (config.ring_pages) {
    EXPECT_EQ(kmcl.VmbClientChannelInitSetRingBufferPageCount(t.channel, config.ring_pages, config.ring_pages),
              STATUS_SUCCESS);
  }
  if (config.state_callbacks) {
    VMB_CHANNEL_STATE_CHANGE_CALLBACKS cb;
    VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&cb);
    cb.EvtChannelOpened = evt_opened;
    cb.EvtChannelClosed = evt_closed;
    cb.EvtChannelSuspend = evt_suspend;
    cb.EvtChannelStarted = evt_started;
    cb.EvtChannelPostStarted = evt_post_started;
    EXPECT_EQ(kmcl.VmbChannelInitSetStateChangeCallbacks(t.channel, &cb), STATUS_SUCCESS);
  }
  if (config.server && config.save_restore) {
    EXPECT_EQ(VmbServerChannelInitSetSaveRestorePacketCallbacks(t.channel, TestChannel::save_packet,
                                                                TestChannel::restore_packet),
              STATUS_SUCCESS);
  }
  EXPECT_EQ(kmcl.VmbChannelInitSetProcessPacketCallbacks(t.channel, evt_process,
                                                         config.processing_complete ? evt_batch : nullptr),
            STATUS_SUCCESS);
  return t;
}

TestChannel& KmclTest::open_channel(ChannelConfig config) {
  TestChannel& t = allocate_channel(config);
  if (config.enable) {
    EXPECT_EQ(kmcl.VmbChannelEnable(t.channel), STATUS_SUCCESS);
    run();
  }
  return t;
}

NTSTATUS KmclTest::send(VMBPACKET packet, const std::vector<uint8_t>& bytes, UINT32 flags) {
  return kmcl.VmbPacketSend(packet, const_cast<uint8_t*>(bytes.data()), static_cast<UINT32>(bytes.size()), nullptr,
                            flags);
}

}  // namespace vmbsim::testing
