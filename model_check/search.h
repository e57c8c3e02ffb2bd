// Breadth-first exploration of a model's reachable states, on one thread
// or several, with the same result whatever the thread count.
//
// States are checked when first generated and explored level by level, so
// the first violation found lies at the least depth: its trace is a shortest
// one. The visited set keeps fingerprints only (or, with --exact, whole
// states); parent links are kept in discovery order (trace_links.h) and a
// trace is rebuilt by re-executing successors from an initial state.
//
// A level is explored in batches, each in three phases:
//  1. (parallel) generate the successors of the batch's states and check
//     the step properties on each; a successor equal to its parent, or to
//     an earlier candidate (one its thread recently made a candidate, or
//     under --exact, one of its chunk; or, for large states, a state
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
#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <string>
#include <utility>
#include <vector>

#include "model_check/checkpoint.h"
#include "model_check/depth_first.h"
#include "model_check/fingerprint_table.h"
#include "model_check/liveness.h"
#include "model_check/memory.h"
#include "model_check/model.h"
#include "model_check/prefetch.h"
#include "model_check/property_set.h"
#include "model_check/result.h"
#include "model_check/search_options.h"
#include "model_check/simulation.h"
#include "model_check/trace_links.h"
#include "model_check/visited_set.h"
#include "model_check/worker_pool.h"

namespace crosscheck::mc {

namespace detail {

// n (N - n) / 2^64: the expected number of the N - n generated states that
// were not new whose fingerprint matched one of the n stored states by
// chance rather than by equality (TLC's "calculated (optimistic)").
inline double optimistic_collision_probability(uint64_t distinct, uint64_t generated) {
  if (generated <= distinct) return 0;
  return static_cast<double>(distinct) * static_cast<double>(generated - distinct) / 18446744073709551616.0;
}

template <Model M, class Visited>
class BreadthFirstSearch {
 public:
  using State = typename M::State;
  using Action = typename M::Action;

  BreadthFirstSearch(const M& model, const SearchOptions& options, std::function<void(const State&)> on_new_state)
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
      throw std::invalid_argument("--symmetry: this model defines no symmetry");
    }
    if (!options.checkpoint_path.empty() || !options.resume_path.empty()) {
      if (Visited::kExact) throw std::invalid_argument("--checkpoint and --resume keep fingerprints: not with --exact");
      if (options.coverage) throw std::invalid_argument("--checkpoint and --resume do not keep --coverage's counts");
    }
  }

