// Channel data path, outgoing direction: packet objects, sends, queueing when the ring is
// full, transactions and their completion routines, synchronous requests (kmcl-api.md §1.5).
#include <algorithm>
#include <cstring>
#include <memory>

#include "sim/core/channel.h"
#include "sim/core/device.h"
#include "sim/core/simulation.h"

namespace vmbsim {

namespace {
constexpr uint8_t kPoison = 0xDD;  // freed buffers are filled with this (rule 60 help)

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Pools: objects are reused FIFO after a quarantine, and never freed before the simulation.

Packet* Channel::take_packet(Packet::Origin origin) {
  Packet* p;
  if (free_packets_.size() > sim_.options().handle_quarantine) {
    p = packets_[free_packets_.pop()].get();
  } else {
    packets_.push_back(std::make_unique<Packet>());
    p = packets_.back().get();
    p->channel_ = this;
    p->index_ = static_cast<uint32_t>(packets_.size() - 1);
    p->payload_.reserve(max_packet_size_ ? max_packet_size_ : sim_.options().default_max_packet_size);
  }
  p->id_ = sim_.next_object_id();
  p->origin_ = origin;
  p->state_ = Packet::State::Idle;
  p->routine_kind_ = origin == Packet::Origin::Initialized ? Packet::Routine::Unset : Packet::Routine::Default;
  p->routine_ = nullptr;
  p->pointer_ = nullptr;
  p->init_buffer_ = nullptr;
  p->sync_done_ = false;
  p->abandoned_ = false;
  p->sent_since_allocation_ = false;
  p->restored_ = false;
  if (sim_.tracing())
    sim_.emit(TraceKind::ObjectBegin, id_, p->id_, "packet", p->describe(),
              origin == Packet::Origin::Internal ? "synchronous request" : "");
  return p;
}

void Channel::release_packet(Packet& p) {
  end_external(p);
  if (sim_.tracing()) sim_.emit(TraceKind::ObjectEnd, id_, p.id_, "packet", "free");
  p.state_ = Packet::State::Free;
  if (p.payload_copied_) std::memset(p.payload_.data(), kPoison, p.payload_len_);
  p.payload_copied_ = false;
  p.payload_len_ = 0;
  free_packets_.push(p.index_);
}

// ---------------------------------------------------------------------------------------------
// Packet objects

Packet* Channel::allocate_packet() {
  if (cleaned_) {
    violation(6, "VmbPacketAllocate", "", "channel used after VmbChannelCleanup");
    return nullptr;
  }
  if (sim_.take_allocation_failure()) {
    sim_.log().info("{}: VmbPacketAllocate fails (injected)", describe());
    return nullptr;
  }
  sim_.note_allocation_success();
  return take_packet(Packet::Origin::Allocated);
}

Status Channel::initialize_packet(void* buffer, uint32_t size, void** handle) {
  const char* call = "VmbPacketInitialize";
  if (cleaned_) {
    violation(6, call, "", "channel used after VmbChannelCleanup");
    return status::kInvalidParameter1;
  }
  if (buffer == nullptr) {
    violation(10, call, "", "VmbPacket buffer is NULL");
    return status::kInvalidParameter2;
  }
  Packet* existing = Packet::from_handle(buffer);
  if (existing && existing->origin_ == Packet::Origin::Allocated) {
    violation(36, call, existing->describe(), "VmbPacketInitialize on a packet that came from VmbPacketAllocate");
    return status::kInvalidParameter2;
  }
  if (size < sizeof_packet()) {
    violation(37, call, "", "ByteCount " + std::to_string(size) + " < VmbChannelSizeofPacket() = " +
                                std::to_string(sizeof_packet()));
    return status::kInvalidParameter3;
  }
  Packet* p = existing;
  if (p) {
    if (p->state_ != Packet::State::Idle && p->state_ != Packet::State::Free) {
      violation(42, call, p->describe(), "re-initialised while its transaction is pending");
      return status::kInvalidParameter2;
    }
    if (&p->channel() != this) {
      // The same memory now serves another channel: retire the old object.
      p->channel_->release_packet(*p);
      p = nullptr;
    }
  }
  if (!p) p = take_packet(Packet::Origin::Initialized);
  p->state_ = Packet::State::Idle;
  p->routine_kind_ = Packet::Routine::Unset;
  p->routine_ = nullptr;
  p->init_buffer_ = buffer;
  // The caller's memory holds only {magic, Packet*}; the object itself lives in our pool.
  uint64_t magic = Packet::kInitMagic;
  std::memcpy(buffer, &magic, sizeof(magic));
  std::memcpy(static_cast<uint8_t*>(buffer) + sizeof(magic), &p, sizeof(p));
  *handle = buffer;
  return status::kSuccess;
}

void Channel::free_packet(Packet& p) {
  const char* call = "VmbPacketFree";
  switch (p.state_) {
    case Packet::State::Free:
      violation(40, call, p.describe(), "double free (the default completion routine frees sent packets)");
      return;
    case Packet::State::Queued:
    case Packet::State::AwaitingCompletion:
    case Packet::State::CompletionPending:
      violation(41, call, p.describe(), "freed while its send is pending (before its completion routine ran)");
      return;
    case Packet::State::Idle:
      break;
  }
  if (p.origin_ != Packet::Origin::Allocated) {
    violation(39, call, p.describe(), "packet came from VmbPacketInitialize; its memory belongs to the caller");
    return;
  }
  release_packet(p);
}

bool Channel::check_live(Packet& p, const char* call) {
  if (p.state_ != Packet::State::Free) return true;
  // The object sits in quarantine, so the handle still resolves: a driver reading its context
  // back after the free (e.g. to log which request failed) is caught here.
  violation(2, call, p.describe(), "packet handle is freed");
  return false;
}

void Channel::set_completion_routine(Packet& p, OpaqueFn routine) {
  const char* call = "VmbPacketSetCompletionRoutine";
  if (p.state_ == Packet::State::Free) {
    violation(2, call, p.describe(), "packet handle is freed");
    return;
  }
  // A restored packet's transaction is already pending, but it has not gone anywhere yet: its
  // VSP may still set the routine until the channel is enabled.
  bool restoring = p.restored_ && !ever_enabled_ && p.state_ != Packet::State::Free;
  if (p.state_ != Packet::State::Idle && !restoring) {
    violation(42, call, p.describe(), "completion routine changed while the transaction is pending");
    return;
  }
  if (routine == nullptr) {
    violation(10, call, p.describe(), "CompletionRoutine is NULL");
    return;
  }
  p.routine_ = routine;
  p.routine_kind_ = Packet::Routine::Driver;
}

// ---------------------------------------------------------------------------------------------
// Sending

Status Channel::send(Packet& p, const void* buffer, uint32_t length, const ExternalData* external,
                     uint32_t flags, const char* call) {
  if (p.state_ == Packet::State::Free) {
    violation(2, call, p.describe(), "packet handle is freed");
    return status::kInvalidParameter1;
  }
  if (p.state_ != Packet::State::Idle) {
    violation(42, call, p.describe(), "sent again while its previous transaction is pending");
    return status::kInvalidParameter1;
  }
  if (p.routine_kind_ == Packet::Routine::Unset) {
    violation(38, call, p.describe(), "initialised packet sent before VmbPacketSetCompletionRoutine");
    return status::kInvalidParameter1;
  }
  if (flags & ~send_flag::kMask) {
    violation(45, call, p.describe(), "flag bits " + hex(flags & ~send_flag::kMask) + " outside VMBUS_CHANNEL_FORMAT_FLAGS");
    return status::kInvalidParameter5;
  }
  if ((flags & send_flag::kForceMdlLength) && !(external && external->kind == ExternalData::Kind::MdlRange))
    sim_.verifier().violation(45, call, id_, p.describe(),
                              "FORCE_MDL_LENGTH is meaningful only for VmbPacketSendWithExternalMdl",
                              sim_.now(), /*warning_only=*/true);
  if (buffer == nullptr && length > 0) {
    violation(10, call, p.describe(), "Buffer is NULL with a non-zero BufferLength");
    return status::kInvalidParameter2;
  }
  if (length > max_packet_size_ && max_packet_size_ != 0) {
    violation(46, call, p.describe(), "BufferLength " + std::to_string(length) +
                                          " exceeds the channel maximum packet size " + std::to_string(max_packet_size_));
    return status::kInvalidParameter3;
  }
  if ((flags & send_flag::kPagedBuffer) && sim_.irql() != Irql::Passive)
    violation(47, call, p.describe(), std::string("PAGED_BUFFER at ") + to_string(sim_.irql()));
  if (cleaned_) {
    violation(6, call, p.describe(), "channel used after VmbChannelCleanup");
    return status::kInvalidDeviceState;
  }
  if (suspended_window_) {
    violation(22, call, p.describe(), "send after EvtChannelSuspend and before the next EvtChannelStarted");
    return status::kInvalidDeviceState;
  }
  if (conn_ == ConnState::Disabled && locally_disabled_) return status::kInvalidDeviceState;
  if (external) {
    Status es = prepare_external(p, *external, length, flags, call);
    if (!succeeded(es)) return es;
  } else {
    p.header_ext_.clear();
  }

  // Accepted: from here on the completion routine runs exactly once.
  p.sent_since_allocation_ = true;
  do {
    ++p.generation_;
    p.transaction_id_ = (uint64_t{p.generation_} << 32) | (p.index_ + 1u);
  } while (!restored_txids_.empty() && restored_txids_.count(p.transaction_id_) != 0);
  p.send_flags_ = flags;
  p.wait_for_completion_ = (flags & send_flag::kWaitForCompletion) != 0;
  p.payload_len_ = length;
  if (sim_.log_packets())
    sim_.log().debug("ch{} -> host {} type=6 txid={:#x} send-flags={:#x} len={}", id_, p.describe(), p.transaction_id_,
                     flags, length);
  if (sim_.tracing())
    sim_.emit(TraceKind::ObjectStep, id_, p.id_, "packet", "send",
              "txid " + hex(p.transaction_id_) + ", " + std::to_string(length) + " bytes");

  // Straight from the caller's buffer into the ring when nothing is queued ahead (the common
  // case): the packet keeps a copy only if it has to wait.
  if (conn_ == ConnState::Opened && send_queue_.empty() && !quiesced()) {
    OutItem item{&p, nullptr};
    if (write_item(item, buffer) == WriteOutcome::Written) return status::kSuccess;
  } else if (conn_ != ConnState::Opened && conn_ != ConnState::Closing) {
    sim_.verifier().violation(52, call, id_, p.describe(),
                              std::string("queued, not transmitted: the channel is ") + to_string(conn_),
                              sim_.now());
  }
  // Ring full (pending_send_sz is now set), packets ahead of it, or not open: queue in order,
  // with a copy of the inline buffer (Q15: the caller may reuse it once Send returns).
  if (p.payload_.size() < length) p.payload_.resize(length);
  if (length) std::memcpy(p.payload_.data(), buffer, length);
  p.payload_copied_ = true;
  p.state_ = Packet::State::Queued;
  send_queue_.push_back(OutItem{&p, nullptr});
  return status::kSuccess;
}

Channel::WriteOutcome Channel::write_item(const OutItem& item, const void* direct_payload) {
  ring::OutgoingPacket op;
  if (item.packet) {
    Packet& p = *item.packet;
    op.type = p.header_ext_.empty() ? ring::PacketType::DataInband : ring::PacketType::DataUsingGpaDirect;
    op.flags = p.wait_for_completion_ ? ring::kFlagCompletionRequested : 0;
    op.transaction_id = p.transaction_id_;
    op.header_ext = {p.header_ext_.data(), static_cast<uint32_t>(p.header_ext_.size())};
    op.payload = {direct_payload ? direct_payload : p.payload_.data(), p.payload_len_};
  } else {
    IncomingPacket& c = *item.completion;
    op.type = ring::PacketType::Completion;
    op.flags = 0;
    op.transaction_id = c.transaction_id_;
    op.payload = {c.response_.data(), static_cast<uint32_t>(c.response_.size())};
  }
  ring::WriteResult r = out_writer_->write(op);
  switch (r.status) {
    case ring::WriteStatus::Written:
      if (r.signal) signal_host();
      if (item.packet) {
        Packet& p = *item.packet;
        if (sim_.tracing()) sim_.emit(TraceKind::ObjectStep, id_, p.id_, "packet", "in ring");
        if (p.wait_for_completion_) {
          p.state_ = Packet::State::AwaitingCompletion;
        } else {
          // Without WAIT_FOR_COMPLETION the transaction ends when the packet is in the ring.
          end_external(p);
          p.state_ = Packet::State::CompletionPending;
          p.completion_status_ = status::kSuccess;
          p.completion_bytes_.clear();
          if (p.origin_ == Packet::Origin::Internal && p.abandoned_) {
            release_packet(p);  // a restored fire-and-forget request: nobody waits for it
          } else if (p.origin_ == Packet::Origin::Internal) {
            p.sync_done_ = true;
          } else {
            pending_completions_.push_back(&p);
            post_service();
          }
        }
      } else {
        release_incoming(*item.completion);
      }
      return WriteOutcome::Written;
    case ring::WriteStatus::Full: {
      uint32_t need = static_cast<uint32_t>(ring::ring_bytes_for(op.header_ext.size, op.payload.size));
      // request_space re-checks after publishing pending_send_sz: true means retry now.
      if (out_writer_->request_space(need)) return write_item(item, direct_payload);
      return WriteOutcome::Full;
    }
    case ring::WriteStatus::TooLarge:
    case ring::WriteStatus::Dead:
      if (!ring_dead_reported_) {
        ring_dead_reported_ = true;
        peer_error("guest-to-host ring unusable: " +
                   (r.status == ring::WriteStatus::Dead ? out_writer_->error().describe()
                                                        : std::string("packet larger than the ring")));
      }
      return WriteOutcome::Dead;
  }
  return WriteOutcome::Dead;
}

void Channel::flush_sends() {
  if (conn_ != ConnState::Opened || !out_writer_ || quiesced()) return;
  while (!send_queue_.empty()) {
    OutItem item = send_queue_.front();
    if (write_item(item) != WriteOutcome::Written) return;
    send_queue_.pop_front();
  }
  out_writer_->clear_pending_send_size();
}

void Channel::signal_host() {
  if (peer_) peer_->channel_signaled();
}

// ---------------------------------------------------------------------------------------------
// External data (kmcl-api.md §1.8, §3.7.5-3.7.7)

size_t ranges_for_window(const MemoryDescriptor* chain, size_t chain_length, uint64_t start, uint64_t length,
                         std::vector<ring::GpaRange>& out) {
  // One range per MDL that the window touches.
  uint64_t pos = 0;
  size_t used = 0;
  for (size_t i = 0; i < chain_length && length > 0; ++i) {
    const MemoryDescriptor& m = chain[i];
    uint64_t m_start = pos, m_end = pos + m.byte_count;
    pos = m_end;
    if (start >= m_end) continue;
    uint64_t local = start - m_start;
    uint64_t n = std::min<uint64_t>(length, m.byte_count - local);
    ring::GpaRange r;
    uint64_t first = m.byte_offset + local;
    r.byte_offset = static_cast<uint32_t>(first % GuestMemory::kPageSize);
    r.byte_count = static_cast<uint32_t>(n);
    uint32_t pages = ring::GpaRange::pages_spanned(r.byte_offset, r.byte_count);
    r.pfns.assign(m.pfns + first / GuestMemory::kPageSize, m.pfns + first / GuestMemory::kPageSize + pages);
    out.push_back(std::move(r));
    ++used;
    start += n;
    length -= n;
  }
  return used;
}

Status Channel::prepare_external(Packet& p, const ExternalData& ext, uint32_t inline_length, uint32_t flags,
                                 const char* call) {
  const bool range_call = ext.kind != ExternalData::Kind::Mdl;
  if (range_call && !(flags & send_flag::kWaitForCompletion)) {
    violation(44, call, p.describe(), "external data needs VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION");
    return ext.kind == ExternalData::Kind::Pfns ? status::kInvalidParameter6 : status::kInvalidParameter7;
  }
  GuestMemory& mem = sim_.guest_memory();
  std::vector<ring::GpaRange> ranges;
  uint64_t total = 0;
  if (ext.kind == ExternalData::Kind::Pfns) {
    if (ext.pfn_count == 0 || ext.pfns == nullptr) {
      violation(10, call, p.describe(), "ExternalDataPfns is NULL or PfnLength is 0");
      return status::kInvalidParameter5;
    }
    ring::GpaRange r;
    r.byte_offset = 0;
    r.byte_count = ext.pfn_count * static_cast<uint32_t>(GuestMemory::kPageSize);
    r.pfns.assign(ext.pfns, ext.pfns + ext.pfn_count);
    total = r.byte_count;
    ranges.push_back(std::move(r));
  } else {
    if (ext.chain_length == 0) {
      violation(10, call, p.describe(), "ExternalDataMdl is NULL");
      return status::kInvalidParameter4;
    }
    bool force = ext.kind == ExternalData::Kind::MdlRange && (flags & send_flag::kForceMdlLength);
    uint64_t chain_bytes = 0;
    for (size_t i = 0; i < ext.chain_length; ++i) chain_bytes += ext.chain[i].byte_count;
    uint64_t start = ext.kind == ExternalData::Kind::MdlRange ? ext.offset : 0;
    uint64_t length = ext.kind == ExternalData::Kind::MdlRange && ext.length ? ext.length : chain_bytes - std::min(start, chain_bytes);
    size_t chain_used = ext.chain_length;
    if (force) {
      // FORCE_MDL_LENGTH: MdlLength counts even past ByteCount, up to the first MDL's last page.
      const MemoryDescriptor& m = ext.chain[0];
      uint64_t page_end = (uint64_t{m.byte_offset} + m.byte_count + GuestMemory::kPageSize - 1) /
                          GuestMemory::kPageSize * GuestMemory::kPageSize;
      if (start + length > page_end - m.byte_offset) {
        violation(45, call, p.describe(), "FORCE_MDL_LENGTH: MdlOffset + MdlLength = " + std::to_string(start + length) +
                                              " runs past the page-rounded end of the first MDL");
        return status::kInvalidParameter6;
      }
      // The first MDL, stretched to the end of its last page, is the whole chain.
      MemoryDescriptor stretched = m;
      stretched.byte_count = static_cast<uint32_t>(page_end - m.byte_offset);
      chain_used = ranges_for_window(&stretched, 1, start, length, ranges);
    } else {
      if (start + length > chain_bytes || length == 0) {
        violation(10, call, p.describe(), "MdlOffset/MdlLength [" + std::to_string(start) + ", +" + std::to_string(length) +
                                              ") is outside the " + std::to_string(chain_bytes) + "-byte MDL chain");
        return ext.kind == ExternalData::Kind::MdlRange ? status::kInvalidParameter5 : status::kInvalidParameter4;
      }
      chain_used = ranges_for_window(ext.chain, ext.chain_length, start, length, ranges);
    }
    for (const ring::GpaRange& r : ranges) total += r.byte_count;
    if (max_chain_length_ && chain_used > max_chain_length_) {
      violation(46, call, p.describe(), "external data uses " + std::to_string(chain_used) +
                                            " MDLs; VmbChannelInitSetMaximumExternalData allows " +
                                            std::to_string(max_chain_length_));
      return status::kInvalidParameter4;
    }
  }
  if (max_external_data_ && total > max_external_data_) {
    violation(46, call, p.describe(), std::to_string(total) + " bytes of external data; VmbChannelInitSetMaximumExternalData allows " +
                                          std::to_string(max_external_data_));
    return status::kInvalidParameter4;
  }
  for (const ring::GpaRange& r : ranges)
    for (uint64_t pfn : r.pfns)
      if (!mem.known(pfn)) {
        violation(10, call, p.describe(), "page number " + hex(pfn) +
                                              " is not guest memory (was the MDL built with MmBuildMdlForNonPagedPool?)");
        return status::kInvalidParameter4;
      }
  uint32_t header = ring::gpa_header_size(ranges);
  if (out_writer_ ? ring::ring_bytes_for(header, inline_length) > out_writer_->max_ring_packet_bytes()
                  : header > 65535 * 8u) {
    violation(46, call, p.describe(), "the packet with its " + std::to_string(ranges.size()) +
                                          " GPA ranges cannot fit in the ring");
    return status::kInvalidParameter4;
  }
  // Accepted: pin for the life of the transaction.
  p.ranges_ = std::move(ranges);
  p.header_ext_.clear();
  ring::encode_gpa_ranges(p.ranges_, p.header_ext_);
  for (const ring::GpaRange& r : p.ranges_) mem.pin(r);
  if (sim_.options().external_buffer_check != ExternalBufferCheck::Off) p.ext_checksum_ = external_checksum(p);
  return status::kSuccess;
}

uint64_t Channel::external_checksum(const Packet& p) const {
  uint64_t h = 0;
  bool full = sim_.options().external_buffer_check == ExternalBufferCheck::Full;
  for (const ring::GpaRange& r : p.ranges_) h = h * 31 + sim_.guest_memory().checksum(r, full);
  return h;
}

Packet* Channel::packet_for_transaction(uint64_t txid) const {
  if (!restored_txids_.empty()) {
    // Restored transactions keep the ids the guest knows them by.
    auto it = restored_txids_.find(txid);
    if (it != restored_txids_.end()) {
      Packet* p = it->second;
      bool live = p->state_ == Packet::State::AwaitingCompletion || p->state_ == Packet::State::Queued;
      if (live && p->transaction_id_ == txid) return p;
    }
  }
  uint32_t index = static_cast<uint32_t>(txid & 0xffffffffu);
  uint32_t gen = static_cast<uint32_t>(txid >> 32);
  Packet* p = (index >= 1 && index <= packets_.size()) ? packets_[index - 1].get() : nullptr;
  return p != nullptr && p->generation_ == gen ? p : nullptr;
}

void Channel::host_wrote_external(uint64_t txid) {
  Packet* p = packet_for_transaction(txid);
  if (p != nullptr && !p->ranges_.empty() && sim_.options().external_buffer_check != ExternalBufferCheck::Off)
    p->ext_checksum_ = external_checksum(*p);
}

void Channel::end_external(Packet& p) {
  if (p.ranges_.empty()) return;
  if (sim_.options().external_buffer_check != ExternalBufferCheck::Off && external_checksum(p) != p.ext_checksum_)
    violation(48, "transaction end", p.describe(),
              "the external data buffer changed while the transaction was in flight (only the host may write it)");
  for (const ring::GpaRange& r : p.ranges_) sim_.guest_memory().unpin(r);
  p.ranges_.clear();
  p.header_ext_.clear();
}

void Channel::host_ring_space() { post_service(); }

// ---------------------------------------------------------------------------------------------
// Transactions ending

void Channel::handle_completion_packet(const ring::ReadPacket& rp) {
  uint64_t txid = rp.descriptor.transaction_id;
  Packet* p = packet_for_transaction(txid);
  if (p == nullptr || p->state_ != Packet::State::AwaitingCompletion) {
    // Hostile-host inputs #41/#42: unknown, stale or duplicate transaction ids are dropped.
    peer_error("completion for unknown or already completed transaction id " + hex(txid) + " dropped");
    return;
  }
  if (p->restored_) restored_txids_.erase(txid);
  if (sim_.tracing()) sim_.emit(TraceKind::ObjectStep, id_, p->id_, "packet", "peer completed");
  // The host's access to the pages ends with the transaction (kmcl-api.md §1.6).
  end_external(*p);
  Status st = status::kSuccess;
  if (peer_ && peer_->has_status_overrides()) st = peer_->take_status_override(txid);
  if (sim_.log_packets())
    sim_.log().debug("ch{} <- host completion {} txid={:#x} len={}", id_, p->describe(), txid, rp.payload_size());
  if (p->abandoned_) {
    release_packet(*p);
    return;
  }
  if (p->origin_ == Packet::Origin::Internal) {
    p->completion_status_ = st;
    p->completion_bytes_.assign(rp.payload(), rp.payload() + rp.payload_size());
    p->state_ = Packet::State::CompletionPending;
    p->sync_done_ = true;
    return;
  }
  p->state_ = Packet::State::CompletionPending;
  if (busy_ == 0 && pending_completions_.empty()) {
    run_completion_routine(*p, st, rp.payload(), rp.payload_size());
    return;
  }
  // A callback of this channel is running: hold the completion until it returns.
  p->completion_status_ = st;
  p->completion_bytes_.assign(rp.payload(), rp.payload() + rp.payload_size());
  pending_completions_.push_back(p);
}

void Channel::deliver_completions() {
  while (busy_ == 0 && !pending_completions_.empty()) {
    Packet* p = pending_completions_.front();
    pending_completions_.pop_front();
    run_completion_routine(*p, p->completion_status_, p->completion_bytes_.data(),
                           static_cast<uint32_t>(p->completion_bytes_.size()));
  }
}

void Channel::run_completion_routine(Packet& p, Status st, const void* bytes, uint32_t len) {
  if (p.state_ != Packet::State::CompletionPending) {
    violation(49, "completion", p.describe(), "simulator self-check: completion routine would run twice");
    return;
  }
  p.state_ = Packet::State::Idle;
  if (sim_.tracing()) sim_.emit(TraceKind::ObjectStep, id_, p.id_, "packet", "completion routine", status_name(st));
  if (p.routine_kind_ == Packet::Routine::Default) {
    // The default completion routine frees the packet (kmcl-api.md §3.7.1).
    release_packet(p);
    return;
  }
  std::unique_ptr<uint8_t[]> exact;
  if (sim_.options().exact_buffers && len) {
    // A block of exactly len bytes, freed when the routine returns: over-reads and reads after
    // the routine show up under AddressSanitizer instead of landing in ring memory.
    exact.reset(new uint8_t[len]);
    std::memcpy(exact.get(), bytes, len);
    bytes = exact.get();
  }
  invoke_frame_begin(CallbackKind::PacketCompletion, Irql::Dispatch, nullptr);
  client_->packet_completion(p.routine_, p, st, len ? bytes : nullptr, len);
  invoke_frame_end();
}

void Channel::cancel_transactions(bool include_queued) {
  // Q11: transactions waiting for a completion that will never come end with
  // STATUS_CANCELLED; queued packets too when the driver itself tears the channel down.
  std::vector<Packet*> cancelled;
  for (auto& up : packets_) {
    Packet& p = *up;
    if (p.state_ == Packet::State::AwaitingCompletion) {
      cancelled.push_back(&p);
    }
  }
  if (include_queued) {
    for (auto it = send_queue_.begin(); it != send_queue_.end();) {
      if (it->packet) {
        cancelled.push_back(it->packet);
        it = send_queue_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Packet* p : cancelled) {
    end_external(*p);
    if (p->abandoned_) {
      release_packet(*p);
      continue;
    }
    p->state_ = Packet::State::CompletionPending;
    if (p->origin_ == Packet::Origin::Internal) {
      p->completion_status_ = status::kDeviceRemoved;
      p->completion_bytes_.clear();
      p->sync_done_ = true;
      continue;
    }
    trace(p->describe() + " cancelled (STATUS_CANCELLED)");
    if (busy_ == 0) {
      run_completion_routine(*p, status::kCancelled, nullptr, 0);
    } else {
      p->completion_status_ = status::kCancelled;
      p->completion_bytes_.clear();
      pending_completions_.push_back(p);
    }
  }
  // Completions already held for delivery still run (exactly once), before Closed returns.
  if (busy_ == 0) deliver_completions();
}

// ---------------------------------------------------------------------------------------------
// Synchronous requests

Status Channel::send_synchronous(const void* buffer, uint32_t length, const ExternalData* external,
                                 uint32_t flags, void* completion_buffer, uint32_t* completion_size,
                                 const int64_t* timeout_100ns) {
  const char* call = "VmbChannelSendSynchronousRequest";
  if (cleaned_) {
    violation(6, call, "", "channel used after VmbChannelCleanup");
    return status::kInvalidParameter1;
  }
  if (completion_size && (*completion_size % 8) != 0) {
    violation(50, call, "", "*CompletionBufferSize = " + std::to_string(*completion_size) + " is not a multiple of 8");
    // Q13: an argument error names its parameter; CompletionBufferSize is the 7th.
    return status::kInvalidParameter7;
  }
  if (completion_size && *completion_size && completion_buffer == nullptr) {
    violation(10, call, "", "CompletionBuffer is NULL with a non-zero size");
    return status::kInvalidParameter6;
  }
  bool wait_completion = (flags & send_flag::kWaitForCompletion) != 0;
  bool non_blocking = timeout_100ns && *timeout_100ns == 0 && !wait_completion;
  if (is_server_ && !non_blocking) {
    violation(51, call, "", "a server may only use *Timeout == 0 without WAIT_FOR_COMPLETION");
    return status::kInvalidParameter;
  }
  uint32_t capacity = completion_size ? *completion_size : 0;
  if (completion_size) *completion_size = 0;
  if (!non_blocking) {
    if (!check_passive(call, true)) return status::kInvalidDeviceState;
    CallbackKind kind;
    if (in_callback_of_this_channel(&kind) && kind == CallbackKind::Started) {
      violation(21, call, "", "blocking synchronous request inside EvtChannelStarted: the incoming queue is not "
                              "running yet, so it would never return");
      sim_.verifier().diagnostic(Diagnostic::Hang, call, id_, describe(),
                                 "the wait could never be satisfied; failed with STATUS_CANCELLED", sim_.now());
      return status::kCancelled;
    }
  }

  Packet* p = take_packet(Packet::Origin::Internal);
  p->routine_kind_ = Packet::Routine::Default;
  if (non_blocking) {
    // Q29/Q30: a try-send; nothing is queued.
    if (conn_ != ConnState::Opened || !send_queue_.empty()) {
      release_packet(*p);
      return conn_ == ConnState::Opened ? status::kBufferOverflow : status::kInvalidDeviceState;
    }
  }
  Status s = send(*p, buffer, length, external, flags, call);
  if (!succeeded(s)) {
    release_packet(*p);
    return s;
  }
  if (non_blocking) {
    if (p->state_ == Packet::State::Queued) {
      // It did not fit: take it back out of the queue.
      for (auto it = send_queue_.begin(); it != send_queue_.end(); ++it)
        if (it->packet == p) {
          send_queue_.erase(it);
          break;
        }
      release_packet(*p);
      return status::kBufferOverflow;
    }
    release_packet(*p);
    return status::kSuccess;
  }

  std::optional<VirtualTime> deadline;
  if (timeout_100ns) {
    int64_t t = *timeout_100ns;
    deadline = t < 0 ? sim_.now() + (-t) * 100 : t * 100;
  }
  auto r = sim_.scheduler().run_until([p] { return p->sync_done_; }, deadline);
  if (r == Scheduler::WaitResult::Satisfied) {
    Status st = p->completion_status_;
    uint32_t n = static_cast<uint32_t>(p->completion_bytes_.size());
    if (n > capacity) {
      n = capacity;
      if (succeeded(st)) st = status::kBufferOverflow;
    }
    if (n) std::memcpy(completion_buffer, p->completion_bytes_.data(), n);
    if (completion_size) *completion_size = n;
    p->state_ = Packet::State::Idle;
    release_packet(*p);
    return st;
  }
  // Timed out, or nothing could ever answer: cancel the packet (§3.7.8).
  if (p->state_ == Packet::State::Queued) {
    for (auto it = send_queue_.begin(); it != send_queue_.end(); ++it)
      if (it->packet == p) {
        send_queue_.erase(it);
        break;
      }
    release_packet(*p);
  } else {
    p->abandoned_ = true;  // a late completion is dropped
  }
  if (r == Scheduler::WaitResult::Idle) {
    sim_.verifier().diagnostic(Diagnostic::Hang, call, id_, describe(),
                               "synchronous request with no timeout can never complete (nothing left that "
                               "could answer it); failed with STATUS_CANCELLED instead of hanging",
                               sim_.now());
  }
  return status::kCancelled;
}

}  // namespace vmbsim
