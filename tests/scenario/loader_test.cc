// Scenario files: what the loader accepts, and a specific file:line:column error for each kind
// of mistake.
#include <gtest/gtest.h>

#include <chrono>

#include "sim/scenario/bytes.h"
#include "sim/scenario/loader.h"

namespace vmbsim::scenario {
namespace {

const char* kHeader =
    "scenario: t\n"
    "channels:\n"
    "  - id: a\n"
    "    interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11\n";

LoadResult load(const std::string& steps, const std::string& extra = "") {
  return load_text(std::string(kHeader) + extra + "steps:\n" + steps, "t.yaml");
}

std::string all_errors(const LoadResult& r) {
  std::string s;
  for (const LoadError& e : r.errors) s += e.str() + "\n";
  return s;
}

// The one error a text must produce, as "line:column: message-fragment".
void expect_error(const LoadResult& r, int line, int column, const std::string& fragment) {
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u) << r.errors[0].str() << (r.errors.size() > 1 ? "\n" + r.errors[1].str() : "");
  EXPECT_EQ(r.errors[0].pos.line, line) << r.errors[0].str();
  EXPECT_EQ(r.errors[0].pos.column, column) << r.errors[0].str();
  EXPECT_NE(r.errors[0].message.find(fragment), std::string::npos) << r.errors[0].str();
}

TEST(ScenarioLoader, AWholeScenario) {
  LoadResult r = load(
      "  - expect: {type: inband, completion_requested: true, length: 16, bytes: \"01 00 ?? 00\",\n"
      "             fields: [{offset: 8, type: u32, capture: v}, {offset: 4, type: u16, mask: 0xff, equals: 2}],\n"
      "             as: req, within: 5ms}\n"
      "  - complete: {packet: req, status: STATUS_CANCELLED, bytes: \"02 ${v:u16} ${v}\", after: 1us}\n"
      "  - send: {bytes: \"aa bb\", as: n}\n"
      "  - expect_completion: {packet: n, min_length: 8}\n"
      "  - repeat: {times: 3, steps: [{wait: 2s}, {driver: send 1}]}\n"
      "  - fault: {fail_allocations: 2}\n"
      "  - fault: {stop_draining: 1ms}\n"
      "  - fault: rescind\n"
      "  - close:\n",
      "seed: 7\ndriver: {args: \"x=1\"}\nend: {violations: [40, 41], no_leaks: false}\n");
  ASSERT_TRUE(r.ok()) << r.errors[0].str();
  const Scenario& s = *r.scenario;
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.driver_args, "x=1");
  ASSERT_EQ(s.steps.size(), 9u);
  EXPECT_EQ(s.step_count(), 8u + 6u);
  const Step& e = s.steps[0];
  EXPECT_EQ(e.kind, StepKind::Expect);
  EXPECT_EQ(e.match.kind, PacketKind::InBand);
  EXPECT_EQ(*e.match.length, 16u);
  EXPECT_EQ(e.match.bytes.mask, (std::vector<uint8_t>{0xff, 0xff, 0, 0xff}));
  ASSERT_EQ(e.match.fields.size(), 2u);
  EXPECT_EQ(e.match.fields[1].mask, 0xffu);
  EXPECT_EQ(*e.within_ns, 5'000'000);
  EXPECT_EQ(e.pos.line, 9);  // after the 4 header and 3 extra lines and "steps:"
  EXPECT_EQ(s.steps[1].status, status::kCancelled);
  EXPECT_EQ(s.steps[1].after_ns, 1000);
  Variables vars{{"v", Variable{0x1234, FieldType::U32}}};
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(render(s.steps[1].bytes, vars, bytes, error));
  EXPECT_EQ(bytes, (std::vector<uint8_t>{2, 0x34, 0x12, 0x34, 0x12, 0, 0}));
  EXPECT_EQ(s.steps[4].times, 3u);
  EXPECT_EQ(s.end.violations, (std::vector<int>{40, 41}));
  EXPECT_FALSE(s.end.no_leaks);
}

