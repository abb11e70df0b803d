// Writer/reader data path: round trips, padding, trailer, wrap-around, capacity edges.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <random>
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

uint64_t data_u64(const RingMemory& m, uint32_t offset) {
  uint64_t v;
  std::memcpy(&v, m.data + offset, sizeof v);
  return v;
}

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
  return v;
}

OutgoingPacket inband(const std::vector<uint8_t>& payload, uint64_t tid = 0, uint16_t flags = 0) {
  OutgoingPacket p;
  p.type = PacketType::DataInband;
  p.flags = flags;
  p.transaction_id = tid;
  p.payload = ConstBytes{payload.data(), static_cast<uint32_t>(payload.size())};
  return p;
}

std::vector<uint8_t> payload_of(const ReadPacket& p) {
  return std::vector<uint8_t>(p.payload(), p.payload() + p.payload_size());
}

// One initialised ring with a writer and a reader attached.
struct Ring {
  explicit Ring(uint32_t pages, uint32_t max_packet = 0)
      : mem(pages),
        view((initialize_ring(mem.view()), mem.view())),
        writer(view),
        reader(view, max_packet) {}
  FlatRingMemory mem;
  RingMemory view;
  RingWriter writer;
  RingReader reader;
  ReadPacket packet;

  // Moves both indices to `target` (8-aligned) with filler packets that are written and read.
  void move_to(uint32_t target) {
    const uint32_t size = view.data_size;
    for (int guard = 0; writer.write_index() != target; ++guard) {
      ASSERT_LT(guard, 8);
      const uint32_t distance = (target + size - writer.write_index()) % size;
      const uint32_t total = (distance >= 24 && distance <= size - 8) ? distance : size / 2;
      const std::vector<uint8_t> filler(total - 24, 0xCC);
      ASSERT_EQ(writer.write(inband(filler)).status, WriteStatus::Written);
      ASSERT_EQ(reader.read(packet), ReadStatus::Packet);
      reader.commit();
    }
    ASSERT_EQ(reader.read_index(), target);
  }
};

TEST(RingIo, RoundTripPreservesDescriptorAndPayload) {
  Ring ring(2);
  const auto payload = pattern(64, 1);
  const WriteResult wr =
      ring.writer.write(inband(payload, 0x1122334455667788ull, kFlagCompletionRequested));
  ASSERT_EQ(wr.status, WriteStatus::Written);
  EXPECT_EQ(ring.writer.write_index(), 16u + 64u + 8u);
  EXPECT_EQ(control_word(ring.view, kWriteIndexOffset), 88u);

  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  const ReadPacket& p = ring.packet;
  EXPECT_EQ(p.type(), PacketType::DataInband);
  EXPECT_EQ(p.descriptor.offset8, 2);
  EXPECT_EQ(p.descriptor.len8, 10);
  EXPECT_EQ(p.descriptor.flags, kFlagCompletionRequested);
  EXPECT_EQ(p.descriptor.transaction_id, 0x1122334455667788ull);
  EXPECT_EQ(p.bytes.size(), 80u);
  EXPECT_EQ(p.header_ext_size(), 0u);
  EXPECT_EQ(payload_of(p), payload);
  // The descriptor is also the first 16 bytes of the copy.
  PacketDescriptor in_bytes;
  std::memcpy(&in_bytes, p.bytes.data(), sizeof in_bytes);
  EXPECT_EQ(in_bytes.transaction_id, 0x1122334455667788ull);
  EXPECT_EQ(in_bytes.len8, 10);

  EXPECT_EQ(ring.reader.read(ring.packet), ReadStatus::Empty);
  EXPECT_EQ(ring.reader.read_index(), 88u);
  EXPECT_EQ(control_word(ring.view, kReadIndexOffset), 0u)
      << "read_index is published by commit only";
  ring.reader.commit();
  EXPECT_EQ(control_word(ring.view, kReadIndexOffset), 88u);
}

