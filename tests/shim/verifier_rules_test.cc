// The lifecycle verifier, one rule at a time (kmcl-api.md §6). Each test is a deliberately
// misbehaving driver fragment written against the KMCL C ABI (the `kmcl` table, or the
// exported functions directly). It checks three things: the verifier reported that rule
// exactly once, no other Error-severity finding appeared, and the offending call returned
// the status of §3/§7 (or the simulator's choice where the reference leaves it open).
//
// In scope: every rule that a client channel without external data can break. Rule 4 needs a
// server channel (VmbChannelAllocate(IsServer=TRUE) is not simulated yet), so it has no test.
// The self-check rules (25, 49, 62, 63) are shown to stay quiet under real traffic.
#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

using Events = std::vector<std::string>;

constexpr UINT32 kWait = VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;

class VerifierRulesTest : public KmclTest {
 protected:
  // Error-severity findings other than those of `rules` and the `allowed` simulator
  // diagnostics. A misbehaving fragment must not set off anything else.
  size_t other_errors(std::initializer_list<int> rules, std::initializer_list<Diagnostic> allowed = {}) {
    size_t n = 0;
    for (const Finding& f : sim.verifier().findings()) {
      if (f.severity != Severity::Error) continue;
      bool expected = f.rule > 0 && std::find(rules.begin(), rules.end(), f.rule) != rules.end();
      for (Diagnostic d : allowed) expected = expected || (f.rule == 0 && f.code == diagnostic_code(d));
      if (!expected) ++n;
    }
    return n;
  }

  // Severity of the first finding for `rule`, if any.
  std::optional<Severity> severity_of(int rule) {
    for (const Finding& f : sim.verifier().findings())
      if (f.rule == rule) return f.severity;
    return std::nullopt;
  }

  // Makes `ch` keep every incoming packet (in `held`) instead of completing it.
  void hold_incoming(TestChannel& ch) {
    ch.on_packet = [this](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) { held.push_back(p); };
  }

  // Caller-owned memory for VmbPacketInitialize, 8-byte aligned.
  VMBPACKET packet_memory(std::vector<uint64_t>& memory, UINT32 bytes) {
    memory.assign(bytes / sizeof(uint64_t) + 1, 0);
    return reinterpret_cast<VMBPACKET>(memory.data());
  }

  std::vector<VMBPACKETCOMPLETION> held;
};

using VerifierRulesDeathTest = VerifierRulesTest;

// ---- §6.1 Interface and handles ------------------------------------------------------------

// Rule 1: the driver queries the KMCL table with a Size smaller than KMCL_CLIENT_INTERFACE_V1.
TEST_F(VerifierRulesTest, Rule1_InterfaceQueryTooSmall) {
  KMCL_CLIENT_INTERFACE_V1 table{};
  NTSTATUS s = WdfFdoQueryForInterface(shim::wdf_device(device), &KMCL_CLIENT_INTERFACE_TYPE,
                                       reinterpret_cast<PINTERFACE>(&table), sizeof(table) - sizeof(PVOID),
                                       KMCL_CLIENT_INTERFACE_VERSION_V1, nullptr);
  EXPECT_EQ(s, STATUS_BUFFER_TOO_SMALL);
  EXPECT_EQ(violations(1), 1u) << findings();
  EXPECT_EQ(other_errors({1}), 0u) << findings();
  EXPECT_EQ(table.VmbChannelAllocate, nullptr);  // nothing was written into the short buffer
}

// Rule 1: the driver asks for an interface version the provider does not have.
TEST_F(VerifierRulesTest, Rule1_InterfaceQueryUnsupportedVersion) {
  KMCL_CLIENT_INTERFACE_V1 table{};
  NTSTATUS s = WdfFdoQueryForInterface(shim::wdf_device(device), &KMCL_CLIENT_INTERFACE_TYPE,
                                       reinterpret_cast<PINTERFACE>(&table), sizeof(table),
                                       KMCL_CLIENT_INTERFACE_VERSION_LATEST + 1, nullptr);
  EXPECT_EQ(s, STATUS_NOT_SUPPORTED);
  EXPECT_EQ(violations(1), 1u) << findings();
  EXPECT_EQ(other_errors({1}), 0u) << findings();
  EXPECT_EQ(table.VmbChannelAllocate, nullptr);
}

// Rule 2: a packet handle is sent after VmbPacketFree released it.
TEST_F(VerifierRulesTest, Rule2_SendOnFreedPacket) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(p, nullptr);
  kmcl.VmbPacketFree(p);
  EXPECT_EQ(send(p, {1, 2}), STATUS_INVALID_PARAMETER_1);
  run();
  EXPECT_EQ(violations(2), 1u) << findings();
  EXPECT_EQ(other_errors({2}), 0u) << findings();
  EXPECT_TRUE(host.inbox().empty());
}

