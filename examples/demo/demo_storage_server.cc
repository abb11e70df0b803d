// Part 3 of vmbsim_demo: the storage server driver (examples/storage_server, a C VSP) in front
// of a simulated guest: the guest's status page mapped at INIT, I/O through the guest's pages,
// then a save and restore of the server (a VM save or live migration) with requests in flight.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "demo_parts.h"
#include "sim/core/guest_endpoint.h"
#include "storage_server.h"
#include "vmbsim/shim.h"

namespace demo {

namespace {

constexpr uint32_t kDiskSectors = 2048;
constexpr uint32_t kChunk = 16 * 1024;  // bytes per request

struct alignas(4096) Pages {
  uint8_t bytes[64 * 1024];
};

// The guest's half of the storage protocol, over the simulated guest endpoint.
class StorageGuest {
 public:
  explicit StorageGuest(vmbsim::Simulation& sim) : sim_(sim), endpoint_(sim, "guest") {}

  vmbsim::GuestEndpoint& endpoint() { return endpoint_; }
  uint8_t* status_page() { return status_page_->bytes; }

  // Opens the server's offer, shares the status page and sends INIT; true if INIT succeeded.
  bool open_and_init(VMBCHANNEL server) {
    if (endpoint_.open(*vmbsim::shim::channel(server)) != STATUS_SUCCESS) return false;
    sim_.run_until_idle();
    STOR_INIT m{};
    m.Header = {STOR_MSG_INIT, 0};
    m.StatusPageGpadl = endpoint_.create_gpadl(status_page_->bytes, 4096);
    uint64_t txid = endpoint_.send(&m, sizeof(m), true);
    sim_.run_until_idle();
    collect();
    return answered_once(txid);
  }
  // Sends a READ or WRITE of kChunk bytes at `buffer`; the answer is collected later.
  uint64_t send_io(uint32_t type, uint64_t sector, uint8_t* buffer) {
    STOR_IO m{};
    m.Header = {type, next_tag_++};
    m.Sector = sector;
    m.SectorCount = kChunk / STOR_SECTOR_SIZE;
    return endpoint_.send_gpa_direct(&m, sizeof(m), buffer, kChunk);
  }
  // Takes the completions that arrived, counting answers per transaction.
  void collect() {
    while (!endpoint_.completions().empty()) {
      vmbsim::GuestCompletion c = endpoint_.take_completion();
      STOR_COMPLETION r{};
      std::memcpy(&r, c.payload.data(), std::min(c.payload.size(), sizeof(r)));
      ++answers_[c.transaction_id];
      ok_[c.transaction_id] = r.Status == STOR_OK;
    }
  }
  // True if `txid` was answered exactly once, with success.
  bool answered_once(uint64_t txid) { return answers_[txid] == 1 && ok_[txid]; }
  bool unanswered(uint64_t txid) const { return answers_.count(txid) == 0; }
  // Transactions answered so far (each counted once, however often it was answered).
  size_t answered() const { return answers_.size(); }
  STOR_STATUS_PAGE status() const {
    STOR_STATUS_PAGE p;
    std::memcpy(&p, status_page_->bytes, sizeof(p));
    return p;
  }

