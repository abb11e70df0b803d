// The client state model end to end through the KMCL C ABI (kmcl-api.md §1.4).
#include <wdm.h>

#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

using Events = std::vector<std::string>;

TEST_F(KmclTest, OpenRunsCallbacksInDocumentedOrder) {
  TestChannel& ch = open_channel();
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted"}));
  EXPECT_TRUE(host.is_open());
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, EnableReturnsBeforeTheOpen) {
  TestChannel& ch = allocate_channel();
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);
  EXPECT_TRUE(ch.events.empty());  // the open happens on the event loop
  run();
  EXPECT_EQ(ch.events.size(), 3u);
}

TEST_F(KmclTest, FailedOpenRollsBackWithoutFurtherCallbacks) {
  TestChannel& ch = allocate_channel();
  ch.on_opened = [] { return STATUS_INSUFFICIENT_RESOURCES; };
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);
  run();
  EXPECT_EQ(ch.events, (Events{"Opened"}));
  EXPECT_FALSE(host.is_open());
  kmcl.VmbChannelDisable(ch.channel);
  kmcl.VmbChannelCleanup(ch.channel);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, DisableSuspendsThenClosesAndCleanupSucceeds) {
  TestChannel& ch = open_channel();
  kmcl.VmbChannelDisable(ch.channel);
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted", "Suspend", "Closed"}));
  EXPECT_FALSE(host.is_open());
  kmcl.VmbChannelCleanup(ch.channel);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, PauseAndStartCycleTheRunState) {
  TestChannel& ch = open_channel();
  kmcl.VmbChannelPause(ch.channel);
  EXPECT_EQ(ch.events.back(), "Suspend");
  kmcl.VmbChannelStart(ch.channel);
  run();
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted", "Suspend", "Started", "PostStarted"}));
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, PauseWhileDisabledComesUpPaused) {
  TestChannel& ch = allocate_channel();
  kmcl.VmbChannelPause(ch.channel);
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);
  run();
  EXPECT_EQ(ch.events, (Events{"Opened"}));
  kmcl.VmbChannelStart(ch.channel);
  run();
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted"}));
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, SendWithCompletionGetsHostBytes) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
  ASSERT_EQ(send(p, {1, 2, 3, 4}), STATUS_SUCCESS);
  run();
  ASSERT_EQ(host.inbox().size(), 1u);
  HostPacket hp = host.take_packet();
  EXPECT_TRUE(hp.completion_requested());
  EXPECT_EQ(hp.type, 6);
  EXPECT_EQ(std::vector<uint8_t>(hp.payload.begin(), hp.payload.begin() + 4), (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_TRUE(ch.completions.empty());
  host.complete(hp.transaction_id, std::vector<uint8_t>{9, 8, 7});
  run();
  ASSERT_EQ(ch.completions.size(), 1u);
  EXPECT_EQ(ch.completions[0].status, STATUS_SUCCESS);
  EXPECT_EQ(ch.completions[0].bytes, (std::vector<uint8_t>{9, 8, 7, 0, 0, 0, 0, 0}));  // padded to 8 on the wire
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, SendWithoutCompletionCompletesWhenInRing) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
  ASSERT_EQ(send(p, {5}, 0), STATUS_SUCCESS);
  run();
  ASSERT_EQ(ch.completions.size(), 1u);
  EXPECT_EQ(ch.completions[0].status, STATUS_SUCCESS);
  EXPECT_TRUE(ch.completions[0].bytes.empty());
  EXPECT_FALSE(host.take_packet().completion_requested());
}

