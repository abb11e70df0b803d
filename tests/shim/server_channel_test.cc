// The driver under test as a server (VSP): Enable offers, a simulated guest opens over rings
// it donates, the server starts explicitly, traffic flows both ways, the guest closes and
// reopens (kmcl-api.md §1.2, §1.4.2).
#include <memory>

#include "sim/core/guest_endpoint.h"
#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

using Events = std::vector<std::string>;

class ServerChannelTest : public KmclTest {
 protected:
  TestChannel& offer() {
    ChannelConfig cfg;
    cfg.server = true;
    TestChannel& ch = open_channel(cfg);
    server = shim::channel(ch.channel);
    return ch;
  }
  Channel* server = nullptr;
  std::unique_ptr<GuestEndpoint> guest = std::make_unique<GuestEndpoint>(sim);
};

TEST_F(ServerChannelTest, EnableOffersAndTheServerStartsItself) {
  TestChannel& ch = offer();
  EXPECT_TRUE(ch.events.empty());
  EXPECT_TRUE(server->offered());
  ASSERT_EQ(guest->open(*server), STATUS_SUCCESS);
  run();
  EXPECT_EQ(ch.events, (Events{"Opened"}));  // paused until VmbChannelStart
  kmcl.VmbChannelStart(ch.channel);
  run();
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted"}));
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(ServerChannelTest, StartBeforeTheGuestOpens) {
  TestChannel& ch = offer();
  kmcl.VmbChannelStart(ch.channel);
  ASSERT_EQ(guest->open(*server), STATUS_SUCCESS);
  run();
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted"}));
}

TEST_F(ServerChannelTest, GuestRequestsAreProcessedAndCompleted) {
  TestChannel& ch = offer();
  kmcl.VmbChannelStart(ch.channel);
  ASSERT_EQ(guest->open(*server), STATUS_SUCCESS);
  run();
  ch.on_packet = [this](VMBPACKETCOMPLETION p, const uint8_t* b, uint32_t n) {
    std::vector<uint8_t> reply(b, b + n);
    reply[0] = static_cast<uint8_t>(reply[0] + 1);
    kmcl.VmbChannelPacketComplete(p, reply.data(), static_cast<UINT32>(reply.size()));
  };
  uint64_t txid = guest->send(std::vector<uint8_t>{41, 0, 0, 0, 0, 0, 0, 0}, true);
  run();
  ASSERT_EQ(ch.incoming.size(), 1u);
  ASSERT_EQ(guest->completions().size(), 1u);
  GuestCompletion c = guest->take_completion();
  EXPECT_EQ(c.transaction_id, txid);
  EXPECT_EQ(c.payload[0], 42);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(ServerChannelTest, ServerPacketsAreCompletedByTheGuest) {
  TestChannel& ch = offer();
  kmcl.VmbChannelStart(ch.channel);
  ASSERT_EQ(guest->open(*server), STATUS_SUCCESS);
  run();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
  ASSERT_EQ(send(p, {7, 7}), STATUS_SUCCESS);
  run();
  ASSERT_EQ(guest->inbox().size(), 1u);
  HostPacket hp = guest->take_packet();
  EXPECT_TRUE(hp.completion_requested());
  guest->complete(hp.transaction_id, std::vector<uint8_t>{9});
  run();
  ASSERT_EQ(ch.completions.size(), 1u);
  EXPECT_EQ(ch.completions[0].status, STATUS_SUCCESS);
  EXPECT_EQ(ch.completions[0].bytes[0], 9);
}

TEST_F(ServerChannelTest, GuestCloseSuspendsCancelsAndTheOfferStandsForAReopen) {
  TestChannel& ch = offer();
  kmcl.VmbChannelStart(ch.channel);
  ASSERT_EQ(guest->open(*server), STATUS_SUCCESS);
  run();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
  ASSERT_EQ(send(p, {1}), STATUS_SUCCESS);  // the guest will go away without completing it
  run();
  guest->close();
  run();
  EXPECT_EQ(ch.events, (Events{"Opened", "Started", "PostStarted", "Suspend", "Closed"}));
  ASSERT_EQ(ch.completions.size(), 1u);
  EXPECT_EQ(ch.completions[0].status, STATUS_CANCELLED);
  EXPECT_FALSE(guest->closed_by_server());
  EXPECT_TRUE(server->offered());
  ASSERT_EQ(guest->open(*server), STATUS_SUCCESS);
  run();
  EXPECT_EQ(ch.events.back(), "PostStarted");  // reopened and started again
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(ServerChannelTest, DisableWithdrawsTheOffer) {
  TestChannel& ch = offer();
  kmcl.VmbChannelStart(ch.channel);
  ASSERT_EQ(guest->open(*server), STATUS_SUCCESS);
  run();
  kmcl.VmbChannelDisable(ch.channel);
  EXPECT_EQ(ch.events.back(), "Closed");
  EXPECT_TRUE(guest->closed_by_server());
  EXPECT_FALSE(guest->is_open());
  EXPECT_EQ(guest->open(*server), STATUS_INVALID_DEVICE_STATE);
  kmcl.VmbChannelCleanup(ch.channel);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(ServerChannelTest, Rule51_ServerSynchronousRequestMustNotBlock) {
  TestChannel& ch = offer();
  kmcl.VmbChannelStart(ch.channel);
  ASSERT_EQ(guest->open(*server), STATUS_SUCCESS);
  run();
  uint8_t req[8] = {};
  UINT32 size = 0;
  EXPECT_EQ(kmcl.VmbChannelSendSynchronousRequest(ch.channel, req, sizeof(req), nullptr,
                                                  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, nullptr, &size, nullptr),
            STATUS_INVALID_PARAMETER);
  EXPECT_EQ(violations(51), 1u) << findings();
  LARGE_INTEGER zero;
  zero.QuadPart = 0;
  EXPECT_EQ(kmcl.VmbChannelSendSynchronousRequest(ch.channel, req, sizeof(req), nullptr, 0, nullptr, &size, &zero),
            STATUS_SUCCESS);
  run();
  EXPECT_EQ(guest->inbox().size(), 1u);
}

TEST_F(ServerChannelTest, Rule16_EnabledButNeverStarted) {
  TestChannel& ch = offer();
  kmcl.VmbChannelDisable(ch.channel);
  EXPECT_EQ(violations(16), 1u) << findings();
  EXPECT_TRUE(sim.verifier().clean()) << findings();  // a warning
}

TEST_F(ServerChannelTest, HostileGuestCompletionsAreDroppedAndReported) {
  TestChannel& ch = offer();
  kmcl.VmbChannelStart(ch.channel);
  ASSERT_EQ(guest->open(*server), STATUS_SUCCESS);
  run();
  VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
  kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
  ASSERT_EQ(send(p, {5}), STATUS_SUCCESS);
  run();
  HostPacket hp = guest->take_packet();
  guest->complete(0x4242, std::vector<uint8_t>{1});  // a transaction that never existed
  guest->complete(hp.transaction_id, std::vector<uint8_t>{2});
  guest->complete(hp.transaction_id, std::vector<uint8_t>{3});  // and a duplicate
  run();
  ASSERT_EQ(ch.completions.size(), 1u);  // the real one, exactly once
  EXPECT_EQ(ch.completions[0].bytes[0], 2);
  EXPECT_EQ(sim.verifier().count(Diagnostic::PeerError), 2u) << findings();
  EXPECT_EQ(sim.verifier().findings().size(), 2u) << findings();  // nothing against the driver
  kmcl.VmbChannelDisable(ch.channel);
  kmcl.VmbChannelCleanup(ch.channel);
}

TEST_F(ServerChannelTest, GuestEndpointDestroyedWhileConnected) {
  TestChannel& ch = offer();
  kmcl.VmbChannelStart(ch.channel);
  ASSERT_EQ(guest->open(*server), STATUS_SUCCESS);
  run();
  guest->send(std::vector<uint8_t>{1}, true);
  guest.reset();  // the server takes over the rings and closes as if the guest had closed
  run();
  EXPECT_EQ(ch.events.back(), "Closed");
  EXPECT_TRUE(server->offered());
}

}  // namespace
}  // namespace vmbsim::testing