 private:
  vmbsim::Simulation& sim_;
  vmbsim::GuestEndpoint endpoint_;
  std::unique_ptr<Pages> status_page_ = std::make_unique<Pages>();
  uint32_t next_tag_ = 1;
  std::map<uint64_t, int> answers_;
  std::map<uint64_t, bool> ok_;
};

void fill(uint8_t* bytes, size_t size, uint8_t seed) {
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(seed + i * 13);
}

size_t saved_bytes(const STOR_SERVER_SAVED_STATE& saved, ULONG from) {
  size_t n = 0;
  for (ULONG i = from; i < saved.Count; ++i) n += saved.Buffers[i].Size;
  return n;
}

}  // namespace

bool run_storage_server_part(vmbsim::Simulation& sim) {
  vmbsim::OfferSpec spec;
  spec.name = "vsp";
  vmbsim::Device& device = sim.offer(spec);  // the VSP's parent device
  StorageGuest guest(sim);
  auto out = std::make_unique<Pages>(), in = std::make_unique<Pages>();
  auto srv = std::make_unique<STOR_SERVER_CONTEXT>();
  bool ok = true;

  std::printf("7. storage VSP (server driver, C) in front of a simulated guest\n");
  ok &= check(StorServerAdd(vmbsim::shim::wdf_device(device), kDiskSectors, srv.get()) == STATUS_SUCCESS,
              "StorServerAdd: server channel offered (VmbChannelEnable) and started");
  sim.run_until_idle();
  ok &= check(guest.open_and_init(srv->Channel) && guest.status().Magic == STOR_STATUS_MAGIC,
              "guest opened it; INIT deferred to PASSIVE_LEVEL, status page mapped (VmbChannelMapGpadl)");
  fill(out->bytes, sizeof(out->bytes), 0x11);
  uint64_t w1 = guest.send_io(STOR_MSG_WRITE, 0, out->bytes);
  uint64_t w2 = guest.send_io(STOR_MSG_WRITE, 32, out->bytes + kChunk);
  uint64_t r1 = guest.send_io(STOR_MSG_READ, 0, in->bytes);
  sim.run_until_idle();
  guest.collect();
  ok &= check(guest.answered_once(w1) && guest.answered_once(w2) && guest.answered_once(r1) &&
                  std::memcmp(in->bytes, out->bytes, kChunk) == 0,
              "32 KiB written and 16 KiB read back through the guest's pages (external data)");

  std::printf("8. save and restore with requests in flight (VM save / live migration)\n");
  // One request's pages are "not ready" (STATUS_PENDING): KMCL holds it for a PASSIVE_LEVEL
  // redelivery. The next three are still in the ring when the save begins.
  sim.make_external_data_pending(1);
  uint64_t held = guest.send_io(STOR_MSG_WRITE, 64, out->bytes + 2 * kChunk);
  for (int i = 0; i < 100 && srv->Stats.ExternalDataPending == 0; ++i) sim.step();
  uint64_t flight[] = {guest.send_io(STOR_MSG_READ, 32, in->bytes + kChunk),
                       guest.send_io(STOR_MSG_WRITE, 96, out->bytes + 3 * kChunk),
                       guest.send_io(STOR_MSG_READ, 96, in->bytes + 2 * kChunk)};
  std::printf("     in flight: 1 write held by KMCL for its PASSIVE_LEVEL redelivery, 3 requests still in the ring\n");
  STOR_SERVER_SAVED_STATE saved{};
  NTSTATUS status = StorServerSave(srv.get(), &saved);
  sim.run_until_idle();
  guest.collect();
  std::printf("     saved: the VSP's record (%u bytes: disk, counters, status page) + %u KMCL buffer(s) of %zu bytes\n",
              saved.Count ? saved.Buffers[0].Size : 0, saved.Count ? saved.Count - 1 : 0, saved_bytes(saved, 1));
  bool none = guest.unanswered(held);
  for (uint64_t txid : flight) none &= guest.unanswered(txid);
  ok &= check(status == STATUS_SUCCESS && none && guest.endpoint().parked(),
              "StorServerSave: paused, SaveBegin/Continue/End, torn down; none answered, the guest waits (parked)");
  srv.reset();  // the saved server is gone

  auto restored = std::make_unique<STOR_SERVER_CONTEXT>();
  status = StorServerRestore(vmbsim::shim::wdf_device(device), &saved, restored.get());
  StorServerFreeSavedState(&saved);
  sim.run_until_idle();
  guest.collect();
  ok &= check(status == STATUS_SUCCESS && !guest.endpoint().parked() && restored->Stats.Remaps == 1,
              "StorServerRestore: new channel, RestoreFromBuffer, Enable; the guest connection resumed");
  bool all_once = guest.answered_once(held);
  for (uint64_t txid : flight) all_once &= guest.answered_once(txid);
  ok &= check(all_once && guest.answered() == 8 && std::memcmp(in->bytes + kChunk, out->bytes + kChunk, kChunk) == 0 &&
                  std::memcmp(in->bytes + 2 * kChunk, out->bytes + 3 * kChunk, kChunk) == 0,
              "the 4 requests in flight answered exactly once, by the restored server, with the right data");
  STOR_STATUS_PAGE page = guest.status();
  std::printf("     status page: reads %llu, writes %llu\n", static_cast<unsigned long long>(page.Reads),
              static_cast<unsigned long long>(page.Writes));
  ok &= check(restored->StatusPageMdl != nullptr && page.Reads == 3 && page.Writes == 4,
              "status page mapped again in EvtChannelOpened; the counters carried over");

  std::printf("9. more I/O, then teardown\n");
  uint64_t r2 = guest.send_io(STOR_MSG_READ, 64, in->bytes + 3 * kChunk);
  sim.run_until_idle();
  guest.collect();
  ok &= check(guest.answered_once(r2) && std::memcmp(in->bytes + 3 * kChunk, out->bytes + 2 * kChunk, kChunk) == 0,
              "the write held across the save reads back from the restored disk");
  StorServerRemove(restored.get());
  sim.run_until_idle();
  ok &= check(guest.endpoint().closed_by_server() && restored->StatusPageMdl == nullptr,
              "StorServerRemove: the guest saw the channel close; status page unmapped in EvtChannelClosed");
  return ok;
}

}  // namespace demo
