// Options a search cannot take, or cannot take with this model, as values
// of the core's own. The message names options by their fields; a command
// line that offers them as flags words them in its own terms
// (cli/search_errors.h).
#pragma once

#include <stdexcept>

namespace crosscheck::mc {

class OptionError : public std::invalid_argument {
 public:
  enum class Kind {
    kNoSymmetry,                          // symmetry, for a model without canonical()
    kExactNeedsEquality,                  // exact, for a model whose states have no ==
    kExactNeedsBreadthFirst,              // exact, with depth-first search
    kCoverageNeedsBreadthFirst,           // coverage, with another strategy
    kLivenessNeedsBreadthFirst,           // liveness, with another strategy
    kCheckpointNeedsBreadthFirst,         // a checkpoint or resume path, with another strategy
    kNoLivenessProperties,                // liveness, for a model that states none
    kCheckpointWithExact,                 // a checkpoint keeps fingerprints, not whole states
    kCheckpointWithCoverage,              // a checkpoint keeps no coverage counts
    kSimulationIgnoresExhaustiveOptions,  // exact, symmetry or max_depth, with simulation
    kShardOutOfRange,                     // not 0 <= shard_index < shard_count
    kWalkDepthBelowOne,                   // a walk of no steps
    kTooManyActionKinds,                  // coverage counts at most 65535 kinds of action
    kTooManyLivenessProperties,           // the liveness graph holds at most 32 properties
    kNoPartialOrder,                      // partial_order, for a model whose steps never commute
    kPartialOrderAlone,  // partial_order, with dfs, simulate, symmetry, exact, coverage,
                         // liveness or a checkpoint
  };

  explicit OptionError(Kind kind);
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// The message of an OptionError of this kind.
const char* option_error_message(OptionError::Kind kind);

}  // namespace crosscheck::mc
