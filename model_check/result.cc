#include "model_check/result.h"

namespace crosscheck::mc {

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return "ok";
    case Outcome::kViolation: return "violation";
    case Outcome::kGoalUnreached: return "goal_unreached";
    case Outcome::kBoundExhausted: return "bound_exhausted";
    case Outcome::kMemoryExhausted: return "memory_exhausted";
  }
  return "unknown";
}

}  // namespace crosscheck::mc
