// Breadth-first search with sleep sets (Godefroid, "Partial-Order Methods
// for the Verification of Concurrent Systems", 1996, chapter 5): a
// partial-order reduction that explores fewer steps and every state.
//
// Where two steps commute (model.h's StepFootprint: they touch disjoint
// nodes), exploring both orders of them reaches one state twice. A state's
// sleep set holds steps already explored from an earlier point whose
// every continuation through this state is reached another way: after a
// state explores step a, each later sibling b's successor inherits a when
// a and b commute (and so does everything asleep in the state that commutes
// with b), and never takes it. Sleep sets prune steps, not states: every
// state reachable within the bounds is stored and its invariants checked,
// so the verdict on invariants and goals is the plain search's. A step
// property is checked on every step explored; a pruned step, a from s·b,
// is the twin of a from s, which was checked, and the two agree for a
// property that judges a step of one node by what that node and the step's
// messages hold (steps of other nodes change neither).
//
// With state caching, a state met again after it was explored with a
// sleep set holding steps its new arrival does not is explored again, for
// those steps only (Godefroid's algorithm 5.2); its sleep set becomes the
// intersection. Arrivals met before the state is explored only shrink
// its sleep set. Levels are taken in order, so each state is stored at the
// depth it is first reached; a violation's trace follows the parent links
// of first arrivals, replayed through the model.
//
// On one thread, without symmetry, checkpoints or liveness.
#pragma once

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model_check/common_options.h"
#include "model_check/fingerprint_table.h"
#include "model_check/memory.h"
#include "model_check/model.h"
#include "model_check/property_set.h"
#include "model_check/result.h"

namespace crosscheck::mc {

struct SleepSetOptions : CommonOptions {
  int max_depth = 0;  // do not explore past this depth (TLC's convention); 0: no limit
};

namespace detail {

// Steps by footprint id, sorted, each once.
using SleepSet = std::vector<StepFootprint>;

inline bool sleep_set_holds(const SleepSet& set, uint64_t id) {
  auto at = std::lower_bound(set.begin(), set.end(), id,
                             [](const StepFootprint& step, uint64_t key) { return step.id < key; });
  return at != set.end() && at->id == id;
}

inline void sleep_set_add(SleepSet& set, const StepFootprint& step) {
  auto at =
      std::lower_bound(set.begin(), set.end(), step.id,
                       [](const StepFootprint& entry, uint64_t key) { return entry.id < key; });
  if (at == set.end() || at->id != step.id) set.insert(at, step);
}

inline SleepSet sleep_set_intersection(const SleepSet& a, const SleepSet& b) {
  SleepSet both;
  for (const StepFootprint& step : a) {
    if (sleep_set_holds(b, step.id)) both.push_back(step);
  }
  return both;
}

inline SleepSet sleep_set_difference(const SleepSet& a, const SleepSet& b) {
  SleepSet only;
  for (const StepFootprint& step : a) {
    if (!sleep_set_holds(b, step.id)) only.push_back(step);
  }
  return only;
}

// The stored states: an open-addressed table of fingerprints, each with
// its parent, depth and sleep set (an index into a pool of sets, 0 for the
// empty set, which most states end with).
class VisitTable {
 public:
  struct Visit {
    uint64_t fingerprint = 0;  // 0: a free slot (fingerprints are 2 and above)
    uint64_t parent = 0;       // the state it was first reached from; 0 for an initial state
    int32_t depth = 0;
    uint32_t asleep = 0;
    bool explored = false;
  };

  VisitTable() : slots_(kInitialSlots), sets_(1) {}

  Visit* find(uint64_t fingerprint) {
    for (size_t i = home(fingerprint);; i = (i + 1) & mask()) {
      if (slots_[i].fingerprint == fingerprint) return &slots_[i];
      if (slots_[i].fingerprint == 0) return nullptr;
    }
  }
  void prefetch(uint64_t fingerprint) const { __builtin_prefetch(&slots_[home(fingerprint)]); }
  const Visit& at(uint64_t fingerprint) const {
    for (size_t i = home(fingerprint);; i = (i + 1) & mask()) {
      if (slots_[i].fingerprint == fingerprint) return slots_[i];
    }
  }

