// GPA-direct packets (type 9, vmbus-wire.md §2.4): the header extension that describes guest
// memory as ranges of 4 KiB guest page numbers. Encoding and validation only; what the pages
// hold is someone else's business.
//
//   header_ext = u32 reserved, u32 range_count, then per range:
//                u32 byte_count, u32 byte_offset, u64 pfn[ceil((byte_offset + byte_count) / 4096)]
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmbsim::ring {

struct GpaRange {
  uint32_t byte_count = 0;
  uint32_t byte_offset = 0;  // into the first page, < 4096
  std::vector<uint64_t> pfns;

  // Pages a range of this offset and count spans.
  static uint32_t pages_spanned(uint32_t byte_offset, uint32_t byte_count) {
    return static_cast<uint32_t>((uint64_t{byte_offset} + byte_count + 4095) / 4096);
  }
};

// Bytes encode_gpa_ranges() produces for these ranges (a multiple of 8).
uint32_t gpa_header_size(const std::vector<GpaRange>& ranges);
// Appends the encoded header extension to `out`, exactly as given: a well-formed range carries
// pages_spanned() PFNs, but hostile-peer tests need to encode ones that do not.
void encode_gpa_ranges(const std::vector<GpaRange>& ranges, std::vector<uint8_t>& out);

// Parses and validates a header extension the way a careful host does (OpenVMM gparange.rs):
// range_count != 0, every byte_count != 0, byte_offset <= 0xFFF, the PFNs present, no
// arithmetic overflow. On failure returns false and says why in `error`.
bool parse_gpa_ranges(const uint8_t* header_ext, uint32_t size, std::vector<GpaRange>& out,
                      std::string& error);

}  // namespace vmbsim::ring
