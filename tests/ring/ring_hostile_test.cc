// A hostile or buggy peer: malformed packets (wire #24-#31) and bad indices (#22, #23).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "sim/ring/ring_error.h"
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

PacketDescriptor descriptor(uint16_t type, uint16_t offset8, uint16_t len8, uint16_t flags = 0) {
  PacketDescriptor d;
  d.type = type;
  d.offset8 = offset8;
  d.len8 = len8;
  d.flags = flags;
  d.transaction_id = 0x99;
  return d;
}

// A ring whose data area is forged by hand, as a hostile writer would.
struct ForgedRing {
  explicit ForgedRing(uint32_t max_packet = 0)
      : mem(1), view((initialize_ring(mem.view()), mem.view())), reader(view, max_packet) {}
  FlatRingMemory mem;
  RingMemory view;
  RingReader reader;
  ReadPacket packet;

  // Places `d` at offset 0 and publishes write_index = `published`.
  void forge(const PacketDescriptor& d, uint32_t published) {
    std::memcpy(view.data, &d, sizeof d);
    set_control_word(view, kWriteIndexOffset, published);
  }
  ReadStatus read() { return reader.read(packet); }
};

// The error is sticky: nothing is consumed, published or signalled afterwards, even once the
// ring bytes look fine again.
void expect_stays_dead(ForgedRing& ring, RingErrorKind kind) {
  const RingError first = ring.reader.error();
  ASSERT_EQ(first.kind, kind) << first.describe();
  EXPECT_TRUE(ring.reader.is_dead());
  const uint32_t read_index = ring.reader.read_index();
  ring.forge(descriptor(6, 2, 2), 24);  // a perfectly valid 16-byte packet
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ring.read(), ReadStatus::Dead);
  EXPECT_FALSE(ring.reader.has_data());
  EXPECT_FALSE(ring.reader.commit());
  EXPECT_FALSE(ring.reader.unmask_interrupts());
  EXPECT_EQ(ring.reader.read_index(), read_index);
  EXPECT_EQ(control_word(ring.view, kReadIndexOffset), 0u);
  EXPECT_EQ(ring.reader.error().kind, first.kind);
  EXPECT_EQ(ring.reader.error().offset, first.offset);
  EXPECT_EQ(ring.reader.error().value, first.value);
}

TEST(RingValidation, WriteIndexOutOfRange) {
  for (uint32_t bad : {4096u, 4104u, 0xFFFFFFF8u}) {
    ForgedRing ring;
    set_control_word(ring.view, kWriteIndexOffset, bad);
    EXPECT_EQ(ring.read(), ReadStatus::Dead) << bad;
    EXPECT_EQ(ring.reader.error().offset, kWriteIndexOffset);
    EXPECT_EQ(ring.reader.error().value, bad);
    expect_stays_dead(ring, RingErrorKind::InvalidPeerIndex);
  }
}

TEST(RingValidation, WriteIndexUnaligned) {
  ForgedRing ring;
  set_control_word(ring.view, kWriteIndexOffset, 28);
  EXPECT_EQ(ring.read(), ReadStatus::Dead);
  EXPECT_EQ(ring.reader.error().value, 28u);
  expect_stays_dead(ring, RingErrorKind::InvalidPeerIndex);
}

TEST(RingValidation, DataAvailableShorterThanDescriptorAndTrailer) {
  for (uint32_t available : {8u, 16u}) {
    ForgedRing ring;
    ring.forge(descriptor(6, 2, 2), available);
    EXPECT_EQ(ring.read(), ReadStatus::Dead) << available;
    EXPECT_EQ(ring.reader.error().value, available);
    expect_stays_dead(ring, RingErrorKind::InvalidDataAvailable);
  }
}

TEST(RingValidation, DescriptorShorterThanSixteenBytes) {
  for (uint16_t len8 : {0, 1}) {
    ForgedRing ring;
    ring.forge(descriptor(6, 0, len8), 64);
    EXPECT_EQ(ring.read(), ReadStatus::Dead);
    EXPECT_EQ(ring.reader.error().value, len8);
    EXPECT_EQ(ring.reader.error().offset, 0u);
    expect_stays_dead(ring, RingErrorKind::InvalidDescriptorLength);
  }
}

TEST(RingValidation, DescriptorLongerThanDataAvailable) {
  ForgedRing ring;
  ring.forge(descriptor(6, 2, 8), 64);  // 64 + 8 trailer > 64 published
  EXPECT_EQ(ring.read(), ReadStatus::Dead);
  EXPECT_EQ(ring.reader.error().value, 8u);
  expect_stays_dead(ring, RingErrorKind::InvalidDescriptorLength);
}

