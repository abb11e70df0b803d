// Structured events for timelines (a Chrome trace, JSON logs): what happened to each channel
// and to each packet, in virtual time. The simulation calls a sink only when one is set, so
// tracing costs a pointer test when off.
#pragma once

#include <cstdint>
#include <string>

namespace vmbsim {

enum class TraceKind : uint8_t {
  ChannelState,  // a channel changed state or ran a state callback; name says which
  ObjectBegin,   // a packet object's life starts (allocated; or read from the ring, for incoming)
  ObjectStep,    // something happened to it (sent, in the ring, read by the peer, completed, ...)
  ObjectEnd,     // it was freed or released
  Instant,       // anything else worth a mark: a fault, a verifier finding, a scenario step
};

struct TraceEvent {
  TraceKind kind = TraceKind::Instant;
  int64_t time_ns = 0;
  uint64_t channel_id = 0;  // 0: not tied to a channel
  uint64_t object_id = 0;   // the packet or completion (unique within the simulation)
  const char* category = "";  // "channel", "packet", "incoming", "verifier", "scenario", "peer"
  std::string name;
  std::string detail;
};

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void event(const TraceEvent& e) = 0;
};

}  // namespace vmbsim
