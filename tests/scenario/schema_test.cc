// scenarios/scenario.schema.json against the loader, so that the two cannot drift apart: the
// schema is valid JSON; its top-level keys, channel keys, step kinds, each step's keys, field
// keys and the keys of `driver`, `defaults` and `end` are exactly the ones the loader accepts
// (the loader lists them in its "unknown key" message); its enumerations and string patterns
// accept exactly what the loader accepts on a set of probes; and every bundled scenario loads.
// Full validation of the scenario files against the schema is validate_schema.py (run when
// Python's jsonschema is there).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/loader.h"

namespace vmbsim::scenario {
namespace {

using nlohmann::json;
using Keys = std::set<std::string>;

const std::filesystem::path kSourceDir = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
const std::filesystem::path kScenarios = kSourceDir / "scenarios";
constexpr const char* kProbe = "zz_probe";
constexpr const char* kGuid = "5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11";

std::string header() {
  return std::string("scenario: t\nchannels:\n  - id: a\n    interface_type: ") + kGuid + "\n";
}
// A scenario whose steps are `steps` (YAML lines) and with `extra` top-level lines.
std::string doc(const std::string& steps, const std::string& extra = "") {
  return header() + extra + "steps:\n" + steps;
}

std::string all_errors(const LoadResult& r) {
  std::string s;
  for (const LoadError& e : r.errors) s += e.str() + "\n";
  return s;
}

// The list the loader gives after "(expected: " or "(expected one of: " in the error that
// contains `marker`; empty if no error contains it.
Keys loader_list(const std::string& text, const std::string& marker) {
  LoadResult r = load_text(text, "probe.yaml");
  for (const LoadError& e : r.errors) {
    if (e.message.find(marker) == std::string::npos) continue;
    size_t open = e.message.find("(expected");
    if (open == std::string::npos) return {};
    size_t colon = e.message.find(": ", open);
    size_t close = e.message.find(')', colon);
    std::string list = e.message.substr(colon + 2, close - colon - 2);
    Keys keys;
    size_t start = 0;
    for (;;) {
      size_t comma = list.find(", ", start);
      keys.insert(list.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 2;
    }
    return keys;
  }
  return {};
}

std::string unknown_key(const std::string& key) { return "unknown key '" + key + "'"; }

class SchemaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::ifstream in(kScenarios / "scenario.schema.json");
    ASSERT_TRUE(in) << "cannot read " << (kScenarios / "scenario.schema.json");
    schema_ = json::parse(in, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/false);
  }

  // Follows "$ref": "#/definitions/NAME".
  static const json& resolve(const json& n) {
    if (n.is_object() && n.contains("$ref")) {
      std::string ref = n["$ref"].get<std::string>();
      const std::string prefix = "#/definitions/";
      EXPECT_EQ(ref.rfind(prefix, 0), 0u) << ref;
      const json& defs = schema_["definitions"];
      std::string name = ref.substr(prefix.size());
      EXPECT_TRUE(defs.contains(name)) << "dangling $ref " << ref;
      return resolve(defs[name]);
    }
    return n;
  }
  static const json& def(const std::string& name) { return resolve(schema_["definitions"][name]); }

  // The keys an object in this place may have: its properties, or the union of those of its
  // object alternatives (oneOf/anyOf).
  static Keys object_keys(const json& node) {
    const json& n = resolve(node);
    Keys keys;
    if (!n.is_object()) return keys;
    if (n.contains("properties"))
      for (auto it = n["properties"].begin(); it != n["properties"].end(); ++it) keys.insert(it.key());
    for (const char* alt : {"oneOf", "anyOf"})
      if (n.contains(alt))
        for (const json& a : n[alt]) {
          Keys more = object_keys(a);
          keys.insert(more.begin(), more.end());
        }
    return keys;
  }
  // The alternative of definitions/step for kind `kind`, and its body's schema.
  static const json& step_body(const std::string& kind) {
    for (const json& alt : def("step")["oneOf"])
      if (alt["properties"].contains(kind)) return alt["properties"][kind];
    ADD_FAILURE() << "no step kind " << kind << " in the schema";
    static const json none;
    return none;
  }
  // Every string of an `enum` in `node` or in its alternatives.
  static Keys enum_values(const json& node) {
    const json& n = resolve(node);
    Keys values;
    if (n.contains("enum"))
      for (const json& v : n["enum"])
        if (v.is_string()) values.insert(v.get<std::string>());
    for (const char* alt : {"oneOf", "anyOf"})
      if (n.contains(alt))
        for (const json& a : n[alt]) {
          Keys more = enum_values(a);
          values.insert(more.begin(), more.end());
        }
    return values;
  }
  // The pattern of a string alternative of `node`.
  static std::regex pattern(const json& node) {
    const json& n = resolve(node);
    if (n.contains("pattern")) return std::regex(n["pattern"].get<std::string>());
    for (const char* alt : {"oneOf", "anyOf"})
      if (n.contains(alt))
        for (const json& a : n[alt]) {
          const json& r = resolve(a);
          if (r.contains("pattern")) return std::regex(r["pattern"].get<std::string>());
        }
    ADD_FAILURE() << "no pattern in " << n.dump();
    return std::regex("^$");
  }

