// FlatRingMemory, initialize_ring, RingError text and the layout helpers.
#include "sim/ring/ring_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string>

#include "sim/ring/ring_error.h"
#include "sim/ring/ring_layout.h"

namespace vmbsim::ring {
namespace {

uint32_t control_word(const RingMemory& m, uint32_t offset) {
  uint32_t v;
  std::memcpy(&v, m.control + offset, sizeof v);
  return v;
}

TEST(RingMemory, FlatMemoryIsPageAlignedContiguousAndZeroed) {
  for (uint32_t pages : {1u, 3u, 64u}) {
    FlatRingMemory mem(pages);
    const RingMemory v = mem.view();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v.control) % kPageSize, 0u) << pages;
    EXPECT_EQ(v.data, v.control + kControlPageSize);
    EXPECT_EQ(v.data_size, pages * kPageSize);
    EXPECT_EQ(mem.total_size(), kControlPageSize + pages * kPageSize);
    for (uint32_t i = 0; i < mem.total_size(); ++i) {
      ASSERT_EQ(v.control[i], 0) << "byte " << i << " of a " << pages << "-page ring";
    }
  }
}

TEST(RingMemory, RejectsZeroAndOversizedPageCounts) {
  EXPECT_THROW(FlatRingMemory(0), std::invalid_argument);
  // data_size and total_size() are u32: 2^20 pages would wrap them.
  EXPECT_THROW(FlatRingMemory(1u << 20), std::invalid_argument);
}

TEST(RingMemory, InitializeRingZeroesControlPageAndSetsFeatureBit) {
  FlatRingMemory mem(1);
  const RingMemory v = mem.view();
  std::memset(v.control, 0xA5, kControlPageSize);
  std::memset(v.data, 0x5A, v.data_size);
  initialize_ring(v);
  EXPECT_EQ(control_word(v, kWriteIndexOffset), 0u);
  EXPECT_EQ(control_word(v, kReadIndexOffset), 0u);
  EXPECT_EQ(control_word(v, kInterruptMaskOffset), 0u);
  EXPECT_EQ(control_word(v, kPendingSendSizeOffset), 0u);
  EXPECT_EQ(control_word(v, kFeatureBitsOffset), kFeaturePendingSendSize);
  for (uint32_t i = 0; i < kControlPageSize; ++i) {
    if (i >= kFeatureBitsOffset && i < kFeatureBitsOffset + 4) continue;
    ASSERT_EQ(v.control[i], 0) << "control byte " << i;
  }
  // Only the control page is the initialiser's business.
  EXPECT_EQ(v.data[0], 0x5A);
  EXPECT_EQ(v.data[v.data_size - 1], 0x5A);
}

TEST(RingLayout, RingBytesForPadsPayloadWithoutWrapping) {
  EXPECT_EQ(ring_bytes_for(0, 0), 24u);
  EXPECT_EQ(ring_bytes_for(0, 1), 32u);
  EXPECT_EQ(ring_bytes_for(16, 64), 104u);
  // A u32 align8() would wrap this to 0 and claim a 24-byte packet.
  EXPECT_EQ(ring_bytes_for(0, 0xFFFFFFF9u), 16u + 0x100000000ull + 8u);
  EXPECT_EQ(ring_bytes_for(0xFFFFFFF8u, 0xFFFFFFFFu), 16u + 0xFFFFFFF8ull + 0x100000000ull + 8u);
}

TEST(RingErrorText, ToStringNamesEveryKindDistinctly) {
  std::set<std::string> names;
  for (int k = 0; k <= static_cast<int>(RingErrorKind::InvalidPendingSendSize); ++k) {
    names.insert(to_string(static_cast<RingErrorKind>(k)));
  }
  EXPECT_EQ(names.size(), 9u);
  EXPECT_STREQ(to_string(RingErrorKind::InvalidPacketType), "InvalidPacketType");
  EXPECT_STREQ(to_string(RingErrorKind::None), "None");
}

TEST(RingErrorText, DescribeGivesOneSpecificLineWithHexOffsetAndValue) {
  const RingError type{RingErrorKind::InvalidPacketType, 0x40, 0x3};
  EXPECT_EQ(type.describe(), "invalid packet type 0x3 at ring offset 0x40");

  const RingError index{RingErrorKind::InvalidPeerIndex, kWriteIndexOffset, 0x1001};
  const std::string s = index.describe();
  EXPECT_NE(s.find("0x1001"), std::string::npos) << s;
  EXPECT_NE(s.find("write_index"), std::string::npos) << s;

  const RingError len{RingErrorKind::InvalidDescriptorLength, 0xff8, 0x1};
  EXPECT_NE(len.describe().find("len8 0x1 at ring offset 0xff8"), std::string::npos)
      << len.describe();

  const RingError big{RingErrorKind::PacketTooLarge, 0x0, 0x48};
  EXPECT_NE(big.describe().find("0x48"), std::string::npos) << big.describe();

  for (int k = 0; k <= static_cast<int>(RingErrorKind::InvalidPendingSendSize); ++k) {
    const std::string d = RingError{static_cast<RingErrorKind>(k), 0x18, 0x77}.describe();
    EXPECT_FALSE(d.empty());
    EXPECT_EQ(d.find('\n'), std::string::npos) << d;
    if (k != 0) {
      EXPECT_NE(d.find("0x77"), std::string::npos) << d;
    }
  }
  EXPECT_FALSE(static_cast<bool>(RingError{}));
  EXPECT_TRUE(static_cast<bool>(type));
}

}  // namespace
}  // namespace vmbsim::ring
