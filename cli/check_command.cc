// `vmbsim check`: validates scenario files without running them.
#include <cstdio>

#include "cli/commands.h"
#include "sim/scenario/loader.h"

namespace vmbsim::cli {

int check_command(const std::vector<std::string>& scenarios) {
  int code = kExitPassed;
  for (const std::string& path : scenarios) {
    scenario::LoadResult r = scenario::load_file(path);
    if (r.ok()) {
      std::printf("ok    %s (%zu steps)\n", path.c_str(), r.scenario->step_count());
      continue;
    }
    code = kExitBadInput;
    for (const scenario::LoadError& e : r.errors) std::printf("%s\n", e.str().c_str());
  }
  return code;
}

}  // namespace vmbsim::cli
