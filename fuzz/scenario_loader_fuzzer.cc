// The scenario loader on arbitrary text. Scenario files come from users and from `vmbsim
// record`, and CI runs them unattended, so the loader must survive anything: no crash, hang,
// leak or exception, and a verdict that a user can act on — a scenario, or errors that name the
// file and a place inside it. The sanitizers catch the first kinds; the checks below the second.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/scenario/loader.h"

namespace {

constexpr const char* kName = "fuzz.yaml";

[[noreturn]] void violated(const char* what, const std::string& detail) {
  std::fprintf(stderr, "scenario_loader_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmbsim::scenario;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const LoadResult r = load_text(text, kName);

  if (r.ok() == !r.errors.empty()) violated("a result must be a scenario or errors, not both or neither", "");
  // Line 0 is the loader's "the whole file" (SourcePos::str() then prints the name alone); any
  // other line must exist, give or take the end-of-input mark yaml-cpp puts after the last one.
  int lines = 1;
  for (char c : text) lines += c == '\n';
  for (const LoadError& e : r.errors) {
    if (e.pos.file != kName) violated("an error names another file", e.str());
    if (e.message.empty()) violated("an error without a message", e.str());
    if (e.pos.line < 0 || e.pos.line > lines + 1) violated("an error outside the text", e.str());
    if (e.pos.column < 0 || (e.pos.line == 0) != (e.pos.column == 0))
      violated("an error with a half position", e.str());
  }
  if (r.ok() && r.scenario->step_count() > kMaxUnrolledSteps)
    violated("a scenario past the step limit", std::to_string(r.scenario->step_count()));
  return 0;
}
