// Kernel routines (kmcl_shim/include/vmbsim_ke.h) over the simulated callback context.
#include <wdm.h>

#include "sim/core/simulation.h"

extern "C" {

KIRQL KeGetCurrentIrql(void) {
  vmbsim::Simulation* sim = vmbsim::Simulation::current();
  if (sim == nullptr || sim->irql() == vmbsim::Irql::Passive) return PASSIVE_LEVEL;
  return DISPATCH_LEVEL;
}

}  // extern "C"
