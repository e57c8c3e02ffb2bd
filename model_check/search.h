// Breadth-first exploration of a model's reachable states, on one thread
// or several, with the same result whatever the thread count.
//
// States are checked when first generated and explored level by level, so
// the first violation found lies at the least depth: its trace is a shortest
// one. The visited set keeps fingerprints and parent links only; a trace is
// rebuilt by re-executing actions from an initial state.
//
// A level is explored in batches, each in three phases:
//  1. (parallel) generate the successors of the batch's states; a successor
//     already in the visited set is only step-checked; any other becomes a
//     candidate, with its invariants and goals evaluated;
//  2. (parallel) insert the candidates, each thread owning the visited-set
//     partitions of some fingerprints; within a partition the candidates are
//     taken in the batch's order, so the first occurrence of a state (and
//     its parent) is the one a single thread would have kept;
//  3. (sequential, cheap) walk the batch in order: count, report the first
//     violation in the order a sequential search would meet it, record goals,
//     apply the state limit, and queue the new states.
// Counts, traces and results are therefore those of the plain sequential
// algorithm, for any number of threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "model_check/fingerprint_table.h"
#include "model_check/memory.h"
#include "model_check/model.h"
#include "model_check/result.h"
#include "model_check/visited_set.h"

namespace crosscheck::mc {

struct SearchOptions {
  uint64_t max_states = 0;  // stop with bound_exhausted past this many distinct states; 0: no limit
  int max_depth = 0;        // do not explore past this depth (TLC's convention); 0: no limit
  int threads = 1;          // worker threads; the result does not depend on it
  bool symmetry = false;    // identify states by their orbit (the model must define canonical())
  bool progress = false;    // a progress line on stderr about every progress_seconds
  double progress_seconds = 2.0;
};

namespace detail {

// Runs body(thread) on `threads` threads, the caller's being thread 0.
inline void run_on_threads(int threads, const std::function<void(int)>& body) {
  if (threads <= 1) {
    body(0);
    return;
  }
  std::vector<std::thread> workers;
  workers.reserve(threads - 1);
  for (int t = 1; t < threads; ++t) workers.emplace_back(body, t);
  body(0);
  for (auto& worker : workers) worker.join();
}

template <Model M>
class BreadthFirstSearch {
 public:
  using State = typename M::State;
  using Action = typename M::Action;

  BreadthFirstSearch(const M& model, const SearchOptions& options, std::function<void(const State&)> on_new_state)
      : model_(model),
        options_(options),
        threads_(std::max(1, options.threads)),
        properties_(model.properties()),
        on_new_state_(std::move(on_new_state)) {
    if constexpr (HasTransitionProperties<M>) transition_properties_ = model.transition_properties();
    if constexpr (HasDeadlockCheck<M>) check_deadlock_ = model.check_deadlock();
    for (size_t i = 0; i < properties_.size(); ++i) {
      if (properties_[i].expectation == Expectation::kAlways) {
        invariant_indices_.push_back(i);
        result_.invariants.push_back(properties_[i].name);
      } else {
        goal_indices_.push_back(i);
        result_.goals.push_back({properties_[i].name, false, 0});
      }
    }
    if constexpr (HasSymmetry<M>) {
      symmetry_ = options.symmetry;
    } else if (options.symmetry) {
      throw std::invalid_argument("--symmetry: this model defines no symmetry");
    }
    if (goal_indices_.size() > 64) throw std::invalid_argument("a model may have at most 64 sometimes goals");
    for (const auto& property : transition_properties_) result_.invariants.push_back(property.name);
  }

