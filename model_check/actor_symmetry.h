// Symmetry of an actor binding: which of its nodes are interchangeable, and
// how a state looks with their names exchanged (NodeRenaming). With these,
// ActorModel defines canonical() and `--symmetry` identifies a state with
// every state that differs from it only in those names.
//
// A symmetric binding has
//   std::vector<std::vector<NodeId>> interchangeable_nodes() const;
//       groups of nodes, each group's members interchangeable: renaming
//       them among themselves maps every reachable state to a reachable
//       state, every step to a step, and keeps every property's verdict
//       (each group at most 6 nodes: a state is renamed by every
//       permutation, and 720 renamings a state would cost more than they
//       save). An empty list: this configuration has no symmetry.
//   void rename(Node&, const NodeRenaming&) const;
//       the node's state with the node ids it mentions renamed (its own
//       id, if it keeps one, included)
// and, when its messages or its history mention node ids,
//   void rename(Message&, const NodeRenaming&) const;
//   void rename_history(History&, const NodeRenaming&) const;
// and, to make canonicalisation cheap,
//   uint64_t name_free_key(const Node&) const;
//       a summary of the node's state that renaming leaves as it is (its
//       term and log, say, but not whom it voted for)
//
// The representative of a state's orbit is, of the renamings that list
// each group's nodes in the order of their name-free keys, the one with
// the smallest fingerprint. The renamings with that order are the same set
// of states from whichever state of the orbit one starts, so two states of
// one orbit have one fingerprint under symmetry; where the keys differ,
// as they mostly do, that set is a single state, renamed once. The search keeps exploring the
// states it reached, not their representatives: every trace it reports is
// a run of the protocol as it is, with the names it had.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "impl/common/assert.h"
#include "impl/common/node_renaming.h"
#include "model_check/actor_binding.h"
#include "model_check/actor_network.h"
#include "model_check/actor_state.h"

namespace crosscheck::mc {

template <class P>
concept ActorSymmetric = requires(const P& p, typename P::Node& node,
                                  const NodeRenaming& renaming) {
  { p.interchangeable_nodes() } -> std::same_as<std::vector<std::vector<NodeId>>>;
  p.rename(node, renaming);
};

namespace symmetry {

constexpr size_t kMaxGroup = 6;

// Why symmetry cannot be used with these groups, or "" when it can.
inline std::string refusal(const std::vector<std::vector<NodeId>>& groups) {
  for (const auto& group : groups) {
    if (group.size() > kMaxGroup) {
      return "--symmetry: a group of " + std::to_string(group.size()) +
             " interchangeable nodes is more than " + std::to_string(kMaxGroup) + " can take";
    }
  }
  const bool any = std::any_of(groups.begin(), groups.end(),
                               [](const std::vector<NodeId>& group) { return group.size() > 1; });
  return any ? "" : "--symmetry: no two nodes of this configuration are interchangeable";
}

// Every renaming that permutes each group among itself, the identity left
// out; the groups are within refusal()'s limits.
inline std::vector<NodeRenaming> renamings(int nodes,
                                           const std::vector<std::vector<NodeId>>& groups) {
  std::vector<NodeRenaming> all{NodeRenaming(nodes)};
  for (std::vector<NodeId> group : groups) {
    std::sort(group.begin(), group.end());
    CC_ASSERT(group.size() <= kMaxGroup);
    std::vector<NodeId> image = group;
    std::sort(image.begin(), image.end());
    std::vector<NodeRenaming> extended;
    do {
      for (NodeRenaming renaming : all) {
        for (size_t i = 0; i < group.size(); ++i) renaming.set(group[i], image[i]);
        extended.push_back(renaming);
      }
    } while (std::next_permutation(image.begin(), image.end()));
    all = std::move(extended);
  }
  all.erase(all.begin());  // the identity: every group's image sorted, first
  return all;
}

}  // namespace symmetry

template <class P>
uint64_t name_free_key(const P& protocol, const typename P::Node& node) {
  if constexpr (requires { protocol.name_free_key(node); }) {
    return protocol.name_free_key(node);
  } else {
    return 0;
  }
}

// Whether renaming a state whose nodes have these name-free keys lists each
// group's nodes in the order of their keys.
inline bool orders_keys(const NodeRenaming& renaming,
                        const std::vector<std::vector<NodeId>>& groups,
                        const std::vector<uint64_t>& keys) {
  uint64_t renamed[NodeRenaming::kMaxNodes];
  for (NodeId id = 0; id < renaming.nodes(); ++id) renamed[renaming(id)] = keys[id];
  for (const auto& group : groups) {
    for (size_t i = 1; i < group.size(); ++i) {
      if (renamed[group[i - 1]] > renamed[group[i]]) return false;
    }
  }
  return true;
}

// `state` with its nodes renamed, written to `out` (whose storage is reused).
template <class P>
void rename_state(const P& protocol, NetworkPolicy policy, const ActorState<P>& state,
                  const NodeRenaming& renaming, ActorState<P>& out) {
  out = state;
  for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
    const NodeId to = renaming(id);
    out.nodes[to] = state.nodes[id];
    protocol.rename(out.nodes[to], renaming);
    out.armed_timers[to] = state.armed_timers[id];
  }
  for (auto& packet : out.network) {
    packet.from = static_cast<uint8_t>(renaming(packet.from));
    packet.to = static_cast<uint8_t>(renaming(packet.to));
    if constexpr (requires { protocol.rename(packet.message, renaming); }) {
      protocol.rename(packet.message, renaming);
    }
  }
  // Renaming is one-to-one, so no two packets become one: sorting again is
  // enough to make the network canonical (a link's queue keeps its order).
  if (policy == NetworkPolicy::kUnordered) {
    std::sort(out.network.begin(), out.network.end(), network::packet_less<P>);
  } else {
    std::stable_sort(out.network.begin(), out.network.end(), network::link_less<P>);
  }
  out.stopped = renaming.set_of(state.stopped);
  out.isolated = renaming.set_of(state.isolated);
  if constexpr (requires { typename P::History; }) {
    protocol.rename_history(out.history, renaming);
  }
  if constexpr (has_clocks<P>()) {
    auto& clocks = out.time.clocks;
    for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
      clocks.local[renaming(id)] = state.time.clocks.local[id];
      clocks.paused_until[renaming(id)] = state.time.clocks.paused_until[id];
    }
    out.time.unseen = renaming.set_of(state.time.unseen);
  }
}

}  // namespace crosscheck::mc
