#include "storage_host.h"

#include <cstring>

#include "storage_protocol.h"

namespace storage {

StorageHost::StorageHost(vmbsim::HostChannel& channel, uint32_t disk_sectors)
    : channel_(channel), disk_(size_t{disk_sectors} * STOR_SECTOR_SIZE) {
  channel_.on_packet([this](vmbsim::HostChannel& h, const vmbsim::HostPacket& p) { on_packet(h, p); });
}

void StorageHost::publish_counters() {
  if (gpadl_ == 0) return;
  STOR_STATUS_PAGE page{STOR_STATUS_MAGIC, static_cast<uint32_t>(disk_.size() / STOR_SECTOR_SIZE), reads, writes};
  channel_.write_gpadl(gpadl_, 0, &page, sizeof(page));
}

void StorageHost::on_packet(vmbsim::HostChannel& host, const vmbsim::HostPacket& p) {
  STOR_COMPLETION done{};
  STOR_HEADER header{};
  if (p.payload.size() >= sizeof(header)) std::memcpy(&header, p.payload.data(), sizeof(header));
  done.Tag = header.Tag;
  done.Status = STOR_ERROR_PROTOCOL;

  if (header.Type == STOR_MSG_INIT && p.payload.size() >= sizeof(STOR_INIT)) {
    STOR_INIT init;
    std::memcpy(&init, p.payload.data(), sizeof(init));
    if (host.gpadl_exists(init.StatusPageGpadl) && host.gpadl_size(init.StatusPageGpadl) >= sizeof(STOR_STATUS_PAGE)) {
      gpadl_ = init.StatusPageGpadl;
      done.Status = STOR_OK;
      publish_counters();
    }
  } else if ((header.Type == STOR_MSG_READ || header.Type == STOR_MSG_WRITE) && p.payload.size() >= sizeof(STOR_IO)) {
    STOR_IO io;
    std::memcpy(&io, p.payload.data(), sizeof(io));
    uint64_t bytes = uint64_t{io.SectorCount} * STOR_SECTOR_SIZE;
    uint64_t disk_sectors = disk_.size() / STOR_SECTOR_SIZE;
    if (io.SectorCount == 0 || io.Sector >= disk_sectors || io.SectorCount > disk_sectors - io.Sector) {
      done.Status = STOR_ERROR_RANGE;
    } else if (p.external_size() != bytes) {
      done.Status = STOR_ERROR_BUFFER;
    } else {
      uint8_t* at = disk_.data() + io.Sector * STOR_SECTOR_SIZE;
      bool ok = header.Type == STOR_MSG_READ ? host.write_external(p, 0, at, bytes) : host.read_external(p, 0, at, bytes);
      done.Status = ok ? STOR_OK : STOR_ERROR_BUFFER;
      if (ok) {
        done.BytesTransferred = static_cast<uint32_t>(bytes);
        (header.Type == STOR_MSG_READ ? reads : writes)++;
        publish_counters();
      }
    }
  }
  if (done.Status != STOR_OK) ++errors;
  if (p.completion_requested()) host.complete(p.transaction_id, &done, sizeof(done));
}

}  // namespace storage
