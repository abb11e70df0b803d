// The simulated host's end of one offered channel: a programmable peer that the test (or a
// host model, scenario player or fuzzer) drives. It sees every guest packet as it leaves the
// ring, answers transactions now, later or out of order, sends its own packets, can stop
// draining to force back-pressure, and can close or rescind the channel.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/core/scheduler.h"
#include "sim/core/status.h"
#include "sim/ring/gpa_range.h"
#include "sim/ring/ring_reader.h"
#include "sim/ring/ring_writer.h"

namespace vmbsim {

class Channel;
class Device;
class Simulation;

// A guest packet as the host read it from the guest-to-host ring.
struct HostPacket {
  uint16_t type = 0;
  uint16_t flags = 0;
  uint64_t transaction_id = 0;
  std::vector<uint8_t> payload;
  // For GPA-direct packets (type 9): the guest memory the packet describes, in order.
  std::vector<ring::GpaRange> ranges;
  bool completion_requested() const { return (flags & 1u) != 0; }
  // Total bytes of external data the ranges describe.
  uint64_t external_size() const;
};

// The guest's completion of a host-initiated packet.
struct GuestCompletion {
  uint64_t transaction_id = 0;
  std::vector<uint8_t> payload;
};

struct HostStats {
  uint64_t packets_received = 0;      // guest data packets read
  uint64_t completions_received = 0;  // guest completions read
  uint64_t completions_sent = 0;
  uint64_t packets_sent = 0;
};

class HostChannel {
 public:
  using PacketHandler = std::function<void(HostChannel&, const HostPacket&)>;
  using CompletionHandler = std::function<void(HostChannel&, const GuestCompletion&)>;

  HostChannel(Simulation& sim, Device& device);
  HostChannel(const HostChannel&) = delete;
  HostChannel& operator=(const HostChannel&) = delete;

  // ---- Observing the guest ----
  // With a handler, each guest packet is handed to it as it leaves the ring; without one,
  // packets collect in the inbox below. The same for guest completions.
  void on_packet(PacketHandler handler) { packet_handler_ = std::move(handler); }
  void on_completion(CompletionHandler handler) { completion_handler_ = std::move(handler); }
  std::deque<HostPacket>& inbox() { return inbox_; }
  std::deque<GuestCompletion>& completions() { return completions_inbox_; }
  // Pops the oldest inbox packet; the inbox must not be empty.
  HostPacket take_packet();
  GuestCompletion take_completion();

  // ---- Acting as the host ----
  // Completes guest transaction `transaction_id` with response bytes. `status` is what the
  // guest's completion routine receives; it travels beside the wire packet (a real peer would
  // encode failure in the response bytes), and anything but success carries no bytes.
  void complete(uint64_t transaction_id, const void* data, uint32_t size,
                Status status = status::kSuccess);
  void complete(uint64_t transaction_id, const std::vector<uint8_t>& data,
                Status status = status::kSuccess) {
    complete(transaction_id, data.data(), static_cast<uint32_t>(data.size()), status);
  }
  // Completes after a virtual delay.
  void complete_after(VirtualTime delay_ns, uint64_t transaction_id, std::vector<uint8_t> data,
                      Status status = status::kSuccess);
  // Sends a host-initiated in-band packet; returns its transaction id (non-zero when a
  // completion is requested, else 0).
  uint64_t send(const void* data, uint32_t size, bool completion_requested);
  uint64_t send(const std::vector<uint8_t>& data, bool completion_requested) {
    return send(data.data(), static_cast<uint32_t>(data.size()), completion_requested);
  }
  // Writes an arbitrary packet (any type/flags/header) for hostile-host tests.
  void send_raw(const ring::OutgoingPacket& packet);

  // Reads or writes the external data of a guest packet through guest memory, as a host maps
  // the pages a transaction describes: `offset` counts through all its ranges in order. False
  // (nothing copied) outside the ranges, or once the transaction has ended and the guest has
  // unpinned the pages.
  bool read_external(const HostPacket& packet, uint64_t offset, void* dst, size_t len) const;
  bool write_external(const HostPacket& packet, uint64_t offset, const void* src, size_t len);

