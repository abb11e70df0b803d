// A driver to fuzz and what its peer may do: the one description a user writes (see the README's
// fuzzing section for a complete ten-line fuzz target).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "plugin/plugin_driver.h"
#include "sim/core/device.h"
#include "sim/core/scheduler.h"

namespace vmbsim::fuzz {

enum class Side : uint8_t {
  Client,  // the driver opens an offered channel; the fuzzer is a hostile host
  Server,  // the driver offers a channel; the fuzzer is a hostile guest that opens it
};

// The bytes of a protocol message struct, for Target::messages.
template <typename T>
std::vector<uint8_t> message_bytes(const T& message) {
  std::vector<uint8_t> b(sizeof message);
  std::memcpy(b.data(), &message, sizeof message);
  return b;
}

struct Target {
  std::string name = "driver";
  plugin::EntryPoints driver;  // the plugin contract's entry points (vmbsim_plugin.h), linked in
  std::string args;            // the driver's argument string (VmbsimDriverEntry)
  Side side = Side::Client;
  OfferSpec offer;             // Client: the channel the simulated host offers
  // Driver commands the fuzzer may issue (VmbsimDriverCommand), e.g. "send 1 8".
  std::vector<std::string> commands;
  // Protocol messages the peer's packets and completions start from before they are edited:
  // valid requests, responses and notifications of the driver's protocol.
  std::vector<std::vector<uint8_t>> messages;
  // Server: ring pages of the guest's open; bytes of guest memory behind GPADLs and GPA-direct
  // packets the hostile guest may create.
  uint32_t guest_ring_pages = 4;
  uint32_t guest_buffer_bytes = 16384;
  // Virtual time a run may take after its last action before it counts as a hang.
  VirtualTime settle_limit_ns = 60'000'000'000;
  // Scheduler events a run may take in all (a livelock that runs in zero virtual time).
  uint64_t max_events = 2'000'000;
  size_t max_actions = 64;
};

}  // namespace vmbsim::fuzz
