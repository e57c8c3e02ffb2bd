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
// of the not-Q states that a fair path can
// stay in -- every class enabled in all of its states is taken on one of
// its edges -- or in a not-Q state where no fair class is enabled, where
// it may stutter. The counterexample is a lasso: a prefix from an initial
// state and a loop, which takes every class it must take to be fair.
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <iterator>
#include <set>
#include <span>
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
#include "model_check/trace_links.h"

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

// Fingerprint -> state number, for the liveness graph: an open-addressing
// table of 12 bytes a slot, at most three quarters full.
class StateNumbers {
 public:
  static constexpr uint32_t kAbsent = std::numeric_limits<uint32_t>::max();

  // The number of the state with this (normalized) fingerprint, or kAbsent.
  uint32_t find(uint64_t fingerprint) const {
    if (keys_.empty()) return kAbsent;
    for (size_t i = fingerprint & mask(); keys_[i] != 0; i = (i + 1) & mask()) {
      if (keys_[i] == fingerprint) return numbers_[i];
    }
    return kAbsent;
  }

  // The state's number, giving it `next` if it has none; whether it was new.
  std::pair<uint32_t, bool> find_or_insert(uint64_t fingerprint, uint32_t next) {
    if (needs_growth(1)) grow();
    size_t i = fingerprint & mask();
    for (; keys_[i] != 0; i = (i + 1) & mask()) {
      if (keys_[i] == fingerprint) return {numbers_[i], false};
    }
    keys_[i] = fingerprint;
    numbers_[i] = next;
    ++size_;
    return {next, true};
  }

  size_t bytes() const { return keys_.capacity() * sizeof(uint64_t) + numbers_.capacity() * sizeof(uint32_t); }
  // The bytes a growth to hold `more` entries more would add (the old
  // table is held while the new one fills); 0 when it holds them already.
  size_t growth_bytes(size_t more) const {
    if (!needs_growth(more)) return 0;
    size_t capacity = std::max<size_t>(kMinCapacity, keys_.size());
    while ((size_ + more) * 4 > capacity * 3) capacity *= 2;
    return capacity * (sizeof(uint64_t) + sizeof(uint32_t));
  }

 private:
  static constexpr size_t kMinCapacity = 1024;
  size_t mask() const { return keys_.size() - 1; }
  bool needs_growth(size_t more) const { return keys_.empty() || (size_ + more) * 4 > keys_.size() * 3; }

  void grow() {
    std::vector<uint64_t> keys = std::move(keys_);
    std::vector<uint32_t> numbers = std::move(numbers_);
    keys_.assign(std::max(kMinCapacity, keys.size() * 2), 0);
    numbers_.assign(keys_.size(), 0);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == 0) continue;
      size_t j = keys[i] & mask();
      while (keys_[j] != 0) j = (j + 1) & mask();
      keys_[j] = keys[i];
      numbers_[j] = numbers[i];
    }
  }

  std::vector<uint64_t> keys_;  // normalized fingerprints; 0: empty
  std::vector<uint32_t> numbers_;
  size_t size_ = 0;
};

// The capacity `items` grows to when `more` are appended: doubled, as the
// standard library would, but reserved here so that the memory estimate
// knows it ahead.
template <class T>
size_t grown_capacity(const std::vector<T>& items, size_t more) {
  if (items.size() + more <= items.capacity()) return items.capacity();
  return std::max({items.capacity() * 2, items.size() + more, size_t{64}});
}

template <class T>
void reserve_for(std::vector<T>& items, size_t more) {
  items.reserve(grown_capacity(items, more));
}

template <class T>
size_t growth_bytes(const std::vector<T>& items, size_t more) {
  const size_t capacity = grown_capacity(items, more);
  return capacity == items.capacity() ? 0 : capacity * sizeof(T);
}