  CheckResult run() {
    start_ = Clock::now();
    last_progress_ = start_;
    if (!explore_initial_states()) return finish();
    const size_t batch_size = static_cast<size_t>(threads_) * kStatesPerThreadBatch;
    while (!current_.empty()) {
      for (batch_begin_ = 0; batch_begin_ < current_.size(); batch_begin_ += batch_size) {
        size_t end = std::min(current_.size(), batch_begin_ + batch_size);
        if (!explore_batch(batch_begin_, end)) return finish();
        report_progress_if_due(end);
      }
      batch_begin_ = current_.size();
      current_.clear();
      std::swap(current_, next_);
      if (!current_.empty()) ++result_.stats.depth;
    }
    return finish();
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kStatesPerThreadBatch = 1 << 14;
  static constexpr uint32_t kNoViolation = std::numeric_limits<uint32_t>::max();

  struct Candidate {
    uint64_t fingerprint;
    uint64_t parent;       // the fingerprint of the state it was generated from
    uint32_t position;     // of its parent in the batch
    uint32_t violated;     // index into properties_ of a broken invariant, or kNoViolation
    uint64_t goals;        // bit g: goal g holds in this state
    bool is_new;           // set in phase 2
    State state;
  };

  // What a sequential search would stop at first within one chunk.
  struct StopEvent {
    uint32_t position = kNoViolation;  // in the batch
    uint32_t successor = 0;            // index among the position's successors
    std::string property;
    const char* kind = "";
    std::vector<TraceStep> tail;       // the offending step, for step properties
  };

  struct Chunk {
    size_t begin = 0;
    size_t end = 0;
    std::vector<Candidate> candidates;                // in the batch's order
    std::vector<std::vector<uint32_t>> by_owner;      // candidate indices per owning thread
    std::vector<uint32_t> successor_counts;           // per state of the chunk
    StopEvent stop;                                   // a step violation or deadlock
    bool depth_bound_hit = false;
  };

  bool explore_initial_states() {
    std::vector<State> initial = model_.initial_states();
    result_.stats.total_states += initial.size();
    for (State& state : initial) {
      if (!model_.within_bounds(state)) continue;
      uint64_t fingerprint = fingerprint_of(state);
      if (!visited_.insert(fingerprint, FingerprintTable::kNoParent)) continue;
      ++distinct_;
      if (on_new_state_) on_new_state_(state);
      uint32_t violated = first_violated_invariant(state);
      if (violated != kNoViolation) {
        return violation(properties_[violated].name, "always", rebuild_trace(fingerprint));
      }
      record_goals(goals_of(state), 1);
      if (limit_reached()) return false;
      current_.push_back(std::move(state));
    }
    result_.stats.depth = current_.empty() ? 0 : 1;
    return true;
  }

  uint64_t fingerprint_of(const State& state) const {
    if constexpr (HasSymmetry<M>) {
      if (symmetry_) return FingerprintTable::normalize(model_.fingerprint(model_.canonical(state)));
    }
    return FingerprintTable::normalize(model_.fingerprint(state));
  }

  uint32_t first_violated_invariant(const State& state) const {
    for (size_t i : invariant_indices_) {
      if (!properties_[i].holds(state)) return static_cast<uint32_t>(i);
    }
    return kNoViolation;
  }

  uint64_t goals_of(const State& state) const {
    uint64_t holds = 0;
    for (size_t g = 0; g < goal_indices_.size(); ++g) {
      if (!(reached_goals_ >> g & 1) && properties_[goal_indices_[g]].holds(state)) holds |= uint64_t{1} << g;
    }
    return holds;
  }

  void record_goals(uint64_t holds, int depth) {
    uint64_t fresh = holds & ~reached_goals_;
    for (size_t g = 0; g < goal_indices_.size(); ++g) {
      if (fresh >> g & 1) result_.goals[g] = {result_.goals[g].name, true, depth};
    }
    reached_goals_ |= fresh;
  }

  bool explore_batch(size_t begin, size_t end) {
    const size_t chunk_count = std::min<size_t>(end - begin, static_cast<size_t>(threads_) * 4);
    chunks_.resize(chunk_count);
    for (size_t c = 0; c < chunk_count; ++c) {
      chunks_[c].begin = begin + (end - begin) * c / chunk_count;
      chunks_[c].end = begin + (end - begin) * (c + 1) / chunk_count;
    }
    std::atomic<size_t> next_chunk{0};
    run_on_threads(threads_, [&](int) {
      std::vector<Successor<Action, State>> successors;
      for (size_t c = next_chunk++; c < chunk_count; c = next_chunk++) generate(chunks_[c], successors);
    });
    run_on_threads(threads_, [&](int thread) {
      for (auto& chunk : chunks_) {
        for (uint32_t index : chunk.by_owner[thread]) {
          Candidate& candidate = chunk.candidates[index];
          candidate.is_new = visited_.insert(candidate.fingerprint, candidate.parent);
        }
      }
    });
    for (auto& chunk : chunks_) {
      if (!merge(chunk)) return false;
    }
    return true;
  }

  int owner_of(uint64_t fingerprint) const { return VisitedSet::partition_of(fingerprint) % threads_; }

  // Phase 1 for one chunk; stops at the chunk's first violation, since
  // nothing after it in the chunk can matter.
  void generate(Chunk& chunk, std::vector<Successor<Action, State>>& successors) {
    chunk.candidates.clear();
    chunk.by_owner.assign(threads_, {});
    chunk.successor_counts.clear();
    chunk.stop = StopEvent{};
    chunk.depth_bound_hit = false;
    const int successor_depth = result_.stats.depth + 1;
    const bool beyond_depth = options_.max_depth > 0 && successor_depth > options_.max_depth;
    for (size_t position = chunk.begin; position < chunk.end; ++position) {
      const State& state = current_[position];
      successors.clear();
      model_.successors(state, successors);
      chunk.successor_counts.push_back(static_cast<uint32_t>(successors.size()));
      if (check_deadlock_ && successors.empty()) {
        chunk.stop = {static_cast<uint32_t>(position), 0, "Deadlock", "deadlock", {}};
        return;
      }
      uint64_t parent = 0;  // computed on the first candidate
      for (uint32_t s = 0; s < successors.size(); ++s) {
        auto& successor = successors[s];
        if (!model_.within_bounds(successor.state)) continue;
        uint64_t fingerprint = fingerprint_of(successor.state);
        bool seen = visited_.contains(fingerprint);
        if (!seen && beyond_depth) {
          chunk.depth_bound_hit = true;
          continue;
        }
        auto add_candidate = [&](uint32_t violated) {
          if (parent == 0) parent = fingerprint_of(state);
          chunk.by_owner[owner_of(fingerprint)].push_back(static_cast<uint32_t>(chunk.candidates.size()));
          chunk.candidates.push_back({fingerprint, parent, static_cast<uint32_t>(position), violated,
                                      goals_of(successor.state), false, std::move(successor.state)});
        };
        if (!seen) {
          uint32_t violated = first_violated_invariant(successor.state);
          if (violated != kNoViolation) {
            add_candidate(violated);
            return;
          }
        }
        for (const auto& property : transition_properties_) {
          if (!property.holds(state, successor.action, successor.state)) {
            chunk.stop = {static_cast<uint32_t>(position), s, property.name, "step",
                          {{model_.action_label(successor.action), model_.state_json(successor.state)}}};
            if (!seen) add_candidate(kNoViolation);
            return;
          }
        }
        if (!seen) add_candidate(kNoViolation);
      }
    }
  }

  // Phase 3 for one chunk, in the order a sequential search takes.
  bool merge(Chunk& chunk) {
    const int depth = result_.stats.depth + 1;
    size_t next_candidate = 0;
    for (size_t position = chunk.begin; position < chunk.end; ++position) {
      if (position - chunk.begin >= chunk.successor_counts.size()) break;
      result_.stats.total_states += chunk.successor_counts[position - chunk.begin];
      explored_ = position + 1;
      for (; next_candidate < chunk.candidates.size() && chunk.candidates[next_candidate].position == position;
           ++next_candidate) {
        Candidate& candidate = chunk.candidates[next_candidate];
        if (!candidate.is_new) continue;
        ++distinct_;
        if (on_new_state_) on_new_state_(candidate.state);
        if (candidate.violated != kNoViolation) {
          return violation(properties_[candidate.violated].name, "always", rebuild_trace(candidate.fingerprint));
        }
        record_goals(candidate.goals, depth);
        if (limit_reached()) return false;
        next_.push_back(std::move(candidate.state));
      }
      if (chunk.stop.position == position) {
        auto trace = rebuild_trace(fingerprint_of(current_[position]));
        for (auto& step : chunk.stop.tail) trace.push_back(std::move(step));
        return violation(chunk.stop.property, chunk.stop.kind, std::move(trace));
      }
    }
    if (chunk.successor_counts.size() < chunk.end - chunk.begin) {
      // Phase 1 stopped this chunk at an invariant violation that phase 2
      // did not find new: only a fingerprint collision can do that.
      throw std::logic_error("a chunk stopped at a violation that was not a new state (fingerprint collision?)");
    }
    depth_bound_hit_ |= chunk.depth_bound_hit;
    return true;
  }

  bool limit_reached() {
    if (options_.max_states > 0 && distinct_ >= options_.max_states) {
      result_.outcome = Outcome::kBoundExhausted;
      return true;
    }
    return false;
  }

  bool violation(const std::string& property, const char* kind, std::vector<TraceStep> trace) {
    result_.outcome = Outcome::kViolation;
    result_.property = property;
    result_.property_kind = kind;
    result_.trace = std::move(trace);
    return false;
  }

  // Re-executes actions from an initial state along the parent links that
  // end at `fingerprint`.
  std::vector<TraceStep> rebuild_trace(uint64_t fingerprint) const {
    std::vector<uint64_t> chain;
    for (uint64_t at = fingerprint; at != FingerprintTable::kNoParent; at = visited_.parent(at)) {
      chain.push_back(at);
    }
    std::reverse(chain.begin(), chain.end());
    std::vector<TraceStep> trace;
    State current;
    bool found = false;
    for (State& initial : model_.initial_states()) {
      if (model_.within_bounds(initial) &&
          fingerprint_of(initial) == chain.front()) {
        current = std::move(initial);
        found = true;
        break;
      }
    }
    if (!found) throw std::logic_error("trace rebuild: no initial state has the recorded fingerprint");
    trace.push_back({"", model_.state_json(current)});
    std::vector<Successor<Action, State>> successors;
    for (size_t i = 1; i < chain.size(); ++i) {
      successors.clear();
      model_.successors(current, successors);
      auto match = std::find_if(successors.begin(), successors.end(), [&](const auto& s) {
        return model_.within_bounds(s.state) && fingerprint_of(s.state) == chain[i];
      });
      if (match == successors.end()) {
        throw std::logic_error("trace rebuild: no successor has the recorded fingerprint (a nondeterministic model?)");
      }
      trace.push_back({model_.action_label(match->action), model_.state_json(match->state)});
      current = std::move(match->state);
    }
    return trace;
  }

  double elapsed_seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  void report_progress_if_due(size_t explored) {
    if (!options_.progress) return;
    auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_progress_).count() < options_.progress_seconds) return;
    last_progress_ = now;
    double seconds = elapsed_seconds();
    std::fprintf(stderr, "progress: %llu distinct states, queue %llu, depth %d, %.0f states/s, %.1f s\n",
                 static_cast<unsigned long long>(distinct_),
                 static_cast<unsigned long long>(current_.size() - explored + next_.size()), result_.stats.depth,
                 seconds > 0 ? static_cast<double>(distinct_) / seconds : 0.0, seconds);
  }

