// The ping driver against a hostile host: every input is a fresh simulation, a sequence of
// host actions, and the verifier, leak checks and sanitizers as oracles.
#include <vmbsim_plugin.h>
#include <fuzz/harness/harness.h>

extern "C" VMBSIM_DRIVER_ENTRY VmbsimDriverEntry;
extern "C" VMBSIM_DRIVER_COMMAND VmbsimDriverCommand;
extern "C" VMBSIM_DRIVER_UNLOAD VmbsimDriverUnload;

static vmbsim::fuzz::Target ping_target() {
  vmbsim::fuzz::Target t;
  t.name = "ping";
  t.driver = {VmbsimDriverEntry, VmbsimDriverCommand, VmbsimDriverUnload};
  t.commands = {"ping 1", "ping 7"};  // what the driver does on its own
  return t;
}

VMBSIM_FUZZ_TARGET(ping_target)