  CheckResult run() {
    start_ = Clock::now();
    last_progress_ = start_;
    last_checkpoint_ = start_;
    baseline_memory_ = resident_memory_bytes();
    if (!options_.checkpoint_path.empty()) check_checkpoint_writable(options_.checkpoint_path);
    if (!options_.resume_path.empty()) {
      resume();
    } else if (!explore_initial_states()) {
      return finish();
    }
    const size_t batch_size =
        static_cast<size_t>(threads_) *
        (options_.states_per_thread_batch > 0 ? static_cast<size_t>(options_.states_per_thread_batch)
                                              : kStatesPerThreadBatch);
    size_t first = explored_;  // a resumed level starts where the checkpoint left it
    while (!current_.empty()) {
      // Each batch's merge, which is sequential, runs while the next batch
      // of the level is generated (explore_batch), so that it does not
      // hold the other threads up.
      std::vector<Chunk>* unmerged = nullptr;
      int parity = 0;
      for (size_t begin = first; begin < current_.size(); begin += batch_size) {
        size_t end = std::min(current_.size(), begin + batch_size);
        if (!explore_batch(begin, end, batches_[parity], unmerged)) return finish();
        unmerged = &batches_[parity];
        parity ^= 1;
        report_progress_if_due(explored_);
        const bool stop = options_.stop_requested();
        if (stop || checkpoint_due()) {
          // Between batches, once the last one is merged, the visited set,
          // the links and the queue agree: a point to save and to stop at.
          if (!merge_batch(*unmerged)) return finish();
          unmerged = nullptr;
          if (!options_.checkpoint_path.empty()) save_checkpoint();
          if (stop) {
            result_.outcome = Outcome::kInterrupted;
            return finish();
          }
        }
      }
      first = 0;
      if (unmerged != nullptr && !merge_batch(*unmerged)) return finish();
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
    uint32_t position;     // of its parent in the batch
    uint32_t ordinal;      // its index among its parent's successors
    uint32_t violated;     // index into properties_ of a broken invariant, or kNoViolation
    bool is_new;           // set in phase 2
    uint16_t kind;         // with --coverage: its action's kind, numbered by the chunk
    uint64_t goals;        // bit g: goal g holds in this state
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
    std::vector<TraceStep> tail;       // the offending step, for step properties
  };

  struct Chunk {
    size_t begin = 0;
    size_t end = 0;
    std::vector<Candidate> candidates;                // in the batch's order
    std::vector<std::vector<Owned>> by_owner;         // per owning thread, in the chunk's order
    std::array<uint32_t, kPartitions> per_partition{};  // candidates per visited-set partition
    std::vector<uint32_t> successor_counts;           // per state of the chunk
    StopEvent stop;                                   // a step violation or deadlock
    bool depth_bound_hit = false;
    // --coverage: action kinds numbered in the order the chunk met them,
    // the steps of each generated in this batch, and the current state's
    // successors' kinds.
    std::vector<std::string> kind_names;
    std::unordered_map<std::string, uint16_t> kind_numbers;
    std::vector<uint64_t> kind_generated;
    std::vector<uint16_t> successor_kinds;

    uint16_t kind_number(const std::string& kind) {
      auto [at, inserted] = kind_numbers.try_emplace(kind, static_cast<uint16_t>(kind_names.size()));
      if (inserted) {
        if (kind_names.size() == std::numeric_limits<uint16_t>::max()) {
          throw std::invalid_argument("--coverage: more than 65535 kinds of action");
        }
        kind_names.push_back(kind);
        kind_generated.push_back(0);
      }
      return at->second;
    }
  };

  // Under --exact: the candidates of the chunk being generated, by
  // fingerprint. A state new to the visited set is typically reached from
  // several parents in one batch; only its first occurrence can be the one
  // stored, so the later ones are known duplicates without an invariant
  // check or a phase-2 insert. An equal fingerprint is not enough here:
  // the candidate it points to is compared.
  class ChunkFilter {
   public:
    static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

    void reset() {
      for (uint32_t slot : used_) fingerprints_[slot] = 0;
      used_.clear();
    }
    // The earliest candidate recorded with this fingerprint, or kNone.
    uint32_t find(uint64_t fingerprint) const {
      if (fingerprints_.empty()) return kNone;
      for (size_t i = home_of(fingerprint);; i = (i + 1) & (fingerprints_.size() - 1)) {
        if (fingerprints_[i] == 0) return kNone;
        if (fingerprints_[i] == fingerprint) return candidates_[i];
      }
    }
    void prefetch(uint64_t fingerprint) const {
      if (!fingerprints_.empty()) prefetch_line(fingerprints_.data() + home_of(fingerprint));
    }
    // Records a candidate whose fingerprint the filter does not hold.
    void add(uint64_t fingerprint, uint32_t candidate) {
      if ((used_.size() + 1) * 2 > fingerprints_.size()) grow();
      size_t i = home_of(fingerprint);
      while (fingerprints_[i] != 0) i = (i + 1) & (fingerprints_.size() - 1);
      fingerprints_[i] = fingerprint;
      candidates_[i] = candidate;
      used_.push_back(static_cast<uint32_t>(i));
    }

   private:
    size_t home_of(uint64_t fingerprint) const { return fingerprint & (fingerprints_.size() - 1); }

    void grow() {
      std::vector<uint32_t> used = std::move(used_);
      std::vector<uint64_t> fingerprints = std::move(fingerprints_);
      std::vector<uint32_t> candidates = std::move(candidates_);
      fingerprints_.assign(std::max<size_t>(1024, fingerprints.size() * 2), 0);
      candidates_.assign(fingerprints_.size(), 0);
      used_.clear();
      for (uint32_t slot : used) add(fingerprints[slot], candidates[slot]);
    }

   public:
    size_t bytes() const {
      return fingerprints_.capacity() * sizeof(uint64_t) + (candidates_.capacity() + used_.capacity()) * sizeof(uint32_t);
    }

   private:
    std::vector<uint64_t> fingerprints_;  // 0: empty
    std::vector<uint32_t> candidates_;    // beside them
    std::vector<uint32_t> used_;  // the slots filled in this chunk, to empty them after
  };

  // Outside --exact: the fingerprints of a thread's recent candidates, in a
  // two-way set-associative cache kept across chunks, batches and levels.
  // A successor found here repeats a candidate that comes earlier in the
  // sequential order (a thread takes its chunks in order), so it cannot be
  // new and needs no phase-2 insert. A fingerprint the cache has dropped
  // only costs its repeats a probe in phase 2, which finds the earlier
  // occurrence stored. Which repeats are caught depends on how the threads
  // shared the chunks; which occurrence is stored does not.
  //
  // A cache larger than the core's own (4 MiB at most, in the shared one)
  // catches more than it costs: at 10 RMs, 100 M candidates reach phase 2
  // with one thread and 128 M with two, where a filter of each chunk's
  // candidates let 176 M through. Its array is in transparent huge pages
  // (ZeroedWords): its probes are random, and in 4 KiB pages nearly every
  // one missed the TLB (9 RMs, one thread, 6% faster in huge pages).
  class RecentCandidates {
   public:
    // Sized for a level of `states` states a thread: a small model's
    // search does not clear megabytes. Growing forgets what was cached.
    void fit(size_t states) {
      size_t sets = kMinSets;
      while (sets < states && sets < kMaxSets) sets *= 2;
      if (sets > sets_) {
        sets_ = sets;
        ways_ = ZeroedWords(2 * sets_);
      }
    }
    bool contains(uint64_t fingerprint) const {
      const uint64_t* set = set_of(fingerprint);
      return set[0] == fingerprint || set[1] == fingerprint;
    }
    void prefetch(uint64_t fingerprint) const { prefetch_line(set_of(fingerprint)); }
    size_t bytes() const { return ways_.size() * sizeof(uint64_t); }
    // Records a candidate; the set's older fingerprint makes room.
    void add(uint64_t fingerprint) {
      uint64_t* set = ways_.data() + 2 * (fingerprint & (sets_ - 1));
      set[1] = set[0];
      set[0] = fingerprint;
    }

   private:
    static constexpr size_t kMinSets = size_t{1} << 10;
    static constexpr size_t kMaxSets = size_t{1} << 18;
    const uint64_t* set_of(uint64_t fingerprint) const { return ways_.data() + 2 * (fingerprint & (sets_ - 1)); }

    size_t sets_ = 0;
    ZeroedWords ways_;  // two a set, most recent first; 0: empty
  };
  using Filter = std::conditional_t<Visited::kExact, ChunkFilter, RecentCandidates>;

  // A thread's reusable buffers for phase 1.
  struct Scratch {
    Filter filter;
    // Two groups' worth: the one being checked and the next.
    std::array<std::vector<Successor<Action, State>>, 2 * kPrefetchGroup> successors;
    std::array<std::vector<uint64_t>, 2 * kPrefetchGroup> fingerprints;  // per successor, or a marker
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
        return violation(properties_.properties()[violated].name, "always", rebuild_trace(distinct_ - 1, {}, fingerprint));
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

  uint32_t first_violated_invariant(const State& state) const { return properties_.first_violated_invariant(state); }

  uint64_t goals_of(const State& state) const { return properties_.goals_of(state, reached_goals_); }

  void record_goals(uint64_t holds, int depth) {
    uint64_t fresh = holds & ~reached_goals_;
    for (size_t g = 0; g < properties_.goal_count(); ++g) {
      if (fresh >> g & 1) result_.goals[g] = {result_.goals[g].name, true, depth};
    }
    reached_goals_ |= fresh;
  }

  int owner_of(int partition) const { return partition % threads_; }

  // Phases 1 and 2 of the batch [begin, end) into `chunks`; phase 3 of the
  // batch before it, `unmerged`, on thread 0 while the others start phase
  // 1. Phase 1 reads only the current level and writes only its own
  // chunks, and phase 3 writes neither, so the two may overlap; phase 2
  // waits for the merge, which it needs for the queue's room and the goals
  // already reached. A violation the merge finds makes this batch's
  // work void, as a sequential search would never have reached it.
  bool explore_batch(size_t begin, size_t end, std::vector<Chunk>& chunks, std::vector<Chunk>* unmerged) {
    // Guided self-scheduling: each chunk takes a 1/(2T) share of the
    // states left, so the first chunks are long (a thread's cache of
    // recent candidates sees long runs of neighbouring states) and the
    // last ones short (a thread that runs out waits for at most one short
    // chunk of the other's).
    size_t chunk_count = 0;
    for (size_t position = begin; position < end; ++chunk_count) {
      const size_t share = (end - position) / (2 * static_cast<size_t>(threads_));
      const size_t length = std::min(end - position, std::max(share, kMinChunk));
      if (chunks.size() == chunk_count) chunks.emplace_back();
      chunks[chunk_count].begin = position;
      chunks[chunk_count].end = position += length;
    }
    chunks.resize(chunk_count);
    scratch_.resize(threads_);
    if constexpr (!Visited::kExact) {
      for (auto& scratch : scratch_) scratch.filter.fit(current_.size() / threads_);
    }
    // Each thread takes its chunks in increasing order, which
    // RecentCandidates relies on.
    std::atomic<size_t> next_chunk{0};
    bool merged = true;
    pool_.run([&](int thread) {
      if (thread == 0 && unmerged != nullptr) merged = merge_batch(*unmerged);
      for (size_t c = next_chunk++; c < chunk_count; c = next_chunk++) generate(chunks[c], scratch_[thread]);
    });
    if (!merged) return false;
    std::array<size_t, kPartitions> pending{};
    for (const auto& chunk : chunks) {
      for (int p = 0; p < kPartitions; ++p) pending[p] += chunk.per_partition[p];
    }
    const size_t queue_capacity = queue_capacity_for(candidates_of(pending));
    if (!fits_in_memory(pending, queue_capacity)) return false;
    const size_t size_before = visited_.size();
    plan_growths(pending);
    // Growing the queue (its copy, when it moves) and the tables first,
    // shared out as the threads come; then each thread's own partitions,
    // once all of that is done.
    const size_t tasks = 1 + growths_.size();
    std::atomic<size_t> next_task{0};
    std::atomic<size_t> tasks_done{0};
    pool_.run([&](int thread) {
      for (size_t task = next_task++; task < tasks; task = next_task++) {
        if (task == 0) {
          next_.reserve(queue_capacity);
        } else {
          visited_.reserve(growths_[task - 1].partition, growths_[task - 1].inserts);
        }
        tasks_done.fetch_add(1, std::memory_order_release);
      }
      while (tasks_done.load(std::memory_order_acquire) < tasks) std::this_thread::yield();
      insert_candidates(chunks, thread);
    });
    last_new_share_ = static_cast<double>(visited_.size() - size_before) / std::max<size_t>(1, candidates_of(pending));
    return true;
  }

  static size_t candidates_of(const std::array<size_t, kPartitions>& pending) {
    size_t candidates = 0;
    for (size_t count : pending) candidates += count;
    return candidates;
  }

  // The partitions this batch's inserts are expected to make grow, to be
  // grown at the start of phase 2 by whichever thread comes first: a growth
  // made by the partition's owner while inserting is work the other
  // threads wait for, and near the end of a 10-RM run one partition's
  // growth takes longer than a whole batch's inserts. The inserts a
  // partition expects are its candidates times the share of the last
  // batch's candidates that were new, and a quarter more; a partition that
  // takes more grows as it fills, as before.
  void plan_growths(const std::array<size_t, kPartitions>& pending) {
    growths_.clear();
    if (threads_ == 1) return;
    const double share = std::min(1.0, 1.25 * last_new_share_);
    for (int p = 0; p < kPartitions; ++p) {
      const auto inserts = static_cast<size_t>(share * static_cast<double>(pending[p]));
      if (visited_.grows_with(p, inserts)) growths_.push_back({p, inserts});
    }
  }

  bool merge_batch(std::vector<Chunk>& chunks) {
    for (auto& chunk : chunks) {
      if (!merge(chunk)) return false;
    }
    return true;
  }

  // Phase 1 for one chunk; stops at the chunk's first step violation or
  // deadlock, since nothing after it in the chunk can matter.
  void generate(Chunk& chunk, Scratch& scratch) {
    chunk.candidates.clear();
    chunk.by_owner.resize(threads_);
    for (auto& owned : chunk.by_owner) owned.clear();
    chunk.per_partition.fill(0);
    chunk.successor_counts.clear();
    chunk.stop = StopEvent{};
    chunk.depth_bound_hit = false;
    if constexpr (Visited::kExact) scratch.filter.reset();
    // Read once a chunk: the merge, running meanwhile on another core,
    // writes beside them (next_, result_.stats) for every state it merges.
    const State* states = current_.data();
    const bool beyond_depth = options_.max_depth > 0 && result_.stats.depth + 1 > options_.max_depth;
    // Software pipelining: the next group's successors are generated, and
    // their slots prefetched, before this group's are looked up, so each
    // probe has a whole group's work to arrive in.
    auto prepare = [&](size_t group) {
      const size_t group_end = std::min(chunk.end, group + kPrefetchGroup);
      const size_t base = (group - chunk.begin) / kPrefetchGroup % 2 * kPrefetchGroup;
      for (size_t position = group; position < group_end; ++position) {
        fingerprint_successors(states[position], scratch.successors[base + position - group],
                               scratch.fingerprints[base + position - group], scratch.filter);
      }
    };
    prepare(chunk.begin);
    for (size_t group = chunk.begin; group < chunk.end; group += kPrefetchGroup) {
      if (group + kPrefetchGroup < chunk.end) prepare(group + kPrefetchGroup);
      const size_t group_end = std::min(chunk.end, group + kPrefetchGroup);
      const size_t base = (group - chunk.begin) / kPrefetchGroup % 2 * kPrefetchGroup;
      for (size_t position = group; position < group_end; ++position) {
        if (!check_successors(chunk, position, states[position], beyond_depth,
                              scratch.successors[base + position - group],
                              scratch.fingerprints[base + position - group], scratch.filter)) {
          return;
        }
      }
    }
  }

  // Generates a state's successors and their fingerprints, and starts
  // loading each fingerprint's slot in the filter of earlier candidates
  // (and the visited set, when it is looked up in phase 1).
  void fingerprint_successors(const State& state, std::vector<Successor<Action, State>>& successors,
                              std::vector<uint64_t>& fingerprints, const Filter& filter) const {
    successors.clear();
    model_.successors(state, successors);
    fingerprints.resize(successors.size());
    for (size_t s = 0; s < successors.size(); ++s) {
      const State& next = successors[s].state;
      if (is_stutter(state, next)) {
        fingerprints[s] = kStutter;
      } else if (!model_.within_bounds(next)) {
        fingerprints[s] = kOutsideBounds;
      } else {
        fingerprints[s] = fingerprint_of(next);
        filter.prefetch(fingerprints[s]);
        if constexpr (kLookupFirst) visited_.prefetch(fingerprints[s]);
      }
    }
  }

  // Checks one state's successors; false at a violation. A successor that
  // is not a stutter nor a repeat within the chunk becomes a candidate,
  // for small states without a visited-set lookup: phase 2's insert says
  // whether it is new with one probe, where a lookup here would cost a
  // second one for every state that turns out new. Large states are looked
  // up first (kLookupFirst), since copying one into a candidate costs more
  // than the probe.
  bool check_successors(Chunk& chunk, size_t position, const State& state, bool beyond_depth,
                        std::vector<Successor<Action, State>>& successors, const std::vector<uint64_t>& fingerprints,
                        Filter& filter) {
    chunk.successor_counts.push_back(static_cast<uint32_t>(successors.size()));
    if (options_.coverage) {
      chunk.successor_kinds.clear();
      for (const auto& successor : successors) {
        const uint16_t kind = chunk.kind_number(kind_of(model_, successor.action));
        ++chunk.kind_generated[kind];
        chunk.successor_kinds.push_back(kind);
      }
    }
    if (properties_.check_deadlock() && successors.empty()) {
      chunk.stop = {static_cast<uint32_t>(position), "Deadlock", "deadlock", {}};
      return false;
    }
    for (uint32_t s = 0; s < successors.size(); ++s) {
      auto& successor = successors[s];
      const uint64_t fingerprint = fingerprints[s];
      if (fingerprint == kOutsideBounds) continue;
      bool repeat = fingerprint == kStutter || repeats_earlier_candidate(chunk, filter, fingerprint, successor.state);
      if (!repeat && (kLookupFirst || beyond_depth)) repeat = in_visited(fingerprint, successor.state);
      if (!repeat && beyond_depth) {
        chunk.depth_bound_hit = true;
        continue;
      }
      const bool candidate = !repeat;
      const bool stutter = fingerprint == kStutter;
      for (const auto& property : properties_.steps()) {
        if (stutter && property.stutters_hold) continue;
        if (!property.holds(state, successor.action, successor.state)) {
          chunk.stop = {static_cast<uint32_t>(position), property.name, "step",
                        {{model_.action_label(successor.action), model_.state_json(successor.state)}}};
          if (candidate) add_candidate(chunk, filter, fingerprint, position, s, std::move(successor.state));
          return false;
        }
      }
      if (candidate) add_candidate(chunk, filter, fingerprint, position, s, std::move(successor.state));
    }
    return true;
  }

  void add_candidate(Chunk& chunk, Filter& filter, uint64_t fingerprint, size_t position, uint32_t ordinal,
                     State&& state) {
    const int partition = Visited::partition_of(fingerprint);
    const auto index = static_cast<uint32_t>(chunk.candidates.size());
    ++chunk.per_partition[partition];
    // Under --exact a different state may hold the fingerprint already; the
    // filter keeps the earliest. Otherwise repeats_earlier_candidate found
    // none.
    if constexpr (Visited::kExact) {
      if (filter.find(fingerprint) == ChunkFilter::kNone) filter.add(fingerprint, index);
    } else {
      filter.add(fingerprint);
    }
    chunk.by_owner[owner_of(partition)].push_back({fingerprint, index});
    const uint16_t kind = options_.coverage ? chunk.successor_kinds[ordinal] : 0;
    chunk.candidates.push_back({fingerprint, static_cast<uint32_t>(position), ordinal, kNoViolation, false, kind, 0,
                                std::move(state)});
  }

  // Whether an earlier candidate is this state: one of the chunk's under
  // --exact, where an equal fingerprint is not enough; otherwise one in the
  // thread's cache of recent candidates.
  bool repeats_earlier_candidate(const Chunk& chunk, const Filter& filter, uint64_t fingerprint, const State& state) const {
    if constexpr (Visited::kExact) {
      const uint32_t earlier = filter.find(fingerprint);
      return earlier != ChunkFilter::kNone && key_of(chunk.candidates[earlier].state) == key_of(state);
    } else {
      return filter.contains(fingerprint);
    }
  }

  // Phase 2 for the partitions `thread` owns, each in the batch's order.
  // A partition grows as it fills rather than by the batch's candidates
  // up front: many candidates are duplicates, and growing for them would
  // leave the table emptier than its load bounds.
  void insert_candidates(std::vector<Chunk>& chunks, int thread) {
    constexpr size_t kAhead = 16;
    for (auto& chunk : chunks) {
      const auto& owned = chunk.by_owner[thread];
      for (size_t i = 0; i < owned.size(); ++i) {
        if (i + kAhead < owned.size()) visited_.prefetch(owned[i + kAhead].fingerprint);
        Candidate& candidate = chunk.candidates[owned[i].index];
        candidate.is_new = insert_visited(owned[i].fingerprint, candidate.state);
        if (candidate.is_new) {
          candidate.violated = first_violated_invariant(candidate.state);
          candidate.goals = goals_of(candidate.state);
        }
      }
    }
  }

  // The queue's capacity once it has room for `candidates` more states.
  size_t queue_capacity_for(size_t candidates) const {
    const size_t queue_needed = next_.size() + candidates;
    return queue_needed > next_.capacity() ? std::max(queue_needed, 2 * next_.capacity()) : next_.capacity();
  }

  // Before phase 2: whether the batch fits in the memory limit if every
  // candidate turns out new, with the queue grown to `queue_capacity`.
  bool fits_in_memory(const std::array<size_t, kPartitions>& pending, size_t queue_capacity) {
    const size_t candidates = candidates_of(pending);
    if (options_.memory_limit_bytes > 0) {
      uint64_t projected = baseline_memory_ + links_.bytes() + 2 * candidates + visited_.recycled_bytes();
      for (int p = 0; p < kPartitions; ++p) projected += visited_.bytes_to_hold(p, pending[p]);
      projected += (current_.capacity() + queue_capacity) * sizeof(State);
      for (const auto& scratch : scratch_) projected += scratch.filter.bytes();
      for (const auto& chunks : batches_) {
        for (const auto& chunk : chunks) projected += chunk.candidates.capacity() * sizeof(Candidate);
      }
      if (projected > options_.memory_limit_bytes) {
        result_.outcome = Outcome::kMemoryExhausted;
        return false;
      }
    }
    return true;
  }

  // Phase 3 for one chunk, in the order a sequential search takes.
  bool merge(Chunk& chunk) {
    const int depth = result_.stats.depth + 1;
    for (size_t kind = 0; kind < chunk.kind_generated.size(); ++kind) {
      coverage_[chunk.kind_names[kind]].generated += std::exchange(chunk.kind_generated[kind], 0);
    }
    size_t next_candidate = 0;
    for (size_t position = chunk.begin; position < chunk.end; ++position) {
      if (position - chunk.begin >= chunk.successor_counts.size()) break;
      result_.stats.total_states += chunk.successor_counts[position - chunk.begin];
      explored_ = position + 1;
      const uint64_t parent = level_start_ + position;
      uint64_t children = 0;
      for (; next_candidate < chunk.candidates.size() && chunk.candidates[next_candidate].position == position;
           ++next_candidate) {
        Candidate& candidate = chunk.candidates[next_candidate];
        if (!candidate.is_new) continue;
        if (options_.coverage) ++coverage_[chunk.kind_names[candidate.kind]].distinct;
        ++distinct_;
        ++children;
        links_.add_state(candidate.ordinal);
        if (on_new_state_) on_new_state_(candidate.state);
        if (candidate.violated != kNoViolation) {
          return violation(properties_.properties()[candidate.violated].name, "always",
                           rebuild_trace(parent, {candidate.ordinal}, candidate.fingerprint));
        }
        record_goals(candidate.goals, depth);
        if (limit_reached()) return false;
        next_.push_back(std::move(candidate.state));
      }
      if (chunk.stop.position == position) {
        auto trace = rebuild_trace(parent, {}, fingerprint_of(current_[position]));
        for (auto& step : chunk.stop.tail) trace.push_back(std::move(step));
        return violation(chunk.stop.property, chunk.stop.kind, std::move(trace));
      }
      links_.add_explored(children);
    }
    if (chunk.successor_counts.size() < chunk.end - chunk.begin) {
      // Phase 1 stops a chunk only at a step violation or a deadlock, which
      // the loop above reports before getting here.
      throw std::logic_error("a chunk stopped early without a violation to report");
    }
    if (chunk.depth_bound_hit) depth_bound_hit_ = true;
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

  // Re-executes, from an initial state, the successors that lead to stored
  // state `state`, then the successors `tail` from there; the state reached
  // must have the fingerprint `expected`.
  std::vector<TraceStep> rebuild_trace(uint64_t state, std::vector<uint64_t> tail, uint64_t expected) const {
    std::vector<uint64_t> ordinals(tail.rbegin(), tail.rend());
    for (; !links_.is_root(state); state = links_.parent(state)) ordinals.push_back(links_.ordinal(state));
    std::vector<State> initial = model_.initial_states();
    const uint64_t root = links_.ordinal(state);
    if (root >= initial.size()) throw std::logic_error("trace rebuild: the model has fewer initial states than before");
    State current = std::move(initial[root]);
    std::vector<TraceStep> trace;
    trace.push_back({"", model_.state_json(current)});
    std::vector<Successor<Action, State>> successors;
    for (auto ordinal = ordinals.rbegin(); ordinal != ordinals.rend(); ++ordinal) {
      successors.clear();
      model_.successors(current, successors);
      if (*ordinal >= successors.size()) {
        throw std::logic_error("trace rebuild: a state has fewer successors than before (a nondeterministic model?)");
      }
      Successor<Action, State>& step = successors[*ordinal];
      trace.push_back({model_.action_label(step.action), model_.state_json(step.state)});
      current = std::move(step.state);
    }
    if (fingerprint_of(current) != expected) {
      throw std::logic_error("trace rebuild: the state reached differs from the one found (a nondeterministic model?)");
    }
    return trace;
  }

  // The run's time, a resumed run's before it included.
  double elapsed_seconds() const {
    return seconds_before_ + std::chrono::duration<double>(Clock::now() - start_).count();
  }

  bool checkpoint_due() const {
    if (options_.checkpoint_path.empty()) return false;
    return std::chrono::duration<double>(Clock::now() - last_checkpoint_).count() >= options_.checkpoint_seconds;
  }

  // Saves the search between batches: everything but the states, which
  // resume() rebuilds from the links.
  void save_checkpoint() {
    CheckpointWriter out(options_.checkpoint_path);
    out.text(options_.configuration);
    out.u64(distinct_);
    out.u64(result_.stats.total_states);
    out.u64(static_cast<uint64_t>(result_.stats.depth));
    out.u64(level_start_);
    out.u64(current_.size());
    out.u64(explored_);
    out.u64(next_.size());
    out.u64(reached_goals_);
    out.u64(result_.goals.size());
    for (const GoalStatus& goal : result_.goals) out.u64(goal.reached ? static_cast<uint64_t>(goal.depth) : 0);
    out.u64(depth_bound_hit_ ? 1 : 0);
    out.f64(elapsed_seconds());
    out.f64(last_new_share_);
    links_.save(out);
    if constexpr (!Visited::kExact) visited_.save(out);
    out.commit();
    last_checkpoint_ = Clock::now();
    if (options_.progress) {
      std::fprintf(stderr, "progress: checkpoint %s written: %llu distinct states, %.1f s\n",
                   options_.checkpoint_path.c_str(), static_cast<unsigned long long>(distinct_), elapsed_seconds());
    }
  }

  // Loads a checkpoint and rebuilds the queue: the current level's states
  // and the children of those already explored, re-executed level by level
  // from the initial states along the parent links.
  void resume() {
    CheckpointReader in(options_.resume_path);
    const std::string configuration = in.text();
    if (configuration != options_.configuration) {
      // Quoted: the file's text may hold anything.
      in.fail("saved by another configuration (" + json_quote(configuration) + "; this run: " +
              json_quote(options_.configuration) + ")");
    }
    distinct_ = in.u64();
    result_.stats.total_states = in.u64();
    result_.stats.depth = static_cast<int>(in.u64());
    level_start_ = in.u64();
    const uint64_t level_size = in.u64();
    const uint64_t explored = in.u64();
    const uint64_t queued = in.u64();
    reached_goals_ = in.u64();
    if (in.u64() != result_.goals.size()) in.fail("saved with another set of goals");
    for (GoalStatus& goal : result_.goals) {
      const uint64_t depth = in.u64();
      if (depth > 0) goal = {goal.name, true, static_cast<int>(depth)};
    }
    depth_bound_hit_ = in.u64() != 0;
    seconds_before_ = in.f64();
    last_new_share_ = in.f64();
    links_.load(in, distinct_);
    if constexpr (!Visited::kExact) visited_.load(in);
    in.expect_end();
    if (explored > level_size || level_start_ + level_size + queued != distinct_ || visited_.size() != distinct_ ||
        links_.explored() != level_start_ + explored) {
      in.fail("its counts disagree");
    }
    // Level by level: `level` holds the states numbered [first, first + level.size()).
    // Every state rebuilt must be in the visited set, and none twice: with
    // the counts equal, the visited set is then exactly the states the
    // links lead to, and the search goes on as it would have.
    FingerprintTable rebuilt;
    auto admit = [&](const State& state) {
      const uint64_t fingerprint = fingerprint_of(state);
      if (!in_visited(fingerprint, state) || !rebuilt.insert(fingerprint)) {
        in.fail("the model does not rebuild the saved states (another build, or a nondeterministic model?)");
      }
    };
    std::vector<State> initial = model_.initial_states();
    std::vector<State> level;
    for (uint64_t root = 0; root < links_.roots(); ++root) {
      if (links_.ordinal(root) >= initial.size()) in.fail("an initial state the model does not have");
      level.push_back(initial[links_.ordinal(root)]);
      admit(level.back());
    }
    uint64_t first = 0;
    uint64_t next_number = links_.roots();
    std::vector<Successor<Action, State>> successors;
    // The children of the first `count` states of `level`, in order.
    auto children_of = [&](uint64_t count) {
      std::vector<State> children;
      for (uint64_t i = 0; i < count; ++i) {
        if (first + i >= links_.explored()) in.fail("its levels do not match its parent links");
        const uint64_t c = links_.children(first + i);
        if (c == 0) continue;
        successors.clear();
        model_.successors(level[i], successors);
        for (uint64_t k = 0; k < c; ++k, ++next_number) {
          if (next_number >= distinct_) in.fail("more children than states");
          const uint64_t ordinal = links_.ordinal(next_number);
          if (ordinal >= successors.size()) in.fail("a state with fewer successors than its links say");
          admit(successors[ordinal].state);
          children.push_back(std::move(successors[ordinal].state));
        }
      }
      return children;
    };
    while (first < level_start_) {
      std::vector<State> next = children_of(level.size());
      first += level.size();
      level = std::move(next);
      if (level.empty()) in.fail("its levels end before its current one");
      report_progress_if_due(0);
    }
    if (first != level_start_ || level.size() != level_size) in.fail("its current level does not rebuild");
    next_ = children_of(explored);
    if (next_number != distinct_) in.fail("its queue does not rebuild");
    current_ = std::move(level);
    explored_ = explored;
    if (options_.progress) {
      std::fprintf(stderr, "progress: resumed from %s: %llu distinct states, queue of %llu rebuilt in %.1f s\n",
                   options_.resume_path.c_str(), static_cast<unsigned long long>(distinct_),
                   static_cast<unsigned long long>(current_.size() - explored_ + next_.size()),
                   std::chrono::duration<double>(Clock::now() - start_).count());
    }
  }

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
    stats.visited_bytes = visited_.bytes() + links_.bytes();
    stats.bytes_per_state = distinct_ > 0 ? static_cast<double>(stats.visited_bytes) / static_cast<double>(distinct_) : 0;
    stats.exact = Visited::kExact;
    stats.fingerprint_collision_probability =
        Visited::kExact ? 0.0 : optimistic_collision_probability(distinct_, stats.total_states);
    if (result_.outcome == Outcome::kOk && distinct_ != visited_.size()) {
      throw std::logic_error("distinct states counted differ from the visited set's size");
    }
    settle_exhaustive_outcome(result_, depth_bound_hit_);
    if (options_.coverage) {
      if constexpr (HasActionKinds<M>) {
        for (const auto& kind : model_.action_kinds()) coverage_.try_emplace(kind);
      }
      for (const auto& [kind, counts] : coverage_) result_.coverage.push_back({kind, counts.generated, counts.distinct});
    }
    return std::move(result_);
  }

  // Read by every thread in phases 1 and 2, and not written during a level.
  const M& model_;
  SearchOptions options_;
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
  std::array<std::vector<Chunk>, 2> batches_;  // one being generated, the one before it being merged
  double last_new_share_ = 1;  // of the last batch's candidates
  struct Growth {
    int partition;
    size_t inserts;  // expected
  };
  std::vector<Growth> growths_;  // planned for the batch's phase 2
  std::map<std::string, ActionCoverage> coverage_;  // by kind, with --coverage
  std::vector<Scratch> scratch_;
  CheckResult result_;
  Clock::time_point start_;
  Clock::time_point last_progress_;
  Clock::time_point last_checkpoint_;
  double seconds_before_ = 0;  // a resumed run's, up to its checkpoint
  // Last, so that its threads start after, and stop before, the rest.
  alignas(64) WorkerPool pool_;
};

template <Model M>
CheckResult run_search(const M& model, const SearchOptions& options,
                       std::function<void(const typename M::State&)> on_new_state);

// The safety search, then the liveness properties if it found no
// violation; a liveness violation is the result, with the safety run's
// property lists.
template <Model M>
CheckResult run_with_liveness(const M& model, const SearchOptions& options,
                              std::function<void(const typename M::State&)> on_new_state) {
  if constexpr (HasLiveness<M>) {
    SearchOptions safety = options;
    safety.liveness = false;
    CheckResult result = run_search(model, safety, std::move(on_new_state));
    if (result.outcome == Outcome::kViolation) return result;
    if (result.outcome == Outcome::kMemoryExhausted || result.outcome == Outcome::kBoundExhausted ||
        result.outcome == Outcome::kInterrupted) {
      for (const auto& property : model.liveness_properties()) result.unchecked.push_back(property.name);
      return result;
    }
    CheckResult live = check_liveness(model, options);
    result.liveness = live.liveness;
    result.fairness = live.fairness;
    result.liveness_graph = live.liveness_graph;
    if (live.outcome == Outcome::kOk) return result;
    if (live.outcome != Outcome::kViolation) {
      // The safety search was complete; its counts stand, and the
      // liveness graph's show how far that phase got.
      result.outcome = live.outcome;
      result.stopped_phase = live.stopped_phase;
      result.unchecked = live.unchecked;
      return result;
    }
    live.invariants = result.invariants;
    live.goals = result.goals;
    return live;
  } else {
    throw std::invalid_argument("--liveness: this model states no liveness properties");
  }
}

template <Model M>
CheckResult run_search(const M& model, const SearchOptions& options,
                       std::function<void(const typename M::State&)> on_new_state) {
  using State = typename M::State;
  if (options.coverage && options.mode != SearchMode::kBreadthFirst) {
    throw std::invalid_argument("--coverage applies to --search bfs");
  }
  if (options.liveness) {
    if (options.mode != SearchMode::kBreadthFirst) throw std::invalid_argument("--liveness applies to --search bfs");
    return run_with_liveness(model, options, std::move(on_new_state));
  }
  CheckResult result = [&] {
    if (options.mode == SearchMode::kSimulate) return simulate(model, options);
    if (options.mode == SearchMode::kDepthFirst) return depth_first(model, options);
    if (options.exact) {
      if constexpr (std::equality_comparable<State>) {
        return BreadthFirstSearch<M, ExactVisitedSet<State>>(model, options, std::move(on_new_state)).run();
      } else {
        throw std::invalid_argument("--exact: this model's states cannot be compared (no ==)");
      }
    }
    return BreadthFirstSearch<M, VisitedSet>(model, options, std::move(on_new_state)).run();
  }();
  const bool stopped = result.outcome == Outcome::kBoundExhausted || result.outcome == Outcome::kMemoryExhausted ||
                       result.outcome == Outcome::kInterrupted;
  if (stopped && result.stopped_phase.empty()) {
    result.stopped_phase = options.mode == SearchMode::kSimulate ? "simulation" : "safety";
  }
  return result;
}

}  // namespace detail

// Explores every state reachable within the model's bounds, breadth first.
template <Model M>
CheckResult check(const M& model, const SearchOptions& options = {}) {
  return detail::run_search(model, options, nullptr);
}

// The same, calling `on_new_state` once for every distinct state stored,
// in the order a sequential search stores them, before its properties are
// checked.
template <Model M>
CheckResult check(const M& model, const SearchOptions& options,
                  std::function<void(const typename M::State&)> on_new_state) {
  return detail::run_search(model, options, std::move(on_new_state));
}

}  // namespace crosscheck::mc