TEST(RingValidation, DescriptorExactlyFillingDataAvailableIsAccepted) {
  ForgedRing ring;
  ring.forge(descriptor(6, 2, 7), 64);  // 56 + 8 == 64
  EXPECT_EQ(ring.read(), ReadStatus::Packet) << ring.reader.error().describe();
  EXPECT_EQ(ring.reader.read_index(), 64u);
}

TEST(RingValidation, DataOffsetBelowDescriptor) {
  for (uint16_t offset8 : {0, 1}) {
    ForgedRing ring;
    ring.forge(descriptor(6, offset8, 4), 64);
    EXPECT_EQ(ring.read(), ReadStatus::Dead);
    EXPECT_EQ(ring.reader.error().value, offset8);
    expect_stays_dead(ring, RingErrorKind::InvalidDataOffset);
  }
}

TEST(RingValidation, DataOffsetBeyondPacket) {
  ForgedRing ring;
  ring.forge(descriptor(6, 5, 4), 64);
  EXPECT_EQ(ring.read(), ReadStatus::Dead);
  EXPECT_EQ(ring.reader.error().value, 5u);
  expect_stays_dead(ring, RingErrorKind::InvalidDataOffset);
}

TEST(RingValidation, DataOffsetEqualToLengthMeansEmptyPayload) {
  ForgedRing ring;
  ring.forge(descriptor(7, 4, 4), 40);
  ASSERT_EQ(ring.read(), ReadStatus::Packet) << ring.reader.error().describe();
  EXPECT_EQ(ring.packet.payload_size(), 0u);
  EXPECT_EQ(ring.packet.header_ext_size(), 16u);
}

TEST(RingValidation, UnknownPacketTypes) {
  for (uint16_t type : {0x0, 0x1, 0x2, 0x5, 0x8, 0xA, 0xC, 0xD, 0xFFFF}) {
    ForgedRing ring;
    ring.forge(descriptor(type, 2, 2), 24);
    EXPECT_EQ(ring.read(), ReadStatus::Dead) << type;
    EXPECT_EQ(ring.reader.error().value, type);
    expect_stays_dead(ring, RingErrorKind::InvalidPacketType);
  }
}

TEST(RingValidation, KnownPacketTypesAndFlagsAreAccepted) {
  for (uint16_t type : {0x6, 0x7, 0x9, 0xB}) {
    for (uint16_t flags : {0, 1}) {
      ForgedRing ring;
      ring.forge(descriptor(type, 2, 2, flags), 24);
      EXPECT_EQ(ring.read(), ReadStatus::Packet) << type << " " << flags;
      EXPECT_EQ(ring.packet.descriptor.type, type);
      EXPECT_EQ(ring.packet.descriptor.flags, flags);
    }
  }
}

TEST(RingValidation, UnknownFlagBits) {
  for (uint16_t flags : {0x2, 0x3, 0x8000}) {
    ForgedRing ring;
    ring.forge(descriptor(6, 2, 2, flags), 24);
    EXPECT_EQ(ring.read(), ReadStatus::Dead) << flags;
    EXPECT_EQ(ring.reader.error().value, flags);
    expect_stays_dead(ring, RingErrorKind::InvalidPacketFlags);
  }
}

TEST(RingValidation, PacketLargerThanReaderLimit) {
  ForgedRing ring(64);
  ring.forge(descriptor(6, 2, 9), 80);  // 72 bytes > 64
  EXPECT_EQ(ring.read(), ReadStatus::Dead);
  EXPECT_EQ(ring.reader.error().value, 72u);
  expect_stays_dead(ring, RingErrorKind::PacketTooLarge);
}

TEST(RingValidation, PacketAtReaderLimitIsAccepted) {
  ForgedRing ring(64);
  ring.forge(descriptor(6, 2, 8), 72);
  EXPECT_EQ(ring.read(), ReadStatus::Packet) << ring.reader.error().describe();
}

TEST(RingValidation, ChecksRunInDocumentedOrder) {
  struct Case {
    PacketDescriptor d;
    uint32_t published;
    RingErrorKind want;
  };
  const Case cases[] = {
      {descriptor(3, 0, 1, 2), 64, RingErrorKind::InvalidDescriptorLength},
      {descriptor(3, 0, 4, 2), 64, RingErrorKind::InvalidDataOffset},
      {descriptor(3, 2, 4, 2), 64, RingErrorKind::InvalidPacketType},
      {descriptor(6, 2, 9, 2), 80, RingErrorKind::InvalidPacketFlags},
      {descriptor(3, 2, 2, 0), 16, RingErrorKind::InvalidDataAvailable},
  };
  for (const Case& c : cases) {
    ForgedRing ring(64);
    ring.forge(c.d, c.published);
    EXPECT_EQ(ring.read(), ReadStatus::Dead);
    EXPECT_EQ(ring.reader.error().kind, c.want) << ring.reader.error().describe();
  }
}

