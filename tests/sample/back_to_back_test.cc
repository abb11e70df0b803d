// Back to back: the sample echo client driver (C) and a KMCL server driver (the echo protocol
// served through the KMCL API) connected through the simulated bus in one process.
#include <cstring>

#include "echo_driver.h"
#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

class BackToBackTest : public KmclTest {
 protected:
  // A minimal echo VSP written against KMCL: answers version requests and echoes.
  TestChannel& start_server() {
    ChannelConfig cfg;
    cfg.server = true;
    cfg.max_packet_size = ECHO_MAX_MESSAGE;
    cfg.enable = false;
    TestChannel& s = allocate_channel(cfg);
    s.on_packet = [this](VMBPACKETCOMPLETION p, const uint8_t* b, uint32_t n) {
      ECHO_HEADER h{};
      if (n >= sizeof(h)) std::memcpy(&h, b, sizeof(h));
      std::vector<uint8_t> reply(b, b + n);
      uint32_t type = h.Type == ECHO_MSG_VERSION_REQUEST ? ECHO_MSG_VERSION_RESPONSE : ECHO_MSG_ECHO_RESPONSE;
      if (reply.size() >= 4) std::memcpy(reply.data(), &type, 4);
      ++served;
      kmcl.VmbChannelPacketComplete(p, reply.data(), static_cast<UINT32>(reply.size()));
    };
    EXPECT_EQ(kmcl.VmbChannelEnable(s.channel), STATUS_SUCCESS);
    kmcl.VmbChannelStart(s.channel);
    device.serve_with(*shim::channel(s.channel));
    return s;
  }
  int served = 0;
};

TEST_F(BackToBackTest, EchoClientTalksToAKmclServer) {
  TestChannel& server = start_server();
  ECHO_DEVICE_CONTEXT ctx;
  ASSERT_EQ(EchoDeviceAdd(shim::wdf_device(device), &ctx), STATUS_SUCCESS);
  run();
  EXPECT_EQ(ctx.Stats.NegotiatedVersion, ECHO_PROTOCOL_VERSION_2);
  ASSERT_GE(server.events.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(server.events.begin(), server.events.begin() + 3),
            (std::vector<std::string>{"Opened", "Started", "PostStarted"}));
  std::vector<uint8_t> data(500, 3);
  for (int i = 0; i < 50; ++i) ASSERT_EQ(EchoSendRequest(&ctx, data.data(), 100 + i), STATUS_SUCCESS);
  run();
  EXPECT_EQ(ctx.Stats.ResponsesOk, 50u);
  EXPECT_EQ(served, 51);  // the version request and 50 echoes
  EXPECT_TRUE(host.inbox().empty());  // the simulated host was never involved
  EchoDeviceRemove(&ctx);  // the client closes; the server's offer stands
  run();
  EXPECT_EQ(server.events.back(), "Closed");
  EXPECT_TRUE(shim::channel(server.channel)->offered());
  kmcl.VmbChannelDisable(server.channel);
  kmcl.VmbChannelCleanup(server.channel);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(BackToBackTest, ServerDisableIsARescindForTheClient) {
  TestChannel& server = start_server();
  ECHO_DEVICE_CONTEXT ctx;
  ASSERT_EQ(EchoDeviceAdd(shim::wdf_device(device), &ctx), STATUS_SUCCESS);
  run();
  server.on_packet = [](VMBPACKETCOMPLETION, const uint8_t*, uint32_t) {};  // now holds requests
  std::vector<uint8_t> data(16, 1);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(EchoSendRequest(&ctx, data.data(), 16), STATUS_SUCCESS);
  run();
  server.on_suspend = [&] {
    for (const IncomingRecord& r : server.incoming)
      if (r.bytes.size() >= 4 && r.bytes[0] == ECHO_MSG_ECHO_REQUEST) kmcl.VmbChannelPacketComplete(r.packet, nullptr, 0);
  };
  kmcl.VmbChannelDisable(server.channel);
  run();
  EXPECT_EQ(ctx.Stats.Closed, 1u);
  EXPECT_EQ(ctx.Stats.ResponsesOk + ctx.Stats.ResponsesBad + ctx.Stats.Cancelled, 5u);
  EchoDeviceRemove(&ctx);
  kmcl.VmbChannelCleanup(server.channel);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

}  // namespace
}  // namespace vmbsim::testing
