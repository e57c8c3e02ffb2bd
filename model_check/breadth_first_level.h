// The breadth-first search's level expansion: a level taken in batches,
// each in the three phases breadth_first_search.h describes.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "model_check/breadth_first_search.h"

namespace crosscheck::mc::detail {

// The current level's batches from state `first` on; false where the run
// ends (a violation, a limit, a stop request). Each batch's merge, which
// is sequential, runs while the next batch of the level is generated
// (explore_batch), so that it does not hold the other threads up.
template <Model M, class Visited>
bool BreadthFirstSearch<M, Visited>::explore_level(size_t first, size_t batch_size) {
  std::vector<Chunk>* unmerged = nullptr;
  int parity = 0;
  for (size_t begin = first; begin < current_.size(); begin += batch_size) {
    size_t end = std::min(current_.size(), begin + batch_size);
    if (!explore_batch(begin, end, batches_[parity], unmerged)) return false;
    unmerged = &batches_[parity];
    parity ^= 1;
    report_progress_if_due(explored_);
    const bool stop = options_.stop_requested();
    if (stop || checkpoint_due()) {
      // Between batches, once the last one is merged, the visited set,
      // the links and the queue agree: a point to save and to stop at.
      if (!merge_batch(*unmerged)) return false;
      unmerged = nullptr;
      if (options_.checkpoint.saves()) save_checkpoint();
      if (stop) {
        result_.outcome = Outcome::kInterrupted;
        return false;
      }
    }
  }
  return unmerged == nullptr || merge_batch(*unmerged);
}

// Phases 1 and 2 of the batch [begin, end) into `chunks`; phase 3 of the
// batch before it, `unmerged`, on thread 0 while the others start phase
// 1. Phase 1 reads only the current level and writes only its own
// chunks, and phase 3 writes neither, so the two may overlap; phase 2
// waits for the merge, which it needs for the queue's room and the goals
// already reached. A violation the merge finds makes this batch's
// work void, as a sequential search would never have reached it.
template <Model M, class Visited>
bool BreadthFirstSearch<M, Visited>::explore_batch(size_t begin, size_t end,
                                                   std::vector<Chunk>& chunks,
                                                   std::vector<Chunk>* unmerged) {
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
    for (size_t c = next_chunk++; c < chunk_count; c = next_chunk++) {
      generate(chunks[c], scratch_[thread]);
    }
  });
  if (!merged) return false;
  std::array<size_t, kPartitions> pending{};
  for (const auto& chunk : chunks) {
    for (int p = 0; p < kPartitions; ++p) pending[p] += chunk.per_partition[p];
  }
  const size_t queue_capacity = queue_capacity_for(candidates_of(pending));
  if (!fits_in_memory(pending, queue_capacity)) return false;
  insert_batch(chunks, pending, queue_capacity);
  return true;
}

// Phase 2. Growing the queue (its copy, when it moves) and the tables
// first, shared out as the threads come; then each thread's own
// partitions, once all of that is done.
template <Model M, class Visited>
void BreadthFirstSearch<M, Visited>::insert_batch(std::vector<Chunk>& chunks,
                                                  const std::array<size_t, kPartitions>& pending,
                                                  size_t queue_capacity) {
  const size_t size_before = visited_.size();
  plan_growths(pending);
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
  last_new_share_ = static_cast<double>(visited_.size() - size_before) /
                    static_cast<double>(std::max<size_t>(1, candidates_of(pending)));
}

// The partitions this batch's inserts are expected to make grow, to be
// grown at the start of phase 2 by whichever thread comes first: a growth
// made by the partition's owner while inserting is work the other
// threads wait for, and near the end of a 10-RM run one partition's
// growth takes longer than a whole batch's inserts. The inserts a
// partition expects are its candidates times the share of the last
// batch's candidates that were new, and a quarter more; a partition that
// takes more grows as it fills, as before.
template <Model M, class Visited>
void BreadthFirstSearch<M, Visited>::plan_growths(const std::array<size_t, kPartitions>& pending) {
  growths_.clear();
  if (threads_ == 1) return;
  const double share = std::min(1.0, 1.25 * last_new_share_);
  for (int p = 0; p < kPartitions; ++p) {
    const auto inserts = static_cast<size_t>(share * static_cast<double>(pending[p]));
    if (visited_.grows_with(p, inserts)) growths_.push_back({p, inserts});
  }
}

template <Model M, class Visited>
bool BreadthFirstSearch<M, Visited>::merge_batch(std::vector<Chunk>& chunks) {
  for (auto& chunk : chunks) {
    if (!merge(chunk)) return false;
  }
  return true;
}

