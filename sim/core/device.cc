#include "sim/core/device.h"

#include <cstring>

namespace vmbsim {

Device::Device(Simulation& sim, uint64_t id, OfferSpec spec)
    : sim_(sim), id_(id), spec_(std::move(spec)), host_(sim, *this) {}

Device* Device::from_handle(const void* handle) {
  if (handle == nullptr) return nullptr;
  uint64_t magic;
  std::memcpy(&magic, handle, sizeof(magic));
  return magic == kMagic ? static_cast<Device*>(const_cast<void*>(handle)) : nullptr;
}

}  // namespace vmbsim
