// The storage server sample (a C VSP) in front of a simulated guest: the status page mapped at
// INIT, reads and writes through the guest's pages, and a hostile guest's malformed requests.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "sim/core/guest_endpoint.h"
#include "storage_server.h"
#include "vmbsim/testing/kmcl_test.h"

namespace vmbsim::testing {
namespace {

constexpr uint32_t kDiskSectors = 1024;
constexpr uint32_t kNoReply = 0xFFFFFFFFu;

struct alignas(4096) Pages {
  uint8_t bytes[80 * 1024];
};

// A guest that can also describe its external data in several pieces (an MDL chain).
class ChainGuest : public GuestEndpoint {
 public:
  using GuestEndpoint::GuestEndpoint;
  uint64_t send_chain(const void* msg, uint32_t size, const std::vector<std::pair<const void*, uint32_t>>& pieces) {
    std::vector<ring::GpaRange> ranges;
    for (const auto& [buffer, bytes] : pieces) {
      ranges.push_back(sim_.guest_memory().describe(buffer, bytes));
      sim_.guest_memory().pin(ranges.back());
      pinned_.push_back(ranges.back());
    }
    return send_with_ranges(msg, size, ranges);
  }
  // The pieces stay pinned until the test has seen the completion.
  void unpin_chains() {
    for (const ring::GpaRange& r : pinned_) sim_.guest_memory().unpin(r);
    pinned_.clear();
  }

 private:
  std::vector<ring::GpaRange> pinned_;
};

class StorageServerTest : public KmclTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(StorServerAdd(shim::wdf_device(device), kDiskSectors, &srv), STATUS_SUCCESS);
    run();
  }
  Channel& server() { return *shim::channel(srv.Channel); }
  void open() {
    ASSERT_EQ(guest->open(server()), STATUS_SUCCESS);
    run();
  }
  STOR_COMPLETION init(uint32_t gpadl_handle, uint32_t tag = 1) {
    STOR_INIT m{};
    m.Header = {STOR_MSG_INIT, tag};
    m.StatusPageGpadl = gpadl_handle;
    return reply_to(guest->send(&m, sizeof(m), true));
  }
  void open_and_init() {
    open();
    gpadl = guest->create_gpadl(status_page->bytes, 4096);
    ASSERT_NE(gpadl, 0u);
    ASSERT_EQ(init(gpadl).Status, STOR_OK);
  }
  // Runs until the server answered transaction `txid`; Status is kNoReply if it did not.
  STOR_COMPLETION reply_to(uint64_t txid) {
    run();
    STOR_COMPLETION c{};
    c.Status = kNoReply;
    EXPECT_EQ(guest->completions().size(), 1u);
    if (guest->completions().empty()) return c;
    GuestCompletion gc = guest->take_completion();
    EXPECT_EQ(gc.transaction_id, txid);
    EXPECT_GE(gc.payload.size(), sizeof(c));
    std::memcpy(&c, gc.payload.data(), std::min(gc.payload.size(), sizeof(c)));
    return c;
  }
  STOR_COMPLETION io(uint32_t type, uint64_t sector, uint32_t count, void* buffer, uint32_t bytes, uint32_t tag = 7) {
    STOR_IO m{};
    m.Header = {type, tag};
    m.Sector = sector;
    m.SectorCount = count;
    return reply_to(guest->send_gpa_direct(&m, sizeof(m), buffer, bytes));
  }
  STOR_COMPLETION in_band(const void* msg, uint32_t size) { return reply_to(guest->send(msg, size, true)); }
  const uint8_t* disk() { return StorServerDisk(&srv); }
  bool disk_is_zero(uint64_t from_sector, uint64_t sectors) {
    const uint8_t* d = disk() + from_sector * STOR_SECTOR_SIZE;
    return std::all_of(d, d + sectors * STOR_SECTOR_SIZE, [](uint8_t v) { return v == 0; });
  }
  STOR_STATUS_PAGE page() {
    STOR_STATUS_PAGE p;
    std::memcpy(&p, status_page->bytes, sizeof(p));
    return p;
  }
  void remove_and_check_clean() {
    StorServerRemove(&srv);
    sim.shutdown();
    EXPECT_TRUE(sim.verifier().findings().empty()) << findings();
  }

