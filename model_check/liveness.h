// Liveness under weak fairness, on the explicit graph of the reachable
// states within the bounds.
//
// A property is `eventually Q` (every behaviour from an initial state
// reaches a state where Q holds: <>Q) or `P leads to Q` (from every
// reachable state where P holds, every behaviour reaches Q: P ~> Q). A
// behaviour is an infinite path, or a finite one that stutters forever in
// its last state, as in TLA+. A model names its weakly fair actions by
// class (fair_class): a behaviour is fair when no class stays enabled
// forever without being taken. A step that leaves the state unchanged is
// no step of any class, and a successor outside the bounds is no step at
// all (the bounds cut behaviours there).
//
// A violation is a fair behaviour that stays out of Q from the start (or
// from a P state) forever: it ends either in a strongly connected component
// of the not-Q states (computed with Boost.Graph) that a fair path can
// stay in -- every class enabled in all of its states is taken on one of
// its edges -- or in a not-Q state where no fair class is enabled, where
// it may stutter. The counterexample is a lasso: a prefix from an initial
// state and a loop, which takes every class it must take to be fair.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model_check/fingerprint_table.h"
#include "model_check/memory.h"
#include "model_check/model.h"
#include "model_check/result.h"
#include "model_check/search_options.h"

namespace crosscheck::mc {

template <class State>
struct LivenessProperty {
  std::string name;
  // P of P ~> Q; empty for <>Q, which starts at the initial states.
  std::function<bool(const State&)> premise;
  std::function<bool(const State&)> goal;  // Q
};

template <class State>
LivenessProperty<State> eventually(std::string name, std::function<bool(const State&)> goal) {
  return {std::move(name), nullptr, std::move(goal)};
}

template <class State>
LivenessProperty<State> leads_to(std::string name, std::function<bool(const State&)> premise,
                                 std::function<bool(const State&)> goal) {
  return {std::move(name), std::move(premise), std::move(goal)};
}

// A model with liveness properties says which of its actions are weakly
// fair, each in a class of its own kind (e.g. the delivery of one message,
// one node's timer): nullopt for an action that need never happen (a
// fault, a client's choice).
template <class M>
concept HasLiveness = requires(const M& model, const typename M::Action& action) {
  { model.liveness_properties() } -> std::same_as<std::vector<LivenessProperty<typename M::State>>>;
  { model.fair_class(action) } -> std::same_as<std::optional<uint64_t>>;
  { model.fairness() } -> std::convertible_to<std::string>;
};

namespace detail {

template <Model M>
  requires HasLiveness<M>
class LivenessChecker {
 public:
  using State = typename M::State;
  using Action = typename M::Action;
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  static constexpr uint64_t kUnfair = std::numeric_limits<uint64_t>::max();

  LivenessChecker(const M& model, const SearchOptions& options) : model_(model), options_(options) {}

  CheckResult run() {
    const auto start = std::chrono::steady_clock::now();
    CheckResult result;
    result.search.mode = "liveness";
    result.fairness = model_.fairness();
    for (const auto& property : model_.liveness_properties()) result.liveness.push_back(property.name);
    if (!build_graph(result)) {
      result.outcome = Outcome::kBoundExhausted;
    } else {
      for (const auto& property : model_.liveness_properties()) {
        if (check(property, result)) break;
      }
    }
    result.stats.distinct_states = states_.size();
    result.stats.depth = depth_;
    result.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.stats.peak_memory_bytes = peak_memory_bytes();
    return result;
  }

 private:
  struct Edge {
    uint32_t to;
    uint32_t ordinal;  // among the source's successors, to rebuild the action
    uint64_t fair_class;
  };

