// One fuzz input's run: a fresh simulation, the driver loaded through its plugin entry points, the
// decoded peer actions carried out one scheduler event at a time (so they interleave with the
// driver's own waits, as a real peer's would), then teardown and the oracles. Client drivers face
// a hostile host (this file's ClientSession); server drivers a hostile guest (ServerSession).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/harness/fuzz_target.h"
#include "fuzz/harness/hostile_action.h"
#include "sim/core/endpoint.h"
#include "sim/core/simulation.h"
#include "sim/ring/ring_writer.h"
#include "sim/scenario/recorder.h"

namespace vmbsim::fuzz {

struct SessionOptions {
  // FailFast: abort at the first Error-severity violation (fuzzing; the stack is the driver's).
  // Collect: record everything and report at the end (tests, reproducers).
  VerifierMode verifier_mode = VerifierMode::Collect;
  // Keep SessionResult::log (one line per action, driver command statuses). Off in the fuzzing
  // loop, where formatting every action would cost more than carrying it out.
  bool keep_log = true;
  // Told about each verifier finding as it is reported (before a fail-fast abort).
  std::function<void(const Finding&)> on_finding;
};

struct SessionResult {
  std::vector<std::string> findings;  // empty: the driver survived this input
  std::vector<int> rules;             // the verifier rules among the findings
  std::vector<int> reported_rules;    // every rule the verifier reported, warnings included
  std::vector<std::string> log;       // the actions carried out, in order
  bool driver_loaded = false;
  uint64_t events = 0;
  VirtualTime virtual_ns = 0;
};

class Session {
 public:
  Session(const Target& target, const SessionOptions& options);
  virtual ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  SessionResult run(const std::vector<Action>& actions);

  Simulation& simulation() { return sim_; }
  // Actions started so far (while running: the one in progress is the last).
  size_t started() const { return cursor_; }
  // Records the run as a scenario (call before run()): the recorder watches the peer endpoint
  // and is told of driver commands and of the faults no endpoint sees.
  void record_to(scenario::Recorder* recorder) { recorder_ = recorder; }

 protected:
  // Sets up the peer side and the offer; returns the device the driver is given.
  virtual Device& set_up() = 0;
  // Carries out what only this side does (sends, raw packets, close and reopen, rescind, ring
  // indices); the actions both sides share are done by perform().
  virtual void perform_side(const Action& action) = 0;
  // Before each action (a guest opens an offer the driver made late).
  virtual void before_action() {}
  // Writes a well-framed packet of any type, flags and transaction id.
  void write_raw(ring::PacketType type, uint16_t flags, uint64_t txid, const std::vector<uint8_t>& header,
                 const std::vector<uint8_t>& bytes);
  // After the driver's entry succeeded, before the first action (a guest opens the offer).
  virtual void driver_loaded() {}
  // After the driver is unloaded, before shutdown: let go of the peer side.
  virtual void tear_down() {}
  virtual Endpoint* peer() = 0;

  // The bytes a payload describes; `request` is what Reflect starts from.
  std::vector<uint8_t> render(const Payload& p, const std::vector<uint8_t>* request) const;
  void note(std::string line);
  // A driver command, now if no driver callback is running, else once they have returned (a
  // driver's own thread does not run inside its callbacks).
  void command(uint32_t index);

  const Target& target_;
  const SessionOptions& options_;
  scenario::Recorder* recorder_ = nullptr;
  Simulation sim_;
  std::deque<HostPacket> driver_packets_;  // the driver's transactions waiting for a completion
  std::vector<uint64_t> answered_;         // transaction ids already completed (stale ones to replay)
  SessionResult result_;

 private:
  // Carries out one action. Returns the virtual delay before the next one, or kNotYet when the
  // action needs something the driver has not done yet (a completion with no transaction
  // outstanding): it is tried again a little later, a few times, then skipped.
  VirtualTime perform(const Action& action);
  static constexpr VirtualTime kNotYet = -1;
  void next();
  std::unique_ptr<plugin::PluginDriver> driver_;
  const std::vector<Action>* actions_ = nullptr;
  size_t cursor_ = 0;
  int retries_ = 0;
  VirtualTime actions_done_at_ = -1;  // when the last action had run (-1: not yet)
  int pending_command_ = -1;
};

// The hostile host in front of a client driver.
std::unique_ptr<Session> make_client_session(const Target& target, const SessionOptions& options);
// The hostile guest in front of a server driver.
std::unique_ptr<Session> make_server_session(const Target& target, const SessionOptions& options);
// The one the target's side needs.
std::unique_ptr<Session> make_session(const Target& target, const SessionOptions& options);

}  // namespace vmbsim::fuzz
