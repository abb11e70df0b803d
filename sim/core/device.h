// An offered channel as the guest sees it: the VMBus child device (PDO) that the driver under
// test is given, plus the host endpoint behind it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/guid.h"
#include "sim/core/back_to_back.h"
#include "sim/core/host_channel.h"

namespace vmbsim {

class Simulation;

struct OfferSpec {
  Guid interface_type;
  Guid interface_instance;
  std::vector<uint8_t> user_data;  // at most 120 bytes (VMBUS_SERVER_CHANNEL_INIT_MAXIMUM_OFFER_DATA)
  std::string name = "device";
  // MMIO space the device wants (VmbChannelGetMmioSpace reports the sum).
  uint16_t mmio_megabytes = 0;
  uint16_t mmio_megabytes_optional = 0;
};

class Device {
 public:
  static constexpr uint64_t kMagic = 0x564d424444455649ull;
  static constexpr size_t kMaxUserData = 120;

  Device(Simulation& sim, uint64_t id, OfferSpec spec);
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  // Resolves a WDFDEVICE / PDEVICE_OBJECT handle; null if it is not a device.
  static Device* from_handle(const void* handle);
  void* handle() { return this; }

  uint64_t id() const { return id_; }
  Simulation& sim() const { return sim_; }
  const OfferSpec& offer() const { return spec_; }
  HostChannel& host() { return host_; }
  // Serves this offer with a server driver's channel instead of the simulated host: a client
  // driver that opens the device is connected back to back with `server`.
  void serve_with(Channel& server) { link_ = std::make_unique<BackToBackLink>(*this, server); }
  BackToBackLink* back_to_back() const { return link_.get(); }

  // KMCL interface references handed out by WdfFdoQueryForInterface (WDM convention: the
  // query references, the driver dereferences once when done).
  void interface_referenced() { ++interface_refs_; }
  // Returns false (and changes nothing) when there is no reference left to drop.
  bool interface_dereferenced() {
    if (interface_refs_ == 0) return false;
    --interface_refs_;
    return true;
  }
  uint32_t interface_refs() const { return interface_refs_; }

 private:
  [[maybe_unused]] uint64_t magic_ = kMagic;  // first member: handles are resolved through it
  Simulation& sim_;
  uint64_t id_;
  OfferSpec spec_;
  HostChannel host_;
  std::unique_ptr<BackToBackLink> link_;
  uint32_t interface_refs_ = 0;
};

}  // namespace vmbsim
