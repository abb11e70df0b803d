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

void Session::note(std::string line) { result_.log.push_back(std::move(line)); }

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

void Session::command(uint32_t index) {
  if (index >= target_.commands.size()) return;
  const std::string& c = target_.commands[index];
  if (options_.on_command) options_.on_command(c);
  Status s = driver_->command(c);
  note("  -> " + std::string(status_name(s)));
}

void Session::next() {
  if (cursor_ >= actions_->size()) {
    actions_done_ = true;
    return;
  }
  const Action& a = (*actions_)[cursor_++];
  std::string line = describe(a, target_);
  note(line);
  if (options_.on_action) options_.on_action(line);
  if (a.kind == ActionKind::DriverCommand) {
    if (!sim_.frames().empty()) {
      pending_command_ = static_cast<int>(a.index);  // run() issues it once the callbacks return
      return;
    }
    command(a.index);
    sim_.scheduler().post([this] { next(); });
    return;
  }
  VirtualTime delay = perform(a);
  if (delay > 0)
    sim_.scheduler().post_after(delay, [this] { next(); });
  else
    sim_.scheduler().post([this] { next(); });
}

SessionResult Session::run(const std::vector<Action>& actions) {
  Device& device = set_up();
  driver_ = std::make_unique<plugin::PluginDriver>(target_.name, target_.driver);
  Status s = driver_->load(device, target_.args);
  result_.driver_loaded = succeeded(s);
  if (!result_.driver_loaded) {
    note(std::string("the driver's entry failed: ") + status_name(s));
  } else {
    actions_ = &actions;
    sim_.scheduler().post([this] { next(); });
    VirtualTime settle_deadline = -1;
    uint64_t events = 0;
    for (;;) {
      if (pending_command_ >= 0 && sim_.frames().empty()) {
        uint32_t index = static_cast<uint32_t>(pending_command_);
        pending_command_ = -1;
        command(index);
        sim_.scheduler().post([this] { next(); });
        continue;
      }
      if (actions_done_ && settle_deadline < 0) settle_deadline = sim_.now() + target_.settle_limit_ns;
      if (settle_deadline >= 0 && sim_.now() > settle_deadline) {
        result_.findings.push_back("hang: the driver was still busy " + std::to_string(target_.settle_limit_ns / 1000000) +
                                   " ms (virtual) after the peer's last action");
        break;
      }
      if (++events > target_.max_events) {
        result_.findings.push_back("livelock: more than " + std::to_string(target_.max_events) +
                                   " scheduler events in one run");
        break;
      }
      if (!sim_.step()) break;
    }
    result_.events = events;
    result_.virtual_ns = sim_.now();
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
    if (!is_driver_bug(f)) continue;
    result_.findings.push_back(f.to_string());
    if (f.rule > 0) result_.rules.push_back(f.rule);
  }
  return result_;
}

}  // namespace vmbsim::fuzz
