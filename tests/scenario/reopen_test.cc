// A client driver that reconnects after the host closes its channel (kmcl-api.md: on a guest,
// call VmbChannelEnable again after EvtChannelClosed), and the scenario step `reopened` that
// waits for it. The echo sample cannot reconnect (it has no command for it), so a small driver
// of its own does: it greets the host with "hello N" from each EvtChannelPostStarted (N counts
// the opens) and its command `reconnect` disables and enables its channel again.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

#include "plugin/plugin_driver.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/runner.h"
#include "tests/scenario/failures.h"

namespace vmbsim::scenario {
namespace {

struct ReopenDriver {
  KMCL_CLIENT_INTERFACE_V1 kmcl{};
  VMBCHANNEL channel = nullptr;
  UINT32 opens = 0;
};

ReopenDriver* from(VMBCHANNEL channel) { return static_cast<ReopenDriver*>(VmbChannelGetPointer(channel)); }

void post_started(VMBCHANNEL channel) {
  ReopenDriver* d = from(channel);
  UINT32 hello[2] = {1, ++d->opens};
  VMBPACKET packet = d->kmcl.VmbPacketAllocate(channel);
  if (packet == nullptr) return;
  // The default completion routine frees the packet.
  if (!NT_SUCCESS(d->kmcl.VmbPacketSend(packet, hello, sizeof(hello), nullptr,
                                        VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION)))
    d->kmcl.VmbPacketFree(packet);
}

void process_packet(VMBCHANNEL channel, VMBPACKETCOMPLETION packet, PVOID, UINT32, UINT32) {
  from(channel)->kmcl.VmbChannelPacketComplete(packet, nullptr, 0);
}

NTSTATUS entry(WDFDEVICE device, const char*, PVOID* context) {
  auto* d = new ReopenDriver;
  *context = d;
  NTSTATUS s = WdfFdoQueryForInterface(device, &KMCL_CLIENT_INTERFACE_TYPE, reinterpret_cast<PINTERFACE>(&d->kmcl),
                                       sizeof(d->kmcl), KMCL_CLIENT_INTERFACE_VERSION_V1, nullptr);
  if (!NT_SUCCESS(s)) return s;
  s = d->kmcl.VmbChannelAllocate(WdfDeviceWdmGetDeviceObject(device), FALSE, &d->channel);
  if (!NT_SUCCESS(s)) return s;
  d->kmcl.VmbChannelSetPointer(d->channel, d);
  d->kmcl.VmbChannelInitSetMaximumPacketSize(d->channel, 64);
  VMB_CHANNEL_STATE_CHANGE_CALLBACKS callbacks;
  VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(&callbacks);
  callbacks.EvtChannelPostStarted = post_started;
  d->kmcl.VmbChannelInitSetStateChangeCallbacks(d->channel, &callbacks);
  d->kmcl.VmbChannelInitSetProcessPacketCallbacks(d->channel, process_packet, nullptr);
  return d->kmcl.VmbChannelEnable(d->channel);
}

NTSTATUS command(PVOID context, const char* text) {
  auto* d = static_cast<ReopenDriver*>(context);
  if (std::strcmp(text, "reconnect") != 0) return STATUS_NOT_SUPPORTED;
  // After EvtChannelClosed the channel is closed already and Disable only ends the old
  // connection's state; Enable opens it anew.
  d->kmcl.VmbChannelDisable(d->channel);
  return d->kmcl.VmbChannelEnable(d->channel);
}

void unload(PVOID context) {
  auto* d = static_cast<ReopenDriver*>(context);
  if (d->channel != nullptr) {
    d->kmcl.VmbChannelDisable(d->channel);
    d->kmcl.VmbChannelCleanup(d->channel);
  }
  if (d->kmcl.InterfaceDereference != nullptr) d->kmcl.InterfaceDereference(d->kmcl.Context);
  delete d;
}

const char* kHeader =
    "scenario: reopen\n"
    "channels:\n"
    "  - id: c\n"
    "    interface_type: 3c5e0f7a-2b1d-4e6f-9a8b-7c6d5e4f3a2b\n"
    "steps:\n"
    "  - expect: {bytes: \"01000000 01000000\", as: hello}\n"
    "  - complete: {packet: hello}\n";

class ReopenTest : public ::testing::Test {
 protected:
  RunResult play(const std::string& steps) {
    LoadResult r = load_text(kHeader + steps, "reopen.yaml");
    EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].str());
    if (!r.ok()) return {};
    return run(*r.scenario, driver);
  }
  plugin::PluginDriver driver{"reopen", plugin::EntryPoints{entry, command, unload}};
};

TEST_F(ReopenTest, TheDriverReconnectsAfterAHostClose) {
  RunResult r = play(
      "  - close:\n"
      "  - wait: 1ms\n"
      "  - driver: reconnect\n"
      "  - reopened: {within: 10ms}\n"
      "  - expect: {bytes: \"01000000 02000000\", as: again}\n"
      "  - complete: {packet: again}\n");
  ASSERT_TRUE(r.passed) << failures(r);
  EXPECT_NE(failures(r).find("verdict: PASS (0 error(s), 0 warning(s))"), std::string::npos) << failures(r);
  // Twice over, with the reconnect straight after the close (before the close has reached the
  // driver, so its Disable closes the channel itself): `reopened` waits for the new connection,
  // not the old one still standing when the step starts.
  RunResult twice = play(
      "  - repeat:\n"
      "      times: 2\n"
      "      steps:\n"
      "        - close:\n"
      "        - driver: reconnect\n"
      "        - reopened:\n"
      "        - expect: {fields: [{offset: 0, type: u32, equals: 1}], as: again}\n"
      "        - complete: {packet: again}\n");
  EXPECT_TRUE(twice.passed) << failures(twice);
  EXPECT_NE(twice.log.back().find("txid 0x100000003"), std::string::npos) << twice.log.back();
}

TEST_F(ReopenTest, ReopenedTimesOutWhenTheDriverDoesNotReconnect) {
  RunResult r = play("  - close:\n  - reopened: {within: 5ms}\n");
  ASSERT_FALSE(r.passed);
  EXPECT_NE(r.failures[0].message.find("timed out after 5 ms (virtual) waiting for the driver to open channel c again"),
            std::string::npos)
      << failures(r);
  EXPECT_EQ(r.failures[0].pos.line, 9);
}

TEST_F(ReopenTest, TheLoaderWantsAnEarlierCloseOfAClientChannel) {
  LoadResult none = load_text(kHeader + std::string("  - reopened:\n"), "r.yaml");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.errors[0].str().find("r.yaml:8:5: no earlier step 'close' closed channel 'c'"), std::string::npos)
      << none.errors[0].str();
  LoadResult server = load_text("scenario: s\nchannels: [{id: g, role: server}]\nsteps:\n  - open:\n  - close:\n"
                                "  - reopened: {channel: g}\n",
                                "s.yaml");
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.errors[0].message.find("needs a channel where the driver is the client"), std::string::npos)
      << server.errors[0].str();
}

}  // namespace
}  // namespace vmbsim::scenario