// Rule 3: a driver holding the server table calls a server-only init function on its client channel.
TEST_F(VerifierRulesTest, Rule3_ServerInitOnClientChannel) {
  KMCL_SERVER_INTERFACE_V1 server{};
  ASSERT_EQ(WdfFdoQueryForInterface(shim::wdf_device(device), &KMCL_SERVER_INTERFACE_TYPE,
                                    reinterpret_cast<PINTERFACE>(&server), sizeof(server),
                                    KMCL_SERVER_INTERFACE_VERSION_V1, nullptr),
            STATUS_SUCCESS);
  TestChannel& ch = allocate_channel();
  EXPECT_EQ(server.VmbServerChannelInitSetFlags(ch.channel, VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE),
            STATUS_INVALID_PARAMETER_1);
  EXPECT_EQ(violations(3), 1u) << findings();
  EXPECT_EQ(other_errors({3}), 0u) << findings();
}

// ---- §6.2 Channel lifetime and state -------------------------------------------------------

// Rule 6: VmbChannelCleanup called a second time on the same channel.
TEST_F(VerifierRulesTest, Rule6_DoubleCleanup) {
  TestChannel& ch = open_channel();
  kmcl.VmbChannelDisable(ch.channel);
  kmcl.VmbChannelCleanup(ch.channel);
  EXPECT_EQ(violations(6), 0u) << findings();
  kmcl.VmbChannelCleanup(ch.channel);
  sim.shutdown();  // a cleaned-up channel is not reported again as a leak
  EXPECT_EQ(violations(6), 1u) << findings();
  EXPECT_EQ(other_errors({6}), 0u) << findings();
}

// Rule 7: VmbChannelCleanup on a channel that is still open.
TEST_F(VerifierRulesTest, Rule7_CleanupWhileOpen) {
  TestChannel& ch = open_channel();
  kmcl.VmbChannelCleanup(ch.channel);
  EXPECT_EQ(violations(7), 1u) << findings();
  EXPECT_TRUE(host.is_open());  // refused: the channel is untouched
  kmcl.VmbChannelDisable(ch.channel);
  kmcl.VmbChannelCleanup(ch.channel);
  sim.shutdown();
  EXPECT_EQ(violations(7), 1u) << findings();
  EXPECT_EQ(other_errors({7}), 0u) << findings();
}

// Rule 8: VmbChannelAllocate (PASSIVE only) while the driver holds a spin lock.
TEST_F(VerifierRulesTest, Rule8_AllocateAtDispatch) {
  VMBCHANNEL c = nullptr;
  sim.set_base_irql(Irql::Dispatch);
  NTSTATUS s = kmcl.VmbChannelAllocate(shim::device_object(device), FALSE, &c);
  sim.set_base_irql(Irql::Passive);
  EXPECT_EQ(s, STATUS_SUCCESS);  // reported, not refused, like the other non-blocking PASSIVE-only calls
  ASSERT_NE(c, nullptr);
  kmcl.VmbChannelCleanup(c);
  EXPECT_EQ(violations(8), 1u) << findings();
  EXPECT_EQ(other_errors({8}), 0u) << findings();
}

// Rule 9: an init call after VmbChannelEnable.
TEST_F(VerifierRulesTest, Rule9_InitAfterEnable) {
  TestChannel& ch = open_channel();
  EXPECT_EQ(kmcl.VmbChannelInitSetMaximumPacketSize(ch.channel, 8192), STATUS_INVALID_PARAMETER_1);
  EXPECT_EQ(shim::channel(ch.channel)->max_packet_size(), 4096u);  // not applied
  EXPECT_EQ(violations(9), 1u) << findings();
  EXPECT_EQ(other_errors({9}), 0u) << findings();
}

// Rule 10: VmbChannelInitSetMaximumPacketSize(0).
TEST_F(VerifierRulesTest, Rule10_ZeroMaximumPacketSize) {
  TestChannel& ch = allocate_channel();
  EXPECT_EQ(kmcl.VmbChannelInitSetMaximumPacketSize(ch.channel, 0), STATUS_INVALID_PARAMETER_2);
  EXPECT_EQ(shim::channel(ch.channel)->max_packet_size(), 4096u);  // the earlier value stands
  EXPECT_EQ(violations(10), 1u) << findings();
  EXPECT_EQ(other_errors({10}), 0u) << findings();
}

// Rule 11: VmbChannelEnable on a channel that is already enabled and open.
TEST_F(VerifierRulesTest, Rule11_DoubleEnable) {
  TestChannel& ch = open_channel();
  EXPECT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_INVALID_DEVICE_STATE);
  run();
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted"}));  // no second open
  EXPECT_EQ(violations(11), 1u) << findings();
  EXPECT_EQ(other_errors({11}), 0u) << findings();
}

