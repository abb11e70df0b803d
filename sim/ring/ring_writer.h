// The writing end of one VMBus ring (vmbus-wire.md §1.3, §1.4, §3.1, §3.2).
//
// Invariants kept here:
//  * the writer never trusts its own write_index in shared memory: it caches it (wire #23);
//  * the peer-owned read_index is validated on every load (wire #22);
//  * the ring is never made completely full: at least 8 bytes stay free, so that
//    write_index == read_index always means empty;
//  * a signal is requested only for an empty -> non-empty transition with interrupt_mask == 0.
#pragma once

#include <cstdint>

#include "sim/ring/ring_error.h"
#include "sim/ring/ring_layout.h"
#include "sim/ring/ring_memory.h"

namespace vmbsim::ring {

struct ConstBytes {
  const void* data = nullptr;
  uint32_t size = 0;
};

// One packet to write. header_ext sits between the descriptor and the payload (GPA ranges,
// transfer-page ranges); its size must be a multiple of 8. The payload is zero-padded to 8.
struct OutgoingPacket {
  PacketType type = PacketType::DataInband;
  uint16_t flags = 0;
  uint64_t transaction_id = 0;
  ConstBytes header_ext;
  ConstBytes payload;
};

enum class WriteStatus : uint8_t {
  Written,   // in the ring; `signal` says whether the reader must be signalled
  Full,      // does not fit now; nothing was written
  TooLarge,  // can never fit in this ring (or len8 would overflow u16); nothing was written
  Dead,      // the ring is corrupt (see error()); nothing was written
};

struct WriteResult {
  WriteStatus status = WriteStatus::Dead;
  bool signal = false;
};

class RingWriter {
 public:
  // The ring must already be initialised (initialize_ring). The writer starts from the
  // write_index currently in the control page, validated once.
  explicit RingWriter(RingMemory mem);

  // Writes one packet and publishes write_index.
  WriteResult write(const OutgoingPacket& packet);

  // Batched form: write_batched() copies but does not publish; commit() publishes once and
  // makes one signal decision for the whole batch (like OpenVMM's WriteBatch).
  WriteStatus write_batched(const OutgoingPacket& packet);
  bool commit();  // returns true if the reader must be signalled

  // Hostile-peer testing: writes `bytes` verbatim as one packet (zero-padded to 8, trailer
  // appended) and publishes it. Nothing about the descriptor inside is checked or fixed up, so a
  // fuzzer can hand the reader bad offset8/len8/type values (vmbus-wire.md §6).
  WriteResult write_raw(ConstBytes bytes);

  // Flow control (§3.2): record that `bytes` are needed in pending_send_sz, then re-check.
  // Returns true if the space is already available (the caller should retry the write now);
  // false means wait for the reader's signal.
  bool request_space(uint32_t bytes);
  void clear_pending_send_size();

  // Free bytes a packet may use now (never-full rule applied), or 0 if the ring is dead.
  uint32_t bytes_free() const;
  // Largest packet (descriptor..trailer inclusive) this ring can ever hold: data_size - 8.
  uint32_t max_ring_packet_bytes() const;
  bool is_dead() const { return static_cast<bool>(error_); }
  const RingError& error() const { return error_; }

  // The writer's cached position (for tests and diagnostics).
  uint32_t write_index() const { return write_index_; }

 private:
  RingMemory mem_;
  uint32_t write_index_ = 0;      // cached: the next byte we write
  uint32_t published_index_ = 0;  // value last stored into the control page
  RingError error_;
};

}  // namespace vmbsim::ring
