// The storage VSP's save and restore (examples/storage_server/storage_server_save.c) in front of
// a simulated guest: requests in flight across the save are answered exactly once, by the
// restored server, with the disk, the counters and the status page carried over.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "sim/core/guest_endpoint.h"
#include "storage_server.h"
#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

constexpr uint32_t kDiskSectors = 1024;
constexpr uint32_t kPageSectors = 4096 / STOR_SECTOR_SIZE;

struct alignas(4096) Page {
  uint8_t bytes[4096];
};

// A READ or WRITE message, optionally followed by junk the server must ignore.
std::vector<uint8_t> io_message(uint32_t type, uint64_t sector, uint32_t tag, size_t junk = 0) {
  STOR_IO m{};
  m.Header = {type, tag};
  m.Sector = sector;
  m.SectorCount = kPageSectors;
  std::vector<uint8_t> bytes(sizeof(m) + junk, 0x5E);
  std::memcpy(bytes.data(), &m, sizeof(m));
  return bytes;
}

class StorageServerSaveTest : public KmclTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(StorServerAdd(shim::wdf_device(device), kDiskSectors, srv.get()), STATUS_SUCCESS);
    run();
  }
  void TearDown() override { StorServerFreeSavedState(&saved); }

  Page& page(size_t i) { return pages[i]; }
  void fill(Page& p, uint8_t seed) {
    for (size_t i = 0; i < sizeof(p.bytes); ++i) p.bytes[i] = static_cast<uint8_t>(seed + i * 7);
  }
  void open_and_init(STOR_SERVER_CONTEXT& server) {
    ASSERT_EQ(guest->open(*shim::channel(server.Channel)), STATUS_SUCCESS);
    run();
    gpadl = guest->create_gpadl(status_page->bytes, 4096);
    ASSERT_NE(gpadl, 0u);
    STOR_INIT m{};
    m.Header = {STOR_MSG_INIT, 99};
    m.StatusPageGpadl = gpadl;
    uint64_t txid = guest->send(&m, sizeof(m), true);
    run();
    collect();
    ASSERT_EQ(reply(txid).Status, STOR_OK);
  }
  // Sends a one-page READ or WRITE through `buffer`; the reply is collected later.
  uint64_t send_io(uint32_t type, uint64_t sector, Page& buffer, uint32_t tag, size_t junk = 0) {
    std::vector<uint8_t> m = io_message(type, sector, tag, junk);
    uint64_t txid = guest->send_gpa_direct(m.data(), static_cast<uint32_t>(m.size()), buffer.bytes, 4096);
    EXPECT_NE(txid, 0u);
    return txid;
  }
  // Sends and runs until the reply is in.
  STOR_COMPLETION io_now(uint32_t type, uint64_t sector, Page& buffer) {
    uint64_t txid = send_io(type, sector, buffer, 1);
    run();
    collect();
    return reply(txid);
  }
  // Takes the guest's completions; each transaction must be answered once.
  void collect() {
    while (!guest->completions().empty()) {
      GuestCompletion c = guest->take_completion();
      ++answers[c.transaction_id];
      STOR_COMPLETION r{};
      std::memcpy(&r, c.payload.data(), std::min(c.payload.size(), sizeof(r)));
      replies[c.transaction_id] = r;
    }
  }
  STOR_COMPLETION reply(uint64_t txid) {
    EXPECT_EQ(answers[txid], 1) << "transaction " << txid;
    STOR_COMPLETION none{};
    none.Status = 0xFFFFFFFFu;
    return replies.count(txid) ? replies[txid] : none;
  }
  STOR_STATUS_PAGE status() {
    STOR_STATUS_PAGE p;
    std::memcpy(&p, status_page->bytes, sizeof(p));
    return p;
  }
  // Steps until the server has said STATUS_PENDING `count` times in all: those requests are
  // read from the ring and held by KMCL for their PASSIVE_LEVEL redelivery.
  void hold_until_pending(const STOR_SERVER_CONTEXT& server, ULONG count) {
    for (int i = 0; i < 100 && server.Stats.ExternalDataPending < count; ++i) sim.step();
    ASSERT_EQ(server.Stats.ExternalDataPending, count);
  }
  NTSTATUS restore(STOR_SERVER_CONTEXT& into) {
    return StorServerRestore(shim::wdf_device(device), &saved, &into);
  }

  std::unique_ptr<STOR_SERVER_CONTEXT> srv = std::make_unique<STOR_SERVER_CONTEXT>();
  std::unique_ptr<STOR_SERVER_CONTEXT> restored = std::make_unique<STOR_SERVER_CONTEXT>();
  STOR_SERVER_SAVED_STATE saved{};
  std::unique_ptr<GuestEndpoint> guest = std::make_unique<GuestEndpoint>(sim);
  std::unique_ptr<Page> status_page = std::make_unique<Page>();
  std::unique_ptr<Page[]> pages = std::make_unique<Page[]>(12);
  uint32_t gpadl = 0;
  std::map<uint64_t, int> answers;
  std::map<uint64_t, STOR_COMPLETION> replies;
};

