// Channel: server save and restore (kmcl-api.md §1.10, §3.9, rules 64-67).
//
// What is saved is the server's side of the conversation that the guest's memory does not
// already hold: packets whose transactions are in flight (with the VSP's own bytes from
// EvtVmbChannelSavePacket), guest packets read from the ring but not answered on the wire, and
// completions waiting for ring space. The rings and GPADLs live in guest memory, so they are
// not saved: the guest endpoint keeps them ("parks") while the server is torn down, and the
// restored channel takes them over at Enable. Every guest transaction is then answered exactly
// once: by the old channel (before the save) or by the restored one (from the saved state),
// never both, because a saving channel stops touching its rings.
#include <algorithm>
#include <cstring>

#include "sim/core/channel.h"
#include "sim/core/saved_state.h"
#include "sim/core/simulation.h"

namespace vmbsim {

namespace {
constexpr uint32_t kForceNewChannel = 0x8;  // VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL
constexpr uint32_t kGuardBytes = 16;       // after the VSP's save buffer (rule 65)
constexpr uint8_t kGuard = 0xA5;

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}
}  // namespace

bool Channel::check_server_only(const char* call) {
  if (cleaned_) {
    violation(6, call, "", "channel used after VmbChannelCleanup");
    return false;
  }
  if (!is_server_) {
    violation(3, call, "", "server-only function called on a client channel");
    return false;
  }
  return check_passive(call, true);
}

// ---------------------------------------------------------------------------------------------
// Saving

Status Channel::save_begin() {
  const char* call = "VmbChannelSaveBegin";
  if (!check_server_only(call)) return status::kInvalidParameter1;
  if (save_.phase == SaveContext::Phase::Begun || save_.phase == SaveContext::Phase::Complete) {
    violation(64, call, "", "a second VmbChannelSaveBegin before VmbChannelSaveEnd");
    return status::kInvalidDeviceState;
  }
  if (conn_ == ConnState::Disabled) {
    sim_.log().error("{}: {} on a disabled channel: there is nothing to save", describe(), call);
    return status::kInvalidDeviceState;
  }
  if (running_)
    sim_.log().warn("{}: {} on a running channel; pause it first (Q35). Incoming packets stop being delivered now",
                    describe(), call);
  save_ = SaveContext{};
  save_.phase = SaveContext::Phase::Begun;
  save_.save_id = sim_.next_object_id();
  trace("VmbChannelSaveBegin: the channel stops reading and writing its rings");
  return status::kSuccess;
}

Status Channel::save_continue(void* buffer, uint32_t size, uint32_t* filled, uint32_t* required) {
  const char* call = "VmbChannelSaveContinue";
  if (!check_server_only(call)) return status::kInvalidParameter1;
  if (filled == nullptr || required == nullptr) {
    violation(10, call, "", "BytesFilled or BytesRequired is NULL");
    return filled == nullptr ? status::kInvalidParameter4 : status::kInvalidParameter5;
  }
  *filled = 0;
  *required = 0;
  if (save_.phase != SaveContext::Phase::Begun && save_.phase != SaveContext::Phase::Complete) {
    violation(64, call, "", "no save in progress (VmbChannelSaveBegin was not called, or VmbChannelSaveEnd was)");
    return status::kInvalidDeviceState;
  }
  if (buffer == nullptr && size > 0) {
    violation(10, call, "", "SaveBuffer is NULL with a non-zero SaveBufferSize");
    return status::kInvalidParameter2;
  }
  if (!succeeded(save_.failure)) return save_.failure;
  if (!save_.snapshot_taken) {
    Status s = take_snapshot();
    if (!succeeded(s)) {
      save_.failure = s;  // the save cannot succeed any more; SaveEnd abandons it
      return s;
    }
  }
  // Whole chunks only, so that each RestoreFromBuffer call can be given exactly what one
  // SaveContinue produced.
  auto* out = static_cast<uint8_t*>(buffer);
  uint32_t used = 0;
  while (save_.next_chunk < save_.chunks.size()) {
    const std::vector<uint8_t>& c = save_.chunks[save_.next_chunk];
    if (c.size() > size - used) break;
    std::memcpy(out + used, c.data(), c.size());
    used += static_cast<uint32_t>(c.size());
    ++save_.next_chunk;
  }
  *filled = used;
  if (save_.next_chunk == save_.chunks.size()) {
    if (save_.phase != SaveContext::Phase::Complete)
      trace("saved: " + std::to_string(save_.chunks.size()) + " chunks");
    save_.phase = SaveContext::Phase::Complete;
    return status::kSuccess;
  }
  *required = static_cast<uint32_t>(save_.chunks[save_.next_chunk].size());
  return used ? status::kBufferOverflow : status::kBufferTooSmall;
}