// The graph keeps no states: a state is a number (its breadth-first
// discovery order), its fingerprint in a table to number successors, a
// parent link of about two bytes (trace_links.h), one bit for each
// liveness property's Q and P, and its steps (8 bytes each). The states
// of a lasso are rebuilt by re-executing the model from an initial state,
// as the safety search rebuilds its traces. Only the breadth-first queue
// holds whole states.
template <Model M>
  requires HasLiveness<M>
class LivenessChecker {
 public:
  using State = typename M::State;
  using Action = typename M::Action;
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  static constexpr uint32_t kUnfair = std::numeric_limits<uint32_t>::max();

  LivenessChecker(const M& model, const SearchOptions& options)
      : model_(model), options_(options), properties_(model.liveness_properties()), budget_(options.memory_limit_bytes) {
    if (properties_.size() > 32) throw std::invalid_argument("liveness: more than 32 properties");
    truth_bytes_ = (2 * properties_.size() + 7) / 8;
  }

  CheckResult run() {
    start_ = Clock::now();
    last_progress_ = start_;
    CheckResult result;
    result.search.mode = "liveness";
    result.fairness = model_.fairness();
    for (const auto& property : properties_) result.liveness.push_back(property.name);
    if (!build_graph(result)) {
      result.stopped_phase = "liveness graph";
      result.unchecked = result.liveness;
    } else {
      for (size_t p = 0; p < properties_.size(); ++p) {
        if (!analysis_fits() || options_.stop_requested()) {
          result.outcome = options_.stop_requested() ? Outcome::kInterrupted : Outcome::kMemoryExhausted;
          result.stopped_phase = "liveness analysis";
          result.unchecked.assign(result.liveness.begin() + static_cast<std::ptrdiff_t>(p), result.liveness.end());
          break;
        }
        if (check(p, result)) break;
      }
    }
    const double seconds = elapsed_seconds();
    result.stats.distinct_states = count_;
    result.stats.depth = depth_;
    result.stats.queue = queue_.size();
    result.stats.seconds = seconds;
    result.stats.states_per_second = seconds > 0 ? static_cast<double>(count_) / seconds : 0;
    result.stats.peak_memory_bytes = peak_memory_bytes();
    result.stats.visited_bytes = graph_bytes();
    result.stats.bytes_per_state = count_ > 0 ? static_cast<double>(graph_bytes()) / static_cast<double>(count_) : 0;
    result.liveness_graph = LivenessGraphStats{count_, edges_.size(), graph_bytes(), seconds};
    return result;
  }

 private:
  using Clock = std::chrono::steady_clock;

  struct Edge {
    uint32_t to;
    uint32_t fair;  // the class's number (fair_classes_), or kUnfair
  };

  // A step of a lasso: into `state`, by successor `ordinal` of the state
  // before, or (ordinal kNone) by its first successor that is `state` and
  // of class `fair`.
  struct Step {
    uint32_t state;
    uint32_t ordinal;
    uint32_t fair;
  };

  bool goal(uint32_t s, size_t p) const { return truths_[s * truth_bytes_ + 2 * p / 8] >> (2 * p % 8) & 1; }
  bool premise(uint32_t s, size_t p) const {
    return truths_[s * truth_bytes_ + (2 * p + 1) / 8] >> ((2 * p + 1) % 8) & 1;
  }

  uint64_t fingerprint_of(const State& state) const { return FingerprintTable::normalize(model_.fingerprint(state)); }

  uint32_t fair_number(const Action& action) {
    const std::optional<uint64_t> fair = model_.fair_class(action);
    if (!fair) return kUnfair;
    auto [at, inserted] = fair_numbers_.try_emplace(*fair, static_cast<uint32_t>(fair_numbers_.size()));
    if (inserted) fair_values_.push_back(*fair);
    return at->second;
  }

  uint32_t known_fair_number(const Action& action) const {
    const std::optional<uint64_t> fair = model_.fair_class(action);
    if (!fair) return kUnfair;
    auto at = fair_numbers_.find(*fair);
    return at == fair_numbers_.end() ? kUnfair - 1 : at->second;
  }

