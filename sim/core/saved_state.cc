#include "sim/core/saved_state.h"

#include <cstring>

namespace vmbsim::save {

namespace {

// Little-endian writer and bounds-checked reader; a short read makes the reader fail for good.
class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { uint(v, 2); }
  void u32(uint32_t v) { uint(v, 4); }
  void u64(uint64_t v) { uint(v, 8); }
  void bytes(const std::vector<uint8_t>& b) {
    u32(static_cast<uint32_t>(b.size()));
    out_.insert(out_.end(), b.begin(), b.end());
  }
  void guid(const Guid& g) {
    u32(g.data1);
    u16(g.data2);
    u16(g.data3);
    out_.insert(out_.end(), g.data4, g.data4 + 8);
  }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  void uint(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  uint8_t u8() { return static_cast<uint8_t>(uint(1)); }
  uint16_t u16() { return static_cast<uint16_t>(uint(2)); }
  uint32_t u32() { return static_cast<uint32_t>(uint(4)); }
  uint64_t u64() { return uint(8); }
  std::vector<uint8_t> bytes() {
    uint32_t n = u32();
    if (!ok_ || static_cast<size_t>(end_ - p_) < n) return fail<std::vector<uint8_t>>();
    std::vector<uint8_t> b(p_, p_ + n);
    p_ += n;
    return b;
  }
  Guid guid() {
    Guid g;
    g.data1 = u32();
    g.data2 = u16();
    g.data3 = u16();
    if (!ok_ || end_ - p_ < 8) return fail<Guid>();
    std::memcpy(g.data4, p_, 8);
    p_ += 8;
    return g;
  }
  // True if everything read was there and nothing is left over.
  bool done() const { return ok_ && p_ == end_; }

 private:
  template <typename T>
  T fail() {
    ok_ = false;
    return T{};
  }
  uint64_t uint(int n) {
    if (!ok_ || end_ - p_ < n) return fail<uint64_t>();
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{p_[i]} << (8 * i);
    p_ += n;
    return v;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

uint32_t fnv1a(uint32_t h, const uint8_t* data, size_t n) {
  for (size_t i = 0; i < n; ++i) h = (h ^ data[i]) * 16777619u;
  return h;
}

uint32_t chunk_checksum(const uint8_t* header, const uint8_t* payload, uint32_t length) {
  uint8_t h[kChunkHeaderSize];
  std::memcpy(h, header, kChunkHeaderSize);
  std::memset(h + 28, 0, 4);
  return fnv1a(fnv1a(2166136261u, h, sizeof(h)), payload, length);
}

uint64_t read_le(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace

std::vector<uint8_t> make_chunk(ChunkKind kind, uint64_t save_id, uint32_t sequence, uint32_t total,
                                const std::vector<uint8_t>& payload) {
  Writer w;
  w.u32(kChunkMagic);
  w.u16(kVersion);
  w.u16(static_cast<uint16_t>(kind));
  w.u64(save_id);
  w.u32(sequence);
  w.u32(total);
  w.u32(static_cast<uint32_t>(payload.size()));
  w.u32(0);
  std::vector<uint8_t> c = w.take();
  c.insert(c.end(), payload.begin(), payload.end());
  uint32_t sum = chunk_checksum(c.data(), c.data() + kChunkHeaderSize, static_cast<uint32_t>(payload.size()));
  for (int i = 0; i < 4; ++i) c[28 + i] = static_cast<uint8_t>(sum >> (8 * i));
  return c;
}

bool parse_chunk(const uint8_t* data, size_t size, Chunk& out, std::string& error) {
  if (size < kChunkHeaderSize) {
    error = std::to_string(size) + " bytes left, less than a chunk header (" + std::to_string(kChunkHeaderSize) + ")";
    return false;
  }
  if (read_le(data, 4) != kChunkMagic) {
    error = "no chunk starts here (bad magic)";
    return false;
  }
  if (read_le(data + 4, 2) != kVersion) {
    error = "chunk version " + std::to_string(read_le(data + 4, 2)) + " is not supported";
    return false;
  }
  uint64_t kind = read_le(data + 6, 2);
  if (kind < 1 || kind > 3) {
    error = "unknown chunk kind " + std::to_string(kind);
    return false;
  }
  uint32_t length = static_cast<uint32_t>(read_le(data + 24, 4));
  if (size - kChunkHeaderSize < length) {
    error = "chunk of " + std::to_string(length) + " payload bytes is cut short (" +
            std::to_string(size - kChunkHeaderSize) + " present)";
    return false;
  }
  if (chunk_checksum(data, data + kChunkHeaderSize, length) != read_le(data + 28, 4)) {
    error = "chunk checksum mismatch (the bytes were changed)";
    return false;
  }
  out.kind = static_cast<ChunkKind>(kind);
  out.save_id = read_le(data + 8, 8);
  out.sequence = static_cast<uint32_t>(read_le(data + 16, 4));
  out.total = static_cast<uint32_t>(read_le(data + 20, 4));
  out.payload = data + kChunkHeaderSize;
  out.length = length;
  out.size = kChunkHeaderSize + size_t{length};
  return true;
}

std::vector<uint8_t> encode(const ChannelRecord& r) {
  Writer w;
  w.u64(r.parking_token);
  w.u32(r.packets);
  w.u32(r.incoming);
  w.guid(r.interface_type);
  w.guid(r.interface_instance);
  w.u32(r.max_packet_size);
  return w.take();
}

bool decode(const uint8_t* data, size_t size, ChannelRecord& r) {
  Reader in(data, size);
  r.parking_token = in.u64();
  r.packets = in.u32();
  r.incoming = in.u32();
  r.interface_type = in.guid();
  r.interface_instance = in.guid();
  r.max_packet_size = in.u32();
  return in.done();
}

std::vector<uint8_t> encode(const PacketRecord& r) {
  Writer w;
  w.u64(r.save_id);
  w.u32(r.sequence);
  w.u64(r.transaction_id);
  w.u8(static_cast<uint8_t>((r.queued ? 1 : 0) | (r.internal ? 2 : 0)));
  w.u32(r.send_flags);
  w.bytes(r.payload);
  return w.take();
}

bool decode(const uint8_t* data, size_t size, PacketRecord& r) {
  Reader in(data, size);
  r.save_id = in.u64();
  r.sequence = in.u32();
  r.transaction_id = in.u64();
  uint8_t bits = in.u8();
  r.queued = (bits & 1) != 0;
  r.internal = (bits & 2) != 0;
  r.send_flags = in.u32();
  r.payload = in.bytes();
  return in.done() && bits <= 3;
}

std::vector<uint8_t> encode(const IncomingRecord& r) {
  Writer w;
  w.u64(r.transaction_id);
  w.u8(static_cast<uint8_t>((r.completion_requested ? 1 : 0) | (r.completing ? 2 : 0)));
  w.u32(r.flags);
  w.bytes(r.payload);
  w.bytes(r.ranges);
  w.bytes(r.response);
  return w.take();
}

bool decode(const uint8_t* data, size_t size, IncomingRecord& r) {
  Reader in(data, size);
  r.transaction_id = in.u64();
  uint8_t bits = in.u8();
  r.completion_requested = (bits & 1) != 0;
  r.completing = (bits & 2) != 0;
  r.flags = in.u32();
  r.payload = in.bytes();
  r.ranges = in.bytes();
  r.response = in.bytes();
  return in.done() && bits <= 3;
}

std::vector<uint8_t> packet_payload(const std::vector<uint8_t>& lib, const std::vector<uint8_t>& vsp) {
  Writer w;
  w.bytes(lib);
  w.bytes(vsp);
  return w.take();
}

bool split_packet_payload(const uint8_t* data, size_t size, const uint8_t** lib, uint32_t* lib_size,
                          const uint8_t** vsp, uint32_t* vsp_size) {
  // Points into `data` rather than copying: the LibBuf a VSP sees lies inside the caller's buffer.
  if (size < 4) return false;
  *lib_size = static_cast<uint32_t>(read_le(data, 4));
  if (size - 4 < *lib_size) return false;
  *lib = data + 4;
  size_t at = 4 + size_t{*lib_size};
  if (size - at < 4) return false;
  *vsp_size = static_cast<uint32_t>(read_le(data + at, 4));
  if (size - at - 4 != *vsp_size) return false;
  *vsp = data + at + 4;
  return true;
}

}  // namespace vmbsim::save
