// GoogleTest support for driver tests: a fixture with a fresh simulated bus, an offered
// device, its host endpoint and the KMCL table; and TestChannel, a configurable minimal
// driver channel whose callbacks record what happened and run optional lambdas.
//
//   TEST_F(KmclTest, EchoesAreCompleted) {
//     TestChannel& ch = open_channel();
//     VMBPACKET p = kmcl.VmbPacketAllocate(ch.channel);
//     ASSERT_EQ(send(p, "hi"), STATUS_SUCCESS);
//     run();
//     HostPacket hp = host.take_packet();
//     host.complete(hp.transaction_id, {1, 2, 3});
//     run();
//     EXPECT_EQ(ch.completions.size(), 1u);
//     EXPECT_TRUE(sim.verifier().clean());
//   }
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

#include "sim/core/simulation.h"
#include "vmbsim/shim.h"

namespace vmbsim::testing {

struct CompletionRecord {
  VMBPACKET packet;  // usually freed by now: read it only through `context`
  NTSTATUS status;
  std::vector<uint8_t> bytes;
  PVOID context = nullptr;  // VmbPacketGetPointer, taken while the routine ran
};

struct IncomingRecord {
  VMBPACKETCOMPLETION packet;
  std::vector<uint8_t> bytes;
  uint32_t flags;
  Irql irql;
};

// One channel of a minimal test driver, driven through the KMCL C ABI.
struct TestChannel {
  KMCL_CLIENT_INTERFACE_V1* kmcl = nullptr;
  Simulation* sim = nullptr;
  VMBCHANNEL channel = nullptr;
  std::vector<std::string> events;  // "Opened", "Started", "PostStarted", "Suspend", "Closed", "Batch(n)"
  std::vector<CompletionRecord> completions;
  std::vector<IncomingRecord> incoming;

  // Optional behaviour; each runs inside the callback of the same name.
  std::function<NTSTATUS()> on_opened;
  std::function<void()> on_started, on_post_started, on_suspend, on_closed;
  // Default: complete the packet inline with no bytes.
  std::function<void(VMBPACKETCOMPLETION, const uint8_t*, uint32_t)> on_packet;
  // Default for packets with a driver routine: record, then free.
  std::function<void(VMBPACKET, NTSTATUS, const uint8_t*, uint32_t)> on_completion;

  // Save/restore of server channels (ChannelConfig::save_restore). Defaults: no state of the
  // test's own to save; restore allocates a packet with completion_routine and restores it.
  std::function<NTSTATUS(VMBPACKET, void*, UINT32, UINT32*)> on_save_packet;
  std::function<NTSTATUS(void* lib, UINT32 lib_size, void* save, UINT32 save_size)> on_restore_packet;
  std::vector<VMBPACKET> restored;  // packets the default restore made

  // The completion routine tests install on their packets (records, then on_completion or free).
  static EVT_VMB_PACKET_COMPLETION_ROUTINE completion_routine;
  static EVT_VMB_CHANNEL_SAVE_PACKET save_packet;
  static EVT_VMB_CHANNEL_RESTORE_PACKET restore_packet;
};

struct ChannelConfig {
  UINT32 max_packet_size = 4096;
  UINT32 ring_pages = 0;  // 0: simulator default
  bool state_callbacks = true;
  bool processing_complete = true;
  bool enable = true;
  bool server = false;  // IsServer=TRUE: Enable offers the channel to a GuestEndpoint
  bool save_restore = false;  // server: register TestChannel::save_packet / restore_packet
};

class KmclTest : public ::testing::Test {
 protected:
  KmclTest();
  ~KmclTest() override;

  // Allocates and configures a channel on `device`, enables it and runs until idle.
  TestChannel& open_channel(ChannelConfig config = {});
  // Allocate + configure only (no enable), for init-call tests.
  TestChannel& allocate_channel(ChannelConfig config = {});

  NTSTATUS send(VMBPACKET packet, const std::vector<uint8_t>& bytes,
                UINT32 flags = VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
  size_t run() { return sim.run_until_idle(); }
  size_t violations(int rule) const { return const_cast<Simulation&>(sim).verifier().count(rule); }
  // All findings, one per line, for assertion messages.
  std::string findings() const { return const_cast<Simulation&>(sim).verifier().report(); }

  Simulation sim;
  Device& device;
  HostChannel& host;
  KMCL_CLIENT_INTERFACE_V1 kmcl{};
  std::vector<std::unique_ptr<TestChannel>> channels;
};

// The offer the fixture makes.
OfferSpec default_test_offer();

}  // namespace vmbsim::testing
