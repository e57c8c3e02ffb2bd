// Karger et al.'s monotonicity, as one check for any structure with
// add_node, remove_node and owner: adding a node moves keys only to it,
// and removing one moves only the keys it held.
#pragma once

#include <string>
#include <vector>

#include "tests/hashing/generators.h"

namespace crosscheck::impl::hashing::testing {

// Builds `structure` (empty) from `nodes`, then joins `joining` and, after
// it left again, removes `leaving`, one of `nodes`, unless it is the only
// one. Returns the first violation, or "" when both changes were monotone.
template <class Structure>
std::string monotonicity_violation(Structure structure, const std::vector<NodeId>& nodes,
                                   NodeId joining, NodeId leaving,
                                   const std::vector<uint64_t>& keys) {
  for (NodeId node : nodes) structure.add_node(node);
  const auto owner_of = [&structure](uint64_t key) { return structure.owner(key); };
  const auto before = owners(keys, owner_of);
  structure.add_node(joining);
  if (std::string bad = move_not_to(keys, before, owners(keys, owner_of), joining); !bad.empty()) {
    return "adding node " + std::to_string(joining) + ": " + bad;
  }
  structure.remove_node(joining);
  if (nodes.size() < 2) return "";
  structure.remove_node(leaving);
  if (std::string bad = move_not_from(keys, before, owners(keys, owner_of), leaving);
      !bad.empty()) {
    return "removing node " + std::to_string(leaving) + ": " + bad;
  }
  return "";
}

}  // namespace crosscheck::impl::hashing::testing
