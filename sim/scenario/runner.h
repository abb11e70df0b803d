// Plays a scenario against a driver: a fresh simulation, the channels offered (or the driver's
// offers opened by a simulated guest), then the steps in order, in virtual time. The steps run
// as events of the simulation, so the peer answers even while the driver blocks in a nested
// pump (a synchronous request in EvtChannelPostStarted, a Disable waiting for completions).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/core/endpoint_observer.h"
#include "sim/core/trace_sink.h"
#include "sim/scenario/driver_under_test.h"
#include "sim/scenario/model.h"

namespace vmbsim::scenario {

struct StepFailure {
  SourcePos pos;         // the step, or the end conditions
  std::string step;      // "step 3 (expect)"
  std::string message;
  std::string detail;    // e.g. an expected/actual hex dump
  std::string str() const;
};

struct RunResult {
  bool passed = false;
  std::vector<StepFailure> failures;
  size_t steps_run = 0;
  size_t packets = 0;        // packets and completions either way
  int64_t virtual_ns = 0;
  double wall_ms = 0;
  std::string verifier_report;
  size_t findings = 0;  // verifier findings of any kind (rules and diagnostics)
  std::vector<std::string> log;  // what happened, one line per step (deterministic)
};

struct RunOptions {
  std::string log_level = "off";  // the simulation's spdlog level
  TraceSink* trace = nullptr;      // receives the run's timeline events (not owned)
  // Watches what the simulated peer of each channel does and sees (not owned; null: none). Fuzz
  // seeds are made this way: the scenario's peer actions, as the fuzz harness would encode them.
  EndpointObserver* observer = nullptr;
};

RunResult run(const Scenario& scenario, DriverUnderTest& driver, const RunOptions& options = {});

}  // namespace vmbsim::scenario
