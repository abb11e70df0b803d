// Reading end of a VMBus ring: Linux hv_pkt_iter_first/next/close, DPDK vmbus_rxbr_read,
// OpenVMM IncomingRing, with OpenVMM's fail-stop validation (vmbus-wire.md §6 items 22-32).
//
// Data-area invariants (offsets relative to mem_.data, size = mem_.data_size):
//  * size is a non-zero multiple of kPageSize; read_index_ is 8-aligned and < size;
//  * read_index_ is ours alone and is only ever published, never read back (wire #23);
//  * write_index is the peer's and is validated on every load (wire #22); given a valid one,
//    0 < available <= size - 8, and every copy below is bounded by available, so no bytes of a
//    packet are read past what the writer published and no access leaves the data area;
//  * the descriptor is fetched from the ring exactly once; the validated copy is what the caller
//    sees in ReadPacket, whatever the writer does to the ring afterwards (wire #30);
//  * after the first error nothing is read, published or signalled any more.
#include "sim/ring/ring_reader.h"

#include <cassert>
#include <cstring>

#include "sim/ring/shared_word.h"

namespace vmbsim::ring {

namespace {

inline bool valid_index(uint32_t idx, uint32_t size) {
  return idx < size && (idx & (kAlignment - 1)) == 0;
}

// idx < size and n <= size; wraps without ever computing idx + n in 32 bits.
inline uint32_t advance(uint32_t idx, uint32_t n, uint32_t size) {
  const uint32_t room = size - idx;
  return n < room ? idx + n : n - room;
}

// Linux hv_get_bytes_to_write: the whole data area when empty (w == r).
inline uint32_t bytes_to_write(uint32_t w, uint32_t r, uint32_t size) {
  return w >= r ? size - (w - r) : r - w;
}

// A packet may straddle the end of the data area and continue at offset 0 (§1.3).
inline void copy_from_ring(void* dst, const uint8_t* data, uint32_t size, uint32_t off,
                           uint32_t len) {
  const uint32_t room = size - off;
  if (len <= room) {
    std::memcpy(dst, data + off, len);
  } else {
    std::memcpy(dst, data + off, room);
    std::memcpy(static_cast<uint8_t*>(dst) + room, data, len - room);
  }
}

inline bool known_type(uint16_t type) {
  switch (static_cast<PacketType>(type)) {
    case PacketType::DataInband:
    case PacketType::DataUsingTransferPages:
    case PacketType::DataUsingGpaDirect:
    case PacketType::Completion:
      return true;
    default:
      return false;
  }
}

}  // namespace

RingReader::RingReader(RingMemory mem, uint32_t max_packet_bytes)
    : mem_(mem), max_packet_bytes_(max_packet_bytes) {
  assert(mem_.control != nullptr && mem_.data != nullptr);
  assert(mem_.data_size != 0 && mem_.data_size % kPageSize == 0);
  // Our own index, but it sat in shared memory before we attached: validate it once, then
  // never read it again.
  const uint32_t r = shared::load_acquire(shared::word(mem_.control, kReadIndexOffset));
  if (!valid_index(r, mem_.data_size)) {
    error_ = RingError{RingErrorKind::InvalidPeerIndex, kReadIndexOffset, r};
    return;
  }
  read_index_ = r;
  published_index_ = r;
}

ReadStatus RingReader::read(ReadPacket& out) {
  if (error_) return ReadStatus::Dead;
  const uint32_t size = mem_.data_size;
  const uint8_t* const data = mem_.data;

  // Acquire: the packet bytes loaded below are at least as new as this index (§3.3; Linux
  // "Prevent load re-ordering when reading ring buffer").
  const uint32_t w = shared::load_acquire(shared::word(mem_.control, kWriteIndexOffset));
  if (!valid_index(w, size)) {
    error_ = RingError{RingErrorKind::InvalidPeerIndex, kWriteIndexOffset, w};
    return ReadStatus::Dead;
  }
  const uint32_t r = read_index_;
  if (w == r) return ReadStatus::Empty;
  const uint32_t available = w > r ? w - r : size - r + w;

  // Checks run in a fixed order so that a given corruption always yields the same error.
  if (available < kDescriptorSize + kTrailerSize) {
    error_ = RingError{RingErrorKind::InvalidDataAvailable, r, available};
    return ReadStatus::Dead;
  }
  PacketDescriptor desc;
  copy_from_ring(&desc, data, size, r, kDescriptorSize);
  // From here on only `desc` is used; the writer rewriting the ring cannot change what was
  // validated.
  shared::compiler_barrier();

  const uint32_t len = uint32_t{desc.len8} * 8;  // <= 524280: no overflow below
  if (len < kDescriptorSize || len + kTrailerSize > available) {
    error_ = RingError{RingErrorKind::InvalidDescriptorLength, r, desc.len8};
    return ReadStatus::Dead;
  }
  if (desc.offset8 < kDescriptorSize / 8 || desc.offset8 > desc.len8) {
    error_ = RingError{RingErrorKind::InvalidDataOffset, r, desc.offset8};
    return ReadStatus::Dead;
  }
  if (!known_type(desc.type)) {
    error_ = RingError{RingErrorKind::InvalidPacketType, r, desc.type};
    return ReadStatus::Dead;
  }
  if ((desc.flags & ~kKnownFlags) != 0) {
    error_ = RingError{RingErrorKind::InvalidPacketFlags, r, desc.flags};
    return ReadStatus::Dead;
  }
  // Fail-stop rather than Linux's truncating copy, which desynchronises the stream (wire #29).
  if (max_packet_bytes_ != 0 && len > max_packet_bytes_) {
    error_ = RingError{RingErrorKind::PacketTooLarge, r, len};
    return ReadStatus::Dead;
  }

  // resize() allocates only when capacity is short, so a reused ReadPacket costs nothing here
  // in steady state.
  out.bytes.resize(len);
  uint8_t* const dst = out.bytes.data();
  std::memcpy(dst, &desc, kDescriptorSize);
  copy_from_ring(dst + kDescriptorSize, data, size, advance(r, kDescriptorSize, size),
                 len - kDescriptorSize);
  out.descriptor = desc;

  // The trailer is skipped unread, as every implementation does (§1.4).
  read_index_ = advance(r, len + kTrailerSize, size);
  return ReadStatus::Packet;
}

bool RingReader::has_data() const {
  if (error_) return false;
  // An invalid index also counts: read() will report it.
  return shared::load_acquire(shared::word(mem_.control, kWriteIndexOffset)) != read_index_;
}

bool RingReader::commit() {
  if (error_ || read_index_ == published_index_) return false;
  const uint32_t size = mem_.data_size;
  const uint32_t old_index = published_index_;

  // Release: all our loads of the consumed packets complete before the writer may reuse the
  // space (§3.3 "packet loads -> read_index store").
  shared::store_release(shared::word(mem_.control, kReadIndexOffset), read_index_);
  published_index_ = read_index_;

  // Without the feature bit the writer never set pending_send_sz and polls instead (§1.1).
  if ((shared::load_once(shared::word(mem_.control, kFeatureBitsOffset)) &
       kFeaturePendingSendSize) == 0) {
    return false;
  }
  // Pairs with the writer's "store pending_send_sz; full fence; re-read read_index": one of
  // the two sides must see the other's store, or the writer sleeps forever.
  shared::full_fence();
  // Peers have been seen writing ring_size - 1 here (wire #32); mask to the 8-byte unit. A value
  // larger than the ring simply never triggers: free space cannot exceed size - 8.
  const uint32_t pending =
      shared::load_acquire(shared::word(mem_.control, kPendingSendSizeOffset)) & ~7u;
  if (pending == 0) return false;

  const uint32_t w = shared::load_acquire(shared::word(mem_.control, kWriteIndexOffset));
  if (!valid_index(w, size)) {
    error_ = RingError{RingErrorKind::InvalidPeerIndex, kWriteIndexOffset, w};
    return false;
  }
  // Free space as the writer counts it (never-full rule: minus 8), now and before this batch.
  const uint32_t free_now = bytes_to_write(w, read_index_, size) - kTrailerSize;
  const uint32_t batch =
      read_index_ >= old_index ? read_index_ - old_index : size - old_index + read_index_;
  // free_now < batch: the writer already refilled part of what this batch released, so
  // before the batch it was short of space. Treat that as "was short": a missed wakeup hangs the
  // writer, a spare one costs one interrupt.
  const bool was_short = free_now < batch || free_now - batch < pending;
  return was_short && free_now >= pending;
}

void RingReader::mask_interrupts() {
  if (error_) return;
  shared::store_once(shared::word(mem_.control, kInterruptMaskOffset), 1);
  // The writer must see the mask before we start draining, or it signals a ring we already
  // poll.
  shared::full_fence();
}

bool RingReader::unmask_interrupts() {
  if (error_) return false;
  shared::store_once(shared::word(mem_.control, kInterruptMaskOffset), 0);
  // Store mask = 0 -> load write_index needs a full fence: a writer that published while we
  // were masked skipped the signal, so we must see its index here instead (§3.1).
  shared::full_fence();
  const uint32_t w = shared::load_acquire(shared::word(mem_.control, kWriteIndexOffset));
  if (!valid_index(w, mem_.data_size)) {
    // Dead now; report "no data" so a caller looping on unmask cannot spin on a dead ring.
    error_ = RingError{RingErrorKind::InvalidPeerIndex, kWriteIndexOffset, w};
    return false;
  }
  return w != read_index_;
}

}  // namespace vmbsim::ring
