#include "sim/scenario/model.h"

namespace vmbsim::scenario {

std::string SourcePos::str() const {
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

size_t field_size(FieldType t) {
  switch (t) {
    case FieldType::U8: return 1;
    case FieldType::U16: return 2;
    case FieldType::U32: return 4;
    case FieldType::U64: return 8;
    case FieldType::Guid: return 16;
  }
  return 0;
}

const char* to_string(FieldType t) {
  switch (t) {
    case FieldType::U8: return "u8";
    case FieldType::U16: return "u16";
    case FieldType::U32: return "u32";
    case FieldType::U64: return "u64";
    case FieldType::Guid: return "guid";
  }
  return "?";
}

bool parse_field_type(const std::string& s, FieldType& t) {
  for (FieldType f : {FieldType::U8, FieldType::U16, FieldType::U32, FieldType::U64, FieldType::Guid}) {
    if (s == to_string(f)) {
      t = f;
      return true;
    }
  }
  return false;
}

namespace {
size_t count_steps(const Steps& steps) {
  size_t n = 0;
  for (const Step& s : steps) n += s.kind == StepKind::Repeat ? s.times * count_steps(s.body) : 1;
  return n;
}
}  // namespace

size_t Scenario::step_count() const { return count_steps(steps); }

}  // namespace vmbsim::scenario
