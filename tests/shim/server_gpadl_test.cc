// A server mapping the GPADLs its guest created (kmcl-api.md §1.7, §3.6.4-3.6.5, rules 30-34).
#include <cstring>
#include <memory>

#include <wdm.h>

#include "sim/core/guest_endpoint.h"
#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

struct alignas(4096) Pages {
  uint8_t bytes[3 * 4096];
};

class ServerGpadlTest : public KmclTest {
 protected:
  void SetUp() override {
    ChannelConfig cfg;
    cfg.server = true;
    ch = &open_channel(cfg);
    kmcl.VmbChannelStart(ch->channel);
    ASSERT_EQ(guest->open(*shim::channel(ch->channel)), STATUS_SUCCESS);
    run();
  }
  TestChannel* ch = nullptr;
  std::unique_ptr<GuestEndpoint> guest = std::make_unique<GuestEndpoint>(sim);
  std::unique_ptr<Pages> buf = std::make_unique<Pages>();
};

TEST_F(ServerGpadlTest, MapGivesAnMdlOverTheGuestPages) {
  std::memcpy(buf->bytes + 100, "from the guest", 14);
  uint32_t g = guest->create_gpadl(buf->bytes + 100, 2 * 4096);
  ASSERT_NE(g, 0u);
  PMDL mdl = nullptr;
  KMCL_SERVER_INTERFACE_V1 server{};
  ASSERT_EQ(WdfFdoQueryForInterface(shim::wdf_device(device), &KMCL_SERVER_INTERFACE_TYPE,
                                    reinterpret_cast<PINTERFACE>(&server), sizeof(server), 1, nullptr),
            STATUS_SUCCESS);
  ASSERT_EQ(server.VmbChannelMapGpadl(ch->channel, 0, g, &mdl), STATUS_SUCCESS);
  ASSERT_NE(mdl, nullptr);
  EXPECT_EQ(MmGetMdlByteCount(mdl), 2u * 4096);
  EXPECT_EQ(MmGetMdlByteOffset(mdl), 100u);
  EXPECT_EQ(mdl->StartVa, nullptr);  // no VA until the server maps it
  auto* va = static_cast<char*>(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
  ASSERT_NE(va, nullptr);
  EXPECT_EQ(std::memcmp(va, "from the guest", 14), 0);
  std::memcpy(va + 20, "server", 6);
  EXPECT_EQ(std::memcmp(buf->bytes + 120, "server", 6), 0);
  EXPECT_FALSE(guest->delete_gpadl(g));  // still mapped: the guest has to wait
  server.VmbChannelUnmapGpadl(ch->channel, g);
  EXPECT_TRUE(guest->delete_gpadl(g));
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(ServerGpadlTest, Rules30To33) {
  KMCL_SERVER_INTERFACE_V1 server{};
  ASSERT_EQ(WdfFdoQueryForInterface(shim::wdf_device(device), &KMCL_SERVER_INTERFACE_TYPE,
                                    reinterpret_cast<PINTERFACE>(&server), sizeof(server), 1, nullptr),
            STATUS_SUCCESS);
  PMDL mdl = nullptr;
  EXPECT_EQ(server.VmbChannelMapGpadl(ch->channel, 0, 0x9999, &mdl), STATUS_INVALID_PARAMETER);  // rule 30
  uint32_t g = guest->create_gpadl(buf->bytes, 4096);
  uint32_t ro = guest->create_gpadl(buf->bytes + 4096, 4096, /*read_only=*/true);
  ASSERT_EQ(server.VmbChannelMapGpadl(ch->channel, 0, g, &mdl), STATUS_SUCCESS);
  PMDL again = nullptr;
  EXPECT_EQ(server.VmbChannelMapGpadl(ch->channel, 0, g, &again), STATUS_DEVICE_BUSY);  // rule 31
  PMDL ro_mdl = nullptr;
  EXPECT_EQ(server.VmbChannelMapGpadl(ch->channel, 0, ro, &ro_mdl), STATUS_ACCESS_DENIED);  // rule 32
  EXPECT_EQ(server.VmbChannelMapGpadl(ch->channel, VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY, ro, &ro_mdl), STATUS_SUCCESS);
  server.VmbChannelUnmapGpadl(ch->channel, g);
  server.VmbChannelUnmapGpadl(ch->channel, g);  // rule 33
  server.VmbChannelUnmapGpadl(ch->channel, ro);
  EXPECT_EQ(violations(30), 1u) << findings();
  EXPECT_EQ(violations(31), 1u) << findings();
  EXPECT_EQ(violations(32), 1u) << findings();
  EXPECT_EQ(violations(33), 1u) << findings();
}

TEST_F(ServerGpadlTest, Rule34_MappingLeftWhenTheGuestCloses) {
  KMCL_SERVER_INTERFACE_V1 server{};
  ASSERT_EQ(WdfFdoQueryForInterface(shim::wdf_device(device), &KMCL_SERVER_INTERFACE_TYPE,
                                    reinterpret_cast<PINTERFACE>(&server), sizeof(server), 1, nullptr),
            STATUS_SUCCESS);
  uint32_t g = guest->create_gpadl(buf->bytes, 4096);
  PMDL mdl = nullptr;
  ASSERT_EQ(server.VmbChannelMapGpadl(ch->channel, 0, g, &mdl), STATUS_SUCCESS);
  guest->close();
  run();
  EXPECT_EQ(violations(34), 1u) << findings();  // the MDL is freed with the connection (ASan)
}

}  // namespace
}  // namespace vmbsim::testing

