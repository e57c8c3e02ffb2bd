// Liveness under weak fairness, on the explicit graph of the reachable
// states within the bounds (liveness_graph.h).
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
// of the not-Q states that a fair path can
// stay in -- every class enabled in all of its states is taken on one of
// its edges -- or in a not-Q state where no fair class is enabled, where
// it may stutter. The counterexample is a lasso: a prefix from an initial
// state and a loop, which takes every class it must take to be fair.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model_check/common_options.h"
#include "model_check/liveness_graph.h"
#include "model_check/liveness_property.h"
#include "model_check/memory.h"
#include "model_check/model.h"
#include "model_check/option_error.h"
#include "model_check/result.h"

namespace crosscheck::mc {
namespace detail {

template <Model M>
requires HasLiveness<M>
class LivenessChecker {
 public:
  using State = typename M::State;
  using Action = typename M::Action;
  using Graph = LivenessGraph<M>;
  using Edge = typename Graph::Edge;
  static constexpr uint32_t kNone = Graph::kNone;
  static constexpr uint32_t kUnfair = Graph::kUnfair;

  LivenessChecker(const M& model, const CommonOptions& options)
      : model_(model),
        options_(options),
        properties_(model.liveness_properties()),
        budget_(options.memory_limit_bytes),
        graph_(model_, options_, properties_, budget_) {
    if (properties_.size() > 32) throw OptionError(OptionError::Kind::kTooManyLivenessProperties);
  }
  // graph_ refers to options_, properties_ and budget_.
  LivenessChecker(const LivenessChecker&) = delete;
  LivenessChecker& operator=(const LivenessChecker&) = delete;

  CheckResult run() {
    start_ = Clock::now();
    CheckResult result;
    result.search.mode = "liveness";
    result.fairness = model_.fairness();
    for (const auto& property : properties_) result.liveness.push_back(property.name);
    if (!graph_.build(result)) {
      result.stopped_phase = "liveness graph";
      result.unchecked = result.liveness;
    } else {
      for (size_t p = 0; p < properties_.size(); ++p) {
        if (!analysis_fits() || options_.stop_requested()) {
          result.outcome =
              options_.stop_requested() ? Outcome::kInterrupted : Outcome::kMemoryExhausted;
          result.stopped_phase = "liveness analysis";
          result.unchecked.assign(result.liveness.begin() + static_cast<std::ptrdiff_t>(p),
                                  result.liveness.end());
          break;
        }
        if (check(p, result)) break;
      }
    }
    describe_graph(result);
    return result;
  }

 private:
  using Clock = std::chrono::steady_clock;
  // Flags of a state in one property's analysis.
  static constexpr uint8_t kFairEnd = 1;   // a fair behaviour may stay at it forever
  static constexpr uint8_t kStutters = 2;  // ... by stuttering there
  static constexpr uint8_t kDoomed = 4;    // a not-Q path leads from it to a fair end

  // A step of a lasso: into `state`, by successor `ordinal` of the state
  // before, or (ordinal kNone) by its first successor that is `state` and
  // of class `fair`.
  struct Step {
    uint32_t state;
    uint32_t ordinal;
    uint32_t fair;
  };

  void describe_graph(CheckResult& result) const {
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    const uint32_t count = graph_.states();
    result.stats.distinct_states = count;
    result.stats.depth = graph_.depth();
    result.stats.queue = graph_.queued();
    result.stats.seconds = seconds;
    result.stats.states_per_second = seconds > 0 ? static_cast<double>(count) / seconds : 0;
    result.stats.peak_memory_bytes = peak_memory_bytes();
    result.stats.visited_bytes = graph_.bytes();
    result.stats.bytes_per_state =
        count > 0 ? static_cast<double>(graph_.bytes()) / static_cast<double>(count) : 0;
    result.liveness_graph = LivenessGraphStats{count, graph_.steps(), graph_.bytes(), seconds};
  }

  // Whether one property's analysis (its components, the reverse steps
  // among its not-Q states, the searches) fits, with everything it
  // allocates counted at its largest.
  bool analysis_fits() {
    const uint64_t n = graph_.states();
    const uint64_t per_state = 4 /*component*/ + 4 /*index*/ + 4 /*low link*/ + 4 /*stack*/ +
                               sizeof(uint32_t) + sizeof(uint64_t) /*call frame*/ + 4 /*flags*/ +
                               sizeof(uint64_t) /*reverse offsets*/ + 4 /*queue*/;
    const uint64_t needed = n * per_state + graph_.steps() * sizeof(uint32_t);
    return budget_.allows(graph_.bytes(), needed);
  }