TEST_F(KmclTest, DefaultCompletionRoutineFreesThePacket) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_EQ(send(p, {1}), STATUS_SUCCESS);
  run();
  host.complete(host.take_packet().transaction_id, nullptr, 0);
  run();
  EXPECT_EQ(shim::packet(p)->state(), Packet::State::Free);
  kmcl.VmbChannelDisable(ch.channel);
  kmcl.VmbChannelCleanup(ch.channel);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, HostCompletesOutOfOrder) {
  TestChannel& ch = open_channel();
  for (uint8_t i = 0; i < 3; ++i) {
    VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
    kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
    kmcl.VmbPacketSetPointer(p, reinterpret_cast<PVOID>(uintptr_t{i}));
    ch.on_completion = [this](VMBPACKET p2, NTSTATUS, const uint8_t*, uint32_t) { kmcl.VmbPacketFree(p2); };
    ASSERT_EQ(send(p, {i}), STATUS_SUCCESS);
  }
  run();
  std::vector<HostPacket> got;
  while (!host.inbox().empty()) got.push_back(host.take_packet());
  ASSERT_EQ(got.size(), 3u);
  host.complete(got[2].transaction_id, std::vector<uint8_t>{2});
  host.complete(got[0].transaction_id, std::vector<uint8_t>{0});
  host.complete(got[1].transaction_id, std::vector<uint8_t>{1});
  run();
  ASSERT_EQ(ch.completions.size(), 3u);
  EXPECT_EQ(ch.completions[0].bytes[0], 2);
  EXPECT_EQ(ch.completions[1].bytes[0], 0);
  EXPECT_EQ(ch.completions[2].bytes[0], 1);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, HostCompletionStatusReachesTheRoutine) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
  ASSERT_EQ(send(p, {1}), STATUS_SUCCESS);
  run();
  host.complete(host.take_packet().transaction_id, std::vector<uint8_t>{1, 2}, STATUS_UNSUCCESSFUL);
  run();
  ASSERT_EQ(ch.completions.size(), 1u);
  EXPECT_EQ(ch.completions[0].status, STATUS_UNSUCCESSFUL);
  EXPECT_TRUE(ch.completions[0].bytes.empty());
}

TEST_F(KmclTest, DelayedCompletionArrivesInVirtualTime) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
  ASSERT_EQ(send(p, {1}), STATUS_SUCCESS);
  run();
  host.complete_after(5'000'000, host.take_packet().transaction_id, {7});
  sim.run_for(4'000'000);
  EXPECT_TRUE(ch.completions.empty());
  sim.run_for(2'000'000);
  EXPECT_EQ(ch.completions.size(), 1u);
  EXPECT_EQ(sim.now(), 6'000'000);
}

TEST_F(KmclTest, HostInitiatedPacketsAreDeliveredAndCompleted) {
  TestChannel& ch = open_channel();
  ch.on_packet = [this](VMBPACKETCOMPLETION p, const uint8_t* b, uint32_t n) {
    std::vector<uint8_t> reply(b, b + n);
    reply.push_back(0xAA);
    kmcl.VmbChannelPacketComplete(p, reply.data(), static_cast<UINT32>(reply.size()));
  };
  uint64_t txid = host.send(std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}, true);
  host.send(std::vector<uint8_t>{9}, false);
  run();
  ASSERT_EQ(ch.incoming.size(), 2u);
  EXPECT_EQ(ch.incoming[0].irql, Irql::Dispatch);
  EXPECT_EQ(ch.events.back(), "Batch(2)");
  ASSERT_EQ(host.completions().size(), 1u);
  GuestCompletion c = host.take_completion();
  EXPECT_EQ(c.transaction_id, txid);
  EXPECT_EQ(c.payload[8], 0xAA);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, IncomingAtPassiveWhenRequested) {
  TestChannel& ch = open_channel();
  kmcl.VmbChannelSetIncomingProcessingAtPassive(ch.channel, TRUE);
  host.send(std::vector<uint8_t>{1}, true);
  run();
  ASSERT_EQ(ch.incoming.size(), 1u);
  EXPECT_EQ(ch.incoming[0].irql, Irql::Passive);
}

TEST_F(KmclTest, KeGetCurrentIrqlIsTheSimulatedLevel) {
  TestChannel& ch = open_channel();
  std::vector<KIRQL> seen;
  ch.on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    seen.push_back(KeGetCurrentIrql());
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  EXPECT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
  host.send(std::vector<uint8_t>{1}, true);
  run();
  kmcl.VmbChannelSetIncomingProcessingAtPassive(ch.channel, TRUE);
  host.send(std::vector<uint8_t>{2}, true);
  run();
  EXPECT_EQ(seen, (std::vector<KIRQL>{DISPATCH_LEVEL, PASSIVE_LEVEL}));
}