void Channel::save_end() {
  const char* call = "VmbChannelSaveEnd";
  if (!check_server_only(call)) return;
  switch (save_.phase) {
    case SaveContext::Phase::None:
    case SaveContext::Phase::Ended:
      violation(64, call, "", "no save in progress (VmbChannelSaveBegin was not called, or VmbChannelSaveEnd was)");
      return;
    case SaveContext::Phase::Complete:
      save_.phase = SaveContext::Phase::Ended;
      save_.chunks.clear();
      trace("VmbChannelSaveEnd: saved; Disable hands the guest connection to a restore, Start carries on");
      return;
    case SaveContext::Phase::Begun:
      save_ = SaveContext{};
      trace("VmbChannelSaveEnd before the save completed: abandoned, the channel carries on");
      post_service();
      return;
  }
}

Status Channel::take_snapshot() {
  save_.snapshot_taken = true;
  std::vector<std::pair<uint16_t, std::vector<uint8_t>>> bodies;
  auto incoming_record = [&](const IncomingPacket& p, bool completing) {
    save::IncomingRecord r;
    r.transaction_id = p.transaction_id_;
    r.completion_requested = p.completion_requested_;
    r.flags = p.flags_;
    r.payload.assign(p.bytes(), p.bytes() + p.length_);
    if (!p.ranges_.empty()) ring::encode_gpa_ranges(p.ranges_, r.ranges);
    r.completing = completing;
    if (completing) r.response = p.response_;
    bodies.emplace_back(static_cast<uint16_t>(save::ChunkKind::Incoming), save::encode(r));
  };

  // What waits for ring space, in ring order: packets and the server's completions.
  for (const OutItem& item : send_queue_) {
    if (item.packet) {
      Status s = save_packet_chunk(*item.packet, true, bodies);
      if (!succeeded(s)) return s;
    } else {
      incoming_record(*item.completion, true);
    }
  }
  // Packets in the ring whose completions the guest still owes.
  for (auto& up : packets_) {
    if (up->state_ != Packet::State::AwaitingCompletion || up->abandoned_) continue;
    Status s = save_packet_chunk(*up, false, bodies);
    if (!succeeded(s)) return s;
  }
  // Guest packets the driver holds (only if it saved without pausing), then those read from
  // the ring and not delivered yet. They are delivered again to the restored channel.
  std::vector<IncomingPacket*> held;
  for (auto& up : incoming_)
    if (up->state_ == IncomingPacket::State::Outstanding || up->state_ == IncomingPacket::State::Delivering)
      held.push_back(up.get());
  std::sort(held.begin(), held.end(), [](const IncomingPacket* a, const IncomingPacket* b) { return a->id_ < b->id_; });
  if (!held.empty())
    sim_.log().warn("{}: saving {} guest packet(s) the driver still holds; the restored channel delivers them again",
                    describe(), held.size());
  for (IncomingPacket* p : held) incoming_record(*p, false);
  for (IncomingPacket* p : pending_deferred_) incoming_record(*p, false);
  for (IncomingPacket* p : pending_incoming_) incoming_record(*p, false);

  save::ChannelRecord ch;
  if (peer_ != nullptr && conn_ == ConnState::Opened) save_.parking_token = sim_.next_object_id();
  ch.parking_token = save_.parking_token;
  for (const auto& b : bodies) (b.first == static_cast<uint16_t>(save::ChunkKind::Packet) ? ch.packets : ch.incoming)++;
  ch.interface_type = server_.interface_type;
  ch.interface_instance = server_.interface_instance;
  ch.max_packet_size = max_packet_size_;

  uint32_t total = static_cast<uint32_t>(bodies.size() + 1);
  save_.chunks.push_back(save::make_chunk(save::ChunkKind::Channel, save_.save_id, 0, total, save::encode(ch)));
  for (size_t i = 0; i < bodies.size(); ++i)
    save_.chunks.push_back(save::make_chunk(static_cast<save::ChunkKind>(bodies[i].first), save_.save_id,
                                            static_cast<uint32_t>(i + 1), total, bodies[i].second));
  trace("save snapshot: " + std::to_string(ch.packets) + " server transaction(s), " + std::to_string(ch.incoming) +
        " guest transaction(s) unanswered");
  return status::kSuccess;
}

