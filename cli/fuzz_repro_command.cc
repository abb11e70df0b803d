// vmbsim fuzz-repro: a fuzzer input to the bundled echo sample, replayed (its peer actions, the
// driver commands' results, the findings) and written as a scenario that replays it in CI.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "cli/commands.h"
#include "echo_fuzz_target.h"
#include "fuzz/harness/harness.h"
#include "fuzz/harness/repro.h"
#include "plugin/plugin_driver.h"

namespace vmbsim::cli {

int fuzz_repro_command(const FuzzReproArgs& args) {
  std::ifstream in(args.input, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "vmbsim: cannot read %s\n", args.input.c_str());
    return kExitBadInput;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fuzz::Target target = echo_fuzz_target();
  std::unique_ptr<plugin::PluginDriver> plugin;
  if (!args.driver.empty()) {
    // The echo protocol's target (commands, messages) with another build of the driver.
    std::string error;
    plugin = plugin::PluginDriver::from_library(args.driver, error);
    if (!plugin) {
      std::fprintf(stderr, "vmbsim: %s: %s\n", args.driver.c_str(), error.c_str());
      return kExitBadInput;
    }
    target.driver = plugin->entry_points();
    target.name = args.driver;
  }
  target.args = args.driver_args;
  fuzz::Reproducer r = fuzz::scenario_from_input(target, bytes.data(), bytes.size());
  std::printf("%s: %zu bytes, %zu peer actions\n", args.input.c_str(), bytes.size(), r.result.log.size());
  for (const std::string& line : r.result.log) std::printf("  %s\n", line.c_str());
  for (const std::string& f : r.result.findings) std::printf("FINDING: %s\n", f.c_str());
  if (r.result.findings.empty()) std::printf("no findings\n");
  if (!args.output.empty()) {
    std::ofstream out(args.output, std::ios::binary);
    out << r.yaml;
    if (!out) {
      std::fprintf(stderr, "vmbsim: cannot write %s\n", args.output.c_str());
      return kExitBadInput;
    }
    std::printf("wrote %s (vmbsim run %s replays it)\n", args.output.c_str(), args.output.c_str());
  }
  return r.result.findings.empty() ? kExitPassed : kExitFailed;
}

}  // namespace vmbsim::cli
