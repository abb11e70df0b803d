// `vmbsim record`: runs a driver against a host model, writes the session as a scenario, and
// replays that scenario to prove it is green.
#include <cstdio>
#include <fstream>
#include <set>

#include "cli/bundled_driver.h"
#include "cli/commands.h"
#include "cli/guest_models.h"
#include "cli/host_models.h"
#include "sim/core/guest_endpoint.h"
#include "sim/core/simulation.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/recorder.h"
#include "sim/scenario/runner.h"

namespace vmbsim::cli {

namespace {

// Writes the recording, loads it back and replays it against the same driver.
int write_and_replay(const RecordArgs& args, const std::string& text, plugin::PluginDriver& driver) {
  {
    std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
    if (!(out << text)) {
      std::fprintf(stderr, "vmbsim: cannot write %s\n", args.output.c_str());
      return kExitBadInput;
    }
  }
  scenario::LoadResult loaded = scenario::load_file(args.output);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.str().c_str());
    std::fprintf(stderr, "vmbsim: the recorded scenario does not load (a recorder bug)\n");
    return kExitFailed;
  }
  scenario::RunResult r = scenario::run(*loaded.scenario, driver);
  for (const auto& f : r.failures) std::printf("  FAIL %s\n", f.str().c_str());
  std::printf("%s: replay %s (%zu steps)\n", args.output.c_str(), r.passed ? "passes" : "FAILS", r.steps_run);
  return r.passed ? kExitPassed : kExitFailed;
}

std::vector<int> reported_rules(Simulation& sim) {
  std::set<int> rules;
  for (const Finding& f : sim.verifier().findings())
    if (f.rule != 0) rules.insert(f.rule);
  return std::vector<int>(rules.begin(), rules.end());
}

// A server driver against a guest model: the recording plays the guest.
int record_guest(const RecordArgs& args) {
  const GuestModel* model = find_guest_model(args.guest);
  if (model == nullptr) {
    std::fprintf(stderr, "vmbsim: unknown guest model '%s'; known:\n", args.guest.c_str());
    for (const GuestModel& m : guest_models()) std::fprintf(stderr, "  %-10s %s\n", m.name.c_str(), m.description.c_str());
    return kExitBadInput;
  }
  if (args.driver.empty()) {
    std::fprintf(stderr, "vmbsim: --guest needs --driver: a server driver (the bundled sample is a client)\n");
    return kExitBadInput;
  }
  std::unique_ptr<plugin::PluginDriver> driver = driver_for(args.driver);
  if (!driver) return kExitBadInput;
  scenario::ChannelSpec channel;
  channel.id = model->name;
  channel.role = scenario::Role::Server;
  std::string text;
  {
    GuestMemoryBlocks memory;  // outlives the simulation below
    SimulationOptions options;
    options.name = "record";
    options.log_level = args.log_level.empty() ? "off" : args.log_level;
    Simulation sim(options);
    Device& device = sim.offer(OfferSpec{});
    scenario::Recorder recorder(sim);
    Status s = driver->load(device, args.driver_args);
    if (!succeeded(s)) {
      std::fprintf(stderr, "vmbsim: the driver's entry failed: %s\n", status_name(s));
      return kExitFailed;
    }
    std::string error;
    bool ok;
    {
      GuestEndpoint guest(sim, "guest:" + model->name);
      guest.set_observer(&recorder);
      ok = model->run(sim, guest, memory, error);
      sim.run_until_idle();
      // The replay unloads the driver itself: its teardown is not part of the recording.
      guest.set_observer(nullptr);
      driver->unload();
      sim.run_until_idle();
    }
    sim.shutdown();
    if (!ok) {
      std::fprintf(stderr, "vmbsim: guest model '%s': %s\n", model->name.c_str(), error.c_str());
      return kExitFailed;
    }
    recorder.set_violations(reported_rules(sim));
    std::string name = args.name.empty() ? "recorded: guest " + model->name : args.name;
    text = recorder.yaml(name, "driver " + driver->name() + " against guest model " + model->name, channel,
                         args.driver_args);
    std::printf("recorded %zu steps from guest model '%s'\n", recorder.steps(), model->name.c_str());
  }
  return write_and_replay(args, text, *driver);
}

}  // namespace

int record_command(const RecordArgs& args) {
  if (args.host.empty() == args.guest.empty()) {
    std::fprintf(stderr, "vmbsim: record needs one of --host MODEL (a client driver) or --guest MODEL (a server driver)\n");
    return kExitBadInput;
  }
  if (!args.guest.empty()) return record_guest(args);
  const HostModel* model = find_host_model(args.host);
  if (model == nullptr) {
    std::fprintf(stderr, "vmbsim: unknown host model '%s'; known:\n", args.host.c_str());
    for (const HostModel& m : host_models()) std::fprintf(stderr, "  %-10s %s\n", m.name.c_str(), m.description.c_str());
    return kExitBadInput;
  }
  std::unique_ptr<plugin::PluginDriver> driver = driver_for(args.driver);
  if (!driver) return kExitBadInput;

  scenario::ChannelSpec channel;
  channel.id = model->offer.name;
  channel.interface_type = model->offer.interface_type;
  channel.interface_instance = model->offer.interface_instance;
  channel.user_data = model->offer.user_data;
  channel.mmio_megabytes = model->offer.mmio_megabytes;
  std::string text;
  {
    SimulationOptions options;
    options.name = "record";
    options.log_level = args.log_level.empty() ? "off" : args.log_level;
    Simulation sim(options);
    Device& device = sim.offer(model->offer);
    scenario::Recorder recorder(sim);
    device.host().set_observer(&recorder);
    std::shared_ptr<void> host = model->attach(device.host());
    Status s = driver->load(device, args.driver_args);
    if (!succeeded(s)) {
      std::fprintf(stderr, "vmbsim: the driver's entry failed: %s\n", status_name(s));
      return kExitFailed;
    }
    sim.run_until_idle();
    for (const std::string& command : args.commands) {
      recorder.driver_command(command);
      Status cs = driver->command(command);
      if (!succeeded(cs)) {
        std::fprintf(stderr, "vmbsim: driver command '%s' failed: %s\n", command.c_str(), status_name(cs));
        driver->unload();
        return kExitFailed;
      }
      sim.run_until_idle();
    }
    // The replay unloads the driver itself: its teardown is not part of the recording.
    device.host().set_observer(nullptr);
    driver->unload();
    sim.run_until_idle();
    sim.shutdown();
    recorder.set_violations(reported_rules(sim));
    std::string name = args.name.empty() ? "recorded: " + model->name : args.name;
    text = recorder.yaml(name, "driver " + driver->name() + " against host model " + model->name, channel,
                         args.driver_args);
    std::printf("recorded %zu steps from host model '%s'\n", recorder.steps(), model->name.c_str());
  }
  return write_and_replay(args, text, *driver);
}

}  // namespace vmbsim::cli