TEST(RingValidation, ErrorReportsOffsetOfTheBadPacketAfterGoodOnes) {
  FlatRingMemory mem(1);
  initialize_ring(mem.view());
  RingWriter writer(mem.view());
  RingReader reader(mem.view());
  // The writer does not police type or flags, so it can play the hostile host.
  std::vector<uint8_t> payload(40, 1);
  OutgoingPacket good;
  good.payload = ConstBytes{payload.data(), 40};
  OutgoingPacket bad = good;
  bad.type = PacketType::CancelRequest;
  ASSERT_EQ(writer.write(good).status, WriteStatus::Written);
  ASSERT_EQ(writer.write(bad).status, WriteStatus::Written);
  ReadPacket packet;
  ASSERT_EQ(reader.read(packet), ReadStatus::Packet);
  EXPECT_EQ(reader.read(packet), ReadStatus::Dead);
  EXPECT_EQ(reader.error().kind, RingErrorKind::InvalidPacketType);
  EXPECT_EQ(reader.error().offset, 64u);
  EXPECT_EQ(reader.error().value, 0xAu);
  EXPECT_EQ(reader.error().describe(), "invalid packet type 0xa at ring offset 0x40");
  EXPECT_EQ(reader.read_index(), 64u) << "the bad packet is not consumed";
  EXPECT_FALSE(reader.commit()) << "a dead ring publishes nothing";
  EXPECT_EQ(control_word(mem.view(), kReadIndexOffset), 0u);
}

TEST(RingHostileIndex, ReaderStartsDeadOnCorruptReadIndex) {
  for (uint32_t bad : {4096u, 12u}) {
    FlatRingMemory mem(1);
    initialize_ring(mem.view());
    set_control_word(mem.view(), kReadIndexOffset, bad);
    RingReader reader(mem.view());
    EXPECT_TRUE(reader.is_dead());
    EXPECT_EQ(reader.error().kind, RingErrorKind::InvalidPeerIndex);
    EXPECT_EQ(reader.error().offset, kReadIndexOffset);
    ReadPacket packet;
    EXPECT_EQ(reader.read(packet), ReadStatus::Dead);
  }
}

TEST(RingHostileIndex, ReaderIgnoresPeerRewritingItsReadIndex) {
  FlatRingMemory mem(1);
  initialize_ring(mem.view());
  RingWriter writer(mem.view());
  RingReader reader(mem.view());
  std::vector<uint8_t> payload(8, 7);
  OutgoingPacket p;
  p.payload = ConstBytes{payload.data(), 8};
  ASSERT_EQ(writer.write(p).status, WriteStatus::Written);
  ASSERT_EQ(writer.write(p).status, WriteStatus::Written);
  set_control_word(mem.view(), kReadIndexOffset, 32);  // the host "helpfully" skips a packet
  ReadPacket packet;
  ASSERT_EQ(reader.read(packet), ReadStatus::Packet);
  EXPECT_EQ(reader.read_index(), 32u);
  ASSERT_EQ(reader.read(packet), ReadStatus::Packet);
  EXPECT_EQ(reader.read(packet), ReadStatus::Empty);
}

TEST(RingHostileIndex, UnmaskWithCorruptWriteIndexKillsRing) {
  ForgedRing ring;
  ring.reader.mask_interrupts();
  set_control_word(ring.view, kWriteIndexOffset, 4095);
  EXPECT_FALSE(ring.reader.unmask_interrupts());
  expect_stays_dead(ring, RingErrorKind::InvalidPeerIndex);
}

TEST(RingHostileIndex, CommitWithCorruptWriteIndexKillsRing) {
  FlatRingMemory mem(1);
  initialize_ring(mem.view());
  RingWriter writer(mem.view());
  RingReader reader(mem.view());
  OutgoingPacket p;
  ASSERT_EQ(writer.write(p).status, WriteStatus::Written);
  set_control_word(mem.view(), kPendingSendSizeOffset, 8);  // so commit() samples write_index
  ReadPacket packet;
  ASSERT_EQ(reader.read(packet), ReadStatus::Packet);
  set_control_word(mem.view(), kWriteIndexOffset, 4100);
  EXPECT_FALSE(reader.commit());
  EXPECT_EQ(reader.error().kind, RingErrorKind::InvalidPeerIndex);
  EXPECT_EQ(reader.error().value, 4100u);
  EXPECT_EQ(reader.read(packet), ReadStatus::Dead);
}

