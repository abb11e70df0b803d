// The simulated host's end of one offered channel: a programmable peer that the test (or a
// host model, scenario player or fuzzer) drives. On top of what every endpoint does (see
// endpoint.h: see each guest packet as it leaves the ring, answer transactions now, later or
// out of order, send its own packets, stop draining to force back-pressure), the host side
// accepts the guest's open, sees the GPADLs the guest creates, and can close or rescind.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "sim/core/endpoint.h"

namespace vmbsim {

class Channel;
class Device;
class Simulation;

class HostChannel : public Endpoint {
 public:
  using PacketHandler = std::function<void(HostChannel&, const HostPacket&)>;
  using CompletionHandler = std::function<void(HostChannel&, const GuestCompletion&)>;

  HostChannel(Simulation& sim, Device& device);

  // With a handler, each guest packet is handed to it as it leaves the ring; without one,
  // packets collect in inbox(). The same for guest completions.
  void on_packet(PacketHandler handler);
  void on_completion(CompletionHandler handler);

  // Closes the channel from the host side; the offer stays, the guest may open it again.
  void close();
  // Revokes the offer: the guest channel closes and cannot open again.
  void rescind();
  // Makes the guest's next open attempt fail with `status` (PnP failure path).
  void fail_next_open(Status status) { fail_open_status_ = status; }

  bool is_open() const { return connected(); }
  // How many times the guest has opened the channel: a reopen after a close counts again.
  uint64_t opens() const { return opens_; }
  bool is_offered() const { return !rescinded_; }
  Channel* guest() const { return channel(); }
  const Device& device() const { return device_; }
  // Raw ring memory, for tests that corrupt the rings on purpose. Valid while open.
  ring::RingMemory guest_to_host_ring() const { return driver_outgoing_ring(); }
  ring::RingMemory host_to_guest_ring() const { return driver_incoming_ring(); }

  // GPADLs the guest has created on this channel (kmcl-api.md §1.7).
  std::vector<uint32_t> gpadl_handles() const;
  bool gpadl_exists(uint32_t handle) const { return gpadls_.count(handle) != 0; }
  bool gpadl_read_only(uint32_t handle) const;
  uint64_t gpadl_size(uint32_t handle) const;
  // Maps a GPADL as a host does before using it; the guest's delete waits until unmap_gpadl().
  // Refuses (false) an unknown handle, a second mapping, or a write mapping of a read-only one.
  bool map_gpadl(uint32_t handle, bool for_write);
  void unmap_gpadl(uint32_t handle);
  // Host access to GPADL memory by byte offset. Writes to a read-only GPADL are refused.
  bool read_gpadl(uint32_t handle, uint64_t offset, void* dst, size_t len) const;
  bool write_gpadl(uint32_t handle, uint64_t offset, const void* src, size_t len);

  // ---- Called by the guest channel ----
  Status guest_open(Channel& guest, ring::RingMemory guest_to_host, ring::RingMemory host_to_guest);
  void channel_closed() override;
  void gpadl_created(uint32_t handle, const std::vector<ring::GpaRange>& ranges, bool read_only) override;
  void gpadl_deleted(uint32_t handle) override;
  bool gpadl_mapped(uint32_t handle) const override;
  const Device* offered_device() const override { return &device_; }

 private:
  Device& device_;
  bool rescinded_ = false;
  Status fail_open_status_ = status::kSuccess;
  uint64_t opens_ = 0;
  struct HostGpadl {
    HostPacket view;  // the ranges, reusing the external-data window helpers
    bool read_only = false;
    bool mapped = false;
  };
  std::map<uint32_t, HostGpadl> gpadls_;
};

}  // namespace vmbsim