Status Channel::save_packet_chunk(Packet& p, bool queued,
                                  std::vector<std::pair<uint16_t, std::vector<uint8_t>>>& bodies) {
  if (!p.header_ext_.empty()) {
    // A host's memory is never shared with the guest, so a VSP has no business describing it
    // as external data; the simulator lets it send such packets but cannot save them.
    sim_.log().error("{}: {} carries external data (GPA ranges); saving it is not supported", describe(),
                     p.describe());
    return status::kNotSupported;
  }
  save::PacketRecord r;
  r.save_id = save_.save_id;
  r.sequence = static_cast<uint32_t>(bodies.size() + 1);
  r.transaction_id = p.transaction_id_;
  r.queued = queued;
  r.internal = p.origin_ == Packet::Origin::Internal;
  r.send_flags = p.send_flags_;
  if (queued) r.payload.assign(p.payload_.begin(), p.payload_.begin() + p.payload_len_);
  std::vector<uint8_t> vsp;
  if (!r.internal) {
    Status s = call_save_packet(p, vsp);
    if (!succeeded(s)) return s;
  }
  bodies.emplace_back(static_cast<uint16_t>(save::ChunkKind::Packet), save::packet_payload(save::encode(r), vsp));
  return status::kSuccess;
}

Status Channel::call_save_packet(Packet& p, std::vector<uint8_t>& vsp) {
  const char* cb = "EvtVmbChannelSavePacket";
  if (!server_.save_restore_callbacks) {
    sim_.log().error("{}: {} has a transaction in flight but no {} is registered "
                     "(VmbServerChannelInitSetSaveRestorePacketCallbacks); the save fails",
                     describe(), p.describe(), cb);
    return status::kInvalidDeviceState;
  }
  // First the size probe: a VSP with state to save fails it and says how much it needs.
  uint32_t needed = 0;
  invoke_frame_begin(CallbackKind::SavePacket, Irql::Passive, nullptr);
  Status s = client_->save_packet(*this, p, nullptr, 0, &needed);
  invoke_frame_end();
  if (succeeded(s)) {
    if (needed != 0)
      violation(65, cb, p.describe(),
                "succeeded on the SaveBufSize == 0 probe but set *BytesNeeded = " + std::to_string(needed));
    return status::kSuccess;  // nothing of its own to save
  }
  if (needed == 0) {
    trace(std::string(cb) + " failed for " + p.describe() + ": " + status_name(s));
    return s;
  }
  vsp.assign(size_t{needed} + kGuardBytes, kGuard);
  uint32_t reported = needed;
  invoke_frame_begin(CallbackKind::SavePacket, Irql::Passive, nullptr);
  s = client_->save_packet(*this, p, vsp.data(), needed, &reported);
  invoke_frame_end();
  if (std::any_of(vsp.begin() + needed, vsp.end(), [](uint8_t b) { return b != kGuard; }))
    violation(65, cb, p.describe(), "wrote past SaveBufSize = " + std::to_string(needed));
  if (!succeeded(s)) {
    trace(std::string(cb) + " failed for " + p.describe() + ": " + status_name(s));
    return s;
  }
  if (reported > needed) {
    violation(65, cb, p.describe(),
              "reported *BytesNeeded = " + std::to_string(reported) + " after filling a buffer of " + std::to_string(needed));
    reported = needed;
  }
  vsp.resize(reported);
  return status::kSuccess;
}

