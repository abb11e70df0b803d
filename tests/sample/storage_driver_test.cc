// The storage sample end to end: GPADL-backed shared page, INIT handshake, reads and writes whose
// data moves as external data through guest memory.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "sim/core/simulation.h"
#include "storage_driver.h"
#include "storage_host.h"
#include "vmbsim/shim.h"

namespace {

struct alignas(4096) IoBuffer {
  uint8_t bytes[64 * 1024];
};

class StorageDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    device = &sim.offer(vmbsim::OfferSpec{});
    host = std::make_unique<storage::StorageHost>(device->host(), 1024);
    ctx = std::make_unique<STOR_DEVICE_CONTEXT>();
    ASSERT_EQ(StorDeviceAdd(vmbsim::shim::wdf_device(*device), ctx.get()), STATUS_SUCCESS);
    sim.run_until_idle();
  }
  void remove_and_check_clean() {
    StorDeviceRemove(ctx.get());
    sim.shutdown();
    EXPECT_TRUE(sim.verifier().findings().empty()) << sim.verifier().report();
  }

  vmbsim::Simulation sim;
  vmbsim::Device* device = nullptr;
  std::unique_ptr<storage::StorageHost> host;
  std::unique_ptr<STOR_DEVICE_CONTEXT> ctx;
  std::unique_ptr<IoBuffer> a = std::make_unique<IoBuffer>(), b = std::make_unique<IoBuffer>();
};

TEST_F(StorageDriverTest, InitSharesTheStatusPageThroughAGpadl) {
  EXPECT_EQ(ctx->Stats.InitStatus, STATUS_SUCCESS);
  EXPECT_NE(ctx->StatusPageGpadl, 0u);
  EXPECT_EQ(host->status_page_gpadl(), ctx->StatusPageGpadl);
  EXPECT_EQ(StorStatusPage(ctx.get())->Magic, STOR_STATUS_MAGIC);  // written by the host
  EXPECT_EQ(StorStatusPage(ctx.get())->DiskSectors, 1024u);
  remove_and_check_clean();
}

TEST_F(StorageDriverTest, WritesThenReadsBackThroughGuestMemory) {
  for (size_t i = 0; i < sizeof(a->bytes); ++i) a->bytes[i] = static_cast<uint8_t>(i * 13 + 7);
  ASSERT_EQ(StorSubmitIo(ctx.get(), TRUE, 10, 128, a->bytes), STATUS_SUCCESS);
  sim.run_until_idle();
  EXPECT_EQ(std::memcmp(host->disk().data() + 10 * 512, a->bytes, 64 * 1024), 0);
  ASSERT_EQ(StorSubmitIo(ctx.get(), FALSE, 10, 128, b->bytes), STATUS_SUCCESS);
  sim.run_until_idle();
  EXPECT_EQ(std::memcmp(a->bytes, b->bytes, sizeof(a->bytes)), 0);
  EXPECT_EQ(ctx->Stats.IosSucceeded, 2u);
  EXPECT_EQ(StorStatusPage(ctx.get())->Reads, 1u);
  EXPECT_EQ(StorStatusPage(ctx.get())->Writes, 1u);
  remove_and_check_clean();
}

TEST_F(StorageDriverTest, UnalignedBuffersAndManyRequestsInFlight) {
  for (int i = 0; i < 16; ++i) std::memset(a->bytes + 100 + i * 1024, i + 1, 1024);
  for (int i = 0; i < 16; ++i) ASSERT_EQ(StorSubmitIo(ctx.get(), TRUE, i * 2, 2, a->bytes + 100 + i * 1024), STATUS_SUCCESS);
  sim.run_until_idle();
  EXPECT_EQ(ctx->Stats.IosSucceeded, 16u);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(host->disk()[i * 1024 + 5], i + 1);
  remove_and_check_clean();
}

TEST_F(StorageDriverTest, OutOfRangeRequestFailsWithTheDeviceStatus) {
  ASSERT_EQ(StorSubmitIo(ctx.get(), FALSE, 1020, 8, a->bytes), STATUS_SUCCESS);
  sim.run_until_idle();
  EXPECT_EQ(ctx->Stats.IosFailed, 1u);
  EXPECT_EQ(ctx->Stats.LastError, STOR_ERROR_RANGE);
  remove_and_check_clean();
}

TEST_F(StorageDriverTest, RescindWithIoInFlightCancelsAndFreesEverything) {
  device->host().set_draining(false);
  for (int i = 0; i < 8; ++i) ASSERT_EQ(StorSubmitIo(ctx.get(), TRUE, i, 1, a->bytes + i * 512), STATUS_SUCCESS);
  sim.run_until_idle();
  device->host().rescind();
  sim.run_until_idle();
  EXPECT_EQ(ctx->Stats.Closed, 1u);
  EXPECT_EQ(ctx->Stats.IosCancelled, 8u);  // every MDL was freed in the completion routine (ASan checks)
  EXPECT_EQ(ctx->StatusPageGpadl, 0u);     // deleted in EvtChannelClosed
  EXPECT_FALSE(sim.guest_memory().pinned(sim.guest_memory().pfn_for(a->bytes)));
  remove_and_check_clean();
}

}  // namespace
