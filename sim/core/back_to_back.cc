#include "sim/core/back_to_back.h"

#include "sim/core/channel.h"

namespace vmbsim {

Status BackToBackLink::connect(Channel& client, ring::RingMemory guest_to_host, ring::RingMemory host_to_guest) {
  if (client_ != nullptr) return status::kDeviceBusy;
  client_ = &client;
  client_closing_ = false;
  Status s = server_.accept_guest_open(server_side_, guest_to_host, host_to_guest);
  if (!succeeded(s)) client_ = nullptr;
  return s;
}

void BackToBackLink::ClientSide::channel_signaled() {
  if (link.client_) link.server_.host_signal();
}

void BackToBackLink::ClientSide::channel_ring_space() {
  if (link.client_) link.server_.host_ring_space();
}

void BackToBackLink::ClientSide::adopt_rings(std::unique_ptr<ring::FlatRingMemory> a,
                                             std::unique_ptr<ring::FlatRingMemory> b) {
  link.rings_[0] = std::move(a);
  link.rings_[1] = std::move(b);
}

void BackToBackLink::ClientSide::channel_closed() {
  // The client closed first: the server keeps the rings until its own close has run.
  if (link.client_ == nullptr) {
    link.rings_[0].reset();
    link.rings_[1].reset();
    return;
  }
  link.client_ = nullptr;
  link.server_.peer_destroyed(std::move(link.rings_[0]), std::move(link.rings_[1]));
}

void BackToBackLink::ClientSide::channel_closing() {
  link.client_closing_ = true;
  if (link.client_) link.server_.host_closed(false);
}

void BackToBackLink::ClientSide::gpadl_created(uint32_t handle, const std::vector<ring::GpaRange>& ranges,
                                                bool read_only) {
  if (link.client_) link.server_.guest_gpadl_created(handle, ranges, read_only);
}

void BackToBackLink::ClientSide::gpadl_deleted(uint32_t handle) {
  // The client waits for the server's unmap first; if it gave up waiting, the server's record
  // goes when it unmaps.
  link.server_.guest_gpadl_deleted(handle);
}

bool BackToBackLink::ClientSide::gpadl_mapped(uint32_t handle) const { return link.server_.server_gpadl_mapped(handle); }

void BackToBackLink::ServerSide::external_written(uint64_t transaction_id) {
  if (link.client_) link.client_->host_wrote_external(transaction_id);
}

void BackToBackLink::ServerSide::channel_signaled() {
  if (link.client_) link.client_->host_signal();
}

void BackToBackLink::ServerSide::channel_ring_space() {
  if (link.client_) link.client_->host_ring_space();
}

void BackToBackLink::ServerSide::channel_closed() {
  // The server closed (Disable withdraws its offer): to the client that is a rescind.
  Channel* client = link.client_;
  link.client_ = nullptr;
  if (client && !link.client_closing_) client->host_closed(true);
}

}  // namespace vmbsim