  size_t graph_bytes() const {
    return numbers_.bytes() + links_.bytes() + edges_.capacity() * sizeof(Edge) +
           offsets_.capacity() * sizeof(uint64_t) + truths_.capacity();
  }

  // Whether the graph may grow by `more` states and steps and stay within
  // the memory limit: the bytes held now (estimated, or the resident set
  // when that is larger: the queue's states hold heap memory of their
  // own), plus what the growth would allocate.
  bool graph_fits(size_t more) {
    const uint64_t growth = numbers_.growth_bytes(more) + growth_bytes(edges_, more) + growth_bytes(offsets_, 1) +
                            growth_bytes(truths_, more * truth_bytes_) + 4 * more + more * sizeof(State);
    return budget_.allows(graph_bytes() + queue_.size() * sizeof(State), growth);
  }

  // Whether one property's analysis (its components, the reverse steps
  // among its not-Q states, the searches) fits, with everything it
  // allocates counted at its largest.
  bool analysis_fits() {
    const uint64_t n = count_;
    const uint64_t per_state = 4 /*component*/ + 4 /*index*/ + 4 /*low link*/ + 4 /*stack*/ +
                               sizeof(uint32_t) + sizeof(uint64_t) /*call frame*/ + 4 /*flags*/ +
                               sizeof(uint64_t) /*reverse offsets*/ + 4 /*queue*/;
    const uint64_t needed = n * per_state + edges_.size() * sizeof(uint32_t);
    return budget_.allows(graph_bytes(), needed);
  }

  // Stores the state if it is new; its number.
  uint32_t add(State state, uint32_t ordinal) {
    auto [number, inserted] = numbers_.find_or_insert(fingerprint_of(state), count_);
    if (!inserted) return number;
    ++count_;
    links_.add_state(ordinal);
    reserve_for(truths_, truth_bytes_);
    const size_t at = truths_.size();
    truths_.resize(at + truth_bytes_, 0);
    for (size_t p = 0; p < properties_.size(); ++p) {
      if (properties_[p].goal(state)) truths_[at + 2 * p / 8] |= static_cast<uint8_t>(1u << (2 * p % 8));
      if (properties_[p].premise && properties_[p].premise(state)) {
        truths_[at + (2 * p + 1) / 8] |= static_cast<uint8_t>(1u << ((2 * p + 1) % 8));
      }
    }
    queue_.push_back(std::move(state));
    return number;
  }

  // Every reachable state within the bounds, with its steps (stutters and
  // successors outside the bounds left out); false past --max-states or
  // the memory limit.
  bool build_graph(CheckResult& result) {
    std::vector<State> initial = model_.initial_states();
    result.stats.total_states += initial.size();
    for (uint32_t i = 0; i < initial.size(); ++i) {
      if (!model_.within_bounds(initial[i])) continue;
      if (!graph_fits(1)) {
        result.outcome = Outcome::kMemoryExhausted;
        return false;
      }
      initial_.push_back(add(std::move(initial[i]), i));
    }
    links_.seal_roots();
    offsets_.push_back(0);
    depth_ = count_ > 0 ? 1 : 0;
    uint32_t level_end = count_;
    std::vector<Successor<Action, State>> successors;
    for (uint32_t s = 0; s < count_; ++s) {
      if (options_.max_states > 0 && count_ > options_.max_states) {
        result.outcome = Outcome::kBoundExhausted;
        return false;
      }
      if (options_.stop_requested()) {
        result.outcome = Outcome::kInterrupted;
        return false;
      }
      if (s == level_end) {
        level_end = count_;
        ++depth_;
      }
      State state = std::move(queue_.front());
      queue_.pop_front();
      successors.clear();
      model_.successors(state, successors);
      if (!graph_fits(successors.size())) {
        queue_.push_front(std::move(state));
        result.outcome = Outcome::kMemoryExhausted;
        return false;
      }
      if (count_ + successors.size() >= kNone) {
        queue_.push_front(std::move(state));
        result.outcome = Outcome::kBoundExhausted;
        return false;
      }
      result.stats.total_states += successors.size();
      reserve_for(edges_, successors.size());
      reserve_for(offsets_, 1);
      uint64_t children = 0;
      for (uint32_t o = 0; o < successors.size(); ++o) {
        auto& successor = successors[o];
        if (!model_.within_bounds(successor.state)) continue;
        if constexpr (std::equality_comparable<State>) {
          if (successor.state == state) continue;
        }
        const uint32_t fair = fair_number(successor.action);
        const uint32_t before = count_;
        const uint32_t to = add(std::move(successor.state), o);
        children += count_ - before;
        if (to != s) edges_.push_back({to, fair});
      }
      links_.add_explored(children);
      offsets_.push_back(edges_.size());
      report_progress_if_due();
    }
    return true;
  }

