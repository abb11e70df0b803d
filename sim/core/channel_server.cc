// Channel: the server (VSP) role — Enable offers the channel, a simulated guest opens it over
// rings the guest donates, and the server must Start it itself (kmcl-api.md §1.2, §1.4.2).
// Everything after the open (packets, completions, close) is the same code as a client's.
#include <cstdio>

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
  if (restore_.next_sequence > 0) {
    // A restored channel: its saved guest connection comes back (from the event loop, as any
    // open does) before it is offered to anyone else.
    resuming_ = true;
    trace("enabled after a restore");
    sim_.scheduler().post([this] { resume_saved_connection(); });
    return status::kSuccess;
  }
  trace("enabled: offered to the guest" + std::string(server_.has_interface_id
                                                           ? " as " + server_.interface_type.to_string()
                                                           : std::string()));
  return status::kSuccess;
}

Status Channel::accept_guest_open(Peer& guest, ring::RingMemory guest_to_host, ring::RingMemory host_to_guest) {
  if (!offered()) return status::kInvalidDeviceState;
  trace("the guest opens the offer");
  return connect_and_open(guest, guest_to_host, host_to_guest, server_.interface_instance, /*peer_rolls_back=*/true);
}

void Channel::peer_destroyed(std::unique_ptr<ring::FlatRingMemory> guest_to_host,
                             std::unique_ptr<ring::FlatRingMemory> host_to_guest) {
  in_mem_ = std::move(guest_to_host);
  out_mem_ = std::move(host_to_guest);
  peer_ = nullptr;
  host_closed(false);
}

}  // namespace vmbsim

namespace vmbsim {

void Channel::guest_gpadl_created(uint32_t handle, std::vector<ring::GpaRange> ranges, bool read_only) {
  MappedGpadl g;
  g.ranges = std::move(ranges);
  g.read_only = read_only;
  guest_gpadls_[handle] = std::move(g);
}

bool Channel::guest_gpadl_deleted(uint32_t handle) {
  auto it = guest_gpadls_.find(handle);
  if (it == guest_gpadls_.end()) return true;
  if (it->second.mapped) {
    it->second.delete_pending = true;
    return false;
  }
  guest_gpadls_.erase(it);
  return true;
}

bool Channel::server_gpadl_mapped(uint32_t handle) const {
  auto it = guest_gpadls_.find(handle);
  return it != guest_gpadls_.end() && it->second.mapped;
}

Status Channel::map_gpadl(uint32_t flags, uint32_t handle, const std::vector<ring::GpaRange>** ranges) {
  const char* call = "VmbChannelMapGpadl";
  *ranges = nullptr;
  if (!is_server_) {
    violation(3, call, "", "server-only function called on a client channel");
    return status::kInvalidParameter1;
  }
  if (!check_passive(call, true)) return status::kInvalidDeviceState;
  char name[32];
  std::snprintf(name, sizeof(name), "GPADL %#x", handle);
  if (flags & ~0x1u) {
    violation(10, call, name, "flag bits outside VMBUS_CHANNEL_GPADL_FLAGS");
    return status::kInvalidParameter2;
  }
  auto it = guest_gpadls_.find(handle);
  if (it == guest_gpadls_.end() || it->second.delete_pending) {
    // A warning, not an error: the handle comes from the guest's protocol, and a hostile guest
    // can name any number. What a VSP must do is handle the failure (docs/decisions.md).
    sim_.verifier().violation(30, call, id_, name, "the guest has not created this GPADL, or has deleted it; map refused",
                              sim_.now(), /*warning_only=*/true);
    return status::kInvalidParameter;
  }
  if (it->second.mapped) {
    violation(31, call, name, "already mapped: one mapping per GPADL at a time");
    return status::kDeviceBusy;
  }
  if (it->second.read_only && !(flags & 0x1u)) {
    // Rule 32: a write mapping of a read-only GPADL must fail; that is the documented outcome.
    sim_.verifier().violation(32, call, id_, name, "write mapping of a read-only GPADL refused", sim_.now(),
                              /*warning_only=*/true);
    return status::kAccessDenied;
  }
  it->second.mapped = true;
  *ranges = &it->second.ranges;
  return status::kSuccess;
}

void Channel::set_gpadl_mapping(uint32_t handle, void* mapping, void (*free_mapping)(void*)) {
  auto it = guest_gpadls_.find(handle);
  if (it == guest_gpadls_.end()) return;
  it->second.mapping = mapping;
  it->second.free_mapping = free_mapping;
}

void Channel::drop_guest_gpadls() {
  for (auto& g : guest_gpadls_) {
    if (!g.second.mapped) continue;
    char name[32];
    std::snprintf(name, sizeof(name), "GPADL %#x", g.first);
    violation(34, "channel close", name, "the server never unmapped this GPADL");
    if (g.second.free_mapping) g.second.free_mapping(g.second.mapping);
  }
  guest_gpadls_.clear();
}

void* Channel::unmap_gpadl(uint32_t handle) {
  const char* call = "VmbChannelUnmapGpadl";
  char name[32];
  std::snprintf(name, sizeof(name), "GPADL %#x", handle);
  if (!is_server_) {
    violation(3, call, "", "server-only function called on a client channel");
    return nullptr;
  }
  auto it = guest_gpadls_.find(handle);
  if (it == guest_gpadls_.end() || !it->second.mapped) {
    violation(33, call, name, "the GPADL is not mapped");
    return nullptr;
  }
  void* mapping = it->second.mapping;
  it->second.mapped = false;
  it->second.mapping = nullptr;
  if (it->second.delete_pending) guest_gpadls_.erase(it);
  return mapping;
}

}  // namespace vmbsim