// Rule 13 (warning): a channel enabled without ever registering EvtVmbChannelProcessPacket.
TEST_F(VerifierRulesTest, Rule13_EnableWithoutProcessPacket) {
  VMBCHANNEL c = nullptr;
  ASSERT_EQ(kmcl.VmbChannelAllocate(shim::device_object(device), FALSE, &c), STATUS_SUCCESS);
  ASSERT_EQ(kmcl.VmbChannelInitSetMaximumPacketSize(c, 1024), STATUS_SUCCESS);
  EXPECT_EQ(kmcl.VmbChannelEnable(c), STATUS_SUCCESS);
  run();
  EXPECT_TRUE(host.is_open());
  uint64_t txid = host.send(std::vector<uint8_t>{1}, true);
  run();
  ASSERT_EQ(host.completions().size(), 1u);  // Q5: completed internally, the host is not left waiting
  EXPECT_EQ(host.take_completion().transaction_id, txid);
  EXPECT_EQ(violations(13), 1u) << findings();
  EXPECT_EQ(severity_of(13), Severity::Warning);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

// Rule 14: VmbChannelPause from inside EvtChannelPostStarted.
TEST_F(VerifierRulesTest, Rule14_PauseInsidePostStarted) {
  TestChannel& ch = allocate_channel();
  ch.on_post_started = [&] { kmcl.VmbChannelPause(ch.channel); };
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);
  run();
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted"}));  // refused: no Suspend
  EXPECT_TRUE(shim::channel(ch.channel)->running());
  EXPECT_EQ(violations(14), 1u) << findings();
  EXPECT_EQ(other_errors({14}), 0u) << findings();
}

// Rule 15: VmbChannelStart before VmbChannelEnable.
TEST_F(VerifierRulesTest, Rule15_StartBeforeEnable) {
  TestChannel& ch = allocate_channel();
  kmcl.VmbChannelStart(ch.channel);
  run();
  EXPECT_TRUE(ch.events.empty());
  EXPECT_EQ(violations(15), 1u) << findings();
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);  // the channel is still usable
  run();
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted"}));
  EXPECT_EQ(violations(15), 1u) << findings();
  EXPECT_EQ(other_errors({15}), 0u) << findings();
}

// Rule 17: VmbChannelDisable from EvtVmbChannelProcessPacket (it would wait for itself).
TEST_F(VerifierRulesTest, Rule17_DisableFromProcessPacket) {
  TestChannel& ch = open_channel();
  ch.on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    kmcl.VmbChannelDisable(ch.channel);
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  host.send(std::vector<uint8_t>{1}, true);
  run();
  EXPECT_TRUE(host.is_open());  // refused instead of deadlocking
  EXPECT_EQ(host.completions().size(), 1u);
  EXPECT_EQ(violations(17), 1u) << findings();
  EXPECT_EQ(other_errors({17}), 0u) << findings();  // in particular not 18/61: the deadlock is the finding
}

// Rule 18: a blocking VmbChannelSendSynchronousRequest while the driver holds a spin lock.
TEST_F(VerifierRulesTest, Rule18_BlockingRequestAtDispatch) {
  TestChannel& ch = open_channel();
  uint8_t request[8] = {};
  sim.set_base_irql(Irql::Dispatch);
  NTSTATUS s = kmcl.VmbChannelSendSynchronousRequest(ch.channel, request, sizeof(request), nullptr, kWait, nullptr,
                                                     nullptr, nullptr);
  sim.set_base_irql(Irql::Passive);
  EXPECT_EQ(s, STATUS_INVALID_DEVICE_STATE);
  run();
  EXPECT_TRUE(host.inbox().empty());  // nothing was sent
  EXPECT_EQ(violations(18), 1u) << findings();
  EXPECT_EQ(other_errors({18}), 0u) << findings();
}

// Rule 19: VmbChannelSetInterruptLatency before the channel was ever opened.
TEST_F(VerifierRulesTest, Rule19_InterruptLatencyBeforeOpen) {
  TestChannel& ch = allocate_channel();
  UINT16 original = 0xBEEF;
  EXPECT_EQ(kmcl.VmbChannelSetInterruptLatency(ch.channel, 100, &original), STATUS_INVALID_DEVICE_STATE);
  EXPECT_EQ(original, 0xBEEF);  // untouched on failure
  EXPECT_EQ(violations(19), 1u) << findings();
  EXPECT_EQ(other_errors({19}), 0u) << findings();
}

// Rule 20: VmbChannelGetMmioSpace before EvtChannelOpened.
TEST_F(VerifierRulesTest, Rule20_MmioSpaceBeforeOpened) {
  TestChannel& ch = allocate_channel();
  UINT64 address = 1, size = 1;
  kmcl.VmbChannelGetMmioSpace(ch.channel, &address, &size);
  EXPECT_EQ(address, 0u);
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(violations(20), 1u) << findings();
  EXPECT_EQ(other_errors({20}), 0u) << findings();
}

// ---- §6.3 State-change callback contracts ---------------------------------------------------

