// Back to back: a client driver's channel and a server driver's channel joined through the
// simulated bus in one process, each seeing the other as its peer. The client donates the
// rings (as a guest does); the link forwards signals and closes between the two channels.
#pragma once

#include <memory>

#include "sim/core/peer.h"
#include "sim/ring/ring_memory.h"

namespace vmbsim {

class Channel;
class Device;

class BackToBackLink {
 public:
  BackToBackLink(Device& device, Channel& server) : device_(device), server_(server), client_side_(*this),
                                                    server_side_(*this) {}
  BackToBackLink(const BackToBackLink&) = delete;
  BackToBackLink& operator=(const BackToBackLink&) = delete;

  // The client opens: the server accepts as if a guest opened its offer.
  Status connect(Channel& client, ring::RingMemory guest_to_host, ring::RingMemory host_to_guest);
  Peer& client_peer() { return client_side_; }
  Channel& server() const { return server_; }

 private:
  // What the client's channel sees as its peer: forwards to the server's channel.
  struct ClientSide : Peer {
    explicit ClientSide(BackToBackLink& l) : link(l) {}
    void channel_signaled() override;
    void channel_ring_space() override;
    void adopt_rings(std::unique_ptr<ring::FlatRingMemory> a, std::unique_ptr<ring::FlatRingMemory> b) override;
    void channel_closed() override;
    void channel_closing() override;
    bool has_status_overrides() const override { return false; }
    Status take_status_override(uint64_t) override { return status::kSuccess; }
    const Device* offered_device() const override { return &link.device_; }
    // The client's GPADLs are the server's to map.
    void gpadl_created(uint32_t handle, const std::vector<ring::GpaRange>& ranges, bool read_only) override;
    void gpadl_deleted(uint32_t handle) override;
    bool gpadl_mapped(uint32_t handle) const override;
    BackToBackLink& link;
  };
  // What the server's channel sees as its peer: forwards to the client's channel.
  struct ServerSide : Peer {
    explicit ServerSide(BackToBackLink& l) : link(l) {}
    void channel_signaled() override;
    void channel_ring_space() override;
    void channel_closed() override;
    bool has_status_overrides() const override { return false; }
    Status take_status_override(uint64_t) override { return status::kSuccess; }
    void external_written(uint64_t transaction_id) override;
    BackToBackLink& link;
  };

  Device& device_;
  Channel& server_;
  Channel* client_ = nullptr;  // while connected
  bool client_closing_ = false;  // the client's Disable is in progress: the server's close is no rescind
  std::unique_ptr<ring::FlatRingMemory> rings_[2];
  ClientSide client_side_;
  ServerSide server_side_;
};

}  // namespace vmbsim
