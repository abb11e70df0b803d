// The hostile guest: everything a guest can do to a server driver's channel. It opens the offer
// as soon as the driver has made one, shares one buffer as a GPADL (the first handle a guest gets,
// 0x1000, so protocol templates can name it), and then acts: in-band and GPA-direct requests with
// any bytes, ranges the guest never pinned, completions for any transaction id, malformed
// descriptors, closes and reopens.
#include <cstring>

#include "fuzz/harness/session.h"
#include "sim/core/channel.h"
#include "sim/core/guest_endpoint.h"
#include "sim/ring/ring_writer.h"

namespace vmbsim::fuzz {

namespace {

// Guest memory: page aligned, never moved while the server may map it.
struct GuestBuffer {
  explicit GuestBuffer(uint32_t n) : storage(n + 4096), size(n) {
    auto addr = reinterpret_cast<uintptr_t>(storage.data());
    data = storage.data() + ((4096 - addr % 4096) % 4096);
  }
  std::vector<uint8_t> storage;
  uint8_t* data = nullptr;
  uint32_t size = 0;
};

class ServerSession : public Session {
 public:
  using Session::Session;

 private:
  Device& set_up() override {
    Device& d = sim_.offer(target_.offer);
    guest_ = std::make_unique<GuestEndpoint>(sim_, "guest");
    if (recorder_) guest_->set_observer(recorder_);
    guest_->on_packet([this](GuestEndpoint&, const HostPacket& p) {
      if (p.completion_requested()) driver_packets_.push_back(p);
    });
    guest_->on_completion([](GuestEndpoint&, const GuestCompletion&) {});
    return d;
  }

  void driver_loaded() override { open(); }

  Endpoint* peer() override { return guest_.get(); }

  void open() {
    Channel* offer = nullptr;
    for (const auto& c : sim_.channels())
      if (c->offered()) offer = c.get();
    if (offer == nullptr || guest_->is_open()) return;
    if (!succeeded(guest_->open(*offer, target_.guest_ring_pages))) return;
    opened_once_ = true;
    // A fresh, zeroed buffer per connection (the last one may still be mapped while the server
    // tears down; guest memory is pinned until then).
    buffers_.push_back(std::make_unique<GuestBuffer>(target_.guest_buffer_bytes));
    guest_->create_gpadl(buffers_.back()->data, buffers_.back()->size);
  }

  // The driver may make its offer only after its entry returned.
  void before_action() override {
    if (!opened_once_) open();
  }

  void perform_side(const Action& a) override {
    GuestEndpoint& g = *guest_;
    switch (a.kind) {
      case ActionKind::Send: {
        if (!g.is_open()) break;
        std::vector<uint8_t> bytes = render(a.payload, nullptr);
        if (a.flags & 2u) {
          // A request with external data: a fresh buffer the guest pins for this transaction.
          buffers_.push_back(std::make_unique<GuestBuffer>(kGuestExternalSizes[(a.flags >> 2) & 3u]));
          GuestBuffer& b = *buffers_.back();
          std::memset(b.data, static_cast<int>(a.flags), b.size);
          g.send_gpa_direct(bytes.data(), static_cast<uint32_t>(bytes.size()), b.data, b.size);
        } else {
          g.send(bytes, (a.flags & 1u) != 0);
        }
        break;
      }
      case ActionKind::RawPacket: {
        // For GPA-direct (9) the first half of the bytes is the range list: ranges the guest never
        // pinned, byte counts of 0, offsets past a page, counts larger than the list.
        std::vector<uint8_t> bytes = render(a.payload, nullptr);
        std::vector<uint8_t> header;
        if (a.type == 9) {
          size_t n = (bytes.size() / 2) & ~size_t{7};
          header.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
          bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
        }
        write_raw(static_cast<ring::PacketType>(a.type), a.flags, a.value, header, bytes);
        break;
      }
      case ActionKind::Close:
        if (g.is_open()) {
          g.close();
          driver_packets_.clear();
        }
        break;
      case ActionKind::Rescind:  // a guest cannot rescind: it opens the channel again instead
        open();
        break;
      default:
        break;  // done by Session::perform
    }
  }

  void tear_down() override {
    // The guest's memory goes last: the server has been removed, nothing maps it any more.
    guest_.reset();
  }

  std::unique_ptr<GuestEndpoint> guest_;
  bool opened_once_ = false;
  std::vector<std::unique_ptr<GuestBuffer>> buffers_;
};

}  // namespace

std::unique_ptr<Session> make_server_session(const Target& target, const SessionOptions& options) {
  return std::make_unique<ServerSession>(target, options);
}

}  // namespace vmbsim::fuzz