  // GPADLs the guest has created on this channel (kmcl-api.md §1.7).
  std::vector<uint32_t> gpadl_handles() const;
  bool gpadl_exists(uint32_t handle) const { return gpadls_.count(handle) != 0; }
  bool gpadl_read_only(uint32_t handle) const;
  uint64_t gpadl_size(uint32_t handle) const;
  // Maps a GPADL as a host does before using it; the guest's delete waits until unmap_gpadl().
  // Refuses (false) an unknown handle, a second mapping, or a write mapping of a read-only one.
  bool map_gpadl(uint32_t handle, bool for_write);
  void unmap_gpadl(uint32_t handle);
  bool gpadl_mapped(uint32_t handle) const;
  // Host access to GPADL memory by byte offset. Writes to a read-only GPADL are refused.
  bool read_gpadl(uint32_t handle, uint64_t offset, void* dst, size_t len) const;
  bool write_gpadl(uint32_t handle, uint64_t offset, const void* src, size_t len);

  // Stops (false) or resumes (true) reading the guest-to-host ring.
  void set_draining(bool draining);
  bool draining() const { return draining_; }

  // Closes the channel from the host side; the offer stays, the guest may open it again.
  void close();
  // Revokes the offer: the guest channel closes and cannot open again.
  void rescind();
  // Makes the guest's next open attempt fail with `status` (PnP failure path).
  void fail_next_open(Status status) { fail_open_status_ = status; }

  bool is_open() const { return guest_ != nullptr; }
  bool is_offered() const { return !rescinded_; }
  Channel* guest() const { return guest_; }
  const Device& device() const { return device_; }
  const HostStats& stats() const { return stats_; }
  size_t queued_writes() const { return write_queue_.size(); }
  // Raw ring memory, for tests that corrupt the rings on purpose. Valid while open.
  ring::RingMemory guest_to_host_ring() const { return g2h_; }
  ring::RingMemory host_to_guest_ring() const { return h2g_; }

  // ---- Called by the guest channel ----
  Status guest_open(Channel& guest, ring::RingMemory guest_to_host, ring::RingMemory host_to_guest);
  void guest_closed();
  void guest_signal();
  void guest_ring_space();
  // Status the host attached to a completion (success unless set by complete()).
  bool has_status_overrides() const { return !status_overrides_.empty(); }
  Status take_status_override(uint64_t transaction_id);
  void gpadl_created(uint32_t handle, const std::vector<ring::GpaRange>& ranges, bool read_only);
  void gpadl_deleted(uint32_t handle);

 private:
  struct PendingWrite {
    ring::PacketType type;
    uint16_t flags;
    uint64_t transaction_id;
    std::vector<uint8_t> header_ext;
    std::vector<uint8_t> payload;
  };

  void service();
  void write_or_queue(ring::PacketType type, uint16_t flags, uint64_t txid, const void* hdr,
                      uint32_t hdr_len, const void* data, uint32_t len);
  void flush_writes();
  void signal_guest();

  Simulation& sim_;
  Device& device_;
  Channel* guest_ = nullptr;
  bool rescinded_ = false;
  bool draining_ = true;
  bool service_posted_ = false;
  Status fail_open_status_ = status::kSuccess;
  uint64_t next_txid_ = 1;
  ring::RingMemory g2h_{}, h2g_{};
  std::unique_ptr<ring::RingReader> reader_;
  std::unique_ptr<ring::RingWriter> writer_;
  ring::ReadPacket scratch_;
  HostPacket current_;
  PacketHandler packet_handler_;
  CompletionHandler completion_handler_;
  std::deque<HostPacket> inbox_;
  std::deque<GuestCompletion> completions_inbox_;
  std::deque<PendingWrite> write_queue_;
  std::unordered_map<uint64_t, Status> status_overrides_;
  HostStats stats_;
  struct HostGpadl {
    HostPacket view;  // the ranges, reusing the packet window helpers
    bool read_only = false;
    bool mapped = false;
  };
  std::map<uint32_t, HostGpadl> gpadls_;
  bool dead_reported_ = false;
};

}  // namespace vmbsim
