// The simulated other side of one driver channel: reads what the driver's channel writes,
// writes packets and completions back, and gives tests and models a handle on every packet.
// HostChannel (the host behind a client driver) and GuestEndpoint (the guest in front of a
// server driver) are both endpoints; only how the connection is made differs.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/core/endpoint_observer.h"
#include "sim/core/peer.h"
#include "sim/core/scheduler.h"
#include "sim/core/status.h"
#include "sim/ring/gpa_range.h"
#include "sim/ring/ring_reader.h"
#include "sim/ring/ring_writer.h"

namespace vmbsim {

class Channel;
class Simulation;

// A packet the endpoint read from the driver's channel.
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

// The driver's completion of a packet the endpoint sent.
struct GuestCompletion {
  uint64_t transaction_id = 0;
  std::vector<uint8_t> payload;
};

struct HostStats {
  uint64_t packets_received = 0;      // data packets read from the driver
  uint64_t completions_received = 0;  // completions read from the driver
  uint64_t completions_sent = 0;
  uint64_t packets_sent = 0;
};

class Endpoint : public Peer {
 public:
  Endpoint(Simulation& sim, std::string name);
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;
  ~Endpoint() override;

  // Without handlers, packets and completions collect in these inboxes.
  std::deque<HostPacket>& inbox() { return inbox_; }
  std::deque<GuestCompletion>& completions() { return completions_inbox_; }
  // Pops the oldest inbox entry; the inbox must not be empty.
  HostPacket take_packet();
  GuestCompletion take_completion();

  // Completes transaction `transaction_id` of the driver with response bytes. `status` is what
  // the driver's completion routine receives; it travels beside the wire packet (a real peer
  // would encode failure in the response bytes), and anything but success carries no bytes.
  void complete(uint64_t transaction_id, const void* data, uint32_t size, Status status = status::kSuccess);
  void complete(uint64_t transaction_id, const std::vector<uint8_t>& data, Status status = status::kSuccess) {
    complete(transaction_id, data.data(), static_cast<uint32_t>(data.size()), status);
  }
  // Completes after a virtual delay.
  void complete_after(VirtualTime delay_ns, uint64_t transaction_id, std::vector<uint8_t> data,
                      Status status = status::kSuccess);
  // Sends an in-band packet; returns its transaction id (non-zero when a completion is
  // requested, else 0).
  uint64_t send(const void* data, uint32_t size, bool completion_requested);
  uint64_t send(const std::vector<uint8_t>& data, bool completion_requested) {
    return send(data.data(), static_cast<uint32_t>(data.size()), completion_requested);
  }
  // Writes an arbitrary packet (any type/flags/header) for hostile-peer tests.
  void send_raw(const ring::OutgoingPacket& packet);

  // Writes `bytes` verbatim as one ring packet, descriptor included (malformed descriptors for
  // fuzzing, vmbus-wire.md §6). False if it was not written (ring full, corrupt, or not
  // connected): a hostile peer does not queue.
  bool write_malformed(const void* bytes, uint32_t size);

  // Hostile-peer testing: overwrites an index this peer owns with `value` and signals the driver
  // (wire §6 22-23): the write index of the ring the driver reads, or (driver_outgoing) the read
  // index of the ring it writes. False when not connected to a channel.
  bool corrupt_index(bool driver_outgoing, uint32_t value);

  // Stops (false) or resumes (true) reading what the driver writes.
  void set_draining(bool draining);
  bool draining() const { return draining_; }

  // Pauses (true) or resumes (false) this side's processing, as either side of a channel may
  // (kmcl-api.md): while paused the peer reads nothing from the driver's ring and writes nothing
  // into it. Its sends and completions meanwhile are held in order (transaction ids are given
  // at once) and written when it resumes, with the signal the driver would have got. Unlike
  // draining, it outlives a close: a paused peer stays paused until told otherwise (what it
  // held for the closed connection is dropped with it).
  void set_paused(bool paused);
  bool paused() const { return paused_; }

