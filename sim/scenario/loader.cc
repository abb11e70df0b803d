#include "sim/scenario/loader.h"

#include <fstream>
#include <sstream>

#include "sim/scenario/alias_budget.h"
#include "sim/scenario/bytes.h"
#include "sim/scenario/step_parser.h"
#include "sim/scenario/yaml_reader.h"

namespace vmbsim::scenario {

namespace {

// yaml-cpp recurses once per nesting level of flow collections; refuse deep nesting before it
// sees the text, so no input can run it out of stack.
bool nesting_ok(const std::string& text, int& line) {
  int depth = 0;
  line = 1;
  bool in_quote = false;
  char quote = 0;
  for (char c : text) {
    if (c == '\n') ++line;
    if (in_quote) {
      if (c == quote) in_quote = false;
      continue;
    }
    if (c == '"' || c == '\'') {
      in_quote = true;
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNesting) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

void parse_channels(YamlReader& r, const YAML::Node& list, std::vector<ChannelSpec>& out) {
  if (!r.check_sequence(list, "channels")) return;
  if (list.size() == 0) r.error(list, "channels must name at least one channel");
  for (const YAML::Node& n : list) {
    ChannelSpec c;
    c.pos = r.pos(n);
    if (!r.check_map(n, "a channel", {"id", "role", "interface_type", "interface_instance", "user_data", "mmio_megabytes"}))
      continue;
    if (n["id"]) c.id = r.str(n["id"], "id");
    for (const ChannelSpec& other : out)
      if (other.id == c.id) r.error(n["id"] ? n["id"] : n, "a second channel with id '" + c.id + "'");
    if (n["role"]) {
      std::string role = r.str(n["role"], "role");
      if (role == "client") c.role = Role::Client;
      else if (role == "server") c.role = Role::Server;
      else if (n["role"].IsScalar()) r.error(n["role"], "role must be client or server (the driver's role), not '" + role + "'");
    }
    if (c.role == Role::Client && !n["interface_type"])
      r.error(n, "a client channel needs 'interface_type' (what the simulated host offers)");
    if (n["interface_type"]) c.interface_type = r.guid(n["interface_type"], "interface_type");
    if (n["interface_instance"]) c.interface_instance = r.guid(n["interface_instance"], "interface_instance");
    if (n["user_data"]) {
      BytePattern p;
      std::string error;
      if (!parse_pattern(r.str(n["user_data"], "user_data"), p, error)) r.error(n["user_data"], "user_data: " + error);
      for (uint8_t m : p.mask)
        if (m == 0) {
          r.error(n["user_data"], "user_data cannot contain ?? (it is sent, not matched)");
          break;
        }
      if (p.value.size() > 120) r.error(n["user_data"], "user_data is at most 120 bytes");
      c.user_data = p.value;
    }
    if (n["mmio_megabytes"]) c.mmio_megabytes = static_cast<uint16_t>(r.uint(n["mmio_megabytes"], "mmio_megabytes", 0xffff));
    out.push_back(std::move(c));
  }
}

void parse_end(YamlReader& r, const YAML::Node& n, EndConditions& end) {
  end.pos = r.pos(n);
  if (!r.check_map(n, "end", {"all_answered", "no_leaks", "violations", "hang"})) return;
  if (n["hang"]) end.hang = r.boolean(n["hang"], "hang");
  if (n["all_answered"]) end.all_answered = r.boolean(n["all_answered"], "all_answered");
  if (n["no_leaks"]) end.no_leaks = r.boolean(n["no_leaks"], "no_leaks");
  if (n["violations"]) {
    if (!r.check_sequence(n["violations"], "violations")) return;
    for (const YAML::Node& v : n["violations"]) {
      size_t before = r.errors().size();
      int rule = static_cast<int>(r.uint(v, "a rule number", 67));
      if (rule == 0 && r.errors().size() == before) r.error(v, "rule numbers go from 1 to 67 (kmcl-api.md §6)");
      end.violations.push_back(rule);
    }
  }
}

}  // namespace

std::string LoadError::str() const { return pos.str() + ": " + message; }

LoadResult load_text(const std::string& text, const std::string& name) {
  LoadResult result;
  YamlReader r(name);
  SourcePos whole{name, 1, 1};
  if (text.size() > kMaxFileBytes) {
    r.error(whole, "file larger than " + std::to_string(kMaxFileBytes) + " bytes");
    result.errors = std::move(r.errors());
    return result;
  }
  int line = 0;
  if (!nesting_ok(text, line)) {
    r.error(SourcePos{name, line, 1}, "brackets nested more than " + std::to_string(kMaxNesting) + " deep");
    result.errors = std::move(r.errors());
    return result;
  }
  Scenario s;
  s.file = name;
  try {
    YAML::Node root = YAML::Load(text);
    AliasExpansion aliases = measure_aliases(root, kMaxAliasExpansions);
    if (!aliases.within_budget) {
      r.error(SourcePos{name, aliases.where.line + 1, aliases.where.column + 1},
              "YAML aliases expand the file by more than " + std::to_string(kMaxAliasExpansions) +
                  " nodes (an alias bomb, or an alias inside its own anchor); the anchor that went over is here");
      result.errors = std::move(r.errors());
      return result;
    }
    if (r.check_map(root, "a scenario", {"scenario", "description", "seed", "driver", "channels", "steps", "end",
                                         "defaults"})) {
      if (!root["scenario"]) r.error(root, "missing 'scenario' (the scenario's name)");
      else s.name = r.str(root["scenario"], "scenario");
      if (root["description"]) s.description = r.str(root["description"], "description");
      if (root["seed"]) s.seed = r.uint(root["seed"], "seed", ~0ull);
      if (root["driver"] && r.check_map(root["driver"], "driver", {"args"}) && root["driver"]["args"])
        s.driver_args = r.str(root["driver"]["args"], "args");
      if (root["defaults"] && r.check_map(root["defaults"], "defaults", {"within", "time_limit"})) {
        if (root["defaults"]["within"]) s.default_within_ns = r.duration(root["defaults"]["within"], "within");
        if (root["defaults"]["time_limit"]) s.time_limit_ns = r.duration(root["defaults"]["time_limit"], "time_limit");
      }
      if (!root["channels"]) r.error(root, "missing 'channels' (what the driver connects to)");
      else parse_channels(r, root["channels"], s.channels);
      if (!root["steps"]) {
        r.error(root, "missing 'steps'");
      } else {
        StepParser steps(r, s.channels);
        s.steps = steps.parse(root["steps"], 0);
      }
      if (root["end"]) parse_end(r, root["end"], s.end);
    }
  } catch (const YAML::Exception& e) {
    SourcePos p{name, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.column >= 0 ? e.mark.column + 1 : 0};
    r.error(p, "YAML: " + e.msg);
  }
  result.errors = std::move(r.errors());
  if (result.errors.empty()) result.scenario = std::move(s);
  return result;
}

LoadResult load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.errors.push_back(LoadError{SourcePos{path, 0, 0}, "cannot read the file"});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_text(text.str(), path);
}

}  // namespace vmbsim::scenario
