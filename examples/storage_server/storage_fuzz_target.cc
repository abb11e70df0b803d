// The storage VSP as a fuzz target: its plugin entry points, the commands the fuzzer may give
// it (VM save and restore), and well-formed requests for the hostile guest to start from. The
// guest shares one buffer as GPADL 0x1000 at open, so the INIT template names it.
#include "storage_fuzz_target.h"

#include "storage_protocol.h"
#include "vmbsim_plugin.h"

extern "C" {
VMBSIM_DRIVER_ENTRY VmbsimDriverEntry;
VMBSIM_DRIVER_COMMAND VmbsimDriverCommand;
VMBSIM_DRIVER_UNLOAD VmbsimDriverUnload;
}

vmbsim::fuzz::Target storage_fuzz_target() {
  vmbsim::fuzz::Target t;
  t.name = "storage server";
  t.side = vmbsim::fuzz::Side::Server;
  t.driver = {VmbsimDriverEntry, VmbsimDriverCommand, VmbsimDriverUnload};
  t.args = "sectors=64";
  t.offer.name = "disk";
  t.guest_ring_pages = 8;
  t.guest_buffer_bytes = 4096;
  t.commands = {"save", "restore"};
  STOR_INIT init{};
  init.Header.Type = STOR_MSG_INIT;
  init.Header.Tag = 7;
  init.StatusPageGpadl = 0x1000;  // the guest's first GPADL
  t.messages.push_back(vmbsim::fuzz::message_bytes(init));
  for (uint32_t type : {STOR_MSG_READ, STOR_MSG_WRITE}) {
    STOR_IO io{};
    io.Header.Type = type;
    io.Header.Tag = 8;
    io.Sector = 4;
    io.SectorCount = 2;  // 1024 bytes: size choice 1 of a request with external data
    t.messages.push_back(vmbsim::fuzz::message_bytes(io));
  }
  return t;
}

