// The reading end of one VMBus ring (vmbus-wire.md §1.3, §2, §3.1, §3.2, §6 items 22-32).
//
// Invariants kept here:
//  * the reader caches its own read_index and validates the peer-owned write_index on every load;
//  * each packet is validated once and copied out of the ring before anyone looks at it, so a
//    hostile writer changing bytes after validation cannot affect the consumer (wire #30);
//  * read_index is published only by commit(), which makes one signal decision per batch:
//    signal only when pending_send_sz is set, the feature bit is set, and this batch made the
//    free space cross the pending threshold.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/ring/ring_error.h"
#include "sim/ring/ring_layout.h"
#include "sim/ring/ring_memory.h"

namespace vmbsim::ring {

// A packet copied out of the ring. `bytes` holds the whole packet (descriptor first,
// len8 * 8 bytes, trailer excluded); the vector is reused between reads to avoid allocations.
struct ReadPacket {
  PacketDescriptor descriptor{};
  std::vector<uint8_t> bytes;

  PacketType type() const { return static_cast<PacketType>(descriptor.type); }
  const uint8_t* header_ext() const { return bytes.data() + kDescriptorSize; }
  uint32_t header_ext_size() const { return descriptor.offset8 * 8u - kDescriptorSize; }
  const uint8_t* payload() const { return bytes.data() + descriptor.offset8 * 8u; }
  uint32_t payload_size() const { return (descriptor.len8 - descriptor.offset8) * 8u; }
};

enum class ReadStatus : uint8_t {
  Packet,  // `out` holds a valid packet
  Empty,   // nothing to read
  Dead,    // the ring is corrupt (see error()); nothing is consumed any more
};

class RingReader {
 public:
  // max_packet_bytes: the largest packet (len8 * 8) this reader accepts (wire #29); larger
  // packets kill the ring with PacketTooLarge. 0 means "anything that fits in the ring".
  explicit RingReader(RingMemory mem, uint32_t max_packet_bytes = 0);

  // Validates and copies the next packet into `out`; advances the private read position.
  ReadStatus read(ReadPacket& out);
  // True if a packet (or garbage) is waiting past the private read position.
  bool has_data() const;

  // Publishes the private read position. Returns true if the writer must be signalled.
  bool commit();

  // interrupt_mask handling (§3.1): mask while draining; unmask returns true if data arrived
  // meanwhile (the caller must drain again instead of sleeping).
  void mask_interrupts();
  bool unmask_interrupts();

  bool is_dead() const { return static_cast<bool>(error_); }
  const RingError& error() const { return error_; }
  uint32_t read_index() const { return read_index_; }

 private:
  RingMemory mem_;
  uint32_t max_packet_bytes_;
  uint32_t read_index_ = 0;       // private position (next unread byte)
  uint32_t published_index_ = 0;  // last value stored into the control page
  RingError error_;
};

}  // namespace vmbsim::ring
