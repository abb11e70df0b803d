// Channel: identity, configuration, and the connection/run state machine (kmcl-api.md §1.4).
// The data path is in channel_outgoing.cc and channel_incoming.cc.
#include "sim/core/channel.h"

#include <cstdio>
#include <cstring>

#include "sim/core/back_to_back.h"
#include "sim/core/device.h"
#include "sim/core/simulation.h"

namespace vmbsim {

const char* to_string(ConnState s) {
  switch (s) {
    case ConnState::Disabled: return "Disabled";
    case ConnState::Enabled: return "Enabled";
    case ConnState::Opened: return "Opened";
    case ConnState::Closing: return "Closing";
  }
  return "?";
}

Channel::Channel(Simulation& sim, Device* parent, bool is_server, uint64_t id)
    : sim_(sim), parent_(parent), is_server_(is_server), id_(id) {}

Channel::~Channel() {
  // Tear-down order matters: the host must stop referring to our rings first.
  if (peer_) peer_->channel_closed();
}

Channel* Channel::from_handle(const void* handle) {
  if (handle == nullptr) return nullptr;
  uint64_t magic;
  std::memcpy(&magic, handle, sizeof(magic));
  return magic == kMagic ? static_cast<Channel*>(const_cast<void*>(handle)) : nullptr;
}

std::string Channel::describe() const {
  std::string s = "channel " + std::to_string(id_);
  if (!name_.empty()) s += " (\"" + name_ + "\")";
  return s;
}

void Channel::violation(int rule, const char* call, const std::string& object, const std::string& msg) {
  sim_.verifier().violation(rule, call, id_, object.empty() ? describe() : object, msg, sim_.now());
}

void Channel::trace(const std::string& event) {
  sim_.add_trace(describe() + ": " + event);
  sim_.emit(TraceKind::ChannelState, id_, 0, "channel", event);
}

void Channel::peer_error(const std::string& what) {
  sim_.verifier().diagnostic(Diagnostic::PeerError, "host", id_, describe(), what, sim_.now());
}

// ---------------------------------------------------------------------------------------------
// Callback context and IRQL checks

void Channel::invoke_frame_begin(CallbackKind kind, Irql irql, IncomingPacket* pkt) {
  sim_.push_frame(CallbackFrame{this, kind, pkt, irql});
  ++busy_;
}

void Channel::invoke_frame_end() {
  sim_.pop_frame();
  if (--busy_ == 0 && service_wanted_) {
    service_wanted_ = false;
    post_service();
  }
}

bool Channel::in_callback_of_this_channel(CallbackKind* kind_out) const {
  const auto& frames = sim_.frames();
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    if (it->channel == this) {
      if (kind_out) *kind_out = it->kind;
      return true;
    }
  }
  return false;
}