TEST(ScenarioLoader, JsonIsAccepted) {
  LoadResult r = load_text(
      "{\"scenario\": \"j\", \"channels\": [{\"interface_type\": \"5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11\"}],"
      " \"steps\": [{\"expect\": {\"as\": \"p\"}}, {\"complete\": {\"packet\": \"p\"}}]}",
      "j.json");
  ASSERT_TRUE(r.ok()) << r.errors[0].str();
  EXPECT_EQ(r.scenario->steps.size(), 2u);
}

TEST(ScenarioLoader, UnknownKeys) {
  expect_error(load("  - expect: {lenght: 4}\n"), 6, 14, "unknown key 'lenght' in a step 'expect'");
  expect_error(load("  - wait: 1ms\n", "colour: red\n"), 5, 1, "unknown key 'colour' in a scenario");
}

TEST(ScenarioLoader, UnknownStep) {
  expect_error(load("  - expct: {}\n"), 6, 5, "unknown step 'expct'");
}

TEST(ScenarioLoader, WrongTypes) {
  expect_error(load("  - expect: {length: [1]}\n"), 6, 22, "length must be a number, not a list");
  expect_error(load("  - send: {bytes: \"aa\", completion_requested: maybe}\n"), 6, 47, "must be true or false");
  expect_error(load("  - repeat: {times: 2, steps: {wait: 1ms}}\n"), 6, 31, "steps must be a list");
}

TEST(ScenarioLoader, OutOfRange) {
  expect_error(load("  - expect: {fields: [{offset: 0, type: u8, equals: 256}]}\n"), 6, 53, "out of range");
  expect_error(load("  - wait: 2days\n"), 6, 11, "must be a duration");
  expect_error(load("  - wait: 90000s\n"), 6, 11, "longer than a day");
  expect_error(load("  - wait: 1ms\n", "end: {violations: [68]}\n"), 5, 20, "out of range");
  expect_error(load("  - repeat: {times: 2000000, steps: [{wait: 1ms}]}\n"), 6, 21, "out of range");
}

TEST(ScenarioLoader, BadBytes) {
  expect_error(load("  - expect: {bytes: \"0g\"}\n"), 6, 21, "'0g' at character 1 is not a hex byte");
  expect_error(load("  - expect: {bytes: \"012\"}\n"), 6, 21, "odd number of hex digits");
  expect_error(load("  - send: {bytes: \"?? 00\"}\n"), 6, 19, "wildcard");
  expect_error(load("  - send: {bytes: \"${x:u24}\"}\n"), 6, 19, "width 'u24'");
}

TEST(ScenarioLoader, UnknownVariablesPacketsAndChannels) {
  expect_error(load("  - send: {bytes: \"${nope}\"}\n"), 6, 19, "unknown variable ${nope}");
  expect_error(load("  - complete: {packet: ghost}\n"), 6, 24, "no earlier step 'expect' named a packet 'ghost'");
  expect_error(load("  - expect_completion: {packet: ghost}\n"), 6, 33, "no earlier step 'send' named");
  expect_error(load("  - wait: 1ms\n  - close: {channel: b}\n"), 7, 22, "unknown channel 'b'");
  // A variable captured later does not count.
  expect_error(load("  - send: {bytes: \"${v}\"}\n  - expect: {fields: [{offset: 0, type: u8, capture: v}]}\n"), 6, 19,
               "unknown variable ${v}");
}

TEST(ScenarioLoader, StepsThatDoNotFitTheRole) {
  expect_error(load("  - open:\n"), 6, 5, "needs a channel where the driver is the server");
  LoadResult r = load_text(
      "scenario: s\nchannels:\n  - {id: g, role: server}\nsteps:\n  - open: {ring_pages: 4}\n  - fault: rescind\n",
      "s.yaml");
  expect_error(r, 6, 5, "fault 'rescind' needs a channel where the driver is the client");
}

