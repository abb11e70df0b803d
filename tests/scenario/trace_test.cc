// The Chrome trace of a scenario run: well-formed, with the tracks and spans users look for.
#include <map>

#include <gtest/gtest.h>

#include "echo_plugin.h"
#include "plugin/plugin_driver.h"
#include "sim/scenario/chrome_trace.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/runner.h"

namespace vmbsim::scenario {
namespace {

const char* kScenario =
    "scenario: traced\n"
    "channels: [{id: echo, interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11}]\n"
    "steps:\n"
    "  - expect: {as: version}\n"
    "  - complete: {packet: version, bytes: \"02000000 00000000 00000200 00000000\"}\n"
    "  - driver: send 2 4\n"
    "  - repeat: {times: 2, steps: [{expect: {as: e}}, {complete: {packet: e}}]}\n"
    "  - send: {bytes: \"05000000 00000000 01000000 02000000\", as: n}\n"
    "  - expect_completion: {packet: n}\n"
    "  - fault: {fail_allocations: 1}\n"
    "  - driver: {command: send 1 4, status: STATUS_INSUFFICIENT_RESOURCES}\n";

TEST(ChromeTrace, ARunBecomesAWellFormedTimeline) {
  LoadResult l = load_text(kScenario, "traced.yaml");
  ASSERT_TRUE(l.ok()) << l.errors[0].str();
  plugin::PluginDriver driver{"echo", plugin::EntryPoints{EchoPluginEntry, EchoPluginCommand, EchoPluginUnload}};
  ChromeTrace trace;
  RunOptions options;
  options.trace = &trace;
  trace.begin_process("traced");
  RunResult r = run(*l.scenario, driver, options);
  trace.end_process();
  ASSERT_TRUE(r.passed) << (r.failures.empty() ? "" : r.failures[0].str());

  std::map<std::string, int> phases;
  std::map<uint64_t, int> slices;  // tid -> open B
  std::map<uint64_t, int> spans;   // id -> open b
  std::map<std::string, int> steps;
  double last = -1;
  for (const auto& e : trace.events()) {
    std::string ph = e["ph"];
    ++phases[ph];
    if (ph == "M") continue;
    double ts = e["ts"];
    EXPECT_GE(ts, last) << e.dump();  // in order (a state slice ends where the next begins)
    last = ts;
    if (ph == "B") ++slices[e["tid"]];
    if (ph == "E") {
      EXPECT_GE(--slices[e["tid"]], 0) << e.dump();
    }
    if (ph == "b") ++spans[e["id"]];
    if (ph == "e") {
      EXPECT_GE(--spans[e["id"]], 0) << e.dump();
    }
    if (ph == "n") ++steps[std::string(e["cat"]) + ":" + std::string(e["name"])];
  }
  for (const auto& s : slices) EXPECT_EQ(s.second, 0) << "tid " << s.first;
  for (const auto& s : spans) EXPECT_EQ(s.second, 0) << "object " << s.first;
  EXPECT_GE(phases["B"], 5);  // the channel's states
  EXPECT_EQ(phases["i"], 7 + 2 * 2);  // one mark per step run (7 plain + 2x2 repeated)
  // Two echo requests and the version request went out and came back; the notification came in.
  EXPECT_EQ(steps["packet:send"], 3);
  EXPECT_EQ(steps["packet:in ring"], 3);
  EXPECT_EQ(steps["packet:peer completed"], 3);
  EXPECT_EQ(steps["incoming:EvtVmbChannelProcessPacket"], 1);
  EXPECT_EQ(steps["incoming:completed"], 1);
}

TEST(ChromeTrace, ProcessesFollowEachOtherAndOpenSpansAreClosed) {
  ChromeTrace trace;
  trace.begin_process("one");
  trace.event(TraceEvent{TraceKind::ObjectBegin, 5, 1, 9, "packet", "P9", ""});
  trace.event(TraceEvent{TraceKind::ChannelState, 5, 1, 0, "channel", "enabled", ""});
  trace.end_process();
  trace.begin_process("two");
  trace.event(TraceEvent{TraceKind::Instant, 0, 0, 0, "scenario", "x", ""});
  trace.end_process();
  double first_end = 0, second = 0;
  int ends = 0;
  for (const auto& e : trace.events()) {
    if (e["ph"] == "e" || e["ph"] == "E") {
      ++ends;
      first_end = e["ts"];
    }
    if (e["ph"] == "i") second = e["ts"];
  }
  EXPECT_EQ(ends, 2);  // the packet span and the state slice, closed at the end
  EXPECT_GT(second, first_end);
}

}  // namespace
}  // namespace vmbsim::scenario
