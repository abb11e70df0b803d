// A GUID with the Windows field layout (u32, u16, u16, u8[8]); identical in memory to the
// shim's GUID so the shim can pass it through by memcpy.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace vmbsim {

// The value of one hex digit, or -1.
int hex_value(char c);

struct Guid {
  uint32_t data1 = 0;
  uint16_t data2 = 0;
  uint16_t data3 = 0;
  uint8_t data4[8] = {};

  bool operator==(const Guid& o) const { return std::memcmp(this, &o, sizeof(Guid)) == 0; }
  bool operator!=(const Guid& o) const { return !(*this == o); }
  bool is_null() const { return *this == Guid{}; }
  // "f8615163-df3e-46c5-913f-f2d2f965ed0e"
  std::string to_string() const;
  // Parses the 36-character form; returns false on malformed text.
  static bool parse(const std::string& text, Guid& out);
};
static_assert(sizeof(Guid) == 16, "GUID is 16 bytes");

}  // namespace vmbsim
