#include "sim/core/verifier.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace vmbsim {

std::string Finding::to_string() const {
  std::ostringstream out;
  out << code << (severity == Severity::Error ? " [error] " : " [warning] ") << call;
  if (channel_id != 0) out << " channel " << channel_id;
  if (!object.empty()) out << " " << object;
  out << ": " << message;
  if (rule > 0) out << " (" << rule_info(rule).title << ")";
  return out.str();
}

void Verifier::violation(int rule, const std::string& call, uint64_t channel_id,
                         const std::string& object, const std::string& message, int64_t time_ns,
                         bool warning_only) {
  Finding f;
  f.rule = rule;
  f.code = "KMCL-R" + std::to_string(rule);
  f.severity = warning_only ? Severity::Warning : rule_info(rule).severity;
  f.call = call;
  f.channel_id = channel_id;
  f.object = object;
  f.message = message;
  f.time_ns = time_ns;
  add(std::move(f));
}

void Verifier::diagnostic(Diagnostic d, const std::string& call, uint64_t channel_id,
                          const std::string& object, const std::string& message, int64_t time_ns) {
  Finding f;
  f.rule = 0;
  f.code = diagnostic_code(d);
  f.severity = d == Diagnostic::PeerError ? Severity::Warning : Severity::Error;
  if (d == Diagnostic::Unanswered) f.severity = Severity::Warning;
  f.call = call;
  f.channel_id = channel_id;
  f.object = object;
  f.message = message;
  f.time_ns = time_ns;
  add(std::move(f));
}

void Verifier::add(Finding f) {
  findings_.push_back(std::move(f));
  const Finding& added = findings_.back();
  if (observer_) observer_(added);
  if (mode_ == VerifierMode::FailFast && added.rule > 0 && added.severity == Severity::Error) {
    std::fprintf(stderr, "vmbsim verifier (fail-fast): %s\n%s", added.to_string().c_str(),
                 report().c_str());
    std::fflush(stderr);
    std::abort();
  }
}

size_t Verifier::count(int rule) const {
  size_t n = 0;
  for (const auto& f : findings_)
    if (f.rule == rule && rule > 0) ++n;
  return n;
}

size_t Verifier::count(Diagnostic d) const {
  size_t n = 0;
  for (const auto& f : findings_)
    if (f.rule == 0 && f.code == diagnostic_code(d)) ++n;
  return n;
}

size_t Verifier::error_count() const {
  size_t n = 0;
  for (const auto& f : findings_)
    if (f.severity == Severity::Error) ++n;
  return n;
}

std::string Verifier::report() const {
  std::ostringstream out;
  for (const auto& f : findings_) out << "  " << f.to_string() << "\n";
  size_t warnings = findings_.size() - error_count();
  out << "verdict: " << (clean() ? "PASS" : "FAIL") << " (" << error_count() << " error(s), "
      << warnings << " warning(s))\n";
  return out.str();
}

}  // namespace vmbsim
