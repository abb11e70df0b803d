// Part 2 of vmbsim_demo: the storage client driver (examples/storage_driver) against its host
// model: a GPADL-backed status page and reads and writes as GPA-direct external data.
#include <cstdio>
#include <cstring>
#include <memory>

#include "demo_parts.h"
#include "storage_driver.h"
#include "storage_host.h"
#include "vmbsim/shim.h"

namespace demo {

bool run_storage_client_part(vmbsim::Simulation& sim) {
  std::printf("6. storage sample: GPADL-backed status page, reads and writes as GPA-direct external data\n");
  vmbsim::OfferSpec disk_offer;
  disk_offer.name = "disk";
  vmbsim::Device& disk_device = sim.offer(disk_offer);
  storage::StorageHost disk(disk_device.host(), 2048);
  auto stor = std::make_unique<STOR_DEVICE_CONTEXT>();
  bool ok = check(NT_SUCCESS(StorDeviceAdd(vmbsim::shim::wdf_device(disk_device), stor.get())), "StorDeviceAdd");
  sim.run_until_idle();
  ok &= check(stor->Stats.InitStatus == STATUS_SUCCESS && StorStatusPage(stor.get())->Magic == STOR_STATUS_MAGIC,
              "GPADL created in EvtChannelOpened; the host wrote the shared status page");
  struct alignas(4096) Io {
    uint8_t bytes[64 * 1024];
  };
  auto out = std::make_unique<Io>(), in = std::make_unique<Io>();
  for (size_t i = 0; i < sizeof(out->bytes); ++i) out->bytes[i] = static_cast<uint8_t>(i * 31);
  StorSubmitIo(stor.get(), TRUE, 100, 128, out->bytes);
  sim.run_until_idle();
  StorSubmitIo(stor.get(), FALSE, 100, 128, in->bytes);
  sim.run_until_idle();
  ok &= check(std::memcmp(out->bytes, in->bytes, sizeof(in->bytes)) == 0 && stor->Stats.IosSucceeded == 2,
              "64 KiB written and read back through guest memory");
  StorDeviceRemove(stor.get());
  sim.run_until_idle();
  ok &= check(stor->StatusPageGpadl == 0, "GPADL deleted in EvtChannelClosed");
  return ok;
}

}  // namespace demo
