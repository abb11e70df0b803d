// BM_ScenarioReplay: a whole scenario replayed in-process against the bundled echo sample, as
// `vmbsim run` does minus process start and file reading. The scenario is loaded once; each
// iteration is a fresh simulation, driver load, 1000 echo round trips checked field by field,
// unload and the leak check. Issue 4's target: at least 100,000 scenario steps per second on
// one core (the "steps/s" counter). Compare with BM_PacketLifecycle in the same run for what
// the scenario machinery costs on top of the raw KMCL path.
#include <benchmark/benchmark.h>

#include <string>

#include "echo_plugin.h"
#include "plugin/plugin_driver.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/runner.h"

namespace {

using namespace vmbsim;

// 3 steps per round trip (driver send, expect with captures, templated complete), so the
// per-run setup is a small part of the ~3000 steps.
const char* const kScenario = R"(scenario: bench echo round trips
channels:
  - id: echo
    interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11
steps:
  - expect: {length: 16, fields: [{offset: 0, type: u32, equals: 1}], as: version}
  - complete: {packet: version, bytes: "02000000 00000000 00000200 00000000"}
  - repeat:
      times: 1000
      steps:
        - driver: send 1 8
        - expect:
            type: inband
            completion_requested: true
            bytes: "03000000 00000000 ???????? 08000000"
            fields: [{offset: 8, type: u32, capture: seq}, {offset: 16, type: u64, capture: data}]
            as: echo
        - complete: {packet: echo, bytes: "04000000 00000000 ${seq:u32} 08000000 ${data}"}
)";

void BM_ScenarioReplay(benchmark::State& state) {
  scenario::LoadResult loaded = scenario::load_text(kScenario, "bench.yaml");
  if (!loaded.ok()) {
    state.SkipWithError(loaded.errors[0].str().c_str());
    return;
  }
  const plugin::EntryPoints echo{EchoPluginEntry, EchoPluginCommand, EchoPluginUnload};
  int64_t steps = 0;
  for (auto _ : state) {
    plugin::PluginDriver driver("echo", echo);
    const scenario::RunResult r = scenario::run(*loaded.scenario, driver);
    if (!r.passed) {
      state.SkipWithError(r.failures.empty() ? "scenario failed" : r.failures[0].str().c_str());
      break;
    }
    steps += static_cast<int64_t>(r.steps_run);
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["steps/run"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_ScenarioReplay)->Unit(benchmark::kMillisecond);

}  // namespace
