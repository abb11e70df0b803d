// Back to back: the C storage client (examples/storage_driver) against the C storage server
// (examples/storage_server) through the simulated bus, doing the I/O storage_driver_test.cc
// does against the C++ host model.
#include <cstring>
#include <memory>

#include "storage_driver.h"
#include "storage_server.h"
#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

struct alignas(4096) IoBuffer {
  uint8_t bytes[64 * 1024];
};

class StorageBackToBackTest : public KmclTest {
 protected:
  void SetUp() override {
    // Every byte of the client's external buffers is checked (rule 48): the server's writes
    // through a writable external-data MDL are legitimate and must not count against it.
    sim.set_external_buffer_check(ExternalBufferCheck::Full);
    ASSERT_EQ(StorServerAdd(shim::wdf_device(device), 1024, &srv), STATUS_SUCCESS);
    device.serve_with(*shim::channel(srv.Channel));
    connect_client();
  }
  void connect_client() {
    cli = std::make_unique<STOR_DEVICE_CONTEXT>();
    ASSERT_EQ(StorDeviceAdd(shim::wdf_device(device), cli.get()), STATUS_SUCCESS);
    run();
  }
  void remove_and_check_clean() {
    StorDeviceRemove(cli.get());
    run();
    EXPECT_EQ(srv.Stats.Closed, 1u);
    EXPECT_EQ(srv.StatusPageMdl, nullptr);  // unmapped in the server's EvtChannelClosed
    EXPECT_TRUE(shim::channel(srv.Channel)->offered());
    StorServerRemove(&srv);
    sim.shutdown();
    EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
  }

  STOR_SERVER_CONTEXT srv{};
  std::unique_ptr<STOR_DEVICE_CONTEXT> cli;
  std::unique_ptr<IoBuffer> a = std::make_unique<IoBuffer>(), b = std::make_unique<IoBuffer>();
};

TEST_F(StorageBackToBackTest, InitSharesTheStatusPageThroughAGpadl) {
  EXPECT_EQ(cli->Stats.InitStatus, STATUS_SUCCESS);
  EXPECT_NE(cli->StatusPageGpadl, 0u);
  EXPECT_EQ(srv.StatusPageGpadl, cli->StatusPageGpadl);
  EXPECT_EQ(srv.Stats.Inits, 1u);
  EXPECT_EQ(StorStatusPage(cli.get())->Magic, STOR_STATUS_MAGIC);  // written by the server
  EXPECT_EQ(StorStatusPage(cli.get())->DiskSectors, 1024u);
  EXPECT_TRUE(host.inbox().empty());  // the simulated host was never involved
  remove_and_check_clean();
}

TEST_F(StorageBackToBackTest, WritesThenReadsBackThroughGuestMemory) {
  for (size_t i = 0; i < sizeof(a->bytes); ++i) a->bytes[i] = static_cast<uint8_t>(i * 13 + 7);
  ASSERT_EQ(StorSubmitIo(cli.get(), TRUE, 10, 128, a->bytes), STATUS_SUCCESS);
  run();
  EXPECT_EQ(std::memcmp(StorServerDisk(&srv) + 10 * 512, a->bytes, 64 * 1024), 0);
  ASSERT_EQ(StorSubmitIo(cli.get(), FALSE, 10, 128, b->bytes), STATUS_SUCCESS);
  run();
  EXPECT_EQ(std::memcmp(a->bytes, b->bytes, sizeof(a->bytes)), 0);
  EXPECT_EQ(cli->Stats.IosSucceeded, 2u);
  EXPECT_EQ(StorStatusPage(cli.get())->Reads, 1u);
  EXPECT_EQ(StorStatusPage(cli.get())->Writes, 1u);
  remove_and_check_clean();
}

TEST_F(StorageBackToBackTest, UnalignedBuffersAndManyRequestsInFlight) {
  for (int i = 0; i < 16; ++i) std::memset(a->bytes + 100 + i * 1024, i + 1, 1024);
  for (int i = 0; i < 16; ++i)
    ASSERT_EQ(StorSubmitIo(cli.get(), TRUE, i * 2, 2, a->bytes + 100 + i * 1024), STATUS_SUCCESS);
  run();
  EXPECT_EQ(cli->Stats.IosSucceeded, 16u);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(StorServerDisk(&srv)[i * 1024 + 5], i + 1);
  EXPECT_EQ(StorStatusPage(cli.get())->Writes, 16u);
  remove_and_check_clean();
}

TEST_F(StorageBackToBackTest, OutOfRangeRequestFailsWithTheDeviceStatus) {
  ASSERT_EQ(StorSubmitIo(cli.get(), FALSE, 1020, 8, a->bytes), STATUS_SUCCESS);
  run();
  EXPECT_EQ(cli->Stats.IosFailed, 1u);
  EXPECT_EQ(cli->Stats.LastError, STOR_ERROR_RANGE);
  EXPECT_EQ(srv.Stats.LastError, STOR_ERROR_RANGE);
  remove_and_check_clean();
}

TEST_F(StorageBackToBackTest, PendingExternalDataStillCompletesTheClientsRequest) {
  std::memset(a->bytes, 0x3C, 4096);
  sim.make_external_data_pending(1);
  ASSERT_EQ(StorSubmitIo(cli.get(), TRUE, 0, 8, a->bytes), STATUS_SUCCESS);
  run();
  EXPECT_EQ(srv.Stats.ExternalDataPending, 1u);
  EXPECT_EQ(cli->Stats.IosSucceeded, 1u);
  EXPECT_EQ(StorServerDisk(&srv)[4095], 0x3C);
  remove_and_check_clean();
}

TEST_F(StorageBackToBackTest, ClientReconnectsAndTheDiskKeepsItsData) {
  std::memset(a->bytes, 0x5E, 512);
  ASSERT_EQ(StorSubmitIo(cli.get(), TRUE, 3, 1, a->bytes), STATUS_SUCCESS);
  run();
  StorDeviceRemove(cli.get());
  run();
  EXPECT_EQ(srv.Stats.Closed, 1u);
  EXPECT_EQ(srv.StatusPageMdl, nullptr);
  connect_client();
  EXPECT_EQ(cli->Stats.InitStatus, STATUS_SUCCESS);
  EXPECT_EQ(srv.Stats.Opened, 2u);
  EXPECT_EQ(StorStatusPage(cli.get())->Writes, 1u);  // the server's counters outlive a connection
  ASSERT_EQ(StorSubmitIo(cli.get(), FALSE, 3, 1, b->bytes), STATUS_SUCCESS);
  run();
  EXPECT_EQ(std::memcmp(a->bytes, b->bytes, 512), 0);
  StorDeviceRemove(cli.get());
  run();
  StorServerRemove(&srv);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(StorageBackToBackTest, ServerRemovalIsARescindForTheClient) {
  StorServerRemove(&srv);
  run();
  EXPECT_EQ(cli->Stats.Closed, 1u);
  EXPECT_EQ(cli->StatusPageGpadl, 0u);  // deleted in the client's EvtChannelClosed
  EXPECT_EQ(srv.Stats.Closed, 1u);
  StorDeviceRemove(cli.get());
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

}  // namespace
}  // namespace vmbsim::testing
