#include "sim/core/host_channel.h"


#include "sim/core/channel.h"
#include "sim/core/device.h"
#include "sim/core/simulation.h"

namespace vmbsim {

HostChannel::HostChannel(Simulation& sim, Device& device) : Endpoint(sim, "host"), device_(device) {}

void HostChannel::on_packet(PacketHandler handler) {
  if (!handler) return set_packet_fn(nullptr);
  set_packet_fn([this, handler = std::move(handler)](const HostPacket& p) { handler(*this, p); });
}

void HostChannel::on_completion(CompletionHandler handler) {
  if (!handler) return set_completion_fn(nullptr);
  set_completion_fn([this, handler = std::move(handler)](const GuestCompletion& c) { handler(*this, c); });
}

Status HostChannel::guest_open(Channel& guest, ring::RingMemory guest_to_host, ring::RingMemory host_to_guest) {
  if (rescinded_) return status::kDeviceRemoved;
  if (connected()) return status::kDeviceBusy;
  if (fail_open_status_ != status::kSuccess) {
    Status s = fail_open_status_;
    fail_open_status_ = status::kSuccess;
    return s;
  }
  connect(guest, guest_to_host, host_to_guest);
  ++opens_;
  return status::kSuccess;
}

void HostChannel::channel_closed() {
  disconnect();
  gpadls_.clear();
}

void HostChannel::close() {
  if (!connected()) return;
  sim_.add_trace("host: " + device_.offer().name + " closes the channel");
  if (observer_) observer_->closed(*this, false);
  channel()->host_closed(false);
}

void HostChannel::rescind() {
  if (rescinded_) return;
  rescinded_ = true;
  sim_.add_trace("host: " + device_.offer().name + " rescinds the offer");
  if (observer_) observer_->closed(*this, true);
  if (connected()) channel()->host_closed(true);
}

void HostChannel::gpadl_created(uint32_t handle, const std::vector<ring::GpaRange>& ranges, bool read_only) {
  HostGpadl g;
  g.view.ranges = ranges;
  g.read_only = read_only;
  gpadls_[handle] = std::move(g);
}

void HostChannel::gpadl_deleted(uint32_t handle) { gpadls_.erase(handle); }

std::vector<uint32_t> HostChannel::gpadl_handles() const {
  std::vector<uint32_t> out;
  for (const auto& g : gpadls_) out.push_back(g.first);
  return out;
}

bool HostChannel::gpadl_read_only(uint32_t handle) const {
  auto it = gpadls_.find(handle);
  return it != gpadls_.end() && it->second.read_only;
}

uint64_t HostChannel::gpadl_size(uint32_t handle) const {
  auto it = gpadls_.find(handle);
  return it == gpadls_.end() ? 0 : it->second.view.external_size();
}

bool HostChannel::map_gpadl(uint32_t handle, bool for_write) {
  auto it = gpadls_.find(handle);
  if (it == gpadls_.end() || it->second.mapped || (for_write && it->second.read_only)) return false;
  it->second.mapped = true;
  return true;
}

void HostChannel::unmap_gpadl(uint32_t handle) {
  auto it = gpadls_.find(handle);
  if (it != gpadls_.end()) it->second.mapped = false;
}

bool HostChannel::gpadl_mapped(uint32_t handle) const {
  auto it = gpadls_.find(handle);
  return it != gpadls_.end() && it->second.mapped;
}

bool HostChannel::read_gpadl(uint32_t handle, uint64_t offset, void* dst, size_t len) const {
  auto it = gpadls_.find(handle);
  return it != gpadls_.end() && read_external(it->second.view, offset, dst, len);
}

bool HostChannel::write_gpadl(uint32_t handle, uint64_t offset, const void* src, size_t len) {
  auto it = gpadls_.find(handle);
  if (it == gpadls_.end() || it->second.read_only) return false;
  return write_external(it->second.view, offset, src, len);
}


}  // namespace vmbsim
