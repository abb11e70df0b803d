// Fuzz target for the echo sample driver: a hostile host against the client driver (see
// fuzz/harness/harness.h). Built as echo_fuzzer; with ECHO_FUZZ_BUGS="name[,name]" and the buggy
// build of the driver, as the buggy variants the time-to-find script measures.
#include <cstdint>
#include <cstring>

#include "echo_plugin.h"
#include "echo_protocol.h"
#include "fuzz/harness/harness.h"

namespace {

template <typename T>
std::vector<uint8_t> bytes_of(const T& v) {
  std::vector<uint8_t> b(sizeof v);
  std::memcpy(b.data(), &v, sizeof v);
  return b;
}

// Well-formed messages of the echo protocol, for the host's packets and completions to start from.
std::vector<std::vector<uint8_t>> echo_messages() {
  std::vector<std::vector<uint8_t>> m;
  for (uint32_t version : {ECHO_PROTOCOL_VERSION_2, ECHO_PROTOCOL_VERSION_1}) {
    ECHO_VERSION_MESSAGE v{};
    v.Header.Type = ECHO_MSG_VERSION_RESPONSE;
    v.Version = version;
    m.push_back(bytes_of(v));
  }
  for (uint32_t sequence : {1u, 2u, 3u}) {
    ECHO_DATA_MESSAGE d{};
    d.Header.Type = ECHO_MSG_ECHO_RESPONSE;
    d.Sequence = sequence;
    m.push_back(bytes_of(d));
  }
  ECHO_NOTIFY_MESSAGE n{};
  n.Header.Type = ECHO_MSG_NOTIFY;
  n.Event = 1;
  n.Value = 42;
  m.push_back(bytes_of(n));
  return m;
}

vmbsim::fuzz::Target echo_target() {
  vmbsim::fuzz::Target t;
  t.name = "echo";
  t.driver = {EchoPluginEntry, EchoPluginCommand, EchoPluginUnload};
#ifdef ECHO_FUZZ_BUGS
  t.name = "buggy echo (" ECHO_FUZZ_BUGS ")";
  t.args = "bugs=" ECHO_FUZZ_BUGS;
#endif
  t.offer.name = "echo";
  vmbsim::Guid::parse("5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11", t.offer.interface_type);
  t.commands = {"send 1 8", "send 3 0", "send 1 64"};
  t.messages = echo_messages();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const vmbsim::fuzz::Target target = echo_target();
  return vmbsim::fuzz::fuzz_one(target, data, size);
}
