// The shim's ChannelClient: holds a driver's C callbacks and calls them with KMCL handles.
#pragma once

#include <vmbuskernelmodeclientlibapi.h>

#include "sim/core/channel_client.h"

namespace vmbsim::shim {

class KmclClient final : public ChannelClient {
 public:
  VMB_CHANNEL_STATE_CHANGE_CALLBACKS state{};
  PFN_VMB_CHANNEL_PROCESS_PACKET process_packet_cb = nullptr;
  PFN_VMB_CHANNEL_PROCESSING_COMPLETE processing_complete_cb = nullptr;
  PFN_VMB_CHANNEL_PNP_FAILURE pnp_failure_cb = nullptr;
  PFN_VMB_CHANNEL_SAVE_PACKET save_packet_cb = nullptr;
  PFN_VMB_CHANNEL_RESTORE_PACKET restore_packet_cb = nullptr;

  Status opened(Channel& channel) override;
  void closed(Channel& channel) override;
  void suspend(Channel& channel) override;
  void started(Channel& channel) override;
  void post_started(Channel& channel) override;
  void pnp_failure(Channel& channel, Status status) override;
  void process_packet(Channel& channel, IncomingPacket& packet, const void* buffer, uint32_t length,
                      uint32_t flags) override;
  void processing_complete(Channel& channel, uint32_t packets_processed) override;
  Status save_packet(Channel& channel, Packet& packet, void* buffer, uint32_t size, uint32_t* needed) override;
  Status restore_packet(Channel& channel, const void* lib_buffer, uint32_t lib_size, const void* save_buffer,
                        uint32_t save_size) override;
  void packet_completion(OpaqueFn routine, Packet& packet, Status status, const void* buffer,
                         uint32_t length) override;
};

}  // namespace vmbsim::shim
