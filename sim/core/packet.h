// Outgoing packet objects (VMBPACKET) and incoming packet objects (VMBPACKETCOMPLETION).
// Both live in per-channel pools that are never returned to the OS while the simulation runs,
// so a stale handle still points at simulator memory and is caught by its state, not by luck.
#pragma once

#include <cstdint>
#include <string>
#include <memory>
#include <vector>

#include "sim/core/channel_client.h"
#include "sim/core/status.h"
#include "sim/ring/gpa_range.h"

namespace vmbsim {

class Channel;

class Packet {
 public:
  static constexpr uint64_t kMagic = 0x564d42504b544f42ull;      // allocated packet object
  static constexpr uint64_t kInitMagic = 0x564d4250494e4954ull;  // header in caller memory

  enum class Origin : uint8_t { Allocated, Initialized, Internal };
  enum class State : uint8_t {
    Free,                // in the pool (or never initialised)
    Idle,                // owned by the driver, no transaction
    Queued,              // accepted by send, waiting for ring space or for the channel to open
    AwaitingCompletion,  // in the ring, waiting for the host's completion packet
    CompletionPending,   // transaction over; the completion routine has not run yet
  };
  enum class Routine : uint8_t { Default, Driver, Unset };

  // Resolves a VMBPACKET-style handle (an allocated Packet or a VmbPacketInitialize buffer).
  // Returns null for NULL or for memory that is not a packet object.
  static Packet* from_handle(const void* handle);
  // The handle the driver sees for this packet.
  void* handle() { return origin_ == Origin::Initialized ? init_buffer_ : static_cast<void*>(this); }

  Channel& channel() const { return *channel_; }
  uint64_t id() const { return id_; }
  std::string describe() const;  // "packet P12"
  State state() const { return state_; }
  Origin origin() const { return origin_; }

  void set_pointer(void* p) { pointer_ = p; }
  void* pointer() const { return pointer_; }

 private:
  friend class Channel;
  uint64_t magic_ = kMagic;  // must stay the first member: handles are resolved through it
  Channel* channel_ = nullptr;
  uint64_t id_ = 0;          // simulation-wide, for reports
  uint32_t index_ = 0;       // slot in the channel's pool
  uint32_t generation_ = 0;  // bumped at every send; part of the transaction id
  Origin origin_ = Origin::Allocated;
  State state_ = State::Free;
  Routine routine_kind_ = Routine::Default;
  OpaqueFn routine_ = nullptr;
  void* pointer_ = nullptr;
  void* init_buffer_ = nullptr;
  uint32_t send_flags_ = 0;
  bool wait_for_completion_ = false;
  uint64_t transaction_id_ = 0;
  std::vector<uint8_t> payload_;  // copy of the inline buffer (Q15)
  uint32_t payload_len_ = 0;
  bool payload_copied_ = false;  // payload_ holds the bytes (the packet had to wait)
  std::vector<ring::GpaRange> ranges_;  // external data, pinned while the transaction lives
  std::vector<uint8_t> header_ext_;     // ranges_ encoded for the wire (empty: in-band)
  uint64_t ext_checksum_ = 0;           // rule 48: what ranges_ held when sent or last host-written
  Status completion_status_ = status::kSuccess;
  std::vector<uint8_t> completion_bytes_;  // kept only when the routine runs later
  // Synchronous requests (Origin::Internal).
  bool sync_done_ = false;
  bool abandoned_ = false;  // the waiter gave up; a late completion is dropped
  // Save/restore (rule 67): only a packet never sent since VmbPacketAllocate may be restored.
  bool sent_since_allocation_ = false;
  bool restored_ = false;  // holds a transaction rebuilt by VmbPacketRestore
};

class IncomingPacket {
 public:
  static constexpr uint64_t kMagic = 0x564d4250434f4d50ull;

  enum class State : uint8_t {
    Free,
    Queued,       // read from the ring, waiting for delivery
    Delivering,   // inside EvtVmbChannelProcessPacket
    Outstanding,  // delivered, not completed yet
    Deferred,     // VmbChannelPacketDeferToPassive: waiting for redelivery at PASSIVE
    Completing,   // completed; its completion packet waits for ring space
  };

  static IncomingPacket* from_handle(const void* handle);
  void* handle() { return this; }

  Channel& channel() const { return *channel_; }
  uint64_t id() const { return id_; }
  uint64_t transaction_id() const { return transaction_id_; }
  bool completion_requested() const { return completion_requested_; }
  State state() const { return state_; }
  std::string describe() const;  // "completion C3 (txid 0x5)"
  const std::vector<ring::GpaRange>& external_ranges() const { return ranges_; }

 private:
  friend class Channel;
  uint64_t magic_ = kMagic;
  Channel* channel_ = nullptr;
  uint64_t id_ = 0;
  uint32_t index_ = 0;
  State state_ = State::Free;
  uint64_t transaction_id_ = 0;
  bool completion_requested_ = false;
  bool at_passive_ = false;  // redelivery after DeferToPassive
  uint32_t deferrals_ = 0;
  bool external_pending_ = false;  // GetExternalData returned STATUS_PENDING in this delivery
  bool external_writable_ = false;  // GetExternalData without READ_ONLY: the server may write
  uint32_t flags_ = 0;
  std::vector<uint8_t> buffer_;
  // SimulationOptions::exact_buffers: the bytes in a block of exactly length_ (never null, even
  // for 0 bytes, as KMCL never passes NULL), freed at completion.
  std::unique_ptr<uint8_t[]> exact_;
  uint8_t* bytes() { return exact_ ? exact_.get() : buffer_.data(); }
  const uint8_t* bytes() const { return exact_ ? exact_.get() : buffer_.data(); }
  uint32_t length_ = 0;
  std::vector<uint8_t> response_;  // completion bytes waiting for ring space
  std::vector<ring::GpaRange> ranges_;   // external data of a GPA-direct packet (servers)
  void* mapping_ = nullptr;              // the shim's MDL from VmbChannelPacketGetExternalData
  void (*free_mapping_)(void*) = nullptr;
};

}  // namespace vmbsim
