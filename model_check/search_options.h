// How a check explores: the search mode, its bounds and resources. Shared by
// the breadth-first search, depth-first search and simulation.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace crosscheck::mc {

enum class SearchMode {
  kBreadthFirst,  // every reachable state, shortest counterexamples
  kDepthFirst,    // every reachable state within --max-depth, less memory for the frontier
  kSimulate,      // seeded random walks, beyond any exhaustive bound
};

const char* search_mode_name(SearchMode mode);

struct SearchOptions {
  uint64_t max_states = 0;  // stop with bound_exhausted past this many distinct states; 0: no limit
  int max_depth = 0;        // do not explore past this depth (TLC's convention); 0: no limit
  int threads = 1;          // worker threads; the result does not depend on it
  // Breadth-first search takes a level in batches of this many states a
  // thread; 0: the default, 16384. Tests set it small so that a level of a
  // small model takes many batches.
  int states_per_thread_batch = 0;
  bool symmetry = false;    // identify states by their orbit (the model must define canonical())
  bool exact = false;       // keep whole states, not fingerprints (State must have ==)
  // Stop with memory_exhausted rather than pass this many bytes: the
  // resident memory when the search starts plus the search's own data
  // structures, estimated before they grow; 0: no limit.
  uint64_t memory_limit_bytes = 0;
  bool progress = false;    // a progress line on stderr about every progress_seconds
  double progress_seconds = 2.0;

  SearchMode mode = SearchMode::kBreadthFirst;
  // Simulation: walk w draws every choice from a generator seeded by
  // (seed, w), so the seed alone reproduces a run, whatever the thread
  // count or shard layout.
  uint64_t seed = 0;
  uint64_t walks = 1000;
  int walk_depth = 100;  // steps a walk takes at most
  // Swarm testing: K configurations drawn from the seed, walk w using
  // configuration w mod K, each weighting every kind of action by 0 to 3
  // (0: the walk never takes it, unless nothing else is enabled).
  int swarm = 0;
  // Test sharding: this process runs the walks w with w mod shard_count
  // == shard_index.
  int shard_index = 0;
  int shard_count = 1;
  bool shrink = true;  // shorten a violating walk by removing steps

  // After a breadth-first search finds no violation, check the model's
  // liveness properties on the explicit state graph (liveness.h).
  bool liveness = false;
  // Count, for each kind of action, the steps generated and the new states
  // found (breadth-first search only; costs an action label a step).
  bool coverage = false;

  // Breadth-first search: save the search to checkpoint_path every
  // checkpoint_seconds and when stopped (check --checkpoint), or continue
  // the one saved at resume_path (check --resume). `configuration` names
  // the model and its bounds: a checkpoint resumes only the same run.
  std::string checkpoint_path;
  double checkpoint_seconds = 600;
  std::string resume_path;
  std::string configuration;
  // Set, e.g. by a signal handler, to stop at the next point where the
  // search can stop cleanly (and save itself, with a checkpoint path):
  // outcome interrupted.
  const std::atomic<bool>* stop = nullptr;

  bool stop_requested() const { return stop != nullptr && stop->load(std::memory_order_relaxed); }
};

}  // namespace crosscheck::mc
