// The subcommands of the `vmbsim` command. Each returns the process exit code:
// 0 everything passed, 1 a scenario failed, 2 bad input (unreadable or invalid scenario,
// a plugin that cannot be loaded).
#pragma once

#include <string>
#include <vector>

namespace vmbsim::cli {

constexpr int kExitPassed = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

struct RunArgs {
  std::vector<std::string> scenarios;
  std::string driver;     // a plugin library; empty: the bundled sample driver
  std::string log_level;  // the simulations' spdlog level ("off" unless asked)
  bool verbose = false;   // print each step as it runs
  std::string trace;       // write a Chrome Trace Event file here
  std::string log_format = "text";  // or "json": one JSON object per line
};

struct RecordArgs {
  std::string host;                   // a host model (host_models.h), for a client driver
  std::string guest;                  // or a guest model (guest_models.h), for a server driver
  std::string driver;                 // a plugin library; empty: the bundled sample driver
  std::string driver_args;
  std::vector<std::string> commands;  // driver commands to run after the driver loaded
  std::string output;
  std::string name;
  std::string log_level;
};

struct FuzzReproArgs {
  std::string input;   // a fuzzer input (a crash, a corpus entry)
  std::string output;  // the scenario file to write; empty: only print the actions and findings
  std::string driver;  // another build of the echo sample as a plugin (e.g. the buggy one)
  std::string driver_args;
};

int run_command(const RunArgs& args);
// The bundled echo sample's fuzz target (examples/echo_driver/echo_fuzzer): what an input does,
// and the scenario that replays it. Other targets: their own `<name>_replay --scenario`.
int fuzz_repro_command(const FuzzReproArgs& args);
int record_command(const RecordArgs& args);
int check_command(const std::vector<std::string>& scenarios);

}  // namespace vmbsim::cli