// Phase 1 for one chunk; stops at the chunk's first step violation or
// deadlock, since nothing after it in the chunk can matter.
template <Model M, class Visited>
void BreadthFirstSearch<M, Visited>::generate(Chunk& chunk, Scratch& scratch) {
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
  auto slot_of = [&](size_t group, size_t position) {
    return (group - chunk.begin) / kPrefetchGroup % 2 * kPrefetchGroup + position - group;
  };
  auto prepare = [&](size_t group) {
    const size_t group_end = std::min(chunk.end, group + kPrefetchGroup);
    for (size_t position = group; position < group_end; ++position) {
      const size_t slot = slot_of(group, position);
      fingerprint_successors(states[position], scratch.successors[slot], scratch.fingerprints[slot],
                             scratch.filter);
    }
  };
  prepare(chunk.begin);
  for (size_t group = chunk.begin; group < chunk.end; group += kPrefetchGroup) {
    if (group + kPrefetchGroup < chunk.end) prepare(group + kPrefetchGroup);
    const size_t group_end = std::min(chunk.end, group + kPrefetchGroup);
    for (size_t position = group; position < group_end; ++position) {
      const size_t slot = slot_of(group, position);
      if (!check_successors(chunk, position, states[position], beyond_depth,
                            scratch.successors[slot], scratch.fingerprints[slot], scratch.filter)) {
        return;
      }
    }
  }
}

