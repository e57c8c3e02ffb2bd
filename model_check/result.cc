#include "model_check/result.h"

#include "model_check/search_options.h"

namespace crosscheck::mc {

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return "ok";
    case Outcome::kViolation: return "violation";
    case Outcome::kGoalUnreached: return "goal_unreached";
    case Outcome::kBoundExhausted: return "bound_exhausted";
    case Outcome::kMemoryExhausted: return "memory_exhausted";
    case Outcome::kInterrupted: return "interrupted";
  }
  return "unknown";
}

const char* search_mode_name(SearchMode mode) {
  switch (mode) {
    case SearchMode::kBreadthFirst: return "bfs";
    case SearchMode::kDepthFirst: return "dfs";
    case SearchMode::kSimulate: return "simulate";
  }
  return "unknown";
}

}  // namespace crosscheck::mc
