// The guest models `vmbsim record --guest NAME` can run a server driver (a VSP) against: C++
// models of the guest driver that opens its offer and talks to it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/guest_endpoint.h"
#include "sim/core/simulation.h"

namespace vmbsim::cli {

// The guest's memory (GPADL buffers, external data): owned by the caller, which keeps it until
// the simulation is gone.
using GuestMemoryBlocks = std::vector<std::unique_ptr<uint8_t[]>>;

struct GuestModel {
  std::string name;
  std::string description;
  // Plays the guest against the driver's offer: opens it and does its work, running the
  // simulation as it goes. False, with `error` set, if it could not.
  std::function<bool(Simulation&, GuestEndpoint&, GuestMemoryBlocks& memory, std::string& error)> run;
};

const std::vector<GuestModel>& guest_models();
const GuestModel* find_guest_model(const std::string& name);

}  // namespace vmbsim::cli
