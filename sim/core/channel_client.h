// What the simulator calls on the driver side of a channel. The KMCL shim implements it by
// calling the driver's C callbacks; C++ tests may implement it directly (mock-ddk style).
#pragma once

#include <cstdint>

#include "sim/core/status.h"

namespace vmbsim {

class Channel;
class IncomingPacket;
class Packet;

// A driver function pointer kept opaque by the simulator (the shim casts it back).
using OpaqueFn = void (*)();

class ChannelClient {
 public:
  virtual ~ChannelClient() = default;

  // State-change callbacks: called only if registered (Channel::set_state_callbacks).
  virtual Status opened(Channel& channel) = 0;
  virtual void closed(Channel& channel) = 0;
  virtual void suspend(Channel& channel) = 0;
  virtual void started(Channel& channel) = 0;
  virtual void post_started(Channel& channel) = 0;
  virtual void pnp_failure(Channel& channel, Status status) = 0;

  // Receive callbacks: process_packet only if registered, processing_complete if registered.
  virtual void process_packet(Channel& channel, IncomingPacket& packet, const void* buffer,
                              uint32_t length, uint32_t flags) = 0;
  virtual void processing_complete(Channel& channel, uint32_t packets_processed) = 0;

  // Save/restore (server channels; only if registered with
  // VmbServerChannelInitSetSaveRestorePacketCallbacks). save_packet is probed with size 0 first.
  virtual Status save_packet(Channel& channel, Packet& packet, void* buffer, uint32_t size, uint32_t* needed) = 0;
  virtual Status restore_packet(Channel& channel, const void* lib_buffer, uint32_t lib_size, const void* save_buffer,
                                uint32_t save_size) = 0;

  // Runs the driver's completion routine `routine` (set with Packet::set_completion_routine).
  virtual void packet_completion(OpaqueFn routine, Packet& packet, Status status,
                                 const void* buffer, uint32_t length) = 0;
};

}  // namespace vmbsim