// Rule 21: a blocking synchronous request inside EvtChannelStarted (the incoming queue is not
// running yet, so it could never complete).
TEST_F(VerifierRulesTest, Rule21_BlockingRequestInsideStarted) {
  TestChannel& ch = allocate_channel();
  NTSTATUS result = STATUS_PENDING;
  ch.on_started = [&] {
    uint8_t request[8] = {};
    result = kmcl.VmbChannelSendSynchronousRequest(ch.channel, request, sizeof(request), nullptr, kWait, nullptr,
                                                   nullptr, nullptr);
  };
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);
  run();
  EXPECT_EQ(result, STATUS_CANCELLED);
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted"}));  // reported, not hung
  EXPECT_TRUE(host.inbox().empty());
  EXPECT_EQ(violations(21), 1u) << findings();
  EXPECT_EQ(other_errors({21}, {Diagnostic::Hang}), 0u) << findings();
}

// Rule 22: a send after EvtChannelSuspend (the driver paused) and before the next EvtChannelStarted.
TEST_F(VerifierRulesTest, Rule22_SendWhileSuspended) {
  TestChannel& ch = open_channel();
  kmcl.VmbChannelPause(ch.channel);
  ASSERT_EQ(ch.events.back(), "Suspend");
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(send(p, {1}), STATUS_INVALID_DEVICE_STATE);
  kmcl.VmbPacketFree(p);  // Q13: a failed send leaves the packet with the caller
  run();
  EXPECT_TRUE(host.inbox().empty());
  EXPECT_EQ(violations(22), 1u) << findings();
  EXPECT_EQ(other_errors({22}), 0u) << findings();  // the free was legal (no rule 41)
}

// Rule 23: the driver pauses while it still holds an incoming packet it never completes.
TEST_F(VerifierRulesTest, Rule23_PauseWithUncompletedPacket) {
  TestChannel& ch = open_channel();
  hold_incoming(ch);
  host.send(std::vector<uint8_t>{1}, true);
  run();
  ASSERT_EQ(held.size(), 1u);
  kmcl.VmbChannelPause(ch.channel);  // waits for a completion nobody will make
  EXPECT_EQ(ch.events.back(), "Suspend");
  EXPECT_EQ(sim.verifier().count(Diagnostic::Hang), 1u);  // returned instead of hanging
  kmcl.VmbChannelPacketComplete(held[0], nullptr, 0);     // late, but still allowed
  run();
  EXPECT_EQ(host.completions().size(), 1u);
  EXPECT_EQ(violations(23), 1u) << findings();
  EXPECT_EQ(other_errors({23}, {Diagnostic::Hang}), 0u) << findings();
}

// Rule 25 (simulator self-check): packets that arrive while the driver has the channel paused
// wait for the next EvtChannelStarted; none is delivered outside Started .. Suspend.
TEST_F(VerifierRulesTest, Rule25_SelfCheckQuietAcrossPauseAndStart) {
  TestChannel& ch = open_channel();
  ch.on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    ch.events.push_back("Packet");
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  host.send(std::vector<uint8_t>{1}, true);
  run();
  kmcl.VmbChannelPause(ch.channel);
  host.send(std::vector<uint8_t>{2}, true);
  host.send(std::vector<uint8_t>{3}, false);
  run();
  EXPECT_EQ(ch.events.back(), "Suspend");
  kmcl.VmbChannelStart(ch.channel);
  run();
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted", "Packet", "Batch(1)", "Suspend", "Started",
                               "PostStarted", "Packet", "Packet", "Batch(2)"}));
  EXPECT_EQ(host.completions().size(), 2u);
  EXPECT_EQ(violations(25), 0u) << findings();
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

// ---- §6.5 Outgoing packets ------------------------------------------------------------------

// Rule 35: VmbPacketAllocate returned NULL and the driver sent it anyway.
TEST_F(VerifierRulesTest, Rule35_SendOfNullFromAllocate) {
  TestChannel& ch = open_channel();
  sim.fail_packet_allocations(1);
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_EQ(p, nullptr);
  EXPECT_EQ(send(p, {1}), STATUS_INVALID_PARAMETER_1);
  run();
  EXPECT_TRUE(host.inbox().empty());
  EXPECT_EQ(violations(35), 1u) << findings();
  EXPECT_EQ(other_errors({35}), 0u) << findings();  // in particular not also rule 2
}

// Rule 36: VmbPacketInitialize over a packet that came from VmbPacketAllocate.
TEST_F(VerifierRulesTest, Rule36_InitializeAllocatedPacket) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(kmcl.VmbPacketInitialize(ch.channel, p, kmcl.VmbChannelSizeofPacket(ch.channel)),
            STATUS_INVALID_PARAMETER_2);
  EXPECT_EQ(shim::packet(p)->origin(), Packet::Origin::Allocated);  // still the allocated packet
  kmcl.VmbPacketFree(p);
  EXPECT_EQ(violations(36), 1u) << findings();
  EXPECT_EQ(other_errors({36}), 0u) << findings();
}

