// Watching what a simulated peer does and sees, independently of the handlers that drive it:
// `vmbsim record` turns a host model's session into a scenario this way.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/status.h"

namespace vmbsim {

namespace ring {
struct OutgoingPacket;
}

class Endpoint;
struct HostPacket;
struct GuestCompletion;

class EndpointObserver {
 public:
  virtual ~EndpointObserver() = default;
  // The peer read a packet the driver sent (before its handler runs).
  virtual void packet_read(const Endpoint&, const HostPacket&) {}
  // The peer read the driver's completion of one of its own packets.
  virtual void completion_read(const Endpoint&, const GuestCompletion&) {}
  // The peer completed a driver packet (at the time the completion is written).
  virtual void completed(const Endpoint&, uint64_t /*transaction_id*/, const std::vector<uint8_t>& /*bytes*/,
                         Status) {}
  // The peer sent a packet to the driver (transaction id 0 when no completion is requested).
  virtual void sent(const Endpoint&, uint64_t /*transaction_id*/, const std::vector<uint8_t>& /*bytes*/,
                    bool /*completion_requested*/) {}
  // A guest sent a GPA-direct request; `external` is the content of the memory it describes.
  virtual void sent_external(const Endpoint&, uint64_t /*txid*/, const std::vector<uint8_t>& /*bytes*/,
                             const std::vector<uint8_t>& /*external*/) {}
  // A guest opened the server's channel (again) with rings of `ring_pages` data pages.
  virtual void opened(const Endpoint&, uint32_t /*ring_pages*/) {}
  // A guest shared `content` (its buffer as it is now) as GPADL `handle`.
  virtual void gpadl_created(const Endpoint&, uint32_t /*handle*/, const std::vector<uint8_t>& /*content*/,
                             bool /*read_only*/) {}
  // The peer wrote an arbitrary packet (Endpoint::send_raw: any type, flags, transaction id and
  // bytes, for hostile-peer tests); the views in `packet` live only during the call.
  virtual void raw_written(const Endpoint&, const ring::OutgoingPacket& /*packet*/) {}
  // The peer wrote `size` bytes verbatim into the ring, descriptor included
  // (Endpoint::write_malformed); `written` is false if they did not fit.
  virtual void malformed_written(const Endpoint&, const uint8_t* /*bytes*/, uint32_t /*size*/, bool /*written*/) {}
  virtual void draining_changed(const Endpoint&, bool /*draining*/) {}
  // The peer paused (true) or resumed (false) its processing (Endpoint::set_paused).
  virtual void paused_changed(const Endpoint&, bool /*paused*/) {}
  // The host closed the channel, or rescinded its offer.
  virtual void closed(const Endpoint&, bool /*rescinded*/) {}
};

}  // namespace vmbsim
