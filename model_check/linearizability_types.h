// The linearizability checker's vocabulary: sequential specifications,
// operations and histories, options and results (linearizability.h).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "impl/common/assert.h"
#include "impl/common/hash.h"

namespace crosscheck::mc::lin {

using Time = int64_t;

template <class Spec>
concept SequentialSpec = requires(const typename Spec::State& state,
                                  const typename Spec::Input& input,
                                  const typename Spec::Output& output) {
  { Spec::initial() } -> std::same_as<typename Spec::State>;
  {
    Spec::step(state, input)
    } -> std::same_as<std::pair<typename Spec::State, typename Spec::Output>>;
  { Spec::hash(state) } -> std::same_as<uint64_t>;
  { state == state } -> std::convertible_to<bool>;
  { output == output } -> std::convertible_to<bool>;
  { Spec::input_text(input) } -> std::same_as<std::string>;
  { Spec::output_text(input, output) } -> std::same_as<std::string>;
  { Spec::state_text(state) } -> std::same_as<std::string>;
};

template <class Spec>
concept PartitionedSpec = SequentialSpec<Spec> && requires(const typename Spec::Input& input) {
  { Spec::partition_key(input) } -> std::totally_ordered;
};

// Parameterized by the spec, rather than by its input and output types, so
// that the functions below deduce the spec from a history.
template <SequentialSpec Spec>
struct Operation {
  int client = 0;
  Time invoked = 0;
  // Absent for a pending operation: it never responded, so it may have
  // taken effect at any point after `invoked`, or never.
  std::optional<Time> returned;
  typename Spec::Input input{};
  typename Spec::Output output{};  // ignored while pending

  bool pending() const { return !returned.has_value(); }
};

template <SequentialSpec Spec>
using OperationOf = Operation<Spec>;

template <SequentialSpec Spec>
using History = std::vector<OperationOf<Spec>>;

template <SequentialSpec Spec>
OperationOf<Spec> completed(int client, Time invoked, Time returned, typename Spec::Input input,
                            typename Spec::Output output) {
  return {client, invoked, returned, std::move(input), std::move(output)};
}

template <SequentialSpec Spec>
OperationOf<Spec> pending(int client, Time invoked, typename Spec::Input input) {
  return {client, invoked, std::nullopt, std::move(input), {}};
}

// Real-time order: a precedes b when a responded before b was invoked.
// Operations whose intervals touch (a.returned == b.invoked) are concurrent.
template <class Op>
bool precedes(const Op& a, const Op& b) {
  return a.returned.has_value() && *a.returned < b.invoked;
}

enum class Verdict {
  kLinearizable,
  kNotLinearizable,
  kUnknown,  // a budget ran out first (Result::stopped says which)
};

const char* verdict_name(Verdict verdict);

// Why a search ended without a verdict.
enum class Stop { kNone, kConfigurations, kTime, kMemory };
const char* stop_name(Stop stop);

struct Options {
  bool partition = true;  // split by key when the spec has partition_key
  // The problem is NP-complete; the budget bounds the distinct
  // configurations stored per partition.
  uint64_t max_configurations = 5'000'000;
  // Further limits, shared by searches that run at once: a deadline, and
  // a byte count every search adds its stored configurations to (an
  // estimate: the states' bytes, the linearized sets and the hash table's
  // nodes), stopping at max_bytes.
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::atomic<uint64_t>* bytes_used = nullptr;
  uint64_t max_bytes = 0;  // 0: no limit
  // How many distinct states, after the longest linearizable prefix's set
  // of operations, to keep for the report.
  int max_states_after_prefix = 8;
};

// Operations are named by their index in the history.
struct Result {
  Verdict verdict = Verdict::kUnknown;
  // Linearizable: one witness order. Pending operations the witness needs
  // appear in it; the others are left out (they took effect after all the
  // rest, or never: the same to every recorded output).
  std::vector<int> order;
  // Not linearizable (see docs/linearizability.md, "The culprit"): the
  // longest linearizable prefix the search found, in its order; the
  // operation that must come next and cannot; what the spec answers for it
  // after the prefix; and the other operations that could come next and
  // fail too. With partitioning, all of this is within the culprit's key.
  std::vector<int> prefix;
  int culprit = -1;
  std::string state_after_prefix;
  std::string spec_output;
  std::vector<int> also_blocked;
  // Every state the specification can be in after the prefix's operations
  // in some order the search met (at most Options::max_states_after_prefix):
  // the states the object could be in just before the culprit.
  std::vector<std::string> states_after_prefix;
  int partitions = 1;
  uint64_t configurations = 0;  // distinct (linearized set, state) pairs stored
  Stop stopped = Stop::kNone;   // unknown: which budget ran out
  uint64_t bytes = 0;  // what the searches added to Options::bytes_used (freed when they end)
};

}  // namespace crosscheck::mc::lin