// Rule 37: VmbPacketInitialize with a buffer one byte short of VmbChannelSizeofPacket.
TEST_F(VerifierRulesTest, Rule37_InitializeBufferTooSmall) {
  TestChannel& ch = open_channel();
  UINT32 need = kmcl.VmbChannelSizeofPacket(ch.channel);
  std::vector<uint64_t> memory;
  VMBPACKET p = packet_memory(memory, need);
  EXPECT_EQ(kmcl.VmbPacketInitialize(ch.channel, p, need - 1), STATUS_INVALID_PARAMETER_3);
  EXPECT_EQ(shim::packet(p), nullptr);  // no packet object was built in it
  EXPECT_EQ(violations(37), 1u) << findings();
  EXPECT_EQ(other_errors({37}), 0u) << findings();
}

// Rule 38: a VmbPacketInitialize packet sent before VmbPacketSetCompletionRoutine.
TEST_F(VerifierRulesTest, Rule38_InitializedPacketSentWithoutRoutine) {
  TestChannel& ch = open_channel();
  UINT32 need = kmcl.VmbChannelSizeofPacket(ch.channel);
  std::vector<uint64_t> memory;
  VMBPACKET p = packet_memory(memory, need);
  ASSERT_EQ(kmcl.VmbPacketInitialize(ch.channel, p, need), STATUS_SUCCESS);
  EXPECT_EQ(send(p, {1}), STATUS_INVALID_PARAMETER_1);
  run();
  EXPECT_TRUE(host.inbox().empty());
  // With a routine the same packet goes out; its memory is the caller's, so nothing frees it.
  ch.on_completion = [](VMBPACKET, NTSTATUS, const uint8_t*, uint32_t) {};
  kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
  EXPECT_EQ(send(p, {1}, 0), STATUS_SUCCESS);
  run();
  EXPECT_EQ(host.inbox().size(), 1u);
  EXPECT_EQ(ch.completions.size(), 1u);
  EXPECT_EQ(violations(38), 1u) << findings();
  EXPECT_EQ(other_errors({38}), 0u) << findings();
}

// Rule 39: VmbPacketFree on a packet built in caller memory by VmbPacketInitialize.
TEST_F(VerifierRulesTest, Rule39_FreeOfInitializedPacket) {
  TestChannel& ch = open_channel();
  UINT32 need = kmcl.VmbChannelSizeofPacket(ch.channel);
  std::vector<uint64_t> memory;
  VMBPACKET p = packet_memory(memory, need);
  ASSERT_EQ(kmcl.VmbPacketInitialize(ch.channel, p, need), STATUS_SUCCESS);
  kmcl.VmbPacketFree(p);
  ASSERT_NE(shim::packet(p), nullptr);
  EXPECT_EQ(shim::packet(p)->state(), Packet::State::Idle);  // refused: still the caller's packet
  EXPECT_EQ(violations(39), 1u) << findings();
  EXPECT_EQ(other_errors({39}), 0u) << findings();
}

// Rule 40: VmbPacketFree after the default completion routine already freed the sent packet.
TEST_F(VerifierRulesTest, Rule40_FreeAfterDefaultRoutineFreed) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(send(p, {1}, 0), STATUS_SUCCESS);  // no WAIT_FOR_COMPLETION: done once in the ring
  run();
  ASSERT_EQ(shim::packet(p)->state(), Packet::State::Free);
  EXPECT_EQ(violations(40), 0u) << findings();
  kmcl.VmbPacketFree(p);
  EXPECT_EQ(violations(40), 1u) << findings();
  EXPECT_EQ(other_errors({40}), 0u) << findings();
}

// Rule 41: VmbPacketFree while the packet's transaction still waits for the host.
TEST_F(VerifierRulesTest, Rule41_FreeWhileAwaitingCompletion) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(send(p, {1}), STATUS_SUCCESS);
  run();
  kmcl.VmbPacketFree(p);
  EXPECT_EQ(shim::packet(p)->state(), Packet::State::AwaitingCompletion);  // refused
  host.complete(host.take_packet().transaction_id, nullptr, 0);
  run();
  EXPECT_EQ(shim::packet(p)->state(), Packet::State::Free);  // the default routine still frees it, once
  EXPECT_EQ(violations(41), 1u) << findings();
  EXPECT_EQ(other_errors({41}), 0u) << findings();
}

// Rule 42: the same packet sent again before its first transaction completed.
TEST_F(VerifierRulesTest, Rule42_ResendWhilePending) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(send(p, {1}), STATUS_SUCCESS);
  EXPECT_EQ(send(p, {2}), STATUS_INVALID_PARAMETER_1);
  run();
  ASSERT_EQ(host.inbox().size(), 1u);
  EXPECT_EQ(host.take_packet().payload[0], 1);
  EXPECT_EQ(violations(42), 1u) << findings();
  EXPECT_EQ(other_errors({42}), 0u) << findings();
}

