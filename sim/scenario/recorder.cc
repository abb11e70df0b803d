#include "sim/scenario/recorder.h"

#include <cstdio>

#include "sim/core/endpoint.h"
#include "sim/core/simulation.h"
#include "sim/ring/ring_writer.h"

namespace vmbsim::scenario {

namespace {

// Groups of four bytes, as the wire's 32-bit fields usually fall.
std::string hex_bytes(const std::vector<uint8_t>& bytes) {
  std::string s;
  char b[4];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i && i % 4 == 0) s += ' ';
    std::snprintf(b, sizeof(b), "%02x", bytes[i]);
    s += b;
  }
  return s;
}

std::vector<uint8_t> copy(const ring::ConstBytes& b) {
  const auto* data = static_cast<const uint8_t*>(b.data);
  return data ? std::vector<uint8_t>(data, data + b.size) : std::vector<uint8_t>();
}

std::string quoted(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string duration(int64_t ns) {
  if (ns % 1000000000 == 0) return std::to_string(ns / 1000000000) + "s";
  if (ns % 1000000 == 0) return std::to_string(ns / 1000000) + "ms";
  if (ns % 1000 == 0) return std::to_string(ns / 1000) + "us";
  return std::to_string(ns) + "ns";
}

std::string status_text(Status s) {
  std::string name = status_name(s);
  if (name != "STATUS_<other>") return name;
  char b[16];
  std::snprintf(b, sizeof(b), "0x%08X", static_cast<unsigned>(s));
  return b;
}

}  // namespace

void Recorder::step(std::string text) {
  steps_.push_back(std::move(text));
  last_ns_ = sim_.now();
}

void Recorder::wait_for_now() {
  // Only before the host's own actions: an `expect` waits for its packet by itself.
  if (sim_.now() > last_ns_)
    step("- wait: " + duration(sim_.now() - last_ns_));
  else if (yield_)
    step("- wait: 0ms");
}

void Recorder::driver_command(const std::string& command) {
  wait_for_now();
  step("- driver: " + quoted(command));
  command_step_ = steps_.size();
  command_ = command;
}

void Recorder::driver_command_returned(Status status) {
  if (command_step_ == 0 || status == status::kSuccess) return;
  steps_[command_step_ - 1] = "- driver: {command: " + quoted(command_) + ", status: " + status_name(status) + "}";
  command_step_ = 0;
}

void Recorder::packet_read(const Endpoint&, const HostPacket& p) {
  std::string s = "- expect: {type: ";
  s += p.type == 9 ? "gpa_direct" : "inband";
  s += std::string(", completion_requested: ") + (p.completion_requested() ? "true" : "false");
  s += ", length: " + std::to_string(p.payload.size());
  if (!p.payload.empty()) s += ", bytes: \"" + hex_bytes(p.payload) + "\"";
  if (p.completion_requested()) {
    std::string name = "p" + std::to_string(next_name_++);
    driver_packets_[p.transaction_id] = name;
    s += ", as: " + name;
  }
  step(s + "}");
}

void Recorder::completed(const Endpoint&, uint64_t txid, const std::vector<uint8_t>& bytes, Status status) {
  auto it = driver_packets_.find(txid);
  if (it == driver_packets_.end()) return;  // not a packet of this session's driver: nothing to replay
  wait_for_now();
  std::string s = "- complete: {packet: " + it->second;
  if (status != status::kSuccess) s += ", status: " + status_text(status);
  if (!bytes.empty()) s += ", bytes: \"" + hex_bytes(bytes) + "\"";
  driver_packets_.erase(it);
  step(s + "}");
}

void Recorder::sent(const Endpoint&, uint64_t txid, const std::vector<uint8_t>& bytes, bool completion_requested) {
  wait_for_now();
  std::string s = "- send: {bytes: \"" + hex_bytes(bytes) + "\"";
  if (!completion_requested) {
    s += ", completion_requested: false";
  } else {
    std::string name = "h" + std::to_string(next_name_++);
    host_packets_[txid] = name;
    s += ", as: " + name;
  }
  step(s + "}");
}

namespace {

// A buffer's content as a `fill`: one byte when all bytes are equal, else all of them.
std::string fill_of(const std::vector<uint8_t>& content) {
  bool uniform = true;
  for (uint8_t b : content) uniform = uniform && b == content.front();
  return content.empty() ? std::string("00") : hex_bytes(uniform ? std::vector<uint8_t>{content.front()} : content);
}

}  // namespace

void Recorder::sent_external(const Endpoint&, uint64_t txid, const std::vector<uint8_t>& bytes,
                             const std::vector<uint8_t>& external) {
  wait_for_now();
  std::string name = "h" + std::to_string(next_name_++);
  host_packets_[txid] = name;
  step("- send: {bytes: \"" + hex_bytes(bytes) + "\", external: {size: " + std::to_string(external.size()) +
       ", fill: \"" + fill_of(external) + "\"}, as: " + name + "}");
}

void Recorder::opened(const Endpoint&, uint32_t ring_pages) {
  wait_for_now();
  step("- open: {ring_pages: " + std::to_string(ring_pages) + "}");
}

