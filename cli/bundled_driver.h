// The sample driver `vmbsim run` uses when no --driver is given.
#pragma once

#include <memory>

#include "plugin/plugin_driver.h"

namespace vmbsim::cli {

// The echo sample (examples/echo_driver) through its plugin entry points.
std::unique_ptr<plugin::PluginDriver> bundled_driver();
// The plugin library at `path`, or the bundled sample when it is empty; null (the reason
// printed) when the library cannot be used.
std::unique_ptr<plugin::PluginDriver> driver_for(const std::string& path);

}  // namespace vmbsim::cli