  // The strongly connected components of the steps among the states
  // `outside` admits (Tarjan's algorithm, iterative); kNone for the
  // others.
  template <class Outside>
  std::vector<uint32_t> components_of(Outside outside) const {
    const uint32_t n = graph_.states();
    std::vector<uint32_t> component(n, kNone);
    std::vector<uint32_t> index(n, kNone);
    std::vector<uint32_t> low(n, 0);
    std::vector<uint32_t> stack;
    struct Frame {
      uint32_t state;
      size_t next_edge;  // into the state's steps
    };
    std::vector<Frame> calls;
    uint32_t counter = 0;
    uint32_t components = 0;
    auto open = [&](uint32_t s) {
      index[s] = low[s] = counter++;
      stack.push_back(s);
      calls.push_back({s, 0});
    };
    for (uint32_t root = 0; root < n; ++root) {
      if (!outside(root) || index[root] != kNone) continue;
      open(root);
      while (!calls.empty()) {
        const uint32_t v = calls.back().state;
        const auto edges = graph_.edges_of(v);
        if (calls.back().next_edge < edges.size()) {
          const uint32_t w = edges[calls.back().next_edge++].to;
          if (!outside(w)) continue;
          if (index[w] == kNone) {
            open(w);
          } else if (component[w] == kNone) {  // on the stack
            low[v] = std::min(low[v], index[w]);
          }
          continue;
        }
        if (low[v] == index[v]) {
          uint32_t w;
          do {
            w = stack.back();
            stack.pop_back();
            component[w] = components;
          } while (w != v);
          ++components;
        }
        calls.pop_back();
        if (!calls.empty()) low[calls.back().state] = std::min(low[calls.back().state], low[v]);
      }
    }
    return component;
  }

  // Whether property p fails; if so, its lasso goes into `result`.
  bool check(size_t p, CheckResult& result) {
    auto outside = [&](uint32_t s) { return !graph_.goal(s, p); };  // where a violation stays
    const std::vector<uint32_t> component = components_of(outside);
    std::vector<uint8_t> flags = fair_ends(component);
    mark_doomed(flags, outside);
    const uint32_t start = nearest_start(flags, p);
    if (start == kNone) return false;
    report_lasso(p, start, flags, component, result);
    return true;
  }

  // Which states of the components can hold a fair behaviour forever
  // (kFairEnd): those of a component with a loop that takes every class
  // enabled throughout it, and states to stutter in with no fair class
  // enabled (kStutters too).
  std::vector<uint8_t> fair_ends(const std::vector<uint32_t>& component) const {
    struct Summary {  // of a component of more than one state
      bool seen = false;
      std::vector<uint32_t> always_enabled;
      std::vector<uint32_t> taken;
    };
    const uint32_t n = graph_.states();
    std::unordered_map<uint32_t, Summary> summaries;
    {
      std::unordered_map<uint32_t, uint32_t> sizes;
      for (uint32_t s = 0; s < n; ++s) {
        if (component[s] != kNone) ++sizes[component[s]];
      }
      for (const auto& [id, size] : sizes) {
        if (size > 1) summaries.try_emplace(id);
      }
    }
    for (uint32_t s = 0; s < n; ++s) {
      if (component[s] == kNone) continue;
      auto at = summaries.find(component[s]);
      if (at == summaries.end()) continue;
      Summary& summary = at->second;
      std::vector<uint32_t> here = graph_.enabled_classes(s);
      if (!summary.seen) {
        summary.always_enabled = here;
        summary.seen = true;
      } else {
        std::vector<uint32_t> both;
        std::set_intersection(summary.always_enabled.begin(), summary.always_enabled.end(),
                              here.begin(), here.end(), std::back_inserter(both));
        summary.always_enabled = std::move(both);
      }
      for (const Edge& edge : graph_.edges_of(s)) {
        if (edge.fair != kUnfair && component[edge.to] == component[s]) {
          summary.taken.push_back(edge.fair);
        }
      }
    }
    for (auto& [id, summary] : summaries) {
      std::sort(summary.taken.begin(), summary.taken.end());
      summary.taken.erase(std::unique(summary.taken.begin(), summary.taken.end()),
                          summary.taken.end());
    }
    std::vector<uint8_t> flags(n, 0);
    for (uint32_t s = 0; s < n; ++s) {
      if (component[s] == kNone) continue;
      auto at = summaries.find(component[s]);
      if (at != summaries.end() &&
          std::includes(at->second.taken.begin(), at->second.taken.end(),
                        at->second.always_enabled.begin(), at->second.always_enabled.end())) {
        flags[s] |= kFairEnd;
      } else if (graph_.enabled_classes(s).empty()) {
        flags[s] |= kFairEnd | kStutters;
      }
    }
    return flags;
  }

