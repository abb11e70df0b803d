// Server (VSP) channels: allocation and the server-only initialisation calls (kmcl-api.md §3.3,
// rules 3, 4, 5, 9, 10).
#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

class ServerInitTest : public KmclTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(WdfFdoQueryForInterface(shim::wdf_device(device), &KMCL_SERVER_INTERFACE_TYPE,
                                      reinterpret_cast<PINTERFACE>(&server), sizeof(server),
                                      KMCL_SERVER_INTERFACE_VERSION_V1, nullptr),
              STATUS_SUCCESS);
    ASSERT_EQ(server.VmbChannelAllocate(shim::device_object(device), TRUE, &ch), STATUS_SUCCESS);
  }
  void TearDown() override {
    server.VmbChannelDisable(ch);
    server.VmbChannelCleanup(ch);
  }
  KMCL_SERVER_INTERFACE_V1 server{};
  VMBCHANNEL ch = nullptr;
};

TEST_F(ServerInitTest, ValidConfigurationIsAccepted) {
  GUID type = KMCL_CLIENT_INTERFACE_TYPE, instance = KMCL_SERVER_INTERFACE_TYPE;  // any two GUIDs
  EXPECT_EQ(server.VmbServerChannelInitSetFlags(ch, VMBUS_SERVER_CHANNEL_INIT_FLAGS), STATUS_SUCCESS);
  EXPECT_EQ(server.VmbServerChannelInitSetTargetInterfaceId(ch, type, instance), STATUS_SUCCESS);
  EXPECT_EQ(server.VmbServerChannelInitSetMmioMegabytes(ch, 4, 2), STATUS_SUCCESS);
  EXPECT_EQ(server.VmbServerChannelInitSetTargetVtl(ch, 2), STATUS_SUCCESS);
  HANDLE kernel = nullptr;
  ASSERT_EQ(server.VmbConvertVmbusHandleToKernelHandle(reinterpret_cast<HANDLE>(0x44), &kernel), STATUS_SUCCESS);
  EXPECT_NE(kernel, nullptr);
  EXPECT_EQ(server.VmbServerChannelInitSetVmbusHandle(ch, kernel), STATUS_SUCCESS);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(ServerInitTest, Rule10_InvalidServerArguments) {
  EXPECT_EQ(server.VmbServerChannelInitSetFlags(ch, 0x20), STATUS_INVALID_PARAMETER_2);
  EXPECT_EQ(server.VmbServerChannelInitSetMmioMegabytes(ch, 0, 0), STATUS_INVALID_PARAMETER);
  EXPECT_EQ(server.VmbServerChannelInitSetTargetVtl(ch, 3), STATUS_INVALID_PARAMETER_2);
  EXPECT_EQ(server.VmbServerChannelInitSetSaveRestorePacketCallbacks(ch, nullptr, nullptr), STATUS_INVALID_PARAMETER_2);
  EXPECT_EQ(violations(10), 4u) << findings();
}

TEST_F(ServerInitTest, Rule4_ClientOnlyInitOnAServerChannel) {
  EXPECT_EQ(server.VmbClientChannelInitSetRingBufferPageCount(ch, 4, 4), STATUS_INVALID_PARAMETER_1);
  EXPECT_EQ(violations(4), 1u) << findings();
}

TEST_F(ServerInitTest, Rule5_VmbusHandleNotFromTheConversion) {
  EXPECT_EQ(server.VmbServerChannelInitSetVmbusHandle(ch, reinterpret_cast<HANDLE>(0x1234)), STATUS_INVALID_PARAMETER_2);
  EXPECT_EQ(violations(5), 1u) << findings();
}

TEST_F(ServerInitTest, Rule9_ServerInitAfterTheOffer) {
  ASSERT_EQ(server.VmbChannelEnable(ch), STATUS_SUCCESS);
  server.VmbChannelStart(ch);
  EXPECT_EQ(server.VmbServerChannelInitSetFlags(ch, 0), STATUS_INVALID_PARAMETER_1);
  EXPECT_EQ(violations(9), 1u) << findings();
}

TEST_F(KmclTest, GetMmioSpaceReportsTheOffersReservation) {
  OfferSpec spec = default_test_offer();
  spec.mmio_megabytes = 8;
  spec.mmio_megabytes_optional = 8;
  Device& d = sim.offer(spec);
  VMBCHANNEL c = nullptr;
  ASSERT_EQ(kmcl.VmbChannelAllocate(shim::device_object(d), FALSE, &c), STATUS_SUCCESS);
  UINT64 base = 1, size = 1;
  kmcl.VmbChannelGetMmioSpace(c, &base, &size);  // before EvtChannelOpened: rule 20, empty
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(violations(20), 1u);
  ASSERT_EQ(kmcl.VmbChannelEnable(c), STATUS_SUCCESS);
  run();
  kmcl.VmbChannelGetMmioSpace(c, &base, &size);
  EXPECT_EQ(size, 16u << 20);
  EXPECT_NE(base, 0u);
  kmcl.VmbChannelDisable(c);
  kmcl.VmbChannelCleanup(c);
}

}  // namespace
}  // namespace vmbsim::testing
