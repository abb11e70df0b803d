// The `steps:` part of a scenario file (loader.cc does the rest). Besides types and ranges it
// checks what only a reading in order can: every ${variable} was captured by an earlier step,
// every packet a step refers to was named (`as`) by an earlier expect or send, every channel
// exists and the step makes sense for the driver's role on it.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/scenario/model.h"
#include "sim/scenario/yaml_reader.h"

namespace vmbsim::scenario {

class StepParser {
 public:
  StepParser(YamlReader& reader, const std::vector<ChannelSpec>& channels) : r_(reader), channels_(channels) {}
  Steps parse(const YAML::Node& list, int depth);
  size_t unrolled() const { return unrolled_; }

 private:
  Step parse_step(const YAML::Node& n, int depth);
  void parse_expect(const YAML::Node& body, Step& s, bool completion);
  void parse_complete(const YAML::Node& body, Step& s);
  void parse_send(const YAML::Node& body, Step& s);
  void parse_fault(const YAML::Node& body, Step& s);
  void parse_gpadl(const YAML::Node& body, Step& s);
  void parse_expect_memory(const YAML::Node& body, Step& s);
  void parse_raw(const YAML::Node& body, Step& s);
  // The `size` and `fill` keys of a guest buffer (send's `external`, or a gpadl step).
  bool parse_external(const YAML::Node& n, Step& s);
  BytePattern pattern(const YAML::Node& n, const std::string& what);
  // Hex bytes that are written, not matched: no `??`.
  std::vector<uint8_t> literal(const YAML::Node& n, const std::string& what);
  void parse_match(const YAML::Node& body, PacketMatch& m, const std::string& what);
  void parse_fields(const YAML::Node& list, std::vector<FieldCheck>& out);
  BytesTemplate parse_bytes(const YAML::Node& n, const std::string& what);
  // Resolves `channel:` (or the only channel) and returns its spec; null after an error.
  const ChannelSpec* channel(const YAML::Node& body, Step& s);

  YamlReader& r_;
  const std::vector<ChannelSpec>& channels_;
  std::set<std::string> variables_;
  std::set<std::string> received_;  // names of packets from the driver (expect ... as)
  std::set<std::string> sent_;      // names of packets to the driver (send ... as)
  std::set<std::string> buffers_;   // guest buffers: GPADLs and sent packets' external data
  std::set<std::string> closed_;    // client channels an earlier step closed (for `reopened`)
  size_t unrolled_ = 0;
  size_t multiplier_ = 1;  // product of the enclosing repeat counts
};

}  // namespace vmbsim::scenario
