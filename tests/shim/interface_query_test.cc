// Obtaining the KMCL tables the way Windows 10 1803+ drivers do (kmcl-api.md §1.3, §5).
#include <cstddef>

#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

NTSTATUS query(Device& d, const GUID* type, void* table, USHORT size, USHORT version) {
  return WdfFdoQueryForInterface(shim::wdf_device(d), type, static_cast<PINTERFACE>(table), size, version, nullptr);
}

TEST_F(KmclTest, ClientTableIsFilledAndReferenced) {
  KMCL_CLIENT_INTERFACE_V1 t;
  std::memset(&t, 0xAB, sizeof(t));
  ASSERT_EQ(query(device, &KMCL_CLIENT_INTERFACE_TYPE, &t, sizeof(t), KMCL_CLIENT_INTERFACE_VERSION_V1), STATUS_SUCCESS);
  EXPECT_EQ(t.Size, sizeof(KMCL_CLIENT_INTERFACE_V1));
  EXPECT_EQ(t.Version, 1);
  EXPECT_EQ(t.Context, device.handle());
  // Every one of the 41 entries is set, and each is the direct-call export.
  const void* const* slots = reinterpret_cast<const void* const*>(reinterpret_cast<const uint8_t*>(&t) + 0x20);
  for (int i = 0; i < 41; ++i) EXPECT_NE(slots[i], nullptr) << "slot " << i + 1;
  EXPECT_EQ(t.VmbChannelAllocate, &VmbChannelAllocate);
  EXPECT_EQ(t.VmbPacketSetPointer, &VmbPacketSetPointer);
  EXPECT_EQ(device.interface_refs(), 2u);  // the fixture's query and this one
  t.InterfaceDereference(t.Context);
  EXPECT_EQ(device.interface_refs(), 1u);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(KmclTest, LatestVersionIsAccepted) {
  KMCL_CLIENT_INTERFACE_V1 t{};
  EXPECT_EQ(query(device, &KMCL_CLIENT_INTERFACE_TYPE, &t, sizeof(t), KMCL_CLIENT_INTERFACE_VERSION_LATEST),
            STATUS_SUCCESS);
  EXPECT_EQ(t.Version, KMCL_CLIENT_INTERFACE_VERSION_LATEST);
}

TEST_F(KmclTest, ServerTableAppendsTheServerOnlyMethods) {
  KMCL_SERVER_INTERFACE_V1 t{};
  ASSERT_EQ(query(device, &KMCL_SERVER_INTERFACE_TYPE, &t, sizeof(t), KMCL_SERVER_INTERFACE_VERSION_V1), STATUS_SUCCESS);
  EXPECT_EQ(t.Size, sizeof(KMCL_SERVER_INTERFACE_V1));
  EXPECT_EQ(t.VmbPacketAllocate, &VmbPacketAllocate);
  EXPECT_EQ(t.VmbChannelMapGpadl, &VmbChannelMapGpadl);
  EXPECT_EQ(t.VmbServerChannelInitSetVmbusHandle, &VmbServerChannelInitSetVmbusHandle);
  // The server table drives a server channel end to end.
  VMBCHANNEL ch = nullptr;
  ASSERT_EQ(t.VmbChannelAllocate(shim::device_object(device), TRUE, &ch), STATUS_SUCCESS);
  EXPECT_EQ(t.VmbServerChannelInitSetFlags(ch, VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE), STATUS_SUCCESS);
  EXPECT_EQ(t.VmbChannelEnable(ch), STATUS_SUCCESS);
  EXPECT_TRUE(shim::channel(ch)->offered());
  t.VmbChannelStart(ch);
  t.VmbChannelDisable(ch);
  t.VmbChannelCleanup(ch);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(KmclTest, UnknownInterfaceGuidIsNotSupported) {
  GUID other = KMCL_CLIENT_INTERFACE_TYPE;
  other.Data1 ^= 1;
  KMCL_CLIENT_INTERFACE_V1 t{};
  EXPECT_EQ(query(device, &other, &t, sizeof(t), 1), STATUS_NOT_SUPPORTED);
  EXPECT_EQ(t.VmbChannelAllocate, nullptr);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();  // asking is not misuse
}

TEST_F(KmclTest, ServerTableDoesNotFitInAClientSizedBuffer) {
  KMCL_SERVER_INTERFACE_V1 t{};
  EXPECT_EQ(query(device, &KMCL_SERVER_INTERFACE_TYPE, &t, sizeof(KMCL_CLIENT_INTERFACE_V1), 1),
            STATUS_BUFFER_TOO_SMALL);
  EXPECT_EQ(violations(1), 1u) << findings();
}

TEST_F(KmclTest, DereferencingOnceTooOftenIsRule1) {
  kmcl.InterfaceDereference(kmcl.Context);  // balances the fixture's query
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
  kmcl.InterfaceDereference(kmcl.Context);
  EXPECT_EQ(violations(1), 1u) << findings();
}

TEST_F(KmclTest, WdmDeviceObjectIsWhatVmbChannelAllocateTakes) {
  PDEVICE_OBJECT pdo = WdfDeviceWdmGetDeviceObject(shim::wdf_device(device));
  ASSERT_NE(pdo, nullptr);
  VMBCHANNEL ch = nullptr;
  ASSERT_EQ(VmbChannelAllocate(pdo, FALSE, &ch), STATUS_SUCCESS);  // direct call, as with Vmbkmcl.lib
  EXPECT_EQ(VmbPacketGetChannel(VmbPacketAllocate(ch)), ch);
  VmbChannelCleanup(ch);
}

TEST_F(KmclTest, GarbageDeviceHandleIsReportedNotFollowed) {
  uint64_t not_a_device[4] = {};
  EXPECT_EQ(WdfDeviceWdmGetDeviceObject(reinterpret_cast<WDFDEVICE>(not_a_device)), nullptr);
  EXPECT_EQ(violations(2), 1u) << findings();
}

}  // namespace
}  // namespace vmbsim::testing