  // Marks kDoomed the not-Q states from which a not-Q path reaches a fair
  // end: a breadth-first search back along the steps among not-Q states.
  template <class Outside>
  void mark_doomed(std::vector<uint8_t>& flags, Outside outside) const {
    const uint32_t n = graph_.states();
    std::vector<uint64_t> reverse_offsets(static_cast<size_t>(n) + 1, 0);
    for (uint32_t s = 0; s < n; ++s) {
      if (!outside(s)) continue;
      for (const Edge& edge : graph_.edges_of(s)) {
        if (outside(edge.to)) ++reverse_offsets[edge.to + 1];
      }
    }
    for (uint32_t s = 0; s < n; ++s) reverse_offsets[s + 1] += reverse_offsets[s];
    std::vector<uint32_t> sources(reverse_offsets[n]);
    {
      std::vector<uint64_t> fill(reverse_offsets.begin(), reverse_offsets.end() - 1);
      for (uint32_t s = 0; s < n; ++s) {
        if (!outside(s)) continue;
        for (const Edge& edge : graph_.edges_of(s)) {
          if (outside(edge.to)) sources[fill[edge.to]++] = s;
        }
      }
    }
    std::vector<uint32_t> queue;
    for (uint32_t s = 0; s < n; ++s) {
      if (flags[s] & kFairEnd) {
        flags[s] |= kDoomed;
        queue.push_back(s);
      }
    }
    for (size_t head = 0; head < queue.size(); ++head) {
      const uint32_t s = queue[head];
      for (uint64_t i = reverse_offsets[s]; i < reverse_offsets[s + 1]; ++i) {
        if (!(flags[sources[i]] & kDoomed)) {
          flags[sources[i]] |= kDoomed;
          queue.push_back(sources[i]);
        }
      }
    }
  }

  // The nearest start that is doomed: an initial state (<>Q) or a
  // reachable P state (P ~> Q); kNone when there is none. States are
  // numbered breadth first, so the least number is the nearest.
  uint32_t nearest_start(const std::vector<uint8_t>& flags, size_t p) const {
    uint32_t start = kNone;
    if (!properties_[p].premise) {
      for (uint32_t s : graph_.initial()) {
        if ((flags[s] & kDoomed) && (start == kNone || s < start)) start = s;
      }
    } else {
      for (uint32_t s = 0; s < graph_.states() && start == kNone; ++s) {
        if ((flags[s] & kDoomed) && graph_.premise(s, p)) start = s;
      }
    }
    return start;
  }

  // Property p's lasso from `start`: the breadth-first path to it, a
  // not-Q path on to the nearest fair end, and a fair loop there (none
  // where the behaviour stutters).
  void report_lasso(size_t p, uint32_t start, const std::vector<uint8_t>& flags,
                    const std::vector<uint32_t>& component, CheckResult& result) const {
    const LivenessProperty<State>& property = properties_[p];
    const TraceLinks& links = graph_.links();
    std::vector<Step> steps;
    uint32_t root = start;
    for (; !links.is_root(root); root = static_cast<uint32_t>(links.parent(root))) {
      steps.push_back({root, static_cast<uint32_t>(links.ordinal(root)), kNone});
    }
    std::reverse(steps.begin(), steps.end());
    auto fair_end = [&](uint32_t s) { return (flags[s] & kFairEnd) != 0; };
    auto outside = [&](uint32_t s) { return !graph_.goal(s, p); };
    std::vector<Step> onward = path(start, fair_end, outside);
    steps.insert(steps.end(), onward.begin(), onward.end());
    const uint32_t entry = steps.empty() ? root : steps.back().state;

    result.outcome = Outcome::kViolation;
    result.property = property.name;
    result.property_kind = property.premise ? "leads-to" : "eventually";
    const size_t loop_start = steps.size();
    if (!(flags[entry] & kStutters)) {
      std::vector<Step> loop = fair_loop(entry, component);
      steps.insert(steps.end(), loop.begin(), loop.end());
    }
    result.trace = render(root, steps);
    result.loop_start = static_cast<int64_t>(loop_start);
  }

