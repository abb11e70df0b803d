// vmbsim::fuzz — coverage-guided fuzzing of VMBus driver logic in-process. A fuzz target is a
// Target (the driver's plugin entry points and what its peer may do) and one macro:
//
//   static vmbsim::fuzz::Target my_target() { ... }
//   VMBSIM_FUZZ_TARGET(my_target)
//
// which defines LLVMFuzzerTestOneInput (calling fuzz_one) and the hook through which the target's
// replay program (<name>_replay, cmake/VmbsimFuzz.cmake) prints inputs, turns them into scenario
// files and makes seeds from scenarios.
//
// Each input runs against a fresh simulation (no state survives between inputs, so a crashing
// input reproduces every time). The oracles: the lifecycle verifier (fail-fast), AddressSanitizer
// and UndefinedBehaviorSanitizer when the build has them (every buffer the driver is handed is an
// exact-size heap block), leaks at teardown, and a hang limit in virtual time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/harness/fuzz_target.h"
#include "fuzz/harness/session.h"

namespace vmbsim::fuzz {

// Runs one input and reports what it found (Collect mode unless options say otherwise).
SessionResult run_input(const Target& target, const uint8_t* data, size_t size, const SessionOptions& options = {});

// For LLVMFuzzerTestOneInput: runs the input with the verifier in fail-fast mode. A finding
// prints the peer's actions and the report to stderr and aborts, which the fuzzing engine records
// as a crash. Returns 0.
//   $VMBSIM_FUZZ_VERBOSE=1        print the actions of every input (reproducing a crash)
//   $VMBSIM_FUZZ_SCENARIO=FILE    also write the input as a scenario file that replays it
int fuzz_one(const Target& target, const uint8_t* data, size_t size);

}  // namespace vmbsim::fuzz

// `make` is a function returning the Target; it is called once.
#define VMBSIM_FUZZ_TARGET(make)                                                  \
  const ::vmbsim::fuzz::Target& vmbsim_fuzz_target() {                            \
    static const ::vmbsim::fuzz::Target target = make();                          \
    return target;                                                                \
  }                                                                               \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {       \
    return ::vmbsim::fuzz::fuzz_one(vmbsim_fuzz_target(), data, size);           \
  }