// Rule 43 (warning): a packet allocated and never sent or freed, found at VmbChannelCleanup.
TEST_F(VerifierRulesTest, Rule43_PacketLeakedAtCleanup) {
  TestChannel& ch = open_channel();
  ASSERT_NE(kmcl.VmbPacketAllocate(ch.channel), nullptr);
  kmcl.VmbChannelDisable(ch.channel);
  kmcl.VmbChannelCleanup(ch.channel);
  sim.shutdown();
  EXPECT_EQ(violations(43), 1u) << findings();
  EXPECT_EQ(severity_of(43), Severity::Warning);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

// Rule 45: send flags with a bit outside VMBUS_CHANNEL_FORMAT_FLAGS.
TEST_F(VerifierRulesTest, Rule45_UnknownSendFlagBits) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(send(p, {1}, kWait | 0x8), STATUS_INVALID_PARAMETER_5);
  run();
  EXPECT_TRUE(host.inbox().empty());
  kmcl.VmbPacketFree(p);
  EXPECT_EQ(violations(45), 1u) << findings();
  EXPECT_EQ(other_errors({45}), 0u) << findings();
}

// Rule 45 (graded warning): FORCE_MDL_LENGTH on plain VmbPacketSend, where it means nothing.
TEST_F(VerifierRulesTest, Rule45_ForceMdlLengthOnPlainSendIsWarning) {
  TestChannel& ch = open_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(send(p, {1}, kWait | VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH), STATUS_SUCCESS);
  run();
  EXPECT_EQ(host.inbox().size(), 1u);
  EXPECT_EQ(violations(45), 1u) << findings();
  EXPECT_EQ(severity_of(45), Severity::Warning);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

// Rule 46: an inline BufferLength one byte over the channel's maximum packet size.
TEST_F(VerifierRulesTest, Rule46_BufferLongerThanMaximumPacketSize) {
  ChannelConfig config;
  config.max_packet_size = 64;
  TestChannel& ch = open_channel(config);
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(send(p, std::vector<uint8_t>(65, 0xAB)), STATUS_INVALID_PARAMETER_3);
  EXPECT_EQ(send(p, std::vector<uint8_t>(64, 0xAB)), STATUS_SUCCESS);  // the maximum itself is fine
  run();
  EXPECT_EQ(host.inbox().size(), 1u);
  EXPECT_EQ(violations(46), 1u) << findings();
  EXPECT_EQ(other_errors({46}), 0u) << findings();
}

// Rule 47: PAGED_BUFFER passed while the driver holds a spin lock (pageable memory at DISPATCH).
TEST_F(VerifierRulesTest, Rule47_PagedBufferAtDispatch) {
  TestChannel& ch = open_channel();
  VMBPACKET at_dispatch = kmcl.VmbPacketAllocate(ch.channel);
  VMBPACKET at_passive = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(at_dispatch, nullptr);
  ASSERT_NE(at_passive, nullptr);
  sim.set_base_irql(Irql::Dispatch);
  NTSTATUS s = send(at_dispatch, {1}, kWait | VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER);
  sim.set_base_irql(Irql::Passive);
  EXPECT_EQ(s, STATUS_SUCCESS);  // reported; the simulator copied the buffer and sent it
  EXPECT_EQ(send(at_passive, {2}, kWait | VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER), STATUS_SUCCESS);  // legal
  run();
  EXPECT_EQ(host.inbox().size(), 2u);
  EXPECT_EQ(violations(47), 1u) << findings();
  EXPECT_EQ(other_errors({47}), 0u) << findings();
}

// Rule 49 (simulator self-check): every accepted send gets its completion routine exactly once,
// with and without WAIT_FOR_COMPLETION, across packet reuse and out-of-order host completions.
TEST_F(VerifierRulesTest, Rule49_SelfCheckQuietUnderTraffic) {
  TestChannel& ch = open_channel();
  ch.on_completion = [](VMBPACKET, NTSTATUS, const uint8_t*, uint32_t) {};  // keep the packets for reuse
  std::vector<VMBPACKET> packets;
  for (int i = 0; i < 8; ++i) {
    packets.push_back(kmcl.VmbPacketAllocate(ch.channel));
    ASSERT_NE(packets.back(), nullptr);
    kmcl.VmbPacketSetCompletionRoutine(packets.back(), TestChannel::completion_routine);
  }
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < packets.size(); ++i)
      ASSERT_EQ(send(packets[i], {static_cast<uint8_t>(i)}, i % 2 ? kWait : 0), STATUS_SUCCESS);
    run();
    std::vector<HostPacket> got;
    while (!host.inbox().empty()) got.push_back(host.take_packet());
    ASSERT_EQ(got.size(), packets.size());
    for (auto it = got.rbegin(); it != got.rend(); ++it)  // answer in reverse order
      if (it->completion_requested()) host.complete(it->transaction_id, nullptr, 0);
    run();
  }
  ASSERT_EQ(ch.completions.size(), 2 * packets.size());
  for (VMBPACKET p : packets) {
    EXPECT_EQ(std::count_if(ch.completions.begin(), ch.completions.end(),
                            [p](const CompletionRecord& r) { return r.packet == p; }),
              2);
    kmcl.VmbPacketFree(p);
  }
  EXPECT_EQ(violations(49), 0u) << findings();
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

