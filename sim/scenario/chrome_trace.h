// A Chrome Trace Event file (opens in Perfetto UI and chrome://tracing) built from the
// simulation's trace events: one process per scenario, one track per channel with its state
// changes as slices, one async span per packet object from allocation to free with its steps
// (send, in the ring, peer completed, completion routine; for incoming packets: read, processed,
// completed), and instant marks for faults, scenario steps and verifier findings.
//
// Time is virtual. Most things happen in zero virtual time, so each event is placed at least
// 1 ns after the previous one: the order is exact, the spacing is logical.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "sim/core/trace_sink.h"

namespace vmbsim::scenario {

class ChromeTrace : public TraceSink {
 public:
  // Starts a new process (one per scenario); later events belong to it.
  void begin_process(const std::string& name);
  // Closes the slices and spans still open in the current process.
  void end_process();
  void event(const TraceEvent& e) override;
  // Writes the file; false with the reason if it cannot.
  bool write(const std::string& path, std::string& error) const;
  const nlohmann::json& events() const { return events_; }

 private:
  double stamp(int64_t time_ns);
  void name_thread(uint64_t tid, const std::string& name);

  nlohmann::json events_ = nlohmann::json::array();
  int pid_ = 0;
  int64_t last_ns_ = -1;
  int64_t offset_ns_ = 0;  // virtual time of earlier processes, so they follow each other
  std::set<uint64_t> named_threads_;
  std::map<uint64_t, std::string> open_slices_;  // channel -> current state slice
  std::map<uint64_t, std::pair<uint64_t, std::string>> open_spans_;  // object -> (channel, category)
};

}  // namespace vmbsim::scenario