void Recorder::gpadl_created(const Endpoint&, uint32_t handle, const std::vector<uint8_t>& content, bool read_only) {
  wait_for_now();
  char name[24];
  std::snprintf(name, sizeof(name), "gpadl_%x", handle);
  step("- gpadl: {size: " + std::to_string(content.size()) + ", fill: \"" + fill_of(content) + "\"" +
       (read_only ? ", read_only: true" : "") + ", as: " + name + "}");
}

void Recorder::completion_read(const Endpoint&, const GuestCompletion& c) {
  auto it = host_packets_.find(c.transaction_id);
  if (it == host_packets_.end()) return;
  std::string s = "- expect_completion: {packet: " + it->second + ", length: " + std::to_string(c.payload.size());
  if (!c.payload.empty()) s += ", bytes: \"" + hex_bytes(c.payload) + "\"";
  host_packets_.erase(it);
  step(s + "}");
}

void Recorder::draining_changed(const Endpoint&, bool draining) {
  wait_for_now();
  step(draining ? "- fault: resume_draining" : "- fault: stop_draining");
}

void Recorder::paused_changed(const Endpoint&, bool paused) {
  wait_for_now();
  step(paused ? "- fault: pause" : "- fault: resume");
}

void Recorder::raw_written(const Endpoint&, const ring::OutgoingPacket& p) {
  wait_for_now();
  char txid[24];
  std::snprintf(txid, sizeof(txid), "%#llx", static_cast<unsigned long long>(p.transaction_id));
  std::string s = "- raw: {type: " + std::to_string(static_cast<unsigned>(p.type)) +
                  ", flags: " + std::to_string(p.flags) + ", txid: " + txid;
  if (p.header_ext.size) s += ", header: \"" + hex_bytes(copy(p.header_ext)) + "\"";
  if (p.payload.size) s += ", bytes: \"" + hex_bytes(copy(p.payload)) + "\"";
  step(s + "}");
}

void Recorder::malformed_written(const Endpoint&, const uint8_t* bytes, uint32_t size, bool written) {
  // A write that did not fit changed nothing: the replay would not write it either.
  if (!written) return;
  wait_for_now();
  step("- raw: {verbatim: \"" + hex_bytes(std::vector<uint8_t>(bytes, bytes + size)) + "\"}");
}

void Recorder::fail_allocations(uint32_t count) {
  wait_for_now();
  step("- fault: {fail_allocations: " + std::to_string(count) + "}");
  fail_step_ = steps_.size();
  fail_count_ = count;
}

void Recorder::fail_allocations_left(uint32_t left) {
  if (fail_step_ == 0) return;
  uint32_t used = left < fail_count_ ? fail_count_ - left : 0;
  steps_[fail_step_ - 1] = used ? "- fault: {fail_allocations: " + std::to_string(used) + "}" : std::string();
  fail_step_ = 0;
}

void Recorder::corrupt_index(bool driver_outgoing, uint32_t value) {
  wait_for_now();
  char v[24];
  std::snprintf(v, sizeof(v), "%#x", value);
  step(std::string("- fault: {corrupt_index: {ring: ") + (driver_outgoing ? "outgoing" : "incoming") + ", value: " + v +
       "}}");
}

void Recorder::closed(const Endpoint&, bool rescinded) {
  wait_for_now();
  step(rescinded ? "- fault: rescind" : "- close:");
  // After a close nothing is owed either way.
  driver_packets_.clear();
  host_packets_.clear();
}

std::string Recorder::yaml(const std::string& name, const std::string& description, const ChannelSpec& channel,
                           const std::string& driver_args) const {
  std::string y = "# Recorded by `vmbsim record`: replays the session exactly (bytes, order, virtual time).\n";
  y += "scenario: " + quoted(name) + "\n";
  if (!description.empty()) y += "description: " + quoted(description) + "\n";
  if (!driver_args.empty()) y += "driver: {args: " + quoted(driver_args) + "}\n";
  y += "channels:\n  - id: " + channel.id + "\n    role: " + (channel.role == Role::Server ? "server" : "client") + "\n";
  y += "    interface_type: " + channel.interface_type.to_string() + "\n";
  y += "    interface_instance: " + channel.interface_instance.to_string() + "\n";
  if (!channel.user_data.empty()) y += "    user_data: \"" + hex_bytes(channel.user_data) + "\"\n";
  if (channel.mmio_megabytes) y += "    mmio_megabytes: " + std::to_string(channel.mmio_megabytes) + "\n";
  y += "steps:\n";
  for (const std::string& s : steps_)
    if (!s.empty()) y += "  " + s + "\n";
  bool owed = !driver_packets_.empty() || !host_packets_.empty();
  if (owed || !violations_.empty() || hang_) {
    y += "end:\n";
    if (owed) y += "  all_answered: false   # the session ended with transactions unanswered\n";
    if (hang_) y += "  hang: true\n";
    if (!violations_.empty()) {
      y += "  violations: [";
      for (size_t i = 0; i < violations_.size(); ++i) y += (i ? ", " : "") + std::to_string(violations_[i]);
      y += "]\n";
    }
  }
  return y;
}

}  // namespace vmbsim::scenario
