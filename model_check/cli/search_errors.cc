#include "model_check/cli/search_errors.h"

namespace crosscheck::cli {

std::string word_for_command_line(const mc::OptionError& error) {
  using Kind = mc::OptionError::Kind;
  switch (error.kind()) {
    case Kind::kNoSymmetry: return "--symmetry: this model defines no symmetry";
    case Kind::kExactNeedsEquality:
      return "--exact: this model's states cannot be compared (no ==)";
    case Kind::kExactNeedsBreadthFirst: return "--exact applies to the breadth-first search only";
    case Kind::kCoverageNeedsBreadthFirst: return "--coverage applies to --search bfs";
    case Kind::kLivenessNeedsBreadthFirst: return "--liveness applies to --search bfs";
    case Kind::kCheckpointNeedsBreadthFirst:
      return "--checkpoint and --resume apply to --search bfs";
    case Kind::kNoLivenessProperties: return "--liveness: this model states no liveness properties";
    case Kind::kCheckpointWithExact:
      return "--checkpoint and --resume keep fingerprints: not with --exact";
    case Kind::kCheckpointWithCoverage:
      return "--checkpoint and --resume do not keep --coverage's counts";
    case Kind::kSimulationIgnoresExhaustiveOptions:
      return "--exact, --symmetry and --max-depth apply to bfs and dfs, not simulate (a walk's "
             "length is --depth)";
    case Kind::kShardOutOfRange: return "shard index out of range";
    case Kind::kWalkDepthBelowOne: return "a walk needs a depth of at least 1";
    case Kind::kTooManyActionKinds: return "--coverage: more than 65535 kinds of action";
    case Kind::kTooManyLivenessProperties: return "liveness: more than 32 properties";
    case Kind::kNoPartialOrder:
      return "--por: this model says none of its steps commute (its binding declares no "
             "kNodeStepsCommute)";
    case Kind::kPartialOrderAlone:
      return "--por is a breadth-first search of its own: not with --search dfs|simulate, "
             "--symmetry, --exact, --coverage, --liveness, --checkpoint or --resume";
  }
  return error.what();
}

std::string word_for_command_line(const mc::CheckpointError& error) {
  using Kind = mc::CheckpointError::Kind;
  const std::string side_file = mc::checkpoint_side_file(error.path());
  switch (error.kind()) {
    case Kind::kCannotWrite:
      return "--checkpoint: cannot write '" + side_file + "': " + error.detail();
    case Kind::kCannotRename:
      return "--checkpoint: cannot rename '" + side_file + "' to '" + error.path() +
             "': " + error.detail();
    case Kind::kCannotRead: return "--resume: cannot read '" + error.path() + "'";
    case Kind::kDamaged: return "--resume: '" + error.path() + "': " + error.detail();
  }
  return error.what();
}

std::string word_for_command_line(const mc::ReplayResult& stopped, const mc::ReplayLimits& limits,
                                  size_t trace_states) {
  const std::string replayed = std::to_string(stopped.trace.size());
  if (stopped.stopped == mc::Outcome::kMemoryExhausted) {
    return "going on would pass --memory-limit " + std::to_string(limits.memory_limit_bytes) +
           " bytes; the first " + replayed + " states replayed";
  }
  if (stopped.stopped == mc::Outcome::kBoundExhausted) {
    return "the trace has " + std::to_string(trace_states) + " states, more than --max-states " +
           std::to_string(limits.max_states) + "; the first " + replayed + " replayed";
  }
  return stopped.reason;
}

}  // namespace crosscheck::cli
