// The guest models `vmbsim record --guest NAME` can run a server driver (a VSP) against: C++
// models of the guest driver that opens its offer and talks to it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/core/guest_endpoint.h"
#include "sim/core/simulation.h"

namespace vmbsim::cli {

struct GuestModel {
  std::string name;
  std::string description;
  // Plays the guest against the driver's offer: opens it and does its work, running the
  // simulation as it goes. False, with `error` set, if it could not.
  std::function<bool(Simulation&, GuestEndpoint&, std::string& error)> run;
};

const std::vector<GuestModel>& guest_models();
const GuestModel* find_guest_model(const std::string& name);

}  // namespace vmbsim::cli
