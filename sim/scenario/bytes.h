// Byte patterns, templates and hex dumps for scenarios: parsing what a scenario file writes
// ("01 00 ?? ff", "02 00 ${seq:u32}"), matching packets, and showing a mismatch.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/scenario/model.h"

namespace vmbsim::scenario {

// Captured variables: name -> (value, width).
struct Variable {
  uint64_t value = 0;
  FieldType width = FieldType::U64;
};
using Variables = std::map<std::string, Variable>;

// Hex digits in pairs, whitespace anywhere between pairs; "??" is a wildcard byte. False with
// the reason on anything else.
bool parse_pattern(const std::string& text, BytePattern& out, std::string& error);
// Hex digits in pairs and ${name} / ${name:u8|u16|u32|u64} references.
bool parse_template(const std::string& text, BytesTemplate& out, std::string& error);
// Every variable a template uses.
std::vector<std::string> template_variables(const BytesTemplate& t);
// The bytes of a template; false (with the missing name) if a variable was never captured.
bool render(const BytesTemplate& t, const Variables& vars, std::vector<uint8_t>& out, std::string& error);

// The first offset where `actual` does not match `pattern`; -1 if it matches (a pattern longer
// than `actual` fails at actual's end).
long first_mismatch(const BytePattern& pattern, const std::vector<uint8_t>& actual);
// Reads a little-endian field; false if it does not fit.
bool read_field(const std::vector<uint8_t>& bytes, uint32_t offset, FieldType type, uint64_t& value);
// "expected" and "actual" hex dumps, 16 bytes a row, the first differing byte marked ^^.
std::string diff_dump(const BytePattern& expected, const std::vector<uint8_t>& actual, long mismatch);
std::string hex(const std::vector<uint8_t>& bytes, size_t limit = 64);

}  // namespace vmbsim::scenario
