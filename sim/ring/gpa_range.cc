#include "sim/ring/gpa_range.h"

#include <cstring>

namespace vmbsim::ring {

namespace {
void put32(std::vector<uint8_t>& out, uint32_t v) {
  uint8_t b[4];
  std::memcpy(b, &v, 4);
  out.insert(out.end(), b, b + 4);
}
void put64(std::vector<uint8_t>& out, uint64_t v) {
  uint8_t b[8];
  std::memcpy(b, &v, 8);
  out.insert(out.end(), b, b + 8);
}
}  // namespace

uint32_t gpa_header_size(const std::vector<GpaRange>& ranges) {
  uint64_t n = 8;
  for (const GpaRange& r : ranges) n += 8 + 8 * uint64_t{r.pfns.size()};
  return static_cast<uint32_t>(n);
}

void encode_gpa_ranges(const std::vector<GpaRange>& ranges, std::vector<uint8_t>& out) {
  put32(out, 0);  // reserved
  put32(out, static_cast<uint32_t>(ranges.size()));
  for (const GpaRange& r : ranges) {
    put32(out, r.byte_count);
    put32(out, r.byte_offset);
    for (uint64_t pfn : r.pfns) put64(out, pfn);
  }
}

bool parse_gpa_ranges(const uint8_t* p, uint32_t size, std::vector<GpaRange>& out, std::string& error) {
  out.clear();
  if (size < 8) {
    error = "GPA-direct header of " + std::to_string(size) + " bytes is shorter than its 8-byte prefix";
    return false;
  }
  uint32_t count;
  std::memcpy(&count, p + 4, 4);  // the reserved word before it may hold junk (OpenVMM warns)
  if (count == 0) {
    error = "GPA-direct packet with range_count 0";
    return false;
  }
  uint64_t pos = 8;
  for (uint32_t i = 0; i < count; ++i) {
    if (pos + 8 > size) {
      error = "range " + std::to_string(i) + " of " + std::to_string(count) + " runs past the header";
      return false;
    }
    GpaRange r;
    std::memcpy(&r.byte_count, p + pos, 4);
    std::memcpy(&r.byte_offset, p + pos + 4, 4);
    pos += 8;
    if (r.byte_count == 0) {
      error = "range " + std::to_string(i) + " has byte_count 0";
      return false;
    }
    if (r.byte_offset > 0xFFF) {
      error = "range " + std::to_string(i) + " has byte_offset " + std::to_string(r.byte_offset) + " > 0xFFF";
      return false;
    }
    uint64_t pages = GpaRange::pages_spanned(r.byte_offset, r.byte_count);
    if (pos + pages * 8 > size) {
      error = "range " + std::to_string(i) + " needs " + std::to_string(pages) + " PFNs; the header is too short";
      return false;
    }
    r.pfns.resize(pages);
    std::memcpy(r.pfns.data(), p + pos, pages * 8);
    pos += pages * 8;
    out.push_back(std::move(r));
  }
  return true;
}

}  // namespace vmbsim::ring
