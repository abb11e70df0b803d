// Playing scenarios against the echo sample: passing runs, and each way a run fails, with the
// step and file position it fails at.
#include <gtest/gtest.h>

#include "echo_plugin.h"
#include "plugin/plugin_driver.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/runner.h"
#include "tests/scenario/failures.h"

namespace vmbsim::scenario {
namespace {

const char* kChannel =
    "channels:\n"
    "  - id: echo\n"
    "    interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11\n";

// The version negotiation every echo session starts with (lines 6-7; the test's own steps start at 8).
const char* kNegotiate =
    "  - expect: {fields: [{offset: 0, type: u32, equals: 1}], as: version}\n"
    "  - complete: {packet: version, bytes: \"02000000 00000000 00000200 00000000\"}\n";

class ScenarioRunTest : public ::testing::Test {
 protected:
  RunResult play(const std::string& steps, const std::string& extra = "") {
    LoadResult r = load_text("scenario: t\n" + std::string(kChannel) + extra + "steps:\n" + kNegotiate + steps, "t.yaml");
    EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].str());
    if (!r.ok()) return {};
    return run(*r.scenario, driver);
  }
  plugin::PluginDriver driver{"echo", plugin::EntryPoints{EchoPluginEntry, EchoPluginCommand, EchoPluginUnload}};
};

const char* kEchoTwice =
    "  - driver: send 2 4\n"
    "  - repeat:\n"
    "      times: 2\n"
    "      steps:\n"
    "        - expect: {bytes: \"03000000 00000000\", fields: [{offset: 8, type: u32, capture: seq}], as: e}\n"
    "        - complete: {packet: e, bytes: \"04000000 00000000 ${seq:u32} 04000000 00010203\"}\n";

TEST_F(ScenarioRunTest, HappyPathPassesAndIsDeterministic) {
  RunResult a = play(kEchoTwice);
  ASSERT_TRUE(a.passed) << failures(a);
  EXPECT_EQ(a.steps_run, 7u);
  EXPECT_EQ(a.packets, 3u);
  RunResult b = play(kEchoTwice);
  EXPECT_EQ(a.log, b.log);
  EXPECT_EQ(a.virtual_ns, b.virtual_ns);
}

TEST_F(ScenarioRunTest, ByteMismatchNamesTheStepAndOffset) {
  RunResult r = play("  - driver: send 1 4\n  - expect: {bytes: \"03000000 00000000 05000000\"}\n");
  ASSERT_FALSE(r.passed);
  ASSERT_EQ(r.failures.size(), 1u) << failures(r);
  const StepFailure& f = r.failures[0];
  EXPECT_EQ(f.pos.line, 9);
  EXPECT_EQ(f.step, "step 4 (expect)");
  EXPECT_NE(f.message.find("differs from the expected bytes at offset 0x8"), std::string::npos) << f.message;
  EXPECT_NE(f.detail.find("^^"), std::string::npos) << f.detail;
}

TEST_F(ScenarioRunTest, FieldChecksAndVariables) {
  RunResult r = play(
      "  - driver: send 2 4\n"
      "  - expect: {fields: [{offset: 8, type: u32, capture: first}]}\n"
      "  - expect: {fields: [{offset: 8, type: u32, equals: \"${first}\"}]}\n");
  ASSERT_FALSE(r.passed);
  EXPECT_NE(r.failures[0].message.find("u32 at offset 8 is 0x2, expected 0x1"), std::string::npos) << failures(r);
}

TEST_F(ScenarioRunTest, AWaitThatNeverEndsTimesOut) {
  RunResult r = play("  - expect: {within: 50ms}\n");
  ASSERT_FALSE(r.passed);
  EXPECT_NE(r.failures[0].message.find("timed out after 50 ms"), std::string::npos) << failures(r);
  EXPECT_EQ(r.failures[0].pos.line, 8);
}

TEST_F(ScenarioRunTest, UnansweredTransactionsFailTheEndConditions) {
  RunResult r = play("  - driver: send 1 4\n  - expect: {}\n");
  ASSERT_FALSE(r.passed);
  EXPECT_NE(r.failures[0].message.find("was never completed by the scenario"), std::string::npos) << failures(r);
  RunResult relaxed = play("  - driver: send 1 4\n  - expect: {}\n", "end: {all_answered: false}\n");
  EXPECT_TRUE(relaxed.passed) << failures(relaxed);
}

