// The host side of the sample echo protocol: a model of the VSP that the sample driver talks
// to, built on vmbsim::HostChannel. Tests and the demo use it; it is also a worked example of
// writing a host model.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "sim/core/host_channel.h"

namespace echo {

struct HostOptions {
  uint32_t max_version = 0x00020000;  // highest protocol version the host accepts
  int64_t response_delay_ns = 0;      // virtual delay before each echo response
  bool hold_echo_requests = false;    // keep echo requests unanswered until release_held()
};

class EchoHost {
 public:
  EchoHost(vmbsim::HostChannel& channel, HostOptions options = {});

  // Answers held echo requests; `reverse` answers them newest first (out of order).
  void release_held(bool reverse = false);
  size_t held() const { return held_.size(); }
  // Sends a NOTIFY; returns its transaction id (0 without completion).
  uint64_t send_notify(uint32_t event, uint32_t value, bool completion_requested);

  uint64_t versions_answered = 0;
  uint64_t echoes_answered = 0;
  uint64_t acks_received = 0;
  uint64_t bad_packets = 0;
  std::vector<uint32_t> sequences_seen;  // echo request sequence numbers, in ring order

 private:
  void on_packet(vmbsim::HostChannel& host, const vmbsim::HostPacket& packet);
  void answer_echo(uint64_t txid, const std::vector<uint8_t>& request);

  vmbsim::HostChannel& channel_;
  HostOptions options_;
  std::deque<std::pair<uint64_t, std::vector<uint8_t>>> held_;
};

}  // namespace echo
