// The fuzz harness: decoding is total and stable, runs are deterministic, the correct echo sample
// survives what the fuzzer throws at it, and each deliberately buggy variant is caught by the
// oracle meant for it, from a short, readable action sequence.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "echo_fuzz_target.h"
#include "echo_protocol.h"
#include "fuzz/harness/harness.h"
#include "fuzz/harness/repro.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/runner.h"
#include "plugin/plugin_driver.h"
#include "storage_fuzz_target.h"

namespace vmbsim::fuzz {
namespace {

Action complete(uint32_t index, Payload p, Status status = 0) {
  Action a;
  a.kind = ActionKind::Complete;
  a.index = index;
  a.status = status;
  a.payload = std::move(p);
  return a;
}
Payload message(uint32_t i) {
  Payload p;
  p.source = Payload::Source::Template;
  p.index = i;
  return p;
}
Payload reflect() {
  Payload p;
  p.source = Payload::Source::Reflect;
  return p;
}
Payload raw(std::vector<uint8_t> b) {
  Payload p;
  p.raw = std::move(b);
  return p;
}
Action simple(ActionKind k, uint32_t index = 0, uint64_t value = 0) {
  Action a;
  a.kind = k;
  a.index = index;
  a.value = value;
  return a;
}

// The echo target's messages: 0/1 version responses (v2, v1), 2..4 echo responses for sequences
// 1..3, 5 a notification. Commands: 0 "send 1 8", 1 "send 3 8", ...
SessionResult run(const Target& t, const std::vector<Action>& actions) {
  std::vector<uint8_t> input = encode_actions(actions, t);
  return run_input(t, input.data(), input.size());
}

std::set<int> rules(const SessionResult& r) { return std::set<int>(r.rules.begin(), r.rules.end()); }

// Version negotiation answered, one echo request answered by reflecting it with the type fixed.
std::vector<Action> happy_path() {
  Payload echo = reflect();
  echo.edits = {{0, ECHO_MSG_ECHO_RESPONSE}};
  return {complete(0, message(0)), simple(ActionKind::DriverCommand, 0), complete(0, echo)};
}

TEST(FuzzDecode, AnyBytesDecodeAndEmptyDecodesToNothing) {
  Target t = echo_fuzz_target();
  EXPECT_TRUE(decode_actions(nullptr, 0, t, 64).empty());
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> b(rng() % 300);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    std::vector<Action> a = decode_actions(b.data(), b.size(), t, 64);
    EXPECT_LE(a.size(), 64u);
    for (const Action& x : a) EXPECT_FALSE(describe(x, t).empty());
  }
}

TEST(FuzzDecode, EncodeIsTheInverseOfDecode) {
  Target t = echo_fuzz_target();
  Payload edited = message(3);
  edited.edits = {{8, 2}, {300, 7}};
  edited.resize = 12;
  Action later = complete(2, reflect(), static_cast<Status>(0xC0000120u));
  later.kind = ActionKind::CompleteLater;
  later.value = 10'000'000;
  Action rawpkt = simple(ActionKind::RawPacket, 0, 0x1234);
  rawpkt.type = 0x55;
  rawpkt.flags = 1;
  rawpkt.payload = raw({1, 2, 3});
  Action send = simple(ActionKind::Send);
  send.flags = 1;
  send.payload = message(5);
  Action odd = complete(1, raw({9, 9}), 0x12345678);
  std::vector<Action> in = {complete(0, edited), later, rawpkt, send, odd,
                            simple(ActionKind::DriverCommand, 3), simple(ActionKind::Advance, 0, 1'100'000'000),
                            simple(ActionKind::StopDraining), simple(ActionKind::ResumeDraining),
                            simple(ActionKind::FailAllocations, 0, 2), simple(ActionKind::Close),
                            simple(ActionKind::Rescind), simple(ActionKind::CorruptIndex, 1, 0x3)};
  std::vector<uint8_t> bytes = encode_actions(in, t);
  std::vector<Action> out = decode_actions(bytes.data(), bytes.size(), t, 64);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(describe(out[i], t), describe(in[i], t)) << "action " << i;
}

TEST(FuzzRun, TheSampleSurvivesTheHappyPathAndRunsAreDeterministic) {
  Target t = echo_fuzz_target();
  SessionResult a = run(t, happy_path());
  SessionResult b = run(t, happy_path());
  EXPECT_TRUE(a.driver_loaded);
  EXPECT_TRUE(a.findings.empty()) << a.findings.front();
  EXPECT_EQ(a.log, b.log);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.virtual_ns, b.virtual_ns);
}

TEST(FuzzRun, TheSampleSurvivesRandomHostileHosts) {
  Target t = echo_fuzz_target();
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> b(rng() % 200);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    SessionResult r = run_input(t, b.data(), b.size());
    ASSERT_TRUE(r.findings.empty()) << "input " << i << ": " << r.findings.front();
  }
}