TEST_F(ScenarioRunTest, HostInitiatedPacketsAndTheDriversCompletion) {
  RunResult r = play(
      "  - send: {bytes: \"05000000 00000000 07000000 2a000000\", as: n}\n"
      "  - expect_completion: {packet: n, bytes: \"06000000 00000000 07000000 2a000000\"}\n"
      "  - send: {bytes: \"05000000\", completion_requested: false}\n"
      "  - wait: 1ms\n");
  EXPECT_TRUE(r.passed) << failures(r);
}

TEST_F(ScenarioRunTest, OutOfOrderDelayedAndFailedCompletions) {
  RunResult r = play(
      "  - driver: send 3 4\n"
      "  - expect: {as: a}\n"
      "  - expect: {as: b}\n"
      "  - expect: {as: c}\n"
      "  - complete: {packet: c, bytes: \"04000000 00000000 03000000 04000000 03040506\"}\n"
      "  - complete: {packet: a, status: STATUS_UNSUCCESSFUL}\n"
      "  - complete: {packet: b, bytes: \"04000000 00000000 02000000 04000000 02030405\", after: 30s}\n"
      "  - wait: 31s\n");
  EXPECT_TRUE(r.passed) << failures(r);
  EXPECT_GE(r.virtual_ns, 31'000'000'000);
}

TEST_F(ScenarioRunTest, RescindMidTransfer) {
  RunResult r = play("  - driver: send 3 4\n  - expect: {}\n  - fault: rescind\n  - wait: 1ms\n");
  EXPECT_TRUE(r.passed) << failures(r);  // the driver's packets end cancelled; nothing is owed
}

TEST_F(ScenarioRunTest, BackPressureThenDrain) {
  RunResult r = play(
      "  - fault: {stop_draining: 5ms}\n"
      "  - driver: send 40 2000\n"
      "  - repeat: {times: 40, steps: [{expect: {within: 10ms, as: e}}, {complete: {packet: e}}]}\n",
      "end: {all_answered: true}\n");
  EXPECT_TRUE(r.passed) << failures(r);
}

TEST_F(ScenarioRunTest, APausedHostHoldsBothDirectionsUntilItResumes) {
  // A timed pause: the requests wait in the driver's ring for 20 ms, then arrive.
  RunResult timed = play(
      "  - fault: {pause: 20ms}\n"
      "  - driver: send 2 4\n"
      "  - expect_none: 19ms\n"
      "  - repeat: {times: 2, steps: [{expect: {within: 2ms, as: e}}, {complete: {packet: e}}]}\n");
  ASSERT_TRUE(timed.passed) << failures(timed);
  EXPECT_GE(timed.virtual_ns, 20'000'000);
  // Until resume: nothing is read, however long the scenario waits.
  RunResult stuck = play("  - fault: pause\n  - driver: send 1 4\n  - expect: {within: 50ms}\n");
  ASSERT_FALSE(stuck.passed);
  EXPECT_NE(stuck.failures[0].message.find("timed out after 50 ms"), std::string::npos) << failures(stuck);
  // The host's own packet is held too: the driver acknowledges it only after the resume.
  RunResult held = play(
      "  - fault: pause\n"
      "  - send: {bytes: \"05000000 00000000 07000000 2a000000\", as: n}\n"
      "  - expect_completion: {packet: n, within: 10ms}\n");
  ASSERT_FALSE(held.passed);
  EXPECT_NE(held.failures[0].message.find("timed out after 10 ms"), std::string::npos) << failures(held);
  RunResult resumed = play(
      "  - fault: pause\n"
      "  - send: {bytes: \"05000000 00000000 07000000 2a000000\", as: n}\n"
      "  - wait: 10ms\n"
      "  - fault: {resume: , channel: echo}\n"
      "  - expect_completion: {packet: n, within: 1ms, bytes: \"06000000 00000000 07000000 2a000000\"}\n");
  EXPECT_TRUE(resumed.passed) << failures(resumed);
}

TEST_F(ScenarioRunTest, RawWritesReachTheDriverAsGiven) {
  // A completion for a transaction the driver never sent and a packet of an unknown type: the
  // simulated channel drops both (SIM-PEER diagnostics, not driver faults) and carries on.
  RunResult r = play(
      "  - raw: {type: 11, txid: 0x1234, bytes: \"04000000 00000000\"}\n"
      "  - raw: {type: 0x55, flags: 1, txid: 7, bytes: \"aa\"}\n"
      "  - wait: 1ms\n"
      "  - driver: send 1 4\n"
      "  - expect: {as: e}\n"
      "  - complete: {packet: e}\n");
  ASSERT_TRUE(r.passed) << failures(r);
  EXPECT_NE(r.verifier_report.find("SIM-PEER"), std::string::npos) << r.verifier_report;
  ASSERT_GE(r.log.size(), 4u);
  EXPECT_EQ(r.log[3], "step 3 (raw): echo: raw packet type 11 flags 0x0 txid 0x1234, 0 header and 8 payload bytes");
  // An in-band packet written raw is an ordinary packet to the driver: it acknowledges it.
  RunResult inband = play(
      "  - raw: {type: 6, flags: 1, txid: 0x99, bytes: \"05000000 00000000 01000000 02000000\"}\n"
      "  - expect_none: 1ms\n");
  EXPECT_TRUE(inband.passed) << failures(inband);
  RunResult closed = play("  - close:\n  - wait: 1ms\n  - raw: {type: 6}\n");
  ASSERT_FALSE(closed.passed);
  EXPECT_NE(closed.failures[0].message.find("channel echo is not open"), std::string::npos) << failures(closed);
}

TEST_F(ScenarioRunTest, ExpectNoneFailsOnAnyArrival) {
  RunResult quiet = play("  - expect_none: 5ms\n  - driver: send 1 4\n  - expect: {as: e}\n  - complete: {packet: e}\n");
  EXPECT_TRUE(quiet.passed) << failures(quiet);
  EXPECT_GE(quiet.virtual_ns, 5'000'000);
  RunResult noisy = play("  - driver: send 1 4\n  - expect_none: {within: 5ms}\n");
  ASSERT_FALSE(noisy.passed);
  EXPECT_NE(noisy.failures[0].message.find("where nothing was expected"), std::string::npos) << failures(noisy);
  EXPECT_EQ(noisy.failures[0].step, "step 4 (expect_none)");
}

TEST_F(ScenarioRunTest, ExpectedViolationsMustHappen) {
  RunResult r = play("  - wait: 1ms\n", "end: {violations: [40]}\n");
  ASSERT_FALSE(r.passed);
  EXPECT_NE(r.failures.back().message.find("expected violations of rule(s) 40, the verifier reported none"),
            std::string::npos)
      << failures(r);
}

TEST_F(ScenarioRunTest, NullAllocationsReachTheDriver) {
  RunResult r = play("  - fault: {fail_allocations: 1}\n  - driver: send 1 4\n");
  ASSERT_FALSE(r.passed);  // the sample reports the failed allocation as its command's status
  EXPECT_NE(r.failures[0].message.find("returned STATUS_INSUFFICIENT_RESOURCES, expected STATUS_SUCCESS"),
            std::string::npos)
      << failures(r);
  RunResult expected = play(
      "  - fault: {fail_allocations: 1}\n"
      "  - driver: {command: send 1 4, status: STATUS_INSUFFICIENT_RESOURCES}\n"
      "  - driver: send 1 4\n"
      "  - expect: {as: e}\n"
      "  - complete: {packet: e}\n");
  EXPECT_TRUE(expected.passed) << failures(expected);
}

TEST_F(ScenarioRunTest, DriverCommandsWaitForTheDriversCallbacksToReturn) {
  // The version request blocks EvtChannelPostStarted in a nested pump; the command after its
  // completion runs only once the callback has returned, so the echo request follows it.
  RunResult r = play(kEchoTwice);
  ASSERT_TRUE(r.passed) << failures(r);
  RunResult direct = play("  - driver: send 1 4\n  - expect: {fields: [{offset: 0, type: u32, equals: 3}], as: e}\n"
                          "  - complete: {packet: e}\n");
  EXPECT_TRUE(direct.passed) << failures(direct);
}

TEST_F(ScenarioRunTest, DriverEntryFailureFailsTheRun) {
  RunResult r = play("  - wait: 1ms\n", "driver: {args: \"unexpected\"}\n");
  ASSERT_FALSE(r.passed);
  EXPECT_NE(r.failures[0].message.find("the driver's entry failed: STATUS_INVALID_PARAMETER"), std::string::npos)
      << failures(r);
}

}  // namespace
}  // namespace vmbsim::scenario
