// Typed, position-aware reads from yaml-cpp nodes for the scenario loader. Every failed read
// records an error at the node's file:line:column and yields a default, so one pass over a file
// reports all of its mistakes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "sim/core/guid.h"
#include "sim/core/status.h"
#include "sim/scenario/loader.h"

namespace vmbsim::scenario {

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  SourcePos pos(const YAML::Node& n) const;
  void error(const YAML::Node& n, const std::string& message);
  void error(const SourcePos& p, const std::string& message);
  std::vector<LoadError>& errors() { return errors_; }

  // A map whose keys must all be in `allowed`; `what` names it in messages ("a step 'expect'").
  bool check_map(const YAML::Node& n, const std::string& what, std::initializer_list<const char*> allowed);
  bool check_sequence(const YAML::Node& n, const std::string& what);

  std::string str(const YAML::Node& n, const std::string& what);
  bool boolean(const YAML::Node& n, const std::string& what);
  uint64_t uint(const YAML::Node& n, const std::string& what, uint64_t max);
  // Virtual time: an integer of nanoseconds, or a number with ns, us, ms, s or min.
  int64_t duration(const YAML::Node& n, const std::string& what);
  Guid guid(const YAML::Node& n, const std::string& what);
  // A status name (STATUS_CANCELLED) or a number (0xC0000120).
  Status status(const YAML::Node& n, const std::string& what);

 private:
  std::string file_;
  std::vector<LoadError> errors_;
};

}  // namespace vmbsim::scenario