// ---------------------------------------------------------------------------------------------
// Restoring

Status Channel::restore_from_buffer(const void* buffer, uint32_t size) {
  const char* call = "VmbChannelRestoreFromBuffer";
  if (!check_server_only(call)) return status::kInvalidParameter1;
  if (ever_enabled_ || conn_ != ConnState::Disabled) {
    sim_.log().error("{}: {} only restores into a channel that has not been enabled yet", describe(), call);
    return status::kInvalidDeviceState;
  }
  if (restore_.complete) {
    violation(66, call, "", "the restore is already complete; these bytes belong to no save in progress");
    return status::kInvalidDeviceState;
  }
  if (buffer == nullptr || size == 0) {
    violation(66, call, "", "Buffer is NULL or BufferSize is 0: not a chunk");
    return status::kInvalidParameter2;
  }
  const auto* data = static_cast<const uint8_t*>(buffer);
  size_t at = 0;
  while (at < size) {
    // Chunks before a bad one stay restored and the sequence number remembers them, so a
    // driver may retry from the bad chunk with the right bytes.
    save::Chunk c;
    std::string error;
    std::string where = "byte " + std::to_string(at) + " of the buffer";
    if (!save::parse_chunk(data + at, size - at, c, error)) {
      violation(66, call, "", where + ": " + error);
      return status::kInvalidParameter2;
    }
    if (restore_.next_sequence == 0) {
      if (c.kind != save::ChunkKind::Channel || c.sequence != 0) {
        violation(66, call, "", where + ": the first chunk of a save must come first (got chunk " +
                                    std::to_string(c.sequence) + ")");
        return status::kInvalidParameter2;
      }
      restore_.save_id = c.save_id;
      restore_.total = c.total;
    } else if (c.save_id != restore_.save_id) {
      violation(66, call, "", where + ": chunk of another save (" + hex(c.save_id) + ", restoring " +
                                  hex(restore_.save_id) + ")");
      return status::kInvalidParameter2;
    } else if (c.sequence != restore_.next_sequence || c.total != restore_.total) {
      violation(66, call, "", where + ": chunk " + std::to_string(c.sequence) + " where chunk " +
                                  std::to_string(restore_.next_sequence) + " was expected (missing, repeated or reordered)");
      return status::kInvalidParameter2;
    }
    Status s = restore_chunk(c.payload, c.length, static_cast<uint16_t>(c.kind), c.sequence);
    if (!succeeded(s)) return s;
    ++restore_.next_sequence;
    at += c.size;
  }
  if (restore_.next_sequence < restore_.total) return status::kMoreProcessingRequired;
  restore_.complete = true;
  trace("restored from " + std::to_string(restore_.total) + " chunks");
  return status::kSuccess;
}