// Rule 50: a synchronous request whose *CompletionBufferSize is not a multiple of 8.
TEST_F(VerifierRulesTest, Rule50_CompletionSizeNotMultipleOf8) {
  TestChannel& ch = open_channel();
  uint8_t request[8] = {};
  uint8_t reply[12] = {};
  UINT32 reply_size = sizeof(reply);
  LARGE_INTEGER timeout;
  timeout.QuadPart = -10'000'000;
  NTSTATUS s = kmcl.VmbChannelSendSynchronousRequest(ch.channel, request, sizeof(request), nullptr, kWait, reply,
                                                     &reply_size, &timeout);
  EXPECT_EQ(s, STATUS_INVALID_PARAMETER_7);  // Q13: CompletionBufferSize is the 7th parameter
  run();
  EXPECT_TRUE(host.inbox().empty());
  EXPECT_EQ(violations(50), 1u) << findings();
  EXPECT_EQ(other_errors({50}), 0u) << findings();
}

// Rule 52 (warning): a send before the channel is opened is held, then transmitted at the open.
TEST_F(VerifierRulesTest, Rule52_SendBeforeOpenIsQueued) {
  TestChannel& ch = allocate_channel();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(send(p, {7}), STATUS_SUCCESS);
  EXPECT_EQ(violations(52), 1u) << findings();
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);
  run();
  ASSERT_EQ(host.inbox().size(), 1u);
  EXPECT_EQ(host.take_packet().payload[0], 7);
  EXPECT_EQ(violations(52), 1u) << findings();
  EXPECT_EQ(severity_of(52), Severity::Warning);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

// ---- §6.6 Incoming packets ------------------------------------------------------------------

// Rule 53: the driver keeps an incoming packet and goes away without completing it (nor
// disabling or cleaning up the channel); the simulator's shutdown finds it.
TEST_F(VerifierRulesTest, Rule53_IncomingPacketNeverCompleted) {
  TestChannel& ch = open_channel();
  hold_incoming(ch);
  host.send(std::vector<uint8_t>{1}, true);
  run();
  ASSERT_EQ(held.size(), 1u);
  sim.shutdown();
  EXPECT_EQ(violations(53), 1u) << findings();
  EXPECT_EQ(violations(6), 1u) << findings();  // the channel itself leaked too
  EXPECT_EQ(other_errors({53, 6}), 0u) << findings();  // no rule 7: the driver never called Cleanup
}

// Rule 54: VmbChannelPacketComplete twice on the same incoming packet.
TEST_F(VerifierRulesTest, Rule54_DoubleCompletion) {
  TestChannel& ch = open_channel();
  ch.on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  host.send(std::vector<uint8_t>{1}, true);
  run();
  EXPECT_EQ(host.completions().size(), 1u);  // the host sees one completion
  EXPECT_EQ(violations(54), 1u) << findings();
  EXPECT_EQ(other_errors({54}), 0u) << findings();
}

// Rule 55: VmbChannelPacketDeferToPassive after ProcessPacket returned (not inline).
TEST_F(VerifierRulesTest, Rule55_DeferAfterProcessPacketReturned) {
  TestChannel& ch = open_channel();
  hold_incoming(ch);
  host.send(std::vector<uint8_t>{1}, true);
  run();
  ASSERT_EQ(held.size(), 1u);
  kmcl.VmbChannelPacketDeferToPassive(held[0]);
  run();
  EXPECT_EQ(ch.incoming.size(), 1u);  // refused: no redelivery
  kmcl.VmbChannelPacketComplete(held[0], nullptr, 0);  // still the driver's to complete
  run();
  EXPECT_EQ(host.completions().size(), 1u);
  EXPECT_EQ(violations(55), 1u) << findings();
  EXPECT_EQ(other_errors({55}), 0u) << findings();
}

// Rule 56: VmbChannelPacketFail on a held packet, outside its ProcessPacket.
TEST_F(VerifierRulesTest, Rule56_FailOutsideProcessPacket) {
  TestChannel& ch = open_channel();
  hold_incoming(ch);
  host.send(std::vector<uint8_t>{1}, true);
  run();
  ASSERT_EQ(held.size(), 1u);
  kmcl.VmbChannelPacketFail(held[0]);
  EXPECT_FALSE(shim::channel(ch.channel)->incoming_queue_failed());  // refused
  kmcl.VmbChannelPacketComplete(held[0], nullptr, 0);
  run();
  EXPECT_EQ(host.completions().size(), 1u);
  EXPECT_EQ(violations(56), 1u) << findings();
  EXPECT_EQ(other_errors({56}), 0u) << findings();
}

