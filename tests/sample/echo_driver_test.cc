// The sample C driver (examples/echo_driver) end to end against its host model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "echo_driver.h"
#include "echo_host.h"
#include "sim/core/simulation.h"
#include "vmbsim/shim.h"

namespace {

class EchoDriverTest : public ::testing::Test {
 protected:
  void start(echo::HostOptions options = {}) {
    vmbsim::OfferSpec offer;
    offer.name = "echo";
    vmbsim::Guid::parse("5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11", offer.interface_type);
    device = &sim.offer(offer);
    host = std::make_unique<echo::EchoHost>(device->host(), options);
    ASSERT_EQ(EchoDeviceAdd(vmbsim::shim::wdf_device(*device), &ctx), STATUS_SUCCESS);
    sim.run_until_idle();
  }
  void send_requests(ULONG count, ULONG length) {
    std::vector<uint8_t> data(ECHO_MAX_DATA, 0x3c);
    for (ULONG i = 0; i < count; ++i) ASSERT_EQ(EchoSendRequest(&ctx, data.data(), length), STATUS_SUCCESS);
  }
  void remove_and_check_clean() {
    EchoDeviceRemove(&ctx);
    sim.run_until_idle();
    sim.shutdown();
    EXPECT_TRUE(sim.verifier().clean()) << sim.verifier().report();
    EXPECT_TRUE(sim.verifier().findings().empty()) << sim.verifier().report();
  }