  // Stores a fingerprint not yet stored; references into the table are
  // void after it.
  Visit& insert(uint64_t fingerprint) {
    if (4 * (size_ + 1) > 3 * slots_.size()) grow();
    ++size_;
    return place(fingerprint);
  }

  const SleepSet& asleep(const Visit& visit) const { return sets_[visit.asleep]; }
  void set_asleep(Visit& visit, SleepSet asleep) {
    if (visit.asleep != 0) entries_ -= sets_[visit.asleep].size();
    entries_ += asleep.size();
    if (asleep.empty()) {
      if (visit.asleep != 0) {
        sets_[visit.asleep] = {};
        free_.push_back(visit.asleep);
        visit.asleep = 0;
      }
      return;
    }
    if (visit.asleep == 0) {
      if (free_.empty()) {
        visit.asleep = static_cast<uint32_t>(sets_.size());
        sets_.emplace_back();
      } else {
        visit.asleep = free_.back();
        free_.pop_back();
      }
    }
    sets_[visit.asleep] = std::move(asleep);
  }

  size_t size() const { return size_; }
  // The slots, and the sleep sets held (their entries, not their spare room).
  uint64_t bytes() const {
    return slots_.capacity() * sizeof(Visit) + sets_.capacity() * sizeof(SleepSet) +
           entries_ * sizeof(StepFootprint);
  }
  // What the next insert may allocate.
  uint64_t growth_bytes() const {
    return 4 * (size_ + 1) > 3 * slots_.size() ? 2 * slots_.size() * sizeof(Visit) : 0;
  }