namespace vmbsim::testing {
namespace {

// External data arriving at a server: the guest sends a GPA-direct packet, ProcessPacket sees
// VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA, VmbChannelPacketGetExternalData gives an MDL
// over the guest's pages until the packet is completed.
TEST_F(ServerGpadlTest, ServerReadsAndWritesTheGuestsExternalData) {
  std::memcpy(buf->bytes + 50, "guest data", 10);
  NTSTATUS got = STATUS_UNSUCCESSFUL;
  UINT32 flags_seen = 0;
  ch->on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    flags_seen = ch->incoming.back().flags;
    PMDL mdl = nullptr;
    got = kmcl.VmbChannelPacketGetExternalData(p, 0, &mdl);
    PMDL again = nullptr;
    kmcl.VmbChannelPacketGetExternalData(p, 0, &again);
    EXPECT_EQ(mdl, again);  // the same MDL until completion
    ASSERT_NE(mdl, nullptr);
    EXPECT_EQ(MmGetMdlByteCount(mdl), 5000u);
    auto* va = static_cast<char*>(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
    ASSERT_NE(va, nullptr);
    EXPECT_EQ(std::memcmp(va, "guest data", 10), 0);
    std::memcpy(va + 4990, "reply", 5);  // a "read" served into the guest's buffer
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  uint8_t cmd[8] = {1};
  uint64_t txid = guest->send_gpa_direct(cmd, sizeof(cmd), buf->bytes + 50, 5000);
  ASSERT_NE(txid, 0u);
  run();
  EXPECT_EQ(got, STATUS_SUCCESS);
  EXPECT_EQ(flags_seen, VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA);
  EXPECT_EQ(std::memcmp(buf->bytes + 50 + 4990, "reply", 5), 0);
  ASSERT_EQ(guest->completions().size(), 1u);
  EXPECT_EQ(guest->take_completion().transaction_id, txid);
  EXPECT_FALSE(sim.guest_memory().pinned(sim.guest_memory().pfn_for(buf->bytes)));  // released
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(ServerGpadlTest, GpaDirectOverUnpinnedMemoryIsAPeerError) {
  // A hostile guest describes pages it never pinned: the packet never reaches the driver.
  std::vector<uint8_t> header;
  ring::GpaRange r{64, 0, {sim.guest_memory().pfn_for(buf->bytes)}};
  ring::encode_gpa_ranges({r}, header);
  ring::OutgoingPacket p;
  p.type = ring::PacketType::DataUsingGpaDirect;
  p.flags = ring::kFlagCompletionRequested;
  p.transaction_id = 5;
  p.header_ext = {header.data(), static_cast<uint32_t>(header.size())};
  guest->send_raw(p);
  run();
  EXPECT_TRUE(ch->incoming.empty());
  EXPECT_EQ(sim.verifier().count(Diagnostic::PeerError), 1u) << findings();
}

}  // namespace
}  // namespace vmbsim::testing

namespace vmbsim::testing {
namespace {

TEST_F(ServerGpadlTest, Rule27_ServerCreatesAndDeletesAGpadl) {
  UINT32 g = 0;
  ASSERT_EQ(kmcl.VmbChannelCreateGpadlFromBuffer(ch->channel, 0, buf->bytes, 64, &g), STATUS_SUCCESS);
  kmcl.VmbChannelDeleteGpadl(ch->channel, g);
  EXPECT_EQ(violations(27), 2u) << findings();
  EXPECT_TRUE(sim.verifier().clean()) << findings();  // warnings
}

}  // namespace
}  // namespace vmbsim::testing

namespace vmbsim::testing {
namespace {

TEST_F(ServerGpadlTest, PendingExternalDataIsDeliveredAgainAtPassive) {
  sim.make_external_data_pending(1);
  std::vector<NTSTATUS> results;
  ch->on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    PMDL mdl = nullptr;
    NTSTATUS s = kmcl.VmbChannelPacketGetExternalData(p, 0, &mdl);
    results.push_back(s);
    if (s == STATUS_PENDING) return;  // as the docs require
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  uint8_t cmd[8] = {};
  guest->send_gpa_direct(cmd, sizeof(cmd), buf->bytes, 100);
  run();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0], STATUS_PENDING);
  EXPECT_EQ(results[1], STATUS_SUCCESS);
  ASSERT_EQ(ch->incoming.size(), 2u);
  EXPECT_EQ(ch->incoming[0].packet, ch->incoming[1].packet);  // the same packet, again
  EXPECT_EQ(ch->incoming[1].irql, Irql::Passive);
  EXPECT_EQ(guest->completions().size(), 1u);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(ServerGpadlTest, Rule57_CompletingAfterPending) {
  sim.make_external_data_pending(1);
  ch->on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    PMDL mdl = nullptr;
    kmcl.VmbChannelPacketGetExternalData(p, 0, &mdl);
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);  // should have returned instead
  };
  uint8_t cmd[8] = {};
  guest->send_gpa_direct(cmd, sizeof(cmd), buf->bytes, 100);
  run();
  EXPECT_EQ(violations(57), 1u) << findings();
  EXPECT_EQ(ch->incoming.size(), 1u);  // completed, so not delivered again
}

TEST_F(ServerGpadlTest, Rule59_ExternalDataMdlUsedAfterCompletion) {
  PMDL kept = nullptr;
  ch->on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    kmcl.VmbChannelPacketGetExternalData(p, 0, &kept);
    ASSERT_NE(MmGetSystemAddressForMdlSafe(kept, NormalPagePriority), nullptr);
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  uint8_t cmd[8] = {};
  guest->send_gpa_direct(cmd, sizeof(cmd), buf->bytes, 100);
  run();
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(violations(59), 0u);
  // The driver kept the MDL past completion: the bytes are gone, and each use is reported.
  EXPECT_EQ(MmGetSystemAddressForMdlSafe(kept, NormalPagePriority), nullptr);
  EXPECT_EQ(MmGetMdlByteCount(kept), 0u);
  EXPECT_EQ(violations(59), 2u) << findings();
}

TEST_F(ServerGpadlTest, Rule59_DriverFreesTheExternalDataMdl) {
  ch->on_packet = [&](VMBPACKETCOMPLETION p, const uint8_t*, uint32_t) {
    PMDL mdl = nullptr;
    kmcl.VmbChannelPacketGetExternalData(p, 0, &mdl);
    IoFreeMdl(mdl);  // not the driver's to free: refused
    kmcl.VmbChannelPacketComplete(p, nullptr, 0);
  };
  uint8_t cmd[8] = {};
  guest->send_gpa_direct(cmd, sizeof(cmd), buf->bytes, 100);
  run();
  EXPECT_EQ(violations(59), 1u) << findings();
  EXPECT_EQ(guest->completions().size(), 1u);
}

TEST_F(ServerGpadlTest, DriverOwnMdlsAreNotExternalData) {
  PMDL own = IoAllocateMdl(buf->bytes, 100, FALSE, FALSE, nullptr);
  MmBuildMdlForNonPagedPool(own);
  EXPECT_EQ(MmGetMdlByteCount(own), 100u);
  IoFreeMdl(own);
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

}  // namespace
}  // namespace vmbsim::testing