  STOR_SERVER_CONTEXT srv{};
  std::unique_ptr<ChainGuest> guest = std::make_unique<ChainGuest>(sim);
  std::unique_ptr<Pages> status_page = std::make_unique<Pages>(), a = std::make_unique<Pages>(),
                         b = std::make_unique<Pages>();
  uint32_t gpadl = 0;
};

TEST_F(StorageServerTest, OffersStartsAndMapsTheStatusPageAtInit) {
  EXPECT_TRUE(server().offered());
  open();
  EXPECT_EQ(srv.Stats.Opened, 1u);
  gpadl = guest->create_gpadl(status_page->bytes, 4096);
  STOR_COMPLETION c = init(gpadl, 55);
  EXPECT_EQ(c.Status, STOR_OK);
  EXPECT_EQ(c.Tag, 55u);
  EXPECT_EQ(page().Magic, STOR_STATUS_MAGIC);  // written by the server through its mapping
  EXPECT_EQ(page().DiskSectors, kDiskSectors);
  EXPECT_EQ(page().Reads, 0u);
  EXPECT_EQ(srv.Stats.Inits, 1u);
  EXPECT_FALSE(guest->delete_gpadl(gpadl));  // still mapped by the server
  remove_and_check_clean();
  EXPECT_TRUE(guest->closed_by_server());
  EXPECT_EQ(srv.Stats.Closed, 1u);
  EXPECT_EQ(srv.StatusPageMdl, nullptr);  // unmapped in EvtChannelClosed
}

TEST_F(StorageServerTest, WritesThenReadsRoundTripThroughTheDisk) {
  open_and_init();
  for (size_t i = 0; i < 64 * 1024; ++i) a->bytes[i] = static_cast<uint8_t>(i * 13 + 7);
  STOR_COMPLETION w = io(STOR_MSG_WRITE, 10, 128, a->bytes, 64 * 1024, 21);
  EXPECT_EQ(w.Status, STOR_OK);
  EXPECT_EQ(w.Tag, 21u);
  EXPECT_EQ(w.BytesTransferred, 64u * 1024);
  EXPECT_EQ(std::memcmp(disk() + 10 * STOR_SECTOR_SIZE, a->bytes, 64 * 1024), 0);
  EXPECT_TRUE(disk_is_zero(0, 10));     // nothing before
  EXPECT_TRUE(disk_is_zero(138, 886));  // nor after
  STOR_COMPLETION r = io(STOR_MSG_READ, 10, 128, b->bytes, 64 * 1024, 22);
  EXPECT_EQ(r.Status, STOR_OK);
  EXPECT_EQ(r.BytesTransferred, 64u * 1024);
  EXPECT_EQ(std::memcmp(a->bytes, b->bytes, 64 * 1024), 0);
  EXPECT_EQ(page().Reads, 1u);
  EXPECT_EQ(page().Writes, 1u);

  // An unaligned buffer that straddles pages, at the last sectors of the disk.
  std::memset(a->bytes + 100, 0x5A, 3 * STOR_SECTOR_SIZE);
  EXPECT_EQ(io(STOR_MSG_WRITE, kDiskSectors - 3, 3, a->bytes + 100, 3 * STOR_SECTOR_SIZE).Status, STOR_OK);
  std::memset(b->bytes, 0, 4096);
  EXPECT_EQ(io(STOR_MSG_READ, kDiskSectors - 3, 3, b->bytes + 4000, 3 * STOR_SECTOR_SIZE).Status, STOR_OK);
  EXPECT_EQ(std::memcmp(b->bytes + 4000, a->bytes + 100, 3 * STOR_SECTOR_SIZE), 0);
  EXPECT_EQ(srv.Stats.IosSucceeded, 4u);
  EXPECT_EQ(srv.Stats.Errors, 0u);
  remove_and_check_clean();
}

