#include "kmcl_client.h"

#include "vmbsim/shim.h"

namespace vmbsim::shim {

Status KmclClient::opened(Channel& c) {
  return state.EvtChannelOpened ? state.EvtChannelOpened(handle(c)) : status::kSuccess;
}
void KmclClient::closed(Channel& c) {
  if (state.EvtChannelClosed) state.EvtChannelClosed(handle(c));
}
void KmclClient::suspend(Channel& c) {
  if (state.EvtChannelSuspend) state.EvtChannelSuspend(handle(c));
}
void KmclClient::started(Channel& c) {
  if (state.EvtChannelStarted) state.EvtChannelStarted(handle(c));
}
void KmclClient::post_started(Channel& c) {
  if (state.EvtChannelPostStarted) state.EvtChannelPostStarted(handle(c));
}
void KmclClient::pnp_failure(Channel& c, Status s) {
  if (pnp_failure_cb) pnp_failure_cb(handle(c), s);
}
void KmclClient::process_packet(Channel& c, IncomingPacket& p, const void* buffer, uint32_t length,
                                uint32_t flags) {
  process_packet_cb(handle(c), handle(p), const_cast<void*>(buffer), length, flags);
}
void KmclClient::processing_complete(Channel& c, uint32_t n) {
  if (processing_complete_cb) processing_complete_cb(handle(c), n);
}
Status KmclClient::save_packet(Channel& c, Packet& p, void* buffer, uint32_t size, uint32_t* needed) {
  UINT32 n = *needed;
  NTSTATUS s = save_packet_cb(handle(c), handle(p), buffer, size, &n);
  *needed = n;
  return s;
}
Status KmclClient::restore_packet(Channel& c, const void* lib_buffer, uint32_t lib_size, const void* save_buffer,
                                  uint32_t save_size) {
  return restore_packet_cb(handle(c), const_cast<void*>(lib_buffer), lib_size, const_cast<void*>(save_buffer),
                           save_size);
}
void KmclClient::packet_completion(OpaqueFn routine, Packet& p, Status s, const void* buffer,
                                   uint32_t length) {
  // The routine was stored type-erased by VmbPacketSetCompletionRoutine; cast it back.
  auto fn = reinterpret_cast<PFN_VMB_PACKET_COMPLETION_ROUTINE>(routine);
  fn(handle(p), s, const_cast<void*>(buffer), length);
}

}  // namespace vmbsim::shim