  void report_progress_if_due() {
    if (!options_.progress) return;
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_progress_).count() < options_.progress_seconds) return;
    last_progress_ = now;
    std::fprintf(stderr, "progress: liveness graph: %llu states, %llu steps, queue %llu, depth %d, %.1f s\n",
                 static_cast<unsigned long long>(count_), static_cast<unsigned long long>(edges_.size()),
                 static_cast<unsigned long long>(queue_.size()), depth_, elapsed_seconds());
  }

  double elapsed_seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  std::span<const Edge> edges_of(uint32_t s) const {
    return {edges_.data() + offsets_[s], edges_.data() + offsets_[s + 1]};
  }

  // The fair classes with a step from `s`, sorted.
  std::vector<uint32_t> enabled_classes(uint32_t s) const {
    std::vector<uint32_t> classes;
    for (const Edge& edge : edges_of(s)) {
      if (edge.fair != kUnfair) classes.push_back(edge.fair);
    }
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    return classes;
  }

  bool enables(uint32_t s, uint32_t fair) const {
    for (const Edge& edge : edges_of(s)) {
      if (edge.fair == fair) return true;
    }
    return false;
  }

  // The strongly connected components of the steps among the states
  // `outside` admits (Tarjan's algorithm, iterative); kNone for the
  // others.
  template <class Outside>
  std::vector<uint32_t> components_of(Outside outside) const {
    const uint32_t n = count_;
    std::vector<uint32_t> component(n, kNone);
    std::vector<uint32_t> index(n, kNone);
    std::vector<uint32_t> low(n, 0);
    std::vector<uint32_t> stack;
    struct Frame {
      uint32_t state;
      uint64_t next_edge;
    };
    std::vector<Frame> calls;
    uint32_t counter = 0;
    uint32_t components = 0;
    auto open = [&](uint32_t s) {
      index[s] = low[s] = counter++;
      stack.push_back(s);
      calls.push_back({s, offsets_[s]});
    };
    for (uint32_t root = 0; root < n; ++root) {
      if (!outside(root) || index[root] != kNone) continue;
      open(root);
      while (!calls.empty()) {
        const uint32_t v = calls.back().state;
        if (calls.back().next_edge < offsets_[v + 1]) {
          const uint32_t w = edges_[calls.back().next_edge++].to;
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

  // Whether `property` fails; if so, its lasso goes into `result`.
  bool check(size_t p, CheckResult& result) {
    const LivenessProperty<State>& property = properties_[p];
    const uint32_t n = count_;
    auto outside = [&](uint32_t s) { return !goal(s, p); };  // not Q: where a violating behaviour stays
    const std::vector<uint32_t> component = components_of(outside);

    // Which components can hold a fair behaviour forever (`fair_end`): one
    // with a loop that takes every class enabled throughout it, or a state
    // to stutter in with no fair class enabled.
    struct Summary {  // of a component of more than one state
      bool seen = false;
      std::vector<uint32_t> always_enabled;
      std::vector<uint32_t> taken;
    };
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
      std::vector<uint32_t> here = enabled_classes(s);
      if (!summary.seen) {
        summary.always_enabled = here;
        summary.seen = true;
      } else {
        std::vector<uint32_t> both;
        std::set_intersection(summary.always_enabled.begin(), summary.always_enabled.end(), here.begin(), here.end(),
                              std::back_inserter(both));
        summary.always_enabled = std::move(both);
      }
      for (const Edge& edge : edges_of(s)) {
        if (edge.fair != kUnfair && component[edge.to] == component[s]) summary.taken.push_back(edge.fair);
      }
    }
    std::vector<uint8_t> flags(n, 0);  // kFairEnd, kStutters, kDoomed
    constexpr uint8_t kFairEnd = 1, kStutters = 2, kDoomed = 4;
    for (auto& [id, summary] : summaries) {
      std::sort(summary.taken.begin(), summary.taken.end());
      summary.taken.erase(std::unique(summary.taken.begin(), summary.taken.end()), summary.taken.end());
    }
    for (uint32_t s = 0; s < n; ++s) {
      if (component[s] == kNone) continue;
      auto at = summaries.find(component[s]);
      if (at != summaries.end() && std::includes(at->second.taken.begin(), at->second.taken.end(),
                                                 at->second.always_enabled.begin(), at->second.always_enabled.end())) {
        flags[s] |= kFairEnd;
      } else if (enabled_classes(s).empty()) {
        flags[s] |= kFairEnd | kStutters;
      }
    }
    summaries.clear();

    // The not-Q states from which a not-Q path reaches a fair end: a
    // breadth-first search back along the steps among not-Q states.
    {
      std::vector<uint64_t> reverse_offsets(static_cast<size_t>(n) + 1, 0);
      for (uint32_t s = 0; s < n; ++s) {
        if (!outside(s)) continue;
        for (const Edge& edge : edges_of(s)) {
          if (outside(edge.to)) ++reverse_offsets[edge.to + 1];
        }
      }
      for (uint32_t s = 0; s < n; ++s) reverse_offsets[s + 1] += reverse_offsets[s];
      std::vector<uint32_t> sources(reverse_offsets[n]);
      {
        std::vector<uint64_t> fill(reverse_offsets.begin(), reverse_offsets.end() - 1);
        for (uint32_t s = 0; s < n; ++s) {
          if (!outside(s)) continue;
          for (const Edge& edge : edges_of(s)) {
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

    // The nearest start: an initial state (<>Q) or a reachable P state
    // (P ~> Q) that is doomed. States are numbered breadth first, so the
    // least number is the nearest.
    uint32_t start = kNone;
    if (!property.premise) {
      for (uint32_t s : initial_) {
        if ((flags[s] & kDoomed) && (start == kNone || s < start)) start = s;
      }
    } else {
      for (uint32_t s = 0; s < n && start == kNone; ++s) {
        if ((flags[s] & kDoomed) && premise(s, p)) start = s;
      }
    }
    if (start == kNone) return false;

    // Prefix: the breadth-first path to the start, then a not-Q path on to
    // the nearest fair end.
    std::vector<Step> steps;
    uint32_t root = start;
    for (; !links_.is_root(root); root = static_cast<uint32_t>(links_.parent(root))) {
      steps.push_back({root, static_cast<uint32_t>(links_.ordinal(root)), kNone});
    }
    std::reverse(steps.begin(), steps.end());
    std::vector<Step> onward = path(start, [&](uint32_t s) { return (flags[s] & kFairEnd) != 0; }, outside);
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
    return true;
  }

  // A shortest path from `from` to a state meeting `target`, through
  // states meeting `allowed`.
  template <class Target, class Allowed>
  std::vector<Step> path(uint32_t from, Target target, Allowed allowed, bool at_least_one_step = false) const {
    if (!at_least_one_step && target(from)) return {};
    std::unordered_map<uint32_t, std::pair<uint32_t, uint32_t>> came_from;  // state -> (previous, class)
    std::deque<uint32_t> queue{from};
    while (!queue.empty()) {
      const uint32_t s = queue.front();
      queue.pop_front();
      for (const Edge& edge : edges_of(s)) {
        if (!allowed(edge.to) || came_from.count(edge.to) || (edge.to == from && !at_least_one_step)) continue;
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
    for (uint32_t s = 0; s < count_; ++s) {
      if (!in_component(s)) continue;
      for (const Edge& edge : edges_of(s)) {
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
        if (!taken.count(fair) && !enables(s, fair)) met.insert(fair);
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
    std::sort(pending.begin(), pending.end(), [&](uint32_t a, uint32_t b) { return fair_values_[a] < fair_values_[b]; });
    for (uint32_t fair : pending) {
      if (met.count(fair)) continue;
      if (taken.count(fair)) {
        // Go to a state with a step of this class inside the component, and take it.
        auto has_step = [&](uint32_t s) {
          for (const Edge& edge : edges_of(s)) {
            if (edge.fair == fair && in_component(edge.to)) return true;
          }
          return false;
        };
        follow(path(at, has_step, in_component));
        for (const Edge& edge : edges_of(at)) {
          if (edge.fair == fair && in_component(edge.to)) {
            follow({{edge.to, kNone, edge.fair}});
            break;
          }
        }
      } else {
        follow(path(at, [&](uint32_t s) { return !enables(s, fair); }, in_component));
      }
    }
    follow(path(at, [&](uint32_t s) { return s == entry; }, in_component, /*at_least_one_step=*/loop.empty()));
    return loop;
  }

  // Re-executes the lasso from its initial state: each step is the
  // successor the graph's step stands for, found by its number and class.
  std::vector<TraceStep> render(uint32_t root, const std::vector<Step>& steps) const {
    std::vector<State> initial = model_.initial_states();
    State current = std::move(initial.at(links_.ordinal(root)));
    std::vector<TraceStep> trace;
    trace.push_back({"", model_.state_json(current)});
    std::vector<Successor<Action, State>> successors;
    for (const Step& step : steps) {
      successors.clear();
      model_.successors(current, successors);
      uint32_t ordinal = step.ordinal;
      if (ordinal == kNone) {
        for (uint32_t o = 0; o < successors.size() && ordinal == kNone; ++o) {
          const auto& successor = successors[o];
          if (!model_.within_bounds(successor.state)) continue;
          if (numbers_.find(fingerprint_of(successor.state)) == step.state &&
              known_fair_number(successor.action) == step.fair) {
            ordinal = o;
          }
        }
        if (ordinal == kNone) {
          throw std::logic_error("liveness: a lasso's step is not among the successors (a nondeterministic model?)");
        }
      }
      Successor<Action, State>& successor = successors.at(ordinal);
      trace.push_back({model_.action_label(successor.action), model_.state_json(successor.state)});
      current = std::move(successor.state);
    }
    return trace;
  }

  const M& model_;
  SearchOptions options_;
  std::vector<LivenessProperty<State>> properties_;
  size_t truth_bytes_ = 1;  // per state: bit 2p, property p's Q; bit 2p + 1, its P
  StateNumbers numbers_;
  TraceLinks links_;
  std::vector<uint8_t> truths_;
  std::vector<uint64_t> offsets_;  // state s's steps are edges_[offsets_[s], offsets_[s + 1])
  std::vector<Edge> edges_;
  std::unordered_map<uint64_t, uint32_t> fair_numbers_;
  std::vector<uint64_t> fair_values_;  // by number
  std::deque<State> queue_;  // discovered, not yet explored
  std::vector<uint32_t> initial_;
  uint32_t count_ = 0;
  int depth_ = 0;
  // Started when the phase starts: the memory the safety search freed is
  // given back first, so that the limit is measured from what this phase
  // holds.
  MemoryBudget budget_;
  Clock::time_point start_;
  Clock::time_point last_progress_;
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