  CheckResult finish() {
    SearchStats& stats = result_.stats;
    stats.distinct_states = distinct_;
    stats.seconds = elapsed_seconds();
    stats.states_per_second = stats.seconds > 0 ? static_cast<double>(stats.distinct_states) / stats.seconds : 0;
    stats.queue = (explored_ < current_.size() ? current_.size() - explored_ : 0) + next_.size();
    stats.peak_memory_bytes = peak_memory_bytes();
    if (result_.outcome == Outcome::kOk && distinct_ != visited_.size()) {
      throw std::logic_error("distinct states counted differ from the visited set's size");
    }
    if (result_.outcome == Outcome::kOk && depth_bound_hit_) result_.outcome = Outcome::kBoundExhausted;
    if (result_.outcome == Outcome::kOk) {
      for (const auto& goal : result_.goals) {
        if (!goal.reached) result_.outcome = Outcome::kGoalUnreached;
      }
    }
    return std::move(result_);
  }

  const M& model_;
  SearchOptions options_;
  int threads_;
  std::vector<StateProperty<State>> properties_;
  std::vector<size_t> invariant_indices_;
  std::vector<size_t> goal_indices_;
  uint64_t reached_goals_ = 0;
  std::function<void(const State&)> on_new_state_;
  std::vector<TransitionProperty<State, Action>> transition_properties_;
  bool check_deadlock_ = false;
  bool symmetry_ = false;
  bool depth_bound_hit_ = false;
  VisitedSet visited_;
  uint64_t distinct_ = 0;
  std::vector<State> current_;
  std::vector<State> next_;
  size_t batch_begin_ = 0;
  size_t explored_ = 0;
  std::vector<Chunk> chunks_;
  CheckResult result_;
  Clock::time_point start_;
  Clock::time_point last_progress_;
};

}  // namespace detail

// Explores every state reachable within the model's bounds, breadth first.
template <Model M>
CheckResult check(const M& model, const SearchOptions& options = {}) {
  return detail::BreadthFirstSearch<M>(model, options, nullptr).run();
}

// The same, calling `on_new_state` once for every distinct state stored,
// in the order a sequential search stores them, before its properties are
// checked.
template <Model M>
CheckResult check(const M& model, const SearchOptions& options,
                  std::function<void(const typename M::State&)> on_new_state) {
  return detail::BreadthFirstSearch<M>(model, options, std::move(on_new_state)).run();
}

}  // namespace crosscheck::mc
