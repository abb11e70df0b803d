#include "sim/scenario/alias_budget.h"

#include <cstdint>
#include <unordered_map>

namespace vmbsim::scenario {

namespace {

// yaml-cpp exposes no node identity, but a node of a loaded document is the only one of its
// type that starts where it starts (a block map and its first key share a position, not a
// type), and an alias is handed out as its anchor's node: so (position, type) names a node, and
// meeting one again means an alias.
uint64_t node_key(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  // Lines and columns stay below 2^24 (kMaxFileBytes); a type fits in 4 bits.
  return (static_cast<uint64_t>(static_cast<uint32_t>(m.line)) << 28) |
         (static_cast<uint64_t>(static_cast<uint32_t>(m.column)) << 4) | static_cast<uint64_t>(n.Type());
}

class Walker {
 public:
  explicit Walker(size_t budget) : budget_(budget) {}

  // The weight of `n` and everything in it, counting each alias as its full expansion.
  uint64_t walk(const YAML::Node& n) {
    if (!result_.within_budget) return 0;
    uint64_t key = node_key(n);
    auto [it, first] = weights_.emplace(key, kInProgress);
    if (!first) {
      // Reached again: an alias. Still being walked means it contains itself.
      uint64_t w = it->second == kInProgress ? budget_ + 1 : it->second;
      added_ += w;
      if (added_ > budget_) {
        result_.within_budget = false;
        result_.where = n.Mark();
      }
      return w;
    }
    uint64_t w = 1;
    if (n.IsScalar()) w += n.Scalar().size() / 64;
    if (n.IsSequence()) {
      for (const YAML::Node& c : n) w = add(w, walk(c));
    } else if (n.IsMap()) {
      for (auto c = n.begin(); c != n.end(); ++c) w = add(add(w, walk(c->first)), walk(c->second));
    }
    weights_[key] = w;
    return w;
  }

  const AliasExpansion& result() const { return result_; }

 private:
  static constexpr uint64_t kInProgress = ~0ull;
  // Weights saturate well below kInProgress: anything past the budget is just "too much".
  uint64_t add(uint64_t a, uint64_t b) const { return a + b > budget_ + 1 ? budget_ + 1 : a + b; }

  size_t budget_;
  uint64_t added_ = 0;
  std::unordered_map<uint64_t, uint64_t> weights_;
  AliasExpansion result_;
};

}  // namespace

AliasExpansion measure_aliases(const YAML::Node& root, size_t budget) {
  Walker w(budget);
  w.walk(root);
  return w.result();
}

}  // namespace vmbsim::scenario