TEST(FuzzRun, AHostThatNeverAnswersIsNotAFindingButADriverThatNeverCompletesIs) {
  Target t = echo_fuzz_target();
  // The host ignores the driver entirely: the driver's requests are cancelled at unload.
  EXPECT_TRUE(run(t, {simple(ActionKind::DriverCommand, 1), simple(ActionKind::Advance, 0, 5'000'000'000)}).findings.empty());
  // The buggy driver keeps a notification it never completes.
  Target bug = echo_fuzz_target("keep_notify");
  Action notify = simple(ActionKind::Send);
  notify.flags = 1;
  notify.payload = message(5);
  SessionResult r = run(bug, {complete(0, message(0)), notify});
  EXPECT_FALSE(r.findings.empty());
  EXPECT_TRUE(rules(r).count(53) || rules(r).count(23)) << r.findings.front();
}

// Each bug kind, from the shortest action sequence that shows it.
struct BugCase {
  const char* bug;
  std::vector<Action> actions;
  int rule;
};

std::vector<BugCase> bug_cases() {
  Payload wrong_sequence = message(3);  // an echo response for sequence 2
  Action full_notify = simple(ActionKind::Send);
  full_notify.flags = 1;
  full_notify.payload = message(5);
  return {
      {"double_free", happy_path(), 40},
      {"use_after_completion", {complete(0, message(0)), simple(ActionKind::DriverCommand, 0), complete(0, reflect())}, 2},
      {"leak_on_rescind", {complete(0, message(0)), simple(ActionKind::DriverCommand, 0), simple(ActionKind::Rescind)}, 43},
      // Two requests in flight (sequences 1..3); the first is answered with the second's sequence.
      {"txid_confusion", {complete(0, message(0)), simple(ActionKind::DriverCommand, 1), complete(0, wrong_sequence)}, 41},
      {"keep_notify", {complete(0, message(0)), full_notify}, 23},  // Disable would wait forever
  };
}

TEST(FuzzBugs, EachBuggyVariantIsCaughtByTheVerifierAndTheSampleIsNot) {
  for (const BugCase& c : bug_cases()) {
    SessionResult found = run(echo_fuzz_target(c.bug), c.actions);
    EXPECT_TRUE(rules(found).count(c.rule)) << c.bug << ": expected rule " << c.rule << ", got "
                                            << (found.findings.empty() ? "nothing" : found.findings.front());
    SessionResult sample = run(echo_fuzz_target(), c.actions);
    EXPECT_TRUE(sample.findings.empty()) << c.bug << " actions on the sample: " << sample.findings.front();
  }
}

#if defined(__SANITIZE_ADDRESS__)
#define VMBSIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VMBSIM_ASAN 1
#endif
#endif

#ifdef VMBSIM_ASAN
TEST(FuzzBugsDeathTest, AnOverReadOfAShortPacketIsCaughtByAddressSanitizer) {
  Payload short_notify = message(5);
  short_notify.resize = 1 + 4;
  Action notify = simple(ActionKind::Send);
  notify.payload = short_notify;
  Target t = echo_fuzz_target("trust_length");
  EXPECT_DEATH(run(t, {complete(0, message(0)), notify}), "heap-buffer-overflow");
  EXPECT_TRUE(run(echo_fuzz_target(), {complete(0, message(0)), notify}).findings.empty());
}
#endif

TEST(FuzzRepro, AFindingBecomesAScenarioThatReplaysIt) {
  Target t = echo_fuzz_target("double_free");
  std::vector<uint8_t> input = encode_actions(happy_path(), t);
  Reproducer r = scenario_from_input(t, input.data(), input.size());
  ASSERT_FALSE(r.result.findings.empty());
  scenario::LoadResult loaded = scenario::load_text(r.yaml, "repro.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().str() << "\n" << r.yaml;
  plugin::PluginDriver driver("buggy echo", t.driver);
  scenario::RunResult run = scenario::run(*loaded.scenario, driver);
  EXPECT_TRUE(run.passed) << (run.failures.empty() ? "" : run.failures.front().str()) << "\n" << r.yaml;
  EXPECT_NE(r.yaml.find("violations: [40"), std::string::npos) << r.yaml;
}

TEST(FuzzRepro, HostileWritesRecordAndReplay) {
  Target t = echo_fuzz_target();
  Action bad_completion = simple(ActionKind::CompleteRaw, 3, 0x777);
  bad_completion.payload = raw({1, 2, 3, 4});
  Action malformed = simple(ActionKind::Malformed);
  malformed.payload = raw({6, 0, 1, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb});  // offset8 1 < 2
  std::vector<Action> actions = {complete(0, message(0)), simple(ActionKind::FailAllocations, 0, 1),
                                 simple(ActionKind::DriverCommand, 0), bad_completion,
                                 simple(ActionKind::DriverCommand, 0), malformed};
  std::vector<uint8_t> input = encode_actions(actions, t);
  Reproducer r = scenario_from_input(t, input.data(), input.size());
  EXPECT_TRUE(r.result.findings.empty()) << r.result.findings.front();
  EXPECT_NE(r.yaml.find("verbatim"), std::string::npos) << r.yaml;
  EXPECT_NE(r.yaml.find("fail_allocations: 1"), std::string::npos) << r.yaml;
  scenario::LoadResult loaded = scenario::load_text(r.yaml, "repro.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().str() << "\n" << r.yaml;
  plugin::PluginDriver driver("echo", t.driver);
  scenario::RunResult run = scenario::run(*loaded.scenario, driver);
  EXPECT_TRUE(run.passed) << (run.failures.empty() ? "" : run.failures.front().str()) << "\n" << r.yaml;
}

TEST(FuzzRepro, AHostileGuestRecordsAsAServerScenarioThatReplays) {
  Target t = storage_fuzz_target();
  Action init = simple(ActionKind::Send);
  init.flags = 1;
  init.payload = message(0);  // STOR_INIT naming GPADL 0x1000
  Action write = simple(ActionKind::Send);
  write.flags = 1 | 2 | (1 << 2);  // with 1024 bytes of external data
  write.payload = message(2);
  Action bad_range = simple(ActionKind::RawPacket, 0, 0x99);
  bad_range.type = 9;
  bad_range.flags = 1;
  bad_range.payload = raw(std::vector<uint8_t>(48, 0xff));  // ranges the guest never pinned
  std::vector<Action> actions = {init, write, bad_range, simple(ActionKind::Close), simple(ActionKind::Rescind), init,
                                 simple(ActionKind::CorruptIndex, 0, 0xfffffff8)};
  std::vector<uint8_t> input = encode_actions(actions, t);
  Reproducer r = scenario_from_input(t, input.data(), input.size());
  EXPECT_TRUE(r.result.findings.empty()) << r.result.findings.front();
  for (const char* step : {"role: server", "- open:", "- gpadl:", "external: {size: 1024", "- close:", "- raw:",
                           "corrupt_index: {ring: incoming, value: 0xfffffff8}"})
    EXPECT_NE(r.yaml.find(step), std::string::npos) << step << "\n" << r.yaml;
  scenario::LoadResult loaded = scenario::load_text(r.yaml, "repro.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().str() << "\n" << r.yaml;
  plugin::PluginDriver driver("storage server", t.driver);
  scenario::RunResult run = scenario::run(*loaded.scenario, driver);
  EXPECT_TRUE(run.passed) << (run.failures.empty() ? "" : run.failures.front().str()) << "\n" << r.yaml;
}

TEST(FuzzRepro, ADisableThatWouldHangReplaysAsHangTrue) {
  Target t = echo_fuzz_target("keep_notify");
  Action notify = simple(ActionKind::Send);
  notify.flags = 1;
  notify.payload = message(5);
  std::vector<uint8_t> input = encode_actions({complete(0, message(0)), notify}, t);
  Reproducer r = scenario_from_input(t, input.data(), input.size());
  EXPECT_NE(r.yaml.find("hang: true"), std::string::npos) << r.yaml;
  scenario::LoadResult loaded = scenario::load_text(r.yaml, "repro.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().str() << "\n" << r.yaml;
  plugin::PluginDriver driver("buggy echo", t.driver);
  scenario::RunResult run = scenario::run(*loaded.scenario, driver);
  EXPECT_TRUE(run.passed) << (run.failures.empty() ? "" : run.failures.front().str()) << "\n" << r.yaml;
}

TEST(FuzzRun, ARunStillBusyPastItsLimitsIsAFinding) {
  Target t = echo_fuzz_target();
  t.settle_limit_ns = 1'000'000;  // 1 ms after the last action
  Action later = complete(0, message(0));
  later.kind = ActionKind::CompleteLater;
  later.value = 10'000'000;  // the run still has work 10 ms on
  SessionResult r = run(t, {later});
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings.front().rfind("hang:", 0), 0u) << r.findings.front();

  Target small = echo_fuzz_target();
  small.max_events = 5;
  SessionResult l = run(small, happy_path());
  ASSERT_FALSE(l.findings.empty());
  EXPECT_EQ(l.findings.front().rfind("livelock:", 0), 0u) << l.findings.front();
}

TEST(FuzzSeeds, AScenarioBecomesASeedThatPlaysTheSameExchange) {
  Target t = echo_fuzz_target();
  scenario::LoadResult loaded = scenario::load_file(std::string(VMBSIM_SOURCE_DIR) + "/scenarios/echo_happy_path.yaml");
  ASSERT_TRUE(loaded.ok());
  std::string error;
  std::vector<uint8_t> seed = seed_from_scenario(t, *loaded.scenario, error);
  ASSERT_FALSE(seed.empty()) << error;
  SessionResult r = run_input(t, seed.data(), seed.size());
  EXPECT_TRUE(r.findings.empty());
  // The version response and the three echo responses all found a transaction to complete.
  size_t completions = 0, skipped = 0;
  for (const std::string& line : r.log) {
    completions += line.rfind("complete transaction", 0) == 0;
    skipped += line.find("skipped") != std::string::npos;
  }
  EXPECT_EQ(completions, 4u);
  EXPECT_EQ(skipped, 0u);
}

}  // namespace
}  // namespace vmbsim::fuzz
