#include "sim/core/guest_endpoint.h"

#include "sim/core/channel.h"
#include "sim/core/simulation.h"

namespace vmbsim {

GuestEndpoint::GuestEndpoint(Simulation& sim, std::string name) : Endpoint(sim, std::move(name)) {}

GuestEndpoint::~GuestEndpoint() {
  // The server must not keep pointers to this object or into rings it owns: hand the rings to
  // the server's channel and let it close as if the guest had closed.
  if (park_token_ != 0) {
    sim_.take_parked(park_token_);  // no restored channel may resume a connection that is gone
    channel_closed();
    return;
  }
  if (connected()) {
    Channel* server = channel();
    disconnect();
    server->peer_destroyed(std::move(g2h_), std::move(h2g_));
  }
}

uint64_t GuestEndpoint::send_gpa_direct(const void* data, uint32_t size, const void* buffer, uint32_t byte_count) {
  if (!connected() || buffer == nullptr || byte_count == 0) return 0;
  ring::GpaRange r = sim_.guest_memory().describe(buffer, byte_count);
  sim_.guest_memory().pin(r);
  uint64_t txid = send_with_ranges(data, size, {r});
  if (observer_) {
    const auto* d = static_cast<const uint8_t*>(data);
    const auto* b = static_cast<const uint8_t*>(buffer);
    observer_->sent_external(*this, txid, std::vector<uint8_t>(d, d + (d ? size : 0)),
                             std::vector<uint8_t>(b, b + byte_count));
  }
  in_flight_[txid] = std::move(r);
  return txid;
}

void GuestEndpoint::completion_read(uint64_t transaction_id) {
  auto it = in_flight_.find(transaction_id);
  if (it == in_flight_.end()) return;
  sim_.guest_memory().unpin(it->second);
  in_flight_.erase(it);
}

uint32_t GuestEndpoint::create_gpadl(const void* buffer, uint32_t byte_count, bool read_only) {
  if (!connected() || buffer == nullptr || byte_count == 0) return 0;
  if (parked()) {
    sim_.log().warn("{}: create_gpadl refused: the server's channel is saved and waits for its restore", name());
    return 0;
  }
  ring::GpaRange r = sim_.guest_memory().describe(buffer, byte_count);
  sim_.guest_memory().pin(r);
  uint32_t handle = next_gpadl_++;
  channel()->guest_gpadl_created(handle, {r}, read_only);
  gpadls_[handle] = Gpadl{std::move(r), read_only};
  if (observer_) {
    const auto* b = static_cast<const uint8_t*>(buffer);
    observer_->gpadl_created(*this, handle, std::vector<uint8_t>(b, b + byte_count), read_only);
  }
  return handle;
}

bool GuestEndpoint::delete_gpadl(uint32_t handle) {
  auto it = gpadls_.find(handle);
  if (it == gpadls_.end()) return false;
  // While parked nothing maps it: the saved server's mappings ended with its channel.
  if (channel() && !channel()->guest_gpadl_deleted(handle)) return false;
  sim_.guest_memory().unpin(it->second.range);
  gpadls_.erase(it);
  return true;
}

void GuestEndpoint::on_packet(PacketHandler handler) {
  if (!handler) return set_packet_fn(nullptr);
  set_packet_fn([this, handler = std::move(handler)](const HostPacket& p) { handler(*this, p); });
}

void GuestEndpoint::on_completion(CompletionHandler handler) {
  if (!handler) return set_completion_fn(nullptr);
  set_completion_fn([this, handler = std::move(handler)](const GuestCompletion& c) { handler(*this, c); });
}

Status GuestEndpoint::open(Channel& server, uint32_t ring_pages) {
  if (connected()) return status::kDeviceBusy;
  if (!server.offered()) return status::kInvalidDeviceState;
  // The guest donates both rings (kmcl-api.md §1.2).
  g2h_ = std::make_unique<ring::FlatRingMemory>(ring_pages ? ring_pages : 1);
  h2g_ = std::make_unique<ring::FlatRingMemory>(ring_pages ? ring_pages : 1);
  ring::initialize_ring(g2h_->view());
  ring::initialize_ring(h2g_->view());
  closed_by_server_ = false;
  close_requested_ = false;
  connect(server, h2g_->view(), g2h_->view());
  sim_.add_trace(name() + ": opens " + server.describe());
  Status s = server.accept_guest_open(*this, g2h_->view(), h2g_->view());
  if (!succeeded(s)) {
    disconnect();
    g2h_.reset();
    h2g_.reset();
  } else if (observer_) {
    observer_->opened(*this, ring_pages);
  }
  return s;
}

void GuestEndpoint::close() {
  if (!connected() || close_requested_) return;
  if (parked()) {
    // A saved VM is frozen with its server: nothing it does reaches a host until the restore.
    // The close is remembered and happens on the resumed connection.
    close_after_resume_ = true;
    sim_.add_trace(name() + ": will close its channel once the server is restored");
    return;
  }
  close_requested_ = true;
  sim_.add_trace(name() + ": closes " + channel()->describe());
  if (observer_) observer_->closed(*this, false);
  // The server sees the close from its event loop (Suspend, then Closed).
  channel()->host_closed(false);
}

void GuestEndpoint::channel_closed() {
  closed_by_server_ = !close_requested_;
  // GPADLs and unanswered GPA-direct packets die with the connection.
  park_token_ = 0;
  close_after_resume_ = false;
  for (auto& g : gpadls_) sim_.guest_memory().unpin(g.second.range);
  gpadls_.clear();
  for (auto& t : in_flight_) sim_.guest_memory().unpin(t.second);
  in_flight_.clear();
  disconnect();
  // The ring memory stays until the next open: the server's last reads may still be queued.
}

bool GuestEndpoint::park(uint64_t token) {
  park_token_ = token;
  park_connection();
  sim_.park(token, this);
  sim_.add_trace(name() + ": the server's channel was saved; the guest waits for its restore");
  return true;
}

bool GuestEndpoint::resume(Channel& restored, ParkedConnection& out) {
  if (park_token_ == 0 || !g2h_ || !h2g_) return false;
  park_token_ = 0;
  out.guest_to_host = g2h_->view();
  out.host_to_guest = h2g_->view();
  out.gpadls.clear();
  for (const auto& g : gpadls_) out.gpadls.push_back({g.first, {g.second.range}, g.second.read_only});
  sim_.add_trace(name() + ": " + restored.describe() + " resumes the saved connection");
  resume_connection(restored);
  if (close_after_resume_) {
    close_after_resume_ = false;
    sim_.scheduler().post([this] { close(); });  // after the restored channel's open
  }
  return true;
}

void GuestEndpoint::abandon_parked() {
  sim_.add_trace(name() + ": the saved channel is abandoned (offered again as a new channel)");
  close_requested_ = false;
  channel_closed();
}

}  // namespace vmbsim
