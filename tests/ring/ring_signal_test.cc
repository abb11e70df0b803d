// Signalling: writer empty->non-empty (§3.1) and reader pending_send_sz (§3.2).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "sim/ring/ring_layout.h"
#include "sim/ring/ring_memory.h"
#include "sim/ring/ring_reader.h"
#include "sim/ring/ring_writer.h"

namespace vmbsim::ring {
namespace {

uint32_t control_word(const RingMemory& m, uint32_t offset) {
  uint32_t v;
  std::memcpy(&v, m.control + offset, sizeof v);
  return v;
}

void set_control_word(const RingMemory& m, uint32_t offset, uint32_t v) {
  std::memcpy(m.control + offset, &v, sizeof v);
}

struct Ring {
  explicit Ring(uint32_t pages)
      : mem(pages), view((initialize_ring(mem.view()), mem.view())), writer(view), reader(view) {}
  FlatRingMemory mem;
  RingMemory view;
  RingWriter writer;
  RingReader reader;
  ReadPacket packet;
  std::vector<uint8_t> payload;

  // Writes an in-band packet occupying `total` ring bytes (descriptor and trailer included).
  WriteResult write_total(uint32_t total) {
    payload.assign(total - 24, 0x3C);
    OutgoingPacket p;
    p.payload = ConstBytes{payload.data(), static_cast<uint32_t>(payload.size())};
    return writer.write(p);
  }
  WriteStatus write_total_batched(uint32_t total) {
    payload.assign(total - 24, 0x3C);
    OutgoingPacket p;
    p.payload = ConstBytes{payload.data(), static_cast<uint32_t>(payload.size())};
    return writer.write_batched(p);
  }
  // Reads one packet and commits; returns commit()'s signal decision.
  bool read_one_and_commit() {
    EXPECT_EQ(reader.read(packet), ReadStatus::Packet);
    return reader.commit();
  }
};

TEST(RingSignal, EmptyToNonEmptySignalsOnce) {
  Ring ring(1);
  EXPECT_TRUE(ring.write_total(64).signal);
  EXPECT_FALSE(ring.write_total(64).signal) << "ring was not empty";
  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  ring.reader.commit();
  EXPECT_FALSE(ring.write_total(64).signal) << "one packet is still unread";
  while (ring.reader.read(ring.packet) == ReadStatus::Packet) {
  }
  EXPECT_FALSE(ring.write_total(64).signal) << "drained but not committed: the writer cannot know";
  while (ring.reader.read(ring.packet) == ReadStatus::Packet) {
  }
  ring.reader.commit();
  EXPECT_TRUE(ring.write_total(64).signal) << "empty again";
}

TEST(RingSignal, InterruptMaskSuppressesSignal) {
  Ring ring(1);
  ring.reader.mask_interrupts();
  EXPECT_EQ(control_word(ring.view, kInterruptMaskOffset), 1u);
  const WriteResult r = ring.write_total(64);
  EXPECT_EQ(r.status, WriteStatus::Written);
  EXPECT_FALSE(r.signal);
  // Unmasking finds the packet that arrived silently, so the reader drains instead of sleeping.
  EXPECT_TRUE(ring.reader.unmask_interrupts());
  EXPECT_EQ(control_word(ring.view, kInterruptMaskOffset), 0u);
  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  ring.reader.commit();
  EXPECT_FALSE(ring.reader.unmask_interrupts());
  EXPECT_TRUE(ring.write_total(64).signal);
}

TEST(RingSignal, PeerSetMaskValueIsHonoured) {
  Ring ring(1);
  set_control_word(ring.view, kInterruptMaskOffset, 0x80000000u);  // any non-zero value masks
  EXPECT_FALSE(ring.write_total(64).signal);
}

TEST(RingSignal, BatchPublishesOnceAndSignalsOnce) {
  Ring ring(1);
  ASSERT_EQ(ring.write_total_batched(64), WriteStatus::Written);
  ASSERT_EQ(ring.write_total_batched(128), WriteStatus::Written);
  ASSERT_EQ(ring.write_total_batched(32), WriteStatus::Written);
  EXPECT_EQ(control_word(ring.view, kWriteIndexOffset), 0u) << "nothing published before commit";
  EXPECT_EQ(ring.reader.read(ring.packet), ReadStatus::Empty);
  EXPECT_TRUE(ring.writer.commit());
  EXPECT_EQ(control_word(ring.view, kWriteIndexOffset), 224u);
  EXPECT_FALSE(ring.writer.commit()) << "nothing new to publish";
  for (uint32_t len8 : {7u, 15u, 3u}) {
    ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
    EXPECT_EQ(ring.packet.descriptor.len8, len8);
  }
  EXPECT_EQ(ring.reader.read(ring.packet), ReadStatus::Empty);

  // A batch that lands on a non-empty ring does not signal.
  ASSERT_EQ(ring.write_total_batched(64), WriteStatus::Written);
  EXPECT_FALSE(ring.writer.commit()) << "reader has not published its read_index";
}

TEST(RingSignal, BatchCountsUnpublishedBytesAsUsed) {
  Ring ring(1);
  ASSERT_EQ(ring.write_total_batched(2048), WriteStatus::Written);
  EXPECT_EQ(ring.writer.bytes_free(), 4096u - 2048 - 8);
  EXPECT_EQ(ring.write_total_batched(2048), WriteStatus::Full);
  ASSERT_EQ(ring.write_total_batched(2040), WriteStatus::Written);
  EXPECT_TRUE(ring.writer.commit());
}

// A 1-page ring holds 4088 bytes; request_space floors pending_send_sz at a quarter of that,
// 1022 rounded up to 1024. Three 1024-byte packets leave 1016 free.
constexpr uint32_t kPacket = 1024;

TEST(RingPendingSend, RequestSpaceStoresRoundedMaxOfRequestAndQuarterRing) {
  Ring ring(1);
  EXPECT_TRUE(ring.writer.request_space(10));
  EXPECT_EQ(control_word(ring.view, kPendingSendSizeOffset), 1024u);
  EXPECT_TRUE(ring.writer.request_space(2001));
  EXPECT_EQ(control_word(ring.view, kPendingSendSizeOffset), 2008u);
  ring.writer.clear_pending_send_size();
  EXPECT_EQ(control_word(ring.view, kPendingSendSizeOffset), 0u);
}

TEST(RingPendingSend, RequestLargerThanRingDoesNotSetPending) {
  Ring ring(1);
  EXPECT_FALSE(ring.writer.request_space(4089));
  EXPECT_EQ(control_word(ring.view, kPendingSendSizeOffset), 0u);
  EXPECT_FALSE(ring.writer.request_space(0xFFFFFFFFu));
  EXPECT_EQ(control_word(ring.view, kPendingSendSizeOffset), 0u);
  EXPECT_TRUE(ring.writer.request_space(4088));
  EXPECT_EQ(control_word(ring.view, kPendingSendSizeOffset), 4088u);
  EXPECT_FALSE(ring.writer.is_dead());
}

TEST(RingPendingSend, RequestSpaceRechecksFreeSpace) {
  Ring ring(1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(ring.write_total(kPacket).status, WriteStatus::Written);
  EXPECT_FALSE(ring.writer.request_space(kPacket)) << "1016 bytes free";
  EXPECT_TRUE(ring.writer.request_space(1016));
}

TEST(RingPendingSend, CrossingThresholdSignalsExactlyOnce) {
  Ring ring(1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(ring.write_total(kPacket).status, WriteStatus::Written);
  ASSERT_EQ(ring.write_total(kPacket).status, WriteStatus::Full);
  ASSERT_FALSE(ring.writer.request_space(kPacket));

  int signals = 0;
  std::vector<bool> decisions;
  for (int i = 0; i < 3; ++i) {
    decisions.push_back(ring.read_one_and_commit());
    signals += decisions.back();
  }
  EXPECT_EQ(signals, 1);
  EXPECT_TRUE(decisions[0]) << "1016 -> 2040 free crosses 1024";

  // The woken writer retries, succeeds, and clears its request.
  EXPECT_EQ(ring.write_total(kPacket).status, WriteStatus::Written);
  ring.writer.clear_pending_send_size();
  EXPECT_FALSE(ring.read_one_and_commit());
}

TEST(RingPendingSend, NoSignalWhenSpaceWasAlreadySufficient) {
  Ring ring(1);
  for (int i = 0; i < 2; ++i) ASSERT_EQ(ring.write_total(kPacket).status, WriteStatus::Written);
  EXPECT_TRUE(ring.writer.request_space(kPacket)) << "2040 free already";
  EXPECT_FALSE(ring.read_one_and_commit());
  EXPECT_FALSE(ring.read_one_and_commit());
}

TEST(RingPendingSend, NoSignalWhileStillInsufficientThenSignalOnCrossing) {
  Ring ring(1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(ring.write_total(kPacket).status, WriteStatus::Written);
  ASSERT_FALSE(ring.writer.request_space(3000));
  EXPECT_EQ(control_word(ring.view, kPendingSendSizeOffset), 3000u);
  EXPECT_FALSE(ring.read_one_and_commit()) << "2040 < 3000";
  EXPECT_TRUE(ring.read_one_and_commit()) << "3064 >= 3000";
  EXPECT_FALSE(ring.read_one_and_commit()) << "already above";
}

TEST(RingPendingSend, BatchedReadsMakeOneDecision) {
  Ring ring(1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(ring.write_total(kPacket).status, WriteStatus::Written);
  ASSERT_FALSE(ring.writer.request_space(3000));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_TRUE(ring.reader.commit()) << "1016 -> 4088 in one batch";
  EXPECT_FALSE(ring.reader.commit()) << "nothing consumed since";
}

TEST(RingPendingSend, NoSignalWhenFeatureBitClear) {
  Ring ring(1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(ring.write_total(kPacket).status, WriteStatus::Written);
  ASSERT_FALSE(ring.writer.request_space(kPacket));
  set_control_word(ring.view, kFeatureBitsOffset, 0xFFFFFFFEu);  // every bit but bit 0
  EXPECT_FALSE(ring.read_one_and_commit());
  EXPECT_EQ(control_word(ring.view, kReadIndexOffset), kPacket) << "still published";
}

TEST(RingPendingSend, NoSignalWithoutPendingRequest) {
  Ring ring(1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(ring.write_total(kPacket).status, WriteStatus::Written);
  EXPECT_FALSE(ring.read_one_and_commit());
}

TEST(RingPendingSend, PeerValueIsMaskedToEightBytes) {
  Ring ring(1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(ring.write_total(kPacket).status, WriteStatus::Written);
  // 2047 & ~7 = 2040, exactly the free space after one read: signals only because of the mask.
  set_control_word(ring.view, kPendingSendSizeOffset, 2047);
  EXPECT_TRUE(ring.read_one_and_commit());
}

TEST(RingPendingSend, LowBitsOnlyMeansNoRequest) {
  Ring ring(1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(ring.write_total(kPacket).status, WriteStatus::Written);
  set_control_word(ring.view, kPendingSendSizeOffset, 7);
  EXPECT_FALSE(ring.read_one_and_commit());
}

TEST(RingPendingSend, GarbageLargerThanRingNeverSignals) {
  Ring ring(1);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(ring.write_total(kPacket).status, WriteStatus::Written);
  set_control_word(ring.view, kPendingSendSizeOffset, 0xFFFFFFFFu);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(ring.read_one_and_commit());
  EXPECT_FALSE(ring.reader.is_dead()) << "a bad pending_send_sz is not fatal";
}

}  // namespace
}  // namespace vmbsim::ring
