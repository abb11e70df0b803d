// Channel data path, incoming direction: reading the host-to-guest ring, delivering packets
// to EvtVmbChannelProcessPacket, and their completion, deferral and failure (kmcl-api.md §1.6).
#include <algorithm>
#include <cstring>

#include "sim/core/channel.h"
#include "sim/core/device.h"
#include "sim/core/simulation.h"

namespace vmbsim {

namespace {
constexpr uint8_t kPoison = 0xDD;
constexpr uint32_t kMaxDeferrals = 16;
}  // namespace

IncomingPacket* Channel::take_incoming() {
  IncomingPacket* p;
  if (free_incoming_.size() > sim_.options().handle_quarantine) {
    p = incoming_[free_incoming_.pop()].get();
  } else {
    incoming_.push_back(std::make_unique<IncomingPacket>());
    p = incoming_.back().get();
    p->channel_ = this;
    p->index_ = static_cast<uint32_t>(incoming_.size() - 1);
  }
  p->id_ = sim_.next_object_id();
  p->state_ = IncomingPacket::State::Queued;
  p->at_passive_ = false;
  p->deferrals_ = 0;
  p->external_pending_ = false;
  p->external_writable_ = false;
  p->response_.clear();
  return p;
}

void Channel::release_incoming(IncomingPacket& p) {
  // The external-data MDL becomes invalid at completion (kmcl-api.md §3.8.4); freeing it makes
  // a later use show up under AddressSanitizer (rule 59).
  if (sim_.tracing()) sim_.emit(TraceKind::ObjectEnd, id_, p.id_, "incoming", "released");
  if (p.mapping_ && p.free_mapping_) p.free_mapping_(p.mapping_);
  p.mapping_ = nullptr;
  p.ranges_.clear();
  // The ProcessPacket buffer is invalid from now on (Q14): poison it, or with exact buffers
  // free it, so that AddressSanitizer reports a read after completion.
  if (p.exact_)
    p.exact_.reset();
  else if (p.length_)
    std::memset(p.buffer_.data(), kPoison, p.length_);
  p.state_ = IncomingPacket::State::Free;
  free_incoming_.push(p.index_);
}

void Channel::host_signal() { post_service(); }

void Channel::post_service() {
  if (service_posted_ || cleaned_) return;
  service_posted_ = true;
  sim_.scheduler().post<&Channel::service>(this);
}

void Channel::service() {
  service_posted_ = false;
  if (cleaned_) return;
  drain_ring();
  if (busy_ > 0) {
    // A callback of this channel is running (e.g. blocked in a synchronous request):
    // everything that calls the driver waits until it returns.
    service_wanted_ = true;
    return;
  }
  if (remote_close_pending_) begin_remote_close();
  deliver_completions();
  deliver_incoming();
  flush_sends();
  maybe_finish_remote_close();
}

void Channel::drain_ring() {
  if (!in_reader_ || quiesced() || (conn_ != ConnState::Opened && conn_ != ConnState::Closing)) return;
  // No interrupt_mask dance: the host endpoint runs on this same thread and never writes while
  // we drain, so the mask/drain/unmask/re-check protocol (which guards against a concurrent
  // writer) cannot change the outcome. An out-of-process host will need it back.
  for (;;) {
    // "While the cap is reached, KMCL removes nothing more from the ring."
    if (quota_ && outstanding_ + pending_incoming_.size() >= quota_) break;
    ring::ReadStatus rs = in_reader_->read(scratch_);
    if (rs == ring::ReadStatus::Empty) break;
    if (rs == ring::ReadStatus::Dead) {
      if (!ring_dead_reported_) {
        ring_dead_reported_ = true;
        peer_error("host-to-guest ring is corrupt, channel stops reading: " + in_reader_->error().describe());
      }
      return;
    }
    const ring::PacketDescriptor& d = scratch_.descriptor;
    if (scratch_.type() == ring::PacketType::Completion) {
      handle_completion_packet(scratch_);
      continue;
    }
    std::vector<ring::GpaRange> ranges;
    if (scratch_.type() == ring::PacketType::DataUsingGpaDirect && is_server_) {
      // A guest's external data: the ranges must parse and describe pinned guest memory.
      std::string error;
      bool ok = ring::parse_gpa_ranges(scratch_.header_ext(), scratch_.header_ext_size(), ranges, error);
      for (size_t i = 0; ok && i < ranges.size(); ++i)
        if (!sim_.guest_memory().accessible(ranges[i], 0, ranges[i].byte_count)) {
          ok = false;
          error = "range " + std::to_string(i) + " describes memory the guest has not pinned";
        }
      if (!ok) {
        peer_error("GPA-direct packet (txid " + std::to_string(d.transaction_id) + ") dropped: " + error);
        continue;
      }
    } else if (scratch_.type() != ring::PacketType::DataInband) {
      // Transfer pages are not simulated; a host never sends GPA-direct packets to a client.
      peer_error("peer sent packet type " + std::to_string(d.type) + " (txid " + std::to_string(d.transaction_id) +
                 "), which this channel cannot process; dropped");
      continue;
    }
    IncomingPacket* p = take_incoming();
    p->ranges_ = std::move(ranges);
    p->transaction_id_ = d.transaction_id;
    p->completion_requested_ = (d.flags & ring::kFlagCompletionRequested) != 0;
    p->flags_ = p->ranges_.empty() ? 0 : 0x1u;  // VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA
    uint32_t n = scratch_.payload_size();
    if (sim_.options().exact_buffers) {
      // One heap block of exactly n bytes: a driver reading past BufferLength hits a redzone.
      p->exact_.reset(new uint8_t[n]);
      if (n) std::memcpy(p->exact_.get(), scratch_.payload(), n);
    } else {
      // At least one byte, so that even an empty packet's buffer is not NULL.
      if (p->buffer_.size() < std::max<uint32_t>(n, 1)) p->buffer_.resize(std::max<uint32_t>(n, 1));
      if (n) std::memcpy(p->buffer_.data(), scratch_.payload(), n);
    }
    p->length_ = n;
    if (sim_.tracing())
      sim_.emit(TraceKind::ObjectBegin, id_, p->id_, "incoming", p->describe(),
                "read from the ring, " + std::to_string(n) + " bytes");
    if (sim_.log_packets())
      sim_.log().debug("ch{} <- host packet {} type={} flags={:#x} len={}", id_, p->describe(), d.type, d.flags, n);
    pending_incoming_.push_back(p);
  }
  // A completion routine run above may have closed the channel.
  if (in_reader_ && in_reader_->commit() && peer_) peer_->channel_ring_space();
}

void Channel::deliver_incoming() {
  uint32_t delivered = 0;
  Irql batch_irql = Irql::Dispatch;
  while (busy_ == 0 && incoming_enabled_ && !queue_failed_ && !quiesced() && !pending_incoming_.empty() &&
         conn_ == ConnState::Opened) {
    IncomingPacket* p = pending_incoming_.front();
    pending_incoming_.pop_front();
    ++outstanding_;
    if (quota_ && outstanding_ > quota_)
      violation(62, "deliver", p->describe(), "simulator self-check: transaction quota exceeded");
    Irql irql = (passive_delivery_ || p->at_passive_) ? Irql::Passive : Irql::Dispatch;
    batch_irql = irql;
    p->state_ = IncomingPacket::State::Delivering;
    if (!callbacks_.process_packet) {
      // Q5: nobody to deliver to; complete it empty so the host is not left waiting.
      sim_.log().warn("{}: no ProcessPacket callback, completing {} internally", describe(), p->describe());
      complete_incoming(*p, nullptr, 0);
      continue;
    }
    // Self-checks: ProcessPacket runs only from EvtChannelStarted to EvtChannelSuspend (rule 25),
    // and at PASSIVE_LEVEL when the channel asked for it or the packet was deferred (rule 63).
    if (!started_ || suspended_window_)
      violation(25, "deliver", p->describe(), "simulator self-check: ProcessPacket outside EvtChannelStarted .. EvtChannelSuspend");
    if (sim_.tracing()) sim_.emit(TraceKind::ObjectStep, id_, p->id_, "incoming", "EvtVmbChannelProcessPacket");
    invoke_frame_begin(CallbackKind::ProcessPacket, irql, p);
    if ((passive_delivery_ || p->at_passive_) && sim_.irql() != Irql::Passive)
      violation(63, "deliver", p->describe(), "simulator self-check: ProcessPacket above PASSIVE_LEVEL");
    client_->process_packet(*this, *p, p->bytes(), p->length_, p->flags_);
    invoke_frame_end();
    ++delivered;
    if (p->state_ == IncomingPacket::State::Delivering && p->external_pending_) {
      // GetExternalData said STATUS_PENDING and the driver returned as it must: deliver again.
      p->external_pending_ = false;
      p->state_ = IncomingPacket::State::Deferred;
      --outstanding_;
      p->at_passive_ = true;
      pending_deferred_.push_back(p);
    } else if (p->state_ == IncomingPacket::State::Delivering) {
      p->state_ = IncomingPacket::State::Outstanding;
    } else if (p->state_ == IncomingPacket::State::Deferred) {
      // Redelivered at PASSIVE from a later event, never in this loop.
      p->at_passive_ = true;
      pending_deferred_.push_back(p);
    }
  }
  if (!pending_deferred_.empty() && busy_ == 0) {
    // Back to the head of the queue, keeping their order.
    for (auto it = pending_deferred_.rbegin(); it != pending_deferred_.rend(); ++it) pending_incoming_.push_front(*it);
    pending_deferred_.clear();
    post_service();
  }
  if (delivered > 0 && callbacks_.processing_complete && busy_ == 0 && pending_incoming_.empty()) {
    invoke_frame_begin(CallbackKind::ProcessingComplete, batch_irql, nullptr);
    if (passive_delivery_ && sim_.irql() != Irql::Passive)
      violation(63, "deliver", "", "simulator self-check: ProcessingComplete above PASSIVE_LEVEL");
    client_->processing_complete(*this, delivered);
    invoke_frame_end();
  }
}

void Channel::complete_incoming(IncomingPacket& p, const void* buffer, uint32_t length) {
  const char* call = "VmbChannelPacketComplete";
  switch (p.state_) {
    case IncomingPacket::State::Delivering:
    case IncomingPacket::State::Outstanding:
      break;
    case IncomingPacket::State::Deferred:
      violation(54, call, p.describe(), "completed after VmbChannelPacketDeferToPassive, before its redelivery");
      return;
    default:
      violation(54, call, p.describe(), "already completed or failed");
      return;
  }
  if (p.external_pending_) {
    violation(57, call, p.describe(),
              "completed after VmbChannelPacketGetExternalData returned STATUS_PENDING; the callback had to return");
    p.external_pending_ = false;
  }
  --outstanding_;
  if (sim_.tracing()) sim_.emit(TraceKind::ObjectStep, id_, p.id_, "incoming", "completed", std::to_string(length) + " bytes");
  if (p.external_writable_ && peer_) peer_->external_written(p.transaction_id_);
  if (sim_.log_packets())
    sim_.log().debug("ch{} -> host {} completed: type=11 len={}{}", id_, p.describe(), length,
                     p.completion_requested_ ? "" : " (none requested: nothing sent)");
  if (!p.completion_requested_ || conn_ == ConnState::Disabled || !out_writer_) {
    release_incoming(p);
  } else {
    p.state_ = IncomingPacket::State::Completing;
    p.response_.assign(static_cast<const uint8_t*>(buffer),
                       static_cast<const uint8_t*>(buffer) + (buffer ? length : 0));
    OutItem item{nullptr, &p};
    if (!(send_queue_.empty() && !quiesced() && write_item(item) == WriteOutcome::Written))
      send_queue_.push_back(item);
  }
  // A completion is what restarts a queue blocked on quota, and what a closing channel waits for.
  if (quota_ || conn_ == ConnState::Closing) post_service();
}

void Channel::defer_to_passive(IncomingPacket& p) {
  const char* call = "VmbChannelPacketDeferToPassive";
  const auto& frames = sim_.frames();
  bool inline_call = !frames.empty() && frames.back().kind == CallbackKind::ProcessPacket && frames.back().packet == &p;
  if (!inline_call || p.state_ != IncomingPacket::State::Delivering) {
    violation(55, call, p.describe(), "not called inline from the EvtVmbChannelProcessPacket that delivered it");
    return;
  }
  if (p.at_passive_ && ++p.deferrals_ > kMaxDeferrals) {
    sim_.verifier().diagnostic(Diagnostic::Hang, call, id_, p.describe(),
                               "deferred again and again at PASSIVE_LEVEL; the packet would never be processed",
                               sim_.now());
    return;
  }
  // Back on the parsing queue: the simulator holds it now, not the driver, so Pause and
  // Disable do not wait for it.
  p.state_ = IncomingPacket::State::Deferred;
  --outstanding_;
}

Status Channel::get_external_data(IncomingPacket& p, uint32_t flags) {
  const char* call = "VmbChannelPacketGetExternalData";
  const auto& frames = sim_.frames();
  bool inline_call = !frames.empty() && frames.back().kind == CallbackKind::ProcessPacket && frames.back().packet == &p;
  if (!inline_call || p.state_ != IncomingPacket::State::Delivering) {
    violation(56, call, p.describe(), "called outside the packet's EvtVmbChannelProcessPacket");
    return status::kInvalidDeviceState;
  }
  if (flags & ~0x1u) {
    violation(10, call, p.describe(), "flag bits outside VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAGS");
    return status::kInvalidParameter2;
  }
  if (!(p.flags_ & 0x1u)) {  // VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA
    sim_.verifier().violation(58, call, id_, p.describe(),
                              "the packet carries no external data (Flags lacked VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA)",
                              sim_.now());
    return status::kInvalidDeviceState;
  }
  if (p.mapping_ == nullptr && sim_.take_external_data_pending()) {
    // The driver must return now; the packet comes back at PASSIVE_LEVEL (§3.8.4).
    p.external_pending_ = true;
    return status::kPending;
  }
  if (!(flags & 0x1u)) p.external_writable_ = true;  // not VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY
  return status::kSuccess;  // the shim builds (or reuses) the MDL over p's ranges
}

void Channel::fail_incoming(IncomingPacket& p) {
  const char* call = "VmbChannelPacketFail";
  const auto& frames = sim_.frames();
  bool inline_call = !frames.empty() && frames.back().kind == CallbackKind::ProcessPacket && frames.back().packet == &p;
  if (!inline_call || p.state_ != IncomingPacket::State::Delivering) {
    violation(56, call, p.describe(), "called outside the packet's EvtVmbChannelProcessPacket");
    return;
  }
  // Q16: Fail retires the packet, the host gets no completion, and the queue stops.
  --outstanding_;
  queue_failed_ = true;
  trace(p.describe() + " failed by the driver (VmbChannelPacketFail): incoming queue stopped");
  release_incoming(p);
}

}  // namespace vmbsim