  // A shortest path from `from` to a state meeting `target`, through
  // states meeting `allowed`.
  template <class Target, class Allowed>
  std::vector<Step> path(uint32_t from, Target target, Allowed allowed,
                         bool at_least_one_step = false) const {
    if (!at_least_one_step && target(from)) return {};
    // state -> (previous, class)
    std::unordered_map<uint32_t, std::pair<uint32_t, uint32_t>> came_from;
    std::deque<uint32_t> queue{from};
    while (!queue.empty()) {
      const uint32_t s = queue.front();
      queue.pop_front();
      for (const Edge& edge : graph_.edges_of(s)) {
        if (!allowed(edge.to) || came_from.count(edge.to) ||
            (edge.to == from && !at_least_one_step)) {
          continue;
        }
        came_from[edge.to] = {s, edge.fair};
        if (target(edge.to)) {
          std::vector<Step> steps;
          for (uint32_t t = edge.to;;) {
            auto [previous, fair] = came_from.at(t);
            steps.push_back({t, kNone, fair});
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
  std::vector<Step> fair_loop(uint32_t entry, const std::vector<uint32_t>& component) const {
    const uint32_t id = component[entry];
    auto in_component = [&](uint32_t s) { return component[s] == id; };
    std::set<uint32_t> enabled_somewhere;
    std::set<uint32_t> taken;
    for (uint32_t s = 0; s < graph_.states(); ++s) {
      if (!in_component(s)) continue;
      for (const Edge& edge : graph_.edges_of(s)) {
        if (edge.fair == kUnfair) continue;
        enabled_somewhere.insert(edge.fair);
        if (in_component(edge.to)) taken.insert(edge.fair);
      }
    }
    std::vector<Step> loop;
    uint32_t at = entry;
    std::set<uint32_t> met;  // classes taken on the loop, or disabled in a state on it
    auto meet_state = [&](uint32_t s) {
      for (uint32_t fair : enabled_somewhere) {
        if (!taken.count(fair) && !graph_.enables(s, fair)) met.insert(fair);
      }
    };
    meet_state(entry);
    auto follow = [&](const std::vector<Step>& steps) {
      for (const Step& step : steps) {
        if (step.fair != kUnfair) met.insert(step.fair);
        at = step.state;
        meet_state(step.state);
        loop.push_back(step);
      }
    };
    // In the order of the model's class values, so that the loop does not
    // depend on the order the classes were first met in.
    std::vector<uint32_t> pending(enabled_somewhere.begin(), enabled_somewhere.end());
    std::sort(pending.begin(), pending.end(),
              [&](uint32_t a, uint32_t b) { return graph_.fair_value(a) < graph_.fair_value(b); });
    for (uint32_t fair : pending) {
      if (met.count(fair)) continue;
      if (taken.count(fair)) {
        // Go to a state with a step of this class inside the component, and take it.
        auto has_step = [&](uint32_t s) {
          for (const Edge& edge : graph_.edges_of(s)) {
            if (edge.fair == fair && in_component(edge.to)) return true;
          }
          return false;
        };
        follow(path(at, has_step, in_component));
        for (const Edge& edge : graph_.edges_of(at)) {
          if (edge.fair == fair && in_component(edge.to)) {
            follow({{edge.to, kNone, edge.fair}});
            break;
          }
        }
      } else {
        follow(path(
            at, [&](uint32_t s) { return !graph_.enables(s, fair); }, in_component));
      }
    }
    follow(path(
        at, [&](uint32_t s) { return s == entry; }, in_component,
        /*at_least_one_step=*/loop.empty()));
    return loop;
  }

  // Re-executes the lasso from its initial state: each step is the
  // successor the graph's step stands for, found by its number and class.
  std::vector<TraceStep> render(uint32_t root, const std::vector<Step>& steps) const {
    std::vector<State> initial = model_.initial_states();
    State current = std::move(initial.at(graph_.links().ordinal(root)));
    std::vector<TraceStep> trace;
    trace.push_back({"", model_.state_json(current)});
    std::vector<Successor<Action, State>> successors;
    for (const Step& step : steps) {
      successors.clear();
      model_.successors(current, successors);
      const uint32_t ordinal = step.ordinal != kNone ? step.ordinal : ordinal_of(step, successors);
      Successor<Action, State>& successor = successors.at(ordinal);
      trace.push_back({model_.action_label(successor.action), model_.state_json(successor.state)});
      current = std::move(successor.state);
    }
    return trace;
  }

  // The first successor within the bounds that is the step's state, by a
  // step of its class.
  uint32_t ordinal_of(const Step& step,
                      const std::vector<Successor<Action, State>>& successors) const {
    for (uint32_t o = 0; o < successors.size(); ++o) {
      const auto& successor = successors[o];
      if (!model_.within_bounds(successor.state)) continue;
      if (graph_.number_of(successor.state) == step.state &&
          graph_.known_fair_number(successor.action) == step.fair) {
        return o;
      }
    }
    throw std::logic_error(
        "liveness: a lasso's step is not among the successors (a nondeterministic model?)");
  }

  const M& model_;
  CommonOptions options_;
  std::vector<LivenessProperty<State>> properties_;
  // Started when the phase starts: the memory the safety search freed is
  // given back first, so that the limit is measured from what this phase
  // holds.
  MemoryBudget budget_;
  Graph graph_;
  Clock::time_point start_;
};

}  // namespace detail

// Checks every liveness property of the model; the first one violated is
// reported with a lasso (trace, loop_start). Throws OptionError for a
// model with more properties than the graph holds.
template <Model M>
requires HasLiveness<M> CheckResult check_liveness(const M& model,
                                                   const CommonOptions& options = {}) {
  return detail::LivenessChecker<M>(model, options).run();
}

}  // namespace crosscheck::mc
