// Channel: the server (VSP) role — Enable offers the channel, a simulated guest opens it over
// rings the guest donates, and the server must Start it itself (kmcl-api.md §1.2, §1.4.2).
// Everything after the open (packets, completions, close) is the same code as a client's.
#include "sim/core/channel.h"
#include "sim/core/simulation.h"

namespace vmbsim {

Status Channel::offer() {
  conn_ = ConnState::Enabled;
  ever_enabled_ = true;
  locally_disabled_ = false;
  queue_failed_ = false;
  remote_rescinded_ = false;
  // A server comes up paused: VmbChannelStart is never implicit on the host side.
  running_ = false;
  auto_pause_ = false;
  trace("enabled: offered to the guest" + std::string(server_.has_interface_id
                                                           ? " as " + server_.interface_type.to_string()
                                                           : std::string()));
  return status::kSuccess;
}

Status Channel::accept_guest_open(Peer& guest, ring::RingMemory guest_to_host, ring::RingMemory host_to_guest) {
  if (!offered()) return status::kInvalidDeviceState;
  peer_ = &guest;
  in_reader_ = std::make_unique<ring::RingReader>(guest_to_host, guest_to_host.data_size - 8);
  out_writer_ = std::make_unique<ring::RingWriter>(host_to_guest);
  active_instance_ = server_.interface_instance;
  ring_dead_reported_ = false;
  queue_failed_ = false;
  trace("the guest opens the offer");
  Status os = status::kSuccess;
  opened_callback_seen_ = true;
  if (callbacks_.opened) {
    invoke_frame_begin(CallbackKind::Opened, Irql::Passive, nullptr);
    os = client_->opened(*this);
    invoke_frame_end();
  }
  trace(std::string("EvtChannelOpened -> ") + status_name(os));
  if (!succeeded(os)) {
    while (!gpadls_.empty()) drop_gpadl(gpadls_.begin()->first);
    in_reader_.reset();
    out_writer_.reset();
    peer_ = nullptr;
    return os;  // the offer stands (Q44)
  }
  conn_ = ConnState::Opened;
  if (running_) run_start_sequence();
  flush_sends();
  post_service();
  return status::kSuccess;
}

void Channel::peer_destroyed(std::unique_ptr<ring::FlatRingMemory> guest_to_host,
                             std::unique_ptr<ring::FlatRingMemory> host_to_guest) {
  in_mem_ = std::move(guest_to_host);
  out_mem_ = std::move(host_to_guest);
  peer_ = nullptr;
  host_closed(false);
}

}  // namespace vmbsim
