// The lifecycle verifier's record of findings. Channel and packet code decide *when* a rule is
// broken; this class only records, formats, and (in fail-fast mode) aborts.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/core/rules.h"

namespace vmbsim {

enum class VerifierMode : uint8_t {
  Collect,   // keep every finding; tests assert on the list
  FailFast,  // print the report and abort on the first Error-severity rule violation (fuzzing)
};

struct Finding {
  int rule = 0;              // kmcl-api.md §6 rule number, 0 for a simulator diagnostic
  std::string code;          // "KMCL-R41" or "SIM-HANG"
  Severity severity = Severity::Error;
  std::string call;          // the offending KMCL call or event, e.g. "VmbPacketFree"
  uint64_t channel_id = 0;   // 0 when not tied to a channel
  std::string object;        // "packet P7", "completion C3 (txid 0x...)", "channel 1"
  std::string message;       // specific explanation
  int64_t time_ns = 0;       // virtual time of the report
  std::string to_string() const;
};

class Verifier {
 public:
  explicit Verifier(VerifierMode mode = VerifierMode::Collect) : mode_(mode) {}

  void set_mode(VerifierMode mode) { mode_ = mode; }
  VerifierMode mode() const { return mode_; }

  // Records a violation of §6 rule `rule`.
  // warning_only: the rule is broken in a way §6 grades as a warning (e.g. rule 45's
  // FORCE_MDL_LENGTH on the wrong call), whatever the rule's usual severity.
  void violation(int rule, const std::string& call, uint64_t channel_id, const std::string& object,
                 const std::string& message, int64_t time_ns, bool warning_only = false);
  // Records a simulator diagnostic (hang avoided, hostile peer input, unanswered transaction).
  void diagnostic(Diagnostic d, const std::string& call, uint64_t channel_id,
                  const std::string& object, const std::string& message, int64_t time_ns);

  const std::vector<Finding>& findings() const { return findings_; }
  // Number of findings for `rule` (diagnostics are not counted).
  size_t count(int rule) const;
  size_t count(Diagnostic d) const;
  // Error-severity rule violations (the verdict ignores warnings and diagnostics).
  size_t error_count() const;
  bool clean() const { return error_count() == 0; }
  void clear() { findings_.clear(); }
  // Multi-line report: one line per finding, then the verdict.
  std::string report() const;

  // Called for every new finding (the simulation logs it). Optional.
  void set_observer(std::function<void(const Finding&)> observer) { observer_ = std::move(observer); }

 private:
  void add(Finding f);

  VerifierMode mode_;
  std::vector<Finding> findings_;
  std::function<void(const Finding&)> observer_;
};

}  // namespace vmbsim