TEST_F(KmclTest, DeferToPassiveRedeliversAtPassive) {
  TestChannel& ch = open_channel();
  ch.on_packet = [this](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    if (sim.irql() == Irql::Dispatch)
      kmcl.VmbChannelPacketDeferToPassive(p);
    else
      kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  host.send(std::vector<uint8_t>{4, 2}, true);
  run();
  ASSERT_EQ(ch.incoming.size(), 2u);
  EXPECT_EQ(ch.incoming[0].packet, ch.incoming[1].packet);  // same handle (Q17)
  EXPECT_EQ(ch.incoming[0].bytes, ch.incoming[1].bytes);
  EXPECT_EQ(ch.incoming[1].irql, Irql::Passive);
  EXPECT_EQ(host.completions().size(), 1u);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, SeveralDeferredPacketsComeBackInOrder) {
  TestChannel& ch = open_channel();
  ch.on_packet = [this](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    if (sim.irql() == Irql::Dispatch)
      kmcl.VmbChannelPacketDeferToPassive(p);
    else
      kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  for (uint8_t i = 0; i < 3; ++i) host.send(std::vector<uint8_t>{i}, true);
  run();
  ASSERT_EQ(ch.incoming.size(), 6u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ch.incoming[i].irql, Irql::Dispatch);
    EXPECT_EQ(ch.incoming[3 + i].irql, Irql::Passive);
    EXPECT_EQ(ch.incoming[3 + i].bytes[0], i);
  }
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, PacketFailStopsTheQueueAndSendsNoCompletion) {
  TestChannel& ch = open_channel();
  ch.on_packet = [this](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) { kmcl.VmbChannelPacketFail(p); };
  host.send(std::vector<uint8_t>{1}, true);
  host.send(std::vector<uint8_t>{2}, true);
  run();
  EXPECT_EQ(ch.incoming.size(), 1u);
  EXPECT_TRUE(host.completions().empty());
  EXPECT_TRUE(shim::channel(ch.channel)->incoming_queue_failed());
}

TEST_F(KmclTest, SynchronousRequestFromPostStarted) {
  host.on_packet([](HostChannel& h, const HostPacket& p) { h.complete(p.transaction_id, std::vector<uint8_t>{42}); });
  TestChannel& ch = allocate_channel();
  NTSTATUS result = STATUS_PENDING;
  uint8_t reply[8] = {};
  UINT32 reply_size = sizeof(reply);
  ch.on_post_started = [&] {
    uint8_t req[4] = {1, 2, 3, 4};
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10'000'000;
    result = kmcl.VmbChannelSendSynchronousRequest(ch.channel, req, sizeof(req), nullptr,
                                                   VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, reply, &reply_size,
                                                   &timeout);
  };
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);
  run();
  EXPECT_EQ(result, STATUS_SUCCESS);
  EXPECT_EQ(reply_size, 8u);
  EXPECT_EQ(reply[0], 42);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, SynchronousRequestTimesOutInVirtualTime) {
  TestChannel& ch = open_channel();  // the host inbox swallows the request: nobody answers
  uint8_t req[8] = {};
  UINT32 size = 0;
  LARGE_INTEGER timeout;
  timeout.QuadPart = -20'000;  // 2 ms
  NTSTATUS s = kmcl.VmbChannelSendSynchronousRequest(ch.channel, req, sizeof(req), nullptr,
                                                     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, nullptr, &size,
                                                     &timeout);
  EXPECT_EQ(s, STATUS_CANCELLED);
  EXPECT_EQ(sim.now(), 2'000'000);
  // A late completion is dropped, not delivered anywhere.
  host.complete(host.take_packet().transaction_id, std::vector<uint8_t>{1});
  run();
  EXPECT_TRUE(ch.completions.empty());
}

TEST_F(KmclTest, SynchronousRequestWithNoPossibleAnswerIsReportedNotHung) {
  TestChannel& ch = open_channel();
  uint8_t req[8] = {};
  NTSTATUS s = kmcl.VmbChannelSendSynchronousRequest(ch.channel, req, sizeof(req), nullptr,
                                                     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, nullptr, nullptr,
                                                     nullptr);
  EXPECT_EQ(s, STATUS_CANCELLED);
  EXPECT_EQ(sim.verifier().count(Diagnostic::Hang), 1u);
}

