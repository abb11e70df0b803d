// Fuzz target for the storage VSP sample: a hostile guest against the server driver
// (fuzz/harness/harness.h).
#include "fuzz/harness/harness.h"
#include "storage_fuzz_target.h"

VMBSIM_FUZZ_TARGET(storage_fuzz_target)
