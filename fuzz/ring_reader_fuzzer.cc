// The ring reader over ring memory written by a hostile peer: every control word and data byte
// is the fuzzer's. The reader must never crash or touch memory outside the ring, must stop at
// Empty or Dead in a bounded number of reads, and must hand out only packets whose descriptor
// agrees with the bytes it copied.
//
// Input layout (little-endian; missing bytes read as zero):
//   0  u32 write_index       control page 0x00
//   4  u32 read_index        control page 0x04 (the reader validates it once, at attach)
//   8  u32 interrupt_mask    control page 0x08
//   12 u32 pending_send_sz   control page 0x0C
//   16 u32 feature_bits      control page 0x40
//   20 u8  options           bits 0-1: data pages - 1; bit 2: commit after every packet;
//                            bit 3: mask interrupts while draining; bit 4: publish late_write_index
//   21 u32 max_packet_bytes  the reader's limit (0: none)
//   25 u32 late_write_index  what the peer publishes after the first drain (with bit 4)
//   29 ...                   the data area from offset 0; the rest of the ring is zero
// The reader drains the ring, the peer may then publish more (bit 4), and the reader takes the
// wakeup path and drains again. The control page and the data area are separate heap blocks of
// exactly their size, so AddressSanitizer sees a read before or after the data area.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "sim/ring/gpa_range.h"
#include "sim/ring/ring_layout.h"
#include "sim/ring/ring_memory.h"
#include "sim/ring/ring_reader.h"

namespace {

using namespace vmbsim::ring;

constexpr size_t kHeaderSize = 29;

[[noreturn]] void violated(const char* what, uint64_t value) {
  std::fprintf(stderr, "ring_reader_fuzzer: %s (0x%llx)\n", what, static_cast<unsigned long long>(value));
  std::abort();
}

uint32_t u32_at(const uint8_t* data, size_t size, size_t offset) {
  uint8_t b[4] = {};
  for (size_t i = 0; i < 4 && offset + i < size; ++i) b[i] = data[offset + i];
  uint32_t v;
  std::memcpy(&v, b, 4);
  return v;
}

// A packet the reader accepted must be one it was allowed to accept.
void check_packet(const ReadPacket& p, uint32_t data_size, uint32_t max_packet_bytes) {
  const PacketDescriptor& d = p.descriptor;
  const uint32_t len = uint32_t{d.len8} * 8;
  if (p.bytes.size() != len) violated("packet bytes disagree with len8", p.bytes.size());
  if (len < kDescriptorSize || len + kTrailerSize > data_size - kAlignment) violated("impossible length", len);
  if (d.offset8 < kDescriptorSize / 8 || d.offset8 > d.len8) violated("offset8 out of the packet", d.offset8);
  if (max_packet_bytes != 0 && len > max_packet_bytes) violated("packet over the reader's limit", len);
  if ((d.flags & ~kKnownFlags) != 0) violated("unknown flags accepted", d.flags);
  if (std::memcmp(p.bytes.data(), &d, kDescriptorSize) != 0) violated("descriptor copy differs", d.transaction_id);
  // Touch every byte handed out, so a short copy shows up as a sanitizer report here.
  uint8_t sum = 0;
  for (uint32_t i = 0; i < p.header_ext_size(); ++i) sum ^= p.header_ext()[i];
  for (uint32_t i = 0; i < p.payload_size(); ++i) sum ^= p.payload()[i];
  if (p.type() == PacketType::DataUsingGpaDirect) {
    // GPA ranges come from the same hostile peer; their parser runs on what the reader copied.
    std::vector<GpaRange> ranges;
    std::string error;
    if (parse_gpa_ranges(p.header_ext(), p.header_ext_size(), ranges, error)) {
      for (const GpaRange& r : ranges)
        if (r.byte_count == 0 || r.byte_offset > 0xFFF ||
            r.pfns.size() != GpaRange::pages_spanned(r.byte_offset, r.byte_count))
          violated("inconsistent GPA range accepted", r.byte_count);
    } else if (error.empty()) {
      violated("GPA range refused without a reason", p.header_ext_size());
    }
  }
  volatile uint8_t sink = sum;
  (void)sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint8_t options = size > 20 ? data[20] : 0;
  const uint32_t data_size = ((options & 3u) + 1) * kPageSize;
  const uint32_t max_packet_bytes = u32_at(data, size, 21);

  auto control = std::make_unique<uint8_t[]>(kControlPageSize);
  auto ring = std::make_unique<uint8_t[]>(data_size);
  std::memset(control.get(), 0, kControlPageSize);
  std::memset(ring.get(), 0, data_size);
  for (uint32_t off : {kWriteIndexOffset, kReadIndexOffset, kInterruptMaskOffset, kPendingSendSizeOffset}) {
    const uint32_t v = u32_at(data, size, off);
    std::memcpy(control.get() + off, &v, 4);
  }
  const uint32_t features = u32_at(data, size, 16);
  std::memcpy(control.get() + kFeatureBitsOffset, &features, 4);
  if (size > kHeaderSize) std::memcpy(ring.get(), data + kHeaderSize, std::min<size_t>(size - kHeaderSize, data_size));

  RingReader reader(RingMemory{control.get(), ring.get(), data_size}, max_packet_bytes);
  ReadPacket packet;
  // Every packet takes at least descriptor + trailer bytes, so a reader that keeps returning
  // packets past this many in one drain is looping on the same bytes.
  const uint32_t max_reads = data_size / (kDescriptorSize + kTrailerSize) + 1;
  auto drain = [&] {
    ReadStatus status = ReadStatus::Packet;
    for (uint32_t reads = 0; status == ReadStatus::Packet;) {
      if (++reads > max_reads) violated("reader never reaches Empty or Dead", reads);
      status = reader.read(packet);
      const uint32_t r = reader.read_index();
      if (r >= data_size || r % kAlignment != 0) violated("read_index left the ring", r);
      if (status == ReadStatus::Packet) {
        check_packet(packet, data_size, max_packet_bytes);
        if (options & 4u) reader.commit();
      }
    }
    if (status == ReadStatus::Dead && !reader.is_dead()) violated("Dead without an error", 0);
  };

  if (options & 8u) reader.mask_interrupts();
  drain();
  // The peer publishes again after the reader saw Empty: the wakeup path (commit, unmask) now
  // meets a write_index it has not validated yet, then a second drain reads what it covers.
  const uint32_t late = u32_at(data, size, 25);
  if (options & 16u) std::memcpy(control.get() + kWriteIndexOffset, &late, 4);
  reader.commit();
  reader.unmask_interrupts();
  reader.has_data();
  drain();
  if (reader.is_dead() && reader.read(packet) != ReadStatus::Dead) violated("a dead ring came back", 0);
  return 0;
}