  // Every reachable state within the bounds, with its steps (stutters and
  // successors outside the bounds left out); false past --max-states.
  bool build_graph(CheckResult& result) {
    std::unordered_map<uint64_t, uint32_t> index;
    auto add = [&](State state, uint32_t parent, uint32_t ordinal) -> uint32_t {
      const uint64_t fingerprint = model_.fingerprint(state);
      auto [at, inserted] = index.try_emplace(fingerprint, static_cast<uint32_t>(states_.size()));
      if (inserted) {
        states_.push_back(std::move(state));
        parent_.push_back({parent, ordinal});
        depth_of_.push_back(parent == kNone ? 1 : depth_of_[parent] + 1);
        depth_ = std::max(depth_, depth_of_.back());
      }
      return at->second;
    };
    std::vector<State> initial = model_.initial_states();
    result.stats.total_states += initial.size();
    for (uint32_t i = 0; i < initial.size(); ++i) {
      if (model_.within_bounds(initial[i])) initial_.push_back(add(std::move(initial[i]), kNone, i));
    }
    std::vector<Successor<Action, State>> successors;
    for (uint32_t s = 0; s < states_.size(); ++s) {
      if (options_.max_states > 0 && states_.size() > options_.max_states) return false;
      successors.clear();
      model_.successors(states_[s], successors);
      result.stats.total_states += successors.size();
      std::vector<Edge> out;
      for (uint32_t o = 0; o < successors.size(); ++o) {
        auto& successor = successors[o];
        if (!model_.within_bounds(successor.state)) continue;
        if constexpr (std::equality_comparable<State>) {
          if (successor.state == states_[s]) continue;
        }
        const uint64_t fair = model_.fair_class(successor.action).value_or(kUnfair);
        const uint32_t to = add(std::move(successor.state), s, o);
        if (to != s) out.push_back({to, o, fair});
      }
      edges_.push_back(std::move(out));
    }
    return true;
  }

  std::set<uint64_t> enabled_classes(uint32_t s) const {
    std::set<uint64_t> classes;
    for (const Edge& edge : edges_[s]) {
      if (edge.fair_class != kUnfair) classes.insert(edge.fair_class);
    }
    return classes;
  }

  // Whether `property` fails; if so, its lasso goes into `result`.
  bool check(const LivenessProperty<State>& property, CheckResult& result) {
    const size_t n = states_.size();
    std::vector<char> outside(n);  // not Q: where a violating behaviour stays
    for (size_t s = 0; s < n; ++s) outside[s] = !property.goal(states_[s]);

    // The components of the not-Q states, and which can hold a fair
    // behaviour forever (`fair_end`): a component with a loop that takes
    // every class enabled throughout it, or a state to stutter in with no
    // fair class enabled.
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
    Graph graph(n);
    for (uint32_t s = 0; s < n; ++s) {
      if (!outside[s]) continue;
      for (const Edge& edge : edges_[s]) {
        if (outside[edge.to]) boost::add_edge(s, edge.to, graph);
      }
    }
    std::vector<int> component(n);
    const int components = boost::strong_components(graph, component.data());
    std::vector<std::vector<uint32_t>> members(components);
    for (uint32_t s = 0; s < n; ++s) {
      if (outside[s]) members[component[s]].push_back(s);
    }
    std::vector<char> fair_end(n, 0);
    std::vector<char> stutters(n, 0);
    for (const auto& states : members) {
      if (states.size() > 1 && fair_component(states, component)) {
        for (uint32_t s : states) fair_end[s] = 1;
      }
    }
    for (uint32_t s = 0; s < n; ++s) {
      if (outside[s] && !fair_end[s] && enabled_classes(s).empty()) fair_end[s] = stutters[s] = 1;
    }

    // The not-Q states from which a not-Q path reaches a fair end.
    std::vector<std::vector<uint32_t>> reverse(n);
    for (uint32_t s = 0; s < n; ++s) {
      if (!outside[s]) continue;
      for (const Edge& edge : edges_[s]) {
        if (outside[edge.to]) reverse[edge.to].push_back(s);
      }
    }
    std::vector<char> doomed(n, 0);
    std::deque<uint32_t> queue;
    for (uint32_t s = 0; s < n; ++s) {
      if (fair_end[s]) {
        doomed[s] = 1;
        queue.push_back(s);
      }
    }
    while (!queue.empty()) {
      const uint32_t s = queue.front();
      queue.pop_front();
      for (uint32_t from : reverse[s]) {
        if (!doomed[from]) {
          doomed[from] = 1;
          queue.push_back(from);
        }
      }
    }

    // The nearest start: an initial state (<>Q) or a reachable P state
    // (P ~> Q) that is doomed. States are numbered breadth first, so the
    // least number is the nearest.
    uint32_t start = kNone;
    if (!property.premise) {
      for (uint32_t s : initial_) {
        if (doomed[s] && (start == kNone || s < start)) start = s;
      }
    } else {
      for (uint32_t s = 0; s < n && start == kNone; ++s) {
        if (doomed[s] && property.premise(states_[s])) start = s;
      }
    }
    if (start == kNone) return false;

    // Prefix: the breadth-first path to the start, then a not-Q path on to
    // the nearest fair end.
    std::vector<std::pair<uint32_t, uint32_t>> steps;  // (state, ordinal of the step into it)
    for (uint32_t s = start; parent_[s].first != kNone; s = parent_[s].first) steps.push_back({s, parent_[s].second});
    std::reverse(steps.begin(), steps.end());
    const uint32_t root = start_root(start);
    auto within = [&](uint32_t s) { return outside[s] != 0; };
    std::vector<std::pair<uint32_t, uint32_t>> onward = path(start, [&](uint32_t s) { return fair_end[s] != 0; }, within);
    steps.insert(steps.end(), onward.begin(), onward.end());
    const uint32_t entry = steps.empty() ? root : steps.back().first;

    result.outcome = Outcome::kViolation;
    result.property = property.name;
    result.property_kind = property.premise ? "leads-to" : "eventually";
    size_t loop_start = steps.size();
    if (!stutters[entry]) {
      std::vector<std::pair<uint32_t, uint32_t>> loop = fair_loop(entry, component);
      steps.insert(steps.end(), loop.begin(), loop.end());
    }
    result.trace = render(root, steps);
    result.loop_start = static_cast<int64_t>(loop_start);
    return true;
  }