TEST(RingIo, CompletionAndHeaderExtensionRoundTrip) {
  Ring ring(1);
  const auto ext = pattern(24, 9);
  const auto body = pattern(40, 3);
  OutgoingPacket gpa;
  gpa.type = PacketType::DataUsingGpaDirect;
  gpa.flags = kFlagCompletionRequested;
  gpa.transaction_id = 7;
  gpa.header_ext = ConstBytes{ext.data(), 24};
  gpa.payload = ConstBytes{body.data(), 40};
  ASSERT_EQ(ring.writer.write(gpa).status, WriteStatus::Written);

  OutgoingPacket comp;
  comp.type = PacketType::Completion;
  comp.transaction_id = 7;
  ASSERT_EQ(ring.writer.write(comp).status, WriteStatus::Written);

  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(ring.packet.type(), PacketType::DataUsingGpaDirect);
  EXPECT_EQ(ring.packet.descriptor.offset8, 5);  // (16 + 24) / 8
  EXPECT_EQ(ring.packet.descriptor.len8, 10);    // (16 + 24 + 40) / 8
  EXPECT_EQ(ring.packet.header_ext_size(), 24u);
  EXPECT_EQ(std::vector<uint8_t>(ring.packet.header_ext(), ring.packet.header_ext() + 24), ext);
  EXPECT_EQ(payload_of(ring.packet), body);

  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(ring.packet.type(), PacketType::Completion);
  EXPECT_EQ(ring.packet.descriptor.transaction_id, 7u);
  EXPECT_EQ(ring.packet.descriptor.len8, 2);
  EXPECT_EQ(ring.packet.payload_size(), 0u);
  EXPECT_EQ(ring.packet.bytes.size(), 16u);
}

// header_ext is specified as a multiple of 8; a short one is zero-padded so that offset8 still
// lands on the payload.
TEST(RingIo, UnalignedHeaderExtensionIsZeroPadded) {
  Ring ring(1);
  std::memset(ring.view.data, 0xAA, ring.view.data_size);
  const auto ext = pattern(5, 0x10);
  const auto body = pattern(8, 0x20);
  OutgoingPacket p;
  p.header_ext = ConstBytes{ext.data(), 5};
  p.payload = ConstBytes{body.data(), 8};
  ASSERT_EQ(ring.writer.write(p).status, WriteStatus::Written);
  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(ring.packet.descriptor.offset8, 3);
  EXPECT_EQ(ring.packet.header_ext_size(), 8u);
  const uint8_t* h = ring.packet.header_ext();
  EXPECT_EQ(std::vector<uint8_t>(h, h + 5), ext);
  EXPECT_EQ(std::vector<uint8_t>(h + 5, h + 8), std::vector<uint8_t>(3, 0));
  EXPECT_EQ(payload_of(ring.packet), body);
}

TEST(RingIo, PayloadIsZeroPaddedToEightBytes) {
  Ring ring(1);
  std::memset(ring.view.data, 0xAA, ring.view.data_size);  // stale bytes that padding must hide
  const auto payload = pattern(5, 0x40);
  ASSERT_EQ(ring.writer.write(inband(payload)).status, WriteStatus::Written);
  EXPECT_EQ(ring.writer.write_index(), 16u + 8u + 8u);
  for (uint32_t i = 16 + 5; i < 24; ++i) EXPECT_EQ(ring.view.data[i], 0) << "pad byte " << i;

  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(ring.packet.descriptor.len8, 3);
  EXPECT_EQ(ring.packet.payload_size(), 8u);
  const auto got = payload_of(ring.packet);
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.begin() + 5), payload);
  EXPECT_EQ(std::vector<uint8_t>(got.begin() + 5, got.end()), std::vector<uint8_t>(3, 0));
}

TEST(RingIo, TrailerHoldsStartIndexInHighWord) {
  Ring ring(1);
  const auto a = pattern(40, 1);
  const auto b = pattern(13, 2);
  ASSERT_EQ(ring.writer.write(inband(a)).status, WriteStatus::Written);  // [0, 56) + trailer
  ASSERT_EQ(ring.writer.write(inband(b)).status, WriteStatus::Written);  // starts at 64
  EXPECT_EQ(data_u64(ring.view, 56), 0ull);  // first packet started at 0
  EXPECT_EQ(data_u64(ring.view, 64 + 16 + 16), uint64_t{64} << 32);
  EXPECT_EQ(ring.writer.write_index(), 64u + 16 + 16 + 8);
}

TEST(RingIo, ReadCopyIsNotAffectedByLaterRingChanges) {
  Ring ring(1);
  const auto payload = pattern(100, 5);
  ASSERT_EQ(ring.writer.write(inband(payload, 42)).status, WriteStatus::Written);
  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  const std::vector<uint8_t> copy = ring.packet.bytes;
  // A hostile writer rewrites the packet it just published, descriptor included.
  std::memset(ring.view.data, 0xEE, 256);
  EXPECT_EQ(ring.packet.bytes, copy);
  EXPECT_EQ(ring.packet.descriptor.len8, (16 + 104) / 8);
  EXPECT_EQ(ring.packet.descriptor.transaction_id, 42u);
  EXPECT_EQ(payload_of(ring.packet).size(), 104u);
  EXPECT_EQ(std::vector<uint8_t>(ring.packet.payload(), ring.packet.payload() + 100), payload);
}

