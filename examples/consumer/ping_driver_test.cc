// The ping driver in a GoogleTest test, on the vmbsim::testing fixture: the fixture offers a
// device and plays its host; the driver's own code runs unchanged against it.
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "ping_driver.h"
#include "vmbsim/testing/kmcl_test.h"

namespace {

class PingDriverTest : public vmbsim::testing::KmclTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(PingDriverAdd(vmbsim::shim::wdf_device(device), &driver), STATUS_SUCCESS);
    run();
    ASSERT_TRUE(host.is_open());
  }
  void TearDown() override {
    PingDriverRemove(&driver);
    run();
    EXPECT_TRUE(sim.verifier().clean()) << findings();
  }

  static std::vector<uint8_t> bytes(const PING_MESSAGE& m) {
    std::vector<uint8_t> b(sizeof(m));
    std::memcpy(b.data(), &m, sizeof(m));
    return b;
  }

  PING_DRIVER driver{};
};

TEST_F(PingDriverTest, PingIsAnsweredWithPong) {
  ASSERT_EQ(PingDriverSend(&driver, 41), STATUS_SUCCESS);
  run();

  ASSERT_EQ(host.inbox().size(), 1u);
  vmbsim::HostPacket packet = host.take_packet();
  EXPECT_TRUE(packet.completion_requested());
  ASSERT_EQ(packet.payload.size(), sizeof(PING_MESSAGE));
  PING_MESSAGE ping;
  std::memcpy(&ping, packet.payload.data(), sizeof(ping));
  EXPECT_EQ(ping.Type, PING_MSG_PING);
  EXPECT_EQ(ping.Value, 41u);

  host.complete(packet.transaction_id, bytes(PING_MESSAGE{PING_MSG_PONG, ping.Value + 1}));
  run();
  EXPECT_EQ(driver.Answered, 1u);
  EXPECT_EQ(driver.Failed, 0u);
  EXPECT_EQ(driver.LastValue, 42u);
}

TEST_F(PingDriverTest, ReplyThatIsNotAPongIsAFailure) {
  ASSERT_EQ(PingDriverSend(&driver, 7), STATUS_SUCCESS);
  run();
  vmbsim::HostPacket packet = host.take_packet();
  host.complete(packet.transaction_id, bytes(PING_MESSAGE{PING_MSG_PING, 8}));
  run();
  EXPECT_EQ(driver.Answered, 0u);
  EXPECT_EQ(driver.Failed, 1u);
}

}  // namespace
