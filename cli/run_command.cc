// `vmbsim run`: replays scenarios against a driver and reports what happened, each failure with
// its file:line and an expected/actual dump, a summary table, and optionally a Chrome trace.
#include <cstdio>
#include <memory>

#include "cli/bundled_driver.h"
#include "cli/commands.h"
#include "cli/report.h"
#include "sim/scenario/chrome_trace.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/runner.h"

namespace vmbsim::cli {

int run_command(const RunArgs& args) {
  std::unique_ptr<plugin::PluginDriver> driver = driver_for(args.driver);
  if (!driver) return kExitBadInput;
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

  std::unique_ptr<Reporter> report = args.log_format == "json" ? json_reporter() : text_reporter();
  scenario::ChromeTrace trace;
  scenario::RunOptions options;
  if (!args.log_level.empty()) options.log_level = args.log_level;
  if (!args.trace.empty()) options.trace = &trace;
  std::vector<SummaryRow> rows;
  for (size_t i = 0; i < scenarios.size(); ++i) {
    const scenario::Scenario& s = scenarios[i];
    report->start(i, scenarios.size(), s);
    if (options.trace) trace.begin_process(s.name + " (" + s.file + ")");
    scenario::RunResult r = scenario::run(s, *driver, options);
    if (options.trace) trace.end_process();
    report->result(s, r, args.verbose);
    rows.push_back(SummaryRow{s.name, s.file, r.passed, r.steps_run, r.packets, r.virtual_ns / 1e6, r.wall_ms});
  }
  report->summary(rows);
  if (!args.trace.empty()) {
    std::string error;
    if (!trace.write(args.trace, error)) {
      std::fprintf(stderr, "vmbsim: %s\n", error.c_str());
      return kExitBadInput;
    }
  }
  for (const SummaryRow& r : rows)
    if (!r.passed) return kExitFailed;
  return kExitPassed;
}

}  // namespace vmbsim::cli