  // Keys the schema lists must each be accepted by the loader (no "unknown key"), and the set
  // must equal the loader's list, read from its message for a made-up key.
  static void expect_same_keys(const std::string& where, const Keys& schema_keys,
                               const std::function<std::string(const std::string&)>& probe,
                               const Keys& loader_only = {}) {
    Keys loader = loader_list(probe(kProbe), unknown_key(kProbe));
    EXPECT_FALSE(loader.empty()) << where << ": the loader did not refuse '" << kProbe << "':\n"
                                 << all_errors(load_text(probe(kProbe), "probe.yaml"));
    for (const std::string& k : loader_only) loader.erase(k);
    EXPECT_EQ(schema_keys, loader) << where;
    for (const std::string& key : schema_keys) {
      LoadResult r = load_text(probe(key), "probe.yaml");
      EXPECT_EQ(all_errors(r).find(unknown_key(key)), std::string::npos) << where << ": " << all_errors(r);
    }
  }

  static bool loads(const std::string& text) { return load_text(text, "probe.yaml").ok(); }

  static json schema_;
};

json SchemaTest::schema_;

TEST_F(SchemaTest, IsValidJsonAndADraftSchema) {
  ASSERT_FALSE(schema_.is_discarded()) << "scenario.schema.json is not valid JSON";
  ASSERT_TRUE(schema_.is_object());
  EXPECT_EQ(schema_.value("$schema", ""), "http://json-schema.org/draft-07/schema#");
  EXPECT_EQ(schema_.value("type", ""), "object");
  EXPECT_EQ(schema_["additionalProperties"], false);
  // Every $ref resolves.
  std::function<void(const json&)> walk = [&](const json& n) {
    if (n.is_object()) {
      if (n.contains("$ref")) resolve(n);
      for (const auto& item : n.items()) walk(item.value());
    } else if (n.is_array()) {
      for (const json& item : n) walk(item);
    }
  };
  walk(schema_);
  // Every place with fixed keys refuses others, as the loader does.
  for (const char* name : {"channel", "field", "expect", "expect_completion", "complete", "send", "repeat", "open",
                           "close", "gpadl", "expect_memory", "external_data"})
    EXPECT_EQ(def(name)["additionalProperties"], false) << name;
}

TEST_F(SchemaTest, TopLevelKeys) {
  ASSERT_TRUE(schema_.is_object());
  expect_same_keys("top level", object_keys(schema_), [](const std::string& k) { return doc("", k + ": 1\n"); });
  Keys required;
  for (const json& k : schema_["required"]) required.insert(k.get<std::string>());
  EXPECT_EQ(required, (Keys{"scenario", "channels", "steps"}));
  EXPECT_FALSE(loads("channels: [{interface_type: " + std::string(kGuid) + "}]\nsteps: []\n"));
  EXPECT_FALSE(loads("scenario: t\nsteps: []\n"));
  EXPECT_FALSE(loads("scenario: t\nchannels: [{interface_type: " + std::string(kGuid) + "}]\n"));
}

TEST_F(SchemaTest, KeysOfDriverDefaultsAndEnd) {
  ASSERT_TRUE(schema_.is_object());
  for (const char* part : {"driver", "defaults", "end"})
    expect_same_keys(part, object_keys(schema_["properties"][part]),
                     [part](const std::string& k) { return doc("", std::string(part) + ": {" + k + ": 1}\n"); });
}

TEST_F(SchemaTest, ChannelKeysAndRoles) {
  ASSERT_TRUE(schema_.is_object());
  expect_same_keys("a channel", object_keys(def("channel")), [](const std::string& k) {
    return "scenario: t\nchannels:\n  - {interface_type: " + std::string(kGuid) + ", " + k + ": 1}\nsteps: []\n";
  });
  Keys roles = enum_values(def("channel")["properties"]["role"]);
  EXPECT_EQ(roles, (Keys{"client", "server"}));
  for (const std::string& role : roles)
    EXPECT_TRUE(loads("scenario: t\nchannels: [{role: " + role + ", interface_type: " + kGuid + "}]\nsteps: []\n"));
  EXPECT_FALSE(loads("scenario: t\nchannels: [{role: guest, interface_type: " + std::string(kGuid) + "}]\nsteps: []\n"));
}

TEST_F(SchemaTest, StepKinds) {
  ASSERT_TRUE(schema_.is_object());
  Keys kinds = object_keys(def("step"));
  Keys loader = loader_list(doc("  - zz_probe: 1\n"), "unknown step 'zz_probe'");
  EXPECT_EQ(kinds, loader);
  for (const std::string& kind : kinds) {
    LoadResult r = load_text(doc("  - " + kind + ": 1\n"), "probe.yaml");
    EXPECT_EQ(all_errors(r).find("unknown step"), std::string::npos) << all_errors(r);
  }
  // One key per step: each alternative requires its kind and allows nothing else.
  for (const json& alt : def("step")["oneOf"]) {
    EXPECT_EQ(alt["additionalProperties"], false) << alt.dump();
    EXPECT_EQ(alt["required"].size(), 1u) << alt.dump();
  }
  EXPECT_FALSE(loads(doc("  - {wait: 1ms, close: }\n")));
}

TEST_F(SchemaTest, KeysOfEachStep) {
  ASSERT_TRUE(schema_.is_object());
  for (const std::string& kind : object_keys(def("step"))) {
    Keys loader_only;
    // The loader's key check for `close` is the one of `open`; it refuses ring_pages on a close
    // with a message of its own, so the schema leaves it out.
    if (kind == "close") loader_only.insert("ring_pages");
    Keys keys = object_keys(step_body(kind));
    if (keys.empty()) {
      // A step whose value is not a mapping (wait): the loader lists no keys for it either.
      EXPECT_TRUE(loader_list(doc("  - " + kind + ": {zz_probe: 1}\n"), unknown_key(kProbe)).empty()) << kind;
      continue;
    }
    expect_same_keys("a step '" + kind + "'", keys,
                     [kind](const std::string& k) { return doc("  - " + kind + ": {" + k + ": 1}\n"); }, loader_only);
  }
  EXPECT_FALSE(loads("scenario: s\nchannels: [{role: server}]\nsteps:\n  - close: {ring_pages: 4}\n"));
  // The external data of a send (server channels).
  expect_same_keys("external", object_keys(def("external_data")), [](const std::string& k) {
    return "scenario: s\nchannels: [{role: server}]\nsteps:\n  - send: {bytes: \"\", external: {" + k + ": 1}}\n";
  });
}

TEST_F(SchemaTest, FieldKeysAndTypes) {
  ASSERT_TRUE(schema_.is_object());
  expect_same_keys("a field", object_keys(def("field")), [](const std::string& k) {
    return doc("  - expect: {fields: [{offset: 0, type: u8, " + k + ": 1}]}\n");
  });
  Keys types = enum_values(def("field")["properties"]["type"]);
  EXPECT_EQ(types, (Keys{"u8", "u16", "u32", "u64", "guid"}));
  for (const std::string& t : types) EXPECT_TRUE(loads(doc("  - expect: {fields: [{offset: 0, type: " + t + "}]}\n"))) << t;
  EXPECT_FALSE(loads(doc("  - expect: {fields: [{offset: 0, type: u24}]}\n")));
}

TEST_F(SchemaTest, EnumerationsMatchTheLoader) {
  ASSERT_TRUE(schema_.is_object());
  // Packet types of an expect.
  Keys packet_types = enum_values(resolve(step_body("expect"))["properties"]["type"]);
  EXPECT_EQ(packet_types, (Keys{"inband", "gpa_direct", "any"}));
  for (const std::string& t : packet_types) EXPECT_TRUE(loads(doc("  - expect: {type: " + t + "}\n"))) << t;
  EXPECT_FALSE(loads(doc("  - expect: {type: tcp}\n")));
  // Faults written as a plain value: those the schema lists load, the others need a count.
  Keys scalar_faults = enum_values(step_body("fault"));
  Keys all_faults = object_keys(step_body("fault"));
  all_faults.erase("channel");
  for (const std::string& f : all_faults)
    EXPECT_EQ(loads(doc("  - fault: " + f + "\n")), scalar_faults.count(f) == 1) << f;
  // Status names.
  Keys statuses = enum_values(def("status"));
  EXPECT_GE(statuses.size(), 20u);
  for (const std::string& s : statuses) EXPECT_TRUE(loads(doc("  - complete: {status: " + s + "}\n"))) << s;
  EXPECT_FALSE(loads(doc("  - complete: {status: STATUS_BOGUS}\n")));
  // Booleans written as words.
  for (const std::string& b : enum_values(def("boolean")))
    EXPECT_TRUE(loads(doc("  - send: {bytes: \"00\", completion_requested: " + b + "}\n"))) << b;
  EXPECT_FALSE(loads(doc("  - send: {bytes: \"00\", completion_requested: maybe}\n")));
}

// Each string pattern of the schema accepts exactly the probes the loader accepts in that place.
TEST_F(SchemaTest, PatternsMatchTheLoader) {
  ASSERT_TRUE(schema_.is_object());
  struct Place {
    const char* pointer;  // JSON pointer into the schema
    std::function<std::string(const std::string&)> text;  // a scenario with the probe in place
    std::vector<std::string> probes;
  };
  const std::vector<Place> places = {
      {"/definitions/duration", [](const std::string& v) { return doc("  - wait: \"" + v + "\"\n"); },
       {"5ms", "5 ms", "0", "7", "250us", "30s", "2min", "1ns", "1h", "2mins", "3sec", "1.5ms", "5 seconds", "010ms", "5MS", "5m", "-1s", "ms",
        " 5ms", "5ms "}},
      {"/definitions/guid", [](const std::string& v) { return "scenario: t\nchannels: [{interface_type: \"" + v + "\"}]\nsteps: []\n"; },
       {kGuid, "5F0C6A6E-8B1D-4C5E-9A53-7F3F2A9C0E11", "{5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e11}",
        "5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e1", "5f0c6a6e8b1d4c5e9a537f3f2a9c0e11", "5f0c6a6e-8b1d-4c5e-9a53-7f3f2a9c0e1g"}},
      {"/definitions/byte_pattern", [](const std::string& v) { return doc("  - expect: {bytes: \"" + v + "\"}\n"); },
       {"", "01", "01 02", "0102 ?? ff", "  aB  ", "??", "0", "012", "0 1", "?0", "0g", "${x}", "01\\n02", "01\\t02"}},
      {"/definitions/bytes_template",
       [](const std::string& v) {
         return doc("  - expect: {fields: [{offset: 0, type: u64, capture: x}, {offset: 0, type: u8, capture: a.b_1}]}\n"
                    "  - send: {bytes: \"" + v + "\"}\n");
       },
       {"", "01", "0102 ${x}", "${x:u8}${x:u16} ${x:u32}${x:u64}", "aa${x}bb", "${a.b_1}", "??", "${x:u24}", "${x",
        "$x", "${}", "0${x}", "${x:guid}"}},
      {"/definitions/channel/properties/user_data",
       [](const std::string& v) {
         return "scenario: t\nchannels: [{interface_type: " + std::string(kGuid) + ", user_data: \"" + v +
                "\"}]\nsteps: []\n";
       },
       {"", "01 02", "0102", "??", "0", std::string(240, 'a'), std::string(242, 'a')}},
      {"/definitions/uint32", [](const std::string& v) { return doc("  - complete: {status: \"" + v + "\"}\n"); },
       {"0", "1", "3221225760", "0xC0000120", "0X10", "4294967295", "0xffffffff", "00", "010", "0x", "-1", "+1", "1e3",
        "0x100000000"}},
  };
  for (const Place& place : places) {
    std::regex re = pattern(schema_.at(json::json_pointer(place.pointer)));
    for (const std::string& probe : place.probes) {
      // The pattern sees the string after YAML unescapes it.
      std::string value = std::regex_replace(std::regex_replace(probe, std::regex("\\\\n"), "\n"), std::regex("\\\\t"), "\t");
      bool schema_ok = std::regex_search(value, re);
      LoadResult r = load_text(place.text(probe), "probe.yaml");
      EXPECT_EQ(schema_ok, r.ok()) << place.pointer << " '" << probe << "': the schema says "
                                   << (schema_ok ? "valid" : "invalid") << ", the loader:\n"
                                   << (r.ok() ? "ok" : all_errors(r));
    }
  }
}

TEST_F(SchemaTest, EveryBundledScenarioLoads) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kScenarios)) {
    std::string ext = entry.path().extension().string();
    if (ext != ".yaml" && ext != ".yml" && ext != ".json") continue;
    if (entry.path().filename() == "scenario.schema.json") continue;
    LoadResult r = load_file(entry.path().string());
    EXPECT_TRUE(r.ok()) << all_errors(r);
    ++n;
  }
  EXPECT_GE(n, 13u);
}

}  // namespace
}  // namespace vmbsim::scenario
