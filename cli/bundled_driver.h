// The sample driver `vmbsim run` uses when no --driver is given.
#pragma once

#include <memory>

#include "plugin/plugin_driver.h"

namespace vmbsim::cli {

// The echo sample (examples/echo_driver) through its plugin entry points.
std::unique_ptr<plugin::PluginDriver> bundled_driver();

}  // namespace vmbsim::cli