TEST(ScenarioLoader, GuestBuffersNeedAServerChannel) {
  expect_error(load("  - gpadl: {size: 4096, as: g}\n"), 6, 5, "a step 'gpadl' needs a channel where the driver is the server");
  expect_error(load("  - send: {bytes: \"01\", external: {size: 8}}\n"), 6, 35, "needs a channel where the driver is the server");
  expect_error(load("  - expect_memory: {buffer: nope, bytes: \"00\"}\n"), 6, 29, "named a buffer 'nope'");
  const char* server =
      "scenario: s\nchannels: [{id: g, role: server}]\nsteps:\n"
      "  - open:\n"
      "  - gpadl: {size: 4096, fill: \"ab\", as: page}\n"
      "  - send: {bytes: \"01000000 ${page:u32}\", external: {size: 1024, fill: \"de ad\"}, as: w}\n"
      "  - expect_completion: {packet: w, external: \"dead\"}\n"
      "  - expect_memory: {buffer: page, offset: 4, bytes: \"abab\"}\n";
  LoadResult r = load_text(server, "s.yaml");
  ASSERT_TRUE(r.ok()) << r.errors[0].str();
  EXPECT_EQ(r.scenario->steps[1].external_size, 4096u);
  EXPECT_EQ(r.scenario->steps[2].external_fill, (std::vector<uint8_t>{0xde, 0xad}));
  EXPECT_EQ(r.scenario->steps[4].memory_offset, 4u);
  expect_error(load_text("scenario: s\nchannels: [{id: g, role: server}]\nsteps:\n  - gpadl: {size: 8}\n", "s.yaml"), 4,
               12, "needs 'as'");
}

TEST(ScenarioLoader, MissingParts) {
  LoadResult r = load_text("scenario: m\n", "m.yaml");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_NE(r.errors[0].message.find("missing 'channels'"), std::string::npos);
  EXPECT_NE(r.errors[1].message.find("missing 'steps'"), std::string::npos);
  expect_error(load_text("scenario: m\nchannels: [{id: a}]\nsteps: []\n", "m.yaml"), 2, 12, "needs 'interface_type'");
}

TEST(ScenarioLoader, MalformedYaml) {
  LoadResult r = load_text("scenario: [unclosed\n", "y.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.errors[0].message.find("YAML:"), std::string::npos) << r.errors[0].str();
  EXPECT_GT(r.errors[0].pos.line, 0);
  EXPECT_FALSE(load_text("", "e.yaml").ok());
  EXPECT_FALSE(load_text("- 1\n- 2\n", "l.yaml").ok());
}

TEST(ScenarioLoader, DeepNestingIsRefusedBeforeParsing) {
  std::string deep(100000, '[');
  LoadResult r = load_text("scenario: " + deep, "d.yaml");
  expect_error(r, 1, 1, "nested more than 64 deep");
}

TEST(ScenarioLoader, AliasBombsAndGuidFieldsFoundByFuzzing) {
  // Reproducers from fuzz/ (scenario_loader_fuzzer): an exponential alias expansion hidden under
  // `times: 0`, and a guid field whose range once shifted a 64-bit value by 128.
  std::string bomb =
      "scenario: laughs\nchannels: [{id: e, interface_type: 5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11}]\n"
      "steps:\n  - &s0 {expect: {as: p}}\n";
  std::string prev = "s0";
  for (int level = 1; level <= 7; ++level) {
    std::string name = "s" + std::to_string(level);
    bomb += "  - &" + name + " {repeat: {times: 0, steps: [";
    for (int i = 0; i < 10; ++i) bomb += (i ? ", *" : "*") + prev;
    bomb += "]}}\n";
    prev = name;
  }
  auto start = std::chrono::steady_clock::now();
  LoadResult r = load_text(bomb, "bomb.yaml");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_NE(r.errors[0].message.find("YAML aliases expand the file by more than 100000 nodes"), std::string::npos)
      << r.errors[0].str();
  EXPECT_EQ(r.errors[0].pos.file, "bomb.yaml");
  EXPECT_GT(r.errors[0].pos.line, 4);  // at an anchored step, not at the top of the file
  EXPECT_LT(seconds, 1.0);             // measured, not walked: no step of the 10^7 is read
  EXPECT_TRUE(load(std::string("  - expect: {fields: [{offset: 0, type: guid}]}\n")).ok());
}

TEST(ScenarioLoader, AliasesWithinTheBudgetAndOtherBombs) {
  // A few aliased steps are fine; aliased field lists and long texts count against the budget,
  // and an alias inside its own anchor expands forever.
  std::string steps = "  - &x {wait: 1ms}\n";
  for (int i = 0; i < 50; ++i) steps += "  - *x\n";
  LoadResult few = load(steps);
  ASSERT_TRUE(few.ok()) << all_errors(few);
  EXPECT_EQ(few.scenario->steps.size(), 51u);
  std::string fields = "  - expect: {fields: &f [";
  for (int i = 0; i < 1000; ++i) fields += (i ? ", " : "") + std::string("{offset: 0, type: u8}");
  fields += "]}\n";
  for (int i = 0; i < 200; ++i) fields += "  - expect: {fields: *f}\n";
  LoadResult many = load(fields);
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.errors.back().message.find("YAML aliases expand the file"), std::string::npos) << all_errors(many);
  std::string text = "  - send: {bytes: &b \"" + std::string(64 * 1024, '0') + "\"}\n";
  for (int i = 0; i < 200; ++i) text += "  - send: {bytes: *b}\n";
  expect_error(load(text), 6, 19, "YAML aliases expand the file");
  expect_error(load("  - &r {repeat: {times: 1, steps: [*r]}}\n"), 6, 5, "an alias inside its own anchor");
}

