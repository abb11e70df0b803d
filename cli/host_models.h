// The host models `vmbsim record --host NAME` can run a driver against: C++ models of the
// VSP a driver talks to (see examples/echo_driver/echo_host.h for how one is written).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/device.h"
#include "sim/core/host_channel.h"

namespace vmbsim::cli {

struct HostModel {
  std::string name;
  std::string description;
  OfferSpec offer;
  // Attaches the model to the offer's host; the returned object keeps it alive.
  std::function<std::shared_ptr<void>(HostChannel&)> attach;
};

const std::vector<HostModel>& host_models();
const HostModel* find_host_model(const std::string& name);

}  // namespace vmbsim::cli
