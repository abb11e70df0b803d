// The bytes VmbChannelSaveContinue produces and VmbChannelRestoreFromBuffer consumes: a
// vmbsim-private, versioned sequence of chunks (kmcl-api.md §7 Q35). Each chunk checks itself
// (magic, version, save id, sequence number, length, checksum), so a restore can tell a whole,
// unmodified chunk of one save from anything else (rule 66).
//
// Chunk = 32-byte header + payload, all integers little-endian:
//   u32 magic 'VSRC' | u16 version | u16 kind | u64 save id | u32 sequence | u32 total chunks |
//   u32 payload length | u32 FNV-1a of the header (checksum field zero) and the payload
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/guid.h"

namespace vmbsim::save {

constexpr uint32_t kChunkMagic = 0x43525356;  // "VSRC"
constexpr uint16_t kVersion = 1;
constexpr uint32_t kChunkHeaderSize = 32;

enum class ChunkKind : uint16_t {
  Channel = 1,   // ChannelRecord: always the first chunk
  Packet = 2,    // a PacketRecord (the KMCL part, the LibBuf) and the VSP's own bytes
  Incoming = 3,  // IncomingRecord: a guest transaction the server has not answered on the wire
};

struct Chunk {
  ChunkKind kind = ChunkKind::Channel;
  uint64_t save_id = 0;
  uint32_t sequence = 0;
  uint32_t total = 0;
  const uint8_t* payload = nullptr;
  uint32_t length = 0;  // payload bytes
  size_t size = 0;      // whole chunk bytes
};

std::vector<uint8_t> make_chunk(ChunkKind kind, uint64_t save_id, uint32_t sequence, uint32_t total,
                                const std::vector<uint8_t>& payload);
// Parses the chunk at the start of [data, data + size). False, with the reason, unless a whole
// valid chunk is there.
bool parse_chunk(const uint8_t* data, size_t size, Chunk& out, std::string& error);

// What the saved channel was and where its guest connection waits (Simulation::park).
struct ChannelRecord {
  uint64_t parking_token = 0;  // 0: nothing was connected
  uint32_t packets = 0, incoming = 0;
  Guid interface_type{}, interface_instance{};
  uint32_t max_packet_size = 0;
};

// A server packet whose transaction was in flight. This is the LibBuf that
// EvtVmbChannelRestorePacket passes on to VmbPacketRestore.
struct PacketRecord {
  uint64_t save_id = 0;
  uint32_t sequence = 0;
  uint64_t transaction_id = 0;
  bool queued = false;    // not yet in the ring (waiting for space): the payload travels along
  bool internal = false;  // a fire-and-forget VmbChannelSendSynchronousRequest; no VSP state
  uint32_t send_flags = 0;
  std::vector<uint8_t> payload;
};

// A packet the guest sent that the server read from the ring but has not answered on the wire.
struct IncomingRecord {
  uint64_t transaction_id = 0;
  bool completion_requested = false;
  uint32_t flags = 0;
  std::vector<uint8_t> payload;
  std::vector<uint8_t> ranges;  // GPA ranges of its external data, wire-encoded
  bool completing = false;      // completed by the server; the completion waited for ring space
  std::vector<uint8_t> response;
};

std::vector<uint8_t> encode(const ChannelRecord& r);
std::vector<uint8_t> encode(const PacketRecord& r);
std::vector<uint8_t> encode(const IncomingRecord& r);
bool decode(const uint8_t* data, size_t size, ChannelRecord& r);
bool decode(const uint8_t* data, size_t size, PacketRecord& r);
bool decode(const uint8_t* data, size_t size, IncomingRecord& r);

// A Packet chunk's payload: the KMCL record and the VSP's bytes side by side.
std::vector<uint8_t> packet_payload(const std::vector<uint8_t>& lib, const std::vector<uint8_t>& vsp);
bool split_packet_payload(const uint8_t* data, size_t size, const uint8_t** lib, uint32_t* lib_size,
                          const uint8_t** vsp, uint32_t* vsp_size);

}  // namespace vmbsim::save
