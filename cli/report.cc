#include "cli/report.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace vmbsim::cli {

namespace {

class TextReporter : public Reporter {
 public:
  void start(size_t index, size_t total, const scenario::Scenario& s) override {
    std::printf("[%zu/%zu] %s (%s)\n", index + 1, total, s.name.c_str(), s.file.c_str());
    std::fflush(stdout);
  }
  void result(const scenario::Scenario&, const scenario::RunResult& r, bool verbose) override {
    if (verbose)
      for (const std::string& line : r.log) std::printf("    %s\n", line.c_str());
    for (const scenario::StepFailure& f : r.failures) std::printf("  FAIL %s\n", f.str().c_str());
    if (r.passed)
      std::printf("  pass: %zu steps, %zu packets, %.3f ms virtual, %.2f ms wall\n", r.steps_run, r.packets,
                  r.virtual_ns / 1e6, r.wall_ms);
    if ((!r.passed || verbose) && r.findings > 0) std::printf("%s", r.verifier_report.c_str());
  }
  void summary(const std::vector<SummaryRow>& rows) override {
    if (rows.size() < 2) return;
    size_t width = 8;
    for (const SummaryRow& r : rows) width = std::max(width, r.name.size());
    int w = static_cast<int>(width);
    std::printf("\n%-*s  %-6s %8s %8s %12s %10s\n", w, "scenario", "result", "steps", "packets", "virtual ms",
                "wall ms");
    size_t passed = 0, steps = 0, packets = 0;
    double vms = 0, wms = 0;
    for (const SummaryRow& r : rows) {
      std::printf("%-*s  %-6s %8zu %8zu %12.3f %10.2f\n", w, r.name.c_str(), r.passed ? "pass" : "FAIL", r.steps,
                  r.packets, r.virtual_ms, r.wall_ms);
      passed += r.passed;
      steps += r.steps;
      packets += r.packets;
      vms += r.virtual_ms;
      wms += r.wall_ms;
    }
    std::printf("%-*s  %zu/%zu  %8zu %8zu %12.3f %10.2f\n", w, "total", passed, rows.size(), steps, packets, vms, wms);
  }
};

class JsonReporter : public Reporter {
 public:
  void start(size_t index, size_t total, const scenario::Scenario& s) override {
    emit({{"event", "start"}, {"index", index + 1}, {"total", total}, {"scenario", s.name}, {"file", s.file}});
  }
  void result(const scenario::Scenario& s, const scenario::RunResult& r, bool) override {
    for (const std::string& line : r.log) emit({{"event", "step"}, {"scenario", s.name}, {"text", line}});
    for (const scenario::StepFailure& f : r.failures)
      emit({{"event", "failure"}, {"scenario", s.name}, {"file", f.pos.file}, {"line", f.pos.line},
            {"column", f.pos.column}, {"step", f.step}, {"message", f.message}, {"detail", f.detail}});
    emit({{"event", "result"}, {"scenario", s.name}, {"passed", r.passed}, {"steps", r.steps_run},
          {"packets", r.packets}, {"virtual_ns", r.virtual_ns}, {"wall_ms", r.wall_ms}, {"findings", r.findings},
          {"verifier", r.verifier_report}});
  }
  void summary(const std::vector<SummaryRow>& rows) override {
    size_t passed = 0;
    for (const SummaryRow& r : rows) passed += r.passed;
    emit({{"event", "summary"}, {"scenarios", rows.size()}, {"passed", passed}});
  }

 private:
  static void emit(const nlohmann::json& j) {
    std::printf("%s\n", j.dump().c_str());
    std::fflush(stdout);
  }
};

}  // namespace

std::unique_ptr<Reporter> text_reporter() { return std::make_unique<TextReporter>(); }
std::unique_ptr<Reporter> json_reporter() { return std::make_unique<JsonReporter>(); }

}  // namespace vmbsim::cli