TEST_F(StorageServerTest, OutOfRangeSectorsAreRefused) {
  open_and_init();
  const std::pair<uint64_t, uint32_t> bad[] = {
      {1020, 8}, {kDiskSectors, 1}, {UINT64_MAX, 1}, {UINT64_MAX - 1, 4},  // past the end, or wrapping
      {0, 0},    {1, UINT32_MAX},   {0, kDiskSectors + 1}};
  std::memset(b->bytes, 0xAB, sizeof(b->bytes));
  std::memset(a->bytes, 0x11, sizeof(a->bytes));
  for (const auto& [sector, count] : bad) {
    SCOPED_TRACE(::testing::Message() << "sector " << sector << " count " << count);
    STOR_COMPLETION r = io(STOR_MSG_READ, sector, count, b->bytes, 4096);
    EXPECT_EQ(r.Status, STOR_ERROR_RANGE);
    EXPECT_EQ(r.BytesTransferred, 0u);
    EXPECT_EQ(io(STOR_MSG_WRITE, sector, count, a->bytes, 4096).Status, STOR_ERROR_RANGE);
  }
  EXPECT_TRUE(std::all_of(b->bytes, b->bytes + sizeof(b->bytes), [](uint8_t v) { return v == 0xAB; }));
  EXPECT_TRUE(disk_is_zero(0, kDiskSectors));
  EXPECT_EQ(srv.Stats.Errors, 14u);
  EXPECT_EQ(srv.Stats.LastError, STOR_ERROR_RANGE);
  EXPECT_EQ(page().Reads + page().Writes, 0u);
  remove_and_check_clean();
}

TEST_F(StorageServerTest, MalformedRequestsGetAnErrorAndTheServerKeepsServing) {
  open();
  std::memset(a->bytes, 0x33, sizeof(a->bytes));
  std::memset(b->bytes, 0xAB, sizeof(b->bytes));
  EXPECT_EQ(io(STOR_MSG_WRITE, 0, 1, a->bytes, 512).Status, STOR_ERROR_PROTOCOL);  // no INIT yet
  EXPECT_TRUE(disk_is_zero(0, 1));
  gpadl = guest->create_gpadl(status_page->bytes, 4096);
  ASSERT_EQ(init(gpadl).Status, STOR_OK);

  uint32_t type_only = STOR_MSG_READ;
  EXPECT_EQ(in_band(&type_only, sizeof(type_only)).Status, STOR_ERROR_PROTOCOL);  // shorter than a header
  STOR_IO m{};
  m.Header = {STOR_MSG_READ, 9};
  m.SectorCount = 1;
  STOR_COMPLETION c = in_band(&m, 16);  // shorter than STOR_IO
  EXPECT_EQ(c.Status, STOR_ERROR_PROTOCOL);
  EXPECT_EQ(c.Tag, 9u);
  m.Header.Type = 99;
  EXPECT_EQ(in_band(&m, sizeof(m)).Status, STOR_ERROR_PROTOCOL);  // unknown message
  m.Header.Type = STOR_MSG_READ;
  EXPECT_EQ(in_band(&m, sizeof(m)).Status, STOR_ERROR_BUFFER);  // no external data at all
  EXPECT_EQ(io(STOR_MSG_READ, 0, 2, b->bytes, 512).Status, STOR_ERROR_BUFFER);    // less than asked for
  EXPECT_EQ(io(STOR_MSG_WRITE, 0, 1, a->bytes, 1024).Status, STOR_ERROR_BUFFER);  // more than asked for
  std::vector<uint8_t> big((STOR_MAX_TRANSFER / STOR_SECTOR_SIZE + 8) * STOR_SECTOR_SIZE, 0x44);
  EXPECT_EQ(io(STOR_MSG_WRITE, 0, static_cast<uint32_t>(big.size() / STOR_SECTOR_SIZE), big.data(),
               static_cast<uint32_t>(big.size()))
                .Status,
            STOR_ERROR_BUFFER);  // over the protocol's largest transfer
  EXPECT_TRUE(std::all_of(b->bytes, b->bytes + sizeof(b->bytes), [](uint8_t v) { return v == 0xAB; }));
  EXPECT_TRUE(disk_is_zero(0, kDiskSectors));
  EXPECT_EQ(srv.Stats.Errors, 8u);

  EXPECT_EQ(io(STOR_MSG_WRITE, 4, 1, a->bytes, 512).Status, STOR_OK);  // the queue still runs
  EXPECT_EQ(disk()[4 * STOR_SECTOR_SIZE + 511], 0x33);
  remove_and_check_clean();
}