  // Reads or writes the external data of a packet through guest memory, as a host maps the
  // pages a transaction describes: `offset` counts through all its ranges in order. False
  // (nothing copied) outside the ranges, or once the transaction has ended and the pages are
  // no longer pinned.
  bool read_external(const HostPacket& packet, uint64_t offset, void* dst, size_t len) const;
  bool write_external(const HostPacket& packet, uint64_t offset, const void* src, size_t len);

  // Connected to a channel, or parked: the server's channel was saved and torn down and the
  // endpoint waits, rings intact, for a restored one (channel() is null meanwhile).
  // Watches everything this endpoint does and sees (not owned; null: none).
  void set_observer(EndpointObserver* observer) { observer_ = observer; }

  bool connected() const { return channel_ != nullptr || parked_; }
  bool parked() const { return parked_; }
  Channel* channel() const { return channel_; }
  const HostStats& stats() const { return stats_; }
  size_t queued_writes() const { return write_queue_.size(); }
  const std::string& name() const { return name_; }

  // Peer (called by the driver's channel).
  void channel_signaled() override;
  void channel_ring_space() override;
  bool has_status_overrides() const override { return !status_overrides_.empty(); }
  Status take_status_override(uint64_t transaction_id) override;

 protected:
  using PacketFn = std::function<void(const HostPacket&)>;
  using CompletionFn = std::function<void(const GuestCompletion&)>;
  void set_packet_fn(PacketFn fn) { packet_fn_ = std::move(fn); }
  void set_completion_fn(CompletionFn fn) { completion_fn_ = std::move(fn); }
  // Attaches to the driver's channel: read `incoming`, write `outgoing`.
  void connect(Channel& channel, ring::RingMemory incoming, ring::RingMemory outgoing);
  void disconnect();
  // Keeps the rings and everything queued, but has no channel to signal (see parked()).
  void park_connection();
  // A restored channel takes over; anything written meanwhile is signalled now.
  void resume_connection(Channel& channel);
  // Sends a GPA-direct packet (type 9) describing `ranges`, completion requested; returns its id.
  uint64_t send_with_ranges(const void* data, uint32_t size, const std::vector<ring::GpaRange>& ranges);
  // The rings of the connection (empty when not connected): the one the driver writes and this
  // endpoint reads, and the other way round.
  ring::RingMemory driver_outgoing_ring() const { return read_mem_; }
  ring::RingMemory driver_incoming_ring() const { return write_mem_; }
  // Called as each completion from the driver is read, before it is handed on.
  virtual void completion_read(uint64_t /*transaction_id*/) {}

  Simulation& sim_;
  EndpointObserver* observer_ = nullptr;

 private:
  struct PendingWrite {
    ring::PacketType type;
    uint16_t flags;
    uint64_t transaction_id;
    std::vector<uint8_t> header_ext;
    std::vector<uint8_t> payload;
  };

  void service();
  void write_or_queue(ring::PacketType type, uint16_t flags, uint64_t txid, const void* hdr, uint32_t hdr_len,
                      const void* data, uint32_t len);
  void flush_writes();
  void signal_channel();
  void peer_error(const std::string& what);

  std::string name_;
  Channel* channel_ = nullptr;
  bool parked_ = false;
  bool draining_ = true;
  bool paused_ = false;
  bool service_posted_ = false;
  bool dead_reported_ = false;
  uint64_t next_txid_ = 1;
  std::unique_ptr<ring::RingReader> reader_;
  std::unique_ptr<ring::RingWriter> writer_;
  ring::RingMemory read_mem_{}, write_mem_{};  // the driver's outgoing and incoming rings
  ring::ReadPacket scratch_;
  HostPacket current_;
  PacketFn packet_fn_;
  CompletionFn completion_fn_;
  std::deque<HostPacket> inbox_;
  std::deque<GuestCompletion> completions_inbox_;
  std::deque<PendingWrite> write_queue_;
  std::unordered_map<uint64_t, Status> status_overrides_;
  HostStats stats_;
};

}  // namespace vmbsim
