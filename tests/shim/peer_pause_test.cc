// A peer that pauses its processing (Endpoint::set_paused, kmcl-api.md: either side may pause
// or resume locally): nothing crosses the channel either way while it is paused, and what it
// sent or completed meanwhile reaches the driver, in order, when it resumes.
#include <wdm.h>

#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

TEST_F(KmclTest, APausedPeerReadsNothingAndHoldsItsWritesInOrder) {
  TestChannel& ch = open_channel();
  host.set_paused(true);
  EXPECT_TRUE(host.paused());
  VMBPACKET request = kmcl.VmbPacketAllocate(ch.channel);
  kmcl.VmbPacketSetCompletionRoutine(request, TestChannel::completion_routine);
  ASSERT_EQ(send(request, {1, 2, 3}), STATUS_SUCCESS);
  uint64_t first = host.send(std::vector<uint8_t>{0xa1}, true);
  uint64_t second = host.send(std::vector<uint8_t>{0xa2}, false);
  EXPECT_NE(first, 0u);  // transaction ids are given at once, while the packet is held
  sim.run_for(10'000'000);
  EXPECT_TRUE(host.inbox().empty());  // the driver's request stays in its ring
  EXPECT_TRUE(ch.incoming.empty());   // the peer's packets are held
  EXPECT_EQ(host.queued_writes(), 2u);

  host.set_paused(false);
  run();
  ASSERT_EQ(host.inbox().size(), 1u);
  ASSERT_EQ(ch.incoming.size(), 2u);
  EXPECT_EQ(ch.incoming[0].bytes[0], 0xa1);
  EXPECT_EQ(ch.incoming[1].bytes[0], 0xa2);
  ASSERT_EQ(host.completions().size(), 1u);  // the driver completed `first` once it arrived
  EXPECT_EQ(host.take_completion().transaction_id, first);
  (void)second;

  // A completion issued while paused reaches the driver's routine only after the resume.
  HostPacket hp = host.take_packet();
  host.set_paused(true);
  host.complete(hp.transaction_id, {9, 9});
  run();
  EXPECT_TRUE(ch.completions.empty());
  host.set_paused(false);
  run();
  ASSERT_EQ(ch.completions.size(), 1u);
  EXPECT_EQ(ch.completions[0].status, STATUS_SUCCESS);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, ResumingWithAFullRingWritesTheRestAsSpaceFrees) {
  // More held packets than the driver's ring holds: the resume writes what fits and the rest
  // follows as the driver reads, still in order.
  ChannelConfig config;
  config.ring_pages = 2;
  TestChannel& ch = open_channel(config);
  host.set_paused(true);
  for (uint8_t i = 0; i < 8; ++i) host.send(std::vector<uint8_t>(2000, i), false);
  run();
  EXPECT_TRUE(ch.incoming.empty());
  host.set_paused(false);
  run();
  ASSERT_EQ(ch.incoming.size(), 8u);
  for (uint8_t i = 0; i < 8; ++i) EXPECT_EQ(ch.incoming[i].bytes[0], i);
  EXPECT_EQ(host.queued_writes(), 0u);
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(KmclTest, APauseOutlivesACloseAndWhatWasHeldIsDropped) {
  TestChannel& ch = open_channel();
  host.set_paused(true);
  host.send(std::vector<uint8_t>{1}, true);
  host.close();
  run();
  EXPECT_EQ(ch.events.back(), "Closed");
  EXPECT_EQ(host.queued_writes(), 0u);
  EXPECT_TRUE(host.paused());
  ASSERT_EQ(kmcl.VmbChannelEnable(ch.channel), STATUS_SUCCESS);
  run();
  EXPECT_EQ(ch.events.back(), "PostStarted");
  EXPECT_TRUE(ch.incoming.empty());  // the packet held for the old connection never arrives
  host.set_paused(false);
  run();
  EXPECT_TRUE(ch.incoming.empty());
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

}  // namespace
}  // namespace vmbsim::testing
