#include "cli/bundled_driver.h"

#include "echo_plugin.h"

namespace vmbsim::cli {

std::unique_ptr<plugin::PluginDriver> bundled_driver() {
  plugin::EntryPoints ep;
  ep.entry = EchoPluginEntry;
  ep.command = EchoPluginCommand;
  ep.unload = EchoPluginUnload;
  return std::make_unique<plugin::PluginDriver>("echo (bundled sample)", ep);
}

}  // namespace vmbsim::cli
