#include "sim/core/endpoint.h"

#include "sim/ring/ring_layout.h"

#include <algorithm>
#include <cassert>

#include "sim/core/channel.h"
#include "sim/core/simulation.h"

namespace vmbsim {

Endpoint::Endpoint(Simulation& sim, std::string name) : sim_(sim), name_(std::move(name)) {}

Endpoint::~Endpoint() = default;

HostPacket Endpoint::take_packet() {
  assert(!inbox_.empty());
  HostPacket p = std::move(inbox_.front());
  inbox_.pop_front();
  return p;
}

GuestCompletion Endpoint::take_completion() {
  assert(!completions_inbox_.empty());
  GuestCompletion c = std::move(completions_inbox_.front());
  completions_inbox_.pop_front();
  return c;
}

void Endpoint::connect(Channel& channel, ring::RingMemory incoming, ring::RingMemory outgoing) {
  channel_ = &channel;
  reader_ = std::make_unique<ring::RingReader>(incoming);
  writer_ = std::make_unique<ring::RingWriter>(outgoing);
  read_mem_ = incoming;
  write_mem_ = outgoing;
  dead_reported_ = false;
}

bool Endpoint::corrupt_index(bool driver_outgoing, uint32_t value) {
  if (channel_ == nullptr) return false;
  ring::RingMemory m = driver_outgoing ? read_mem_ : write_mem_;
  std::memcpy(m.control + (driver_outgoing ? ring::kReadIndexOffset : ring::kWriteIndexOffset), &value, sizeof value);
  channel_->host_signal();
  return true;
}

void Endpoint::disconnect() {
  channel_ = nullptr;
  parked_ = false;
  reader_.reset();
  writer_.reset();
  read_mem_ = {};
  write_mem_ = {};
  write_queue_.clear();
  status_overrides_.clear();
}

void Endpoint::park_connection() {
  channel_ = nullptr;
  parked_ = true;
}

void Endpoint::resume_connection(Channel& channel) {
  channel_ = &channel;
  parked_ = false;
  flush_writes();
  signal_channel();
  channel_signaled();  // read whatever the old channel wrote that is still unread
}

void Endpoint::channel_signaled() {
  if (service_posted_) return;
  service_posted_ = true;
  sim_.scheduler().post<&Endpoint::service>(this);
}

void Endpoint::channel_ring_space() { sim_.scheduler().post<&Endpoint::flush_writes>(this); }

void Endpoint::peer_error(const std::string& what) {
  sim_.verifier().diagnostic(Diagnostic::PeerError, name_ + " ring read", channel_ ? channel_->id() : 0, name_, what,
                             sim_.now());
}

void Endpoint::service() {
  service_posted_ = false;
  if (!channel_ || !draining_ || paused_ || !reader_) return;
  // The driver runs on this thread and never writes while we drain, so no interrupt_mask
  // protocol is needed (see Channel::drain_ring).
  for (;;) {
    ring::ReadStatus rs = reader_->read(scratch_);
    if (rs == ring::ReadStatus::Empty) break;
    if (rs == ring::ReadStatus::Dead) {
      if (!dead_reported_) {
        dead_reported_ = true;
        peer_error("the ring the driver writes is corrupt: " + reader_->error().describe());
      }
      return;
    }
    if (scratch_.type() == ring::PacketType::Completion) {
      ++stats_.completions_received;
      GuestCompletion c{scratch_.descriptor.transaction_id,
                        std::vector<uint8_t>(scratch_.payload(), scratch_.payload() + scratch_.payload_size())};
      if (sim_.log_packets())
        sim_.log().debug("{} ch{} <- completion txid={:#x} len={}", name_, channel_->id(), c.transaction_id,
                         c.payload.size());
      completion_read(c.transaction_id);
      if (observer_) observer_->completion_read(*this, c);
      if (completion_fn_)
        completion_fn_(c);
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
          peer_error("malformed GPA-direct packet from the driver: " + error);
      }
      if (sim_.log_packets())
        sim_.log().debug("{} ch{} <- packet type={} flags={:#x} txid={:#x} len={}", name_, channel_->id(),
                         current_.type, current_.flags, current_.transaction_id, current_.payload.size());
      if (observer_) observer_->packet_read(*this, current_);
      if (packet_fn_)
        packet_fn_(current_);
      else
        inbox_.push_back(current_);
    }
    // A handler may have closed the channel, stopped draining or paused.
    if (!channel_ || !draining_ || paused_) break;
  }
  if (reader_ && reader_->commit() && channel_) channel_->host_ring_space();
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

bool Endpoint::read_external(const HostPacket& packet, uint64_t offset, void* dst, size_t len) const {
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

bool Endpoint::write_external(const HostPacket& packet, uint64_t offset, const void* src, size_t len) {
  GuestMemory& mem = sim_.guest_memory();
  bool ok = for_each_range_piece(packet, offset, len, [&](const ring::GpaRange& r, uint64_t off, size_t, size_t n) {
    return mem.accessible(r, off, n);
  });
  if (!ok) return false;
  ok = for_each_range_piece(packet, offset, len, [&](const ring::GpaRange& r, uint64_t off, size_t at, size_t n) {
    return mem.write(r, off, static_cast<const uint8_t*>(src) + at, n);
  });
  // Peer writes are legitimate: the driver's buffer check (rule 48) starts again from here.
  if (ok && channel_ && packet.transaction_id != 0) channel_->host_wrote_external(packet.transaction_id);
  return ok;
}

void Endpoint::set_draining(bool draining) {
  if (observer_ && draining != draining_) observer_->draining_changed(*this, draining);
  draining_ = draining;
  if (draining && channel_) channel_signaled();
}

void Endpoint::set_paused(bool paused) {
  if (paused == paused_) return;
  if (observer_) observer_->paused_changed(*this, paused);
  paused_ = paused;
  if (paused) return;
  // Held writes go out first, in order (signalling the driver as a write into an empty ring
  // does); then whatever the driver wrote meanwhile is read.
  flush_writes();
  if (channel_) channel_signaled();
}

void Endpoint::complete(uint64_t transaction_id, const void* data, uint32_t size, Status status) {
  if (!connected()) {
    sim_.log().warn("{}: complete(txid={:#x}) on a closed channel ignored", name_, transaction_id);
    return;
  }
  if (status != status::kSuccess) {
    status_overrides_[transaction_id] = status;
    size = 0;
  }
  ++stats_.completions_sent;
  if (observer_)
    observer_->completed(*this, transaction_id,
                         std::vector<uint8_t>(static_cast<const uint8_t*>(data),
                                              static_cast<const uint8_t*>(data) + (data ? size : 0)),
                         status);
  write_or_queue(ring::PacketType::Completion, 0, transaction_id, nullptr, 0, data, size);
}

void Endpoint::complete_after(VirtualTime delay_ns, uint64_t transaction_id, std::vector<uint8_t> data,
                              Status status) {
  sim_.scheduler().post_after(delay_ns, [this, transaction_id, data = std::move(data), status] {
    complete(transaction_id, data, status);
  });
}

uint64_t Endpoint::send(const void* data, uint32_t size, bool completion_requested) {
  if (!connected()) {
    sim_.log().warn("{}: send on a closed channel ignored", name_);
    return 0;
  }
  uint64_t txid = completion_requested ? next_txid_++ : 0;
  ++stats_.packets_sent;
  if (observer_)
    observer_->sent(*this, txid,
                    std::vector<uint8_t>(static_cast<const uint8_t*>(data),
                                         static_cast<const uint8_t*>(data) + (data ? size : 0)),
                    completion_requested);
  write_or_queue(ring::PacketType::DataInband, completion_requested ? ring::kFlagCompletionRequested : 0, txid,
                 nullptr, 0, data, size);
  return txid;
}

uint64_t Endpoint::send_with_ranges(const void* data, uint32_t size, const std::vector<ring::GpaRange>& ranges) {
  if (!connected()) return 0;
  std::vector<uint8_t> header;
  ring::encode_gpa_ranges(ranges, header);
  uint64_t txid = next_txid_++;
  ++stats_.packets_sent;
  write_or_queue(ring::PacketType::DataUsingGpaDirect, ring::kFlagCompletionRequested, txid, header.data(),
                 static_cast<uint32_t>(header.size()), data, size);
  return txid;
}

void Endpoint::send_raw(const ring::OutgoingPacket& p) {
  if (!connected()) return;
  if (observer_) observer_->raw_written(*this, p);
  write_or_queue(p.type, p.flags, p.transaction_id, p.header_ext.data, p.header_ext.size, p.payload.data,
                 p.payload.size);
}

bool Endpoint::write_malformed(const void* bytes, uint32_t size) {
  // Behind queued (or paused) writes it would overtake them; a hostile peer just skips the write.
  bool written = false;
  if (writer_ && write_queue_.empty() && !paused_) {
    ring::WriteResult r = writer_->write_raw(ring::ConstBytes{bytes, size});
    written = r.status == ring::WriteStatus::Written;
    if (written && r.signal) signal_channel();
  }
  if (observer_ && connected()) observer_->malformed_written(*this, static_cast<const uint8_t*>(bytes), size, written);
  return written;
}

void Endpoint::write_or_queue(ring::PacketType type, uint16_t flags, uint64_t txid, const void* hdr,
                              uint32_t hdr_len, const void* data, uint32_t len) {
  if (sim_.log_packets())
    sim_.log().debug("{} ch{} -> type={} flags={:#x} txid={:#x} len={}", name_, channel_ ? channel_->id() : 0,
                     static_cast<int>(type), flags, txid, len);
  if (write_queue_.empty() && !paused_) {
    ring::OutgoingPacket p;
    p.type = type;
    p.flags = flags;
    p.transaction_id = txid;
    p.header_ext = {hdr, hdr_len};
    p.payload = {data, len};
    ring::WriteResult r = writer_->write(p);
    if (r.status == ring::WriteStatus::Written) {
      if (r.signal) signal_channel();
      return;
    }
    if (r.status == ring::WriteStatus::TooLarge || r.status == ring::WriteStatus::Dead) {
      sim_.log().error("{}: packet of {} bytes cannot be written ({})", name_, len,
                       r.status == ring::WriteStatus::TooLarge ? "larger than the ring" : "ring corrupt");
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

void Endpoint::flush_writes() {
  if (paused_) return;  // held until set_paused(false)
  while (writer_ && !write_queue_.empty()) {
    const PendingWrite& w = write_queue_.front();
    ring::OutgoingPacket p;
    p.type = w.type;
    p.flags = w.flags;
    p.transaction_id = w.transaction_id;
    p.header_ext = {w.header_ext.data(), static_cast<uint32_t>(w.header_ext.size())};
    p.payload = {w.payload.data(), static_cast<uint32_t>(w.payload.size())};
    ring::WriteResult r = writer_->write(p);
    if (r.status == ring::WriteStatus::Written) {
      if (r.signal) signal_channel();
      write_queue_.pop_front();
      continue;
    }
    if (r.status == ring::WriteStatus::Full) {
      uint32_t need = static_cast<uint32_t>(ring::ring_bytes_for(p.header_ext.size, p.payload.size));
      if (writer_->request_space(need)) continue;
      return;
    }
    sim_.log().error("{}: dropping a queued packet the ring cannot take", name_);
    write_queue_.pop_front();
  }
  if (writer_ && write_queue_.empty()) writer_->clear_pending_send_size();
}

void Endpoint::signal_channel() {
  if (channel_) channel_->host_signal();
}

Status Endpoint::take_status_override(uint64_t transaction_id) {
  auto it = status_overrides_.find(transaction_id);
  if (it == status_overrides_.end()) return status::kSuccess;
  Status s = it->second;
  status_overrides_.erase(it);
  return s;
}

}  // namespace vmbsim
