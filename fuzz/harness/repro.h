// Turning fuzz inputs into scenario files and scenario files into fuzz seeds: a crash found by the
// fuzzer becomes a scenario that CI replays (`vmbsim run`, vmbsim_add_scenario_tests), and the
// protocol exchanges the scenarios capture become the fuzzer's starting corpus.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/harness/fuzz_target.h"
#include "fuzz/harness/session.h"
#include "sim/scenario/model.h"

namespace vmbsim::fuzz {

struct Reproducer {
  std::string yaml;      // the scenario: the input's peer actions as steps, its findings expected
  SessionResult result;  // what the run found (Collect mode)
};

// Runs the input once, recording it. Verifier findings become the scenario's expected violations
// (and hang: true); sanitizer findings are not expectations, they replay as the same crash in a
// sanitized build. A server target's input becomes a scenario in which the scenario plays the guest.
Reproducer scenario_from_input(const Target& target, const uint8_t* data, size_t size);

// A seed for `target` from a scenario: the scenario is played against the target's driver and
// what its simulated host does (completions, sends, raw writes, draining, closes, driver commands,
// the time between them) is encoded as the harness's actions. Driver commands the target does not
// list are mapped to the first listed command with the same first word, else dropped. Empty, with
// `error` set, if the scenario is not a single-channel client scenario or fails to play.
std::vector<uint8_t> seed_from_scenario(const Target& target, const scenario::Scenario& scenario, std::string& error);

}  // namespace vmbsim::fuzz