TEST(RingIo, ReusedReadPacketDoesNotReallocate) {
  Ring ring(4);
  const auto big = pattern(2000, 1);
  const auto small = pattern(10, 2);
  ASSERT_EQ(ring.writer.write(inband(big)).status, WriteStatus::Written);
  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  const uint8_t* buffer = ring.packet.bytes.data();
  const size_t capacity = ring.packet.bytes.capacity();
  for (int i = 0; i < 50; ++i) {
    const auto& p = (i % 2) ? big : small;
    ASSERT_EQ(ring.writer.write(inband(p)).status, WriteStatus::Written);
    ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
    ring.reader.commit();
    ASSERT_EQ(ring.packet.bytes.data(), buffer) << i;
    ASSERT_EQ(ring.packet.bytes.capacity(), capacity) << i;
    ASSERT_EQ(ring.packet.bytes.size(), 16 + ((p.size() + 7) & ~size_t{7})) << i;
    ASSERT_EQ(std::vector<uint8_t>(ring.packet.payload(), ring.packet.payload() + p.size()), p);
  }
}

TEST(RingWrap, DescriptorStraddlesEnd) {
  Ring ring(1);
  ASSERT_NO_FATAL_FAILURE(ring.move_to(4088));
  const auto payload = pattern(40, 0x21);
  ASSERT_EQ(ring.writer.write(inband(payload, 0xABCDEF0123456789ull)).status, WriteStatus::Written);
  // Descriptor bytes 0..7 at the end, 8..15 (the transaction id) at offset 0.
  uint16_t len8_on_wire;
  std::memcpy(&len8_on_wire, ring.view.data + 4088 + 4, 2);
  EXPECT_EQ(len8_on_wire, (16 + 40) / 8);
  EXPECT_EQ(data_u64(ring.view, 0), 0xABCDEF0123456789ull);
  EXPECT_EQ(std::vector<uint8_t>(ring.view.data + 8, ring.view.data + 48), payload);
  EXPECT_EQ(data_u64(ring.view, 48), uint64_t{4088} << 32);
  EXPECT_EQ(ring.writer.write_index(), 56u);

  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(ring.packet.descriptor.transaction_id, 0xABCDEF0123456789ull);
  EXPECT_EQ(payload_of(ring.packet), payload);
  EXPECT_EQ(ring.reader.read_index(), 56u);
}

TEST(RingWrap, PayloadStraddlesEnd) {
  Ring ring(1);
  ASSERT_NO_FATAL_FAILURE(ring.move_to(4064));
  const auto payload = pattern(100, 0x33);  // 16 bytes before the end, 84 (+4 pad) after
  ASSERT_EQ(ring.writer.write(inband(payload, 5)).status, WriteStatus::Written);
  EXPECT_EQ(std::vector<uint8_t>(ring.view.data + 4080, ring.view.data + 4096),
            std::vector<uint8_t>(payload.begin(), payload.begin() + 16));
  EXPECT_EQ(std::vector<uint8_t>(ring.view.data, ring.view.data + 84),
            std::vector<uint8_t>(payload.begin() + 16, payload.end()));
  EXPECT_EQ(data_u64(ring.view, 88), uint64_t{4064} << 32);
  EXPECT_EQ(ring.writer.write_index(), 96u);

  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(ring.packet.descriptor.transaction_id, 5u);
  const auto got = payload_of(ring.packet);
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.begin() + 100), payload);
  EXPECT_EQ(ring.reader.read_index(), 96u);
}

// Everything is 8-aligned and the data area is a page multiple, so the 8-byte trailer itself
// can only start exactly at offset 0 or end exactly at the end; what straddles is the
// padding + trailer run, which the writer emits as one piece.
TEST(RingWrap, TrailerWrapsToStartAfterPadding) {
  Ring ring(1);
  ASSERT_NO_FATAL_FAILURE(ring.move_to(4016));
  const auto payload = pattern(61, 0x44);  // packet 16 + 64 = 80 bytes: ends exactly at 4096
  std::memset(ring.view.data + 4077, 0xAA, 19);
  ASSERT_EQ(ring.writer.write(inband(payload)).status, WriteStatus::Written);
  for (uint32_t i = 4016 + 16 + 61; i < 4096; ++i) EXPECT_EQ(ring.view.data[i], 0) << i;
  EXPECT_EQ(data_u64(ring.view, 0), uint64_t{4016} << 32);
  EXPECT_EQ(ring.writer.write_index(), 8u);

  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(ring.packet.descriptor.len8, 10);
  const auto got = payload_of(ring.packet);
  EXPECT_EQ(std::vector<uint8_t>(got.begin(), got.begin() + 61), payload);
  EXPECT_EQ(ring.reader.read_index(), 8u);
}

