// A simulated guest in front of a server (VSP) driver: it opens the driver's offer over rings
// it donates, then does everything any endpoint does (endpoint.h): sends in-band packets,
// completes or never completes the server's packets, stops draining, closes and reopens. Tests
// of a VSP drive this the way tests of a VSC drive HostChannel.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "sim/core/endpoint.h"
#include "sim/ring/ring_memory.h"

namespace vmbsim {

class Channel;

class GuestEndpoint : public Endpoint {
 public:
  using PacketHandler = std::function<void(GuestEndpoint&, const HostPacket&)>;
  using CompletionHandler = std::function<void(GuestEndpoint&, const GuestCompletion&)>;

  explicit GuestEndpoint(Simulation& sim, std::string name = "guest");
  ~GuestEndpoint() override;

  // Opens an offered server channel with rings of `ring_pages` data pages each. Fails with the
  // server's EvtChannelOpened status, or STATUS_INVALID_DEVICE_STATE if it is not on offer.
  Status open(Channel& server, uint32_t ring_pages = 16);
  // Closes the channel from the guest side; the server's offer stays and can be opened again.
  // While parked (the server is saved) the close waits for the restored channel.
  void close();
  bool is_open() const { return connected(); }
  // True after the server closed the channel (VmbChannelDisable: the offer is gone).
  bool closed_by_server() const { return closed_by_server_; }

  // GPADLs over the guest's own memory (the buffer must outlive the GPADL). The handle is
  // what the guest tells the server in its protocol. delete_gpadl returns false, and deletes
  // nothing, while the server still maps it (a real guest waits for the teardown).
  uint32_t create_gpadl(const void* buffer, uint32_t byte_count, bool read_only = false);
  // Sends `data` in band with [buffer, buffer + byte_count) as external data (a GPA-direct
  // packet, completion requested). The pages stay pinned until the server completes it.
  uint64_t send_gpa_direct(const void* data, uint32_t size, const void* buffer, uint32_t byte_count);
  bool delete_gpadl(uint32_t handle);

  void on_packet(PacketHandler handler);
  void on_completion(CompletionHandler handler);

  // Peer: the server's channel closed.
  void channel_closed() override;
  // Peer: server save/restore. The guest keeps its rings, GPADLs and unanswered packets while
  // the server is torn down and restored, as a saved VM's memory does; meanwhile it may still
  // send and complete (the bytes wait in the rings) but not create GPADLs.
  bool park(uint64_t token) override;
  bool resume(Channel& restored, ParkedConnection& out) override;
  void abandon_parked() override;

 private:
  std::unique_ptr<ring::FlatRingMemory> g2h_, h2g_;
  bool close_requested_ = false;
  uint32_t next_gpadl_ = 0x1000;
  struct Gpadl {
    ring::GpaRange range;
    bool read_only = false;
  };
  std::map<uint32_t, Gpadl> gpadls_;
  uint64_t park_token_ = 0;
  bool close_after_resume_ = false;
  std::map<uint64_t, ring::GpaRange> in_flight_;  // GPA-direct packets waiting for completion
  void completion_read(uint64_t transaction_id) override;
  bool closed_by_server_ = false;
};

}  // namespace vmbsim
