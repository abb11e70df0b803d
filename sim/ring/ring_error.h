// Typed ring errors. A ring that reports one is dead ("channel is dead"): every later call
// returns the same error, so a hostile peer cannot make the reader resynchronise on garbage.
#pragma once

#include <cstdint>
#include <string>

namespace vmbsim::ring {

enum class RingErrorKind : uint8_t {
  None = 0,
  InvalidPeerIndex,        // peer-owned index >= data_size or not 8-aligned (wire #22)
  InvalidDataAvailable,    // 0 < available < descriptor + trailer (wire #24)
  InvalidDescriptorLength, // len8*8 < 16, or packet + trailer longer than the data available (#25, #28)
  InvalidDataOffset,       // offset8 < 2 or offset8 > len8 (#26, #27)
  InvalidPacketType,       // type not one of 6, 7, 9, 0xB (#31)
  InvalidPacketFlags,      // flag bits other than completion-requested (#31)
  PacketTooLarge,          // packet larger than the reader's limit (#29)
  InvalidPendingSendSize,  // pending_send_sz larger than the ring (#32); reported, not fatal
};

struct RingError {
  RingErrorKind kind = RingErrorKind::None;
  uint32_t offset = 0;    // data-area offset where the problem was found
  uint64_t value = 0;     // the offending value (index, len8, type, ...)
  std::string describe() const;  // one line, e.g. "invalid packet type 0x3 at ring offset 0x40"
  explicit operator bool() const { return kind != RingErrorKind::None; }
};

const char* to_string(RingErrorKind kind);

}  // namespace vmbsim::ring
