// The hostile host: everything a host can do to a client driver's channel, in any order.
#include "fuzz/harness/session.h"
#include "sim/core/host_channel.h"

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

  void perform_side(const Action& a) override {
    HostChannel& h = *host_;
    switch (a.kind) {
      case ActionKind::Send:
        h.send(render(a.payload, nullptr), (a.flags & 1u) != 0);
        break;
      case ActionKind::RawPacket:
        write_raw(static_cast<ring::PacketType>(a.type), a.flags, a.value, {}, render(a.payload, nullptr));
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
      default:
        break;  // done by Session::perform
    }
  }

  HostChannel* host_ = nullptr;
};

}  // namespace

std::unique_ptr<Session> make_client_session(const Target& target, const SessionOptions& options) {
  return std::make_unique<ClientSession>(target, options);
}

}  // namespace vmbsim::fuzz
