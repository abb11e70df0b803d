#include "sim/core/packet.h"

#include <cstdio>
#include <cstring>

namespace vmbsim {

Packet* Packet::from_handle(const void* handle) {
  if (handle == nullptr) return nullptr;
  uint64_t magic;
  std::memcpy(&magic, handle, sizeof(magic));
  if (magic == kMagic) return static_cast<Packet*>(const_cast<void*>(handle));
  if (magic == kInitMagic) {
    // VmbPacketInitialize wrote {magic, Packet*} into the caller's buffer.
    Packet* p;
    std::memcpy(&p, static_cast<const uint8_t*>(handle) + sizeof(magic), sizeof(p));
    if (p != nullptr && p->magic_ == kMagic && p->init_buffer_ == handle) return p;
  }
  return nullptr;
}

std::string Packet::describe() const {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "packet P%llu", static_cast<unsigned long long>(id_));
  return buf;
}

IncomingPacket* IncomingPacket::from_handle(const void* handle) {
  if (handle == nullptr) return nullptr;
  uint64_t magic;
  std::memcpy(&magic, handle, sizeof(magic));
  return magic == kMagic ? static_cast<IncomingPacket*>(const_cast<void*>(handle)) : nullptr;
}

std::string IncomingPacket::describe() const {
  char buf[80];
  std::snprintf(buf, sizeof(buf), "completion C%llu (txid 0x%llx)",
                static_cast<unsigned long long>(id_),
                static_cast<unsigned long long>(transaction_id_));
  return buf;
}

}  // namespace vmbsim