 private:
  static constexpr size_t kInitialSlots = 1024;
  size_t mask() const { return slots_.size() - 1; }
  // The high bits of a multiplicative hash: a model's fingerprints need
  // not be uniform in their low bits.
  size_t home(uint64_t fingerprint) const {
    return static_cast<size_t>((fingerprint * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  Visit& place(uint64_t fingerprint) {
    size_t i = home(fingerprint);
    while (slots_[i].fingerprint != 0) i = (i + 1) & mask();
    slots_[i] = Visit{};
    slots_[i].fingerprint = fingerprint;
    return slots_[i];
  }

  void grow() {
    std::vector<Visit> old(2 * slots_.size());
    old.swap(slots_);
    --shift_;
    for (const Visit& visit : old) {
      if (visit.fingerprint != 0) place(visit.fingerprint) = visit;
    }
  }

  std::vector<Visit> slots_;
  int shift_ = 64 - std::countr_zero(kInitialSlots);
  size_t size_ = 0;
  std::vector<SleepSet> sets_;
  std::vector<uint32_t> free_;
  uint64_t entries_ = 0;  // steps in all sleep sets held
};

template <Model M>
requires HasCommutingSteps<M>
class SleepSetSearch {
 public:
  using State = typename M::State;
  using Action = typename M::Action;

  SleepSetSearch(const M& model, const SleepSetOptions& options)
      : model_(model), options_(options), properties_(model), budget_(options.memory_limit_bytes) {
    properties_.describe(result_);
    result_.search.mode = "bfs";
    result_.search.sleep_sets = true;
  }

  CheckResult run() {
    start_ = Clock::now();
    progress_.start();
    std::vector<State> initial = model_.initial_states();
    result_.stats.total_states += initial.size();
    for (State& state : initial) {
      if (!model_.within_bounds(state)) continue;
      const uint64_t fingerprint = fingerprint_of(state);
      if (!arrive(std::move(state), fingerprint, {}, kNoParent, 1)) return finish();
    }
    while (!next_.empty()) {
      current_.swap(next_);
      next_.clear();
      for (Pending& pending : current_) {
        if (!explore(pending)) return finish();
        report_progress_if_due();
      }
    }
    current_.clear();
    return finish();
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr uint64_t kNoParent = 0;  // fingerprints are normalized to 2 and above

  // A state to explore: for the first time, or again for `only` the steps
  // its new arrival (with sleep set `arrival`) did not have asleep.
  struct Pending {
    State state;
    uint64_t fingerprint;
    bool again = false;
    SleepSet arrival;
    SleepSet only;
  };

  uint64_t fingerprint_of(const State& state) const {
    return FingerprintTable::normalize(model_.fingerprint(state));
  }

  bool explore(Pending& pending) {
    if (options_.stop_requested()) {
      result_.outcome = Outcome::kInterrupted;
      return false;
    }
    // Used before arrive(), which may move the table.
    VisitTable::Visit& visit = *visited_.find(pending.fingerprint);
    const int depth = visit.depth;
    SleepSet asleep;
    if (pending.again) {
      asleep = std::move(pending.arrival);
      ++result_.search.explored_again;
    } else {
      visit.explored = true;
      asleep = visited_.asleep(visit);
    }
    filter_ids_.clear();
    for (const StepFootprint& step : pending.again ? pending.only : asleep) {
      filter_ids_.push_back(step.id);
    }
    successors_.clear();
    model_.successors(pending.state, successors_, StepFilter{filter_ids_, pending.again});
    result_.stats.total_states += successors_.size();
    if (!pending.again) result_.search.pruned_steps += asleep.size();
    if (properties_.check_deadlock() && successors_.empty() && asleep.empty() && !pending.again) {
      return violation("Deadlock", "deadlock", trace_to(pending.fingerprint));
    }
    // The successors' slots are fetched while the first are handled.
    fingerprints_.clear();
    for (const auto& successor : successors_) {
      fingerprints_.push_back(fingerprint_of(successor.state));
      visited_.prefetch(fingerprints_.back());
    }
    for (size_t s = 0; s < successors_.size(); ++s) {
      auto& [action, next] = successors_[s];
      const std::optional<StepFootprint> step = model_.footprint(action);
      if (!model_.within_bounds(next)) continue;
      if (uint32_t i = properties_.first_violated_step(pending.state, action, next);
          i != PropertySet<M>::kNone) {
        auto trace = trace_to(pending.fingerprint);
        // As the plain search reports it: a state that breaks an invariant
        // before the step that reached it.
        if (uint32_t j = properties_.first_violated_invariant(next); j != PropertySet<M>::kNone) {
          trace.push_back({model_.action_label(action), model_.state_json(next)});
          return violation(properties_.properties()[j].name, "always", std::move(trace));
        }
        trace.push_back({model_.action_label(action), model_.state_json(next)});
        result_.why = explain_step(properties_.steps()[i], pending.state, action, next);
        return violation(properties_.steps()[i].name, "step", std::move(trace));
      }
      SleepSet inherited;
      if (step) {
        for (const StepFootprint& other : asleep) {
          if (other.commutes_with(*step)) inherited.push_back(other);
        }
      }
      if (options_.max_depth > 0 && depth + 1 > options_.max_depth) {
        if (visited_.find(fingerprints_[s]) == nullptr) depth_bound_hit_ = true;
      } else if (!arrive(std::move(next), fingerprints_[s], std::move(inherited),
                         pending.fingerprint, depth + 1)) {
        return false;
      }
      if (step) sleep_set_add(asleep, *step);
    }
    return true;
  }

  // A state reached with sleep set `asleep`: stored and checked if new,
  // its sleep set narrowed if not yet explored, explored again for the
  // steps it had asleep and the arrival has not, if it was.
  bool arrive(State state, uint64_t fingerprint, SleepSet asleep, uint64_t parent, int depth) {
    VisitTable::Visit* found = visited_.find(fingerprint);
    if (found == nullptr) {
      if (!budget_.allows(held_bytes(), growth_bytes())) {
        result_.outcome = Outcome::kMemoryExhausted;
        return false;
      }
      VisitTable::Visit& visit = visited_.insert(fingerprint);
      visit.parent = parent;
      visit.depth = depth;
      visited_.set_asleep(visit, std::move(asleep));
      ++result_.stats.distinct_states;
      result_.stats.depth = std::max(result_.stats.depth, depth);
      if (!check_new_state(state, fingerprint, depth)) return false;
      next_.push_back({std::move(state), fingerprint, false, {}, {}});
      return true;
    }
    VisitTable::Visit& visit = *found;
    if (visit.asleep == 0) return true;  // nothing asleep: nothing to narrow or explore again
    if (!visit.explored) {
      visited_.set_asleep(visit, sleep_set_intersection(visited_.asleep(visit), asleep));
      return true;
    }
    SleepSet only = sleep_set_difference(visited_.asleep(visit), asleep);
    if (only.empty()) return true;
    visited_.set_asleep(visit, sleep_set_intersection(visited_.asleep(visit), asleep));
    next_.push_back({std::move(state), fingerprint, true, std::move(asleep), std::move(only)});
    return true;
  }

  bool check_new_state(const State& state, uint64_t fingerprint, int depth) {
    if (uint32_t i = properties_.first_violated_invariant(state); i != PropertySet<M>::kNone) {
      return violation(properties_.properties()[i].name, "always", trace_to(fingerprint));
    }
    const uint64_t holds = properties_.goals_of(state);
    for (size_t g = 0; g < properties_.goal_count(); ++g) {
      GoalStatus& status = result_.goals[g];
      if ((holds >> g & 1) && !status.reached) status = {status.name, true, depth};
    }
    if (options_.max_states > 0 && result_.stats.distinct_states >= options_.max_states) {
      result_.outcome = Outcome::kBoundExhausted;
      return false;
    }
    return true;
  }

  // The first-arrival path to a stored state, replayed from its initial
  // state: at each step, the successor with the next fingerprint.
  std::vector<TraceStep> trace_to(uint64_t fingerprint) const {
    std::vector<uint64_t> path;
    for (uint64_t at = fingerprint; at != kNoParent; at = visited_.at(at).parent) {
      path.push_back(at);
    }
    std::reverse(path.begin(), path.end());
    std::vector<TraceStep> trace;
    std::optional<State> state;
    for (State& initial : model_.initial_states()) {
      if (fingerprint_of(initial) == path.front()) {
        state = std::move(initial);
        break;
      }
    }
    trace.push_back({"", model_.state_json(*state)});
    std::vector<Successor<Action, State>> successors;
    for (size_t i = 1; i < path.size(); ++i) {
      successors.clear();
      model_.successors(*state, successors);
      for (auto& [action, next] : successors) {
        if (fingerprint_of(next) != path[i] || !model_.within_bounds(next)) continue;
        trace.push_back({model_.action_label(action), model_.state_json(next)});
        state = std::move(next);
        break;
      }
    }
    return trace;
  }

  bool violation(const std::string& property, const char* kind, std::vector<TraceStep> trace) {
    return set_violation(result_, property, kind, std::move(trace));
  }

  void report_progress_if_due() {
    const double seconds = progress_.due(options_);
    if (seconds < 0) return;
    std::fprintf(stderr,
                 "progress: %llu distinct states, queue %zu, depth %d, %llu steps pruned, "
                 "%llu states explored again, %.1f s\n",
                 static_cast<unsigned long long>(result_.stats.distinct_states), next_.size(),
                 result_.stats.depth, static_cast<unsigned long long>(result_.search.pruned_steps),
                 static_cast<unsigned long long>(result_.search.explored_again), seconds);
  }

  uint64_t visited_bytes() const { return visited_.bytes(); }

  uint64_t held_bytes() const {
    return visited_bytes() + (current_.capacity() + next_.capacity()) * sizeof(Pending);
  }

  uint64_t growth_bytes() const {
    uint64_t bytes = visited_.growth_bytes() + sizeof(Pending);
    if (next_.size() == next_.capacity())
      bytes += std::max<size_t>(1, next_.capacity()) * sizeof(Pending);
    return bytes;
  }

  CheckResult finish() {
    finish_exhaustive(result_, start_, next_.size() + current_.size(), visited_bytes(),
                      depth_bound_hit_);
    return std::move(result_);
  }

  const M& model_;
  SleepSetOptions options_;
  PropertySet<M> properties_;
  MemoryBudget budget_;
  bool depth_bound_hit_ = false;
  VisitTable visited_;
  std::vector<Pending> current_;
  std::vector<Pending> next_;
  std::vector<Successor<Action, State>> successors_;
  std::vector<uint64_t> filter_ids_;
  std::vector<uint64_t> fingerprints_;  // of successors_  // sorted, as the sleep sets are
  CheckResult result_;
  Clock::time_point start_;
  ProgressClock progress_{1024};
};

}  // namespace detail

// Explores breadth first with sleep sets. The model must say which of its
// steps commute (HasCommutingSteps).
template <Model M>
requires HasCommutingSteps<M> CheckResult sleep_set_search(const M& model,
                                                           const SleepSetOptions& options) {
  return detail::SleepSetSearch<M>(model, options).run();
}

}  // namespace crosscheck::mc
