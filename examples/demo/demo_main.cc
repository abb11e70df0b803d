// vmbsim_demo: the sample KMCL drivers (C, unchanged) against simulated peers, one part per
// file. Prints what happened and the verifier's verdict; exits 0 only if every part behaved as
// expected and the verifier found no error.
#include <cstdio>

#include "demo_parts.h"

namespace demo {

bool check(bool ok, const char* what) {
  std::printf("  [%s] %s\n", ok ? " ok " : "FAIL", what);
  return ok;
}

}  // namespace demo

int main() {
  vmbsim::SimulationOptions options;
  options.name = "demo";
  vmbsim::Simulation sim(options);

  std::printf("== vmbsim demo: the sample KMCL drivers (C, unchanged) against simulated peers ==\n\n");
  bool ok = demo::run_echo_part(sim);
  ok &= demo::run_storage_client_part(sim);
  ok &= demo::run_storage_server_part(sim);
  sim.shutdown();

  std::printf("\nwhat happened (lifecycle trace):\n");
  for (const auto& line : sim.trace()) std::printf("  %s\n", line.c_str());
  std::printf("\nvirtual time: %lld ns, events: %llu\n", static_cast<long long>(sim.now()),
              static_cast<unsigned long long>(sim.scheduler().events_run()));
  std::printf("\nverifier:\n%s", sim.verifier().report().c_str());
  return ok && sim.verifier().clean() ? 0 : 1;
}
