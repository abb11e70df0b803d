#include "sim/scenario/yaml_reader.h"

#include <cerrno>
#include <cstdlib>

namespace vmbsim::scenario {

namespace {

const char* type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "a value";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    default: return "an undefined node";
  }
}

// Parses an unsigned integer written in decimal or 0x-hex, the whole string.
bool parse_uint(const std::string& s, uint64_t& v) {
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long x = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end == s.c_str() || *end != '\0') return false;
  // strtoull reads "010" as octal: refuse, so nobody is surprised.
  if (s.size() > 1 && s[0] == '0' && s[1] != 'x' && s[1] != 'X') return false;
  v = x;
  return true;
}

}  // namespace

SourcePos YamlReader::pos(const YAML::Node& n) const {
  SourcePos p;
  p.file = file_;
  YAML::Mark m = n.Mark();
  if (m.line >= 0) {
    p.line = m.line + 1;
    p.column = m.column + 1;
  }
  return p;
}

void YamlReader::error(const YAML::Node& n, const std::string& message) { error(pos(n), message); }

void YamlReader::error(const SourcePos& p, const std::string& message) { errors_.push_back(LoadError{p, message}); }

bool YamlReader::check_map(const YAML::Node& n, const std::string& what, std::initializer_list<const char*> allowed) {
  if (!n.IsMap()) {
    error(n, what + " must be a mapping, not " + type_name(n));
    return false;
  }
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) {
      error(it->first, "keys in " + what + " must be plain names");
      continue;
    }
    std::string key = it->first.Scalar();
    bool known = false;
    std::string list;
    for (const char* a : allowed) {
      known = known || key == a;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    if (!known) error(it->first, "unknown key '" + key + "' in " + what + " (expected: " + list + ")");
  }
  return true;
}

bool YamlReader::check_sequence(const YAML::Node& n, const std::string& what) {
  if (n.IsSequence()) return true;
  error(n, what + " must be a list, not " + type_name(n));
  return false;
}

std::string YamlReader::str(const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) {
    error(n, what + " must be a value, not " + type_name(n));
    return {};
  }
  return n.Scalar();
}

bool YamlReader::boolean(const YAML::Node& n, const std::string& what) {
  std::string s = str(n, what);
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  if (n.IsScalar()) error(n, what + " must be true or false, not '" + s + "'");
  return false;
}

uint64_t YamlReader::uint(const YAML::Node& n, const std::string& what, uint64_t max) {
  if (!n.IsScalar()) {
    error(n, what + " must be a number, not " + type_name(n));
    return 0;
  }
  uint64_t v = 0;
  if (!parse_uint(n.Scalar(), v)) {
    error(n, what + " must be a non-negative integer (decimal or 0x hex), not '" + n.Scalar() + "'");
    return 0;
  }
  if (v > max) {
    error(n, what + " = " + n.Scalar() + " is out of range (at most " + std::to_string(max) + ")");
    return 0;
  }
  return v;
}

int64_t YamlReader::duration(const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) {
    error(n, what + " must be a duration like 5ms, not " + type_name(n));
    return 0;
  }
  const std::string& s = n.Scalar();
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  std::string unit = s.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  uint64_t scale = 0;
  if (unit.empty() || unit == "ns") scale = 1;
  else if (unit == "us") scale = 1000;
  else if (unit == "ms") scale = 1000000;
  else if (unit == "s") scale = 1000000000;
  else if (unit == "min") scale = 60000000000ull;
  uint64_t v = 0;
  if (digits == 0 || scale == 0 || !parse_uint(s.substr(0, digits), v)) {
    error(n, what + " must be a duration: an integer with ns, us, ms, s or min (e.g. 250us), not '" + s + "'");
    return 0;
  }
  // At most a day of virtual time: anything longer is a typo, and it keeps the sums in range.
  constexpr uint64_t kDay = 86400000000000ull;
  if (v > kDay / scale) {
    error(n, what + " = " + s + " is longer than a day of virtual time");
    return 0;
  }
  return static_cast<int64_t>(v * scale);
}

Guid YamlReader::guid(const YAML::Node& n, const std::string& what) {
  Guid g;
  std::string s = str(n, what);
  if (n.IsScalar() && !Guid::parse(s, g))
    error(n, what + " must be a GUID like 3c5e0f7a-2b1d-4e6f-9a8b-7c6d5e4f3a2b, not '" + s + "'");
  return g;
}

Status YamlReader::status(const YAML::Node& n, const std::string& what) {
  std::string s = str(n, what);
  if (!n.IsScalar()) return status::kSuccess;
  Status st;
  if (parse_status(s, st)) return st;
  uint64_t v = 0;
  if (parse_uint(s, v) && v <= 0xffffffffu) return static_cast<Status>(static_cast<uint32_t>(v));
  error(n, what + " must be a status name such as STATUS_CANCELLED or a 32-bit number, not '" + s + "'");
  return status::kSuccess;
}

}  // namespace vmbsim::scenario
