#include "sim/ring/ring_error.h"

#include <cinttypes>
#include <cstdio>

#include "sim/ring/ring_layout.h"

namespace vmbsim::ring {

const char* to_string(RingErrorKind kind) {
  switch (kind) {
    case RingErrorKind::None:
      return "None";
    case RingErrorKind::InvalidPeerIndex:
      return "InvalidPeerIndex";
    case RingErrorKind::InvalidDataAvailable:
      return "InvalidDataAvailable";
    case RingErrorKind::InvalidDescriptorLength:
      return "InvalidDescriptorLength";
    case RingErrorKind::InvalidDataOffset:
      return "InvalidDataOffset";
    case RingErrorKind::InvalidPacketType:
      return "InvalidPacketType";
    case RingErrorKind::InvalidPacketFlags:
      return "InvalidPacketFlags";
    case RingErrorKind::PacketTooLarge:
      return "PacketTooLarge";
    case RingErrorKind::InvalidPendingSendSize:
      return "InvalidPendingSendSize";
  }
  // A value outside the enum can only come from memory corruption; still say something useful.
  return "UnknownRingError";
}

namespace {

const char* control_word_name(uint32_t offset) {
  switch (offset) {
    case kWriteIndexOffset:
      return "write_index";
    case kReadIndexOffset:
      return "read_index";
    case kInterruptMaskOffset:
      return "interrupt_mask";
    case kPendingSendSizeOffset:
      return "pending_send_sz";
    case kFeatureBitsOffset:
      return "feature_bits";
    default:
      return "control word";
  }
}

}  // namespace

// For the two kinds that concern a control-page word (InvalidPeerIndex, InvalidPendingSendSize)
// `offset` is the control-page offset of that word; for all others it is the data-area offset
// of the packet being parsed.
std::string RingError::describe() const {
  char buf[160];
  const unsigned long long v = value;
  switch (kind) {
    case RingErrorKind::None:
      return "no ring error";
    case RingErrorKind::InvalidPeerIndex:
      std::snprintf(buf, sizeof buf,
                    "invalid peer ring index 0x%llx in %s (control offset 0x%" PRIx32
                    "): out of range or not 8-aligned",
                    v, control_word_name(offset), offset);
      break;
    case RingErrorKind::InvalidDataAvailable:
      std::snprintf(buf, sizeof buf,
                    "invalid data available 0x%llx at ring offset 0x%" PRIx32
                    ": less than descriptor + trailer",
                    v, offset);
      break;
    case RingErrorKind::InvalidDescriptorLength:
      std::snprintf(buf, sizeof buf,
                    "invalid descriptor length len8 0x%llx at ring offset 0x%" PRIx32
                    ": shorter than a descriptor or longer than the data available",
                    v, offset);
      break;
    case RingErrorKind::InvalidDataOffset:
      std::snprintf(buf, sizeof buf,
                    "invalid data offset offset8 0x%llx at ring offset 0x%" PRIx32
                    ": below 2 or beyond len8",
                    v, offset);
      break;
    case RingErrorKind::InvalidPacketType:
      std::snprintf(buf, sizeof buf, "invalid packet type 0x%llx at ring offset 0x%" PRIx32, v,
                    offset);
      break;
    case RingErrorKind::InvalidPacketFlags:
      std::snprintf(buf, sizeof buf, "invalid packet flags 0x%llx at ring offset 0x%" PRIx32, v,
                    offset);
      break;
    case RingErrorKind::PacketTooLarge:
      std::snprintf(buf, sizeof buf,
                    "packet of 0x%llx bytes at ring offset 0x%" PRIx32
                    " exceeds the reader's maximum packet size",
                    v, offset);
      break;
    case RingErrorKind::InvalidPendingSendSize:
      std::snprintf(buf, sizeof buf,
                    "invalid pending_send_sz 0x%llx (control offset 0x%" PRIx32
                    "): larger than the ring",
                    v, offset);
      break;
    default:
      std::snprintf(buf, sizeof buf, "unknown ring error %u at offset 0x%" PRIx32 ", value 0x%llx",
                    static_cast<unsigned>(kind), offset, v);
      break;
  }
  return buf;
}

}  // namespace vmbsim::ring
