// How `vmbsim run` reports: readable text (default), or one JSON object per line for machines
// (--log-format json). Both say the same things in the same order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/scenario/model.h"
#include "sim/scenario/runner.h"

namespace vmbsim::cli {

struct SummaryRow {
  std::string name, file;
  bool passed = false;
  size_t steps = 0, packets = 0;
  double virtual_ms = 0, wall_ms = 0;
};

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void start(size_t index, size_t total, const scenario::Scenario& s) = 0;
  virtual void result(const scenario::Scenario& s, const scenario::RunResult& r, bool verbose) = 0;
  virtual void summary(const std::vector<SummaryRow>& rows) = 0;
};

std::unique_ptr<Reporter> text_reporter();
std::unique_ptr<Reporter> json_reporter();

}  // namespace vmbsim::cli
