// What a breadth-first search (breadth_first.h) takes besides the common
// options.
#pragma once

#include <string>

#include "model_check/common_options.h"

namespace crosscheck::mc {

// Saving the search between batches, and continuing a saved one
// (checkpoint.h).
struct CheckpointOptions {
  std::string path;  // save the search here every `seconds` and when stopped; empty: never
  double seconds = 600;
  std::string resume_path;  // continue the search saved here; empty: start afresh
  // Names the model and its bounds: a checkpoint resumes only the same run.
  std::string configuration;

  bool saves() const { return !path.empty(); }
  bool resumes() const { return !resume_path.empty(); }
};

struct BreadthFirstOptions : CommonOptions {
  int max_depth = 0;      // do not explore past this depth (TLC's convention); 0: no limit
  bool symmetry = false;  // identify states by their orbit (the model must define canonical())
  bool exact = false;     // keep whole states, not fingerprints (State must have ==)
  // Count, for each kind of action, the steps generated and the new states
  // found (costs an action label a step).
  bool coverage = false;
  // A level is taken in batches of this many states a thread; 0: the
  // default, 16384. Tests set it small so that a level of a small model
  // takes many batches.
  int states_per_thread_batch = 0;
  CheckpointOptions checkpoint;
};

}  // namespace crosscheck::mc