  vmbsim::Simulation sim;
  vmbsim::Device* device = nullptr;
  std::unique_ptr<echo::EchoHost> host;
  ECHO_DEVICE_CONTEXT ctx{};
};

TEST_F(EchoDriverTest, NegotiatesTheHighestVersionInPostStarted) {
  start();
  EXPECT_EQ(ctx.Stats.Opened, 1u);
  EXPECT_EQ(ctx.Stats.PostStarted, 1u);
  EXPECT_EQ(ctx.Stats.NegotiatedVersion, ECHO_PROTOCOL_VERSION_2);
  EXPECT_EQ(host->versions_answered, 1u);
  remove_and_check_clean();
}

TEST_F(EchoDriverTest, FallsBackToAnOlderVersion) {
  echo::HostOptions o;
  o.max_version = ECHO_PROTOCOL_VERSION_1;
  start(o);
  EXPECT_EQ(ctx.Stats.NegotiatedVersion, ECHO_PROTOCOL_VERSION_1);
  EXPECT_EQ(host->versions_answered, 2u);
  remove_and_check_clean();
}

TEST_F(EchoDriverTest, RequestsCompleteWithMatchingEchoes) {
  start();
  send_requests(100, 200);
  sim.run_until_idle();
  EXPECT_EQ(ctx.Stats.ResponsesOk, 100u);
  EXPECT_EQ(ctx.Stats.ResponsesBad, 0u);
  EXPECT_EQ(ctx.Stats.OutOfOrder, 0u);
  remove_and_check_clean();
}

TEST_F(EchoDriverTest, HostInitiatedPacketsAreCompleted) {
  start();
  for (uint32_t i = 0; i < 6; ++i) host->send_notify(i, i, i % 3 == 0);
  sim.run_until_idle();
  EXPECT_EQ(ctx.Stats.NotificationsSeen, 6u);
  EXPECT_EQ(host->acks_received, 2u);
  EXPECT_GE(ctx.Stats.ProcessingBatches, 1u);
  remove_and_check_clean();
}

TEST_F(EchoDriverTest, MalformedHostPacketIsCompletedWithAnError) {
  start();
  uint8_t junk[3] = {1, 2, 3};
  device->host().send(junk, sizeof(junk), true);
  sim.run_until_idle();
  EXPECT_EQ(ctx.Stats.BadIncoming, 1u);
  remove_and_check_clean();
}

TEST_F(EchoDriverTest, BackPressureQueuesThenDrainsInOrder) {
  start();
  device->host().set_draining(false);
  send_requests(60, 3000);
  sim.run_until_idle();
  EXPECT_GT(device->host().guest()->queued_sends(), 0u);
  EXPECT_EQ(ctx.Stats.ResponsesOk, 0u);
  device->host().set_draining(true);
  sim.run_until_idle();
  EXPECT_EQ(ctx.Stats.ResponsesOk, 60u);
  EXPECT_EQ(ctx.Stats.OutOfOrder, 0u);
  EXPECT_TRUE(std::is_sorted(host->sequences_seen.begin(), host->sequences_seen.end()));
  EXPECT_EQ(host->sequences_seen.size(), 60u);
  remove_and_check_clean();
}

TEST_F(EchoDriverTest, OutOfOrderCompletionsAreMatchedToTheirPackets) {
  echo::HostOptions o;
  o.hold_echo_requests = true;
  start(o);
  send_requests(10, 64);
  sim.run_until_idle();
  EXPECT_EQ(host->held(), 10u);
  host->release_held(/*reverse=*/true);
  sim.run_until_idle();
  EXPECT_EQ(ctx.Stats.ResponsesOk, 10u);
  EXPECT_EQ(ctx.Stats.ResponsesBad, 0u);
  EXPECT_GT(ctx.Stats.OutOfOrder, 0u);
  remove_and_check_clean();
}

TEST_F(EchoDriverTest, DelayedResponsesArriveInVirtualTime) {
  echo::HostOptions o;
  o.response_delay_ns = 250'000;
  start(o);
  vmbsim::VirtualTime t0 = sim.now();
  send_requests(5, 16);
  sim.run_until_idle();
  EXPECT_EQ(ctx.Stats.ResponsesOk, 5u);
  EXPECT_EQ(sim.now() - t0, 250'000);
  remove_and_check_clean();
}

TEST_F(EchoDriverTest, RescindInTheMiddleOfTrafficCancelsAndCleansUp) {
  echo::HostOptions o;
  o.hold_echo_requests = true;
  start(o);
  send_requests(20, 500);
  sim.run_until_idle();
  host->release_held();  // the first 20 complete...
  send_requests(15, 500);  // ...and 15 more are in flight when the host rescinds
  sim.run_until_idle();
  ASSERT_EQ(host->held(), 15u);
  device->host().rescind();
  sim.run_until_idle();
  EXPECT_EQ(ctx.Stats.Suspended, 1u);
  EXPECT_EQ(ctx.Stats.Closed, 1u);
  EXPECT_EQ(ctx.Stats.ResponsesOk, 20u);
  EXPECT_EQ(ctx.Stats.Cancelled, 15u);  // every in-flight transaction ends exactly once
  EXPECT_FALSE(ctx.ChannelOpen);
  remove_and_check_clean();  // Disable on the closed channel is harmless; Cleanup succeeds
}

TEST_F(EchoDriverTest, HostThatNeverAnswersTimesOutNegotiationInVirtualTime) {
  vmbsim::OfferSpec offer;
  offer.name = "silent";
  device = &sim.offer(offer);  // no host model: requests collect in the inbox
  ASSERT_EQ(EchoDeviceAdd(vmbsim::shim::wdf_device(*device), &ctx), STATUS_SUCCESS);
  sim.run_until_idle();
  EXPECT_EQ(ctx.Stats.NegotiationStatus, STATUS_CANCELLED);
  EXPECT_EQ(ctx.Stats.NegotiatedVersion, 0u);
  EXPECT_EQ(sim.now(), 1'000'000'000);  // the driver's one-second timeout, in virtual time
  remove_and_check_clean();
}

TEST_F(EchoDriverTest, HostileCompletionForUnknownTransactionIsDroppedAndReported) {
  start();
  device->host().complete(0xdeadbeef00000042ull, std::vector<uint8_t>(16, 0));
  sim.run_until_idle();
  EXPECT_EQ(sim.verifier().count(vmbsim::Diagnostic::PeerError), 1u);
  send_requests(3, 8);
  sim.run_until_idle();
  EXPECT_EQ(ctx.Stats.ResponsesOk, 3u);  // the channel keeps working
  EchoDeviceRemove(&ctx);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().clean()) << sim.verifier().report();
}

TEST_F(EchoDriverTest, CorruptRingFromTheHostIsReportedNotFollowed) {
  start();
  // The host sends, then scribbles a misaligned write index into the host-to-guest control
  // page before the guest gets to read.
  device->host().send(std::vector<uint8_t>(8, 0), false);
  vmbsim::ring::RingMemory ring = device->host().host_to_guest_ring();
  uint32_t bad = 12345;
  std::memcpy(ring.control, &bad, sizeof(bad));
  sim.run_until_idle();
  EXPECT_EQ(sim.verifier().count(vmbsim::Diagnostic::PeerError), 1u);
  EXPECT_EQ(ctx.Stats.NotificationsSeen, 0u);
  EchoDeviceRemove(&ctx);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().clean()) << sim.verifier().report();
}

TEST(EchoDriverDeterminism, TheSameRunTwiceGivesTheSameTrace) {
  auto run = [] {
    vmbsim::Simulation sim;
    vmbsim::OfferSpec offer;
    vmbsim::Device& d = sim.offer(offer);
    echo::HostOptions o;
    o.response_delay_ns = 1000;
    echo::EchoHost host(d.host(), o);
    ECHO_DEVICE_CONTEXT ctx;
    EchoDeviceAdd(vmbsim::shim::wdf_device(d), &ctx);
    sim.run_until_idle();
    std::vector<uint8_t> data(100, 1);
    for (int i = 0; i < 50; ++i) EchoSendRequest(&ctx, data.data(), static_cast<ULONG>(i));
    for (uint32_t i = 0; i < 5; ++i) host.send_notify(i, i, true);
    sim.run_until_idle();
    d.host().rescind();
    sim.run_until_idle();
    EchoDeviceRemove(&ctx);
    std::vector<std::string> trace = sim.trace();
    trace.push_back(std::to_string(sim.now()) + " " + std::to_string(sim.scheduler().events_run()) + " " +
                    std::to_string(ctx.Stats.ResponsesOk) + " " + std::to_string(host.acks_received));
    return trace;
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