TEST_F(StorageServerTest, BadStatusPagesAreRefusedWithoutTouchingGuestMemory) {
  open();
  uint32_t init_type = STOR_MSG_INIT;
  EXPECT_EQ(in_band(&init_type, sizeof(init_type)).Status, STOR_ERROR_PROTOCOL);  // too short
  std::memset(status_page->bytes, 0xEE, 8192);
  uint32_t tiny = guest->create_gpadl(status_page->bytes, 8);  // smaller than STOR_STATUS_PAGE
  EXPECT_EQ(init(tiny).Status, STOR_ERROR_PROTOCOL);
  EXPECT_TRUE(guest->delete_gpadl(tiny));  // the server unmapped it again
  uint32_t read_only = guest->create_gpadl(status_page->bytes + 4096, 4096, /*read_only=*/true);
  EXPECT_EQ(init(read_only).Status, STOR_ERROR_PROTOCOL);  // the server needs to write it
  EXPECT_TRUE(std::all_of(status_page->bytes, status_page->bytes + 8192, [](uint8_t v) { return v == 0xEE; }));
  EXPECT_EQ(violations(32), 1u) << findings();  // the refused write mapping (a warning)
  EXPECT_EQ(srv.Stats.Inits, 0u);

  gpadl = guest->create_gpadl(status_page->bytes + 16, 4096);  // a good one, not 8-byte aligned
  EXPECT_EQ(init(gpadl).Status, STOR_OK);
  STOR_STATUS_PAGE p;
  std::memcpy(&p, status_page->bytes + 16, sizeof(p));
  EXPECT_EQ(p.Magic, STOR_STATUS_MAGIC);
  EXPECT_EQ(init(gpadl).Status, STOR_ERROR_PROTOCOL);  // one INIT per connection
  EXPECT_EQ(srv.StatusPageGpadl, gpadl);               // and the first mapping stands
  EXPECT_EQ(io(STOR_MSG_WRITE, 0, 1, a->bytes, 512).Status, STOR_OK);
  std::memcpy(&p, status_page->bytes + 16, sizeof(p));
  EXPECT_EQ(p.Writes, 1u);
  StorServerRemove(&srv);
  sim.shutdown();
  EXPECT_TRUE(sim.verifier().clean()) << findings();
}

TEST_F(StorageServerTest, UnknownStatusPageGpadlIsRefused) {
  open();
  EXPECT_EQ(init(0x9999).Status, STOR_ERROR_PROTOCOL);
  // Rule 30 is only a warning: the handle came from the guest and the server cannot check it
  // beforehand; what counts is that the map failure is handled.
  EXPECT_EQ(violations(30), 1u) << findings();
  EXPECT_EQ(srv.StatusPageMdl, nullptr);
  gpadl = guest->create_gpadl(status_page->bytes, 4096);
  EXPECT_EQ(init(gpadl).Status, STOR_OK);  // a good INIT after a bad one is still accepted
  StorServerRemove(&srv);
  sim.shutdown();
  EXPECT_EQ(sim.verifier().findings().size(), 1u) << findings();
}

TEST_F(StorageServerTest, ChainsOfMdlsAreServedInOrder) {
  open_and_init();
  std::memset(a->bytes + 100, 0xA1, 512);
  std::memset(b->bytes, 0xB2, 1024);
  STOR_IO m{};
  m.Header = {STOR_MSG_WRITE, 3};
  m.Sector = 7;
  m.SectorCount = 3;
  STOR_COMPLETION c = reply_to(guest->send_chain(&m, sizeof(m), {{a->bytes + 100, 512}, {b->bytes, 1024}}));
  EXPECT_EQ(c.Status, STOR_OK);
  guest->unpin_chains();
  EXPECT_EQ(disk()[7 * STOR_SECTOR_SIZE], 0xA1);
  EXPECT_EQ(disk()[8 * STOR_SECTOR_SIZE - 1], 0xA1);
  EXPECT_EQ(disk()[8 * STOR_SECTOR_SIZE], 0xB2);
  EXPECT_EQ(disk()[10 * STOR_SECTOR_SIZE - 1], 0xB2);
  EXPECT_TRUE(disk_is_zero(10, 1));

  std::vector<std::pair<const void*, uint32_t>> too_many;  // more pieces than the server accepts
  for (int i = 0; i < 17; ++i) too_many.emplace_back(a->bytes + i * 1024, 512);
  m.SectorCount = 17;
  m.Header.Type = STOR_MSG_READ;
  std::memset(a->bytes, 0x77, sizeof(a->bytes));
  EXPECT_EQ(reply_to(guest->send_chain(&m, sizeof(m), too_many)).Status, STOR_ERROR_BUFFER);
  guest->unpin_chains();
  EXPECT_TRUE(std::all_of(a->bytes, a->bytes + sizeof(a->bytes), [](uint8_t v) { return v == 0x77; }));
  remove_and_check_clean();
}

