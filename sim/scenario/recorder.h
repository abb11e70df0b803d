// Records what a simulated host sees and does into a scenario that replays it: every packet
// from the driver becomes an `expect` with its exact bytes, every host action a step (complete,
// send, close, rescind, draining, pause, raw writes), virtual time that passed before an action
// a `wait`, and the driver commands that made things happen `driver` steps. `vmbsim record` is built on it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/core/endpoint_observer.h"
#include "sim/scenario/model.h"

namespace vmbsim {
class Simulation;
}

namespace vmbsim::scenario {

class Recorder : public EndpointObserver {
 public:
  explicit Recorder(Simulation& sim) : sim_(sim) {}

  void driver_command(const std::string& command);
  // What the session ended with: the rules the verifier reported (the replay expects them).
  void set_violations(std::vector<int> rules) { violations_ = std::move(rules); }

  void packet_read(const Endpoint&, const HostPacket& p) override;
  void completion_read(const Endpoint&, const GuestCompletion& c) override;
  void completed(const Endpoint&, uint64_t txid, const std::vector<uint8_t>& bytes, Status status) override;
  void sent(const Endpoint&, uint64_t txid, const std::vector<uint8_t>& bytes, bool completion_requested) override;
  void draining_changed(const Endpoint&, bool draining) override;
  void paused_changed(const Endpoint&, bool paused) override;
  void raw_written(const Endpoint&, const ring::OutgoingPacket& packet) override;
  void closed(const Endpoint&, bool rescinded) override;

  // The scenario file: `channel` describes the offer, `driver_args` the driver's arguments.
  std::string yaml(const std::string& name, const std::string& description, const ChannelSpec& channel,
                   const std::string& driver_args) const;
  size_t steps() const { return steps_.size(); }

 private:
  void step(std::string text);
  void wait_for_now();  // a `wait` step for the virtual time since the last step

  Simulation& sim_;
  std::vector<std::string> steps_;
  std::map<uint64_t, std::string> driver_packets_;  // txid -> name, until completed
  std::map<uint64_t, std::string> host_packets_;    // txid -> name, until the driver completes it
  std::vector<int> violations_;
  int64_t last_ns_ = 0;
  int next_name_ = 1;
};

}  // namespace vmbsim::scenario