Status Channel::restore_chunk(const uint8_t* payload, uint32_t length, uint16_t kind, uint32_t sequence) {
  const char* call = "VmbChannelRestoreFromBuffer";
  std::string chunk = "chunk " + std::to_string(sequence);
  switch (static_cast<save::ChunkKind>(kind)) {
    case save::ChunkKind::Channel: {
      save::ChannelRecord r;
      if (!save::decode(payload, length, r)) {
        violation(66, call, "", chunk + ": malformed channel record");
        return status::kInvalidParameter2;
      }
      if (server_.has_interface_id && r.interface_type != server_.interface_type)
        sim_.log().warn("{}: restoring a save of interface {} into a channel offering {}", describe(),
                        r.interface_type.to_string(), server_.interface_type.to_string());
      restore_.parking_token = r.parking_token;
      return status::kSuccess;
    }
    case save::ChunkKind::Packet: {
      const uint8_t *lib = nullptr, *vsp = nullptr;
      uint32_t lib_size = 0, vsp_size = 0;
      save::PacketRecord r;
      if (!save::split_packet_payload(payload, length, &lib, &lib_size, &vsp, &vsp_size) ||
          !save::decode(lib, lib_size, r) || r.save_id != restore_.save_id || r.sequence != sequence) {
        violation(66, call, "", chunk + ": malformed packet record");
        return status::kInvalidParameter2;
      }
      if (r.internal) {
        // A fire-and-forget synchronous request: nobody waits for it, the simulator resends it.
        Packet* p = take_packet(Packet::Origin::Internal);
        p->abandoned_ = true;
        p->transaction_id_ = r.transaction_id;
        p->send_flags_ = r.send_flags;
        p->wait_for_completion_ = false;
        p->payload_.assign(r.payload.begin(), r.payload.end());
        p->payload_len_ = static_cast<uint32_t>(r.payload.size());
        p->payload_copied_ = true;
        p->state_ = Packet::State::Queued;
        send_queue_.push_back(OutItem{p, nullptr});
        return status::kSuccess;
      }
      if (!server_.save_restore_callbacks) {
        sim_.log().error("{}: the save holds server transactions but no EvtVmbChannelRestorePacket is registered",
                         describe());
        return status::kInvalidDeviceState;
      }
      restore_.lib = lib;
      restore_.lib_size = lib_size;
      restore_.record = &r;
      restore_.restored = nullptr;
      invoke_frame_begin(CallbackKind::RestorePacket, Irql::Passive, nullptr);
      Status s = client_->restore_packet(*this, lib, lib_size, vsp_size ? vsp : nullptr, vsp_size);
      invoke_frame_end();
      Packet* restored = restore_.restored;
      restore_.lib = nullptr;
      restore_.record = nullptr;
      restore_.restored = nullptr;
      if (!succeeded(s)) {
        trace(std::string("EvtVmbChannelRestorePacket failed: ") + status_name(s));
        return s;
      }
      if (restored == nullptr)
        violation(67, "EvtVmbChannelRestorePacket", "",
                  "returned success without calling VmbPacketRestore; transaction " + hex(r.transaction_id) +
                      " is lost and the guest's completion for it will be dropped");
      return status::kSuccess;
    }
    case save::ChunkKind::Incoming: {
      save::IncomingRecord r;
      std::vector<ring::GpaRange> ranges;
      std::string error;
      if (!save::decode(payload, length, r) ||
          (!r.ranges.empty() && !ring::parse_gpa_ranges(r.ranges.data(), static_cast<uint32_t>(r.ranges.size()), ranges, error))) {
        violation(66, call, "", chunk + ": malformed guest-transaction record");
        return status::kInvalidParameter2;
      }
      IncomingPacket* p = take_incoming();
      p->transaction_id_ = r.transaction_id;
      p->completion_requested_ = r.completion_requested;
      p->flags_ = r.flags;
      p->ranges_ = std::move(ranges);
      if (p->buffer_.size() < r.payload.size()) p->buffer_.resize(r.payload.size());
      if (!r.payload.empty()) std::memcpy(p->buffer_.data(), r.payload.data(), r.payload.size());
      p->length_ = static_cast<uint32_t>(r.payload.size());
      if (r.completing) {
        p->state_ = IncomingPacket::State::Completing;
        p->response_ = std::move(r.response);
        send_queue_.push_back(OutItem{nullptr, p});
      } else {
        pending_incoming_.push_back(p);
      }
      return status::kSuccess;
    }
  }
  violation(66, call, "", chunk + ": unknown kind");
  return status::kInvalidParameter2;
}

