// `vmbsim record`: runs a driver against a host model, writes the session as a scenario, and
// replays that scenario to prove it is green.
#include <cstdio>
#include <fstream>
#include <set>

#include "cli/bundled_driver.h"
#include "cli/commands.h"
#include "cli/host_models.h"
#include "sim/core/simulation.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/recorder.h"
#include "sim/scenario/runner.h"

namespace vmbsim::cli {

int record_command(const RecordArgs& args) {
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
    std::set<int> rules;
    for (const Finding& f : sim.verifier().findings())
      if (f.rule != 0) rules.insert(f.rule);
    recorder.set_violations(std::vector<int>(rules.begin(), rules.end()));
    std::string name = args.name.empty() ? "recorded: " + model->name : args.name;
    text = recorder.yaml(name, "driver " + driver->name() + " against host model " + model->name, channel,
                         args.driver_args);
    std::printf("recorded %zu steps from host model '%s'\n", recorder.steps(), model->name.c_str());
  }
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
  scenario::RunResult r = scenario::run(*loaded.scenario, *driver);
  for (const auto& f : r.failures) std::printf("  FAIL %s\n", f.str().c_str());
  std::printf("%s: replay %s (%zu steps)\n", args.output.c_str(), r.passed ? "passes" : "FAILS", r.steps_run);
  return r.passed ? kExitPassed : kExitFailed;
}

}  // namespace vmbsim::cli
