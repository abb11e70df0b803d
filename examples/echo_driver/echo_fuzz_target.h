// The echo sample driver as a vmbsim::fuzz target (see echo_fuzzer.cc). Link echo_plugin for the
// sample, or buggy_echo_plugin (ECHO_WITH_BUGS) to honour `bugs`.
#pragma once

#include <string>

#include "fuzz/harness/fuzz_target.h"

// `bugs`: empty for the sample; else the buggy build's "NAME[,NAME]" (echo_plugin.c).
vmbsim::fuzz::Target echo_fuzz_target(const std::string& bugs = {});