TEST_F(StorageServerSaveTest, RequestsInFlightAreAnsweredOnceByTheRestoredServer) {
  open_and_init(*srv);
  Page &a = page(0), &b = page(1), &e = page(2), &f = page(3);
  fill(a, 0xA0);
  fill(b, 0xB0);
  fill(e, 0xE0);
  fill(f, 0xF0);
  ASSERT_EQ(io_now(STOR_MSG_WRITE, 0, a).Status, STOR_OK);
  ASSERT_EQ(io_now(STOR_MSG_WRITE, 64, b).Status, STOR_OK);
  ASSERT_EQ(io_now(STOR_MSG_READ, 0, page(4)).Status, STOR_OK);

  // Read from the ring and held by KMCL: their pages were not ready (STATUS_PENDING). The
  // first carries junk, so its saved chunk outgrows the server's first save buffer.
  sim.make_external_data_pending(2);
  uint64_t write_e = send_io(STOR_MSG_WRITE, 400, e, 10, /*junk=*/700);
  uint64_t read_a = send_io(STOR_MSG_READ, 0, page(5), 11);
  hold_until_pending(*srv, 2);
  // Still in the ring when the save begins: the saved server never reads them.
  uint64_t write_f = send_io(STOR_MSG_WRITE, 500, f, 12);
  uint64_t read_f = send_io(STOR_MSG_READ, 500, page(6), 13);
  uint64_t read_b = send_io(STOR_MSG_READ, 64, page(7), 14);

  ASSERT_EQ(StorServerSave(srv.get(), &saved), STATUS_SUCCESS);
  run();
  EXPECT_TRUE(guest->completions().empty());  // the saved server answered none of them
  EXPECT_TRUE(guest->parked());
  EXPECT_FALSE(guest->closed_by_server());
  EXPECT_EQ(srv->Stats.Closed, 1u);
  EXPECT_EQ(srv->StatusPageMdl, nullptr);  // unmapped in EvtChannelClosed
  EXPECT_EQ(srv->Channel, nullptr);
  EXPECT_EQ(srv->Disk, nullptr);
  EXPECT_GE(saved.Count, 3u) << "the VSP's record and several KMCL buffers";
  // The junk-laden request's chunk needed more than the server's first 512-byte buffer.
  EXPECT_TRUE(std::any_of(saved.Buffers + 1, saved.Buffers + saved.Count,
                          [](const STOR_SAVED_BUFFER& b) { return b.Size > 512; }));
  srv.reset();

  // While no server runs, the guest scribbles over its status page and sends one more request.
  std::memset(status_page->bytes, 0, sizeof(status_page->bytes));
  uint64_t read_e = send_io(STOR_MSG_READ, 400, page(8), 15);
  run();

  ASSERT_EQ(restore(*restored), STATUS_SUCCESS);
  run();
  collect();
  // INIT, three before the save, six across it: each answered exactly once.
  EXPECT_EQ(answers.size(), 10u);
  EXPECT_TRUE(std::all_of(answers.begin(), answers.end(), [](const auto& kv) { return kv.second == 1; }));
  for (uint64_t txid : {write_e, read_a, write_f, read_f, read_b, read_e}) {
    EXPECT_EQ(reply(txid).Status, STOR_OK) << txid;
    EXPECT_EQ(reply(txid).BytesTransferred, 4096u) << txid;
  }
  EXPECT_EQ(reply(write_e).Tag, 10u);
  EXPECT_EQ(reply(read_b).Tag, 14u);
  EXPECT_EQ(std::memcmp(page(5).bytes, a.bytes, 4096), 0);  // written before the save
  EXPECT_EQ(std::memcmp(page(7).bytes, b.bytes, 4096), 0);
  EXPECT_EQ(std::memcmp(page(6).bytes, f.bytes, 4096), 0);  // written during it, read in order
  EXPECT_EQ(std::memcmp(page(8).bytes, e.bytes, 4096), 0);
  const uint8_t* disk = StorServerDisk(restored.get());
  EXPECT_EQ(std::memcmp(disk + 400 * STOR_SECTOR_SIZE, e.bytes, 4096), 0);
  EXPECT_EQ(std::memcmp(disk + 500 * STOR_SECTOR_SIZE, f.bytes, 4096), 0);

  // The status page is mapped again and the counters carried on from the saved ones.
  EXPECT_EQ(restored->Stats.Remaps, 1u);
  EXPECT_NE(restored->StatusPageMdl, nullptr);
  EXPECT_EQ(restored->StatusPageGpadl, gpadl);
  EXPECT_EQ(status().Magic, STOR_STATUS_MAGIC);
  EXPECT_EQ(status().Reads, 1u + 4u);
  EXPECT_EQ(status().Writes, 2u + 2u);
  EXPECT_FALSE(guest->delete_gpadl(gpadl));  // still mapped by the restored server
  for (size_t i = 0; i < 9; ++i) EXPECT_FALSE(sim.guest_memory().pinned(sim.guest_memory().pfn_for(page(i).bytes)));

  StorServerRemove(restored.get());
  EXPECT_TRUE(guest->closed_by_server());
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(StorageServerSaveTest, AGuestThatClosedWhileSavedClosesAfterTheRestoreAndOpensAnew) {
  open_and_init(*srv);
  Page& a = page(0);
  fill(a, 0xA0);
  ASSERT_EQ(io_now(STOR_MSG_WRITE, 0, a).Status, STOR_OK);
  uint64_t early = send_io(STOR_MSG_READ, 0, page(1), 2);  // in flight at the save
  ASSERT_EQ(StorServerSave(srv.get(), &saved), STATUS_SUCCESS);
  srv.reset();
  guest->close();  // frozen with the saved VM: the close reaches the restored server
  EXPECT_TRUE(guest->is_open());

  ASSERT_EQ(restore(*restored), STATUS_SUCCESS);
  run();
  EXPECT_FALSE(guest->is_open());
  EXPECT_TRUE(shim::channel(restored->Channel)->offered());
  EXPECT_EQ(restored->Stats.Opened, 1u);  // the saved connection resumed...
  EXPECT_EQ(restored->Stats.Remaps, 1u);
  EXPECT_EQ(restored->Stats.Closed, 1u);  // ...and the guest closed it
  EXPECT_EQ(restored->StatusPageMdl, nullptr);
  collect();
  // The thawed guest's close comes after what it sent before the save: that is answered once.
  EXPECT_EQ(answers[early], 1);

  // A new connection: INIT again, and the disk is the saved one.
  open_and_init(*restored);
  EXPECT_EQ(restored->Stats.Opened, 2u);
  EXPECT_EQ(restored->Stats.Remaps, 1u);
  EXPECT_EQ(restored->Stats.Inits, 1u);
  Page& back = page(2);
  ASSERT_EQ(io_now(STOR_MSG_READ, 0, back).Status, STOR_OK);
  EXPECT_EQ(std::memcmp(back.bytes, a.bytes, 4096), 0);
  EXPECT_EQ(status().Reads, 2u);
  EXPECT_EQ(status().Writes, 1u);

  StorServerRemove(restored.get());
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(StorageServerSaveTest, ADamagedSaveFailsTheRestoreCleanly) {
  open_and_init(*srv);
  Page &a = page(0), &b = page(1);
  fill(a, 0xA0);
  fill(b, 0xB0);
  // Two requests held by KMCL; the second's chunk is too big to share a buffer with the first.
  sim.make_external_data_pending(2);
  uint64_t held_a = send_io(STOR_MSG_WRITE, 8, a, 3);
  uint64_t held_b = send_io(STOR_MSG_WRITE, 16, b, 4, /*junk=*/700);
  hold_until_pending(*srv, 2);
  ASSERT_EQ(StorServerSave(srv.get(), &saved), STATUS_SUCCESS);
  srv.reset();
  ASSERT_EQ(saved.Count, 3u);

  // The VSP's own record is checked before any channel exists.
  saved.Buffers[0].Bytes[0] ^= 0x01;
  EXPECT_EQ(restore(*restored), STATUS_INVALID_PARAMETER);
  EXPECT_EQ(restored->Disk, nullptr);
  saved.Buffers[0].Bytes[0] ^= 0x01;

  // One flipped byte in KMCL's last buffer: its chunk fails its check after the first buffer
  // (the channel and the first request) was restored.
  STOR_SAVED_BUFFER& last = saved.Buffers[saved.Count - 1];
  last.Bytes[last.Size - 1] ^= 0x40;
  NTSTATUS status = restore(*restored);
  EXPECT_FALSE(NT_SUCCESS(status));
  EXPECT_NE(status, STATUS_MORE_PROCESSING_REQUIRED);
  EXPECT_EQ(restored->Channel, nullptr);
  EXPECT_EQ(restored->Disk, nullptr);
  EXPECT_EQ(violations(66), 1u) << findings();
  EXPECT_EQ(sim.verifier().findings().size(), 1u) << findings();
  EXPECT_TRUE(guest->parked());  // the saved connection still waits
  run();
  collect();
  EXPECT_EQ(answers.count(held_a) + answers.count(held_b), 0u);

  // The saved state itself was not consumed: repaired, it restores and the held write lands.
  last.Bytes[last.Size - 1] ^= 0x40;
  ASSERT_EQ(restore(*restored), STATUS_SUCCESS);
  run();
  collect();
  EXPECT_EQ(reply(held_a).Status, STOR_OK);
  EXPECT_EQ(reply(held_b).Status, STOR_OK);
  EXPECT_EQ(std::memcmp(StorServerDisk(restored.get()) + 8 * STOR_SECTOR_SIZE, a.bytes, 4096), 0);
  EXPECT_EQ(std::memcmp(StorServerDisk(restored.get()) + 16 * STOR_SECTOR_SIZE, b.bytes, 4096), 0);
  StorServerRemove(restored.get());
  sim.shutdown();
  EXPECT_EQ(sim.verifier().findings().size(), 1u) << findings();
}

TEST_F(StorageServerSaveTest, AnInitWaitingForPassiveIsServedByTheRestoredServer) {
  ASSERT_EQ(guest->open(*shim::channel(srv->Channel)), STATUS_SUCCESS);
  run();
  gpadl = guest->create_gpadl(status_page->bytes, 4096);
  STOR_INIT m{};
  m.Header = {STOR_MSG_INIT, 5};
  m.StatusPageGpadl = gpadl;
  uint64_t init = guest->send(&m, sizeof(m), true);
  for (int i = 0; i < 100 && srv->DeferredInit == nullptr; ++i) sim.step();
  ASSERT_NE(srv->DeferredInit, nullptr);  // deferred to PASSIVE_LEVEL, not yet redelivered
  ASSERT_EQ(StorServerSave(srv.get(), &saved), STATUS_SUCCESS);
  srv.reset();

  ASSERT_EQ(restore(*restored), STATUS_SUCCESS);
  run();
  collect();
  EXPECT_EQ(reply(init).Status, STOR_OK);
  EXPECT_EQ(restored->Stats.Remaps, 0u);  // no page was mapped when the server was saved
  EXPECT_EQ(restored->Stats.Inits, 1u);
  EXPECT_EQ(restored->StatusPageGpadl, gpadl);
  EXPECT_EQ(status().Magic, STOR_STATUS_MAGIC);
  StorServerRemove(restored.get());
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

TEST_F(StorageServerSaveTest, ASaveWithAServerTransactionRestoresItsPacket) {
  // The VSP never sends packets of its own, so its saves hold none; a test server's save that
  // does (a transaction the guest has not completed) exercises EvtVmbChannelRestorePacket.
  ASSERT_EQ(StorServerSave(srv.get(), &saved), STATUS_SUCCESS);  // no guest: just the VSP's record
  ASSERT_EQ(saved.Count, 2u);
  ChannelConfig cfg;
  cfg.server = true;
  cfg.save_restore = true;
  TestChannel& other = open_channel(cfg);
  kmcl.VmbChannelStart(other.channel);
  ASSERT_EQ(guest->open(*shim::channel(other.channel)), STATUS_SUCCESS);
  run();
  VMBPACKET p = kmcl.VmbPacketAllocate(other.channel);
  kmcl.VmbPacketSetCompletionRoutine(p, TestChannel::completion_routine);
  ASSERT_EQ(send(p, {1, 2, 3}), STATUS_SUCCESS);
  run();
  ASSERT_EQ(guest->inbox().size(), 1u);
  uint64_t txid = guest->take_packet().transaction_id;
  kmcl.VmbChannelPause(other.channel);
  ASSERT_EQ(VmbChannelSaveBegin(other.channel), STATUS_SUCCESS);
  std::vector<uint8_t> chunks(4096);
  ULONG filled = 0, required = 0;
  ASSERT_EQ(VmbChannelSaveContinue(other.channel, chunks.data(), 4096, &filled, &required), STATUS_SUCCESS);
  VmbChannelSaveEnd(other.channel);
  kmcl.VmbChannelDisable(other.channel);
  kmcl.VmbChannelCleanup(other.channel);
  ASSERT_TRUE(guest->parked());

  // The VSP's record with the test server's KMCL state.
  std::vector<STOR_SAVED_BUFFER> buffers = {saved.Buffers[0], {chunks.data(), filled}};
  STOR_SERVER_SAVED_STATE mixed{2, buffers.data()};
  ASSERT_EQ(StorServerRestore(shim::wdf_device(device), &mixed, restored.get()), STATUS_SUCCESS);
  run();
  EXPECT_EQ(restored->Stats.Opened, 1u);  // the test server's guest resumed
  // Saved again with the transaction still in flight: StorSrvEvtSavePacket has nothing to add.
  StorServerFreeSavedState(&saved);
  ASSERT_EQ(StorServerSave(restored.get(), &saved), STATUS_SUCCESS);
  auto again = std::make_unique<STOR_SERVER_CONTEXT>();
  ASSERT_EQ(restore(*again), STATUS_SUCCESS);
  run();
  guest->complete(txid, {9});  // the restored packet's completion routine frees it
  run();
  StorServerRemove(again.get());
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
}

}  // namespace
}  // namespace vmbsim::testing
