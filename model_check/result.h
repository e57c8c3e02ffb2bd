// The outcome of a check, independent of the model's types: what the CLI
// prints and what tests pin.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model_check/json.h"

namespace crosscheck::mc {

enum class Outcome {
  kOk,               // every reachable state within the bounds explored, nothing violated
  kViolation,        // an invariant, a step property or deadlock freedom failed
  kGoalUnreached,    // explored everything, but a `sometimes` goal never held
  kBoundExhausted,   // the search limit (--max-states, --max-depth) stopped the run first
  kMemoryExhausted,  // the next step would have passed the memory limit (--memory-limit); stopped
                     // first
  kInterrupted,      // stopped on request (SIGINT, SIGTERM) before it was complete
};

const char* outcome_name(Outcome outcome);

// What a step did among a model's nodes, for a message-sequence chart: the
// event at one node, and the messages the step sent. Models without nodes
// (the abstract specs) describe none.
struct SentMessage {
  std::string from;
  std::string to;
  std::string text;
};

struct StepEvent {
  // "initial" (step 0: what the nodes sent when they started), "message" (a
  // delivery), "timeout", "input", "crash", "restart", "drop" or "duplicate"
  // (a delivery of a copy that stays in flight).
  std::string kind;
  std::string
      node;  // where it happens: the receiver, the timer's or input's owner, the node that crashed
  std::string from;  // the sender, for message, drop and duplicate
  std::string text;  // the message, timer or input
  std::vector<SentMessage> sent;
};

struct TraceStep {
  std::string action;  // empty for the initial state
  Json state;
  std::optional<StepEvent> event = {};
};

// Why a step broke a step property, when the property can say
// (TransitionProperty::explain): a paragraph for people, and the same as
// fields of the model's own for machines (its protocol's page documents
// them).
struct StepExplanation {
  std::string text;
  Json details = Json::object();
};

struct GoalStatus {
  std::string name;
  bool reached = false;
  int depth = 0;  // depth (TLC's convention) of the first state that met it
};

struct SearchStats {
  uint64_t distinct_states = 0;  // states stored, initial ones included
  uint64_t total_states = 0;     // states generated, duplicates included (TLC's "states generated")
  int depth = 0;                 // states on the longest shortest path; an initial state alone is 1
  uint64_t queue = 0;            // states discovered but not yet explored when the run ended
  double seconds = 0;
  double states_per_second = 0;  // distinct states per second
  uint64_t peak_memory_bytes = 0;
  // The visited set with its parent links (for traces), in bytes, and per
  // distinct state.
  uint64_t visited_bytes = 0;
  double bytes_per_state = 0;
  // TLC's "calculated (optimistic)" estimate that two distinct states shared
  // a fingerprint, n (N - n) / 2^64 for n distinct and N generated states;
  // 0 in an exact run, which compares whole states.
  double fingerprint_collision_probability = 0;
  bool exact = false;  // states were compared in full (--exact)
};

// One kind of action (simulation.h's action_kind of its labels) in a
// coverage report.
struct ActionCoverage {
  std::string action;
  uint64_t generated = 0;  // steps of this kind generated from explored states
  uint64_t distinct = 0;   // states it was the first to reach
};

// How the states were explored (`--search`), with what a rerun needs.
struct SearchRun {
  std::string mode = "bfs";  // "bfs", "dfs" or "simulate"
  // Simulation only:
  uint64_t seed = 0;
  uint64_t walks = 0;           // walks run: all of them, or up to the violating one
  uint64_t steps = 0;           // steps those walks took
  int64_t violating_walk = -1;  // its number, when a walk found a violation
  int swarm = 0;
  int shard_index = 0;
  int shard_count = 1;
  uint64_t unshrunk_steps = 0;  // the violating walk's steps before shrinking
  // Breadth first with sleep sets (--por, sleep_sets.h) only:
  bool sleep_sets = false;
  uint64_t pruned_steps = 0;    // steps asleep where they were enabled, never taken
  uint64_t explored_again = 0;  // explorations of a stored state for steps it had asleep
};

// The liveness phase's graph: states, steps between them, and its bytes.
struct LivenessGraphStats {
  uint64_t states = 0;
  uint64_t steps = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};

struct CheckResult {
  Outcome outcome = Outcome::kOk;
  SearchStats stats;
  // On violation: the property's name ("Deadlock" for deadlock), its kind
  // ("always", "step" or "deadlock") and a shortest trace, initial state first.
  std::string property;
  std::string property_kind;
  std::vector<TraceStep> trace;
  // On a step property's violation, when the property explains itself:
  // why the trace's last step breaks it.
  std::optional<StepExplanation> why;
  // A liveness violation's trace is a lasso: the behaviour goes on from
  // its last state back to trace[loop_start], forever; when loop_start is
  // the last step, it stutters there forever. -1 otherwise.
  int64_t loop_start = -1;
  // The model's nodes, for a chart of the trace; empty for a model without
  // nodes.
  std::vector<std::string> lifelines;
  std::vector<GoalStatus> goals;
  std::vector<std::string> invariants;  // the `always` and step properties checked
  std::vector<std::string> liveness;    // the liveness properties checked (--liveness)
  std::string fairness;                 // the fairness they were checked under
  SearchRun search;
  std::vector<ActionCoverage> coverage;  // with --coverage, by action kind
  // A simulation asked to keep it (SimulationOptions::keep_first_walk):
  // the first walk's steps by action label, from initial state
  // first_walk_initial, whether or not it violated anything.
  std::vector<std::string> first_walk;
  size_t first_walk_initial = 0;
  // When a limit stopped the run (bound_exhausted, memory_exhausted): the
  // phase it stopped in ("safety", "liveness graph", "liveness analysis",
  // "simulation", "shrinking", "replay"), and the properties left
  // unchecked because of it.
  std::string stopped_phase;
  std::vector<std::string> unchecked;
  std::optional<LivenessGraphStats> liveness_graph;  // when the liveness phase ran
};

// Whether a limit or a stop request ended the run before it was complete.
inline bool stopped_early(Outcome outcome) {
  return outcome == Outcome::kBoundExhausted || outcome == Outcome::kMemoryExhausted ||
         outcome == Outcome::kInterrupted;
}

// Records a violation of `property` (its kind: "always", "step",
// "deadlock") with its trace; false, for a search loop to stop on.
inline bool set_violation(CheckResult& result, const std::string& property, const char* kind,
                          std::vector<TraceStep> trace) {
  result.outcome = Outcome::kViolation;
  result.property = property;
  result.property_kind = kind;
  result.trace = std::move(trace);
  return false;
}

// Names the phase a run stopped early in, unless a later step of it did.
inline void name_stopped_phase(CheckResult& result, const char* phase) {
  if (stopped_early(result.outcome) && result.stopped_phase.empty()) result.stopped_phase = phase;
}

}  // namespace crosscheck::mc
