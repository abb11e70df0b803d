// `vmbsim run`: replays scenarios against a driver and prints what happened, each failure with
// its file:line and an expected/actual dump, and a summary table.
#include <cstdio>
#include <memory>

#include "cli/bundled_driver.h"
#include "cli/commands.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/runner.h"

namespace vmbsim::cli {

namespace {

struct Row {
  std::string name;
  bool passed = false;
  size_t steps = 0, packets = 0;
  double virtual_ms = 0, wall_ms = 0;
};

void print_summary(const std::vector<Row>& rows) {
  size_t width = 8;
  for (const Row& r : rows) width = std::max(width, r.name.size());
  std::printf("\n%-*s  %-6s %8s %8s %12s %10s\n", static_cast<int>(width), "scenario", "result", "steps", "packets",
              "virtual ms", "wall ms");
  size_t passed = 0, steps = 0, packets = 0;
  double vms = 0, wms = 0;
  for (const Row& r : rows) {
    std::printf("%-*s  %-6s %8zu %8zu %12.3f %10.2f\n", static_cast<int>(width), r.name.c_str(),
                r.passed ? "pass" : "FAIL", r.steps, r.packets, r.virtual_ms, r.wall_ms);
    passed += r.passed;
    steps += r.steps;
    packets += r.packets;
    vms += r.virtual_ms;
    wms += r.wall_ms;
  }
  std::printf("%-*s  %zu/%zu  %8zu %8zu %12.3f %10.2f\n", static_cast<int>(width), "total", passed, rows.size(), steps,
              packets, vms, wms);
}

}  // namespace

int run_command(const RunArgs& args) {
  std::unique_ptr<plugin::PluginDriver> driver;
  if (args.driver.empty()) {
    driver = bundled_driver();
  } else {
    std::string error;
    driver = plugin::PluginDriver::from_library(args.driver, error);
    if (!driver) {
      std::fprintf(stderr, "vmbsim: cannot use %s as a driver: %s\n", args.driver.c_str(), error.c_str());
      return kExitBadInput;
    }
  }
  // Every file is checked before anything runs: a typo in the tenth file should not cost the
  // nine runs before it.
  std::vector<scenario::Scenario> scenarios;
  bool bad = false;
  for (const std::string& path : args.scenarios) {
    scenario::LoadResult r = scenario::load_file(path);
    if (!r.ok()) {
      bad = true;
      for (const scenario::LoadError& e : r.errors) std::fprintf(stderr, "%s\n", e.str().c_str());
      continue;
    }
    scenarios.push_back(std::move(*r.scenario));
  }
  if (bad) return kExitBadInput;

  std::vector<Row> rows;
  scenario::RunOptions options;
  if (!args.log_level.empty()) options.log_level = args.log_level;
  for (size_t i = 0; i < scenarios.size(); ++i) {
    const scenario::Scenario& s = scenarios[i];
    std::printf("[%zu/%zu] %s (%s)\n", i + 1, scenarios.size(), s.name.c_str(), s.file.c_str());
    std::fflush(stdout);
    scenario::RunResult r = scenario::run(s, *driver, options);
    if (args.verbose)
      for (const std::string& line : r.log) std::printf("    %s\n", line.c_str());
    for (const scenario::StepFailure& f : r.failures) std::printf("  FAIL %s\n", f.str().c_str());
    if (r.passed)
      std::printf("  pass: %zu steps, %zu packets, %.3f ms virtual, %.2f ms wall\n", r.steps_run, r.packets,
                  r.virtual_ns / 1e6, r.wall_ms);
    if ((!r.passed || args.verbose) && r.findings > 0) std::printf("%s", r.verifier_report.c_str());
    rows.push_back(Row{s.name, r.passed, r.steps_run, r.packets, r.virtual_ns / 1e6, r.wall_ms});
  }
  if (rows.size() > 1 || args.verbose) print_summary(rows);
  for (const Row& r : rows)
    if (!r.passed) return kExitFailed;
  return kExitPassed;
}

}  // namespace vmbsim::cli
