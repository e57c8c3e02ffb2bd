// The explicit graph of a model's reachable states within its bounds, as
// the liveness check (liveness.h) analyses it: states as numbers, each
// with its steps and the fair class of each step.
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <limits>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model_check/common_options.h"
#include "model_check/fingerprint_table.h"
#include "model_check/liveness_property.h"
#include "model_check/memory.h"
#include "model_check/model.h"
#include "model_check/result.h"
#include "model_check/trace_links.h"

namespace crosscheck::mc::detail {

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

  size_t bytes() const {
    return keys_.capacity() * sizeof(uint64_t) + numbers_.capacity() * sizeof(uint32_t);
  }
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
  bool needs_growth(size_t more) const {
    return keys_.empty() || (size_ + more) * 4 > keys_.size() * 3;
  }

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
class LivenessGraph {
 public:
  using State = typename M::State;
  using Action = typename M::Action;
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  static constexpr uint32_t kUnfair = std::numeric_limits<uint32_t>::max();

  struct Edge {
    uint32_t to;
    uint32_t fair;  // the class's number (fair_value), or kUnfair
  };

  // `budget` is the phase's memory limit, which the graph shares with the
  // analysis of it.
  LivenessGraph(const M& model, const CommonOptions& options,
                const std::vector<LivenessProperty<State>>& properties, MemoryBudget& budget)
      : model_(model),
        options_(options),
        properties_(properties),
        truth_bytes_((2 * properties.size() + 7) / 8),
        budget_(budget) {}

  // Every reachable state within the bounds, with its steps (stutters and
  // successors outside the bounds left out); false, with the outcome in
  // `result`, past max_states or the memory limit, or at a stop request.
  bool build(CheckResult& result) {
    start_ = Clock::now();
    last_progress_ = start_;
    if (!add_initial_states(result)) return false;
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
      if (!explore_next(s, successors, result)) return false;
      report_progress_if_due();
    }
    return true;
  }

  uint32_t states() const { return count_; }
  size_t steps() const { return edges_.size(); }
  int depth() const { return depth_; }
  size_t queued() const { return queue_.size(); }
  const std::vector<uint32_t>& initial() const { return initial_; }
  const TraceLinks& links() const { return links_; }

  size_t bytes() const {
    return numbers_.bytes() + links_.bytes() + edges_.capacity() * sizeof(Edge) +
           offsets_.capacity() * sizeof(uint64_t) + truths_.capacity();
  }

  // Whether property p's Q, or its P, holds in state s.
  bool goal(uint32_t s, size_t p) const {
    return truths_[s * truth_bytes_ + 2 * p / 8] >> (2 * p % 8) & 1;
  }
  bool premise(uint32_t s, size_t p) const {
    return truths_[s * truth_bytes_ + (2 * p + 1) / 8] >> ((2 * p + 1) % 8) & 1;
  }

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

  // The model's value of the class numbered `fair`.
  uint64_t fair_value(uint32_t fair) const { return fair_values_[fair]; }

  // The number of a state of the graph, or StateNumbers::kAbsent.
  uint32_t number_of(const State& state) const { return numbers_.find(fingerprint_of(state)); }

  // The number of the action's class, kUnfair for an action of none, or
  // kUnfair - 1 for a class no step of the graph has.
  uint32_t known_fair_number(const Action& action) const {
    const std::optional<uint64_t> fair = model_.fair_class(action);
    if (!fair) return kUnfair;
    auto at = fair_numbers_.find(*fair);
    return at == fair_numbers_.end() ? kUnfair - 1 : at->second;
  }

 private:
  using Clock = std::chrono::steady_clock;

  uint64_t fingerprint_of(const State& state) const {
    return FingerprintTable::normalize(model_.fingerprint(state));
  }

  uint32_t fair_number(const Action& action) {
    const std::optional<uint64_t> fair = model_.fair_class(action);
    if (!fair) return kUnfair;
    auto [at, inserted] =
        fair_numbers_.try_emplace(*fair, static_cast<uint32_t>(fair_numbers_.size()));
    if (inserted) fair_values_.push_back(*fair);
    return at->second;
  }

  // Whether the graph may grow by `more` states and steps and stay within
  // the memory limit: the bytes held now (estimated, or the resident set
  // when that is larger: the queue's states hold heap memory of their
  // own), plus what the growth would allocate.
  bool graph_fits(size_t more) {
    const uint64_t growth = numbers_.growth_bytes(more) + growth_bytes(edges_, more) +
                            growth_bytes(offsets_, 1) + growth_bytes(truths_, more * truth_bytes_) +
                            4 * more + more * sizeof(State);
    return budget_.allows(bytes() + queue_.size() * sizeof(State), growth);
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
      if (properties_[p].goal(state)) {
        truths_[at + 2 * p / 8] |= static_cast<uint8_t>(1u << (2 * p % 8));
      }
      if (properties_[p].premise && properties_[p].premise(state)) {
        truths_[at + (2 * p + 1) / 8] |= static_cast<uint8_t>(1u << ((2 * p + 1) % 8));
      }
    }
    queue_.push_back(std::move(state));
    return number;
  }

  bool add_initial_states(CheckResult& result) {
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
    return true;
  }

  // Takes state `s` off the queue and adds its steps; false, with the
  // outcome in `result`, where that would pass a limit.
  bool explore_next(uint32_t s, std::vector<Successor<Action, State>>& successors,
                    CheckResult& result) {
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
    return true;
  }

  void report_progress_if_due() {
    if (!options_.progress) return;
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_progress_).count() < options_.progress_seconds) {
      return;
    }
    last_progress_ = now;
    std::fprintf(
        stderr, "progress: liveness graph: %llu states, %llu steps, queue %llu, depth %d, %.1f s\n",
        static_cast<unsigned long long>(count_), static_cast<unsigned long long>(edges_.size()),
        static_cast<unsigned long long>(queue_.size()), depth_,
        std::chrono::duration<double>(now - start_).count());
  }

  const M& model_;
  const CommonOptions& options_;
  const std::vector<LivenessProperty<State>>& properties_;
  size_t truth_bytes_;  // per state: bit 2p, property p's Q; bit 2p + 1, its P
  MemoryBudget& budget_;
  StateNumbers numbers_;
  TraceLinks links_;
  std::vector<uint8_t> truths_;
  std::vector<uint64_t> offsets_;  // state s's steps are edges_[offsets_[s], offsets_[s + 1])
  std::vector<Edge> edges_;
  std::unordered_map<uint64_t, uint32_t> fair_numbers_;
  std::vector<uint64_t> fair_values_;  // by number
  std::deque<State> queue_;            // discovered, not yet explored
  std::vector<uint32_t> initial_;
  uint32_t count_ = 0;
  int depth_ = 0;
  Clock::time_point start_;
  Clock::time_point last_progress_;
};

}  // namespace crosscheck::mc::detail
