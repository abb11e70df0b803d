// What a hostile peer does, decoded from fuzzer bytes (decode_actions) and carried out by a
// session (client_session.h). Decoding first and acting second keeps a run printable: a finding
// is reported with the exact list of peer actions that led to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/scheduler.h"
#include "sim/core/status.h"

namespace vmbsim::fuzz {

struct Target;

// How the bytes of a packet or completion are made. Protocol-shaped bytes get a fuzzer past a
// driver's first checks far sooner than random ones, so most payloads start from one of the
// target's message templates, or from the driver's own request (many protocols answer with the
// request's header), and are then edited.
struct Payload {
  enum class Source : uint8_t { Template, Reflect, Raw };
  Source source = Source::Raw;
  uint32_t index = 0;                             // Template: which of target.messages
  std::vector<std::pair<uint16_t, uint8_t>> edits;  // (offset, value), applied in order; offsets wrap
  uint32_t resize = 0;                            // Template/Reflect: non-zero: truncate or zero-extend to resize - 1
  std::vector<uint8_t> raw;                       // Raw: the bytes
};

enum class ActionKind : uint8_t {
  Send,            // an in-band packet to the driver, completion requested or not
  Complete,        // completes one of the driver's transactions (by index) with a status and bytes
  CompleteLater,   // the same after a virtual delay: completions overtake each other
  CompleteRaw,     // a completion packet for any transaction id: unknown, duplicate, stale, 0
  RawPacket,       // a well-framed packet of any type, flags and transaction id
  Malformed,       // bytes written verbatim into the ring, descriptor included (wire §6 22-31)
  CorruptIndex,    // a peer-owned ring index is overwritten (wire §6 22)
  Advance,         // virtual time passes: delayed completions fire, the driver's timeouts expire
  StopDraining,    // the peer stops reading the driver's ring (ring full, back-pressure)
  ResumeDraining,
  DriverCommand,   // the driver acts on its own: target.commands[index]
  FailAllocations, // the next `value` VmbPacketAllocate calls return NULL
  Close,           // the peer closes the channel
  Rescind,         // client drivers: the host revokes the offer
};

// The external-data sizes a hostile guest's GPA-direct request may carry (Send, flags bits 2-3).
constexpr uint32_t kGuestExternalSizes[4] = {512, 1024, 4096, 3 * 4096 + 100};

struct Action {
  ActionKind kind = ActionKind::Advance;
  uint32_t index = 0;     // Complete*: which unanswered transaction; DriverCommand: which command
  uint16_t type = 0;      // RawPacket: packet type
  uint16_t flags = 0;     // RawPacket, Send (bit 0: completion requested)
  uint64_t value = 0;     // txid (CompleteRaw, RawPacket), index value (CorruptIndex), delay in ns
                          // (Advance, CompleteLater), count (FailAllocations)
  Status status = 0;      // Complete*
  Payload payload;
};

// The actions encoded by `data`, at most `max_actions` of them. Total: any bytes decode.
std::vector<Action> decode_actions(const uint8_t* data, size_t size, const Target& target, size_t max_actions);

// The bytes that decode to `actions` (decode_actions(encode_actions(a)) == a for actions that
// decode_actions can produce): seeds built from scenarios, and inputs written by tests.
std::vector<uint8_t> encode_actions(const std::vector<Action>& actions, const Target& target);

// The delay of the decoder's table closest to `ns` from above (the largest if none is).
VirtualTime nearest_delay(VirtualTime ns);

// One line per action, e.g. "complete #1 STATUS_SUCCESS reflect+3 edits".
std::string describe(const Action& action, const Target& target);

}  // namespace vmbsim::fuzz