void expect_writer_dead(RingWriter& writer, uint32_t bad, uint32_t offset) {
  EXPECT_TRUE(writer.is_dead());
  EXPECT_EQ(writer.error().kind, RingErrorKind::InvalidPeerIndex) << writer.error().describe();
  EXPECT_EQ(writer.error().offset, offset);
  EXPECT_EQ(writer.error().value, bad);
  OutgoingPacket p;
  EXPECT_EQ(writer.write(p).status, WriteStatus::Dead);
  EXPECT_FALSE(writer.write(p).signal);
  EXPECT_EQ(writer.write_batched(p), WriteStatus::Dead);
  EXPECT_FALSE(writer.commit());
  EXPECT_FALSE(writer.request_space(8));
  EXPECT_EQ(writer.bytes_free(), 0u);
}

TEST(RingHostileIndex, WriterDiesOnReadIndexOutOfRangeOrUnaligned) {
  for (uint32_t bad : {4096u, 0x7FFFFFF8u, 4u, 4091u}) {
    FlatRingMemory mem(1);
    initialize_ring(mem.view());
    RingWriter writer(mem.view());
    set_control_word(mem.view(), kReadIndexOffset, bad);
    EXPECT_EQ(writer.bytes_free(), 0u);
    OutgoingPacket p;
    EXPECT_EQ(writer.write(p).status, WriteStatus::Dead) << bad;
    EXPECT_EQ(control_word(mem.view(), kWriteIndexOffset), 0u) << "nothing published";
    set_control_word(mem.view(), kReadIndexOffset, 0);  // repaired: too late
    expect_writer_dead(writer, bad, kReadIndexOffset);
  }
}

TEST(RingHostileIndex, WriterCommitDiesOnCorruptReadIndex) {
  FlatRingMemory mem(1);
  initialize_ring(mem.view());
  RingWriter writer(mem.view());
  OutgoingPacket p;
  ASSERT_EQ(writer.write_batched(p), WriteStatus::Written);
  set_control_word(mem.view(), kReadIndexOffset, 20);
  EXPECT_FALSE(writer.commit());
  expect_writer_dead(writer, 20, kReadIndexOffset);
}

TEST(RingHostileIndex, WriterRequestSpaceDiesOnCorruptReadIndex) {
  FlatRingMemory mem(1);
  initialize_ring(mem.view());
  RingWriter writer(mem.view());
  set_control_word(mem.view(), kReadIndexOffset, 9000);
  EXPECT_FALSE(writer.request_space(64));
  expect_writer_dead(writer, 9000, kReadIndexOffset);
}

TEST(RingHostileIndex, WriterStartsDeadOnCorruptWriteIndex) {
  FlatRingMemory mem(1);
  initialize_ring(mem.view());
  set_control_word(mem.view(), kWriteIndexOffset, 13);
  RingWriter writer(mem.view());
  expect_writer_dead(writer, 13, kWriteIndexOffset);
}

TEST(RingHostileIndex, WriterIgnoresPeerRewritingItsWriteIndex) {
  FlatRingMemory mem(1);
  initialize_ring(mem.view());
  RingWriter writer(mem.view());
  RingReader reader(mem.view());
  OutgoingPacket p;
  p.transaction_id = 1;
  ASSERT_EQ(writer.write(p).status, WriteStatus::Written);  // [0, 24)
  set_control_word(mem.view(), kWriteIndexOffset, 2048);    // host scribbles our index
  p.transaction_id = 2;
  ASSERT_EQ(writer.write(p).status, WriteStatus::Written);  // still at 24, republishes 48
  EXPECT_EQ(writer.write_index(), 48u);
  EXPECT_EQ(control_word(mem.view(), kWriteIndexOffset), 48u);
  ReadPacket packet;
  ASSERT_EQ(reader.read(packet), ReadStatus::Packet);
  EXPECT_EQ(packet.descriptor.transaction_id, 1u);
  ASSERT_EQ(reader.read(packet), ReadStatus::Packet);
  EXPECT_EQ(packet.descriptor.transaction_id, 2u);
  EXPECT_EQ(reader.read(packet), ReadStatus::Empty);
}

}  // namespace
}  // namespace vmbsim::ring
