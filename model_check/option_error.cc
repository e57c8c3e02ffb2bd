#include "model_check/option_error.h"

namespace crosscheck::mc {

OptionError::OptionError(Kind kind)
    : std::invalid_argument(option_error_message(kind)), kind_(kind) {}

const char* option_error_message(OptionError::Kind kind) {
  using Kind = OptionError::Kind;
  switch (kind) {
    case Kind::kNoSymmetry: return "symmetry: this model defines no symmetry (no canonical())";
    case Kind::kExactNeedsEquality: return "exact: this model's states cannot be compared (no ==)";
    case Kind::kExactNeedsBreadthFirst: return "exact applies to the breadth-first search only";
    case Kind::kCoverageNeedsBreadthFirst:
      return "coverage applies to the breadth-first search only";
    case Kind::kLivenessNeedsBreadthFirst:
      return "liveness applies to the breadth-first search only";
    case Kind::kCheckpointNeedsBreadthFirst:
      return "checkpoint_path and resume_path apply to the breadth-first search only";
    case Kind::kNoLivenessProperties: return "liveness: this model states no liveness properties";
    case Kind::kCheckpointWithExact:
      return "a checkpoint keeps fingerprints: checkpoint_path and resume_path do not go with "
             "exact";
    case Kind::kCheckpointWithCoverage:
      return "a checkpoint keeps no coverage counts: checkpoint_path and resume_path do not go "
             "with "
             "coverage";
    case Kind::kSimulationIgnoresExhaustiveOptions:
      return "exact, symmetry and max_depth apply to the exhaustive searches, not simulation (a "
             "walk's "
             "length is walk_depth)";
    case Kind::kShardOutOfRange:
      return "shard_index out of range: it must be at least 0 and below shard_count";
    case Kind::kWalkDepthBelowOne: return "walk_depth must be at least 1";
    case Kind::kTooManyActionKinds: return "coverage: more than 65535 kinds of action";
    case Kind::kTooManyLivenessProperties: return "liveness: more than 32 properties";
    case Kind::kNoPartialOrder:
      return "partial_order: this model says none of its steps commute (no footprint())";
    case Kind::kPartialOrderAlone:
      return "partial_order is a breadth-first search of its own: not with depth-first search, "
             "simulation, symmetry, exact, coverage, liveness or a checkpoint";
  }
  return "an option the search cannot take";
}

}  // namespace crosscheck::mc