TEST_F(StorageServerTest, PendingExternalDataIsServedOnRedelivery) {
  open_and_init();
  std::memset(a->bytes, 0x6C, 4096);
  sim.make_external_data_pending(1);
  EXPECT_EQ(io(STOR_MSG_WRITE, 100, 8, a->bytes, 4096).Status, STOR_OK);
  EXPECT_EQ(srv.Stats.ExternalDataPending, 1u);
  EXPECT_EQ(disk()[100 * STOR_SECTOR_SIZE + 4095], 0x6C);
  sim.make_external_data_pending(1);
  EXPECT_EQ(io(STOR_MSG_READ, 100, 8, b->bytes, 4096).Status, STOR_OK);
  EXPECT_EQ(srv.Stats.ExternalDataPending, 2u);
  EXPECT_EQ(std::memcmp(a->bytes, b->bytes, 4096), 0);
  remove_and_check_clean();  // no rule 57: nothing was completed while pending
}

TEST_F(StorageServerTest, GuestClosesWithARequestOutstandingAndReopens) {
  open_and_init();
  std::memset(a->bytes, 0x42, 4096);
  sim.make_external_data_pending(1);
  STOR_IO m{};
  m.Header = {STOR_MSG_WRITE, 1};
  m.SectorCount = 8;
  guest->send_gpa_direct(&m, sizeof(m), a->bytes, 4096);
  for (int i = 0; i < 100 && srv.Stats.ExternalDataPending == 0; ++i) sim.step();
  ASSERT_EQ(srv.Stats.ExternalDataPending, 1u);  // held, waiting for its redelivery
  guest->close();
  run();
  EXPECT_EQ(srv.Stats.Suspended, 1u);
  EXPECT_EQ(srv.Stats.Closed, 1u);
  EXPECT_EQ(srv.StatusPageMdl, nullptr);
  EXPECT_TRUE(guest->completions().empty());  // the request died with the connection
  EXPECT_TRUE(disk_is_zero(0, 8));
  EXPECT_FALSE(sim.guest_memory().pinned(sim.guest_memory().pfn_for(a->bytes)));
  EXPECT_TRUE(server().offered());

  ASSERT_EQ(guest->open(server()), STATUS_SUCCESS);
  run();
  EXPECT_EQ(srv.Stats.Opened, 2u);
  EXPECT_EQ(io(STOR_MSG_WRITE, 0, 8, a->bytes, 4096).Status, STOR_ERROR_PROTOCOL);  // INIT again first
  gpadl = guest->create_gpadl(b->bytes, 4096);
  ASSERT_EQ(init(gpadl).Status, STOR_OK);
  EXPECT_EQ(io(STOR_MSG_WRITE, 0, 8, a->bytes, 4096).Status, STOR_OK);
  EXPECT_EQ(disk()[0], 0x42);
  STOR_STATUS_PAGE p;
  std::memcpy(&p, b->bytes, sizeof(p));
  EXPECT_EQ(p.Writes, 1u);
  remove_and_check_clean();
}

TEST_F(StorageServerTest, GuestClosesWhileItsInitWaitsForPassive) {
  open();
  gpadl = guest->create_gpadl(status_page->bytes, 4096);
  STOR_INIT m{};
  m.Header = {STOR_MSG_INIT, 1};
  m.StatusPageGpadl = gpadl;
  guest->send(&m, sizeof(m), true);
  for (int i = 0; i < 100 && srv.DeferredInit == nullptr; ++i) sim.step();
  ASSERT_NE(srv.DeferredInit, nullptr);  // deferred to PASSIVE_LEVEL, not yet redelivered
  guest->close();
  run();
  EXPECT_TRUE(guest->completions().empty());
  EXPECT_EQ(srv.Stats.Inits, 0u);
  open();
  gpadl = guest->create_gpadl(status_page->bytes, 4096);
  EXPECT_EQ(init(gpadl).Status, STOR_OK);  // the dropped INIT does not count against this one
  remove_and_check_clean();
}

}  // namespace
}  // namespace vmbsim::testing
