// Channel: GPADLs created by the client driver (kmcl-api.md §1.7, §3.6, rules 24-29, 34).
#include <cstdio>

#include "sim/core/channel.h"
#include "sim/core/device.h"
#include "sim/core/simulation.h"

namespace vmbsim {

bool Channel::gpadl_window_open() const {
  // From the start of EvtChannelOpened until EvtChannelClosed returns (rule 26).
  CallbackKind kind;
  if (in_callback_of_this_channel(&kind) && (kind == CallbackKind::Opened || kind == CallbackKind::Closed)) return true;
  return conn_ == ConnState::Opened || conn_ == ConnState::Closing;
}

Status Channel::add_gpadl(const char* call, uint32_t flags, std::vector<ring::GpaRange> ranges, uint32_t* handle) {
  if (is_server_)  // Q22: allowed, but GPADLs describe a client's memory
    sim_.verifier().violation(27, call, id_, describe(), "GPADL created on a server channel", sim_.now());
  uint32_t h = next_gpadl_++;
  if (h == 0) h = next_gpadl_++;
  GpadlRecord rec{std::move(ranges), (flags & kGpadlReadOnly) != 0};
  for (const ring::GpaRange& r : rec.ranges) sim_.guest_memory().pin(r);
  if (peer_) peer_->gpadl_created(h, rec.ranges, rec.read_only);
  gpadls_.emplace(h, std::move(rec));
  *handle = h;
  sim_.log().info("{}: {} created GPADL {:#x}", describe(), call, h);
  return status::kSuccess;
}

Status Channel::check_gpadl_create(const char* call, uint32_t flags) {
  if (cleaned_) {
    violation(6, call, "", "channel used after VmbChannelCleanup");
    return status::kInvalidParameter1;
  }
  if (!check_passive(call, true)) return status::kInvalidDeviceState;
  if (flags & ~kGpadlReadOnly) {
    violation(10, call, "", "flag bits outside VMBUS_CHANNEL_GPADL_FLAGS");
    return status::kInvalidParameter2;
  }
  return status::kSuccess;
}

Status Channel::create_gpadl_from_buffer(uint32_t flags, const void* buffer, uint32_t byte_count, uint32_t* handle) {
  const char* call = "VmbChannelCreateGpadlFromBuffer";
  if (handle) *handle = 0;
  Status s = check_gpadl_create(call, flags);
  if (!succeeded(s)) return s;
  if (buffer == nullptr || byte_count == 0) {
    violation(29, call, "", "Buffer is NULL or ByteCount is 0");
    return byte_count == 0 ? status::kInvalidParameter4 : status::kInvalidParameter3;
  }
  if (handle == nullptr) return status::kInvalidParameter5;
  if (!gpadl_window_open()) {
    violation(26, call, "", std::string("GPADL created while the channel is ") + to_string(conn_) +
                                " (allowed from EvtChannelOpened until EvtChannelClosed returns)");
    return status::kInvalidDeviceState;
  }
  std::vector<ring::GpaRange> ranges;
  ranges.push_back(sim_.guest_memory().describe(buffer, byte_count));
  return add_gpadl(call, flags, std::move(ranges), handle);
}

Status Channel::create_gpadl_from_chain(uint32_t flags, const MemoryDescriptor* chain, size_t chain_length,
                                        uint32_t offset, uint32_t length, uint32_t* handle) {
  const char* call = "VmbChannelCreateGpadlFromMdl";
  if (handle) *handle = 0;
  Status s = check_gpadl_create(call, flags);
  if (!succeeded(s)) return s;
  if (chain_length == 0) {
    violation(29, call, "", "Mdl is NULL");
    return status::kInvalidParameter3;
  }
  if (handle == nullptr) return status::kInvalidParameter6;
  uint64_t chain_bytes = 0;
  for (size_t i = 0; i < chain_length; ++i) chain_bytes += chain[i].byte_count;
  uint64_t len = length ? length : (offset < chain_bytes ? chain_bytes - offset : 0);
  if (len == 0 || uint64_t{offset} + len > chain_bytes) {
    violation(29, call, "", "StartOffsetWithinMdl + DataLengthWithinMdl = " + std::to_string(uint64_t{offset} + len) +
                                " is beyond the " + std::to_string(chain_bytes) + "-byte MDL chain");
    return length ? status::kInvalidParameter5 : status::kInvalidParameter4;
  }
  if (!gpadl_window_open()) {
    violation(26, call, "", std::string("GPADL created while the channel is ") + to_string(conn_) +
                                " (allowed from EvtChannelOpened until EvtChannelClosed returns)");
    return status::kInvalidDeviceState;
  }
  std::vector<ring::GpaRange> ranges;
  ranges_for_window(chain, chain_length, offset, len, ranges);
  for (const ring::GpaRange& r : ranges)
    for (uint64_t pfn : r.pfns)
      if (!sim_.guest_memory().known(pfn)) {
        violation(10, call, "", "the MDL's pages are not guest memory (was it built with MmBuildMdlForNonPagedPool?)");
        return status::kInvalidParameter3;
      }
  return add_gpadl(call, flags, std::move(ranges), handle);
}

void Channel::drop_gpadl(uint32_t handle) {
  auto it = gpadls_.find(handle);
  if (it == gpadls_.end()) return;
  for (const ring::GpaRange& r : it->second.ranges) sim_.guest_memory().unpin(r);
  if (peer_) peer_->gpadl_deleted(handle);
  gpadls_.erase(it);
}

void Channel::delete_gpadl(uint32_t handle) {
  const char* call = "VmbChannelDeleteGpadl";
  if (cleaned_) {
    violation(6, call, "", "channel used after VmbChannelCleanup");
    return;
  }
  char name[32];
  std::snprintf(name, sizeof(name), "GPADL %#x", handle);
  if (gpadls_.find(handle) == gpadls_.end()) {
    violation(28, call, name, "unknown or already deleted GPADL handle");
    return;
  }
  if (!check_passive(call, true)) return;
  if (is_server_) sim_.verifier().violation(27, call, id_, name, "GPADL deleted on a server channel", sim_.now());
  // The delete waits while the host still maps the GPADL (§3.6.3).
  if (peer_ && peer_->gpadl_mapped(handle)) {
    auto r = sim_.scheduler().run_until([this, handle] { return !peer_ || !peer_->gpadl_mapped(handle); }, std::nullopt);
    if (r != Scheduler::WaitResult::Satisfied) {
      sim_.verifier().violation(34, call, id_, name, "the host never unmaps this GPADL; the delete would wait forever",
                                sim_.now());
      sim_.verifier().diagnostic(Diagnostic::Hang, call, id_, name,
                                 "VmbChannelDeleteGpadl could never return; returning instead of hanging", sim_.now());
    }
  }
  drop_gpadl(handle);
  sim_.log().info("{}: deleted GPADL {:#x}", describe(), handle);
}

}  // namespace vmbsim
