// The reachable state graph of a small model, for drawing (Graphviz). The
// checker itself keeps no edges and no states; this keeps both, so it is
// only for runs of a few hundred states and refuses larger ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model_check/json.h"
#include "model_check/model.h"
#include "model_check/result.h"

namespace crosscheck::mc {

struct StateGraph {
  struct Node {
    Json state;
    bool initial = false;
    std::vector<std::string> violated;  // the invariants it breaks
  };
  struct Edge {
    size_t from;
    size_t to;
    std::string action;
  };
  std::vector<Node> nodes;
  std::vector<Edge> edges;  // stuttering steps are left out
};

struct StateGraphOptions {
  size_t max_states = 1000;
  int max_depth = 0;      // TLC's depth, as SearchOptions::max_depth; 0: no limit
  bool symmetry = false;  // one node per orbit, as the search identifies states
};

// Every state reachable within the model's bounds (and max_depth) and every
// step between them; nullopt if there are more than max_states.
template <Model M>
std::optional<StateGraph> explore_state_graph(const M& model, const StateGraphOptions& options) {
  using State = typename M::State;
  auto identity = [&](const State& state) {
    if constexpr (HasSymmetry<M>) {
      if (options.symmetry) return model.fingerprint(model.canonical(state));
    }
    return model.fingerprint(state);
  };
  std::vector<StateProperty<State>> invariants;
  for (auto& property : model.properties()) {
    if (property.expectation == Expectation::kAlways) invariants.push_back(std::move(property));
  }
  StateGraph graph;
  std::unordered_map<uint64_t, size_t> index_of;
  std::vector<State> frontier;
  // Returns the state's node, adding it (and queueing the state) when new;
  // nullopt once the graph has grown past the limit.
  auto node_of = [&](const State& state, std::vector<State>& queue) -> std::optional<size_t> {
    auto [at, added] = index_of.try_emplace(identity(state), graph.nodes.size());
    if (!added) return at->second;
    if (graph.nodes.size() == options.max_states) return std::nullopt;
    StateGraph::Node node;
    node.state = model.state_json(state);
    for (const auto& invariant : invariants) {
      if (!invariant.holds(state)) node.violated.push_back(invariant.name);
    }
    graph.nodes.push_back(std::move(node));
    queue.push_back(state);
    return at->second;
  };
  for (const State& state : model.initial_states()) {
    if (!model.within_bounds(state)) continue;
    auto node = node_of(state, frontier);
    if (!node) return std::nullopt;
    graph.nodes[*node].initial = true;
  }
  std::vector<Successor<typename M::Action, State>> successors;
  for (int depth = 1; !frontier.empty() && (options.max_depth == 0 || depth < options.max_depth);
       ++depth) {
    std::vector<State> next;
    for (const State& state : frontier) {
      const size_t from = index_of.at(identity(state));
      successors.clear();
      model.successors(state, successors);
      for (const auto& successor : successors) {
        if (!model.within_bounds(successor.state)) continue;
        auto to = node_of(successor.state, next);
        if (!to) return std::nullopt;
        if (*to != from) graph.edges.push_back({from, *to, model.action_label(successor.action)});
      }
    }
    frontier = std::move(next);
  }
  return graph;
}

// The graph in Graphviz's language: initial states drawn bold, states that
// break an invariant in red, and the steps of `trace` (a counterexample,
// possibly empty) in red and numbered.
std::string state_graph_dot(const std::string& title, const StateGraph& graph,
                            const std::vector<TraceStep>& trace);

}  // namespace crosscheck::mc
