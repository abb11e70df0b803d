// Fuzz target for the echo sample driver: a hostile host against the client driver
// (fuzz/harness/harness.h). With ECHO_FUZZ_BUGS="name" and the buggy build of the driver, one of
// the buggy variants tools/fuzz-time-to-find.sh measures.
#include "echo_fuzz_target.h"
#include "fuzz/harness/harness.h"

#ifndef ECHO_FUZZ_BUGS
#define ECHO_FUZZ_BUGS ""
#endif

static vmbsim::fuzz::Target echo_target() { return echo_fuzz_target(ECHO_FUZZ_BUGS); }

VMBSIM_FUZZ_TARGET(echo_target)