Status Channel::restore_packet(Packet& p, const void* lib_buffer, uint32_t lib_size) {
  const char* call = "VmbPacketRestore";
  if (!check_server_only(call)) return status::kInvalidParameter1;
  CallbackKind kind;
  if (restore_.lib == nullptr || !in_callback_of_this_channel(&kind) || kind != CallbackKind::RestorePacket) {
    violation(67, call, p.describe(), "called outside EvtVmbChannelRestorePacket");
    return status::kInvalidDeviceState;
  }
  if (lib_buffer != restore_.lib || lib_size != restore_.lib_size) {
    violation(67, call, p.describe(), "LibBuf/LibBufSize are not the ones EvtVmbChannelRestorePacket was given");
    return status::kInvalidParameter2;
  }
  if (p.origin_ != Packet::Origin::Allocated || p.state_ != Packet::State::Idle || p.sent_since_allocation_) {
    violation(67, call, p.describe(),
              p.origin_ != Packet::Origin::Allocated ? "the packet did not come from VmbPacketAllocate"
                                                      : "not a freshly allocated packet (it was sent or restored before)");
    return status::kInvalidParameter1;
  }
  if (restore_.restored != nullptr) {
    violation(67, call, p.describe(), "a second VmbPacketRestore for one saved packet");
    return status::kInvalidDeviceState;
  }
  const auto& r = *static_cast<const save::PacketRecord*>(restore_.record);
  p.transaction_id_ = r.transaction_id;
  p.send_flags_ = r.send_flags;
  p.wait_for_completion_ = (r.send_flags & send_flag::kWaitForCompletion) != 0;
  p.sent_since_allocation_ = true;
  p.restored_ = true;
  restored_txids_[r.transaction_id] = &p;
  if (r.queued) {
    if (p.payload_.size() < r.payload.size()) p.payload_.resize(r.payload.size());
    std::copy(r.payload.begin(), r.payload.end(), p.payload_.begin());
    p.payload_len_ = static_cast<uint32_t>(r.payload.size());
    p.payload_copied_ = true;
    p.state_ = Packet::State::Queued;
    send_queue_.push_back(OutItem{&p, nullptr});
  } else {
    p.payload_len_ = 0;
    p.state_ = Packet::State::AwaitingCompletion;
  }
  restore_.restored = &p;
  return status::kSuccess;
}

// ---------------------------------------------------------------------------------------------
// Enable after a restore

void Channel::resume_saved_connection() {
  resuming_ = false;
  if (conn_ != ConnState::Enabled || cleaned_) return;
  if (!restore_.complete) {
    discard_restored("the restore was not completed (VmbChannelRestoreFromBuffer never returned STATUS_SUCCESS)");
    return;
  }
  Peer* peer = restore_.parking_token ? sim_.take_parked(restore_.parking_token) : nullptr;
  restore_.parking_token = 0;
  if (peer != nullptr && (server_.flags & kForceNewChannel)) {
    trace("FORCE_NEW_CHANNEL: the saved connection is abandoned");
    peer->abandon_parked();
    discard_restored("FORCE_NEW_CHANNEL offers the channel anew");
    return;
  }
  ParkedConnection pc;
  if (peer == nullptr || !peer->resume(*this, pc)) {
    discard_restored("the saved guest connection is gone (the guest closed, or it was not parked here)");
    return;
  }
  for (auto& g : pc.gpadls) guest_gpadl_created(g.handle, std::move(g.ranges), g.read_only);
  trace("resumes the saved guest connection");
  connect_and_open(*peer, pc.guest_to_host, pc.host_to_guest, server_.interface_instance, /*peer_rolls_back=*/false);
}

void Channel::discard_restored(const std::string& why) {
  trace("offered as a new channel: " + why);
  // Guest transactions restored for a guest that is gone: nobody is left to answer.
  size_t dropped = pending_incoming_.size();
  while (!pending_incoming_.empty()) {
    release_incoming(*pending_incoming_.front());
    pending_incoming_.pop_front();
  }
  for (auto it = send_queue_.begin(); it != send_queue_.end();) {
    if (it->completion) {
      release_incoming(*it->completion);
      it = send_queue_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  if (dropped) sim_.log().info("{}: {} restored guest transaction(s) dropped: {}", describe(), dropped, why);
  // The server's restored transactions will never be completed: they end as on any close.
  cancel_transactions(true);
  restored_txids_.clear();
}

}  // namespace vmbsim
