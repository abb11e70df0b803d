#include "fuzz/harness/repro.h"

#include <algorithm>
#include <memory>
#include <set>

#include "plugin/plugin_driver.h"
#include "sim/core/endpoint.h"
#include "sim/scenario/recorder.h"
#include "sim/scenario/runner.h"

namespace vmbsim::fuzz {

Reproducer scenario_from_input(const Target& target, const uint8_t* data, size_t size) {
  std::vector<Action> actions = decode_actions(data, size, target, target.max_actions);
  SessionOptions options;  // Collect: the run goes on past the first finding, as the replay will
  std::unique_ptr<Session> session = make_session(target, options);
  scenario::Recorder recorder(session->simulation());
  recorder.set_yield_before_actions(true);  // the harness acts when the driver has gone idle
  session->record_to(&recorder);
  Reproducer r;
  r.result = session->run(actions);

  // A scenario's end check compares every rule the verifier reports, warnings included.
  std::set<int> rules(r.result.reported_rules.begin(), r.result.reported_rules.end());
  recorder.set_violations(std::vector<int>(rules.begin(), rules.end()));
  std::string description = "Made by the fuzz harness from a " + std::to_string(size) + "-byte input to " + target.name + ". ";
  bool other = false;
  for (const std::string& f : r.result.findings) {
    if (f.find("SIM-HANG") != std::string::npos) recorder.set_hang(true);
    if (f.rfind("hang:", 0) == 0 || f.rfind("livelock:", 0) == 0) other = true;
  }
  description += r.result.findings.empty() ? "The run found nothing; the scenario replays it."
                                           : "Findings: " + std::to_string(r.result.findings.size()) + ".";
  if (other) description += " The run also hit the harness's time or event limit, which a scenario cannot expect.";
  description += " Crashes found by AddressSanitizer or UndefinedBehaviorSanitizer replay in a sanitized build.";
  scenario::ChannelSpec channel;
  channel.id = target.offer.name.empty() ? "channel" : target.offer.name;
  channel.role = target.side == Side::Server ? scenario::Role::Server : scenario::Role::Client;
  channel.interface_type = target.offer.interface_type;
  channel.interface_instance = target.offer.interface_instance;
  channel.user_data = target.offer.user_data;
  channel.mmio_megabytes = target.offer.mmio_megabytes;
  r.yaml = recorder.yaml(target.name + " fuzz reproducer", description, channel, target.args);
  return r;
}

namespace {

// Watches a scenario's simulated host and writes down what it does as harness actions.
class SeedRecorder : public EndpointObserver {
 public:
  SeedRecorder(const Target& t, Simulation*& sim) : target_(t), sim_(sim) {}