bool Channel::check_passive(const char* call, bool blocking) {
  if (sim_.irql() == Irql::Passive) return true;
  const auto& frames = sim_.frames();
  bool in_receive = !frames.empty() && is_receive(frames.back().kind);
  std::string msg = std::string(call) + " requires PASSIVE_LEVEL but runs at " + to_string(sim_.irql());
  if (!frames.empty()) msg += " inside " + std::string(to_string(frames.back().kind));
  violation(in_receive ? 61 : (blocking ? 18 : 8), call, "", msg);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Initialisation

Status Channel::check_init_call(const char* call) {
  if (cleaned_) {
    violation(6, call, "", "channel used after VmbChannelCleanup");
    return status::kInvalidParameter1;
  }
  check_passive(call, false);
  if (conn_ != ConnState::Disabled) {
    violation(9, call, "", std::string("init call while the channel is ") + to_string(conn_) +
                               " (init calls are allowed only before VmbChannelEnable)");
    return status::kInvalidParameter1;
  }
  return status::kSuccess;
}

Status Channel::init_set_maximum_packet_size(uint32_t size) {
  Status s = check_init_call("VmbChannelInitSetMaximumPacketSize");
  if (!succeeded(s)) return s;
  if (size == 0) {
    violation(10, "VmbChannelInitSetMaximumPacketSize", "", "PacketSize must be > 0");
    return status::kInvalidParameter2;
  }
  max_packet_size_ = size;
  return status::kSuccess;
}

Status Channel::init_set_maximum_external_data(uint32_t data_size, uint32_t chain_length) {
  Status s = check_init_call("VmbChannelInitSetMaximumExternalData");
  if (!succeeded(s)) return s;
  if (data_size == 0) {
    violation(10, "VmbChannelInitSetMaximumExternalData", "", "DataSize must be > 0");
    return status::kInvalidParameter2;
  }
  if (chain_length == 0) {
    violation(10, "VmbChannelInitSetMaximumExternalData", "", "ChainLength must be > 0");
    return status::kInvalidParameter3;
  }
  max_external_data_ = data_size;
  max_chain_length_ = chain_length;
  return status::kSuccess;
}

Status Channel::init_set_client_context_size(uint32_t size) {
  Status s = check_init_call("VmbChannelInitSetClientContextSize");
  if (!succeeded(s)) return s;
  client_context_size_ = size;
  return status::kSuccess;
}

Status Channel::init_set_flags(uint32_t flags) {
  Status s = check_init_call("VmbChannelInitSetFlags");
  if (!succeeded(s)) return s;
  if (flags & ~0x1u) {
    violation(10, "VmbChannelInitSetFlags", "", "flag bits outside VMBUS_CHANNEL_INIT_FLAGS");
    return status::kInvalidParameter2;
  }
  init_flags_ = flags;
  return status::kSuccess;
}

Status Channel::init_set_friendly_name(const std::string& name) {
  Status s = check_init_call("VmbChannelInitSetFriendlyName");
  if (!succeeded(s)) return s;
  name_ = name;
  return status::kSuccess;
}

Status Channel::init_set_state_callbacks(const CallbackSet& which) {
  Status s = check_init_call("VmbChannelInitSetStateChangeCallbacks");
  if (!succeeded(s)) return s;
  callbacks_.opened = which.opened;
  callbacks_.closed = which.closed;
  callbacks_.suspend = which.suspend;
  callbacks_.started = which.started;
  callbacks_.post_started = which.post_started;
  return status::kSuccess;
}

Status Channel::init_set_process_callbacks(bool process_packet, bool processing_complete) {
  Status s = check_init_call("VmbChannelInitSetProcessPacketCallbacks");
  if (!succeeded(s)) return s;
  if (!process_packet) {
    violation(10, "VmbChannelInitSetProcessPacketCallbacks", "", "ProcessPacketCallback is NULL");
    return status::kInvalidParameter2;
  }
  callbacks_.process_packet = process_packet;
  callbacks_.processing_complete = processing_complete;
  return status::kSuccess;
}

Status Channel::client_init_set_ring_buffer_page_count(uint32_t incoming_pages, uint32_t outgoing_pages) {
  const char* call = "VmbClientChannelInitSetRingBufferPageCount";
  Status s = check_init_call(call);
  if (!succeeded(s)) return s;
  if (is_server_) {
    violation(4, call, "", "client-only init call on a server channel");
    return status::kInvalidParameter1;
  }
  if (incoming_pages == 0) {
    violation(10, call, "", "IncomingPageCount must be > 0");
    return status::kInvalidParameter2;
  }
  if (outgoing_pages == 0) {
    violation(10, call, "", "OutgoingPageCount must be > 0");
    return status::kInvalidParameter3;
  }
  incoming_pages_ = incoming_pages;
  outgoing_pages_ = outgoing_pages;
  return status::kSuccess;
}

Status Channel::client_init_set_target(const Guid& type, const Guid* instance, bool pnp_failure_callback) {
  const char* call = "VmbClientChannelInitSetTargetPnp";
  Status s = check_init_call(call);
  if (!succeeded(s)) return s;
  if (is_server_) {
    violation(4, call, "", "client-only init call on a server channel");
    return status::kInvalidParameter1;
  }
  has_target_ = true;
  target_type_ = type;
  target_any_instance_ = instance == nullptr;
  if (instance) target_instance_ = *instance;
  callbacks_.pnp_failure = pnp_failure_callback;
  return status::kSuccess;
}

void Channel::set_incoming_processing_at_passive(bool passive) {
  // Q41: allowed at any time; takes effect with the next delivery.
  check_passive("VmbChannelSetIncomingProcessingAtPassive", false);
  passive_delivery_ = passive;
}

void Channel::set_transaction_quota(uint32_t quota) {
  if (quota == 0) {
    violation(10, "VmbChannelSetTransactionQuota", "", "Quota must be > 0");
    return;
  }
  // Lowering the quota never restarts delivery by itself; only a completion does.
  quota_ = quota;
}

Guid Channel::interface_instance() const {
  if (is_server_) return server_.interface_instance;
  if (conn_ == ConnState::Opened || conn_ == ConnState::Closing) return active_instance_;
  if (has_target_ && !target_any_instance_) return target_instance_;
  return parent_ ? parent_->offer().interface_instance : Guid{};
}

uint32_t Channel::sizeof_packet() const {
  uint32_t max = max_packet_size_ ? max_packet_size_ : sim_.options().default_max_packet_size;
  // Q33: at least MaximumPacketSize + one pointer, plus room for our header in caller memory.
  return max + static_cast<uint32_t>(sizeof(void*)) + 64;
}

Status Channel::set_interrupt_latency(uint16_t latency, uint16_t* original) {
  const char* call = "VmbChannelSetInterruptLatency";
  check_passive(call, false);
  bool in_opened = false;
  CallbackKind kind;
  if (in_callback_of_this_channel(&kind)) in_opened = kind == CallbackKind::Opened || kind == CallbackKind::Closed;
  if (!(conn_ == ConnState::Opened || conn_ == ConnState::Closing || in_opened)) {
    violation(19, call, "", std::string("called while the channel is ") + to_string(conn_) +
                                " (allowed only from EvtChannelOpened to EvtChannelClosed)");
    return status::kInvalidDeviceState;
  }
  if (original) *original = interrupt_latency_;
  interrupt_latency_ = latency;
  return status::kSuccess;
}

void Channel::get_mmio_space(uint64_t* address, uint64_t* size) {
  const char* call = "VmbChannelGetMmioSpace";
  check_passive(call, false);
  *address = 0;
  *size = 0;
  if (!opened_callback_seen_) {
    violation(20, call, "", "called before EvtChannelOpened");
    return;
  }
  // Q26: an opaque, simulator-chosen base; the size is what the offer reserved.
  const Device* d = peer_ && peer_->offered_device() ? peer_->offered_device() : parent_;
  if (d == nullptr) return;
  uint64_t mb = uint64_t{d->offer().mmio_megabytes} + d->offer().mmio_megabytes_optional;
  if (mb == 0) return;
  *address = 0xF800000000ull + (d->id() << 32);
  *size = mb << 20;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

Status Channel::enable() {
  const char* call = "VmbChannelEnable";
  if (cleaned_) {
    violation(6, call, "", "channel used after VmbChannelCleanup");
    return status::kInvalidParameter1;
  }
  check_passive(call, false);
  if (conn_ != ConnState::Disabled) {
    violation(11, call, "", std::string("channel is already ") + to_string(conn_));
    return status::kInvalidDeviceState;
  }
  if (is_server_) return offer();
  if (!callbacks_.process_packet)
    violation(13, call, "", "no EvtVmbChannelProcessPacket registered; incoming packets will be completed empty");
  if (max_packet_size_ == 0) {
    sim_.log().warn("{}: VmbChannelInitSetMaximumPacketSize never called; using {} bytes", describe(),
                    sim_.options().default_max_packet_size);
    max_packet_size_ = sim_.options().default_max_packet_size;
  }
  conn_ = ConnState::Enabled;
  ever_enabled_ = true;
  locally_disabled_ = false;
  queue_failed_ = false;
  pnp_failure_delivered_ = false;
  running_ = !auto_pause_;
  auto_pause_ = false;
  trace(running_ ? "enabled" : "enabled (paused: VmbChannelPause was called while disabled)");
  // Enable returns at once; the open happens on the event loop (kmcl-api.md §1.4.1 item 2).
  sim_.scheduler().post([this] { begin_open(); });
  return status::kSuccess;
}

void Channel::begin_open() {
  if (conn_ != ConnState::Enabled || cleaned_) return;
  Device* target = parent_;
  if (has_target_) {
    target = nullptr;
    for (auto& d : sim_.devices()) {
      if (d->offer().interface_type == target_type_ &&
          (target_any_instance_ || d->offer().interface_instance == target_instance_) &&
          d->host().is_offered() && !d->host().is_open()) {
        target = d.get();
        break;
      }
    }
  }
  if (target == nullptr || !target->host().is_offered() ||
      (target->back_to_back() && !target->back_to_back()->server().offered())) {
    trace("waiting for an offer");
    return;
  }

  uint32_t per_packet = static_cast<uint32_t>(ring::ring_bytes_for(0, max_packet_size_));
  uint32_t min_pages = (4 * per_packet + 8 + ring::kPageSize - 1) / ring::kPageSize;
  uint32_t out_pages = outgoing_pages_ ? outgoing_pages_ : sim_.options().default_ring_pages;
  uint32_t in_pages = incoming_pages_ ? incoming_pages_ : sim_.options().default_ring_pages;
  if (!outgoing_pages_ && out_pages < min_pages) out_pages = min_pages;
  if (!incoming_pages_ && in_pages < min_pages) in_pages = min_pages;
  out_mem_ = std::make_unique<ring::FlatRingMemory>(out_pages);
  in_mem_ = std::make_unique<ring::FlatRingMemory>(in_pages);
  ring::initialize_ring(out_mem_->view());
  ring::initialize_ring(in_mem_->view());

  // The offer is served by the simulated host, or by a server driver back to back.
  BackToBackLink* link = target->back_to_back();
  Status hs = link ? link->connect(*this, out_mem_->view(), in_mem_->view())
                   : target->host().guest_open(*this, out_mem_->view(), in_mem_->view());
  if (!succeeded(hs)) {
    out_mem_.reset();
    in_mem_.reset();
    trace(std::string("open refused by the host: ") + status_name(hs));
    if (callbacks_.pnp_failure && !pnp_failure_delivered_) {
      // Q45: at most once per Enable; the channel stays Enabled.
      pnp_failure_delivered_ = true;
      invoke_frame_begin(CallbackKind::PnpFailure, Irql::Passive, nullptr);
      client_->pnp_failure(*this, hs);
      invoke_frame_end();
    }
    return;
  }
  Peer& peer = link ? link->client_peer() : static_cast<Peer&>(target->host());
  connect_and_open(peer, in_mem_->view(), out_mem_->view(), target->offer().interface_instance,
                   /*peer_rolls_back=*/false);
}

Status Channel::connect_and_open(Peer& peer, ring::RingMemory incoming, ring::RingMemory outgoing,
                                 const Guid& instance, bool peer_rolls_back) {
  peer_ = &peer;
  in_reader_ = std::make_unique<ring::RingReader>(incoming, incoming.data_size - 8);
  out_writer_ = std::make_unique<ring::RingWriter>(outgoing);
  active_instance_ = instance;
  ring_dead_reported_ = false;
  queue_failed_ = false;

  Status os = status::kSuccess;
  opened_callback_seen_ = true;
  if (callbacks_.opened) {
    invoke_frame_begin(CallbackKind::Opened, Irql::Passive, nullptr);
    os = client_->opened(*this);
    invoke_frame_end();
  }
  trace(std::string("EvtChannelOpened -> ") + status_name(os));
  if (!succeeded(os)) {
    // Q44: roll back to a no-traffic state; the channel stays Enabled (the offer stands), no
    // Closed callback, so GPADLs made inside the failed callback have no later chance to go.
    while (!gpadls_.empty()) {
      char name[32];
      std::snprintf(name, sizeof(name), "GPADL %#x", gpadls_.begin()->first);
      violation(24, "EvtChannelOpened", name, "GPADL left behind by an EvtChannelOpened that failed");
      drop_gpadl(gpadls_.begin()->first);
    }
    if (peer_rolls_back) {
      // The opener (a guest endpoint) undoes its side itself when it sees the failure.
      in_reader_.reset();
      out_writer_.reset();
      peer_ = nullptr;
    } else {
      teardown_rings();
    }
    return os;
  }
  conn_ = ConnState::Opened;
  if (running_) run_start_sequence();
  flush_sends();
  post_service();
  return status::kSuccess;
}

void Channel::run_start_sequence() {
  if (conn_ != ConnState::Opened || !running_ || started_) return;
  if (callbacks_.started) {
    invoke_frame_begin(CallbackKind::Started, Irql::Passive, nullptr);
    client_->started(*this);
    invoke_frame_end();
  }
  trace("EvtChannelStarted");
  started_ = true;
  suspended_window_ = false;
  // The incoming queue goes live before PostStarted so that a synchronous request issued
  // there can complete (Q7). Data packets wait until PostStarted returns (callbacks of one
  // channel never overlap).
  incoming_enabled_ = true;
  flush_sends();
  if (callbacks_.post_started) {
    invoke_frame_begin(CallbackKind::PostStarted, Irql::Passive, nullptr);
    client_->post_started(*this);
    invoke_frame_end();
  }
  trace("EvtChannelPostStarted (active)");
  post_service();
}

void Channel::suspend_now() {
  if (!started_) return;
  started_ = false;
  incoming_enabled_ = false;
  suspended_window_ = true;
  if (callbacks_.suspend) {
    invoke_frame_begin(CallbackKind::Suspend, Irql::Passive, nullptr);
    client_->suspend(*this);
    invoke_frame_end();
  }
  trace("EvtChannelSuspend");
}

void Channel::start() {
  const char* call = "VmbChannelStart";
  if (cleaned_) {
    violation(6, call, "", "channel used after VmbChannelCleanup");
    return;
  }
  CallbackKind kind;
  if (in_callback_of_this_channel(&kind) && is_state_change(kind)) {
    violation(14, call, "", std::string("called inside ") + to_string(kind));
    return;
  }
  if (conn_ == ConnState::Disabled) {
    violation(15, call, "", locally_disabled_ ? "called after VmbChannelDisable" : "called before VmbChannelEnable");
    return;
  }
  check_passive(call, false);
  ever_started_ = true;  // rule 16 asks whether Start was ever called
  if (save_.phase == SaveContext::Phase::Ended) {
    save_ = SaveContext{};
    trace("VmbChannelStart after a save: the channel carries on");
    post_service();
  }
  if (running_) return;
  running_ = true;
  trace("VmbChannelStart");
  if (conn_ == ConnState::Opened) {
    // The callbacks run from the event loop, never nested inside the caller's context.
    sim_.scheduler().post([this] { run_start_sequence(); });
  }
}

void Channel::pause() {
  const char* call = "VmbChannelPause";
  if (cleaned_) {
    violation(6, call, "", "channel used after VmbChannelCleanup");
    return;
  }
  CallbackKind kind;
  if (in_callback_of_this_channel(&kind)) {
    if (is_state_change(kind))
      violation(14, call, "", std::string("called inside ") + to_string(kind));
    else
      violation(17, call, "", std::string("called inside ") + to_string(kind) +
                                  ": Pause waits for incoming completions and would deadlock");
    return;
  }
  if (conn_ == ConnState::Disabled) {
    if (locally_disabled_) {
      violation(15, call, "", "called after VmbChannelDisable");
      return;
    }
    auto_pause_ = true;  // Q10: the channel comes up paused at the next Enable
    trace("VmbChannelPause while disabled: will start paused");
    return;
  }
  if (!check_passive(call, true)) return;
  if (!running_) return;
  running_ = false;
  trace("VmbChannelPause");
  suspend_now();
  // Pause blocks until every incoming packet the driver holds is completed.
  auto r = sim_.scheduler().run_until([this] { return outstanding_ == 0; }, std::nullopt);
  if (r != Scheduler::WaitResult::Satisfied) {
    for (auto& p : incoming_)
      if (p->state_ == IncomingPacket::State::Outstanding)
        violation(23, call, p->describe(), "incoming packet still not completed after EvtChannelSuspend; Pause would wait forever");
    sim_.verifier().diagnostic(Diagnostic::Hang, call, id_, describe(),
                               "VmbChannelPause could never return; returning instead of hanging", sim_.now());
  }
}

void Channel::disable() {
  const char* call = "VmbChannelDisable";
  if (cleaned_) {
    violation(6, call, "", "channel used after VmbChannelCleanup");
    return;
  }
  CallbackKind kind;
  if (in_callback_of_this_channel(&kind)) {
    violation(17, call, "", std::string("called inside ") + to_string(kind) +
                                ": Disable waits for the channel to close and would deadlock");
    return;
  }
  if (!check_passive(call, true)) return;
  if (is_server_ && conn_ != ConnState::Disabled && !ever_started_)
    violation(16, call, "", "server channel was enabled but never started (VmbChannelStart is never implicit on the host)");
  switch (conn_) {
    case ConnState::Disabled:
      locally_disabled_ = true;
      return;  // Q40: harmless
    case ConnState::Enabled:
      conn_ = ConnState::Disabled;
      locally_disabled_ = true;
      cancel_transactions(true);
      trace("disabled (was waiting for an offer)");
      return;
    case ConnState::Opened:
      conn_ = ConnState::Closing;
      trace("VmbChannelDisable");
      suspend_now();
      break;
    case ConnState::Closing:
      break;  // a remote close is in progress: wait for it below
  }
  auto r = sim_.scheduler().run_until(
      [this] { return outstanding_ == 0 || conn_ == ConnState::Disabled; }, std::nullopt);
  if (r != Scheduler::WaitResult::Satisfied) {
    for (auto& p : incoming_) {
      if (p->state_ == IncomingPacket::State::Outstanding) {
        violation(23, call, p->describe(), "incoming packet never completed after EvtChannelSuspend; Disable would wait forever");
        // Retire it so Disable can return; it is not reported again at cleanup.
        --outstanding_;
        release_incoming(*p);
      }
    }
    sim_.verifier().diagnostic(Diagnostic::Hang, call, id_, describe(),
                               "VmbChannelDisable could never return; returning instead of hanging", sim_.now());
  }
  if (conn_ != ConnState::Disabled) finish_close(true);
  locally_disabled_ = true;
}

void Channel::host_closed(bool rescinded) {
  remote_close_pending_ = true;
  remote_rescinded_ = rescinded;
  post_service();
}

void Channel::begin_remote_close() {
  remote_close_pending_ = false;
  if (conn_ != ConnState::Opened) return;
  conn_ = ConnState::Closing;
  trace(remote_rescinded_ ? "host rescinded the channel" : "host closed the channel");
  suspend_now();
  maybe_finish_remote_close();
}

void Channel::maybe_finish_remote_close() {
  if (conn_ == ConnState::Closing && outstanding_ == 0 && busy_ == 0) finish_close(false);
}

void Channel::finish_close(bool local) {
  // Queued incoming packets will never be delivered: the host is gone.
  while (!pending_incoming_.empty()) {
    IncomingPacket* p = pending_incoming_.front();
    pending_incoming_.pop_front();
    sim_.log().info("{}: dropping undelivered {} at close", describe(), p->describe());
    release_incoming(*p);
  }
  cancel_transactions(local);
  if (local && peer_) peer_->channel_closing();
  if (callbacks_.closed) {
    invoke_frame_begin(CallbackKind::Closed, Irql::Passive, nullptr);
    client_->closed(*this);
    invoke_frame_end();
  }
  trace("EvtChannelClosed");
  // Every GPADL must be gone when EvtChannelClosed returns; the simulator tears down the rest.
  while (!gpadls_.empty()) {
    char name[32];
    std::snprintf(name, sizeof(name), "GPADL %#x", gpadls_.begin()->first);
    violation(24, "EvtChannelClosed", name, "GPADL still alive when EvtChannelClosed returned");
    drop_gpadl(gpadls_.begin()->first);
  }
  // After a completed save, a local close leaves the guest's side of the connection waiting for
  // the restored channel instead of closing it.
  bool park = local && save_.phase == SaveContext::Phase::Ended && save_.parking_token != 0;
  teardown_rings(park ? save_.parking_token : 0);
  if (local) save_ = SaveContext{};
  // A guest closing a server's channel leaves the offer standing: the guest may open it again
  // ("Stopped"). Everything else ends Disabled.
  conn_ = is_server_ && !local && !remote_rescinded_ ? ConnState::Enabled : ConnState::Disabled;
  if (conn_ == ConnState::Enabled) trace("offer stands; the guest may open it again");
  started_ = false;
  incoming_enabled_ = false;
  suspended_window_ = false;
}

void Channel::teardown_rings(uint64_t parking_token) {
  // Completions waiting for ring space die with the ring.
  for (auto it = send_queue_.begin(); it != send_queue_.end();) {
    if (it->completion) {
      release_incoming(*it->completion);
      it = send_queue_.erase(it);
    } else {
      ++it;
    }
  }
  out_writer_.reset();
  in_reader_.reset();
  drop_guest_gpadls();  // a server's view of the guest's GPADLs ends with the connection
  if (peer_ && parking_token != 0 && peer_->park(parking_token)) {
    trace("the guest connection is parked for a restore");
  } else if (peer_) {
    peer_->adopt_rings(std::move(out_mem_), std::move(in_mem_));
    peer_->channel_closed();
  }
  peer_ = nullptr;
  out_mem_.reset();
  in_mem_.reset();
}

void Channel::abandon() {
  if (peer_) peer_->channel_closed();
  peer_ = nullptr;
  cleaned_ = true;
}

void Channel::cleanup() {
  const char* call = "VmbChannelCleanup";
  if (cleaned_) {
    violation(6, call, "", "VmbChannelCleanup called twice");
    return;
  }
  check_passive(call, false);
  if (conn_ != ConnState::Disabled) {
    violation(7, call, "", std::string("channel is ") + to_string(conn_) + ", not Disabled");
    return;
  }
  if (save_.phase == SaveContext::Phase::Begun || save_.phase == SaveContext::Phase::Complete)
    sim_.verifier().violation(64, call, id_, "", "VmbChannelSaveBegin was never followed by VmbChannelSaveEnd", sim_.now(),
                              /*warning_only=*/true);
  // Anything still queued never reached a ring: its transaction ends now.
  cancel_transactions(true);
  for (auto& p : packets_) {
    if (p->origin_ == Packet::Origin::Allocated && p->state_ == Packet::State::Idle)
      violation(43, call, p->describe(), "packet allocated but never freed (or its replaced completion routine never freed it)");
  }
  for (auto& p : incoming_) {
    if (p->state_ == IncomingPacket::State::Outstanding)
      violation(53, call, p->describe(), "incoming packet delivered to EvtVmbChannelProcessPacket but never completed");
  }
  cleaned_ = true;
  trace("cleaned up");
}

}  // namespace vmbsim
