// Writing end of a VMBus ring: Linux hv_ringbuffer_write / hv_signal_on_write, DPDK
// vmbus_txbr_write, OpenVMM OutgoingRing, restated for a ring we may not trust the peer on.
//
// Data-area invariants (all offsets relative to mem_.data, size = mem_.data_size):
//  * size is a non-zero multiple of kPageSize, so every index and every packet boundary is a
//    multiple of 8 below size;
//  * write_index_ is ours alone: the copy in the control page is published, never read back
//    (a host may rewrite it, wire #23);
//  * bytes in [published read_index, write_index_) belong to the reader; we only write in
//    [write_index_, read_index - 8], which is what "bytes_free >= packet" guarantees;
//  * no arithmetic forms idx + n directly: size may be close to 2^32.
#include "sim/ring/ring_writer.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "sim/ring/shared_word.h"

namespace vmbsim::ring {

namespace {

// len8 is a u16 on the wire.
constexpr uint64_t kMaxPacketLen = uint64_t{0xFFFF} * 8;

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

// No skip records: whatever does not fit before the end continues at offset 0 (§1.3).
inline void copy_to_ring(uint8_t* data, uint32_t size, uint32_t off, const void* src,
                         uint32_t len) {
  const uint32_t room = size - off;
  if (len <= room) {
    std::memcpy(data + off, src, len);
  } else {
    std::memcpy(data + off, src, room);
    std::memcpy(data, static_cast<const uint8_t*>(src) + room, len - room);
  }
}

}  // namespace

RingWriter::RingWriter(RingMemory mem) : mem_(mem) {
  assert(mem_.control != nullptr && mem_.data != nullptr);
  assert(mem_.data_size != 0 && mem_.data_size % kPageSize == 0);
  // Our own index, but it sat in shared memory before we attached: validate it once, then
  // never read it again.
  const uint32_t w = shared::load_acquire(shared::word(mem_.control, kWriteIndexOffset));
  if (!valid_index(w, mem_.data_size)) {
    error_ = RingError{RingErrorKind::InvalidPeerIndex, kWriteIndexOffset, w};
    return;
  }
  write_index_ = w;
  published_index_ = w;
}

WriteResult RingWriter::write(const OutgoingPacket& packet) {
  const WriteStatus status = write_batched(packet);
  if (status != WriteStatus::Written) return WriteResult{status, false};
  return WriteResult{WriteStatus::Written, commit()};
}

WriteStatus RingWriter::write_batched(const OutgoingPacket& packet) {
  if (error_) return WriteStatus::Dead;
  const uint32_t size = mem_.data_size;

  // Caller sizes are u32; sum in u64 so that a huge payload cannot wrap into a small packet.
  // header_ext is specified as a multiple of 8; if it is not, it is zero-padded like the payload
  // so that offset8 still points at the payload.
  const uint32_t ext_size = packet.header_ext.size;
  const uint32_t payload_size = packet.payload.size;
  const uint64_t ext_len = (uint64_t{ext_size} + 7) & ~uint64_t{7};
  const uint64_t payload_len = (uint64_t{payload_size} + 7) & ~uint64_t{7};
  const uint64_t packet_len = kDescriptorSize + ext_len + payload_len;  // len8 * 8
  if (packet_len > kMaxPacketLen || packet_len + kTrailerSize > max_ring_packet_bytes()) {
    return WriteStatus::TooLarge;
  }
  const uint32_t len = static_cast<uint32_t>(packet_len);
  const uint32_t total = len + kTrailerSize;

  // Acquire: the reader released these bytes with a release store of read_index after its last
  // load of them; none of our stores below may be hoisted above this load.
  const uint32_t r = shared::load_acquire(shared::word(mem_.control, kReadIndexOffset));
  if (!valid_index(r, size)) {
    error_ = RingError{RingErrorKind::InvalidPeerIndex, kReadIndexOffset, r};
    return WriteStatus::Dead;
  }
  // Never-full rule: write_index == read_index must keep meaning "empty", so 8 bytes (one
  // trailer's worth, the alignment unit) always stay unused. bytes_to_write >= 8 here because
  // both indices are 8-aligned, so the subtraction cannot wrap.
  if (bytes_to_write(write_index_, r, size) - kTrailerSize < total) return WriteStatus::Full;

  const uint32_t start = write_index_;
  PacketDescriptor desc;
  desc.type = static_cast<uint16_t>(packet.type);
  desc.offset8 = static_cast<uint16_t>((kDescriptorSize + ext_len) / 8);
  desc.len8 = static_cast<uint16_t>(len / 8);
  // Type and flags are not policed here: the simulator must be able to emit what a hostile
  // host would; the reader is where validation happens.
  desc.flags = packet.flags;
  desc.transaction_id = packet.transaction_id;

  uint8_t* const data = mem_.data;
  uint32_t off = start;
  copy_to_ring(data, size, off, &desc, kDescriptorSize);
  off = advance(off, kDescriptorSize, size);
  if (ext_size != 0) {
    copy_to_ring(data, size, off, packet.header_ext.data, ext_size);
    off = advance(off, ext_size, size);
    if (ext_len != ext_size) {
      static constexpr uint8_t kZeros[8] = {};
      const uint32_t pad = static_cast<uint32_t>(ext_len) - ext_size;
      copy_to_ring(data, size, off, kZeros, pad);
      off = advance(off, pad, size);
    }
  }
  if (payload_size != 0) {
    copy_to_ring(data, size, off, packet.payload.data, payload_size);
    off = advance(off, payload_size, size);
  }
  // Payload padding and trailer go out as one piece: pad zeros, then (u64)start << 32 (§1.4).
  uint8_t tail[16] = {};
  const uint32_t pad = static_cast<uint32_t>(payload_len) - payload_size;
  const uint64_t trailer = uint64_t{start} << 32;
  std::memcpy(tail + pad, &trailer, sizeof trailer);
  copy_to_ring(data, size, off, tail, pad + kTrailerSize);

  write_index_ = advance(start, total, size);
  return WriteStatus::Written;
}

WriteResult RingWriter::write_raw(ConstBytes bytes) {
  if (error_) return WriteResult{WriteStatus::Dead, false};
  const uint32_t size = mem_.data_size;
  const uint64_t len = (uint64_t{bytes.size} + 7) & ~uint64_t{7};
  if (len == 0 || len + kTrailerSize > max_ring_packet_bytes()) return WriteResult{WriteStatus::TooLarge, false};
  const uint32_t total = static_cast<uint32_t>(len) + kTrailerSize;
  const uint32_t r = shared::load_acquire(shared::word(mem_.control, kReadIndexOffset));
  if (!valid_index(r, size)) {
    error_ = RingError{RingErrorKind::InvalidPeerIndex, kReadIndexOffset, r};
    return WriteResult{WriteStatus::Dead, false};
  }
  if (bytes_to_write(write_index_, r, size) - kTrailerSize < total) return WriteResult{WriteStatus::Full, false};
  const uint32_t start = write_index_;
  copy_to_ring(mem_.data, size, start, bytes.data, bytes.size);
  uint8_t tail[16] = {};
  const uint32_t pad = static_cast<uint32_t>(len) - bytes.size;
  const uint64_t trailer = uint64_t{start} << 32;
  std::memcpy(tail + pad, &trailer, sizeof trailer);
  copy_to_ring(mem_.data, size, advance(start, bytes.size, size), tail, pad + kTrailerSize);
  write_index_ = advance(start, total, size);
  return WriteResult{WriteStatus::Written, commit()};
}

bool RingWriter::commit() {
  if (error_ || write_index_ == published_index_) return false;
  const uint32_t old_index = published_index_;

  // Release: the packet bytes are visible before the index that covers them (§3.3 row 1).
  shared::store_release(shared::word(mem_.control, kWriteIndexOffset), write_index_);
  published_index_ = write_index_;

  // The store above must be visible before we sample the reader's state; otherwise the reader
  // may drain, unmask and go to sleep having seen the old index while we see its old
  // read_index and skip the signal: a lost wakeup. Only a full fence orders store -> load.
  shared::full_fence();
  // Acquire doubles as the §3.3 read barrier between interrupt_mask and read_index.
  if (shared::load_acquire(shared::word(mem_.control, kInterruptMaskOffset)) != 0) return false;
  const uint32_t r = shared::load_acquire(shared::word(mem_.control, kReadIndexOffset));
  if (!valid_index(r, mem_.data_size)) {
    error_ = RingError{RingErrorKind::InvalidPeerIndex, kReadIndexOffset, r};
    return false;
  }
  // Signal only for empty -> non-empty: Hyper-V throttles guests that signal needlessly.
  return r == old_index;
}

bool RingWriter::request_space(uint32_t bytes) {
  if (error_) return false;
  // A request the ring can never satisfy does not set pending_send_sz: the value would read as
  // garbage to the peer (wire #32) and the wakeup could never come. The caller gets false and
  // should treat its write as TooLarge (write() already reports it that way). OpenVMM likewise
  // refuses a pending size above the ring's maximum packet size.
  const uint32_t max_bytes = max_ring_packet_bytes();
  if (bytes > max_bytes) return false;
  // Ask for at least a quarter of the ring so that a slow reader wakes us once per batch of
  // space rather than once per freed packet (OpenVMM WriteState). Readers mask the value with
  // ~7, so store it already rounded up; max_bytes is a multiple of 8, so this stays <= it.
  const uint32_t pending = (std::max(bytes, max_bytes / 4) + 7u) & ~7u;
  shared::store_once(shared::word(mem_.control, kPendingSendSizeOffset), pending);
  // Store pending, then re-check: a reader that committed between our failed write and the
  // store above saw pending == 0 and did not signal, so we must see its read_index now.
  shared::full_fence();
  const uint32_t r = shared::load_acquire(shared::word(mem_.control, kReadIndexOffset));
  if (!valid_index(r, mem_.data_size)) {
    error_ = RingError{RingErrorKind::InvalidPeerIndex, kReadIndexOffset, r};
    return false;
  }
  return bytes_to_write(write_index_, r, mem_.data_size) - kTrailerSize >= bytes;
}

void RingWriter::clear_pending_send_size() {
  shared::store_once(shared::word(mem_.control, kPendingSendSizeOffset), 0);
}

uint32_t RingWriter::bytes_free() const {
  if (error_) return 0;
  const uint32_t r = shared::load_acquire(shared::word(mem_.control, kReadIndexOffset));
  // const: cannot record the error here; the next write() will, and until then report no room.
  if (!valid_index(r, mem_.data_size)) return 0;
  return bytes_to_write(write_index_, r, mem_.data_size) - kTrailerSize;
}

uint32_t RingWriter::max_ring_packet_bytes() const { return mem_.data_size - kTrailerSize; }

}  // namespace vmbsim::ring
