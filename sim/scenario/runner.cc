#include "sim/scenario/runner.h"

#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <set>

#include "sim/core/guest_endpoint.h"
#include "sim/core/host_channel.h"
#include "sim/core/simulation.h"
#include "sim/scenario/bytes.h"

namespace vmbsim::scenario {

std::string StepFailure::str() const {
  std::string s = pos.str() + ": " + step + ": " + message;
  if (!detail.empty()) s += "\n" + detail;
  return s;
}

namespace {

const char* step_name(StepKind k) {
  switch (k) {
    case StepKind::Expect: return "expect";
    case StepKind::Complete: return "complete";
    case StepKind::Send: return "send";
    case StepKind::ExpectCompletion: return "expect_completion";
    case StepKind::Wait: return "wait";
    case StepKind::Fault: return "fault";
    case StepKind::Repeat: return "repeat";
    case StepKind::Driver: return "driver";
    case StepKind::Open: return "open";
    case StepKind::Close: return "close";
    case StepKind::ExpectNone: return "expect_none";
    case StepKind::Gpadl: return "gpadl";
    case StepKind::ExpectMemory: return "expect_memory";
    case StepKind::Raw: return "raw";
    case StepKind::Reopened: return "reopened";
  }
  return "?";
}

std::string hex64(uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof(b), "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

// Rules whose findings are leaks, ignored when a scenario says no_leaks: false.
bool is_leak_rule(int rule) { return rule == 6 || rule == 28 || rule == 43 || rule == 53; }

// Guest memory the scenario owns (a GPADL's, or a GPA-direct packet's external data). Page
// aligned, as a guest driver's buffers usually are, and never moved: the guest has pinned it.
struct GuestBuffer {
  explicit GuestBuffer(uint32_t n, const std::vector<uint8_t>& fill) : storage(n + 4096), size(n) {
    auto addr = reinterpret_cast<uintptr_t>(storage.data());
    data = storage.data() + ((4096 - addr % 4096) % 4096);
    for (uint32_t i = 0; i < n && !fill.empty(); ++i) data[i] = fill[i % fill.size()];
  }
  std::vector<uint8_t> storage;
  uint8_t* data = nullptr;
  uint32_t size = 0;
};

// The simulated peer of one channel of the scenario.
struct PeerState {
  const ChannelSpec* spec = nullptr;
  Device* device = nullptr;
  Endpoint* endpoint = nullptr;              // the host, or the guest
  std::unique_ptr<GuestEndpoint> guest;      // server role
  std::deque<HostPacket> received;           // packets from the driver no expect has taken yet
  std::deque<GuestCompletion> completions;   // the driver's completions no expect_completion has taken
  std::set<uint64_t> unanswered;             // driver packets with completion requested, not completed
  std::set<uint64_t> outstanding;            // peer packets with completion requested, not completed
  bool gone = false;                         // closed or rescinded by the scenario
  // Client role: the host's count of opens when the scenario closed the channel. Until the
  // driver opens it again, what arrives belongs to the closed connection and is moot.
  uint64_t opens_at_close = 0;
  bool closed_connection() const {
    return gone && spec->role == Role::Client && device->host().opens() == opens_at_close;
  }
};

class Player {
 public:
  Player(const Scenario& s, DriverUnderTest& d, const RunOptions& o)
      : scenario_(s), driver_(d), sim_(make_options(s, o)), observer_(o.observer) {
    sim_.set_trace_sink(o.trace);
  }
  RunResult play();

 private:
  enum class Outcome { Done, Wait, Fail };
  struct Frame {
    const Steps* steps;
    size_t index = 0;
    uint32_t iteration = 0, times = 1;
  };

  static SimulationOptions make_options(const Scenario& s, const RunOptions& o) {
    SimulationOptions opts;
    opts.name = s.name.empty() ? "scenario" : s.name;
    opts.log_level = o.log_level;
    return opts;
  }
  void set_up();
  void advance();
  void post_advance();
  Outcome run_step(const Step& s);
  Outcome expect(const Step& s, PeerState& p);
  Outcome expect_completion(const Step& s, PeerState& p);
  Outcome complete(const Step& s, PeerState& p);
  Outcome send(const Step& s, PeerState& p);
  Outcome fault(const Step& s, PeerState& p);
  Outcome open(const Step& s, PeerState& p);
  Outcome gpadl(const Step& s, PeerState& p);
  Outcome raw(const Step& s, PeerState& p);
  Outcome reopened(const Step& s, PeerState& p);
  // The bytes of a `send` or `raw` step, on a channel that is open; false (the step failed) else.
  bool outgoing_bytes(const Step& s, const PeerState& p, std::vector<uint8_t>& bytes);
  // Looks again while the `open` or `reopened` step of `generation` waits for something no
  // packet announces (an offer, a connection): after 1 us, then twice as long each time (a
  // closing server is back in zero virtual time; a missing one should not cost a million polls
  // before `within` runs out).
  void poll(uint64_t generation, int64_t delay_ns = 1000) {
    sim_.scheduler().post_after(delay_ns, [this, generation, delay_ns] {
      if (generation != wait_generation_ || done_) return;
      advance();
      if (generation == wait_generation_ && !done_) poll(generation, delay_ns * 2);
    });
  }
  bool check_memory(const Step& s, const std::string& buffer, uint32_t offset, const BytePattern& pattern);
  Outcome wait_for(const Step& s, const std::string& what);
  bool check_match(const Step& s, const PacketMatch& m, const std::vector<uint8_t>& payload, const std::string& what);
  void fail(const Step& s, const std::string& message, const std::string& detail = {});
  void fail_end(const std::string& message);
  std::string label(const Step& s) const { return "step " + std::to_string(step_number_) + " (" + step_name(s.kind) + ")"; }
  void note(const Step& s, const std::string& text) {
    result_.log.push_back(label(s) + ": " + text);
    if (sim_.tracing()) sim_.emit(TraceKind::Instant, 0, 0, "scenario", label(s), s.pos.str() + ": " + text);
  }
  void check_end();

  const Scenario& scenario_;
  DriverUnderTest& driver_;
  Simulation sim_;
  EndpointObserver* observer_ = nullptr;
  std::map<std::string, PeerState> peers_;
  std::vector<Frame> stack_;
  Variables vars_;
  std::map<std::string, std::pair<std::string, uint64_t>> received_named_;  // name -> (channel, txid)
  std::map<std::string, std::pair<std::string, uint64_t>> sent_named_;
  std::vector<std::unique_ptr<GuestBuffer>> buffers_;    // owned until the end (the guest pins them)
  std::map<std::string, GuestBuffer*> named_buffers_;    // the latest buffer under each name
  RunResult result_;
  size_t step_number_ = 0;
  bool done_ = false;
  bool advance_posted_ = false;
  // A waiting step: bumping the generation disarms its timeout.
  const Step* waiting_ = nullptr;
  uint64_t wait_generation_ = 0;
  bool timer_fired_ = false;
  bool resume_at_top_ = false;  // a step waits for the driver's callbacks to return
};

// ---------------------------------------------------------------------------------------------

void Player::set_up() {
  Device* first = nullptr;
  for (const ChannelSpec& c : scenario_.channels) {
    PeerState& p = peers_[c.id];
    p.spec = &c;
    OfferSpec offer;
    offer.interface_type = c.interface_type;
    offer.interface_instance = c.interface_instance;
    offer.user_data = c.user_data;
    offer.name = c.id;
    offer.mmio_megabytes = c.mmio_megabytes;
    p.device = &sim_.offer(offer);
    if (!first) first = p.device;
    std::string id = c.id;
    auto on_packet = [this, id](const HostPacket& hp) {
      PeerState& peer = peers_[id];
      ++result_.packets;
      if (peer.closed_connection()) return;
      if (hp.completion_requested()) peer.unanswered.insert(hp.transaction_id);
      peer.received.push_back(hp);
      if (waiting_) post_advance();
    };
    auto on_completion = [this, id](const GuestCompletion& gc) {
      PeerState& peer = peers_[id];
      ++result_.packets;
      if (peer.closed_connection()) return;
      peer.outstanding.erase(gc.transaction_id);
      peer.completions.push_back(gc);
      if (waiting_) post_advance();
    };
    if (c.role == Role::Client) {
      // The simulated host behind the offer.
      HostChannel& host = p.device->host();
      host.on_packet([on_packet](HostChannel&, const HostPacket& hp) { on_packet(hp); });
      host.on_completion([on_completion](HostChannel&, const GuestCompletion& gc) { on_completion(gc); });
      p.endpoint = &host;
      if (observer_) host.set_observer(observer_);
    } else {
      // The driver offers; a simulated guest opens it (step `open`).
      p.guest = std::make_unique<GuestEndpoint>(sim_, "guest:" + c.id);
      p.guest->on_packet([on_packet](GuestEndpoint&, const HostPacket& hp) { on_packet(hp); });
      p.guest->on_completion([on_completion](GuestEndpoint&, const GuestCompletion& gc) { on_completion(gc); });
      p.endpoint = p.guest.get();
      if (observer_) p.guest->set_observer(observer_);
    }
  }
  Status s = driver_.load(*first, scenario_.driver_args);
  result_.log.push_back("driver " + driver_.name() + " loaded: " + status_name(s));
  if (!succeeded(s)) {
    result_.failures.push_back(StepFailure{SourcePos{scenario_.file, 0, 0}, "driver load",
                                           std::string("the driver's entry failed: ") + status_name(s), {}});
    done_ = true;
  }
}

RunResult Player::play() {
  auto start = std::chrono::steady_clock::now();
  set_up();
  if (!done_) {
    stack_.push_back(Frame{&scenario_.steps});
    sim_.scheduler().post([this] { advance(); });
    while (!done_) {
      if (resume_at_top_) {
        resume_at_top_ = false;
        advance();
        continue;
      }
      if (sim_.now() > scenario_.time_limit_ns) {
        fail_end("the scenario ran past its time limit of " + std::to_string(scenario_.time_limit_ns / 1000000) +
                 " ms of virtual time");
        break;
      }
      if (!sim_.scheduler().step()) {
        fail_end("the simulation went idle with the scenario unfinished (simulator bug: a wait had no timeout)");
        break;
      }
    }
    // Virtual time of the last step: what comes after is settling (and expired timeouts).
    result_.virtual_ns = sim_.now();
    if (result_.failures.empty()) {
      sim_.run_until_idle();
      check_end();
    }
  }
  driver_.unload();
  sim_.run_until_idle();
  for (auto& p : peers_) p.second.guest.reset();
  sim_.shutdown();
  // The verdict on the driver: findings against what the scenario expects.
  std::set<int> seen;
  bool hang = false;
  for (const Finding& f : sim_.verifier().findings()) {
    if (f.rule == 0) {
      hang = hang || f.code == diagnostic_code(Diagnostic::Hang);
      continue;
    }
    if (!scenario_.end.no_leaks && is_leak_rule(f.rule)) continue;
    seen.insert(f.rule);
  }
  std::set<int> expected(scenario_.end.violations.begin(), scenario_.end.violations.end());
  if (hang && !scenario_.end.hang) fail_end("a blocking KMCL call could never have returned (SIM-HANG)");
  if (!hang && scenario_.end.hang) fail_end("expected a blocking KMCL call that could never return (hang: true); none");
  if (seen != expected) {
    std::string want, got;
    for (int r : expected) want += (want.empty() ? "" : ", ") + std::to_string(r);
    for (int r : seen) got += (got.empty() ? "" : ", ") + std::to_string(r);
    fail_end(expected.empty() ? "the verifier reported rule(s) " + got
                              : "expected violations of rule(s) " + want + ", the verifier reported " +
                                    (got.empty() ? std::string("none") : got));
  }
  result_.verifier_report = sim_.verifier().report();
  result_.findings = sim_.verifier().findings().size();
  result_.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  result_.passed = result_.failures.empty();
  return result_;
}

void Player::check_end() {
  // Faults the scenario asked for that never happened: it did not test what it says it does.
  if (sim_.pending_allocation_failures())
    fail_end(std::to_string(sim_.pending_allocation_failures()) +
             " injected VmbPacketAllocate failure(s) were never used by the driver");
  if (sim_.pending_external_data_pending())
    fail_end(std::to_string(sim_.pending_external_data_pending()) +
             " injected STATUS_PENDING(s) of VmbChannelPacketGetExternalData were never used by the driver");
  for (auto& [id, p] : peers_) {
    // After a close or rescind what the driver had sent is moot, as are its answers.
    if (!p.gone && !p.received.empty())
      fail_end("channel " + id + ": the driver sent " + std::to_string(p.received.size()) +
               " packet(s) that no step expected (the first: " + hex(p.received.front().payload, 16) + ")");
  }
  if (!scenario_.end.all_answered) return;
  for (auto& [id, p] : peers_) {
    if (p.gone) continue;
    for (uint64_t txid : p.unanswered)
      fail_end("channel " + id + ": the driver's packet txid " + hex64(txid) + " was never completed by the scenario");
    for (uint64_t txid : p.outstanding)
      fail_end("channel " + id + ": the scenario's packet txid " + hex64(txid) + " was never completed by the driver");
  }
}

void Player::post_advance() {
  if (advance_posted_) return;
  advance_posted_ = true;
  sim_.scheduler().post([this] {
    advance_posted_ = false;
    advance();
  });
}

void Player::advance() {
  while (!done_ && !stack_.empty()) {
    Frame& f = stack_.back();
    if (f.index >= f.steps->size()) {
      if (++f.iteration < f.times) {
        f.index = 0;
        continue;
      }
      stack_.pop_back();
      if (!stack_.empty()) ++stack_.back().index;
      continue;
    }
    const Step& s = (*f.steps)[f.index];
    if (s.kind == StepKind::Repeat) {
      if (s.times == 0 || s.body.empty()) {
        ++f.index;
        continue;
      }
      stack_.push_back(Frame{&s.body, 0, 0, s.times});
      continue;
    }
    if (waiting_ != &s) ++step_number_;
    Outcome o = run_step(s);
    if (o == Outcome::Wait) return;
    waiting_ = nullptr;
    ++wait_generation_;
    timer_fired_ = false;
    if (o == Outcome::Fail) {
      done_ = true;
      return;
    }
    ++result_.steps_run;
    ++stack_.back().index;
  }
  if (stack_.empty()) done_ = true;
}

Player::Outcome Player::wait_for(const Step& s, const std::string& what) {
  if (waiting_ == &s) return Outcome::Wait;  // still waiting; the timeout is armed
  waiting_ = &s;
  uint64_t gen = ++wait_generation_;
  int64_t within = s.within_ns ? *s.within_ns : scenario_.default_within_ns;
  sim_.scheduler().post_after(within, [this, gen, &s, what, within] {
    if (gen != wait_generation_ || done_) return;
    fail(s, "timed out after " + std::to_string(within / 1000000) + " ms (virtual) waiting for " + what);
    done_ = true;
  });
  return Outcome::Wait;
}

void Player::fail(const Step& s, const std::string& message, const std::string& detail) {
  result_.failures.push_back(StepFailure{s.pos, label(s), message, detail});
  result_.log.push_back(label(s) + ": FAILED: " + message);
  if (sim_.tracing()) sim_.emit(TraceKind::Instant, 0, 0, "scenario", label(s) + " FAILED", s.pos.str() + ": " + message);
}

void Player::fail_end(const std::string& message) {
  result_.failures.push_back(StepFailure{scenario_.end.pos.line ? scenario_.end.pos : SourcePos{scenario_.file, 0, 0},
                                         "end", message, {}});
  result_.log.push_back("end: FAILED: " + message);
}

Player::Outcome Player::run_step(const Step& s) {
  PeerState* p = s.channel.empty() ? nullptr : &peers_[s.channel];
  switch (s.kind) {
    case StepKind::Expect: return expect(s, *p);
    case StepKind::ExpectCompletion: return expect_completion(s, *p);
    case StepKind::Complete: return complete(s, *p);
    case StepKind::Send: return send(s, *p);
    case StepKind::Fault: return fault(s, *p);
    case StepKind::Open: return open(s, *p);
    case StepKind::Close:
      if (p->spec->role == Role::Client) {
        p->device->host().close();
        // Everything of this connection is moot from here: the close cancels it.
        p->opens_at_close = p->device->host().opens();
        p->received.clear();
        p->completions.clear();
        p->unanswered.clear();
        p->outstanding.clear();
      } else {
        p->guest->close();
      }
      p->gone = true;
      note(s, "channel " + s.channel + " closed by the " + (p->spec->role == Role::Client ? "host" : "guest"));
      return Outcome::Done;
    case StepKind::Wait:
      if (timer_fired_) {
        note(s, std::to_string(s.duration_ns) + " ns passed");
        return Outcome::Done;
      }
      if (waiting_ != &s) {
        waiting_ = &s;
        uint64_t gen = ++wait_generation_;
        sim_.scheduler().post_after(s.duration_ns, [this, gen] {
          if (gen != wait_generation_) return;
          timer_fired_ = true;
          advance();
        });
      }
      return Outcome::Wait;
    case StepKind::Driver: {
      if (!sim_.frames().empty()) {
        // A driver callback is running (blocked in a nested pump, e.g. a synchronous request in
        // EvtChannelPostStarted): the command waits until it has returned, as the driver's own
        // thread would not run inside its callback.
        resume_at_top_ = true;
        waiting_ = &s;
        return Outcome::Wait;
      }
      Status st = driver_.command(s.command);
      note(s, "'" + s.command + "' -> " + status_name(st));
      if (st == s.status) return Outcome::Done;
      fail(s, "driver command '" + s.command + "' returned " + status_name(st) + ", expected " + status_name(s.status));
      return Outcome::Fail;
    }
    case StepKind::Repeat: return Outcome::Done;
    case StepKind::Gpadl: return gpadl(s, *p);
    case StepKind::Raw: return raw(s, *p);
    case StepKind::Reopened: return reopened(s, *p);
    case StepKind::ExpectNone:
      // Nothing may arrive for duration_ns: an arrival wakes the step (and fails it), the timer
      // ends it.
      if (!p->received.empty()) {
        fail(s, "the driver sent a packet (" + hex(p->received.front().payload, 16) + ") where nothing was expected");
        return Outcome::Fail;
      }
      if (timer_fired_) {
        note(s, s.channel + ": nothing arrived for " + std::to_string(s.duration_ns) + " ns");
        return Outcome::Done;
      }
      if (waiting_ != &s) {
        waiting_ = &s;
        uint64_t gen = ++wait_generation_;
        sim_.scheduler().post_after(s.duration_ns, [this, gen] {
          if (gen != wait_generation_ || done_) return;
          timer_fired_ = true;
          advance();
        });
      }
      return Outcome::Wait;
    case StepKind::ExpectMemory:
      if (!check_memory(s, s.buffer, s.memory_offset, s.memory)) return Outcome::Fail;
      note(s, "buffer " + s.buffer + " matches");
      return Outcome::Done;
  }
  return Outcome::Done;
}

Player::Outcome Player::gpadl(const Step& s, PeerState& p) {
  if (!p.guest || !p.guest->is_open()) {
    fail(s, "channel " + s.channel + " is not open: the guest has no connection to create a GPADL on");
    return Outcome::Fail;
  }
  buffers_.push_back(std::make_unique<GuestBuffer>(s.external_size, s.external_fill));
  GuestBuffer* b = buffers_.back().get();
  uint32_t handle = p.guest->create_gpadl(b->data, b->size, s.read_only);
  if (handle == 0) {
    fail(s, "the guest could not create the GPADL");
    return Outcome::Fail;
  }
  named_buffers_[s.name] = b;
  vars_[s.name] = Variable{handle, FieldType::U32};
  note(s, s.channel + ": GPADL " + hex64(handle) + " over " + std::to_string(b->size) + " bytes as ${" + s.name + "}");
  return Outcome::Done;
}

bool Player::check_memory(const Step& s, const std::string& buffer, uint32_t offset, const BytePattern& pattern) {
  auto it = named_buffers_.find(buffer);
  if (it == named_buffers_.end()) {
    fail(s, "buffer '" + buffer + "' does not exist (its step did not run)");
    return false;
  }
  const GuestBuffer& b = *it->second;
  if (offset > b.size) {
    fail(s, "offset " + std::to_string(offset) + " is past the end of buffer '" + buffer + "'");
    return false;
  }
  std::vector<uint8_t> actual(b.data + offset, b.data + std::min<size_t>(b.size, offset + pattern.value.size()));
  long at = first_mismatch(pattern, actual);
  if (at < 0) return true;
  char where[48];
  std::snprintf(where, sizeof(where), "0x%lx", static_cast<long>(offset) + at);
  fail(s, "buffer '" + buffer + "' differs from the expected bytes at offset " + where, diff_dump(pattern, actual, at));
  return false;
}

bool Player::check_match(const Step& s, const PacketMatch& m, const std::vector<uint8_t>& payload,
                         const std::string& what) {
  uint32_t n = static_cast<uint32_t>(payload.size());
  if ((m.length && n != *m.length) || (m.min_length && n < *m.min_length) || (m.max_length && n > *m.max_length)) {
    std::string want = m.length ? std::to_string(*m.length)
                                : std::to_string(m.min_length.value_or(0)) + ".." +
                                      (m.max_length ? std::to_string(*m.max_length) : std::string("any"));
    fail(s, what + " is " + std::to_string(n) + " bytes, expected " + want, "  actual   " + hex(payload));
    return false;
  }
  long at = first_mismatch(m.bytes, payload);
  if (at >= 0) {
    char where[32];
    std::snprintf(where, sizeof(where), "0x%lx", at);
    fail(s, what + " differs from the expected bytes at offset " + where, diff_dump(m.bytes, payload, at));
    return false;
  }
  for (const FieldCheck& f : m.fields) {
    std::string field = std::string(to_string(f.type)) + " at offset " + std::to_string(f.offset);
    if (f.type == FieldType::Guid) {
      if (size_t{f.offset} + 16 > payload.size()) {
        fail(s, what + " is too short for the " + field + " (" + f.pos.str() + ")");
        return false;
      }
      if (f.equals_guid && std::memcmp(payload.data() + f.offset, &*f.equals_guid, 16) != 0) {
        Guid got;
        std::memcpy(&got, payload.data() + f.offset, 16);
        fail(s, what + ": " + field + " is " + got.to_string() + ", expected " + f.equals_guid->to_string());
        return false;
      }
      continue;
    }
    uint64_t v = 0;
    if (!read_field(payload, f.offset, f.type, v)) {
      fail(s, what + " is too short for the " + field + " (" + f.pos.str() + ")");
      return false;
    }
    if (f.equals) {
      uint64_t want = 0;
      if (f.equals->variable.empty()) {
        want = *f.equals->literal;
      } else {
        auto it = vars_.find(f.equals->variable);
        if (it == vars_.end()) {
          fail(s, "variable ${" + f.equals->variable + "} has not been captured yet (" + f.pos.str() + ")");
          return false;
        }
        want = it->second.value;
        // A variable captured wider than this field compares on the field's width.
        if (f.type != FieldType::U64) want &= (1ull << (8 * field_size(f.type))) - 1;
      }
      if ((v & f.mask) != (want & f.mask)) {
        fail(s, what + ": " + field + " is " + hex64(v & f.mask) + ", expected " + hex64(want & f.mask));
        return false;
      }
    }
    if (!f.capture.empty()) vars_[f.capture] = Variable{v & f.mask, f.type};
  }
  return true;
}

Player::Outcome Player::expect(const Step& s, PeerState& p) {
  if (p.received.empty()) return wait_for(s, "a packet from the driver on channel " + s.channel);
  HostPacket hp = std::move(p.received.front());
  p.received.pop_front();
  std::string what = "packet txid " + hex64(hp.transaction_id);
  bool gpa = hp.type == 9;
  if ((s.match.kind == PacketKind::InBand && gpa) || (s.match.kind == PacketKind::GpaDirect && !gpa)) {
    fail(s, what + " is " + (gpa ? "GPA-direct" : "in-band") + ", expected " + (gpa ? "in-band" : "GPA-direct"));
    return Outcome::Fail;
  }
  if (s.match.completion_requested && *s.match.completion_requested != hp.completion_requested()) {
    fail(s, what + (hp.completion_requested() ? " requests" : " does not request") + " a completion");
    return Outcome::Fail;
  }
  if (!check_match(s, s.match, hp.payload, what)) return Outcome::Fail;
  if (!s.name.empty()) received_named_[s.name] = {s.channel, hp.transaction_id};
  note(s, s.channel + ": " + (gpa ? "GPA-direct" : "in-band") + " " + what + " len " +
              std::to_string(hp.payload.size()) + (hp.completion_requested() ? " (completion requested)" : "") +
              (s.name.empty() ? "" : " as " + s.name));
  return Outcome::Done;
}

Player::Outcome Player::complete(const Step& s, PeerState& p) {
  uint64_t txid = 0;
  if (!s.packet.empty()) {
    auto it = received_named_.find(s.packet);
    txid = it->second.second;
    if (it->second.first != s.channel) {
      fail(s, "packet '" + s.packet + "' came on channel " + it->second.first + ", not " + s.channel);
      return Outcome::Fail;
    }
  } else if (!p.unanswered.empty()) {
    txid = *p.unanswered.begin();
  }
  if (txid == 0 || !p.unanswered.count(txid)) {
    fail(s, s.packet.empty() ? "no packet from the driver is waiting for a completion"
                             : "packet '" + s.packet + "' did not ask for a completion, or was already completed");
    return Outcome::Fail;
  }
  std::vector<uint8_t> bytes;
  std::string error;
  if (!render(s.bytes, vars_, bytes, error)) {
    fail(s, error);
    return Outcome::Fail;
  }
  p.unanswered.erase(txid);
  if (s.after_ns > 0)
    p.endpoint->complete_after(s.after_ns, txid, bytes, s.status);
  else
    p.endpoint->complete(txid, bytes, s.status);
  note(s, s.channel + ": txid " + hex64(txid) + " " + status_name(s.status) + " " + std::to_string(bytes.size()) +
              " bytes" + (s.after_ns ? " after " + std::to_string(s.after_ns) + " ns" : ""));
  return Outcome::Done;
}

bool Player::outgoing_bytes(const Step& s, const PeerState& p, std::vector<uint8_t>& bytes) {
  std::string error;
  if (!render(s.bytes, vars_, bytes, error)) {
    fail(s, error);
    return false;
  }
  if (!p.endpoint->connected()) {
    fail(s, "channel " + s.channel + " is not open: nothing to send on");
    return false;
  }
  return true;
}

Player::Outcome Player::send(const Step& s, PeerState& p) {
  std::vector<uint8_t> bytes;
  if (!outgoing_bytes(s, p, bytes)) return Outcome::Fail;
  uint64_t txid = 0;
  if (s.external_size) {
    buffers_.push_back(std::make_unique<GuestBuffer>(s.external_size, s.external_fill));
    GuestBuffer* b = buffers_.back().get();
    txid = p.guest->send_gpa_direct(bytes.data(), static_cast<uint32_t>(bytes.size()), b->data, b->size);
    if (!s.name.empty()) named_buffers_[s.name] = b;
  } else {
    txid = p.endpoint->send(bytes, s.completion_requested);
  }
  if (s.completion_requested) p.outstanding.insert(txid);
  if (!s.name.empty()) sent_named_[s.name] = {s.channel, txid};
  ++result_.packets;
  note(s, s.channel + ": " + std::to_string(bytes.size()) + " bytes" +
              (s.completion_requested ? ", txid " + hex64(txid) : std::string(", no completion requested")));
  return Outcome::Done;
}

Player::Outcome Player::raw(const Step& s, PeerState& p) {
  std::vector<uint8_t> bytes;
  if (!outgoing_bytes(s, p, bytes)) return Outcome::Fail;
  if (s.raw_verbatim) {
    bool written = p.endpoint->write_malformed(bytes.data(), static_cast<uint32_t>(bytes.size()));
    note(s, s.channel + ": " + std::to_string(bytes.size()) + " bytes written verbatim" +
                (written ? "" : " (not written: the ring is full or corrupt)"));
    return Outcome::Done;
  }
  ring::OutgoingPacket packet;
  packet.type = static_cast<ring::PacketType>(s.raw_type);
  packet.flags = s.raw_flags;
  packet.transaction_id = s.raw_txid;
  packet.header_ext = {s.raw_header.data(), static_cast<uint32_t>(s.raw_header.size())};
  packet.payload = {bytes.data(), static_cast<uint32_t>(bytes.size())};
  // Nothing is tracked: whatever the driver makes of it, nothing is owed either way.
  p.endpoint->send_raw(packet);
  ++result_.packets;
  note(s, s.channel + ": raw packet type " + std::to_string(s.raw_type) + " flags " + hex64(s.raw_flags) + " txid " +
              hex64(s.raw_txid) + ", " + std::to_string(s.raw_header.size()) + " header and " +
              std::to_string(bytes.size()) + " payload bytes");
  return Outcome::Done;
}

Player::Outcome Player::reopened(const Step& s, PeerState& p) {
  HostChannel& host = p.device->host();
  if (!p.gone || host.opens() == p.opens_at_close || !host.is_open()) {
    // The driver reopens on its own time (after EvtChannelClosed, Disable and Enable again).
    bool first = waiting_ != &s;
    Outcome o = wait_for(s, "the driver to open channel " + s.channel + " again");
    if (first) poll(wait_generation_);
    return o;
  }
  p.gone = false;
  note(s, s.channel + ": the driver opened the channel again (open " + std::to_string(host.opens()) + ")");
  return Outcome::Done;
}

Player::Outcome Player::expect_completion(const Step& s, PeerState& p) {
  uint64_t txid = 0;
  if (!s.packet.empty()) {
    const auto& named = sent_named_[s.packet];
    if (named.first != s.channel) {
      fail(s, "packet '" + s.packet + "' was sent on channel " + named.first + ", not " + s.channel);
      return Outcome::Fail;
    }
    txid = named.second;
  }
  auto it = p.completions.begin();
  if (txid != 0) {
    while (it != p.completions.end() && it->transaction_id != txid) ++it;
  }
  if (it == p.completions.end())
    return wait_for(s, "the driver's completion of " + (s.packet.empty() ? std::string("a packet") : "'" + s.packet + "'"));
  GuestCompletion c = std::move(*it);
  p.completions.erase(it);
  if (!check_match(s, s.match, c.payload, "completion of txid " + hex64(c.transaction_id))) return Outcome::Fail;
  if (!s.memory.empty() && !check_memory(s, s.packet, 0, s.memory)) return Outcome::Fail;
  note(s, s.channel + ": completion of txid " + hex64(c.transaction_id) + " len " + std::to_string(c.payload.size()));
  return Outcome::Done;
}

Player::Outcome Player::fault(const Step& s, PeerState& p) {
  switch (s.fault) {
    case FaultKind::StopDraining:
    case FaultKind::Pause: {
      // Both are states of the peer that a duration ends on its own (the step does not wait).
      bool pause = s.fault == FaultKind::Pause;
      Endpoint* e = p.endpoint;
      auto apply = [e, pause](bool in_effect) { pause ? e->set_paused(in_effect) : e->set_draining(!in_effect); };
      apply(true);
      if (s.duration_ns > 0) sim_.scheduler().post_after(s.duration_ns, [apply] { apply(false); });
      note(s, s.channel + (pause ? ": the peer pauses: it reads nothing and holds what it sends"
                                 : ": the peer stops reading the driver's ring") +
                  (s.duration_ns ? " for " + std::to_string(s.duration_ns) + " ns" : std::string()));
      break;
    }
    case FaultKind::ResumeDraining:
      p.endpoint->set_draining(true);
      note(s, s.channel + ": the peer reads again");
      break;
    case FaultKind::Resume:
      p.endpoint->set_paused(false);
      note(s, s.channel + ": the peer resumes");
      break;
    case FaultKind::CorruptIndex: {
      bool done = p.endpoint->corrupt_index(s.index_of_outgoing, s.count);
      note(s, s.channel + ": " + (s.index_of_outgoing ? "read index of the driver's outgoing ring" : "write index of the driver's incoming ring") +
                  " set to " + hex64(s.count) + (done ? "" : " (not done: the channel is not open)"));
      break;
    }
    case FaultKind::Rescind:
      p.device->host().rescind();
      p.gone = true;
      note(s, s.channel + ": the host rescinds the offer");
      break;
    case FaultKind::FailAllocations:
      sim_.fail_packet_allocations(s.count);
      note(s, "the next " + std::to_string(s.count) + " VmbPacketAllocate calls return NULL");
      break;
    case FaultKind::ExternalDataPending:
      sim_.make_external_data_pending(s.count);
      note(s, "the next " + std::to_string(s.count) + " VmbChannelPacketGetExternalData calls return STATUS_PENDING");
      break;
  }
  return Outcome::Done;
}

Player::Outcome Player::open(const Step& s, PeerState& p) {
  Channel* offer = nullptr;
  for (const auto& c : sim_.channels()) {
    if (!c->offered()) continue;
    // The spec's instance picks among several offers; without one, the first offer is taken.
    if (p.spec->interface_instance == Guid{} || c->interface_instance() == p.spec->interface_instance) {
      offer = c.get();
      break;
    }
  }
  if (offer == nullptr) {
    // The offer may be on its way back (the server is still closing an earlier connection):
    // look again a microsecond later, until `within` runs out.
    bool first = waiting_ != &s;
    Outcome o = wait_for(s, "the driver to offer a channel for the guest on channel " + s.channel);
    if (first) poll(wait_generation_);
    return o;
  }
  Status st = p.guest->open(*offer, s.ring_pages);
  note(s, s.channel + ": the guest opens " + offer->describe() + " -> " + status_name(st));
  if (!succeeded(st)) {
    fail(s, std::string("the driver refused the guest's open: ") + status_name(st));
    return Outcome::Fail;
  }
  p.gone = false;
  return Outcome::Done;
}

}  // namespace

RunResult run(const Scenario& scenario, DriverUnderTest& driver, const RunOptions& options) {
  Player player(scenario, driver, options);
  return player.play();
}

}  // namespace vmbsim::scenario
