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
// Nodes reached again through YAML aliases (alias_budget.h): a small file of nested aliases
// names an exponential tree ("billion laughs"). What is written out counts nothing, so a
// recording of any length loads.
constexpr size_t kMaxAliasExpansions = 100'000;

LoadResult load_file(const std::string& path);
// `name` is what error positions call the text.
LoadResult load_text(const std::string& text, const std::string& name);

}  // namespace vmbsim::scenario
