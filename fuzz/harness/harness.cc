#include "fuzz/harness/harness.h"

#include <cstdio>
#include <cstdlib>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace vmbsim::fuzz {

SessionResult run_input(const Target& target, const uint8_t* data, size_t size, const SessionOptions& options) {
  std::vector<Action> actions = decode_actions(data, size, target, target.max_actions);
  std::unique_ptr<Session> session = make_session(target, options);
  return session->run(actions);
}

namespace {

void print_actions(const Target& target, const std::vector<Action>& actions, size_t started) {
  std::fprintf(stderr, "vmbsim fuzz: %s: the peer's actions (%zu of %zu decoded had started):\n", target.name.c_str(),
               started, actions.size());
  for (size_t i = 0; i < started && i < actions.size(); ++i)
    std::fprintf(stderr, "  %zu. %s\n", i + 1, describe(actions[i], target).c_str());
  std::fprintf(stderr, "  (<target>_replay --print INPUT replays it with driver command results; "
                       "--scenario INPUT -o FILE writes it as a scenario)\n");
}

}  // namespace

int fuzz_one(const Target& target, const uint8_t* data, size_t size) {
  static const bool tuned = [] {
#if defined(__GLIBC__)
    // Each input builds and tears down a simulation whose rings and pools are large blocks. By
    // default glibc hands those back to the kernel every time (mmap/munmap, heap trimming), and
    // the page faults of getting them again cost more than the run itself.
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
    return true;
  }();
  (void)tuned;
  static const bool verbose = [] {
    const char* v = std::getenv("VMBSIM_FUZZ_VERBOSE");
    return v && *v && *v != '0';
  }();
  std::vector<Action> actions = decode_actions(data, size, target, target.max_actions);
  SessionOptions options;
  options.verifier_mode = VerifierMode::FailFast;
  options.keep_log = verbose;
  Session* s = nullptr;
  // In fail-fast mode the verifier aborts from inside the driver's call, so the actions that led
  // there are printed just before.
  options.on_finding = [&](const Finding& f) {
    if (f.rule > 0 && f.severity == Severity::Error) print_actions(target, actions, s->started());
  };
  std::unique_ptr<Session> session = make_session(target, options);
  s = session.get();
  SessionResult r = session->run(actions);
  if (verbose)
    for (const std::string& line : r.log) std::fprintf(stderr, "vmbsim fuzz: %s\n", line.c_str());
  if (r.findings.empty()) return 0;
  print_actions(target, actions, s->started());
  for (const std::string& f : r.findings) std::fprintf(stderr, "  FINDING: %s\n", f.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace vmbsim::fuzz
