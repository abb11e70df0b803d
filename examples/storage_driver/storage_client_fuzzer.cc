// Fuzz target for the storage client sample: a hostile host against a driver that shares a
// GPADL-backed status page and moves data as external data (fuzz/harness/harness.h).
#include "fuzz/harness/harness.h"
#include "storage_protocol.h"
#include "vmbsim_plugin.h"

extern "C" {
VMBSIM_DRIVER_ENTRY VmbsimDriverEntry;
VMBSIM_DRIVER_COMMAND VmbsimDriverCommand;
VMBSIM_DRIVER_UNLOAD VmbsimDriverUnload;
}

static vmbsim::fuzz::Target storage_client_target() {
  vmbsim::fuzz::Target t;
  t.name = "storage client";
  t.driver = {VmbsimDriverEntry, VmbsimDriverCommand, VmbsimDriverUnload};
  t.offer.name = "disk";
  t.commands = {"read 0 1", "write 4 2", "read 4 8", "write 1000000 1"};
  for (uint32_t tag : {1u, 2u, 3u}) {  // completions: STOR_OK for the first tags, 1 KiB moved
    STOR_COMPLETION c{};
    c.Tag = tag;
    c.Status = STOR_OK;
    c.BytesTransferred = 1024;
    t.messages.push_back(vmbsim::fuzz::message_bytes(c));
  }
  return t;
}

VMBSIM_FUZZ_TARGET(storage_client_target)
