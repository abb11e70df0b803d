#include "fuzz/harness/session.h"

#include <cstring>

#include "sim/core/verifier.h"

namespace vmbsim::fuzz {

namespace {

SimulationOptions options_for(const Target& t, const SessionOptions& o) {
  SimulationOptions opts;
  opts.verifier_mode = o.verifier_mode;
  opts.exact_buffers = true;  // over-reads and reads after completion reach AddressSanitizer
  opts.name = t.name;
  return opts;
}

// Verifier findings that are the driver's bugs. Warnings are mostly not (a hostile peer's own
// errors, ignored results), except leaks: a fuzzer that makes a driver leak has found a bug.
bool is_driver_bug(const Finding& f) {
  if (f.rule == 0) return f.code == diagnostic_code(Diagnostic::Hang);
  return f.severity == Severity::Error || f.rule == 43 || f.rule == 34;
}

}  // namespace

Session::Session(const Target& target, const SessionOptions& options)
    : target_(target), options_(options), sim_(options_for(target, options)) {
  if (options_.on_finding) sim_.verifier().set_observer(options_.on_finding);
}

Session::~Session() = default;

void Session::note(std::string line) {
  if (options_.keep_log) result_.log.push_back(std::move(line));
}

std::vector<uint8_t> Session::render(const Payload& p, const std::vector<uint8_t>* request) const {
  std::vector<uint8_t> b;
  switch (p.source) {
    case Payload::Source::Raw: return p.raw;
    case Payload::Source::Template:
      if (!target_.messages.empty()) b = target_.messages[p.index % target_.messages.size()];
      break;
    case Payload::Source::Reflect:
      if (request) b = *request;
      break;
  }
  if (p.resize) b.resize(p.resize - 1);
  for (const auto& [offset, value] : p.edits)
    if (!b.empty()) b[offset % b.size()] = value;
  return b;
}

void Session::write_raw(ring::PacketType type, uint16_t flags, uint64_t txid, const std::vector<uint8_t>& header,
                        const std::vector<uint8_t>& bytes) {
  ring::OutgoingPacket p;
  p.type = type;
  p.flags = flags;
  p.transaction_id = txid;
  p.header_ext = {header.data(), static_cast<uint32_t>(header.size())};
  p.payload = {bytes.data(), static_cast<uint32_t>(bytes.size())};
  peer()->send_raw(p);
}

VirtualTime Session::perform(const Action& a) {
  before_action();
  Endpoint& e = *peer();
  switch (a.kind) {
    case ActionKind::Complete:
    case ActionKind::CompleteLater: {
      if (driver_packets_.empty()) return kNotYet;
      auto it = driver_packets_.begin() + static_cast<std::ptrdiff_t>(a.index % driver_packets_.size());
      HostPacket p = std::move(*it);
      driver_packets_.erase(it);
      std::vector<uint8_t> bytes = render(a.payload, &p.payload);
      answered_.push_back(p.transaction_id);
      if (a.kind == ActionKind::Complete)
        e.complete(p.transaction_id, bytes, a.status);
      else
        e.complete_after(static_cast<VirtualTime>(a.value), p.transaction_id, std::move(bytes), a.status);
      return 0;
    }
    case ActionKind::CompleteRaw: {
      uint64_t txid = a.value;
      if (a.index == 0) txid = 0;
      if (a.index == 1) txid = answered_.empty() ? 0 : answered_[a.value % answered_.size()];
      if (a.index == 2)
        txid = driver_packets_.empty() ? 0 : driver_packets_[a.value % driver_packets_.size()].transaction_id;
      write_raw(ring::PacketType::Completion, 0, txid, {}, render(a.payload, nullptr));
      return 0;
    }
    case ActionKind::Malformed:
      e.write_malformed(a.payload.raw.data(), static_cast<uint32_t>(a.payload.raw.size()));
      return 0;
    case ActionKind::Advance: return static_cast<VirtualTime>(a.value);
    case ActionKind::CorruptIndex:
      if (e.corrupt_index(a.index == 1, static_cast<uint32_t>(a.value)) && recorder_)
        recorder_->corrupt_index(a.index == 1, static_cast<uint32_t>(a.value));
      return 0;
    case ActionKind::StopDraining: e.set_draining(false); return 0;
    case ActionKind::ResumeDraining: e.set_draining(true); return 0;
    case ActionKind::FailAllocations:
      if (recorder_) {
        // The recorder writes down only the failures the driver used (a replay insists on all).
        recorder_->fail_allocations_left(sim_.pending_allocation_failures());
        recorder_->fail_allocations(static_cast<uint32_t>(a.value));
      }
      sim_.fail_packet_allocations(static_cast<uint32_t>(a.value));
      return 0;
    default:
      perform_side(a);
      return 0;
  }
}

void Session::command(uint32_t index) {
  if (index >= target_.commands.size()) return;
  const std::string& c = target_.commands[index];
  if (recorder_) recorder_->driver_command(c);
  Status s = driver_->command(c);
  if (recorder_) recorder_->driver_command_returned(s);
  if (options_.keep_log) note("  -> " + std::string(status_name(s)));
}

void Session::next() {
  if (cursor_ >= actions_->size()) {
    actions_done_at_ = sim_.now();
    return;
  }
  const Action& a = (*actions_)[cursor_++];
  if (retries_ == 0 && options_.keep_log) note(describe(a, target_));
  if (a.kind == ActionKind::DriverCommand) {
    if (!sim_.frames().empty()) {
      pending_command_ = static_cast<int>(a.index);  // run() issues it once the callbacks return
      return;
    }
    command(a.index);
    sim_.scheduler().post_after(0, [this] { next(); });
    return;
  }
  VirtualTime delay = perform(a);
  if (delay == kNotYet) {
    // A host answers the request it is waiting for: give the driver up to 10 ms (virtual).
    if (++retries_ <= 10) {
      --cursor_;
      sim_.scheduler().post_after(1'000'000, [this] { next(); });
      return;
    }
    note("  (skipped: nothing to act on)");
    delay = 0;
  }
  retries_ = 0;
  // A timer, even at 0: the next action comes once everything the driver does in reaction to
  // this one at this instant has run (a scenario replays that with `wait: 0ms`).
  sim_.scheduler().post_after(delay, [this] { next(); });
}

SessionResult Session::run(const std::vector<Action>& actions) {
  Device& device = set_up();
  driver_ = std::make_unique<plugin::PluginDriver>(target_.name, target_.driver);
  Status s = driver_->load(device, target_.args);
  result_.driver_loaded = succeeded(s);
  if (!result_.driver_loaded) {
    note(std::string("the driver's entry failed: ") + status_name(s));
  } else {
    driver_loaded();
    actions_ = &actions;
    sim_.scheduler().post_after(0, [this] { next(); });
    // Both limits look at the whole simulation: a step may run a driver callback that pumps the
    // scheduler itself (a synchronous request), so they are checked after each step, and the
    // events counted are all the scheduler ran.
    const uint64_t first_event = sim_.scheduler().events_run();
    for (;;) {
      if (pending_command_ >= 0 && sim_.frames().empty()) {
        uint32_t index = static_cast<uint32_t>(pending_command_);
        pending_command_ = -1;
        command(index);
        sim_.scheduler().post_after(0, [this] { next(); });
        continue;
      }
      const bool more = sim_.step();
      if (actions_done_at_ >= 0 && sim_.now() - actions_done_at_ > target_.settle_limit_ns) {
        result_.findings.push_back("hang: the driver was still busy " + std::to_string(target_.settle_limit_ns / 1000000) +
                                   " ms (virtual) after the peer's last action");
        break;
      }
      if (sim_.scheduler().events_run() - first_event > target_.max_events) {
        result_.findings.push_back("livelock: more than " + std::to_string(target_.max_events) +
                                   " scheduler events in one run");
        break;
      }
      if (!more) break;
    }
    result_.events = sim_.scheduler().events_run() - first_event;
    result_.virtual_ns = sim_.now();
    if (recorder_) recorder_->fail_allocations_left(sim_.pending_allocation_failures());
    driver_->unload();
  }
  // Teardown is bounded too: a driver whose unload never lets the simulation go idle has hung.
  uint64_t teardown_events = 0;
  while (sim_.step())
    if (++teardown_events > target_.max_events) {
      result_.findings.push_back("hang: the simulation did not go idle after the driver's unload");
      break;
    }
  tear_down();
  sim_.shutdown();
  for (const Finding& f : sim_.verifier().findings()) {
    if (f.rule > 0) result_.reported_rules.push_back(f.rule);
    if (!is_driver_bug(f)) continue;
    result_.findings.push_back(f.to_string());
    if (f.rule > 0) result_.rules.push_back(f.rule);
  }
  return result_;
}

std::unique_ptr<Session> make_session(const Target& target, const SessionOptions& options) {
  return target.side == Side::Server ? make_server_session(target, options) : make_client_session(target, options);
}

}  // namespace vmbsim::fuzz
