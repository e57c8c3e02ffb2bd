// Validating a trace: a breadth-first search over the spec's states that
// keeps, after each event, every state some spec behaviour reaches while
// matching every event so far (docs/validate.md).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "trace/raft/trace.h"

namespace crosscheck::trace::raft {

struct ValidationOptions {
  // Give up (the answer is unknown) when more states than this are
  // consistent with the events so far.
  size_t max_states = 100000;
  // Called now and then with the events done.
  std::function<void(size_t done, size_t total)> progress = nullptr;
};

enum class Verdict { kValid, kInvalid, kUnknown };

// A state consistent with the events before the failing one, and why it
// cannot take that event.
struct Candidate {
  std::string node_state;  // the failing event's node in that state
  std::string in_flight;   // messages in flight to that node, when it receives
  std::string reason;
};

struct ValidationResult {
  Verdict verdict = Verdict::kValid;
  size_t events = 0;                  // events validated (all of them when valid)
  size_t widest = 0;                  // the most states kept after one event
  size_t states = 0;                  // states kept, summed over the events
  size_t failed_event = 0;            // index in Trace::events, unless valid
  std::vector<Candidate> candidates;  // at most a few, unless valid
  size_t candidate_count = 0;         // how many states there were
  size_t distinct_candidates = 0;     // how many of them differ where shown
};

ValidationResult validate(const Trace& trace, const ValidationOptions& options = {});

}  // namespace crosscheck::trace::raft
