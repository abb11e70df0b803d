// The hostile host: everything a host can do to a client driver's channel, in any order.
#include <cstring>

#include "fuzz/harness/session.h"
#include "sim/core/channel.h"
#include "sim/core/host_channel.h"
#include "sim/ring/ring_layout.h"
#include "sim/ring/ring_writer.h"

namespace vmbsim::fuzz {

namespace {

class ClientSession : public Session {
 public:
  using Session::Session;

 private:
  Device& set_up() override {
    Device& d = sim_.offer(target_.offer);
    host_ = &d.host();
    if (recorder_) host_->set_observer(recorder_);
    host_->on_packet([this](HostChannel&, const HostPacket& p) {
      if (p.completion_requested()) driver_packets_.push_back(p);
    });
    // The driver's completions of the host's packets: nothing to check beyond what the
    // verifier and the sanitizers see; they are dropped.
    host_->on_completion([](HostChannel&, const GuestCompletion&) {});
    return d;
  }

  Endpoint* peer() override { return host_; }

  VirtualTime perform(const Action& a) override {
    HostChannel& h = *host_;
    switch (a.kind) {
      case ActionKind::Complete:
      case ActionKind::CompleteLater: {
        if (driver_packets_.empty()) return kNotYet;
        auto it = driver_packets_.begin() + static_cast<std::ptrdiff_t>(a.index % driver_packets_.size());
        HostPacket p = std::move(*it);
        driver_packets_.erase(it);
        std::vector<uint8_t> bytes = render(a.payload, &p.payload);
        answered_.push_back(p.transaction_id);
        if (a.kind == ActionKind::Complete)
          h.complete(p.transaction_id, bytes, a.status);
        else
          h.complete_after(static_cast<VirtualTime>(a.value), p.transaction_id, std::move(bytes), a.status);
        break;
      }
      case ActionKind::Send:
        h.send(render(a.payload, nullptr), (a.flags & 1u) != 0);
        break;
      case ActionKind::CompleteRaw: {
        uint64_t txid = a.value;
        if (a.index == 0) txid = 0;
        if (a.index == 1) txid = answered_.empty() ? 0 : answered_[a.value % answered_.size()];
        if (a.index == 2) txid = driver_packets_.empty() ? 0 : driver_packets_[a.value % driver_packets_.size()].transaction_id;
        write_raw(ring::PacketType::Completion, 0, txid, render(a.payload, nullptr));
        break;
      }
      case ActionKind::RawPacket:
        write_raw(static_cast<ring::PacketType>(a.type), a.flags, a.value, render(a.payload, nullptr));
        break;
      case ActionKind::Malformed:
        h.write_malformed(a.payload.raw.data(), static_cast<uint32_t>(a.payload.raw.size()));
        break;
      case ActionKind::CorruptIndex:
        if (h.corrupt_index(a.index == 1, static_cast<uint32_t>(a.value)) && recorder_)
          recorder_->corrupt_index(a.index == 1, static_cast<uint32_t>(a.value));
        break;
      case ActionKind::Advance: return static_cast<VirtualTime>(a.value);
      case ActionKind::StopDraining: h.set_draining(false); break;
      case ActionKind::ResumeDraining: h.set_draining(true); break;
      case ActionKind::FailAllocations:
        if (recorder_) {
          recorder_->fail_allocations_left(sim_.pending_allocation_failures());
          recorder_->fail_allocations(static_cast<uint32_t>(a.value));
        }
        sim_.fail_packet_allocations(static_cast<uint32_t>(a.value));
        break;
      case ActionKind::Close:
        if (h.is_open()) {
          h.close();
          driver_packets_.clear();
        }
        break;
      case ActionKind::Rescind:
        if (h.is_offered()) {
          h.rescind();
          driver_packets_.clear();
        }
        break;
      case ActionKind::DriverCommand: break;  // the session issues commands itself
    }
    return 0;
  }

  void write_raw(ring::PacketType type, uint16_t flags, uint64_t txid, const std::vector<uint8_t>& bytes) {
    ring::OutgoingPacket p;
    p.type = type;
    p.flags = flags;
    p.transaction_id = txid;
    p.payload = {bytes.data(), static_cast<uint32_t>(bytes.size())};
    host_->send_raw(p);
  }

  HostChannel* host_ = nullptr;
};

}  // namespace

std::unique_ptr<Session> make_client_session(const Target& target, const SessionOptions& options) {
  return std::make_unique<ClientSession>(target, options);
}

}  // namespace vmbsim::fuzz
