// Breadth-first exploration of a model's reachable states, on one thread
// or several, with the same result whatever the thread count. Include
// breadth_first.h: this header declares the search, and its level
// expansion (breadth_first_level.h) and checkpoints
// (breadth_first_checkpoint.h) are defined apart.
//
// States are checked when first generated and explored level by level, so
// the first violation found lies at the least depth: its trace is a shortest
// one. The visited set keeps fingerprints only (or, with exact, whole
// states); parent links are kept in discovery order (trace_links.h) and a
// trace is rebuilt by re-executing successors from an initial state.
//
// A level is explored in batches, each in three phases:
//  1. (parallel) generate the successors of the batch's states and check
//     the step properties on each; a successor equal to its parent, or to
//     an earlier candidate (one its thread recently made a candidate, or
//     under exact, one of its chunk; or, for large states, a state
//     already in the visited set), is only step-checked; any other becomes
//     a candidate;
//  2. (parallel) grow the visited-set partitions the batch is expected to
//     fill past their load bound, the threads sharing the growths out; then
//     insert the candidates, each thread owning the visited-set
//     partitions of some fingerprints; within a partition the candidates are
//     taken in the batch's order, so the first occurrence of a state (and
//     its parent) is the one a single thread would have kept; the
//     invariants and goals of each new state are evaluated there;
//  3. (sequential, cheap) walk the batch in order: count, report the first
//     violation in the order a sequential search would meet it, record goals
//     and parent links, apply the state limit, and queue the new states.
// Counts, traces and results are therefore those of the plain sequential
// algorithm, for any number of threads.
//
// With a memory limit, the memory a batch would need (visited-set growth,
// queue, parent links) is estimated between phases 1 and 2; a batch that
// would pass the limit is not inserted and the run stops as
// memory_exhausted with the counts of the batches before it.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model_check/action_kind.h"
#include "model_check/breadth_first_filters.h"
#include "model_check/breadth_first_options.h"
#include "model_check/checkpoint.h"
#include "model_check/fingerprint_table.h"
#include "model_check/memory.h"
#include "model_check/model.h"
#include "model_check/option_error.h"
#include "model_check/property_set.h"
#include "model_check/result.h"
#include "model_check/trace_links.h"
#include "model_check/worker_pool.h"

namespace crosscheck::mc::detail {

// n (N - n) / 2^64: the expected number of the N - n generated states that
// were not new whose fingerprint matched one of the n stored states by
// chance rather than by equality (TLC's "calculated (optimistic)").
inline double optimistic_collision_probability(uint64_t distinct, uint64_t generated) {
  if (generated <= distinct) return 0;
  return static_cast<double>(distinct) * static_cast<double>(generated - distinct) /
         18446744073709551616.0;
}

template <Model M, class Visited>
class BreadthFirstSearch {
 public:
  using State = typename M::State;
  using Action = typename M::Action;

  BreadthFirstSearch(const M& model, const BreadthFirstOptions& options,
                     std::function<void(const State&)> on_new_state)
      : model_(model),
        options_(options),
        threads_(std::max(1, options.threads)),
        properties_(model),
        on_new_state_(std::move(on_new_state)),
        pool_(threads_) {
    properties_.describe(result_);
    if constexpr (HasSymmetry<M>) {
      symmetry_ = options.symmetry;
    } else if (options.symmetry) {
      throw OptionError(OptionError::Kind::kNoSymmetry);
    }
    if (options.checkpoint.saves() || options.checkpoint.resumes()) {
      if (Visited::kExact) throw OptionError(OptionError::Kind::kCheckpointWithExact);
      if (options.coverage) throw OptionError(OptionError::Kind::kCheckpointWithCoverage);
    }
  }