// Rule 61: a blocking synchronous request from ProcessPacket delivered at DISPATCH_LEVEL.
TEST_F(VerifierRulesTest, Rule61_BlockingRequestFromDispatchReceive) {
  TestChannel& ch = open_channel();
  NTSTATUS result = STATUS_PENDING;
  ch.on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    uint8_t request[8] = {};
    result = kmcl.VmbChannelSendSynchronousRequest(ch.channel, request, sizeof(request), nullptr, kWait, nullptr,
                                                   nullptr, nullptr);
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  host.send(std::vector<uint8_t>{1}, true);
  run();
  ASSERT_EQ(ch.incoming.size(), 1u);
  ASSERT_EQ(ch.incoming[0].irql, Irql::Dispatch);
  EXPECT_EQ(result, STATUS_INVALID_DEVICE_STATE);
  EXPECT_TRUE(host.inbox().empty());
  EXPECT_EQ(violations(61), 1u) << findings();
  EXPECT_EQ(other_errors({61}), 0u) << findings();  // in particular not also rule 18
}

// Rule 62 (simulator self-check): with a transaction quota of 2 and six host packets, never
// more than two are outstanding, and each completion lets exactly one more in.
TEST_F(VerifierRulesTest, Rule62_SelfCheckQuietWithQuota) {
  TestChannel& ch = open_channel();
  kmcl.VmbChannelSetTransactionQuota(ch.channel, 2);
  size_t max_outstanding = 0;
  ch.on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    held.push_back(p);
    max_outstanding = std::max(max_outstanding, shim::channel(ch.channel)->outstanding_incoming());
  };
  for (uint8_t i = 0; i < 6; ++i) host.send(std::vector<uint8_t>{i}, true);
  run();
  EXPECT_EQ(ch.incoming.size(), 2u);
  for (size_t completed = 1; completed <= 6; ++completed) {
    ASSERT_FALSE(held.empty());
    VMBPACKETCOMPLETION p = held.front();
    held.erase(held.begin());
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
    run();
    EXPECT_EQ(ch.incoming.size(), std::min<size_t>(2 + completed, 6));
  }
  EXPECT_EQ(max_outstanding, 2u);
  EXPECT_EQ(host.completions().size(), 6u);
  for (uint8_t i = 0; i < 6; ++i) EXPECT_EQ(ch.incoming[i].bytes[0], i);  // in order
  EXPECT_EQ(violations(62), 0u) << findings();
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

// Rule 63 (simulator self-check): a PASSIVE-configured channel gets every packet at PASSIVE,
// and a packet deferred at DISPATCH comes back at PASSIVE.
TEST_F(VerifierRulesTest, Rule63_SelfCheckQuietWithPassiveDelivery) {
  TestChannel& ch = open_channel();
  kmcl.VmbChannelSetIncomingProcessingAtPassive(ch.channel, TRUE);
  for (uint8_t i = 0; i < 4; ++i) host.send(std::vector<uint8_t>{i}, i % 2 == 0);
  run();
  ASSERT_EQ(ch.incoming.size(), 4u);
  for (const IncomingRecord& r : ch.incoming) EXPECT_EQ(r.irql, Irql::Passive);
  EXPECT_EQ(violations(63), 0u) << findings();
  kmcl.VmbChannelSetIncomingProcessingAtPassive(ch.channel, FALSE);
  ch.on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    if (sim.irql() == Irql::Dispatch)
      kmcl.VmbChannelPacketDeferToPassive(p);
    else
      kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  host.send(std::vector<uint8_t>{9}, true);
  run();
  ASSERT_EQ(ch.incoming.size(), 6u);
  EXPECT_EQ(ch.incoming[4].irql, Irql::Dispatch);
  EXPECT_EQ(ch.incoming[5].irql, Irql::Passive);
  EXPECT_EQ(host.completions().size(), 3u);
  EXPECT_EQ(violations(63), 0u) << findings();
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

// ---- Fail-fast mode -------------------------------------------------------------------------

// In fail-fast mode a warning (rule 52) passes, and the first Error (a double free, rule 40)
// prints the report and aborts.
TEST_F(VerifierRulesDeathTest, FailFastAbortsOnFirstError) {
  TestChannel& ch = allocate_channel();
  VMBPACKET queued = kmcl.VmbPacketAllocate(ch.channel);
  VMBPACKET freed = kmcl.VmbPacketAllocate(ch.channel);
  ASSERT_NE(queued, nullptr);
  ASSERT_NE(freed, nullptr);
  kmcl.VmbPacketFree(freed);
  EXPECT_DEATH(
      {
        sim.verifier().set_mode(VerifierMode::FailFast);
        send(queued, {1});      // rule 52, a warning: no abort
        kmcl.VmbPacketFree(freed);  // rule 40: abort
      },
      "fail-fast\\): KMCL-R40");
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();  // all of that happened in the child
}

}  // namespace
}  // namespace vmbsim::testing
