// What a driver's channel needs from whatever is on the other side of its rings: a simulated
// host (for a client driver) or a simulated guest (for a server driver).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/core/status.h"
#include "sim/ring/gpa_range.h"
#include "sim/ring/ring_memory.h"

namespace vmbsim {

class Channel;
class Device;

// What a simulated guest hands a restored server channel: the rings and GPADLs it kept while
// the server was saved and torn down.
struct ParkedConnection {
  ring::RingMemory guest_to_host{}, host_to_guest{};
  struct Gpadl {
    uint32_t handle = 0;
    std::vector<ring::GpaRange> ranges;
    bool read_only = false;
  };
  std::vector<Gpadl> gpadls;
};

class Peer {
 public:
  virtual ~Peer() = default;
  // The channel wrote into the peer's incoming ring, which went from empty to non-empty.
  virtual void channel_signaled() = 0;
  // The channel read from its incoming ring past the peer's pending_send_sz threshold.
  virtual void channel_ring_space() = 0;
  // The channel closed; its rings are about to go away. A peer that must keep them alive a
  // little longer (back to back) takes them in adopt_rings(), called just before.
  virtual void adopt_rings(std::unique_ptr<ring::FlatRingMemory>, std::unique_ptr<ring::FlatRingMemory>) {}
  virtual void channel_closed() = 0;
  // The driver's channel is closing itself (Disable): the peer learns of it before the driver's
  // EvtChannelClosed runs, as a host does from the close message, so a server peer can run its
  // own close (and unmap the client's GPADLs) while the client waits to delete them.
  virtual void channel_closing() {}
  // Completion statuses the peer attached beside its completion packets.
  virtual bool has_status_overrides() const = 0;
  virtual Status take_status_override(uint64_t transaction_id) = 0;
  // GPADLs a client channel creates (only a host peer sees them).
  virtual void gpadl_created(uint32_t, const std::vector<ring::GpaRange>&, bool) {}
  virtual void gpadl_deleted(uint32_t) {}
  virtual bool gpadl_mapped(uint32_t) const { return false; }
  // A server driver completed transaction `transaction_id` of its peer after writing into its
  // external data through a writable mapping (rule 48: those writes are legitimate).
  virtual void external_written(uint64_t /*transaction_id*/) {}
  // The offered device behind the connection, if any (for its MMIO reservation).
  virtual const Device* offered_device() const { return nullptr; }
  // Server save/restore (kmcl-api.md §1.10). A saved server channel is being torn down: a peer
  // that can (a simulated guest, "saved" along with its VM) keeps its rings and GPADLs and
  // waits under `token` for a restored channel. False: the connection just closes.
  virtual bool park(uint64_t /*token*/) { return false; }
  // A restored channel takes the parked connection over.
  virtual bool resume(Channel& /*restored*/, ParkedConnection& /*out*/) { return false; }
  // The parked connection is given up (FORCE_NEW_CHANNEL): the guest sees its channel close.
  virtual void abandon_parked() {}
};

}  // namespace vmbsim
