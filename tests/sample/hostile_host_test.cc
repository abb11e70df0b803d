// The sample driver under a hostile host: random packet types, flags, sizes and transaction
// ids, forged completions, and scribbles over the shared ring memory. Whatever the host does,
// the simulator must not crash, hang or lose track of the driver's packets; it reports the
// host's protocol errors (SIM-PEER) and the driver's verdict stays clean. Fixed seeds keep
// every run identical; the fuzz targets of a later issue explore further.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "echo_driver.h"
#include "echo_host.h"
#include "sim/core/simulation.h"
#include "vmbsim/shim.h"

namespace {

void run_hostile_session(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&rng](uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng); };

  vmbsim::Simulation sim;
  vmbsim::OfferSpec offer;
  vmbsim::Device& device = sim.offer(offer);
  echo::EchoHost model(device.host());
  ECHO_DEVICE_CONTEXT ctx;
  ASSERT_EQ(EchoDeviceAdd(vmbsim::shim::wdf_device(device), &ctx), STATUS_SUCCESS);
  sim.run_until_idle();
  vmbsim::HostChannel& host = device.host();
  std::vector<uint8_t> data(ECHO_MAX_DATA, 0x11);

  for (int round = 0; round < 60 && host.is_open(); ++round) {
    EchoSendRequest(&ctx, data.data(), pick(ECHO_MAX_DATA));
    switch (pick(8)) {
      case 0: {  // a packet of any type and flags
        std::vector<uint8_t> payload(pick(256));
        for (auto& b : payload) b = static_cast<uint8_t>(pick(256));
        std::vector<uint8_t> ext(8 * pick(4), static_cast<uint8_t>(pick(256)));
        vmbsim::ring::OutgoingPacket p;
        // Mostly well-formed types and flags, so sessions go deep before the ring dies.
        p.type = pick(4) ? (pick(2) ? vmbsim::ring::PacketType::DataInband : vmbsim::ring::PacketType::Completion)
                         : static_cast<vmbsim::ring::PacketType>(pick(16));
        p.flags = static_cast<uint16_t>(pick(8) ? pick(2) : pick(4));
        p.transaction_id = (uint64_t{pick(4)} << 32) | pick(8);
        p.header_ext = {ext.data(), static_cast<uint32_t>(ext.size())};
        p.payload = {payload.data(), static_cast<uint32_t>(payload.size())};
        host.send_raw(p);
        break;
      }
      case 1:  // a forged or duplicate completion
        host.complete((uint64_t{pick(3)} << 32) | pick(6), std::vector<uint8_t>(pick(64), 0x22));
        break;
      case 2: {  // now and then, a scribble over the host-to-guest ring (control page or data)
        if (pick(4)) break;
        vmbsim::ring::RingMemory ring = host.host_to_guest_ring();
        if (ring.control == nullptr) break;
        uint8_t* target = pick(2) ? ring.control : ring.data;
        uint32_t limit = target == ring.control ? 16u : ring.data_size;
        uint32_t value = static_cast<uint32_t>(rng());
        std::memcpy(target + (pick(limit) & ~3u), &value, sizeof(value));
        break;
      }
      case 3:
        host.set_draining(pick(2) == 0);
        break;
      case 4:
        model.send_notify(pick(10), pick(1000), pick(2) == 0);
        break;
      default:
        break;
    }
    sim.run_until_idle();
  }
  host.set_draining(true);
  if (pick(2)) host.rescind();
  sim.run_until_idle();
  EchoDeviceRemove(&ctx);
  sim.run_until_idle();
  sim.shutdown();

  // Every request the driver sent ended exactly once: answered, found malformed, or cancelled.
  EXPECT_EQ(ctx.Stats.RequestsSent, ctx.Stats.ResponsesOk + ctx.Stats.ResponsesBad + ctx.Stats.Cancelled)
      << "seed " << seed;
  EXPECT_TRUE(sim.verifier().clean()) << "seed " << seed << "\n" << sim.verifier().report();
}

TEST(HostileHost, DriverSurvivesRandomHostileSessions) {
  for (uint32_t seed = 1; seed <= 40; ++seed) run_hostile_session(seed);
}

}  // namespace
