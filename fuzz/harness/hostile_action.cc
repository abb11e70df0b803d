#include "fuzz/harness/hostile_action.h"

#include <algorithm>
#include <cstdio>

#include "fuzz/harness/byte_source.h"
#include "fuzz/harness/fuzz_target.h"

namespace vmbsim::fuzz {

namespace {

// Delays that matter to drivers: none to speak of, a ring's worth of latency, past a typical
// one-second request timeout, and long enough for everything to give up.
constexpr VirtualTime kDelays[] = {1'000, 100'000, 10'000'000, 500'000'000, 1'100'000'000, 5'000'000'000};
// Packet types worth trying (wire §2.2) before any u16.
constexpr uint16_t kTypes[] = {6, 11, 9, 7, 0, 1, 8, 10, 12, 13};
// Statuses a completion carries: mostly success, so that drivers get to parse the bytes.
constexpr Status kStatuses[] = {0, 0, 0, 0, 0, static_cast<Status>(0xC0000001u), static_cast<Status>(0xC0000120u)};
constexpr uint32_t kMaxRawLength = 4200;  // a little past the usual 4096-byte channel maximum

Payload decode_payload(ByteSource& in, const Target& t, bool can_reflect) {
  Payload p;
  const uint8_t mode = in.u8();
  switch (mode % 4) {
    case 0:
    case 1:
      p.source = t.messages.empty() ? Payload::Source::Raw : Payload::Source::Template;
      break;
    case 2:
      p.source = can_reflect ? Payload::Source::Reflect
                             : (t.messages.empty() ? Payload::Source::Raw : Payload::Source::Template);
      break;
    default:
      p.source = Payload::Source::Raw;
  }
  if (p.source == Payload::Source::Raw) {
    p.raw = in.bytes(in.u16() % (kMaxRawLength + 1));
    return p;
  }
  if (p.source == Payload::Source::Template) p.index = in.below(static_cast<uint32_t>(t.messages.size()));
  const uint32_t edits = (mode >> 2) % 8;
  for (uint32_t i = 0; i < edits; ++i) {
    const uint16_t offset = in.u16();
    p.edits.emplace_back(offset, in.u8());
  }
  if (mode & 0x20) p.resize = uint32_t{in.u16()} % (kMaxRawLength + 1) + 1;
  return p;
}

VirtualTime decode_delay(ByteSource& in) { return kDelays[in.below(sizeof(kDelays) / sizeof(kDelays[0]))]; }

}  // namespace

std::vector<Action> decode_actions(const uint8_t* data, size_t size, const Target& t, size_t max_actions) {
  ByteSource in(data, size);
  std::vector<Action> out;
  while (!in.exhausted() && out.size() < max_actions) {
    Action a;
    const uint8_t op = in.u8() % 32;
    if (op <= 5 || op >= 28) {
      a.kind = ActionKind::Complete;
    } else if (op <= 8) {
      a.kind = ActionKind::Send;
    } else if (op <= 11) {
      a.kind = t.commands.empty() ? ActionKind::Advance : ActionKind::DriverCommand;
    } else {
      static constexpr ActionKind kRest[] = {
          ActionKind::CompleteLater, ActionKind::CompleteLater, ActionKind::CompleteRaw, ActionKind::CompleteRaw,
          ActionKind::RawPacket,     ActionKind::RawPacket,     ActionKind::Malformed,   ActionKind::CorruptIndex,
          ActionKind::Advance,       ActionKind::Advance,       ActionKind::Advance,     ActionKind::StopDraining,
          ActionKind::ResumeDraining, ActionKind::FailAllocations, ActionKind::Close,    ActionKind::Rescind};
      a.kind = kRest[op - 12];
    }
    switch (a.kind) {
      case ActionKind::Complete:
      case ActionKind::CompleteLater:
        a.index = in.u8();
        {
          const uint32_t s = in.below(8);
          a.status = s < 7 ? kStatuses[s] : static_cast<Status>(in.u32());
        }
        if (a.kind == ActionKind::CompleteLater) a.value = static_cast<uint64_t>(decode_delay(in));
        a.payload = decode_payload(in, t, true);
        break;
      case ActionKind::Send:
        // bit 0: completion requested; bit 1 (guests): external data, of the size bits 2-3 pick
        a.flags = in.u8() & 0x0fu;
        a.payload = decode_payload(in, t, false);
        break;
      case ActionKind::DriverCommand:
        a.index = in.below(static_cast<uint32_t>(t.commands.size()));
        break;
      case ActionKind::CompleteRaw:
        a.index = in.below(4);  // 0: txid 0, 1: a completed one, 2: an outstanding one, 3: any
        a.value = in.u64();
        a.payload = decode_payload(in, t, false);
        break;
      case ActionKind::RawPacket: {
        const uint32_t k = in.below(sizeof(kTypes) / sizeof(kTypes[0]) + 1);
        a.type = k < sizeof(kTypes) / sizeof(kTypes[0]) ? kTypes[k] : in.u16();
        a.flags = in.u8();
        a.value = in.u64();
        a.payload = decode_payload(in, t, false);
        break;
      }
      case ActionKind::Malformed: {
        // A descriptor with small offset8/len8 (the interesting range is around the real size),
        // then a body of any length.
        const uint32_t k = in.below(sizeof(kTypes) / sizeof(kTypes[0]));
        const uint16_t offset8 = in.u8() % 16;
        const uint16_t len8 = in.u8();
        const uint16_t flags = in.u8();
        const uint64_t txid = in.u64();
        std::vector<uint8_t> d(16);
        auto put16 = [&d](size_t at, uint16_t v) {
          d[at] = static_cast<uint8_t>(v);
          d[at + 1] = static_cast<uint8_t>(v >> 8);
        };
        put16(0, kTypes[k]);
        put16(2, offset8);
        put16(4, len8);
        put16(6, flags);
        for (int i = 0; i < 8; ++i) d[8 + i] = static_cast<uint8_t>(txid >> (8 * i));
        std::vector<uint8_t> body = in.bytes(in.u8());
        d.insert(d.end(), body.begin(), body.end());
        a.payload.source = Payload::Source::Raw;
        a.payload.raw = std::move(d);
        break;
      }
      case ActionKind::CorruptIndex: {
        a.index = in.below(2);  // 0: the write index of the ring the driver reads; 1: the read index of the one it writes
        const uint32_t k = in.below(4);
        a.value = k == 0 ? 0xFFFFFFF8u : k == 1 ? 0x3u : k == 2 ? 0u : in.u32();
        break;
      }
      case ActionKind::Advance:
        a.value = static_cast<uint64_t>(decode_delay(in));
        break;
      case ActionKind::FailAllocations:
        a.value = in.below(4) + 1;
        break;
      case ActionKind::StopDraining:
      case ActionKind::ResumeDraining:
      case ActionKind::Close:
      case ActionKind::Rescind:
        break;
    }
    out.push_back(std::move(a));
  }
  return out;
}

namespace {

class ByteSink {
 public:
  void u8(uint32_t v) { out.push_back(static_cast<uint8_t>(v)); }
  void u16(uint32_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  // The inverse of ByteSource::below(n) for a value < n.
  void below(uint32_t v, uint32_t n) {
    if (n == 0) return;
    if (n <= 256) u8(v); else u16(v);
  }
  void bytes(const std::vector<uint8_t>& b) { out.insert(out.end(), b.begin(), b.end()); }
  std::vector<uint8_t> out;

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
};

constexpr size_t kDelayCount = sizeof(kDelays) / sizeof(kDelays[0]);

uint32_t delay_index(VirtualTime ns) {
  for (uint32_t i = 0; i < kDelayCount; ++i)
    if (kDelays[i] >= ns) return i;
  return kDelayCount - 1;
}

void encode_payload(ByteSink& out, const Payload& p, const Target& t) {
  if (p.source == Payload::Source::Raw || (p.source == Payload::Source::Template && t.messages.empty())) {
    const std::vector<uint8_t>& raw = p.raw;
    out.u8(3);
    out.u16(static_cast<uint32_t>(std::min<size_t>(raw.size(), kMaxRawLength)));
    out.bytes(std::vector<uint8_t>(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(raw.size(), kMaxRawLength))));
    return;
  }
  const uint32_t edits = static_cast<uint32_t>(std::min<size_t>(p.edits.size(), 7));
  out.u8((p.source == Payload::Source::Reflect ? 2u : 0u) | (edits << 2) | (p.resize ? 0x20u : 0u));
  if (p.source == Payload::Source::Template) out.below(p.index, static_cast<uint32_t>(t.messages.size()));
  for (uint32_t i = 0; i < edits; ++i) {
    out.u16(p.edits[i].first);
    out.u8(p.edits[i].second);
  }
  if (p.resize) out.u16(p.resize - 1);
}

}  // namespace

VirtualTime nearest_delay(VirtualTime ns) { return kDelays[delay_index(ns)]; }

std::vector<uint8_t> encode_actions(const std::vector<Action>& actions, const Target& t) {
  ByteSink out;
  for (const Action& a : actions) {
    switch (a.kind) {
      case ActionKind::Complete:
      case ActionKind::CompleteLater: {
        out.u8(a.kind == ActionKind::Complete ? 0 : 12);
        out.u8(a.index);
        uint32_t k = 7;
        for (uint32_t i = 0; i < 7; ++i)
          if (kStatuses[i] == a.status) {
            k = i;
            break;
          }
        out.u8(k);
        if (k == 7) out.u32(static_cast<uint32_t>(a.status));
        if (a.kind == ActionKind::CompleteLater) out.u8(delay_index(static_cast<VirtualTime>(a.value)));
        encode_payload(out, a.payload, t);
        break;
      }
      case ActionKind::Send:
        out.u8(6);
        out.u8(a.flags & 0x0fu);
        encode_payload(out, a.payload, t);
        break;
      case ActionKind::DriverCommand:
        if (t.commands.empty()) break;
        out.u8(9);
        out.below(a.index, static_cast<uint32_t>(t.commands.size()));
        break;
      case ActionKind::CompleteRaw:
        out.u8(14);
        out.u8(a.index);
        out.u64(a.value);
        encode_payload(out, a.payload, t);
        break;
      case ActionKind::RawPacket: {
        out.u8(16);
        constexpr uint32_t n = sizeof(kTypes) / sizeof(kTypes[0]);
        uint32_t k = n;
        for (uint32_t i = 0; i < n; ++i)
          if (kTypes[i] == a.type) k = i;
        out.u8(k);
        if (k == n) out.u16(a.type);
        out.u8(a.flags);
        out.u64(a.value);
        encode_payload(out, a.payload, t);
        break;
      }
      case ActionKind::Malformed: {
        // Only descriptors the decoder can make round-trip exactly; others are approximated.
        const std::vector<uint8_t>& d = a.payload.raw;
        auto get16 = [&d](size_t at) -> uint32_t { return at + 1 < d.size() ? d[at] | (d[at + 1] << 8) : 0; };
        out.u8(18);
        uint32_t k = 0;
        for (uint32_t i = 0; i < sizeof(kTypes) / sizeof(kTypes[0]); ++i)
          if (kTypes[i] == get16(0)) k = i;
        out.u8(k);
        out.u8(get16(2));
        out.u8(get16(4));
        out.u8(get16(6));
        uint64_t txid = 0;
        for (size_t i = 0; i < 8 && 8 + i < d.size(); ++i) txid |= uint64_t{d[8 + i]} << (8 * i);
        out.u64(txid);
        const size_t body = d.size() > 16 ? std::min<size_t>(d.size() - 16, 255) : 0;
        out.u8(static_cast<uint32_t>(body));
        if (body) out.bytes(std::vector<uint8_t>(d.begin() + 16, d.begin() + 16 + static_cast<std::ptrdiff_t>(body)));
        break;
      }
      case ActionKind::CorruptIndex:
        out.u8(19);
        out.u8(a.index);
        out.u8(3);
        out.u32(static_cast<uint32_t>(a.value));
        break;
      case ActionKind::Advance:
        out.u8(20);
        out.u8(delay_index(static_cast<VirtualTime>(a.value)));
        break;
      case ActionKind::StopDraining: out.u8(23); break;
      case ActionKind::ResumeDraining: out.u8(24); break;
      case ActionKind::FailAllocations:
        out.u8(25);
        out.u8(static_cast<uint32_t>((a.value + 3) % 4));
        break;
      case ActionKind::Close: out.u8(26); break;
      case ActionKind::Rescind: out.u8(27); break;
    }
  }
  return out.out;
}

namespace {

std::string describe_payload(const Payload& p) {
  std::string s;
  switch (p.source) {
    case Payload::Source::Template: s = "message " + std::to_string(p.index); break;
    case Payload::Source::Reflect: s = "its request"; break;
    case Payload::Source::Raw: return std::to_string(p.raw.size()) + " raw bytes";
  }
  if (!p.edits.empty()) s += " +" + std::to_string(p.edits.size()) + " edits";
  if (p.resize) s += " resized to " + std::to_string(p.resize - 1);
  return s;
}

std::string hex(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof(b), "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

std::string describe(const Action& a, const Target& t) {
  switch (a.kind) {
    case ActionKind::Send:
      if (t.side == Side::Server && (a.flags & 2u))
        return "send " + describe_payload(a.payload) + " with external data (size choice " +
               std::to_string((a.flags >> 2) & 3u) + ")";
      return std::string("send ") + describe_payload(a.payload) + ((a.flags & 1u) ? ", completion requested" : "");
    case ActionKind::Complete:
      return "complete transaction #" + std::to_string(a.index) + " " + status_name(a.status) + " with " +
             describe_payload(a.payload);
    case ActionKind::CompleteLater:
      return "complete transaction #" + std::to_string(a.index) + " " + status_name(a.status) + " after " +
             std::to_string(a.value) + " ns with " + describe_payload(a.payload);
    case ActionKind::CompleteRaw: {
      static const char* const kWhich[] = {"txid 0", "an already completed txid", "an outstanding txid", "txid "};
      return std::string("completion packet for ") + kWhich[a.index] + (a.index == 3 ? hex(a.value) : "") +
             " with " + describe_payload(a.payload);
    }
    case ActionKind::RawPacket:
      return "packet type " + std::to_string(a.type) + " flags " + hex(a.flags) + " txid " + hex(a.value) + " with " +
             describe_payload(a.payload);
    case ActionKind::Malformed:
      return "malformed descriptor, " + std::to_string(a.payload.raw.size()) + " bytes written verbatim";
    case ActionKind::CorruptIndex:
      return std::string(a.index == 0 ? "write index of the driver's incoming ring" : "read index of the driver's outgoing ring") +
             " set to " + hex(a.value);
    case ActionKind::Advance: return std::to_string(a.value) + " ns pass";
    case ActionKind::StopDraining: return "stop reading the driver's ring";
    case ActionKind::ResumeDraining: return "read the driver's ring again";
    case ActionKind::DriverCommand:
      return "driver command '" + (a.index < t.commands.size() ? t.commands[a.index] : std::string("?")) + "'";
    case ActionKind::FailAllocations: return "the next " + std::to_string(a.value) + " VmbPacketAllocate calls fail";
    case ActionKind::Close: return "close the channel";
    case ActionKind::Rescind: return t.side == Side::Server ? "open the channel (again)" : "rescind the offer";
  }
  return "?";
}

}  // namespace vmbsim::fuzz