  CheckResult run() {
    start_ = Clock::now();
    last_progress_ = start_;
    last_checkpoint_ = start_;
    baseline_memory_ = resident_memory_bytes();
    if (options_.checkpoint.saves()) check_checkpoint_writable(options_.checkpoint.path);
    if (options_.checkpoint.resumes()) {
      resume();
    } else if (!explore_initial_states()) {
      return finish();
    }
    const size_t per_thread = options_.states_per_thread_batch > 0
                                  ? static_cast<size_t>(options_.states_per_thread_batch)
                                  : kStatesPerThreadBatch;
    const size_t batch_size = static_cast<size_t>(threads_) * per_thread;
    size_t first = explored_;  // a resumed level starts where the checkpoint left it
    while (!current_.empty()) {
      if (!explore_level(first, batch_size)) return finish();
      first = 0;
      level_start_ += current_.size();
      explored_ = 0;
      current_.clear();
      std::swap(current_, next_);
      if (!current_.empty()) ++result_.stats.depth;
    }
    return finish();
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kStatesPerThreadBatch = 1 << 14;
  static constexpr size_t kMinChunk = 512;
  // States whose successors are generated and fingerprinted before any of
  // them is looked up, so that their probes' cache misses overlap.
  static constexpr size_t kPrefetchGroup = 8;
  static constexpr uint32_t kNoViolation = PropertySet<M>::kNone;
  static constexpr bool kLookupFirst = sizeof(State) > 64;
  static constexpr int kPartitions = Visited::kPartitions;
  // Fingerprints are normalized away from these two, which mark successors
  // that need no lookup.
  static constexpr uint64_t kStutter = 0;
  static constexpr uint64_t kOutsideBounds = 1;
  static_assert(FingerprintTable::normalize(kStutter) > kOutsideBounds &&
                FingerprintTable::normalize(kOutsideBounds) > kOutsideBounds);

  struct Candidate {
    uint64_t fingerprint;
    uint32_t position;  // of its parent in the batch
    uint32_t ordinal;   // its index among its parent's successors
    uint32_t violated;  // index into properties_ of a broken invariant, or kNoViolation
    bool is_new;        // set in phase 2
    uint16_t kind;      // with coverage: its action's kind, numbered by the chunk
    uint64_t goals;     // bit g: goal g holds in this state
    State state;
  };

  // A candidate as phase 2 walks it: its fingerprint beside its index, so
  // that the walk reads one sequential array ahead of its probes.
  struct Owned {
    uint64_t fingerprint;
    uint32_t index;  // into the chunk's candidates
  };

  // What a sequential search would stop at first within one chunk.
  struct StopEvent {
    uint32_t position = kNoViolation;  // in the batch
    std::string property;
    const char* kind = "";
    std::vector<TraceStep> tail;              // the offending step, for step properties
    std::optional<StepExplanation> why = {};  // the step property's, when it explains itself
  };

  struct Chunk {
    size_t begin = 0;
    size_t end = 0;
    std::vector<Candidate> candidates;                  // in the batch's order
    std::vector<std::vector<Owned>> by_owner;           // per owning thread, in the chunk's order
    std::array<uint32_t, kPartitions> per_partition{};  // candidates per visited-set partition
    std::vector<uint32_t> successor_counts;             // per state of the chunk
    StopEvent stop;                                     // a step violation or deadlock
    bool depth_bound_hit = false;
    // With coverage: action kinds numbered in the order the chunk met
    // them, the steps of each generated in this batch, and the current
    // state's successors' kinds.
    std::vector<std::string> kind_names;
    std::unordered_map<std::string, uint16_t> kind_numbers;
    std::vector<uint64_t> kind_generated;
    std::vector<uint16_t> successor_kinds;

    uint16_t kind_number(const std::string& kind) {
      auto [at, inserted] =
          kind_numbers.try_emplace(kind, static_cast<uint16_t>(kind_names.size()));
      if (inserted) {
        if (kind_names.size() == std::numeric_limits<uint16_t>::max()) {
          throw OptionError(OptionError::Kind::kTooManyActionKinds);
        }
        kind_names.push_back(kind);
        kind_generated.push_back(0);
      }
      return at->second;
    }
  };

  using Filter = std::conditional_t<Visited::kExact, ChunkFilter, RecentCandidates>;

  // A thread's reusable buffers for phase 1.
  struct Scratch {
    Filter filter;
    // Two groups' worth: the one being checked and the next.
    std::array<std::vector<Successor<Action, State>>, 2 * kPrefetchGroup> successors;
    std::array<std::vector<uint64_t>, 2 * kPrefetchGroup>
        fingerprints;  // per successor, or a marker
  };

  bool explore_initial_states() {
    std::vector<State> initial = model_.initial_states();
    result_.stats.total_states += initial.size();
    for (size_t ordinal = 0; ordinal < initial.size(); ++ordinal) {
      State& state = initial[ordinal];
      if (!model_.within_bounds(state)) continue;
      uint64_t fingerprint = fingerprint_of(state);
      if (options_.coverage) ++coverage_["Initial"].generated;
      if (!insert_visited(fingerprint, state)) continue;
      if (options_.coverage) ++coverage_["Initial"].distinct;
      ++distinct_;
      links_.add_state(ordinal);
      links_.seal_roots();
      if (on_new_state_) on_new_state_(state);
      uint32_t violated = first_violated_invariant(state);
      if (violated != kNoViolation) {
        return violation(properties_.properties()[violated].name, "always",
                         rebuild_trace(distinct_ - 1, {}, fingerprint));
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
      if (symmetry_) {
        return FingerprintTable::normalize(model_.fingerprint(model_.canonical(state)));
      }
    }
    return FingerprintTable::normalize(model_.fingerprint(state));
  }

  // The state as the exact visited set keys it: its orbit's representative
  // under symmetry.
  State key_of(const State& state) const {
    if constexpr (HasSymmetry<M>) {
      if (symmetry_) return model_.canonical(state);
    }
    return state;
  }

  bool in_visited(uint64_t fingerprint, const State& state) const {
    if constexpr (Visited::kExact) return visited_.contains(fingerprint, key_of(state));
    return visited_.contains(fingerprint, state);
  }

  bool insert_visited(uint64_t fingerprint, const State& state) {
    if constexpr (Visited::kExact) return visited_.insert(fingerprint, key_of(state));
    return visited_.insert(fingerprint, state);
  }

  static bool is_stutter(const State& from, const State& to) {
    if constexpr (std::equality_comparable<State>) {
      return from == to;
    } else {
      return false;
    }
  }

  uint32_t first_violated_invariant(const State& state) const {
    return properties_.first_violated_invariant(state);
  }

  uint64_t goals_of(const State& state) const {
    return properties_.goals_of(state, reached_goals_);
  }

  void record_goals(uint64_t holds, int depth) {
    uint64_t fresh = holds & ~reached_goals_;
    for (size_t g = 0; g < properties_.goal_count(); ++g) {
      if (fresh >> g & 1) result_.goals[g] = {result_.goals[g].name, true, depth};
    }
    reached_goals_ |= fresh;
  }

  int owner_of(int partition) const { return partition % threads_; }

  static size_t candidates_of(const std::array<size_t, kPartitions>& pending) {
    size_t candidates = 0;
    for (size_t count : pending) candidates += count;
    return candidates;
  }

  bool limit_reached() {
    if (options_.max_states > 0 && distinct_ >= options_.max_states) {
      result_.outcome = Outcome::kBoundExhausted;
      return true;
    }
    return false;
  }

  bool violation(const std::string& property, const char* kind, std::vector<TraceStep> trace) {
    return set_violation(result_, property, kind, std::move(trace));
  }

  // Re-executes, from an initial state, the successors that lead to stored
  // state `state`, then the successors `tail` from there; the state reached
  // must have the fingerprint `expected`.
  std::vector<TraceStep> rebuild_trace(uint64_t state, std::vector<uint64_t> tail,
                                       uint64_t expected) const {
    std::vector<uint64_t> ordinals(tail.rbegin(), tail.rend());
    for (; !links_.is_root(state); state = links_.parent(state)) {
      ordinals.push_back(links_.ordinal(state));
    }
    std::vector<State> initial = model_.initial_states();
    const uint64_t root = links_.ordinal(state);
    if (root >= initial.size()) {
      throw std::logic_error("trace rebuild: the model has fewer initial states than before");
    }
    State current = std::move(initial[root]);
    std::vector<TraceStep> trace;
    trace.push_back({"", model_.state_json(current)});
    std::vector<Successor<Action, State>> successors;
    for (auto ordinal = ordinals.rbegin(); ordinal != ordinals.rend(); ++ordinal) {
      successors.clear();
      model_.successors(current, successors);
      if (*ordinal >= successors.size()) {
        throw std::logic_error(
            "trace rebuild: a state has fewer successors than before (a nondeterministic model?)");
      }
      Successor<Action, State>& step = successors[*ordinal];
      trace.push_back({model_.action_label(step.action), model_.state_json(step.state)});
      current = std::move(step.state);
    }
    if (fingerprint_of(current) != expected) {
      throw std::logic_error(
          "trace rebuild: the state reached differs from the one found (a nondeterministic "
          "model?)");
    }
    return trace;
  }

  // The run's time, a resumed run's before it included.
  double elapsed_seconds() const {
    return seconds_before_ + std::chrono::duration<double>(Clock::now() - start_).count();
  }

  void report_progress_if_due(size_t explored) {
    if (!options_.progress) return;
    auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_progress_).count() < options_.progress_seconds) {
      return;
    }
    last_progress_ = now;
    double seconds = elapsed_seconds();
    std::fprintf(
        stderr, "progress: %llu distinct states, queue %llu, depth %d, %.0f states/s, %.1f s\n",
        static_cast<unsigned long long>(distinct_),
        static_cast<unsigned long long>(current_.size() - explored + next_.size()),
        result_.stats.depth, seconds > 0 ? static_cast<double>(distinct_) / seconds : 0.0, seconds);
  }

