// vmbsim: replay scenario files against a KMCL driver, or check them.
//   vmbsim run SCENARIO... [--driver LIB.so] [--verbose] [--trace FILE.json] [--log-format text|json]
//   vmbsim record --host MODEL | --guest MODEL [--driver LIB.so] [--command CMD]... -o FILE
//   vmbsim check SCENARIO...
//   vmbsim fuzz-repro INPUT [-o FILE] [--driver LIB.so [--args ARGS]]
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"vmbsim: a user-mode VMBus simulator for KMCL drivers"};
  app.require_subcommand(1);

  vmbsim::cli::RunArgs run;
  CLI::App* run_cmd = app.add_subcommand("run", "replay scenarios against a driver");
  run_cmd->add_option("scenarios", run.scenarios, "scenario files (YAML or JSON)")->required();
  run_cmd->add_option("--driver", run.driver, "the driver as a plugin library (default: the bundled echo sample)");
  run_cmd->add_flag("-v,--verbose", run.verbose, "print every step");
  run_cmd->add_option("--log-level", run.log_level, "simulator log level: trace, debug, info, warn, error, off");
  run_cmd->add_option("--trace", run.trace, "write a Chrome Trace Event file (Perfetto UI, chrome://tracing)");
  run_cmd->add_option("--log-format", run.log_format, "text (default) or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}));

  vmbsim::cli::RecordArgs record;
  CLI::App* record_cmd = app.add_subcommand("record", "run a driver against a host model and write the session as a scenario");
  record_cmd->add_option("--host", record.host, "host model (client drivers): echo, echo-v1, echo-slow");
  record_cmd->add_option("--guest", record.guest, "guest model (server drivers): storage");
  record_cmd->add_option("--driver", record.driver, "the driver as a plugin library (default: the bundled echo sample)");
  record_cmd->add_option("--args", record.driver_args, "the driver's arguments");
  record_cmd->add_option("--command", record.commands, "a driver command to run (repeatable), e.g. \"send 3 8\"");
  record_cmd->add_option("-o,--output", record.output, "the scenario file to write")->required();
  record_cmd->add_option("--name", record.name, "the scenario's name");
  record_cmd->add_option("--log-level", record.log_level, "simulator log level");

  std::vector<std::string> check;
  CLI::App* check_cmd = app.add_subcommand("check", "validate scenario files without running them");
  check_cmd->add_option("scenarios", check, "scenario files")->required();

  vmbsim::cli::FuzzReproArgs repro;
  CLI::App* repro_cmd = app.add_subcommand(
      "fuzz-repro", "show what a fuzzer input does to the bundled echo sample, and write it as a scenario");
  repro_cmd->add_option("input", repro.input, "the input (e.g. a crash file of echo_fuzzer)")->required();
  repro_cmd->add_option("-o,--output", repro.output, "the scenario file to write");
  repro_cmd->add_option("--driver", repro.driver, "another build of the echo sample as a plugin (e.g. the buggy one)");
  repro_cmd->add_option("--args", repro.driver_args, "its arguments, e.g. bugs=double_free");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : vmbsim::cli::kExitBadInput;
  }
  if (*run_cmd) return vmbsim::cli::run_command(run);
  if (*record_cmd) return vmbsim::cli::record_command(record);
  if (*repro_cmd) return vmbsim::cli::fuzz_repro_command(repro);
  return vmbsim::cli::check_command(check);
}
