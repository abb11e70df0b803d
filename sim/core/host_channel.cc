#include "sim/core/host_channel.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "sim/core/channel.h"
#include "sim/core/device.h"
#include "sim/core/simulation.h"

namespace vmbsim {

HostChannel::HostChannel(Simulation& sim, Device& device) : sim_(sim), device_(device) {}

HostPacket HostChannel::take_packet() {
  assert(!inbox_.empty());
  HostPacket p = std::move(inbox_.front());
  inbox_.pop_front();
  return p;
}

GuestCompletion HostChannel::take_completion() {
  assert(!completions_inbox_.empty());
  GuestCompletion c = std::move(completions_inbox_.front());
  completions_inbox_.pop_front();
  return c;
}

Status HostChannel::guest_open(Channel& guest, ring::RingMemory guest_to_host,
                               ring::RingMemory host_to_guest) {
  if (rescinded_) return status::kDeviceRemoved;
  if (guest_ != nullptr) return status::kDeviceBusy;
  if (fail_open_status_ != status::kSuccess) {
    Status s = fail_open_status_;
    fail_open_status_ = status::kSuccess;
    return s;
  }
  guest_ = &guest;
  g2h_ = guest_to_host;
  h2g_ = host_to_guest;
  reader_ = std::make_unique<ring::RingReader>(g2h_);
  writer_ = std::make_unique<ring::RingWriter>(h2g_);
  return status::kSuccess;
}

void HostChannel::guest_closed() {
  guest_ = nullptr;
  gpadls_.clear();
  reader_.reset();
  writer_.reset();
  write_queue_.clear();
  status_overrides_.clear();
  g2h_ = {};
  h2g_ = {};
  dead_reported_ = false;
}

void HostChannel::guest_signal() {
  if (service_posted_) return;
  service_posted_ = true;
  sim_.scheduler().post<&HostChannel::service>(this);
}

void HostChannel::guest_ring_space() {
  sim_.scheduler().post<&HostChannel::flush_writes>(this);
}

void HostChannel::service() {
  service_posted_ = false;
  if (!guest_ || !draining_ || !reader_) return;
  // The guest runs on this thread and never writes while we drain, so no interrupt_mask
  // protocol is needed (see Channel::drain_ring).
  for (;;) {
    ring::ReadStatus rs = reader_->read(scratch_);
    if (rs == ring::ReadStatus::Empty) break;
    if (rs == ring::ReadStatus::Dead) {
      if (!dead_reported_) {
        dead_reported_ = true;
        sim_.verifier().diagnostic(Diagnostic::PeerError, "host ring read", guest_->id(), device_.offer().name,
                                   "guest-to-host ring is corrupt: " + reader_->error().describe(), sim_.now());
      }
      return;
    }
    if (scratch_.type() == ring::PacketType::Completion) {
      ++stats_.completions_received;
      GuestCompletion c{scratch_.descriptor.transaction_id,
                        std::vector<uint8_t>(scratch_.payload(), scratch_.payload() + scratch_.payload_size())};
      if (sim_.log_packets())
        sim_.log().debug("host ch{} <- guest completion txid={:#x} len={}", guest_->id(), c.transaction_id,
                         c.payload.size());
      if (completion_handler_)
        completion_handler_(*this, c);
      else
        completions_inbox_.push_back(std::move(c));
    } else {
      ++stats_.packets_received;
      current_.type = scratch_.descriptor.type;
      current_.flags = scratch_.descriptor.flags;
      current_.transaction_id = scratch_.descriptor.transaction_id;
      current_.payload.assign(scratch_.payload(), scratch_.payload() + scratch_.payload_size());
      current_.ranges.clear();
      if (scratch_.type() == ring::PacketType::DataUsingGpaDirect) {
        std::string error;
        if (!ring::parse_gpa_ranges(scratch_.header_ext(), scratch_.header_ext_size(), current_.ranges, error))
          sim_.verifier().diagnostic(Diagnostic::PeerError, "host ring read", guest_->id(), device_.offer().name,
                                     "malformed GPA-direct packet from the guest: " + error, sim_.now());
      }
      if (sim_.log_packets())
        sim_.log().debug("host ch{} <- guest packet type={} flags={:#x} txid={:#x} len={}", guest_->id(),
                         current_.type, current_.flags, current_.transaction_id, current_.payload.size());
      if (packet_handler_)
        packet_handler_(*this, current_);
      else
        inbox_.push_back(current_);
    }
    // A handler may have closed the channel or stopped draining.
    if (!guest_ || !draining_) break;
  }
  if (reader_ && reader_->commit() && guest_) guest_->host_ring_space();
}

uint64_t HostPacket::external_size() const {
  uint64_t n = 0;
  for (const ring::GpaRange& r : ranges) n += r.byte_count;
  return n;
}

namespace {
// Splits [offset, offset + len) of a packet's external data into per-range pieces.
template <typename Fn>
bool for_each_range_piece(const HostPacket& p, uint64_t offset, size_t len, Fn&& fn) {
  if (offset > p.external_size() || len > p.external_size() - offset) return false;
  size_t done = 0;
  for (const ring::GpaRange& r : p.ranges) {
    if (done == len) break;
    if (offset >= r.byte_count) {
      offset -= r.byte_count;
      continue;
    }
    size_t n = static_cast<size_t>(std::min<uint64_t>(r.byte_count - offset, len - done));
    if (!fn(r, offset, done, n)) return false;
    done += n;
    offset = 0;
  }
  return done == len;
}
}  // namespace

bool HostChannel::read_external(const HostPacket& packet, uint64_t offset, void* dst, size_t len) const {
  const GuestMemory& mem = sim_.guest_memory();
  // Check the whole window first so that a refused read copies nothing.
  bool ok = for_each_range_piece(packet, offset, len, [&](const ring::GpaRange& r, uint64_t off, size_t, size_t n) {
    return mem.accessible(r, off, n);
  });
  if (!ok) return false;
  return for_each_range_piece(packet, offset, len, [&](const ring::GpaRange& r, uint64_t off, size_t at, size_t n) {
    return mem.read(r, off, static_cast<uint8_t*>(dst) + at, n);
  });
}

bool HostChannel::write_external(const HostPacket& packet, uint64_t offset, const void* src, size_t len) {
  GuestMemory& mem = sim_.guest_memory();
  bool ok = for_each_range_piece(packet, offset, len, [&](const ring::GpaRange& r, uint64_t off, size_t, size_t n) {
    return mem.accessible(r, off, n);
  });
  if (!ok) return false;
  ok = for_each_range_piece(packet, offset, len, [&](const ring::GpaRange& r, uint64_t off, size_t at, size_t n) {
    return mem.write(r, off, static_cast<const uint8_t*>(src) + at, n);
  });
  // Host writes are legitimate: the guest's buffer check (rule 48) starts again from here.
  if (ok && guest_ && packet.transaction_id != 0) guest_->host_wrote_external(packet.transaction_id);
  return ok;
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

void HostChannel::set_draining(bool draining) {
  draining_ = draining;
  if (draining && guest_) guest_signal();
}

void HostChannel::complete(uint64_t transaction_id, const void* data, uint32_t size, Status status) {
  if (!guest_) {
    sim_.log().warn("host {}: complete(txid={:#x}) on a closed channel ignored", device_.offer().name,
                    transaction_id);
    return;
  }
  if (status != status::kSuccess) {
    status_overrides_[transaction_id] = status;
    size = 0;
  }
  ++stats_.completions_sent;
  write_or_queue(ring::PacketType::Completion, 0, transaction_id, nullptr, 0, data, size);
}

void HostChannel::complete_after(VirtualTime delay_ns, uint64_t transaction_id,
                                 std::vector<uint8_t> data, Status status) {
  sim_.scheduler().post_after(delay_ns, [this, transaction_id, data = std::move(data), status] {
    complete(transaction_id, data, status);
  });
}

uint64_t HostChannel::send(const void* data, uint32_t size, bool completion_requested) {
  if (!guest_) {
    sim_.log().warn("host {}: send on a closed channel ignored", device_.offer().name);
    return 0;
  }
  uint64_t txid = completion_requested ? next_txid_++ : 0;
  ++stats_.packets_sent;
  write_or_queue(ring::PacketType::DataInband, completion_requested ? ring::kFlagCompletionRequested : 0,
                 txid, nullptr, 0, data, size);
  return txid;
}

void HostChannel::send_raw(const ring::OutgoingPacket& p) {
  if (!guest_) return;
  write_or_queue(p.type, p.flags, p.transaction_id, p.header_ext.data, p.header_ext.size,
                 p.payload.data, p.payload.size);
}

void HostChannel::write_or_queue(ring::PacketType type, uint16_t flags, uint64_t txid,
                                 const void* hdr, uint32_t hdr_len, const void* data,
                                 uint32_t len) {
  if (sim_.log_packets())
    sim_.log().debug("host ch{} -> guest type={} flags={:#x} txid={:#x} len={}", guest_->id(),
                     static_cast<int>(type), flags, txid, len);
  if (write_queue_.empty()) {
    ring::OutgoingPacket p;
    p.type = type;
    p.flags = flags;
    p.transaction_id = txid;
    p.header_ext = {hdr, hdr_len};
    p.payload = {data, len};
    ring::WriteResult r = writer_->write(p);
    if (r.status == ring::WriteStatus::Written) {
      if (r.signal) signal_guest();
      return;
    }
    if (r.status == ring::WriteStatus::TooLarge || r.status == ring::WriteStatus::Dead) {
      sim_.log().error("host {}: packet of {} bytes cannot be written ({})", device_.offer().name,
                       len, r.status == ring::WriteStatus::TooLarge ? "larger than the ring" : "ring corrupt");
      return;
    }
  }
  PendingWrite w{type, flags, txid,
                 std::vector<uint8_t>(static_cast<const uint8_t*>(hdr),
                                      static_cast<const uint8_t*>(hdr) + (hdr ? hdr_len : 0)),
                 std::vector<uint8_t>(static_cast<const uint8_t*>(data),
                                      static_cast<const uint8_t*>(data) + (data ? len : 0))};
  write_queue_.push_back(std::move(w));
  flush_writes();
}

void HostChannel::flush_writes() {
  while (guest_ && writer_ && !write_queue_.empty()) {
    const PendingWrite& w = write_queue_.front();
    ring::OutgoingPacket p;
    p.type = w.type;
    p.flags = w.flags;
    p.transaction_id = w.transaction_id;
    p.header_ext = {w.header_ext.data(), static_cast<uint32_t>(w.header_ext.size())};
    p.payload = {w.payload.data(), static_cast<uint32_t>(w.payload.size())};
    ring::WriteResult r = writer_->write(p);
    if (r.status == ring::WriteStatus::Written) {
      if (r.signal) signal_guest();
      write_queue_.pop_front();
      continue;
    }
    if (r.status == ring::WriteStatus::Full) {
      uint32_t need = static_cast<uint32_t>(ring::ring_bytes_for(p.header_ext.size, p.payload.size));
      if (writer_->request_space(need)) continue;
      return;
    }
    sim_.log().error("host {}: dropping a queued packet the ring cannot take", device_.offer().name);
    write_queue_.pop_front();
  }
  if (writer_ && write_queue_.empty()) writer_->clear_pending_send_size();
}

void HostChannel::signal_guest() {
  if (guest_) guest_->host_signal();
}

Status HostChannel::take_status_override(uint64_t transaction_id) {
  auto it = status_overrides_.find(transaction_id);
  if (it == status_overrides_.end()) return status::kSuccess;
  Status s = it->second;
  status_overrides_.erase(it);
  return s;
}

void HostChannel::close() {
  if (!guest_) return;
  sim_.add_trace("host: " + device_.offer().name + " closes the channel");
  guest_->host_closed(false);
}

void HostChannel::rescind() {
  if (rescinded_) return;
  rescinded_ = true;
  sim_.add_trace("host: " + device_.offer().name + " rescinds the offer");
  if (guest_) guest_->host_closed(true);
}

}  // namespace vmbsim