// Generates a state's successors and their fingerprints, and starts
// loading each fingerprint's slot in the filter of earlier candidates
// (and the visited set, when it is looked up in phase 1).
template <Model M, class Visited>
void BreadthFirstSearch<M, Visited>::fingerprint_successors(
    const State& state, std::vector<Successor<Action, State>>& successors,
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
template <Model M, class Visited>
bool BreadthFirstSearch<M, Visited>::check_successors(
    Chunk& chunk, size_t position, const State& state, bool beyond_depth,
    std::vector<Successor<Action, State>>& successors, const std::vector<uint64_t>& fingerprints,
    Filter& filter) {
  chunk.successor_counts.push_back(static_cast<uint32_t>(successors.size()));
  if (options_.coverage) count_kinds(chunk, successors);
  if (properties_.check_deadlock() && successors.empty()) {
    chunk.stop = {static_cast<uint32_t>(position), "Deadlock", "deadlock", {}};
    return false;
  }
  for (uint32_t s = 0; s < successors.size(); ++s) {
    auto& successor = successors[s];
    const uint64_t fingerprint = fingerprints[s];
    if (fingerprint == kOutsideBounds) continue;
    bool repeat = fingerprint == kStutter ||
                  repeats_earlier_candidate(chunk, filter, fingerprint, successor.state);
    if (!repeat && (kLookupFirst || beyond_depth)) {
      repeat = in_visited(fingerprint, successor.state);
    }
    if (!repeat && beyond_depth) {
      chunk.depth_bound_hit = true;
      continue;
    }
    const bool candidate = !repeat;
    const bool stutter = fingerprint == kStutter;
    for (const auto& property : properties_.steps()) {
      if (stutter && property.stutters_hold) continue;
      if (!property.holds(state, successor.action, successor.state)) {
        chunk.stop = {static_cast<uint32_t>(position),
                      property.name,
                      "step",
                      {{model_.action_label(successor.action), model_.state_json(successor.state)}},
                      explain_step(property, state, successor.action, successor.state)};
        if (candidate) {
          add_candidate(chunk, filter, fingerprint, position, s, std::move(successor.state));
        }
        return false;
      }
    }
    if (candidate) {
      add_candidate(chunk, filter, fingerprint, position, s, std::move(successor.state));
    }
  }
  return true;
}

// With coverage: counts the steps of each kind, and notes each
// successor's kind for its candidate.
template <Model M, class Visited>
void BreadthFirstSearch<M, Visited>::count_kinds(
    Chunk& chunk, const std::vector<Successor<Action, State>>& successors) {
  chunk.successor_kinds.clear();
  for (const auto& successor : successors) {
    const uint16_t kind = chunk.kind_number(kind_of(model_, successor.action));
    ++chunk.kind_generated[kind];
    chunk.successor_kinds.push_back(kind);
  }
}

template <Model M, class Visited>
void BreadthFirstSearch<M, Visited>::add_candidate(Chunk& chunk, Filter& filter,
                                                   uint64_t fingerprint, size_t position,
                                                   uint32_t ordinal, State&& state) {
  const int partition = Visited::partition_of(fingerprint);
  const auto index = static_cast<uint32_t>(chunk.candidates.size());
  ++chunk.per_partition[partition];
  // Under exact a different state may hold the fingerprint already; the
  // filter keeps the earliest. Otherwise repeats_earlier_candidate found
  // none.
  if constexpr (Visited::kExact) {
    if (filter.find(fingerprint) == ChunkFilter::kNone) filter.add(fingerprint, index);
  } else {
    filter.add(fingerprint);
  }
  chunk.by_owner[owner_of(partition)].push_back({fingerprint, index});
  const uint16_t kind = options_.coverage ? chunk.successor_kinds[ordinal] : 0;
  chunk.candidates.push_back({fingerprint, static_cast<uint32_t>(position), ordinal, kNoViolation,
                              false, kind, 0, std::move(state)});
}

// Whether an earlier candidate is this state: one of the chunk's under
// exact, where an equal fingerprint is not enough; otherwise one in the
// thread's cache of recent candidates.
template <Model M, class Visited>
bool BreadthFirstSearch<M, Visited>::repeats_earlier_candidate(const Chunk& chunk,
                                                               const Filter& filter,
                                                               uint64_t fingerprint,
                                                               const State& state) const {
  if constexpr (Visited::kExact) {
    const uint32_t earlier = filter.find(fingerprint);
    return earlier != ChunkFilter::kNone &&
           key_of(chunk.candidates[earlier].state) == key_of(state);
  } else {
    return filter.contains(fingerprint);
  }
}

// Phase 2 for the partitions `thread` owns, each in the batch's order.
// A partition grows as it fills rather than by the batch's candidates
// up front: many candidates are duplicates, and growing for them would
// leave the table emptier than its load bounds.
template <Model M, class Visited>
void BreadthFirstSearch<M, Visited>::insert_candidates(std::vector<Chunk>& chunks, int thread) {
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
template <Model M, class Visited>
size_t BreadthFirstSearch<M, Visited>::queue_capacity_for(size_t candidates) const {
  const size_t queue_needed = next_.size() + candidates;
  return queue_needed > next_.capacity() ? std::max(queue_needed, 2 * next_.capacity())
                                         : next_.capacity();
}

// Before phase 2: whether the batch fits in the memory limit if every
// candidate turns out new, with the queue grown to `queue_capacity`.
template <Model M, class Visited>
bool BreadthFirstSearch<M, Visited>::fits_in_memory(const std::array<size_t, kPartitions>& pending,
                                                    size_t queue_capacity) {
  if (options_.memory_limit_bytes == 0) return true;
  const size_t candidates = candidates_of(pending);
  uint64_t projected =
      baseline_memory_ + links_.bytes() + 2 * candidates + visited_.recycled_bytes();
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
  return true;
}

// Phase 3 for one chunk, in the order a sequential search takes.
template <Model M, class Visited>
bool BreadthFirstSearch<M, Visited>::merge(Chunk& chunk) {
  for (size_t kind = 0; kind < chunk.kind_generated.size(); ++kind) {
    coverage_[chunk.kind_names[kind]].generated += std::exchange(chunk.kind_generated[kind], 0);
  }
  size_t next_candidate = 0;
  for (size_t position = chunk.begin; position < chunk.end; ++position) {
    if (position - chunk.begin >= chunk.successor_counts.size()) break;
    result_.stats.total_states += chunk.successor_counts[position - chunk.begin];
    explored_ = position + 1;
    uint64_t children = 0;
    if (!merge_candidates(chunk, position, next_candidate, children)) return false;
    if (chunk.stop.position == position) {
      auto trace = rebuild_trace(level_start_ + position, {}, fingerprint_of(current_[position]));
      for (auto& step : chunk.stop.tail) trace.push_back(std::move(step));
      result_.why = std::move(chunk.stop.why);
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

// The candidates of the state at `position`, from `next_candidate` on:
// the new ones are counted (in `children`), linked and queued; false at a
// violation or the state limit.
template <Model M, class Visited>
bool BreadthFirstSearch<M, Visited>::merge_candidates(Chunk& chunk, size_t position,
                                                      size_t& next_candidate, uint64_t& children) {
  const int depth = result_.stats.depth + 1;
  for (; next_candidate < chunk.candidates.size() &&
         chunk.candidates[next_candidate].position == position;
       ++next_candidate) {
    Candidate& candidate = chunk.candidates[next_candidate];
    if (!candidate.is_new) continue;
    if (options_.coverage) ++coverage_[chunk.kind_names[candidate.kind]].distinct;
    ++distinct_;
    ++children;
    links_.add_state(candidate.ordinal);
    if (on_new_state_) on_new_state_(candidate.state);
    if (candidate.violated != kNoViolation) {
      return violation(
          properties_.properties()[candidate.violated].name, "always",
          rebuild_trace(level_start_ + position, {candidate.ordinal}, candidate.fingerprint));
    }
    record_goals(candidate.goals, depth);
    if (limit_reached()) return false;
    next_.push_back(std::move(candidate.state));
  }
  return true;
}

}  // namespace crosscheck::mc::detail
