// What a failed scenario run said, for assertion messages in the scenario tests.
#pragma once

#include <string>

#include "sim/scenario/runner.h"

namespace vmbsim::scenario {

// Each failure on its line, then the verifier's report.
inline std::string failures(const RunResult& r) {
  std::string s;
  for (const auto& f : r.failures) s += f.str() + "\n";
  return s + r.verifier_report;
}

}  // namespace vmbsim::scenario
