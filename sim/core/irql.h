// Simulated IRQL and the record of which driver callback is running. Rules about blocking,
// PASSIVE-only calls and "inline in ProcessPacket" are checked against this.
#pragma once

#include <cstdint>

namespace vmbsim {

class Channel;
class IncomingPacket;

enum class Irql : uint8_t { Passive = 0, Dispatch = 2 };

enum class CallbackKind : uint8_t {
  Opened,
  Closed,
  Suspend,
  Started,
  PostStarted,
  ProcessPacket,
  ProcessingComplete,
  PacketCompletion,
  PnpFailure,
  SavePacket,
  RestorePacket,
};

const char* to_string(CallbackKind kind);
inline const char* to_string(Irql irql) { return irql == Irql::Passive ? "PASSIVE_LEVEL" : "DISPATCH_LEVEL"; }

inline bool is_state_change(CallbackKind k) {
  return k == CallbackKind::Opened || k == CallbackKind::Closed || k == CallbackKind::Suspend ||
         k == CallbackKind::Started || k == CallbackKind::PostStarted;
}
inline bool is_receive(CallbackKind k) {
  return k == CallbackKind::ProcessPacket || k == CallbackKind::ProcessingComplete;
}

// One driver callback in progress. Frames nest only through blocking calls (a nested pump) or
// callbacks of other channels; the simulation keeps them on a stack.
struct CallbackFrame {
  Channel* channel = nullptr;
  CallbackKind kind = CallbackKind::Opened;
  IncomingPacket* packet = nullptr;  // for ProcessPacket
  Irql irql = Irql::Passive;
};

}  // namespace vmbsim
