// What a scenario run needs from the driver it tests. The runner knows nothing of KMCL: an
// implementation (the bundled sample, or a driver library loaded as a plugin) turns these calls
// into the driver's own entry points.
#pragma once

#include <string>

#include "sim/core/status.h"

namespace vmbsim {
class Device;
}

namespace vmbsim::scenario {

class DriverUnderTest {
 public:
  virtual ~DriverUnderTest() = default;
  // The driver's add-device: it gets `device` (its WDFDEVICE) and the scenario's driver args.
  virtual Status load(Device& device, const std::string& args) = 0;
  // A scenario step `driver: COMMAND` (what the driver does on its own initiative, e.g. "send 3").
  virtual Status command(const std::string& command) = 0;
  // The driver's remove: it must release everything; leaks are reported after this.
  virtual void unload() = 0;
  virtual std::string name() const = 0;
};

}  // namespace vmbsim::scenario
