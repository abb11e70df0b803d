// The lifecycle rules of kmcl-api.md §6, by number. Each finding the verifier records names
// one of these (or one of the simulator diagnostics below, which have rule number 0).
#pragma once

#include <cstdint>

namespace vmbsim {

enum class Severity : uint8_t { Error, Warning };

struct RuleInfo {
  int number;         // kmcl-api.md §6 rule number; 0 for simulator diagnostics
  Severity severity;
  const char* title;  // a short description of the misuse
};

// Returns the rule's entry; an unknown number yields a generic entry (never null).
const RuleInfo& rule_info(int number);

// Simulator diagnostics that are not driver misuse.
enum class Diagnostic : uint8_t {
  Hang,        // a blocking call could never be satisfied; it was failed instead of hanging
  PeerError,   // the simulated host broke the wire protocol (hostile-host input)
  Unanswered,  // a transaction was still waiting for the host at teardown
};
const char* diagnostic_code(Diagnostic d);  // "SIM-HANG", ...

}  // namespace vmbsim
