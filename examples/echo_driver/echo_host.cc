#include "echo_host.h"

#include <cstring>

#include "echo_protocol.h"

namespace echo {

EchoHost::EchoHost(vmbsim::HostChannel& channel, HostOptions options)
    : channel_(channel), options_(options) {
  channel_.on_packet([this](vmbsim::HostChannel& host, const vmbsim::HostPacket& p) { on_packet(host, p); });
  channel_.on_completion([this](vmbsim::HostChannel&, const vmbsim::GuestCompletion& c) {
    ECHO_NOTIFY_MESSAGE ack;
    if (c.payload.size() >= sizeof(ack.Header)) {
      std::memcpy(&ack.Header, c.payload.data(), sizeof(ack.Header));
      if (ack.Header.Type == ECHO_MSG_NOTIFY_ACK) ++acks_received;
    }
  });
}

void EchoHost::on_packet(vmbsim::HostChannel& host, const vmbsim::HostPacket& p) {
  ECHO_HEADER header;
  if (p.payload.size() < sizeof(header)) {
    ++bad_packets;
    if (p.completion_requested()) host.complete(p.transaction_id, nullptr, 0);
    return;
  }
  std::memcpy(&header, p.payload.data(), sizeof(header));
  if (header.Type == ECHO_MSG_VERSION_REQUEST && p.payload.size() >= sizeof(ECHO_VERSION_MESSAGE)) {
    ECHO_VERSION_MESSAGE request;
    std::memcpy(&request, p.payload.data(), sizeof(request));
    ECHO_VERSION_MESSAGE response{};
    response.Header.Type = ECHO_MSG_VERSION_RESPONSE;
    response.Version = request.Version;
    response.Header.Status = request.Version <= options_.max_version ? ECHO_STATUS_OK : ECHO_STATUS_UNSUPPORTED_VERSION;
    ++versions_answered;
    host.complete(p.transaction_id, &response, sizeof(response));
    return;
  }
  if (header.Type == ECHO_MSG_ECHO_REQUEST && p.payload.size() >= sizeof(ECHO_DATA_MESSAGE)) {
    uint32_t sequence;
    std::memcpy(&sequence, p.payload.data() + offsetof(ECHO_DATA_MESSAGE, Sequence), sizeof(sequence));
    sequences_seen.push_back(sequence);
    if (options_.hold_echo_requests) {
      held_.emplace_back(p.transaction_id, p.payload);
      return;
    }
    if (options_.response_delay_ns > 0) {
      std::vector<uint8_t> copy = p.payload;
      uint64_t txid = p.transaction_id;
      copy[0] = static_cast<uint8_t>(ECHO_MSG_ECHO_RESPONSE);
      ++echoes_answered;
      host.complete_after(options_.response_delay_ns, txid, std::move(copy));
      return;
    }
    answer_echo(p.transaction_id, p.payload);
    return;
  }
  ++bad_packets;
  ECHO_HEADER error{header.Type, ECHO_STATUS_BAD_MESSAGE};
  if (p.completion_requested()) host.complete(p.transaction_id, &error, sizeof(error));
}

void EchoHost::answer_echo(uint64_t txid, const std::vector<uint8_t>& request) {
  // The response is the request with its type changed: same sequence, length and data.
  thread_local std::vector<uint8_t> response;
  response.assign(request.begin(), request.end());
  uint32_t type = ECHO_MSG_ECHO_RESPONSE;
  std::memcpy(response.data(), &type, sizeof(type));
  ++echoes_answered;
  channel_.complete(txid, response);
}

void EchoHost::release_held(bool reverse) {
  while (!held_.empty()) {
    auto item = reverse ? held_.back() : held_.front();
    if (reverse)
      held_.pop_back();
    else
      held_.pop_front();
    answer_echo(item.first, item.second);
  }
}

uint64_t EchoHost::send_notify(uint32_t event, uint32_t value, bool completion_requested) {
  ECHO_NOTIFY_MESSAGE m{};
  m.Header.Type = ECHO_MSG_NOTIFY;
  m.Event = event;
  m.Value = value;
  return channel_.send(&m, sizeof(m), completion_requested);
}

}  // namespace echo