  uint32_t start_root(uint32_t s) const {
    while (parent_[s].first != kNone) s = parent_[s].first;
    return s;
  }

  // Whether a fair behaviour can stay in this component forever.
  bool fair_component(const std::vector<uint32_t>& states, const std::vector<int>& component) const {
    const int id = component[states.front()];
    std::set<uint64_t> always_enabled = enabled_classes(states.front());
    std::set<uint64_t> taken;
    for (uint32_t s : states) {
      std::set<uint64_t> here = enabled_classes(s);
      std::erase_if(always_enabled, [&](uint64_t c) { return !here.count(c); });
      for (const Edge& edge : edges_[s]) {
        if (edge.fair_class != kUnfair && component[edge.to] == id) taken.insert(edge.fair_class);
      }
    }
    return std::includes(taken.begin(), taken.end(), always_enabled.begin(), always_enabled.end());
  }

  // A shortest path (by states' steps) from `from` to a state meeting
  // `target`, through states meeting `allowed`: (state, ordinal) steps.
  template <class Target, class Allowed>
  std::vector<std::pair<uint32_t, uint32_t>> path(uint32_t from, Target target, Allowed allowed,
                                                  bool at_least_one_step = false) const {
    if (!at_least_one_step && target(from)) return {};
    std::unordered_map<uint32_t, std::pair<uint32_t, uint32_t>> came_from;  // state -> (previous, ordinal)
    std::deque<uint32_t> queue{from};
    while (!queue.empty()) {
      const uint32_t s = queue.front();
      queue.pop_front();
      for (const Edge& edge : edges_[s]) {
        if (!allowed(edge.to) || came_from.count(edge.to) || (edge.to == from && !at_least_one_step)) continue;
        came_from[edge.to] = {s, edge.ordinal};
        if (target(edge.to)) {
          std::vector<std::pair<uint32_t, uint32_t>> steps;
          for (uint32_t t = edge.to;;) {
            auto [previous, ordinal] = came_from.at(t);
            steps.push_back({t, ordinal});
            if (previous == from) break;
            t = previous;
          }
          std::reverse(steps.begin(), steps.end());
          return steps;
        }
        queue.push_back(edge.to);
      }
    }
    throw std::logic_error("liveness: no path to a state the graph says is reachable");
  }