  void packet_read(const Endpoint&, const HostPacket& p) override {
    if (p.completion_requested()) outstanding_.push_back(p.transaction_id);
  }
  void completed(const Endpoint&, uint64_t txid, const std::vector<uint8_t>& bytes, Status status) override {
    auto it = std::find(outstanding_.begin(), outstanding_.end(), txid);
    if (it == outstanding_.end()) return;
    Action a;
    a.kind = ActionKind::Complete;
    a.index = static_cast<uint32_t>(it - outstanding_.begin());
    a.status = status;
    a.payload.raw = bytes;
    outstanding_.erase(it);
    add(std::move(a));
  }
  void sent(const Endpoint&, uint64_t, const std::vector<uint8_t>& bytes, bool completion_requested) override {
    Action a;
    a.kind = ActionKind::Send;
    a.flags = completion_requested ? 1 : 0;
    a.payload.raw = bytes;
    add(std::move(a));
  }
  void sent_external(const Endpoint&, uint64_t, const std::vector<uint8_t>& bytes,
                     const std::vector<uint8_t>& content) override {
    const uint64_t external = content.size();
    // The harness's guest pins one of four buffer sizes: the smallest that holds this one.
    uint16_t choice = 3;
    for (uint16_t i = 0; i < 4; ++i)
      if (kGuestExternalSizes[i] >= external) {
        choice = i;
        break;
      }
    Action a;
    a.kind = ActionKind::Send;
    a.flags = static_cast<uint16_t>(1u | 2u | (choice << 2));
    a.payload.raw = bytes;
    add(std::move(a));
  }
  void opened(const Endpoint&, uint32_t) override {
    // The harness's guest opens by itself at the start; a later open is an action.
    if (opens_++ == 0) return;
    Action a;
    a.kind = ActionKind::Rescind;  // a server target's guest: "open the channel again"
    add(std::move(a));
  }
  void raw_written(const Endpoint&, const ring::OutgoingPacket& p) override {
    Action a;
    const auto* b = static_cast<const uint8_t*>(p.payload.data);
    a.payload.raw.assign(b, b + p.payload.size);
    if (p.type == ring::PacketType::Completion && p.flags == 0) {
      a.kind = ActionKind::CompleteRaw;
      a.index = 3;
    } else {
      a.kind = ActionKind::RawPacket;
      a.type = static_cast<uint16_t>(p.type);
      a.flags = p.flags;
    }
    a.value = p.transaction_id;
    add(std::move(a));
  }
  void malformed_written(const Endpoint&, const uint8_t* bytes, uint32_t size, bool) override {
    Action a;
    a.kind = ActionKind::Malformed;
    a.payload.raw.assign(bytes, bytes + size);
    add(std::move(a));
  }
  void draining_changed(const Endpoint&, bool draining) override { reading(draining); }
  // The harness has no pause; a paused host at least reads nothing.
  void paused_changed(const Endpoint&, bool paused) override { reading(!paused); }
  void closed(const Endpoint&, bool rescinded) override {
    Action a;
    a.kind = rescinded ? ActionKind::Rescind : ActionKind::Close;
    outstanding_.clear();
    add(std::move(a));
  }
  void reading(bool on) {
    Action a;
    a.kind = on ? ActionKind::ResumeDraining : ActionKind::StopDraining;
    add(std::move(a));
  }
  void command(const std::string& c) {
    auto word = [](const std::string& s) { return s.substr(0, s.find(' ')); };
    int found = -1;
    for (size_t i = 0; i < target_.commands.size() && found < 0; ++i)
      if (target_.commands[i] == c) found = static_cast<int>(i);
    for (size_t i = 0; i < target_.commands.size() && found < 0; ++i)
      if (word(target_.commands[i]) == word(c)) found = static_cast<int>(i);
    if (found < 0) return;
    Action a;
    a.kind = ActionKind::DriverCommand;
    a.index = static_cast<uint32_t>(found);
    add(std::move(a));
  }
  std::vector<Action> actions;

 private:
  void add(Action a) {
    // Time that passed since the last action: delayed completions, waits, timeouts.
    VirtualTime now = sim_ ? sim_->now() : 0;
    if (now > last_ns_) {
      Action advance;
      advance.kind = ActionKind::Advance;
      advance.value = static_cast<uint64_t>(nearest_delay(now - last_ns_));
      actions.push_back(advance);
    }
    last_ns_ = now;
    actions.push_back(std::move(a));
  }
  const Target& target_;
  Simulation*& sim_;
  std::vector<uint64_t> outstanding_;
  VirtualTime last_ns_ = 0;
  int opens_ = 0;
};

// The target's driver, telling the seed recorder about commands (and where the simulation is).
class RecordingDriver : public scenario::DriverUnderTest {
 public:
  RecordingDriver(const Target& t, SeedRecorder& rec, Simulation*& sim) : inner_(t.name, t.driver), rec_(rec), sim_(sim) {}
  Status load(Device& device, const std::string& args) override {
    sim_ = &device.sim();
    return inner_.load(device, args);
  }
  Status command(const std::string& c) override {
    rec_.command(c);
    return inner_.command(c);
  }
  void unload() override { inner_.unload(); }
  std::string name() const override { return inner_.name(); }

 private:
  plugin::PluginDriver inner_;
  SeedRecorder& rec_;
  Simulation*& sim_;
};

}  // namespace

std::vector<uint8_t> seed_from_scenario(const Target& target, const scenario::Scenario& s, std::string& error) {
  const scenario::Role role = target.side == Side::Client ? scenario::Role::Client : scenario::Role::Server;
  if (s.channels.size() != 1 || s.channels[0].role != role) {
    error = std::string("only scenarios with one channel where the driver is the ") +
            (role == scenario::Role::Client ? "client" : "server") + " make seeds for this target";
    return {};
  }
  Simulation* sim = nullptr;
  SeedRecorder rec(target, sim);
  RecordingDriver driver(target, rec, sim);
  scenario::RunOptions options;
  options.observer = &rec;
  scenario::RunResult r = scenario::run(s, driver, options);
  if (rec.actions.empty()) {
    error = "the scenario's host did nothing the harness can encode";
    if (!r.passed && !r.failures.empty()) error += " (the scenario failed: " + r.failures.front().str() + ")";
    return {};
  }
  return encode_actions(rec.actions, target);
}

}  // namespace vmbsim::fuzz