TEST_F(KmclTest, SynchronousRequestEndsWithDeviceRemovedWhenTheHostRescinds) {
  TestChannel& ch = open_channel();
  sim.scheduler().post_after(5'000, [this] { host.rescind(); });
  uint8_t req[8] = {};
  uint8_t reply[8];
  UINT32 size = sizeof(reply);
  NTSTATUS s = kmcl.VmbChannelSendSynchronousRequest(ch.channel, req, sizeof(req), nullptr,
                                                     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, reply, &size,
                                                     nullptr);
  EXPECT_EQ(s, STATUS_DEVICE_REMOVED);
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(sim.now(), 5'000);
  EXPECT_EQ(ch.events.back(), "Closed");
  EXPECT_EQ(sim.verifier().count(Diagnostic::Hang), 0u) << findings();
}

TEST_F(KmclTest, SynchronousResponseLargerThanTheBufferIsTruncated) {
  host.on_packet([](HostChannel& h, const HostPacket& p) { h.complete(p.transaction_id, std::vector<uint8_t>(24, 7)); });
  TestChannel& ch = open_channel();
  uint8_t req[8] = {};
  uint8_t reply[16] = {};
  UINT32 size = sizeof(reply);
  NTSTATUS s = kmcl.VmbChannelSendSynchronousRequest(ch.channel, req, sizeof(req), nullptr,
                                                     VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, reply, &size,
                                                     nullptr);
  EXPECT_EQ(s, STATUS_BUFFER_OVERFLOW);
  EXPECT_EQ(size, 16u);
  EXPECT_EQ(reply[15], 7);
}

TEST_F(KmclTest, NonBlockingSynchronousSendIsATrySend) {
  ChannelConfig cfg;
  cfg.ring_pages = 1;
  cfg.max_packet_size = 1024;
  TestChannel& ch = open_channel(cfg);
  host.set_draining(false);
  std::vector<uint8_t> req(1000, 1);
  LARGE_INTEGER zero;
  zero.QuadPart = 0;
  int sent = 0;
  NTSTATUS s = STATUS_SUCCESS;
  while (s == STATUS_SUCCESS && sent < 100) {
    UINT32 size = 0;
    s = kmcl.VmbChannelSendSynchronousRequest(ch.channel, req.data(), static_cast<UINT32>(req.size()), nullptr, 0,
                                              nullptr, &size, &zero);
    if (s == STATUS_SUCCESS) ++sent;
  }
  EXPECT_EQ(s, STATUS_BUFFER_OVERFLOW);  // the ring is full and nothing was queued
  EXPECT_GT(sent, 0);
  EXPECT_EQ(shim::channel(ch.channel)->queued_sends(), 0u);
  host.set_draining(true);
  run();
  EXPECT_EQ(host.inbox().size(), static_cast<size_t>(sent));
}

TEST_F(KmclTest, BackPressureQueuesAndDrainsInOrder) {
  ChannelConfig cfg;
  cfg.ring_pages = 2;
  cfg.max_packet_size = 1024;
  TestChannel& ch = open_channel(cfg);
  host.set_draining(false);
  for (uint32_t i = 0; i < 40; ++i) {
    VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
    kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
    std::vector<uint8_t> bytes(1000, static_cast<uint8_t>(i));
    ASSERT_EQ(send(p, bytes), STATUS_SUCCESS);
  }
  run();
  EXPECT_GT(shim::channel(ch.channel)->queued_sends(), 30u);
  host.on_packet([](HostChannel& h, const HostPacket& p) { h.complete(p.transaction_id, p.payload); });
  host.set_draining(true);
  run();
  EXPECT_EQ(shim::channel(ch.channel)->queued_sends(), 0u);
  ASSERT_EQ(ch.completions.size(), 40u);
  for (uint32_t i = 0; i < 40; ++i) EXPECT_EQ(ch.completions[i].bytes[0], static_cast<uint8_t>(i));
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, HostRescindClosesTheChannelAndCancelsTransactions) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
  ASSERT_EQ(send(p, {1}), STATUS_SUCCESS);
  run();
  host.rescind();
  run();
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted", "Suspend", "Closed"}));
  ASSERT_EQ(ch.completions.size(), 1u);
  EXPECT_EQ(ch.completions[0].status, STATUS_CANCELLED);
  EXPECT_EQ(shim::channel(ch.channel)->conn_state(), ConnState::Disabled);
  kmcl.VmbChannelCleanup(ch.channel);  // Q40: no Disable needed
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, HostCloseWaitsForOutstandingIncomingPackets) {
  TestChannel& ch = open_channel();
  VMBPACKETCOMPLETION held = nullptr;
  ch.on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) { held = p; };
  host.send(std::vector<uint8_t>{1}, true);
  run();
  ASSERT_NE(held, nullptr);
  host.close();
  run();
  EXPECT_EQ(ch.events.back(), "Suspend");  // Closed waits for the completion
  kmcl.VmbChannelPacketComplete(held, nullptr, 0);
  run();
  EXPECT_EQ(ch.events.back(), "Closed");
  // The offer stays after a close: the guest can open again.
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);
  run();
  EXPECT_EQ(ch.events.back(), "PostStarted");
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, DisableWithADeferredPacketWaitingForRedeliveryReturns) {
  TestChannel& ch = open_channel();
  ch.on_packet = [this](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    if (sim.irql() == Irql::Dispatch) kmcl.VmbChannelPacketDeferToPassive(p);
  };
  host.send(std::vector<uint8_t>{1}, true);
  ASSERT_TRUE(sim.step());  // delivered at DISPATCH and deferred; redelivery is still queued
  ASSERT_EQ(ch.incoming.size(), 1u);
  kmcl.VmbChannelDisable(ch.channel);  // the simulator holds the packet, so nothing to wait for
  EXPECT_EQ(ch.events.back(), "Closed");
  kmcl.VmbChannelCleanup(ch.channel);
  run();
  sim.shutdown();
  EXPECT_EQ(ch.incoming.size(), 1u);  // never redelivered after the close
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(KmclTest, ShutdownReportsLeaksWithoutCallingTheDriver) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
  ASSERT_EQ(send(p, {1}), STATUS_SUCCESS);
  kmcl.VmbPacketAllocate(ch.channel);  // never sent, never freed
  run();
  sim.shutdown();  // the driver never disabled or cleaned up its channel
  EXPECT_TRUE(ch.completions.empty());
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted"}));
  EXPECT_EQ(violations(6), 1u) << findings();
  EXPECT_EQ(violations(43), 1u) << findings();
  EXPECT_EQ(sim.verifier().count(Diagnostic::Unanswered), 1u) << findings();
}

