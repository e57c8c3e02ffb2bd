// Judges a client history against a model: linearizable, not (with the
// longest prefix that linearizes, the operation that cannot be placed and
// the states the object could be in just before it), or unknown (a time
// or memory budget ran out first). Keys are checked apart, in parallel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/history.h"
#include "audit/value.h"

namespace crosscheck::audit {

enum class Verdict { kLinearizable, kNotLinearizable, kUnknown };
const char* verdict_name(Verdict verdict);  // "linearizable", "not_linearizable", "unknown"

struct AuditOptions {
  std::string model;
  int threads = 1;
  double timeout_seconds = 0;       // 0: none
  uint64_t memory_limit_bytes = 0;  // 0: none
};

struct Failure {
  Value key;                        // nil when the history has one object
  std::vector<int> partition;       // the key's judged operations, indices into History::operations
  std::vector<int> prefix;          // the longest linearizable prefix, in its order
  int culprit = -1;                 // the operation that cannot be placed next
  std::vector<int> also_blocked;    // other operations that cannot come next either
  std::vector<std::string> states;  // the states the object could be in just before the culprit
  std::string expected;             // what the object answers there, in words
};

struct AuditResult {
  Verdict verdict = Verdict::kUnknown;
  std::string stopped;  // unknown: "time", "memory" or "configurations"
  std::string model;
  std::string key_source;  // "none", ":key" or "tuples"
  int operations = 0, ok = 0, failed = 0, indeterminate = 0, processes = 0;
  int judged = 0;         // operations the search placed or left out (no :fail, no unknown reads)
  int dropped_reads = 0;  // indeterminate reads: they change nothing, so they are not judged
  int keys = 0;
  std::vector<Value> failing_keys, unknown_keys;  // in key order
  std::optional<Failure> failure;  // of the failing key whose culprit completed first
  std::vector<int> witness;        // linearizable: one order of the largest key's operations
  uint64_t configurations = 0;
  uint64_t peak_bytes = 0;  // the search's estimate
  double seconds = 0;
};

// Throws InputError for an unknown model, an :f the model does not know or
// a value of the wrong shape (naming the line).
AuditResult audit(const History& history, const AuditOptions& options);

// "lines 12-17: process 3 :read [1 nil] -> [1 2]": the lines of the
// invocation and the completion, the values as the file has them, and for
// an operation never completed "line 12: ... -> ? (never completed)".
std::string describe(const History& history, int index);

// The --memory-limit an audit gets unless told: half the machine's memory.
uint64_t default_memory_limit_bytes();

}  // namespace crosscheck::audit
