// The storage VSP sample as a vmbsim::fuzz target, for a hostile guest (storage_server_fuzzer.cc).
// Link storage_server_plugin_static.
#pragma once

#include "fuzz/harness/fuzz_target.h"

vmbsim::fuzz::Target storage_fuzz_target();
