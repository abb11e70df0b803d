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

  // Peers that act only once the simulation is idle at the current instant (the fuzz harness)
  // are recorded with a `wait: 0ms` before each action, which makes the replay yield the same way;
  // without it, consecutive actions would reach the driver in one burst.
  void set_yield_before_actions(bool yield) { yield_ = yield; }

  void driver_command(const std::string& command);
  // What the last driver command returned, once it has: a failure is written into its step.
  void driver_command_returned(Status status);
  // What the session ended with: the rules the verifier reported (the replay expects them).
  void set_violations(std::vector<int> rules) { violations_ = std::move(rules); }
  // The session ended with a blocking call that could never return (the replay expects hang).
  void set_hang(bool hang) { hang_ = hang; }
  // Peer actions no endpoint sees, recorded by whoever takes them (the fuzz harness).
  void fail_allocations(uint32_t count);
  // How many of the last fail_allocations were still unused when the next one came or the
  // session ended: the step records only those the driver used (a replay insists all are).
  void fail_allocations_left(uint32_t left);
  void corrupt_index(bool driver_outgoing, uint32_t value);

  void packet_read(const Endpoint&, const HostPacket& p) override;
  void completion_read(const Endpoint&, const GuestCompletion& c) override;
  void completed(const Endpoint&, uint64_t txid, const std::vector<uint8_t>& bytes, Status status) override;
  void sent(const Endpoint&, uint64_t txid, const std::vector<uint8_t>& bytes, bool completion_requested) override;
  // A guest's actions (server role): open, GPADLs, GPA-direct requests.
  void sent_external(const Endpoint&, uint64_t txid, const std::vector<uint8_t>& bytes,
                     const std::vector<uint8_t>& external) override;
  void opened(const Endpoint&, uint32_t ring_pages) override;
  void gpadl_created(const Endpoint&, uint32_t handle, const std::vector<uint8_t>& content, bool read_only) override;
  void draining_changed(const Endpoint&, bool draining) override;
  void paused_changed(const Endpoint&, bool paused) override;
  void raw_written(const Endpoint&, const ring::OutgoingPacket& packet) override;
  void malformed_written(const Endpoint&, const uint8_t* bytes, uint32_t size, bool written) override;
  void closed(const Endpoint&, bool rescinded) override;

  // The scenario file: `channel` describes the offer (and whether the driver is the client or the
  // server), `driver_args` the driver's arguments.
  std::string yaml(const std::string& name, const std::string& description, const ChannelSpec& channel,
                   const std::string& driver_args) const;
  size_t steps() const {
    size_t n = 0;
    for (const std::string& s : steps_) n += !s.empty();  // a dropped fail_allocations is empty
    return n;
  }

 private:
  void step(std::string text);
  void wait_for_now();  // a `wait` step for the virtual time since the last step

  Simulation& sim_;
  std::vector<std::string> steps_;
  std::map<uint64_t, std::string> driver_packets_;  // txid -> name, until completed
  std::map<uint64_t, std::string> host_packets_;    // txid -> name, until the driver completes it
  std::vector<int> violations_;
  bool hang_ = false;
  bool yield_ = false;
  size_t command_step_ = 0;       // steps_ index of the last driver command, + 1 (0: none)
  std::string command_;
  size_t fail_step_ = 0;          // steps_ index of the last fail_allocations, + 1 (0: none)
  uint32_t fail_count_ = 0;
  int64_t last_ns_ = 0;
  int next_name_ = 1;
};

}  // namespace vmbsim::scenario