TEST_F(KmclTest, SameScriptGivesTheSameTrace) {
  auto script = [](Simulation& s) {
    Device& d = s.offer(default_test_offer());
    d.host().on_packet([](HostChannel& h, const HostPacket& p) { h.complete_after(1000, p.transaction_id, p.payload); });
    return &d;
  };
  std::vector<std::string> traces[2];
  for (int i = 0; i < 2; ++i) {
    Simulation s;
    Device* d = script(s);
    KMCL_CLIENT_INTERFACE_V1 t{};
    ASSERT_EQ(WdfFdoQueryForInterface(shim::wdf_device(*d), &KMCL_CLIENT_INTERFACE_TYPE, reinterpret_cast<PINTERFACE>(&t),
                                      sizeof(t), KMCL_CLIENT_INTERFACE_VERSION_V1, nullptr),
              STATUS_SUCCESS);
    VMBCHANNEL c;
    ASSERT_EQ(t.VmbChannelAllocate(shim::device_object(*d), FALSE, &c), STATUS_SUCCESS);
    ASSERT_EQ(t.VmbChannelEnable(c), STATUS_SUCCESS);
    s.run_until_idle();
    for (int k = 0; k < 10; ++k) {
      uint8_t b[16] = {static_cast<uint8_t>(k)};
      t.VmbPacketSend(t.VmbPacketAllocate(c), b, sizeof(b), nullptr, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    }
    s.run_until_idle();
    t.VmbChannelDisable(c);
    t.VmbChannelCleanup(c);
    traces[i] = s.trace();
    traces[i].push_back(std::to_string(s.now()) + "/" + std::to_string(s.scheduler().events_run()));
  }
  EXPECT_EQ(traces[0], traces[1]);
}

}  // namespace
}  // namespace vmbsim::testing