TEST(RingWrap, TrailerFillsLastEightBytes) {
  Ring ring(1);
  ASSERT_NO_FATAL_FAILURE(ring.move_to(4008));
  const auto payload = pattern(64, 0x55);  // 80 + 8 trailer = 88 = 4096 - 4008
  ASSERT_EQ(ring.writer.write(inband(payload)).status, WriteStatus::Written);
  EXPECT_EQ(data_u64(ring.view, 4088), uint64_t{4008} << 32);
  EXPECT_EQ(ring.writer.write_index(), 0u);
  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(payload_of(ring.packet), payload);
  EXPECT_EQ(ring.reader.read_index(), 0u);
}

TEST(RingWrap, HeaderExtensionStraddlesEnd) {
  Ring ring(1);
  ASSERT_NO_FATAL_FAILURE(
      ring.move_to(4072));  // descriptor [4072, 4088), ext [4088, 4096) + [0, 16)
  const auto ext = pattern(24, 0x66);
  const auto body = pattern(8, 0x77);
  OutgoingPacket p;
  p.type = PacketType::DataUsingTransferPages;
  p.flags = kFlagCompletionRequested;
  p.header_ext = ConstBytes{ext.data(), 24};
  p.payload = ConstBytes{body.data(), 8};
  ASSERT_EQ(ring.writer.write(p).status, WriteStatus::Written);
  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(std::vector<uint8_t>(ring.packet.header_ext(), ring.packet.header_ext() + 24), ext);
  EXPECT_EQ(payload_of(ring.packet), body);
  EXPECT_EQ(ring.reader.read_index(), (4072u + 16 + 24 + 8 + 8) % 4096);
}

TEST(RingCapacity, EmptyRingTakesLargestPacketAndKeepsEightBytesFree) {
  Ring ring(1);
  EXPECT_EQ(ring.writer.max_ring_packet_bytes(), 4088u);
  EXPECT_EQ(ring.writer.bytes_free(), 4088u);
  EXPECT_EQ(ring.reader.read(ring.packet), ReadStatus::Empty);
  EXPECT_FALSE(ring.reader.has_data());

  const std::vector<uint8_t> largest(4088 - 24, 1);
  ASSERT_EQ(ring.writer.write(inband(largest)).status, WriteStatus::Written);
  EXPECT_EQ(ring.writer.write_index(), 4088u);
  EXPECT_EQ(ring.writer.bytes_free(), 0u);
  EXPECT_TRUE(ring.reader.has_data());
  EXPECT_EQ(ring.writer.write(inband({})).status, WriteStatus::Full);
}

TEST(RingCapacity, ExactFitIsRefusedButLeavingEightBytesIsAccepted) {
  Ring ring(1);
  const std::vector<uint8_t> first(1000 - 24, 1);
  ASSERT_EQ(ring.writer.write(inband(first)).status, WriteStatus::Written);
  EXPECT_EQ(ring.writer.bytes_free(), 4096u - 1000 - 8);

  // 3096 bytes would fill the ring completely, making write_index == read_index ("empty").
  const std::vector<uint8_t> exact(3096 - 24, 2);
  const std::vector<uint8_t> snapshot(ring.view.data, ring.view.data + ring.view.data_size);
  EXPECT_EQ(ring.writer.write(inband(exact)).status, WriteStatus::Full);
  EXPECT_EQ(std::vector<uint8_t>(ring.view.data, ring.view.data + ring.view.data_size), snapshot)
      << "a refused write must not touch the ring";
  EXPECT_EQ(ring.writer.write_index(), 1000u);
  EXPECT_EQ(control_word(ring.view, kWriteIndexOffset), 1000u);

  const std::vector<uint8_t> fits(3088 - 24, 3);
  ASSERT_EQ(ring.writer.write(inband(fits)).status, WriteStatus::Written);
  EXPECT_EQ(ring.writer.write_index(), 4088u);
  EXPECT_EQ(ring.writer.bytes_free(), 0u);

  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(payload_of(ring.packet), first);
  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(payload_of(ring.packet), fits);
  EXPECT_EQ(ring.reader.read(ring.packet), ReadStatus::Empty);
  ring.reader.commit();
  EXPECT_EQ(ring.writer.bytes_free(), 4088u);
}

