#include "sim/core/simulation.h"

#include <cstdio>
#include <cstdlib>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace vmbsim {

namespace {
// Innermost live simulation per thread; see Simulation::current().
thread_local Simulation* t_current = nullptr;

std::string resolve_level(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* env = std::getenv("VMBSIM_LOG");
  return env && *env ? env : "off";
}
}  // namespace

const char* to_string(CallbackKind kind) {
  switch (kind) {
    case CallbackKind::Opened: return "EvtChannelOpened";
    case CallbackKind::Closed: return "EvtChannelClosed";
    case CallbackKind::Suspend: return "EvtChannelSuspend";
    case CallbackKind::Started: return "EvtChannelStarted";
    case CallbackKind::PostStarted: return "EvtChannelPostStarted";
    case CallbackKind::ProcessPacket: return "EvtVmbChannelProcessPacket";
    case CallbackKind::ProcessingComplete: return "EvtVmbChannelProcessingComplete";
    case CallbackKind::PacketCompletion: return "EvtVmbPacketCompletionRoutine";
    case CallbackKind::PnpFailure: return "EvtChannelPnpFailure";
    case CallbackKind::SavePacket: return "EvtVmbChannelSavePacket";
    case CallbackKind::RestorePacket: return "EvtVmbChannelRestorePacket";
  }
  return "?";
}

Simulation::Simulation(SimulationOptions options)
    : options_(std::move(options)), verifier_(options_.verifier_mode) {
  // Loggers are not registered with spdlog's global registry: each simulation owns its own.
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  logger_ = std::make_shared<spdlog::logger>("vmbsim/" + options_.name, sink);
  logger_->set_level(spdlog::level::from_str(resolve_level(options_.log_level)));
  logger_->set_pattern("[%n %l] %v");
  log_packets_ = logger_->should_log(spdlog::level::debug);
  verifier_.set_observer([this](const Finding& f) {
    add_trace("verifier: " + f.to_string());
    emit(TraceKind::Instant, f.channel_id, 0, "verifier", f.code, f.to_string());
    if (f.severity == Severity::Error)
      logger_->error("{}", f.to_string());
    else
      logger_->warn("{}", f.to_string());
  });
  previous_current_ = t_current;
  t_current = this;
}

Simulation::~Simulation() {
  shutdown();
  // Callbacks may still reference the verifier while channels are destroyed.
  channels_.clear();
  devices_.clear();
  for (auto& r : retired_) r.second(r.first);
  retired_.clear();
  if (t_current == this) t_current = previous_current_;
}

Simulation* Simulation::current() { return t_current; }

void* Simulation::convert_vmbus_handle(void* user_handle) {
  kernel_vmbus_handles_.push_back(std::make_unique<uint64_t>(reinterpret_cast<uintptr_t>(user_handle)));
  return kernel_vmbus_handles_.back().get();
}

bool Simulation::is_kernel_vmbus_handle(void* handle) const {
  for (const auto& h : kernel_vmbus_handles_)
    if (h.get() == handle) return true;
  return false;
}

void Simulation::retire(void* object, void (*free_fn)(void*)) {
  retired_.emplace_back(object, free_fn);
  if (retired_.size() > kRetiredLimit) {
    retired_.front().second(retired_.front().first);
    retired_.pop_front();
  }
}

Peer* Simulation::take_parked(uint64_t token) {
  auto it = parked_.find(token);
  if (it == parked_.end()) return nullptr;
  Peer* p = it->second;
  parked_.erase(it);
  return p;
}

bool Simulation::take_allocation_failure() {
  if (failing_allocations_ == 0) return false;
  --failing_allocations_;
  returned_null_packet_ = true;
  return true;
}

void Simulation::report_bad_handle(const char* call, const char* kind, const void* handle) {
  char obj[64];
  std::snprintf(obj, sizeof(obj), "%s %p", kind, handle);
  Simulation* sim = t_current;
  if (sim == nullptr) {
    std::fprintf(stderr, "vmbsim: %s called with an invalid %s handle %p and no live simulation\n", call,
                 kind, handle);
    return;
  }
  bool null_packet = handle == nullptr && std::string(kind) == "VMBPACKET";
  if (null_packet && sim->returned_null_packet_) {
    sim->returned_null_packet_ = false;  // one NULL result, one report
    sim->verifier().violation(35, call, 0, obj, "VmbPacketAllocate returned NULL and the result was used",
                              sim->now());
    return;
  }
  sim->verifier().violation(2, call, 0, obj,
                            handle ? std::string("not a live ") + kind + " handle" : std::string("NULL ") + kind,
                            sim->now());
}

void Simulation::add_trace(std::string line) {
  logger_->info("{}", line);
  trace_.push_back(std::move(line));
}

Device& Simulation::offer(OfferSpec spec) {
  if (spec.user_data.size() > Device::kMaxUserData) spec.user_data.resize(Device::kMaxUserData);
  devices_.push_back(std::make_unique<Device>(*this, devices_.size() + 1, std::move(spec)));
  Device& d = *devices_.back();
  add_trace("host: offered " + d.offer().name + " type " + d.offer().interface_type.to_string() +
            " instance " + d.offer().interface_instance.to_string());
  return d;
}

Channel* Simulation::allocate_channel(Device* parent, bool is_server, Status* status) {
  channels_.push_back(std::make_unique<Channel>(*this, parent, is_server, channels_.size() + 1));
  *status = status::kSuccess;
  Channel* c = channels_.back().get();
  add_trace(c->describe() + ": allocated");
  // VmbChannelAllocate is _IRQL_requires_(PASSIVE_LEVEL) (rule 8, or 61 from a receive
  // callback). Like the other non-blocking PASSIVE-only calls it is reported, not refused.
  c->check_passive("VmbChannelAllocate", false);
  return c;
}

void Simulation::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  for (auto& c : channels_) {
    if (c->cleaned_up()) continue;
    // The driver made no VmbChannelCleanup call (so rule 7 does not apply). Nothing here calls
    // back into the driver: at shutdown its code or context may already be gone. Report what
    // leaked with the channel instead.
    c->violation(6, "shutdown", c->describe(), std::string("channel was never cleaned up (it is ") +
                                                   to_string(c->conn_state()) + ")");
    for (auto& p : c->packets_) {
      if (p->origin() == Packet::Origin::Allocated && p->state() == Packet::State::Idle)
        c->violation(43, "shutdown", p->describe(), "packet allocated but never freed");
      if (p->state() == Packet::State::AwaitingCompletion || p->state() == Packet::State::Queued ||
          p->state() == Packet::State::CompletionPending)
        verifier_.diagnostic(Diagnostic::Unanswered, "shutdown", c->id(), p->describe(),
                             "transaction never completed: its completion routine never ran", now());
    }
    for (auto& p : c->incoming_)
      if (p->state() == IncomingPacket::State::Outstanding)
        c->violation(53, "shutdown", p->describe(), "incoming packet delivered to EvtVmbChannelProcessPacket but never completed");
    for (auto& g : c->gpadls_) {
      char name[32];
      std::snprintf(name, sizeof(name), "GPADL %#x", g.first);
      c->violation(28, "shutdown", name, "GPADL never deleted");
    }
    c->abandon();
  }
}

}  // namespace vmbsim
