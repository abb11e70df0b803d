// The replay program of a fuzz target (<name>_replay): runs its LLVMFuzzerTestOneInput over saved
// inputs without a fuzzing engine, so seed corpora and reproducers replay as ordinary ctest tests
// in every build (g++ without libFuzzer, and the ASan/UBSan build). For targets defined with
// VMBSIM_FUZZ_TARGET it also speaks the harness's language:
//
//   <name>_replay PATH...                      replay (a directory: each file below it, in name order)
//   <name>_replay --print INPUT                the peer actions the input decodes to, and the findings
//   <name>_replay --scenario INPUT -o FILE     write a scenario file that replays the input
//   <name>_replay --seeds -o DIR SCENARIO...   write one seed per scenario file into DIR
//
// Exit: 0 fine, 1 the input has findings (--print, --scenario), 2 bad usage or input.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/harness/harness.h"
#include "fuzz/harness/repro.h"
#include "sim/scenario/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Defined by VMBSIM_FUZZ_TARGET; absent (null) for targets written without it.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((weak)) const vmbsim::fuzz::Target& vmbsim_fuzz_target();
#define VMBSIM_HAVE_TARGET_HOOK 1
#endif

namespace fs = std::filesystem;

namespace {

bool read_file(const fs::path& p, std::vector<uint8_t>& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

const vmbsim::fuzz::Target* target_hook() {
#ifdef VMBSIM_HAVE_TARGET_HOOK
  if (&vmbsim_fuzz_target != nullptr) return &vmbsim_fuzz_target();
#endif
  std::fprintf(stderr, "replay: this fuzz target was not defined with VMBSIM_FUZZ_TARGET: only replay is available\n");
  return nullptr;
}

int replay(const std::vector<std::string>& args) {
  std::vector<fs::path> inputs;
  for (const std::string& a : args) {
    const fs::path arg(a);
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> files;
      // Recursive: reproducers are kept in one directory per bug.
      for (const fs::directory_entry& e : fs::recursive_directory_iterator(arg, ec))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else if (fs::is_regular_file(arg, ec)) {
      inputs.push_back(arg);
    } else {
      std::fprintf(stderr, "replay: %s: no such file or directory\n", a.c_str());
      return 2;
    }
  }
  // An empty run would pass while testing nothing (a moved corpus, a typo in CMake).
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs\n");
    return 2;
  }
  for (const fs::path& p : inputs) {
    std::vector<uint8_t> bytes;
    if (!read_file(p, bytes)) {
      std::fprintf(stderr, "replay: cannot read %s\n", p.string().c_str());
      return 2;
    }
    // Named before it runs: if it crashes, the log says which input did it.
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", p.string().c_str(), bytes.size());
    // A block of exactly the input's size, so a sanitizer build sees any read past its end.
    std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size()]);
    std::copy(bytes.begin(), bytes.end(), copy.get());
    LLVMFuzzerTestOneInput(copy.get(), bytes.size());
  }
  std::printf("replayed %zu inputs\n", inputs.size());
  return 0;
}

int print(const vmbsim::fuzz::Target& t, const std::string& input) {
  std::vector<uint8_t> bytes;
  if (!read_file(input, bytes)) {
    std::fprintf(stderr, "replay: cannot read %s\n", input.c_str());
    return 2;
  }
  vmbsim::fuzz::SessionResult r = vmbsim::fuzz::run_input(t, bytes.data(), bytes.size());
  std::printf("%s: %zu bytes, %zu peer actions, %llu events, %.3f ms virtual\n", t.name.c_str(), bytes.size(),
              r.log.size(), static_cast<unsigned long long>(r.events), static_cast<double>(r.virtual_ns) / 1e6);
  for (const std::string& line : r.log) std::printf("  %s\n", line.c_str());
  for (const std::string& f : r.findings) std::printf("FINDING: %s\n", f.c_str());
  if (r.findings.empty()) std::printf("no findings\n");
  return r.findings.empty() ? 0 : 1;
}

int scenario(const vmbsim::fuzz::Target& t, const std::string& input, const std::string& out) {
  std::vector<uint8_t> bytes;
  if (!read_file(input, bytes)) {
    std::fprintf(stderr, "replay: cannot read %s\n", input.c_str());
    return 2;
  }
  vmbsim::fuzz::Reproducer r = vmbsim::fuzz::scenario_from_input(t, bytes.data(), bytes.size());
  std::ofstream f(out, std::ios::binary);
  f << r.yaml;
  if (!f) {
    std::fprintf(stderr, "replay: cannot write %s\n", out.c_str());
    return 2;
  }
  std::printf("wrote %s: %zu peer actions, %zu finding(s)\n", out.c_str(), r.result.log.size(), r.result.findings.size());
  for (const std::string& finding : r.result.findings) std::printf("  %s\n", finding.c_str());
  return r.result.findings.empty() ? 0 : 1;
}

int seeds(const vmbsim::fuzz::Target& t, const std::vector<std::string>& files, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  int bad = 0;
  for (const std::string& file : files) {
    vmbsim::scenario::LoadResult loaded = vmbsim::scenario::load_file(file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "replay: %s: %s\n", file.c_str(), loaded.errors.front().str().c_str());
      bad = 2;
      continue;
    }
    std::string error;
    std::vector<uint8_t> seed = vmbsim::fuzz::seed_from_scenario(t, *loaded.scenario, error);
    if (seed.empty()) {
      std::fprintf(stderr, "replay: %s: skipped: %s\n", file.c_str(), error.c_str());
      continue;
    }
    fs::path out = fs::path(dir) / fs::path(file).stem();
    std::ofstream f(out, std::ios::binary);
    f.write(reinterpret_cast<const char*>(seed.data()), static_cast<std::streamsize>(seed.size()));
    std::printf("%s -> %s (%zu bytes)\n", file.c_str(), out.string().c_str(), seed.size());
  }
  return bad;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* usage =
      "usage: %s PATH... | --print INPUT | --scenario INPUT -o FILE | --seeds -o DIR SCENARIO...\n";
  if (!args.empty() && (args[0] == "--print" || args[0] == "--scenario" || args[0] == "--seeds")) {
    const vmbsim::fuzz::Target* t = target_hook();
    if (!t) return 2;
    std::string out;
    std::vector<std::string> rest;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "-o" && i + 1 < args.size())
        out = args[++i];
      else
        rest.push_back(args[i]);
    }
    if (args[0] == "--print" && rest.size() == 1 && out.empty()) return print(*t, rest[0]);
    if (args[0] == "--scenario" && rest.size() == 1 && !out.empty()) return scenario(*t, rest[0], out);
    if (args[0] == "--seeds" && !rest.empty() && !out.empty()) return seeds(*t, rest, out);
    std::fprintf(stderr, usage, argv[0]);
    return 2;
  }
  return replay(args);
}
