// Seeded generators of Jepsen-style cas-register histories for the audit's
// benchmark: independent keys ([k v] tuples), reads, writes and
// compare-and-sets of small integers, produced by simulating a real atomic
// register per key, so every generated history is linearizable by
// construction (unless asked to corrupt one).
//
// The simulation is a global event loop over `processes` client slots.
// Each step picks one slot (or one lingering :info operation) at random
// and lets it act:
//   - an idle slot invokes a new operation on a random key;
//   - an open operation takes effect atomically on its key's register (its
//     linearization point, strictly inside its interval) and learns its
//     result; a cas whose comparison fails takes no effect and will :fail;
//   - an operation that took effect completes (:ok, or :fail for a failed
//     cas).
// A share of operations ends :info instead: some of them never take
// effect, some before their :info completion, and some only afterwards
// (they linger and take effect at a random later step), which is what a
// timed-out request may do. After an :info the slot continues under a new
// process number (process + processes), Jepsen's convention.
//
// All randomness comes from one std::mt19937_64 seeded from the options:
// the same options give the same history, byte for byte.
#pragma once

#include <cstdint>
#include <string>

namespace crosscheck::audit::bench {

struct GenerateOptions {
  uint64_t seed = 1;
  int operations = 1000;           // invocations in all
  int processes = 10;              // concurrent client slots
  int keys = 10;                   // independent registers, keys 0..keys-1
  double info_share = 0;           // of the operations, those that end :info
  double info_effect_share = 0.5;  // of the :info ones, those that take effect
  int values = 5;                  // written values are 0..values-1
  // Make the history not linearizable: one :ok read answers `values`, a
  // value no operation ever writes.
  bool corrupt = false;
};

struct GeneratedHistory {
  std::string edn;  // one operation map a line
  int events = 0;
  int operations = 0, ok = 0, failed = 0, info = 0;
  int reads = 0, writes = 0, cases = 0;
  int info_effects = 0;     // :info operations that took effect
  int corrupted_line = 0;   // the 1-based line of the corrupted read's completion; 0: none
  int corrupted_key = -1;   // its key; -1: none
  int64_t max_process = 0;  // the largest process number used
};

// Throws std::invalid_argument for options out of range (no operations,
// processes or keys, shares outside [0, 1], fewer than 2 values), and
// when `corrupt` is set but the history has no :ok read to corrupt.
GeneratedHistory generate_cas_register_history(const GenerateOptions& options);

}  // namespace crosscheck::audit::bench
