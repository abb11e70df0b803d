// One simulated VMBus: virtual time, the verifier, logging, offered devices and the channels
// the driver under test allocates. Nothing is global: every handle leads back to its
// Simulation, so independent simulations can live side by side (parallel tests, one fresh bus
// per fuzz input).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "sim/core/channel.h"
#include "sim/core/device.h"
#include "sim/core/guest_memory.h"
#include "sim/core/irql.h"
#include "sim/core/scheduler.h"
#include "sim/core/trace_sink.h"
#include "sim/core/verifier.h"

namespace vmbsim {

enum class ExternalBufferCheck : uint8_t { Off, Sampled, Full };

struct SimulationOptions {
  VerifierMode verifier_mode = VerifierMode::Collect;
  // Used when the driver never calls VmbChannelInitSetMaximumPacketSize (kmcl-api.md Q23).
  uint32_t default_max_packet_size = 4096;
  // Data pages per ring when the driver never sets a page count; rings are also grown so that
  // each holds at least four maximum-size packets.
  uint32_t default_ring_pages = 16;
  // Freed packet objects wait this many frees before reuse, so stale handles are caught.
  uint32_t handle_quarantine = 16;
  // Rule 48: a transaction's external buffers are checksummed when it is sent and again when it
  // ends (host writes through the transaction are accounted for), so a driver that changes or
  // reuses a buffer in flight is caught. Sampled hashes a few words of every page (cheap, catches
  // a rewritten buffer); Full hashes every byte (two extra passes over the data); Off skips it.
  ExternalBufferCheck external_buffer_check = ExternalBufferCheck::Sampled;
  // Fuzzing: every ProcessPacket buffer and completion buffer the driver gets is a heap block of
  // exactly the packet's length, freed when the packet is completed (or the routine returns), so
  // AddressSanitizer reports a driver that reads past BufferLength or after completion. Off by
  // default: a reused buffer per packet slot is cheaper.
  bool exact_buffers = false;
  // Log level ("off", "info", "debug", ...). Empty: taken from $VMBSIM_LOG, default "off".
  std::string log_level;
  // Name used in log lines.
  std::string name = "sim";
};

class Simulation {
 public:
  explicit Simulation(SimulationOptions options = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  Scheduler& scheduler() { return scheduler_; }
  Verifier& verifier() { return verifier_; }
  // The guest-physical address space (pages described by MDLs, GPADLs and PFN lists).
  GuestMemory& guest_memory() { return guest_memory_; }
  spdlog::logger& log() { return *logger_; }
  const SimulationOptions& options() const { return options_; }
  void set_external_buffer_check(ExternalBufferCheck mode) { options_.external_buffer_check = mode; }
  VirtualTime now() const { return scheduler_.now(); }

  // Host side: offers a channel; the returned device is what the driver under test is given.
  Device& offer(OfferSpec spec);
  const std::vector<std::unique_ptr<Device>>& devices() const { return devices_; }

  // Driver side (VmbChannelAllocate). Returns null and sets *status on failure.
  Channel* allocate_channel(Device* parent, bool is_server, Status* status);
  const std::vector<std::unique_ptr<Channel>>& channels() const { return channels_; }

  // Running.
  size_t run_until_idle() { return scheduler_.run_until_idle(); }
  size_t run_for(VirtualTime ns) { return scheduler_.run_for(ns); }
  bool step() { return scheduler_.step(); }

  // Reports leaks (channels never cleaned up, packets never freed, incoming packets never
  // completed, transactions never answered). Idempotent; also run by the destructor.
  void shutdown();

  // What happened, in order: one line per lifecycle event (opens, callbacks, closes,
  // violations). Per-packet events go to the debug log instead, to keep this cheap.
  const std::vector<std::string>& trace() const { return trace_; }
  void add_trace(std::string line);

  // Structured timeline events go to `sink` (not owned; null: off).
  void set_trace_sink(TraceSink* sink) { trace_sink_ = sink; }
  bool tracing() const { return trace_sink_ != nullptr; }
  void emit(TraceKind kind, uint64_t channel_id, uint64_t object_id, const char* category, std::string name,
            std::string detail = {}) {
    if (trace_sink_)
      trace_sink_->event(TraceEvent{kind, now(), channel_id, object_id, category, std::move(name), std::move(detail)});
  }

  // ---- Simulated IRQL and callback context ----
  Irql irql() const { return frames_.empty() ? base_irql_ : frames_.back().irql; }
  // For tests that model a driver holding a spin lock.
  void set_base_irql(Irql irql) { base_irql_ = irql; }
  const std::vector<CallbackFrame>& frames() const { return frames_; }
  void push_frame(const CallbackFrame& f) { frames_.push_back(f); }
  void pop_frame() { frames_.pop_back(); }

  // Reports a call made with a handle that is NULL or not a vmbsim object of the expected kind.
  // Such a handle carries no simulation, so this goes to the innermost live one (rule 2, or
  // rule 35 for a NULL packet after an injected VmbPacketAllocate failure).
  static void report_bad_handle(const char* call, const char* kind, const void* handle);
  // VmbConvertVmbusHandleToKernelHandle: a kernel handle for a user-mode VMBus handle (a VM's),
  // and whether a handle is one of those (rule 5).
  void* convert_vmbus_handle(void* user_handle);
  bool is_kernel_vmbus_handle(void* handle) const;

  // Makes the next `count` VmbChannelPacketGetExternalData calls that would succeed return
  // STATUS_PENDING instead (the guest pages "need paging in"); the packet is then delivered
  // again at PASSIVE_LEVEL and the call succeeds.
  void make_external_data_pending(uint32_t count) { pending_external_ = count; }
  bool take_external_data_pending() {
    if (pending_external_ == 0) return false;
    --pending_external_;
    return true;
  }

  // Makes the next `count` VmbPacketAllocate calls (any channel) return NULL.
  void fail_packet_allocations(uint32_t count) { failing_allocations_ = count; }
  bool take_allocation_failure();
  uint32_t pending_allocation_failures() const { return failing_allocations_; }
  uint32_t pending_external_data_pending() const { return pending_external_; }
  void note_allocation_success() { returned_null_packet_ = false; }

  // Keeps a dead object (a completed packet's external-data MDL) poisoned but allocated for a
  // while, so later use is reported instead of touching freed memory. The oldest of
  // kRetiredLimit objects is freed with `free_fn`; the rest when the simulation ends.
  static constexpr size_t kRetiredLimit = 4096;
  void retire(void* object, void (*free_fn)(void*));

  // Guest connections of saved server channels, waiting for a restore (Channel::save_*).
  void park(uint64_t token, Peer* peer) { parked_[token] = peer; }
  // Removes and returns the peer parked under `token`; null if there is none.
  Peer* take_parked(uint64_t token);
  size_t parked_count() const { return parked_.size(); }

  bool log_packets() const { return log_packets_; }
  uint64_t next_object_id() { return ++object_ids_; }
  // The innermost live simulation on this thread. Used only to report handles that carry no
  // simulation of their own (NULL or garbage); may be null.
  static Simulation* current();

 private:
  SimulationOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  Scheduler scheduler_;
  Verifier verifier_;
  GuestMemory guest_memory_;
  std::vector<std::unique_ptr<Device>> devices_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::vector<CallbackFrame> frames_;
  std::map<uint64_t, Peer*> parked_;
  std::deque<std::pair<void*, void (*)(void*)>> retired_;
  std::vector<std::string> trace_;
  TraceSink* trace_sink_ = nullptr;
  Irql base_irql_ = Irql::Passive;
  bool log_packets_ = false;
  bool shut_down_ = false;
  uint64_t object_ids_ = 0;
  uint32_t failing_allocations_ = 0;
  uint32_t pending_external_ = 0;
  std::vector<std::unique_ptr<uint64_t>> kernel_vmbus_handles_;  // their addresses are the handles
  bool returned_null_packet_ = false;
  Simulation* previous_current_ = nullptr;
};

}  // namespace vmbsim
