// What YAML aliases add to a document. A file of nested aliases ("billion laughs") names a
// tree exponentially larger than its text, which the loader would walk node by node; a long
// file written out in full costs only its length. So the loader measures, before reading
// anything, how much the aliases add, in time proportional to the text, and refuses a file
// whose aliases add too much.
#pragma once

#include <cstddef>

#include <yaml-cpp/yaml.h>

namespace vmbsim::scenario {

struct AliasExpansion {
  bool within_budget = true;
  // The anchored node whose alias went over the budget (yaml-cpp gives an alias its anchor's
  // node, and so its position).
  YAML::Mark where;
};

// Counts every node reached again through an alias under `root` - the node and everything in
// it, a text counting one more per 64 characters - and stops past `budget`. An alias inside its
// own anchor (a cycle, which expands forever) is over any budget.
AliasExpansion measure_aliases(const YAML::Node& root, size_t budget);

}  // namespace vmbsim::scenario
