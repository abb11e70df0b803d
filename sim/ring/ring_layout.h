// VMBus ring-buffer wire layout (vmbus-wire.md §1-§2). Pure constants and PODs: no KMCL here.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vmbsim::ring {

constexpr uint32_t kPageSize = 4096;
// The control page precedes the data area; the data area starts exactly one page later.
constexpr uint32_t kControlPageSize = 4096;
constexpr uint32_t kDescriptorSize = 16;
// Every packet is followed by an 8-byte trailer: (u64)start_write_index << 32.
constexpr uint32_t kTrailerSize = 8;
constexpr uint32_t kAlignment = 8;

// Byte offsets of the control-page fields.
constexpr uint32_t kWriteIndexOffset = 0x00;
constexpr uint32_t kReadIndexOffset = 0x04;
constexpr uint32_t kInterruptMaskOffset = 0x08;
constexpr uint32_t kPendingSendSizeOffset = 0x0C;
constexpr uint32_t kFeatureBitsOffset = 0x40;
// feature_bits bit 0: the ring's writer uses pending_send_sz and the reader must honour it.
constexpr uint32_t kFeaturePendingSendSize = 0x1;

enum class PacketType : uint16_t {
  Invalid = 0x0,
  Synch = 0x1,
  AddTransferPageSet = 0x2,
  RemoveTransferPageSet = 0x3,
  EstablishGpadl = 0x4,
  TeardownGpadl = 0x5,
  DataInband = 0x6,
  DataUsingTransferPages = 0x7,
  DataUsingGpadl = 0x8,
  DataUsingGpaDirect = 0x9,
  CancelRequest = 0xA,
  Completion = 0xB,
  DataUsingAdditionalPacket = 0xC,
  AdditionalData = 0xD,
};

constexpr uint16_t kFlagCompletionRequested = 0x1;
constexpr uint16_t kKnownFlags = kFlagCompletionRequested;

// The 16-byte descriptor at the start of every packet (struct vmpacket_descriptor).
struct PacketDescriptor {
  uint16_t type;
  uint16_t offset8;  // header length / 8: payload starts at offset8 * 8
  uint16_t len8;     // total packet length / 8, trailer excluded
  uint16_t flags;
  uint64_t transaction_id;
};
static_assert(sizeof(PacketDescriptor) == kDescriptorSize, "descriptor is 16 bytes on the wire");

constexpr uint32_t align8(uint32_t n) { return (n + 7u) & ~7u; }

// Bytes a packet consumes in the ring: descriptor + header extension + padded payload + trailer.
// The padding is computed in 64 bits: align8() on a u32 wraps for payload_len > 0xFFFFFFF8.
constexpr uint64_t ring_bytes_for(uint32_t header_ext_len, uint32_t payload_len) {
  return uint64_t{kDescriptorSize} + header_ext_len +
         ((uint64_t{payload_len} + 7u) & ~uint64_t{7}) + kTrailerSize;
}

}  // namespace vmbsim::ring
