// The parts of vmbsim_demo, one sample driver each. They share one simulation, so the lifecycle
// trace and the verifier's verdict printed at the end cover them all.
#pragma once

#include "sim/core/simulation.h"

namespace demo {

// Prints one outcome as "[ ok ]" or "[FAIL]" followed by `what`; returns `ok`.
bool check(bool ok, const char* what);

// Steps 1-5: the echo client driver against its host model. False if a check failed.
bool run_echo_part(vmbsim::Simulation& sim);

// Step 6: the storage client driver against its host model (an in-memory disk).
bool run_storage_client_part(vmbsim::Simulation& sim);

// Steps 7-9: the storage server driver (VSP) in front of a simulated guest, with a save and
// restore while requests are in flight.
bool run_storage_server_part(vmbsim::Simulation& sim);

}  // namespace demo
