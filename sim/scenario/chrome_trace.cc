#include "sim/scenario/chrome_trace.h"

#include <algorithm>
#include <fstream>

namespace vmbsim::scenario {

using nlohmann::json;

double ChromeTrace::stamp(int64_t time_ns) {
  int64_t t = std::max(time_ns + offset_ns_, last_ns_ + 1);
  last_ns_ = t;
  return static_cast<double>(t) / 1000.0;  // the format counts microseconds
}

void ChromeTrace::begin_process(const std::string& name) {
  ++pid_;
  offset_ns_ = last_ns_ + 1;
  named_threads_.clear();
  events_.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid_}, {"args", {{"name", name}}}});
  events_.push_back({{"name", "process_sort_index"}, {"ph", "M"}, {"pid", pid_}, {"args", {{"sort_index", pid_}}}});
  name_thread(0, "scenario");
}

void ChromeTrace::name_thread(uint64_t tid, const std::string& name) {
  if (!named_threads_.insert(tid).second) return;
  events_.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid_}, {"tid", tid}, {"args", {{"name", name}}}});
}

void ChromeTrace::end_process() {
  double ts = stamp(last_ns_ - offset_ns_ + 1);
  for (const auto& [channel, name] : open_slices_)
    events_.push_back({{"name", name}, {"ph", "E"}, {"pid", pid_}, {"tid", channel}, {"ts", ts}});
  open_slices_.clear();
  for (const auto& [object, where] : open_spans_)
    events_.push_back({{"name", "O" + std::to_string(object)}, {"cat", where.second}, {"ph", "e"}, {"id", object},
                       {"pid", pid_}, {"tid", where.first}, {"ts", ts}, {"args", {{"end", "still alive at the end"}}}});
  open_spans_.clear();
}

void ChromeTrace::event(const TraceEvent& e) {
  if (pid_ == 0) begin_process("simulation");
  uint64_t tid = e.channel_id;
  if (tid != 0) name_thread(tid, "channel " + std::to_string(tid));
  double ts = stamp(e.time_ns);
  json args = json::object();
  if (!e.detail.empty()) args["detail"] = e.detail;
  switch (e.kind) {
    case TraceKind::ChannelState: {
      auto it = open_slices_.find(tid);
      if (it != open_slices_.end())
        events_.push_back({{"name", it->second}, {"ph", "E"}, {"pid", pid_}, {"tid", tid}, {"ts", ts}});
      events_.push_back({{"name", e.name}, {"cat", e.category}, {"ph", "B"}, {"pid", pid_}, {"tid", tid}, {"ts", ts}});
      open_slices_[tid] = e.name;
      break;
    }
    case TraceKind::ObjectBegin:
      // Async spans are matched by name, category and id: the name is the object's, and each
      // step is an async instant on it.
      open_spans_[e.object_id] = {tid, e.category};
      args["object"] = e.name;
      events_.push_back({{"name", "O" + std::to_string(e.object_id)}, {"cat", e.category}, {"ph", "b"},
                         {"id", e.object_id}, {"pid", pid_}, {"tid", tid}, {"ts", ts}, {"args", args}});
      break;
    case TraceKind::ObjectStep:
      events_.push_back({{"name", e.name}, {"cat", e.category}, {"ph", "n"}, {"id", e.object_id}, {"pid", pid_},
                         {"tid", tid}, {"ts", ts}, {"args", args}});
      break;
    case TraceKind::ObjectEnd:
      open_spans_.erase(e.object_id);
      events_.push_back({{"name", "O" + std::to_string(e.object_id)}, {"cat", e.category}, {"ph", "e"},
                         {"id", e.object_id}, {"pid", pid_}, {"tid", tid}, {"ts", ts}, {"args", args}});
      break;
    case TraceKind::Instant:
      events_.push_back({{"name", e.name}, {"cat", e.category}, {"ph", "i"}, {"s", tid ? "t" : "p"}, {"pid", pid_},
                         {"tid", tid}, {"ts", ts}, {"args", args}});
      break;
  }
}

bool ChromeTrace::write(const std::string& path, std::string& error) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    error = "cannot write " + path;
    return false;
  }
  json doc = {{"traceEvents", events_}, {"displayTimeUnit", "ns"},
              {"otherData", {{"generator", "vmbsim"}, {"clock", "virtual time; events at least 1 ns apart"}}}};
  out << doc.dump(1) << "\n";
  if (!out) {
    error = "write to " + path + " failed";
    return false;
  }
  return true;
}

}  // namespace vmbsim::scenario
