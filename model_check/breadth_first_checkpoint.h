// The breadth-first search saved between batches, and resumed
// (checkpoint.h has the file's format): everything but the states, which
// resuming rebuilds from the parent links.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "model_check/breadth_first_search.h"
#include "model_check/checkpoint.h"
#include "model_check/json.h"

namespace crosscheck::mc::detail {

template <Model M, class Visited>
bool BreadthFirstSearch<M, Visited>::checkpoint_due() const {
  if (!options_.checkpoint.saves()) return false;
  return std::chrono::duration<double>(Clock::now() - last_checkpoint_).count() >=
         options_.checkpoint.seconds;
}

template <Model M, class Visited>
void BreadthFirstSearch<M, Visited>::save_checkpoint() {
  CheckpointWriter out(options_.checkpoint.path);
  out.text(options_.checkpoint.configuration);
  out.u64(distinct_);
  out.u64(result_.stats.total_states);
  out.u64(static_cast<uint64_t>(result_.stats.depth));
  out.u64(level_start_);
  out.u64(current_.size());
  out.u64(explored_);
  out.u64(next_.size());
  out.u64(reached_goals_);
  out.u64(result_.goals.size());
  for (const GoalStatus& goal : result_.goals) {
    out.u64(goal.reached ? static_cast<uint64_t>(goal.depth) : 0);
  }
  out.u64(depth_bound_hit_ ? 1 : 0);
  out.f64(elapsed_seconds());
  out.f64(last_new_share_);
  links_.save(out);
  if constexpr (!Visited::kExact) visited_.save(out);
  out.commit();
  last_checkpoint_ = Clock::now();
  if (options_.progress) {
    std::fprintf(stderr, "progress: checkpoint %s written: %llu distinct states, %.1f s\n",
                 options_.checkpoint.path.c_str(), static_cast<unsigned long long>(distinct_),
                 elapsed_seconds());
  }
}

// Loads a checkpoint and rebuilds the queue: the current level's states
// and the children of those already explored, re-executed level by level
// from the initial states along the parent links.
template <Model M, class Visited>
void BreadthFirstSearch<M, Visited>::resume() {
  CheckpointReader in(options_.checkpoint.resume_path);
  const SavedLevel level = read_checkpoint(in);
  rebuild_queue(in, level);
  if (options_.progress) {
    std::fprintf(
        stderr,
        "progress: resumed from %s: %llu distinct states, queue of %llu rebuilt in %.1f s\n",
        options_.checkpoint.resume_path.c_str(), static_cast<unsigned long long>(distinct_),
        static_cast<unsigned long long>(current_.size() - explored_ + next_.size()),
        std::chrono::duration<double>(Clock::now() - start_).count());
  }
}

// The counts, goals, links and visited set a checkpoint holds, checked
// against each other.
template <Model M, class Visited>
auto BreadthFirstSearch<M, Visited>::read_checkpoint(CheckpointReader& in) -> SavedLevel {
  const std::string configuration = in.text();
  if (configuration != options_.checkpoint.configuration) {
    // Quoted: the file's text may hold anything.
    in.fail("saved by another configuration (" + json_quote(configuration) +
            "; this run: " + json_quote(options_.checkpoint.configuration) + ")");
  }
  distinct_ = in.u64();
  result_.stats.total_states = in.u64();
  result_.stats.depth = static_cast<int>(in.u64());
  level_start_ = in.u64();
  SavedLevel level;
  level.size = in.u64();
  level.explored = in.u64();
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
  if (level.explored > level.size || level_start_ + level.size + queued != distinct_ ||
      visited_.size() != distinct_ || links_.explored() != level_start_ + level.explored) {
    in.fail("its counts disagree");
  }
  return level;
}

// Level by level: `level` holds the states numbered [first, first +
// level.size()). Every state rebuilt must be in the visited set, and none
// twice: with the counts equal, the visited set is then exactly the states
// the links lead to, and the search goes on as it would have.
template <Model M, class Visited>
void BreadthFirstSearch<M, Visited>::rebuild_queue(const CheckpointReader& in, SavedLevel saved) {
  FingerprintTable rebuilt;
  auto admit = [&](const State& state) {
    const uint64_t fingerprint = fingerprint_of(state);
    if (!in_visited(fingerprint, state) || !rebuilt.insert(fingerprint)) {
      in.fail(
          "the model does not rebuild the saved states (another build, or a nondeterministic "
          "model?)");
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
        if (ordinal >= successors.size()) {
          in.fail("a state with fewer successors than its links say");
        }
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
  if (first != level_start_ || level.size() != saved.size) {
    in.fail("its current level does not rebuild");
  }
  next_ = children_of(saved.explored);
  if (next_number != distinct_) in.fail("its queue does not rebuild");
  current_ = std::move(level);
  explored_ = saved.explored;
}

}  // namespace crosscheck::mc::detail
