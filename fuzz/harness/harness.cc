#include "fuzz/harness/harness.h"

#include <cstdio>
#include <cstdlib>

namespace vmbsim::fuzz {

SessionResult run_input(const Target& target, const uint8_t* data, size_t size, const SessionOptions& options) {
  std::vector<Action> actions = decode_actions(data, size, target, target.max_actions);
  std::unique_ptr<Session> session = make_client_session(target, options);
  return session->run(actions);
}

int fuzz_one(const Target& target, const uint8_t* data, size_t size) {
  static const bool verbose = [] {
    const char* v = std::getenv("VMBSIM_FUZZ_VERBOSE");
    return v && *v && *v != '0';
  }();
  SessionOptions options;
  options.verifier_mode = VerifierMode::FailFast;
  // In fail-fast mode the verifier aborts from inside the driver's call: the actions that led
  // there must already be on stderr, so they are printed as they happen, or kept and printed
  // only when the verifier is about to abort.
  std::vector<std::string> seen;
  options.on_action = [&seen](const std::string& line) {
    if (verbose) std::fprintf(stderr, "vmbsim fuzz: peer: %s\n", line.c_str());
    seen.push_back(line);
  };
  options.on_finding = [&seen](const Finding& f) {
    if (f.rule == 0 || f.severity != Severity::Error || verbose) return;
    std::fprintf(stderr, "vmbsim fuzz: the peer's actions before the verifier stops the run:\n");
    for (const std::string& line : seen) std::fprintf(stderr, "  %s\n", line.c_str());
  };
  SessionResult r = run_input(target, data, size, options);
  if (r.findings.empty()) return 0;
  std::fprintf(stderr, "vmbsim fuzz: %s: %zu finding(s) after these peer actions:\n", target.name.c_str(),
               r.findings.size());
  for (size_t i = 0; i < r.log.size(); ++i) std::fprintf(stderr, "  %s\n", r.log[i].c_str());
  for (const std::string& f : r.findings) std::fprintf(stderr, "  FINDING: %s\n", f.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace vmbsim::fuzz
