#include "plugin/plugin_driver.h"

#include "vmbsim/shim.h"

namespace vmbsim::plugin {

std::unique_ptr<PluginDriver> PluginDriver::from_library(const std::string& path, std::string& error) {
  std::unique_ptr<SharedLibrary> lib = SharedLibrary::open(path, error);
  if (!lib) return nullptr;
  EntryPoints ep;
  ep.entry = reinterpret_cast<PFN_VMBSIM_DRIVER_ENTRY>(lib->symbol(VMBSIM_DRIVER_ENTRY_NAME));
  ep.command = reinterpret_cast<PFN_VMBSIM_DRIVER_COMMAND>(lib->symbol(VMBSIM_DRIVER_COMMAND_NAME));
  ep.unload = reinterpret_cast<PFN_VMBSIM_DRIVER_UNLOAD>(lib->symbol(VMBSIM_DRIVER_UNLOAD_NAME));
  if (ep.entry == nullptr || ep.unload == nullptr) {
    error = std::string("the library exports no ") +
            (ep.entry == nullptr ? VMBSIM_DRIVER_ENTRY_NAME : VMBSIM_DRIVER_UNLOAD_NAME) +
            " (see kmcl_shim/include/vmbsim_plugin.h; C++ drivers need extern \"C\")";
    return nullptr;
  }
  return std::make_unique<PluginDriver>(path, ep, std::move(lib));
}

Status PluginDriver::load(Device& device, const std::string& args) {
  context_ = nullptr;
  NTSTATUS s = ep_.entry(shim::wdf_device(device), args.c_str(), &context_);
  loaded_ = NT_SUCCESS(s);
  return s;
}

Status PluginDriver::command(const std::string& command) {
  if (!loaded_) return STATUS_INVALID_DEVICE_STATE;
  if (ep_.command == nullptr) return STATUS_NOT_SUPPORTED;
  return ep_.command(context_, command.c_str());
}

void PluginDriver::unload() {
  if (!loaded_) return;
  loaded_ = false;
  ep_.unload(context_);
  context_ = nullptr;
}

}  // namespace vmbsim::plugin
