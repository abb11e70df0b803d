#include "cli/bundled_driver.h"

#include <cstdio>

#include "echo_plugin.h"

namespace vmbsim::cli {

std::unique_ptr<plugin::PluginDriver> bundled_driver() {
  plugin::EntryPoints ep;
  ep.entry = EchoPluginEntry;
  ep.command = EchoPluginCommand;
  ep.unload = EchoPluginUnload;
  return std::make_unique<plugin::PluginDriver>("echo (bundled sample)", ep);
}

std::unique_ptr<plugin::PluginDriver> driver_for(const std::string& path) {
  if (path.empty()) return bundled_driver();
  std::string error;
  std::unique_ptr<plugin::PluginDriver> driver = plugin::PluginDriver::from_library(path, error);
  if (!driver) std::fprintf(stderr, "vmbsim: cannot use %s as a driver: %s\n", path.c_str(), error.c_str());
  return driver;
}

}  // namespace vmbsim::cli