TEST(ScenarioLoader, LongUnaliasedFilesLoad) {
  // A long recorded session: 50,000 steps written out, no aliases.
  std::string steps;
  for (int i = 0; i < 25000; ++i) steps += "  - send: {bytes: \"05000000\", completion_requested: false}\n  - wait: 1us\n";
  LoadResult r = load(steps);
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.scenario->step_count(), 50000u);
}

TEST(ScenarioLoader, UnreadableFile) {
  LoadResult r = load_file("/nonexistent/x.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].str(), "/nonexistent/x.yaml: cannot read the file");
}

TEST(ScenarioBytes, MismatchDumpMarksTheFirstDifferingByte) {
  BytePattern p;
  std::string error;
  ASSERT_TRUE(parse_pattern("01 02 ?? 04", p, error));
  std::vector<uint8_t> actual{1, 2, 9, 5, 6};
  long at = first_mismatch(p, actual);
  EXPECT_EQ(at, 3);
  std::string dump = diff_dump(p, actual, at);
  EXPECT_NE(dump.find("expected 0000: 01 02 ?? 04"), std::string::npos) << dump;
  EXPECT_NE(dump.find("actual   0000: 01 02 09 05 06"), std::string::npos) << dump;
  EXPECT_NE(dump.find("         ^^"), std::string::npos) << dump;
  EXPECT_EQ(first_mismatch(p, {1, 2, 7, 4, 0}), -1);
  EXPECT_EQ(first_mismatch(p, {1, 2}), 2);  // too short
}

TEST(ScenarioLoader, HostileStepsVerbatimWritesAndCorruptIndices) {
  LoadResult r = load("  - raw: {verbatim: \"06000100 09000000\"}\n"
                      "  - fault: {corrupt_index: {ring: outgoing, value: 3}}\n");
  ASSERT_TRUE(r.ok()) << all_errors(r);
  const Steps& steps = r.scenario->steps;
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_TRUE(steps[0].raw_verbatim);
  EXPECT_EQ(steps[1].fault, FaultKind::CorruptIndex);
  EXPECT_TRUE(steps[1].index_of_outgoing);
  EXPECT_EQ(steps[1].count, 3u);

  auto error_on_line_6 = [](const LoadResult& bad, const std::string& fragment) {
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.errors[0].pos.line, 6) << bad.errors[0].str();
    EXPECT_NE(bad.errors[0].message.find(fragment), std::string::npos) << bad.errors[0].str();
  };
  error_on_line_6(load("  - raw: {verbatim: \"06\", type: 6}\n"), "'type' does not go with 'verbatim'");
  error_on_line_6(load("  - fault: {corrupt_index: {ring: sideways, value: 1}}\n"), "'ring' is 'incoming'");
  error_on_line_6(load("  - fault: {corrupt_index: {ring: incoming}}\n"), "needs both 'ring'");
  error_on_line_6(load("  - fault: {corrupt_index: {ring: incoming, value: 0x100000000}}\n"), "value");
}

}  // namespace
}  // namespace vmbsim::scenario
