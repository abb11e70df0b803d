// Resolving KMCL handles at the C boundary. A handle that is not a live vmbsim object is
// reported (rule 2) and the call fails with the parameter status the API documents.
#pragma once

#include <cstring>

#include "sim/core/simulation.h"
#include "vmbsim/shim.h"

namespace vmbsim::shim {

// GUID and vmbsim::Guid share their layout; the shim passes GUIDs through by copy.
inline Guid to_guid(const GUID& g) {
  static_assert(sizeof(Guid) == sizeof(GUID), "same layout");
  Guid out;
  std::memcpy(static_cast<void*>(&out), &g, sizeof(out));
  return out;
}

inline Channel* checked_channel(VMBCHANNEL h, const char* call) {
  Channel* c = Channel::from_handle(h);
  if (c == nullptr) Simulation::report_bad_handle(call, "VMBCHANNEL", h);
  return c;
}

inline Packet* checked_packet(VMBPACKET h, const char* call) {
  Packet* p = Packet::from_handle(h);
  if (p == nullptr) Simulation::report_bad_handle(call, "VMBPACKET", h);
  return p;
}

inline IncomingPacket* checked_incoming(VMBPACKETCOMPLETION h, const char* call) {
  IncomingPacket* p = IncomingPacket::from_handle(h);
  if (p == nullptr) Simulation::report_bad_handle(call, "VMBPACKETCOMPLETION", h);
  return p;
}

}  // namespace vmbsim::shim
