// A driver under test reached through the plugin contract of vmbsim_plugin.h: either a shared
// library loaded at run time, or entry points linked into the program (the bundled sample).
#pragma once

#include <memory>
#include <string>

#include <vmbsim_plugin.h>

#include "plugin/shared_library.h"
#include "sim/scenario/driver_under_test.h"

namespace vmbsim::plugin {

struct EntryPoints {
  PFN_VMBSIM_DRIVER_ENTRY entry = nullptr;
  PFN_VMBSIM_DRIVER_COMMAND command = nullptr;  // optional
  PFN_VMBSIM_DRIVER_UNLOAD unload = nullptr;
};

class PluginDriver : public scenario::DriverUnderTest {
 public:
  PluginDriver(std::string name, EntryPoints entry_points, std::unique_ptr<SharedLibrary> library = nullptr)
      : name_(std::move(name)), ep_(entry_points), library_(std::move(library)) {}
  // Loads `path` and looks up its entry points; null, with a specific reason, on failure.
  static std::unique_ptr<PluginDriver> from_library(const std::string& path, std::string& error);

  Status load(Device& device, const std::string& args) override;
  Status command(const std::string& command) override;
  void unload() override;
  std::string name() const override { return name_; }
  // The entry points (valid while this object, which keeps the library loaded, lives).
  const EntryPoints& entry_points() const { return ep_; }

 private:
  std::string name_;
  EntryPoints ep_;
  std::unique_ptr<SharedLibrary> library_;
  void* context_ = nullptr;
  bool loaded_ = false;
};

}  // namespace vmbsim::plugin
