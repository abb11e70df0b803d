// Recording a session into a scenario and replaying it: what the host model did, hostile raw
// writes and pauses included, comes back as steps that pass against the same driver.
#include <gtest/gtest.h>

#include "echo_host.h"
#include "echo_plugin.h"
#include "plugin/plugin_driver.h"
#include "sim/core/simulation.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/recorder.h"
#include "sim/scenario/runner.h"
#include "tests/scenario/failures.h"

namespace vmbsim::scenario {
namespace {

OfferSpec echo_offer() {
  OfferSpec offer;
  Guid::parse("5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11", offer.interface_type);
  offer.name = "echo";
  return offer;
}

class RecorderTest : public ::testing::Test {
 protected:
  // Runs `session` against the echo sample and its host model with a recorder watching, and
  // returns the scenario it recorded.
  template <typename Session>
  std::string record(Session&& session) {
    Simulation sim;
    Device& device = sim.offer(echo_offer());
    Recorder recorder(sim);
    device.host().set_observer(&recorder);
    echo::EchoHost model(device.host());
    EXPECT_EQ(driver.load(device, ""), status::kSuccess);
    sim.run_until_idle();
    session(sim, device.host(), recorder);
    device.host().set_observer(nullptr);
    driver.unload();
    sim.run_until_idle();
    sim.shutdown();
    ChannelSpec channel;
    channel.id = "echo";
    channel.interface_type = echo_offer().interface_type;
    return recorder.yaml("recorded", "", channel, "");
  }
  RunResult replay(const std::string& yaml) {
    LoadResult r = load_text(yaml, "recorded.yaml");
    EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].str()) << "\n" << yaml;
    if (!r.ok()) return {};
    return run(*r.scenario, driver);
  }
  plugin::PluginDriver driver{"echo", plugin::EntryPoints{EchoPluginEntry, EchoPluginCommand, EchoPluginUnload}};
};

TEST_F(RecorderTest, HostileRawWritesRecordAsRawStepsThatReplay) {
  std::string yaml = record([this](Simulation& sim, HostChannel& host, Recorder& recorder) {
    recorder.driver_command("send 1 4");
    ASSERT_EQ(driver.command("send 1 4"), status::kSuccess);
    sim.run_until_idle();
    // A completion for a transaction the driver never sent, then a packet of no known type
    // with a descriptor extension.
    std::vector<uint8_t> bogus{4, 0, 0, 0, 0, 0, 0, 0};
    ring::OutgoingPacket completion;
    completion.type = ring::PacketType::Completion;
    completion.transaction_id = 0x1234;
    completion.payload = {bogus.data(), static_cast<uint32_t>(bogus.size())};
    host.send_raw(completion);
    sim.run_for(1'000'000);
    std::vector<uint8_t> header(8, 0xee);
    ring::OutgoingPacket unknown;
    unknown.type = static_cast<ring::PacketType>(0x55);
    unknown.flags = 1;
    unknown.transaction_id = 7;
    unknown.header_ext = {header.data(), static_cast<uint32_t>(header.size())};
    host.send_raw(unknown);
    sim.run_until_idle();
  });
  EXPECT_NE(yaml.find("- raw: {type: 11, flags: 0, txid: 0x1234, bytes: \"04000000 00000000\"}"), std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("- wait: 1ms\n  - raw: {type: 85, flags: 1, txid: 0x7, header: \"eeeeeeee eeeeeeee\"}"),
            std::string::npos)
      << yaml;
  RunResult r = replay(yaml);
  EXPECT_TRUE(r.passed) << failures(r) << yaml;
  EXPECT_NE(r.verifier_report.find("SIM-PEER"), std::string::npos) << r.verifier_report;
}

TEST_F(RecorderTest, APauseRecordsAsPauseAndResume) {
  std::string yaml = record([this](Simulation& sim, HostChannel& host, Recorder& recorder) {
    host.set_paused(true);
    recorder.driver_command("send 2 4");
    ASSERT_EQ(driver.command("send 2 4"), status::kSuccess);
    sim.run_for(5'000'000);
    host.set_paused(false);
    sim.run_until_idle();
  });
  EXPECT_NE(yaml.find("- fault: pause\n  - driver: \"send 2 4\"\n  - wait: 5ms\n  - fault: resume\n"), std::string::npos)
      << yaml;
  RunResult r = replay(yaml);
  EXPECT_TRUE(r.passed) << failures(r) << yaml;
  EXPECT_GE(r.virtual_ns, 5'000'000);
}

}  // namespace
}  // namespace vmbsim::scenario
