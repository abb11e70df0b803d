// Loading scenario files (YAML; JSON is accepted, being YAML too) into the model of model.h.
// Strict: unknown keys, wrong types, out-of-range values, unknown variables, packets and
// channels are all errors, each with file:line:column and a specific message. Never throws.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/model.h"

namespace vmbsim::scenario {

struct LoadError {
  SourcePos pos;
  std::string message;
  std::string str() const;  // "file:line:column: message"
};

struct LoadResult {
  std::optional<Scenario> scenario;  // set only when there are no errors
  std::vector<LoadError> errors;
  bool ok() const { return scenario.has_value(); }
};

// Limits that keep a hostile file from exhausting the loader or the runner.
constexpr size_t kMaxFileBytes = 4u << 20;
constexpr int kMaxNesting = 64;              // flow brackets and nested repeats
constexpr size_t kMaxUnrolledSteps = 10'000'000;
constexpr size_t kMaxParsedSteps = 20'000;  // step nodes in the file (aliases expand them)

LoadResult load_file(const std::string& path);
// `name` is what error positions call the text.
LoadResult load_text(const std::string& text, const std::string& name);

}  // namespace vmbsim::scenario