  CheckResult finish() {
    SearchStats& stats = result_.stats;
    stats.distinct_states = distinct_;
    stats.seconds = elapsed_seconds();
    stats.states_per_second =
        stats.seconds > 0 ? static_cast<double>(stats.distinct_states) / stats.seconds : 0;
    stats.queue = (explored_ < current_.size() ? current_.size() - explored_ : 0) + next_.size();
    stats.peak_memory_bytes = peak_memory_bytes();
    stats.visited_bytes = visited_.bytes() + links_.bytes();
    stats.bytes_per_state =
        distinct_ > 0 ? static_cast<double>(stats.visited_bytes) / static_cast<double>(distinct_)
                      : 0;
    stats.exact = Visited::kExact;
    stats.fingerprint_collision_probability =
        Visited::kExact ? 0.0 : optimistic_collision_probability(distinct_, stats.total_states);
    if (result_.outcome == Outcome::kOk && distinct_ != visited_.size()) {
      throw std::logic_error("distinct states counted differ from the visited set's size");
    }
    settle_exhaustive_outcome(result_, depth_bound_hit_);
    name_stopped_phase(result_, "safety");
    if (options_.coverage) {
      if constexpr (HasActionKinds<M>) {
        for (const auto& kind : model_.action_kinds()) coverage_.try_emplace(kind);
      }
      for (const auto& [kind, counts] : coverage_) {
        result_.coverage.push_back({kind, counts.generated, counts.distinct});
      }
    }
    return std::move(result_);
  }

