// The front door's options (search.h's check): which strategy explores,
// with every strategy's options in one bag. The front door hands the
// chosen strategy its own typed options (BreadthFirstOptions,
// DepthFirstOptions, SimulationOptions) and refuses, with an OptionError,
// what that strategy cannot take.
#pragma once

#include <cstdint>
#include <string>

#include "model_check/common_options.h"

namespace crosscheck::mc {

enum class SearchMode {
  kBreadthFirst,  // every reachable state, shortest counterexamples
  kDepthFirst,    // every reachable state within max_depth, less memory for the frontier
  kSimulate,      // seeded random walks, beyond any exhaustive bound
};

const char* search_mode_name(SearchMode mode);

// max_states, memory_limit_bytes, threads, progress and stop: CommonOptions.
struct SearchOptions : CommonOptions {
  SearchMode mode = SearchMode::kBreadthFirst;

  // The exhaustive searches (breadth first, depth first):
  int max_depth = 0;      // do not explore past this depth (TLC's convention); 0: no limit
  bool symmetry = false;  // identify states by their orbit (the model must define canonical())
  // Breadth first with sleep sets (sleep_sets.h), on one thread: fewer
  // steps, every state (the model must say which steps commute).
  bool partial_order = false;

  // Breadth-first search (BreadthFirstOptions says more):
  int states_per_thread_batch = 0;
  bool exact = false;  // keep whole states, not fingerprints (State must have ==)
  // After a breadth-first search finds no violation, check the model's
  // liveness properties on the explicit state graph (liveness.h).
  bool liveness = false;
  bool coverage = false;
  std::string checkpoint_path;
  double checkpoint_seconds = 600;
  std::string resume_path;
  std::string configuration;

  // Simulation (SimulationOptions says more):
  uint64_t seed = 0;
  uint64_t walks = 1000;
  int walk_depth = 100;
  int swarm = 0;
  int shard_index = 0;
  int shard_count = 1;
  bool shrink = true;
  bool keep_first_walk = false;
};

}  // namespace crosscheck::mc