  // A loop from `entry` back to it within its component that takes every
  // class enabled throughout the component, and for every other class
  // enabled on it passes a state where that class is disabled.
  std::vector<std::pair<uint32_t, uint32_t>> fair_loop(uint32_t entry, const std::vector<int>& component) const {
    const int id = component[entry];
    auto in_component = [&](uint32_t s) { return component[s] == id; };
    std::set<uint64_t> enabled_somewhere;
    std::set<uint64_t> taken;
    for (uint32_t s = 0; s < states_.size(); ++s) {
      if (!in_component(s)) continue;
      for (const Edge& edge : edges_[s]) {
        if (edge.fair_class == kUnfair) continue;
        enabled_somewhere.insert(edge.fair_class);
        if (in_component(edge.to)) taken.insert(edge.fair_class);
      }
    }
    std::vector<std::pair<uint32_t, uint32_t>> loop;
    uint32_t at = entry;
    std::set<uint64_t> met;  // classes taken on the loop, or disabled in a state on it
    auto meet_state = [&](uint32_t s) {
      const std::set<uint64_t> enabled = enabled_classes(s);
      for (uint64_t fair : enabled_somewhere) {
        if (!taken.count(fair) && !enabled.count(fair)) met.insert(fair);
      }
    };
    meet_state(entry);
    auto follow = [&](const std::vector<std::pair<uint32_t, uint32_t>>& steps) {
      for (auto [state, ordinal] : steps) {
        for (const Edge& edge : edges_[at]) {
          if (edge.to == state && edge.ordinal == ordinal && edge.fair_class != kUnfair) met.insert(edge.fair_class);
        }
        at = state;
        meet_state(state);
        loop.push_back({state, ordinal});
      }
    };
    for (uint64_t fair : enabled_somewhere) {
      if (met.count(fair)) continue;
      if (taken.count(fair)) {
        // Go to a state with a step of this class inside the component, and take it.
        auto has_step = [&](uint32_t s) {
          return std::any_of(edges_[s].begin(), edges_[s].end(),
                             [&](const Edge& e) { return e.fair_class == fair && in_component(e.to); });
        };
        follow(path(at, has_step, in_component));
        for (const Edge& edge : edges_[at]) {
          if (edge.fair_class == fair && in_component(edge.to)) {
            follow({{edge.to, edge.ordinal}});
            break;
          }
        }
      } else {
        follow(path(at, [&](uint32_t s) { return !enabled_classes(s).count(fair); }, in_component));
      }
    }
    follow(path(at, [&](uint32_t s) { return s == entry; }, in_component, /*at_least_one_step=*/loop.empty()));
    return loop;
  }

  std::vector<TraceStep> render(uint32_t root, const std::vector<std::pair<uint32_t, uint32_t>>& steps) const {
    std::vector<TraceStep> trace;
    trace.push_back({"", model_.state_json(states_[root])});
    uint32_t at = root;
    std::vector<Successor<Action, State>> successors;
    for (auto [state, ordinal] : steps) {
      successors.clear();
      model_.successors(states_[at], successors);
      trace.push_back({model_.action_label(successors.at(ordinal).action), model_.state_json(states_[state])});
      at = state;
    }
    return trace;
  }

  const M& model_;
  SearchOptions options_;
  std::vector<State> states_;                               // breadth-first order
  std::vector<std::pair<uint32_t, uint32_t>> parent_;       // (parent, ordinal) of the first path found
  std::vector<int> depth_of_;
  int depth_ = 0;
  std::vector<uint32_t> initial_;
  std::vector<std::vector<Edge>> edges_;
};

}  // namespace detail

// Checks every liveness property of the model; the first one violated is
// reported with a lasso (trace, loop_start).
template <Model M>
  requires HasLiveness<M>
CheckResult check_liveness(const M& model, const SearchOptions& options = {}) {
  return detail::LivenessChecker<M>(model, options).run();
}

}  // namespace crosscheck::mc