  // The level expansion (breadth_first_level.h).
  bool explore_level(size_t first, size_t batch_size);
  bool explore_batch(size_t begin, size_t end, std::vector<Chunk>& chunks,
                     std::vector<Chunk>* unmerged);
  void insert_batch(std::vector<Chunk>& chunks, const std::array<size_t, kPartitions>& pending,
                    size_t queue_capacity);
  void plan_growths(const std::array<size_t, kPartitions>& pending);
  bool merge_batch(std::vector<Chunk>& chunks);
  void generate(Chunk& chunk, Scratch& scratch);
  void fingerprint_successors(const State& state, std::vector<Successor<Action, State>>& successors,
                              std::vector<uint64_t>& fingerprints, const Filter& filter) const;
  bool check_successors(Chunk& chunk, size_t position, const State& state, bool beyond_depth,
                        std::vector<Successor<Action, State>>& successors,
                        const std::vector<uint64_t>& fingerprints, Filter& filter);
  void count_kinds(Chunk& chunk, const std::vector<Successor<Action, State>>& successors);
  void add_candidate(Chunk& chunk, Filter& filter, uint64_t fingerprint, size_t position,
                     uint32_t ordinal, State&& state);
  bool repeats_earlier_candidate(const Chunk& chunk, const Filter& filter, uint64_t fingerprint,
                                 const State& state) const;
  void insert_candidates(std::vector<Chunk>& chunks, int thread);
  size_t queue_capacity_for(size_t candidates) const;
  bool fits_in_memory(const std::array<size_t, kPartitions>& pending, size_t queue_capacity);
  bool merge(Chunk& chunk);
  bool merge_candidates(Chunk& chunk, size_t position, size_t& next_candidate, uint64_t& children);

  // Saving and resuming (breadth_first_checkpoint.h).
  struct SavedLevel {
    uint64_t size;      // states in the level
    uint64_t explored;  // of them, those whose successors were merged
  };
  bool checkpoint_due() const;
  void save_checkpoint();
  void resume();
  SavedLevel read_checkpoint(CheckpointReader& in);
  void rebuild_queue(const CheckpointReader& in, SavedLevel level);

  // Read by every thread in phases 1 and 2, and not written during a level.
  const M& model_;
  BreadthFirstOptions options_;
  int threads_;
  bool symmetry_ = false;
  PropertySet<M> properties_;
  std::function<void(const State&)> on_new_state_;
  Visited visited_;
  // Written by the merge while other threads run phase 1, so on cache
  // lines of their own: a line shared with what phase 1 reads goes back
  // and forth between the cores at every write.
  alignas(64) uint64_t reached_goals_ = 0;
  bool depth_bound_hit_ = false;
  TraceLinks links_;
  uint64_t distinct_ = 0;
  std::vector<State> current_;
  std::vector<State> next_;
  uint64_t level_start_ = 0;  // the storage number of current_[0]
  size_t explored_ = 0;
  uint64_t baseline_memory_ = 0;
  std::array<std::vector<Chunk>, 2>
      batches_;                // one being generated, the one before it being merged
  double last_new_share_ = 1;  // of the last batch's candidates
  struct Growth {
    int partition;
    size_t inserts;  // expected
  };
  std::vector<Growth> growths_;                     // planned for the batch's phase 2
  std::map<std::string, ActionCoverage> coverage_;  // by kind, with coverage
  std::vector<Scratch> scratch_;
  CheckResult result_;
  Clock::time_point start_;
  Clock::time_point last_progress_;
  Clock::time_point last_checkpoint_;
  double seconds_before_ = 0;  // a resumed run's, up to its checkpoint
  // Last, so that its threads start after, and stop before, the rest.
  alignas(64) WorkerPool pool_;
};

}  // namespace crosscheck::mc::detail
