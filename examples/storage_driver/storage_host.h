// The host side of the sample storage protocol: an in-memory disk served over a
// vmbsim::HostChannel. Reads and writes move the data straight between the disk and the guest's
// pages, through the GPA ranges of each request; I/O counters go into the guest's shared page.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/core/host_channel.h"

namespace storage {

class StorageHost {
 public:
  StorageHost(vmbsim::HostChannel& channel, uint32_t disk_sectors);

  std::vector<uint8_t>& disk() { return disk_; }
  uint32_t status_page_gpadl() const { return gpadl_; }
  uint64_t reads = 0, writes = 0, errors = 0;

 private:
  void on_packet(vmbsim::HostChannel& host, const vmbsim::HostPacket& packet);
  void publish_counters();

  vmbsim::HostChannel& channel_;
  std::vector<uint8_t> disk_;
  uint32_t gpadl_ = 0;
};

}  // namespace storage
