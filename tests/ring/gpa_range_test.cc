// GPA-direct header extension: encoding and hostile-input validation (vmbus-wire.md §2.4, #40).
#include <gtest/gtest.h>

#include <cstring>

#include "sim/ring/gpa_range.h"

namespace vmbsim::ring {
namespace {

std::vector<uint8_t> encode(const std::vector<GpaRange>& r) {
  std::vector<uint8_t> out;
  encode_gpa_ranges(r, out);
  return out;
}

TEST(GpaRange, EncodesTheWireLayoutAndParsesBack) {
  GpaRange a{300, 0xF00, {0x100001, 0x100002}};  // straddles a page boundary
  GpaRange b{4096, 0, {0x100007}};
  std::vector<uint8_t> bytes = encode({a, b});
  ASSERT_EQ(bytes.size(), gpa_header_size({a, b}));
  EXPECT_EQ(bytes.size(), 8u + (8 + 16) + (8 + 8));
  uint32_t count, bc, bo;
  uint64_t pfn;
  std::memcpy(&count, bytes.data() + 4, 4);
  std::memcpy(&bc, bytes.data() + 8, 4);
  std::memcpy(&bo, bytes.data() + 12, 4);
  std::memcpy(&pfn, bytes.data() + 16, 8);
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(bc, 300u);
  EXPECT_EQ(bo, 0xF00u);
  EXPECT_EQ(pfn, 0x100001u);
  std::vector<GpaRange> parsed;
  std::string error;
  ASSERT_TRUE(parse_gpa_ranges(bytes.data(), static_cast<uint32_t>(bytes.size()), parsed, error)) << error;
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].pfns, a.pfns);
  EXPECT_EQ(parsed[1].byte_count, 4096u);
}

TEST(GpaRange, PagesSpanned) {
  EXPECT_EQ(GpaRange::pages_spanned(0, 1), 1u);
  EXPECT_EQ(GpaRange::pages_spanned(0, 4096), 1u);
  EXPECT_EQ(GpaRange::pages_spanned(4095, 2), 2u);
  EXPECT_EQ(GpaRange::pages_spanned(0xFFF, 0xFFFFFFFF), 1048577u);  // no 32-bit overflow
}

TEST(GpaRange, RejectsHostileHeaders) {
  std::vector<GpaRange> out;
  std::string error;
  std::vector<uint8_t> zero_ranges(8, 0);
  EXPECT_FALSE(parse_gpa_ranges(zero_ranges.data(), 8, out, error));
  EXPECT_NE(error.find("range_count 0"), std::string::npos);

  std::vector<uint8_t> b = encode({GpaRange{0, 0, {1}}});
  EXPECT_FALSE(parse_gpa_ranges(b.data(), static_cast<uint32_t>(b.size()), out, error));
  EXPECT_NE(error.find("byte_count 0"), std::string::npos);

  b = encode({GpaRange{16, 0x1000, {1, 2}}});
  EXPECT_FALSE(parse_gpa_ranges(b.data(), static_cast<uint32_t>(b.size()), out, error));
  EXPECT_NE(error.find("byte_offset"), std::string::npos);

  b = encode({GpaRange{8192, 0, {1}}});  // claims two pages, carries one PFN
  EXPECT_FALSE(parse_gpa_ranges(b.data(), static_cast<uint32_t>(b.size()), out, error));
  EXPECT_NE(error.find("PFNs"), std::string::npos);

  b = encode({GpaRange{8, 0, {1}}});
  uint32_t lie = 5;  // more ranges than the header holds
  std::memcpy(b.data() + 4, &lie, 4);
  EXPECT_FALSE(parse_gpa_ranges(b.data(), static_cast<uint32_t>(b.size()), out, error));

  EXPECT_FALSE(parse_gpa_ranges(b.data(), 4, out, error));
}

}  // namespace
}  // namespace vmbsim::ring
