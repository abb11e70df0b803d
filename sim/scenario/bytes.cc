#include "sim/scenario/bytes.h"

#include <cctype>
#include <cstdio>

namespace vmbsim::scenario {

namespace {

// Reads one byte ("3f" or "??") at text[i]; advances i.
bool byte_at(const std::string& text, size_t& i, uint8_t& value, bool& wildcard, std::string& error) {
  if (i + 1 >= text.size()) {
    error = "odd number of hex digits at character " + std::to_string(i + 1);
    return false;
  }
  if (text[i] == '?' && text[i + 1] == '?') {
    value = 0;
    wildcard = true;
    i += 2;
    return true;
  }
  int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
  if (hi < 0 || lo < 0) {
    error = std::string("'") + text[i] + text[i + 1] + "' at character " + std::to_string(i + 1) +
            " is not a hex byte";
    return false;
  }
  value = static_cast<uint8_t>(hi * 16 + lo);
  wildcard = false;
  i += 2;
  return true;
}

bool parse_width(const std::string& s, FieldType& t) { return parse_field_type(s, t) && t != FieldType::Guid; }

}  // namespace

bool parse_pattern(const std::string& text, BytePattern& out, std::string& error) {
  out = BytePattern{};
  for (size_t i = 0; i < text.size();) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    uint8_t v;
    bool wild;
    if (!byte_at(text, i, v, wild, error)) return false;
    out.value.push_back(v);
    out.mask.push_back(wild ? 0x00 : 0xff);
  }
  return true;
}

bool parse_template(const std::string& text, BytesTemplate& out, std::string& error) {
  out.pieces.clear();
  auto literal = [&]() -> std::vector<uint8_t>& {
    if (out.pieces.empty() || !out.pieces.back().variable.empty()) out.pieces.emplace_back();
    return out.pieces.back().literal;
  };
  for (size_t i = 0; i < text.size();) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    if (text[i] == '$') {
      size_t close = text.find('}', i);
      if (i + 1 >= text.size() || text[i + 1] != '{' || close == std::string::npos) {
        error = "'$' at character " + std::to_string(i + 1) + " must start ${name} or ${name:u32}";
        return false;
      }
      std::string inner = text.substr(i + 2, close - i - 2);
      BytesTemplate::Piece p;
      size_t colon = inner.find(':');
      p.variable = inner.substr(0, colon);
      if (colon != std::string::npos) {
        FieldType w;
        if (!parse_width(inner.substr(colon + 1), w)) {
          error = "width '" + inner.substr(colon + 1) + "' of ${" + p.variable + "} is not u8, u16, u32 or u64";
          return false;
        }
        p.width = w;
      }
      bool ok = !p.variable.empty();
      for (char c : p.variable) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.');
      if (!ok) {
        error = "'" + p.variable + "' is not a variable name (letters, digits, '_' and '.')";
        return false;
      }
      out.pieces.push_back(std::move(p));
      i = close + 1;
      continue;
    }
    uint8_t v;
    bool wild;
    if (!byte_at(text, i, v, wild, error)) return false;
    if (wild) {
      error = "a wildcard (two question marks) only makes sense in a pattern to match, not in bytes to send";
      return false;
    }
    literal().push_back(v);
  }
  return true;
}

std::vector<std::string> template_variables(const BytesTemplate& t) {
  std::vector<std::string> v;
  for (const auto& p : t.pieces)
    if (!p.variable.empty()) v.push_back(p.variable);
  return v;
}

bool render(const BytesTemplate& t, const Variables& vars, std::vector<uint8_t>& out, std::string& error) {
  out.clear();
  for (const auto& p : t.pieces) {
    if (p.variable.empty()) {
      out.insert(out.end(), p.literal.begin(), p.literal.end());
      continue;
    }
    auto it = vars.find(p.variable);
    if (it == vars.end()) {
      error = "variable ${" + p.variable + "} has not been captured";
      return false;
    }
    FieldType w = p.width ? *p.width : it->second.width;
    size_t n = w == FieldType::Guid ? 8 : field_size(w);
    for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(it->second.value >> (8 * i)));
  }
  return true;
}

long first_mismatch(const BytePattern& pattern, const std::vector<uint8_t>& actual) {
  for (size_t i = 0; i < pattern.value.size(); ++i) {
    if (i >= actual.size()) return static_cast<long>(i);
    if ((actual[i] & pattern.mask[i]) != (pattern.value[i] & pattern.mask[i])) return static_cast<long>(i);
  }
  return -1;
}

bool read_field(const std::vector<uint8_t>& bytes, uint32_t offset, FieldType type, uint64_t& value) {
  size_t n = field_size(type);
  if (size_t{offset} + n > bytes.size() || type == FieldType::Guid) return false;
  value = 0;
  for (size_t i = 0; i < n; ++i) value |= uint64_t{bytes[offset + i]} << (8 * i);
  return true;
}

std::string hex(const std::vector<uint8_t>& bytes, size_t limit) {
  std::string s;
  char b[4];
  for (size_t i = 0; i < bytes.size() && i < limit; ++i) {
    std::snprintf(b, sizeof(b), i ? " %02x" : "%02x", bytes[i]);
    s += b;
  }
  if (bytes.size() > limit) s += " ...";
  return s;
}

std::string diff_dump(const BytePattern& expected, const std::vector<uint8_t>& actual, long mismatch) {
  // Rows around the mismatch only: a 4 KiB packet should not flood the report.
  size_t first_row = mismatch > 16 ? static_cast<size_t>(mismatch / 16 - 1) : 0;
  size_t rows_end = std::max(expected.value.size(), actual.size());
  size_t last_row = std::min((rows_end + 15) / 16, first_row + 4);
  std::string out;
  char buf[32];
  for (size_t row = first_row; row < last_row; ++row) {
    std::string e = "  expected ", a = "  actual   ", m = "           ";
    std::snprintf(buf, sizeof(buf), "%04zx: ", row * 16);
    e += buf;
    a += buf;
    m += "      ";
    for (size_t i = row * 16; i < row * 16 + 16 && i < rows_end; ++i) {
      if (i < expected.value.size()) {
        if (expected.mask[i] == 0) {
          e += "?? ";
        } else {
          std::snprintf(buf, sizeof(buf), "%02x ", expected.value[i]);
          e += buf;
        }
      } else {
        e += "   ";
      }
      if (i < actual.size()) {
        std::snprintf(buf, sizeof(buf), "%02x ", actual[i]);
        a += buf;
      } else {
        a += "-- ";
      }
      m += static_cast<long>(i) == mismatch ? "^^ " : "   ";
    }
    out += e + "\n" + a + "\n";
    if (mismatch >= static_cast<long>(row * 16) && mismatch < static_cast<long>(row * 16 + 16)) out += m + "\n";
  }
  return out;
}

}  // namespace vmbsim::scenario
