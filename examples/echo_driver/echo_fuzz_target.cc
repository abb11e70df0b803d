// The echo sample as a fuzz target: its plugin entry points, the commands the fuzzer may give it,
// and well-formed echo-protocol messages for the hostile host's packets to start from.
#include "echo_fuzz_target.h"

#include <cstring>

#include "echo_plugin.h"
#include "echo_protocol.h"

namespace {

// Well-formed messages of the echo protocol, for the host's packets and completions to start from.
std::vector<std::vector<uint8_t>> echo_messages() {
  std::vector<std::vector<uint8_t>> m;
  for (uint32_t version : {ECHO_PROTOCOL_VERSION_2, ECHO_PROTOCOL_VERSION_1}) {
    ECHO_VERSION_MESSAGE v{};
    v.Header.Type = ECHO_MSG_VERSION_RESPONSE;
    v.Version = version;
    m.push_back(vmbsim::fuzz::message_bytes(v));
  }
  for (uint32_t sequence : {1u, 2u, 3u}) {
    ECHO_DATA_MESSAGE d{};
    d.Header.Type = ECHO_MSG_ECHO_RESPONSE;
    d.Sequence = sequence;
    m.push_back(vmbsim::fuzz::message_bytes(d));
  }
  ECHO_NOTIFY_MESSAGE n{};
  n.Header.Type = ECHO_MSG_NOTIFY;
  n.Event = 1;
  n.Value = 42;
  m.push_back(vmbsim::fuzz::message_bytes(n));
  return m;
}

}  // namespace

vmbsim::fuzz::Target echo_fuzz_target(const std::string& bugs) {
  vmbsim::fuzz::Target t;
  t.name = bugs.empty() ? "echo" : "buggy echo (" + bugs + ")";
  t.driver = {EchoPluginEntry, EchoPluginCommand, EchoPluginUnload};
  if (!bugs.empty()) t.args = "bugs=" + bugs;
  t.offer.name = "echo";
  vmbsim::Guid::parse("5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11", t.offer.interface_type);
  t.commands = {"send 1 8", "send 3 8", "send 3 0", "send 1 64", "send 1 512", "reconnect"};
  t.messages = echo_messages();
  return t;
}

