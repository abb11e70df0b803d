#include "cli/guest_models.h"

#include <cstring>

#include "sim/core/channel.h"
#include "storage_protocol.h"

namespace vmbsim::cli {

namespace {

// Guest memory for GPADLs and external data, page aligned, as a guest driver's buffers are.
uint8_t* guest_buffer(GuestMemoryBlocks& keep, uint32_t size, uint8_t fill) {
  keep.emplace_back(new uint8_t[size + 4096]);
  auto addr = reinterpret_cast<uintptr_t>(keep.back().get());
  uint8_t* p = keep.back().get() + ((4096 - addr % 4096) % 4096);
  std::memset(p, fill, size);
  return p;
}

Channel* first_offer(Simulation& sim) {
  for (const auto& c : sim.channels())
    if (c->offered()) return c.get();
  return nullptr;
}

template <typename T>
void send(GuestEndpoint& g, const T& message) {
  g.send(&message, sizeof message, true);
}

// The storage protocol's guest (examples/storage_driver): INIT with a status-page GPADL, a
// write of two sectors, a read of them back, a read past the end of a 64-sector disk.
bool storage_guest(Simulation& sim, GuestEndpoint& g, GuestMemoryBlocks& keep, std::string& error) {
  sim.run_until_idle();
  Channel* offer = first_offer(sim);
  if (offer == nullptr) {
    error = "the driver made no offer";
    return false;
  }
  Status s = g.open(*offer, 8);
  if (!succeeded(s)) {
    error = std::string("the driver refused the guest's open: ") + status_name(s);
    return false;
  }
  sim.run_until_idle();
  STOR_INIT init{};
  init.Header.Type = STOR_MSG_INIT;
  init.Header.Tag = 1;
  init.StatusPageGpadl = g.create_gpadl(guest_buffer(keep, 4096, 0), 4096);
  send(g, init);
  sim.run_until_idle();
  auto io = [&](uint32_t type, uint32_t tag, uint64_t sector, uint32_t count, uint8_t fill) {
    STOR_IO r{};
    r.Header.Type = type;
    r.Header.Tag = tag;
    r.Sector = sector;
    r.SectorCount = count;
    uint32_t bytes = count * STOR_SECTOR_SIZE;
    g.send_gpa_direct(&r, sizeof r, guest_buffer(keep, bytes, fill), bytes);
    sim.run_until_idle();
  };
  io(STOR_MSG_WRITE, 2, 4, 2, 0xab);
  io(STOR_MSG_READ, 3, 4, 2, 0);
  io(STOR_MSG_READ, 4, 1000000, 1, 0);
  return true;
}

}  // namespace

const std::vector<GuestModel>& guest_models() {
  static const std::vector<GuestModel> models = {
      {"storage", "the storage protocol's guest: INIT with a status-page GPADL, a write, a read, a read past the end",
       storage_guest},
  };
  return models;
}

const GuestModel* find_guest_model(const std::string& name) {
  for (const GuestModel& m : guest_models())
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace vmbsim::cli