TEST(RingCapacity, TooLargeForTheRing) {
  Ring ring(1);
  const std::vector<uint8_t> over(4065, 1);  // 16 + 4072 + 8 = 4096 > 4088
  EXPECT_EQ(ring.writer.write(inband(over)).status, WriteStatus::TooLarge);
  EXPECT_EQ(ring.writer.write_index(), 0u);
  // TooLarge does not depend on what is in the ring, Full does.
  ASSERT_EQ(ring.writer.write(inband(std::vector<uint8_t>(100))).status, WriteStatus::Written);
  EXPECT_EQ(ring.writer.write(inband(over)).status, WriteStatus::TooLarge);
  EXPECT_EQ(ring.writer.write(inband(std::vector<uint8_t>(4064))).status, WriteStatus::Full);
  EXPECT_EQ(ring.writer.write_batched(inband(over)), WriteStatus::TooLarge);
  EXPECT_FALSE(ring.writer.is_dead());
}

TEST(RingCapacity, TooLargeWhenLen8WouldOverflow) {
  Ring ring(200);  // 800 KiB: room for more than 65535 * 8 bytes
  const std::vector<uint8_t> max_len8(65535 * 8 - 16, 0x5C);
  const std::vector<uint8_t> over_len8(65535 * 8 - 16 + 1, 0x5D);
  EXPECT_EQ(ring.writer.write(inband(over_len8)).status, WriteStatus::TooLarge);
  ASSERT_EQ(ring.writer.write(inband(max_len8)).status, WriteStatus::Written);
  ASSERT_EQ(ring.reader.read(ring.packet), ReadStatus::Packet);
  EXPECT_EQ(ring.packet.descriptor.len8, 65535);
  EXPECT_EQ(payload_of(ring.packet), max_len8);
}

TEST(RingCapacity, HugeSizesAreTooLargeWithoutTouchingMemory) {
  Ring ring(1);
  OutgoingPacket p;
  p.payload = ConstBytes{nullptr, 0xFFFFFFFFu};  // would wrap to a tiny packet in u32 maths
  EXPECT_EQ(ring.writer.write(p).status, WriteStatus::TooLarge);
  p.payload = ConstBytes{nullptr, 0x80000000u};
  p.header_ext = ConstBytes{nullptr, 0x80000000u};
  EXPECT_EQ(ring.writer.write(p).status, WriteStatus::TooLarge);
  EXPECT_EQ(ring.writer.write_index(), 0u);
}

// Random sizes through a small ring: every wrap position occurs, FIFO order and every trailer
// are checked against a model.
TEST(RingIo, RandomTrafficMatchesModel) {
  Ring ring(2);
  std::mt19937 rng(12345);
  std::deque<std::vector<uint8_t>> expected;
  uint64_t next_id = 1, expect_id = 1;
  uint32_t written = 0, wraps = 0;
  for (int step = 0; step < 40000; ++step) {
    if (rng() % 2) {
      auto payload = pattern(rng() % 1500, static_cast<uint8_t>(next_id));
      const uint32_t before = ring.writer.write_index();
      const WriteResult r = ring.writer.write(inband(payload, next_id));
      if (r.status == WriteStatus::Written) {
        expected.push_back(std::move(payload));
        ++next_id;
        ++written;
        if (ring.writer.write_index() < before) ++wraps;
      } else {
        ASSERT_EQ(r.status, WriteStatus::Full);
        ASSERT_LT(ring.writer.bytes_free(),
                  ring_bytes_for(0, static_cast<uint32_t>(payload.size())));
      }
    } else {
      const uint32_t start = ring.reader.read_index();
      const ReadStatus s = ring.reader.read(ring.packet);
      if (expected.empty()) {
        ASSERT_EQ(s, ReadStatus::Empty);
        ring.reader.commit();  // otherwise a drained-but-unpublished ring stays full forever
        continue;
      }
      ASSERT_EQ(s, ReadStatus::Packet) << ring.reader.error().describe();
      ASSERT_EQ(ring.packet.descriptor.transaction_id, expect_id++);
      const auto& want = expected.front();
      ASSERT_EQ(std::vector<uint8_t>(ring.packet.payload(), ring.packet.payload() + want.size()),
                want);
      const uint32_t trailer_at = (start + ring.packet.descriptor.len8 * 8u) % ring.view.data_size;
      ASSERT_EQ(data_u64(ring.view, trailer_at), uint64_t{start} << 32);
      expected.pop_front();
      if (rng() % 3 == 0) ring.reader.commit();
    }
  }
  EXPECT_GT(written, 1500u);
  EXPECT_GT(wraps, 100u);
  EXPECT_FALSE(ring.reader.is_dead());
  EXPECT_FALSE(ring.writer.is_dead());
}

}  // namespace
}  // namespace vmbsim::ring
