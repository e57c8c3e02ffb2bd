// A linearizability checker for histories of concurrent operations, after
// Wing & Gong's search with Lowe's memoization (as in Porcupine): the
// search never revisits a (set of linearized operations, sequential state)
// pair, because what can follow depends on nothing else. It knows no
// protocol: a sequential specification says what one operation does.
//
// A sequential specification is a class with static members
//
//   using State, Input, Output;            // value types with ==
//   static State initial();
//   static std::pair<State, Output> step(const State&, const Input&);
//       Total: defined for every input in every state, since a pending
//       operation may take effect anywhere after its invocation.
//   static uint64_t hash(const State&);
//   static std::string input_text(const Input&);
//   static std::string output_text(const Input&, const Output&);
//   static std::string state_text(const State&);
//
// and optionally `static Key partition_key(const Input&)` (Key ordered):
// the specification is then a product of independent objects, one a key,
// and by locality (Herlihy & Wing) the history is linearizable exactly
// when each key's sub-history is (P-compositionality), which turns one
// search over n operations into several over far fewer.
//
// See docs/linearizability.md.
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
concept SequentialSpec = requires(const typename Spec::State& state, const typename Spec::Input& input,
                                  const typename Spec::Output& output) {
  { Spec::initial() } -> std::same_as<typename Spec::State>;
  { Spec::step(state, input) } -> std::same_as<std::pair<typename Spec::State, typename Spec::Output>>;
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

namespace detail {

// The search over one partition: `ids` index into the history.
template <SequentialSpec Spec>
class Search {
 public:
  using State = typename Spec::State;

  Search(const History<Spec>& history, std::vector<int> ids, const Options& options)
      : history_(history), ids_(std::move(ids)), options_(options) {}

  struct Outcome {
    Verdict verdict = Verdict::kUnknown;
    std::vector<int> order;   // history indices: the witness, or the longest prefix
    std::vector<State> states_after_prefix;  // distinct, in the order met
    uint64_t configurations = 0;
    Stop stopped = Stop::kNone;
    uint64_t bytes = 0;
  };

  Outcome run() {
    build_lists();
    Outcome outcome;
    State state = Spec::initial();
    int cursor = call_next_[head()];
    int completed_left = completed_total_;
    int best = -1;
    uint64_t steps = 0;
    while (true) {
      const int placed = completed_total_ - completed_left;
      if (placed > best) {
        best = placed;
        outcome.order = history_order();
        best_set_ = linearized_;
        outcome.states_after_prefix.clear();
      }
      if (placed == best) keep_state_after_prefix(state, outcome);
      if (++steps % 1024 == 0 && (outcome.stopped = limit_reached(outcome.configurations)) != Stop::kNone) break;
      if (completed_left == 0) {
        outcome.verdict = Verdict::kLinearizable;
        break;
      }
      // The completed operation that responds first bounds what may come
      // next: nothing invoked after its response can precede it.
      const Time deadline = *op(ret_next_[head()]).returned;
      if (cursor != head() && op(cursor).invoked <= deadline) {
        const auto& candidate = op(cursor);
        auto [next_state, output] = Spec::step(state, candidate.input);
        const bool fits = candidate.pending() || output == candidate.output;
        if (fits && outcome.configurations == options_.max_configurations) {
          outcome.stopped = Stop::kConfigurations;
          break;
        }
        if (fits && remember(cursor, next_state)) {
          ++outcome.configurations;
          if (options_.bytes_used != nullptr) {
            const uint64_t bytes = configuration_bytes(next_state);
            options_.bytes_used->fetch_add(bytes, std::memory_order_relaxed);
            outcome.bytes += bytes;
          }
          stack_.push_back({cursor, std::move(state)});
          state = std::move(next_state);
          lift(cursor);
          if (!candidate.pending()) --completed_left;
          cursor = call_next_[head()];
          continue;
        }
        cursor = call_next_[cursor];
        continue;
      }
      if (stack_.empty()) {
        outcome.verdict = Verdict::kNotLinearizable;
        break;
      }
      Frame frame = std::move(stack_.back());
      stack_.pop_back();
      state = std::move(frame.before);
      unlift(frame.local);
      if (!op(frame.local).pending()) ++completed_left;
      cursor = call_next_[frame.local];
    }
    if (outcome.verdict == Verdict::kLinearizable) outcome.order = history_order();
    return outcome;
  }

 private:
  struct Frame {
    int local;
    State before;
  };

  // The deadline counts the time to free what the search stored, which on
  // millions of configurations is a second or more (measured at about 0.3
  // microseconds a configuration on a loaded 2-core machine; twice that
  // is reserved), so that an unknown answer comes within the deadline.
  Stop limit_reached(uint64_t configurations) const {
    const auto freeing = std::chrono::nanoseconds(configurations * 600);
    if (options_.deadline && std::chrono::steady_clock::now() + freeing >= *options_.deadline) return Stop::kTime;
    if (options_.max_bytes != 0 && options_.bytes_used != nullptr &&
        options_.bytes_used->load(std::memory_order_relaxed) >= options_.max_bytes)
      return Stop::kMemory;
    return Stop::kNone;
  }

  // A stored configuration's cost: its node in the hash set (with the
  // bucket pointer and cached hash), its set's words and the state.
  uint64_t configuration_bytes(const State& state) const {
    uint64_t bytes = sizeof(Configuration) + 3 * sizeof(void*) + linearized_.size() * sizeof(uint64_t);
    if constexpr (requires { Spec::bytes(state); }) {
      bytes += Spec::bytes(state);
    }
    return bytes;
  }

  void keep_state_after_prefix(const State& state, Outcome& outcome) const {
    if (static_cast<int>(outcome.states_after_prefix.size()) >= options_.max_states_after_prefix) return;
    if (linearized_ != best_set_) return;
    for (const State& kept : outcome.states_after_prefix)
      if (kept == state) return;
    outcome.states_after_prefix.push_back(state);
  }

  struct Configuration {
    uint64_t hash;
    std::vector<uint64_t> linearized;
    State state;
    bool operator==(const Configuration& other) const {
      return hash == other.hash && linearized == other.linearized && state == other.state;
    }
  };
  struct ConfigurationHash {
    size_t operator()(const Configuration& c) const { return static_cast<size_t>(c.hash); }
  };

  int size() const { return static_cast<int>(ids_.size()); }
  int head() const { return size(); }  // the sentinel of both lists
  const OperationOf<Spec>& op(int local) const { return history_[ids_[local]]; }

  // Two circular doubly linked lists with one sentinel: the unlinearized
  // operations in invocation order (the candidates are a prefix of it) and
  // the unlinearized completed ones in response order (its first is the
  // deadline). Lifting and restoring an operation is O(1), as in Lowe's
  // just-in-time linearization.
  void build_lists() {
    std::vector<int> by_call(size());
    for (int i = 0; i < size(); ++i) by_call[i] = i;
    std::stable_sort(by_call.begin(), by_call.end(),
                     [&](int a, int b) { return op(a).invoked < op(b).invoked; });
    std::vector<int> by_ret;
    for (int i : by_call)
      if (!op(i).pending()) by_ret.push_back(i);
    std::stable_sort(by_ret.begin(), by_ret.end(),
                     [&](int a, int b) { return *op(a).returned < *op(b).returned; });
    completed_total_ = static_cast<int>(by_ret.size());
    link(by_call, call_next_, call_prev_);
    link(by_ret, ret_next_, ret_prev_);
    linearized_.assign((ids_.size() + 63) / 64, 0);
    zobrist_.resize(ids_.size());
    for (int i = 0; i < size(); ++i) zobrist_[i] = StableHasher::mix(0x51ed2701ULL + static_cast<uint64_t>(i));
    set_hash_ = 0;
  }

  void link(const std::vector<int>& order, std::vector<int>& next, std::vector<int>& prev) {
    next.assign(ids_.size() + 1, -1);
    prev.assign(ids_.size() + 1, -1);
    int last = head();
    for (int i : order) {
      next[last] = i;
      prev[i] = last;
      last = i;
    }
    next[last] = head();
    prev[head()] = last;
  }

  static void unlink_one(int i, std::vector<int>& next, std::vector<int>& prev) {
    next[prev[i]] = next[i];
    prev[next[i]] = prev[i];
  }
  // Valid only in the reverse order of unlinking, which the search's stack
  // guarantees: i's neighbours still point around it.
  static void relink_one(int i, std::vector<int>& next, std::vector<int>& prev) {
    next[prev[i]] = i;
    prev[next[i]] = i;
  }

  void lift(int i) {
    unlink_one(i, call_next_, call_prev_);
    if (!op(i).pending()) unlink_one(i, ret_next_, ret_prev_);
  }
  void unlift(int i) {
    if (!op(i).pending()) relink_one(i, ret_next_, ret_prev_);
    relink_one(i, call_next_, call_prev_);
    flip(i);
  }

  void flip(int i) {
    linearized_[i / 64] ^= uint64_t{1} << (i % 64);
    set_hash_ ^= zobrist_[i];
  }

  // Marks i linearized if (set + i, next) is new; otherwise leaves the set
  // as it was, since that configuration's future has been explored.
  bool remember(int i, const State& next) {
    flip(i);
    Configuration c{set_hash_ ^ StableHasher::mix(Spec::hash(next)), linearized_, next};
    if (seen_.insert(std::move(c)).second) return true;
    flip(i);
    return false;
  }

  std::vector<int> history_order() const {
    std::vector<int> order;
    order.reserve(stack_.size());
    for (const Frame& f : stack_) order.push_back(ids_[f.local]);
    return order;
  }

  const History<Spec>& history_;
  std::vector<int> ids_;
  const Options& options_;
  std::vector<uint64_t> best_set_;
  int completed_total_ = 0;
  std::vector<int> call_next_, call_prev_, ret_next_, ret_prev_;
  std::vector<uint64_t> linearized_;
  std::vector<uint64_t> zobrist_;
  uint64_t set_hash_ = 0;
  std::vector<Frame> stack_;
  std::unordered_set<Configuration, ConfigurationHash> seen_;
};

template <SequentialSpec Spec>
std::vector<std::vector<int>> partitions(const History<Spec>& history, bool split) {
  std::vector<int> all(history.size());
  for (size_t i = 0; i < history.size(); ++i) all[i] = static_cast<int>(i);
  if constexpr (PartitionedSpec<Spec>) {
    if (split) {
      using Key = std::decay_t<decltype(Spec::partition_key(history[0].input))>;
      std::map<Key, std::vector<int>> by_key;
      for (int i : all) by_key[Spec::partition_key(history[i].input)].push_back(i);
      std::vector<std::vector<int>> parts;
      for (auto& [key, ids] : by_key) parts.push_back(std::move(ids));
      return parts;
    }
  }
  (void)split;
  return {all};
}

// Merges per-partition witnesses into one order of the whole history. By
// locality, the union of the partitions' orders and real-time order is
// acyclic, so some partition's next operation is always preceded by no
// operation still to place; taking it each time is a topological sort.
template <SequentialSpec Spec>
std::vector<int> merge_witnesses(const History<Spec>& history, const std::vector<std::vector<int>>& witnesses) {
  std::vector<int> unplaced_by_ret;
  for (const auto& w : witnesses)
    for (int i : w)
      if (!history[i].pending()) unplaced_by_ret.push_back(i);
  std::sort(unplaced_by_ret.begin(), unplaced_by_ret.end(), [&](int a, int b) {
    return std::pair(*history[a].returned, a) < std::pair(*history[b].returned, b);
  });
  std::vector<bool> placed(history.size(), false);
  std::vector<size_t> next(witnesses.size(), 0);
  size_t ret_cursor = 0;
  std::vector<int> order;
  size_t total = 0;
  for (const auto& w : witnesses) total += w.size();
  while (order.size() < total) {
    while (ret_cursor < unplaced_by_ret.size() && placed[unplaced_by_ret[ret_cursor]]) ++ret_cursor;
    int chosen = -1;
    for (size_t p = 0; p < witnesses.size() && chosen < 0; ++p) {
      if (next[p] == witnesses[p].size()) continue;
      const int candidate = witnesses[p][next[p]];
      const bool blocked = ret_cursor < unplaced_by_ret.size() &&
                           precedes(history[unplaced_by_ret[ret_cursor]], history[candidate]);
      if (!blocked) {
        chosen = candidate;
        ++next[p];
      }
    }
    CC_ASSERT(chosen >= 0);
    placed[chosen] = true;
    order.push_back(chosen);
  }
  return order;
}

// The unlinearized completed operation that responds first: every other
// remaining operation may be placed only alongside or after it, so a prefix
// that cannot take it cannot grow.
template <SequentialSpec Spec>
void explain_failure(const History<Spec>& history, const std::vector<int>& ids, Result& result) {
  std::vector<bool> in_prefix(history.size(), false);
  typename Spec::State state = Spec::initial();
  for (int i : result.prefix) {
    in_prefix[i] = true;
    state = Spec::step(state, history[i].input).first;
  }
  int culprit = -1;
  for (int i : ids) {
    if (in_prefix[i] || history[i].pending()) continue;
    if (culprit < 0 || *history[i].returned < *history[culprit].returned) culprit = i;
  }
  CC_ASSERT(culprit >= 0);
  const auto& c = history[culprit];
  const auto answer = Spec::step(state, c.input).second;
  // Were the spec's answer the recorded one, the search would have gone one
  // operation deeper than its longest prefix.
  CC_ASSERT(!(answer == c.output));
  result.culprit = culprit;
  result.state_after_prefix = Spec::state_text(state);
  result.spec_output = Spec::output_text(c.input, answer);
  result.also_blocked.clear();
  for (int i : ids) {
    if (i == culprit || in_prefix[i] || history[i].pending() || precedes(c, history[i])) continue;
    CC_ASSERT(!(Spec::step(state, history[i].input).second == history[i].output));
    result.also_blocked.push_back(i);
  }
}

}  // namespace detail

template <SequentialSpec Spec>
Result check(const History<Spec>& history, Options options = {}) {
  for (const auto& op : history) CC_ASSERT(op.pending() || *op.returned >= op.invoked);
  const auto parts = detail::partitions(history, options.partition);
  Result result;
  result.partitions = static_cast<int>(parts.size());
  std::vector<std::vector<int>> witnesses;
  bool unknown = false;
  for (const auto& ids : parts) {
    auto outcome = detail::Search<Spec>(history, ids, options).run();
    result.configurations += outcome.configurations;
    result.bytes += outcome.bytes;
    if (outcome.verdict == Verdict::kLinearizable) {
      witnesses.push_back(std::move(outcome.order));
      continue;
    }
    if (outcome.verdict == Verdict::kUnknown) {
      unknown = true;
      if (result.stopped == Stop::kNone) result.stopped = outcome.stopped;
      continue;
    }
    // Of several failing keys, name the culprit that responded first.
    Result failed;
    failed.prefix = std::move(outcome.order);
    detail::explain_failure(history, ids, failed);
    if (result.culprit < 0 || *history[failed.culprit].returned < *history[result.culprit].returned) {
      result.prefix = std::move(failed.prefix);
      result.culprit = failed.culprit;
      result.state_after_prefix = std::move(failed.state_after_prefix);
      result.spec_output = std::move(failed.spec_output);
      result.also_blocked = std::move(failed.also_blocked);
      result.states_after_prefix.clear();
      for (const auto& state : outcome.states_after_prefix)
        result.states_after_prefix.push_back(Spec::state_text(state));
    }
  }
  if (result.culprit >= 0) {
    result.verdict = Verdict::kNotLinearizable;
  } else if (unknown) {
    result.verdict = Verdict::kUnknown;
  } else {
    result.verdict = Verdict::kLinearizable;
    result.order = detail::merge_witnesses(history, witnesses);
  }
  return result;
}

// An independent check of a witness: every completed operation exactly
// once, pending ones at most once, real-time order kept, and every
// completed operation's output the spec's. On failure, `why` says where.
template <SequentialSpec Spec>
bool is_linearization(const History<Spec>& history, const std::vector<int>& order, std::string* why = nullptr) {
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  std::vector<int> seen(history.size(), 0);
  for (int i : order) {
    if (i < 0 || i >= static_cast<int>(history.size())) return fail("index out of range");
    if (++seen[i] > 1) return fail("#" + std::to_string(i) + " appears twice");
  }
  for (size_t i = 0; i < history.size(); ++i)
    if (!history[i].pending() && seen[i] == 0) return fail("#" + std::to_string(i) + " is missing");
  for (size_t a = 0; a < order.size(); ++a)
    for (size_t b = a + 1; b < order.size(); ++b)
      if (precedes(history[order[b]], history[order[a]]))
        return fail("#" + std::to_string(order[b]) + " precedes #" + std::to_string(order[a]) + " in real time");
  typename Spec::State state = Spec::initial();
  for (int i : order) {
    auto [next, output] = Spec::step(state, history[i].input);
    if (!history[i].pending() && !(output == history[i].output))
      return fail("#" + std::to_string(i) + " answered " + Spec::output_text(history[i].input, history[i].output) +
                  ", the spec " + Spec::output_text(history[i].input, output));
    state = std::move(next);
  }
  return true;
}

namespace detail {

struct Bar {
  int lane_client;
  int op;
  int call_slot;
  int ret_slot;  // -1: pending, open to the right
  std::string label;
};

// Draws bars on per-client lanes; `culprit` (or -1) is drawn with '!'.
std::string draw_timeline(std::vector<Bar> bars, int slots, int culprit);

}  // namespace detail

template <SequentialSpec Spec>
std::string describe(const History<Spec>& history, int i) {
  const auto& op = history[i];
  std::ostringstream out;
  out << "#" << i << " client " << op.client << " " << Spec::input_text(op.input);
  if (op.pending()) {
    out << " (pending) [" << op.invoked << ", -)";
  } else {
    out << " -> " << Spec::output_text(op.input, op.output) << " [" << op.invoked << ", " << *op.returned << "]";
  }
  return out.str();
}

// The history as a per-client timeline (an operation is a bar from its
// invocation to its response, pending ones open to the right), then the
// verdict: the witness order, or the longest prefix and the culprit.
template <SequentialSpec Spec>
std::string render(const History<Spec>& history, const Result& result) {
  // Slots order the events: at equal times invocations come first, so
  // intervals that touch are drawn overlapping, as they are concurrent.
  std::vector<std::pair<Time, int>> events;
  for (const auto& op : history) {
    events.push_back({op.invoked, 0});
    if (!op.pending()) events.push_back({*op.returned, 1});
  }
  std::sort(events.begin(), events.end());
  events.erase(std::unique(events.begin(), events.end()), events.end());
  auto slot = [&](Time t, int kind) {
    return static_cast<int>(std::lower_bound(events.begin(), events.end(), std::pair(t, kind)) - events.begin());
  };
  std::vector<detail::Bar> bars;
  for (size_t i = 0; i < history.size(); ++i) {
    const auto& op = history[i];
    std::string label = "#" + std::to_string(i) + " " + Spec::input_text(op.input);
    label += op.pending() ? " ?" : " -> " + Spec::output_text(op.input, op.output);
    if (static_cast<int>(i) == result.culprit) label += " !!!";
    bars.push_back({op.client, static_cast<int>(i), slot(op.invoked, 0),
                    op.pending() ? -1 : slot(*op.returned, 1), std::move(label)});
  }
  std::ostringstream out;
  out << detail::draw_timeline(std::move(bars), static_cast<int>(events.size()), result.culprit);
  out << verdict_name(result.verdict);
  if (result.partitions > 1) out << " (" << result.partitions << " keys checked apart)";
  out << ", " << result.configurations << " configurations\n";
  if (result.verdict == Verdict::kLinearizable) {
    out << "witness order:\n";
    for (size_t k = 0; k < result.order.size(); ++k) out << "  " << k + 1 << ". " << describe<Spec>(history, result.order[k]) << "\n";
    std::vector<bool> in_order(history.size(), false);
    for (int i : result.order) in_order[i] = true;
    for (size_t i = 0; i < history.size(); ++i)
      if (!in_order[i])
        out << "  left out (took effect after all the rest, or never): " << describe<Spec>(history, static_cast<int>(i))
            << "\n";
  }
  if (result.verdict == Verdict::kNotLinearizable) {
    out << "longest linearizable prefix" << (result.partitions > 1 ? " of the culprit's partition" : "") << " ("
        << result.prefix.size() << (result.prefix.size() == 1 ? " operation" : " operations") << "):\n";
    for (size_t k = 0; k < result.prefix.size(); ++k) out << "  " << k + 1 << ". " << describe<Spec>(history, result.prefix[k]) << "\n";
    out << "state after it: " << result.state_after_prefix << "\n";
    out << "cannot be linearized next: " << describe<Spec>(history, result.culprit) << "\n";
    out << "  the spec answers " << result.spec_output << " there\n";
    for (int i : result.also_blocked) out << "  nor can " << describe<Spec>(history, i) << "\n";
  }
  return out.str();
}

// A read/write register of ints, initially 0, with compare-and-set.
struct RegisterSpec {
  enum class Kind { kRead, kWrite, kCas };
  struct Input {
    Kind kind = Kind::kRead;
    int value = 0;     // written, or set by a successful cas
    int expected = 0;  // cas only
    bool operator==(const Input&) const = default;
  };
  struct Output {
    int value = 0;  // read only
    bool ok = true;  // cas only: whether it set
    bool operator==(const Output&) const = default;
  };
  using State = int;

  static Input read() { return {Kind::kRead, 0, 0}; }
  static Input write(int value) { return {Kind::kWrite, value, 0}; }
  static Input cas(int expected, int value) { return {Kind::kCas, value, expected}; }
  static Output read_returns(int value) { return {value, true}; }
  static Output ok() { return {0, true}; }
  static Output failed() { return {0, false}; }

  static State initial() { return 0; }
  static std::pair<State, Output> step(const State& state, const Input& input);
  static uint64_t hash(const State& state) { return StableHasher().add(state).digest(); }
  static std::string input_text(const Input& input);
  static std::string output_text(const Input& input, const Output& output);
  static std::string state_text(const State& state) { return std::to_string(state); }
};

// A map from int keys to int values, initially empty: get k answers the
// value or absent, put k v answers nothing. Keys are independent, so the
// checker may split a history by key.
struct KvSpec {
  enum class Kind { kGet, kPut };
  struct Input {
    Kind kind = Kind::kGet;
    int key = 0;
    int value = 0;  // put only
    bool operator==(const Input&) const = default;
  };
  struct Output {
    std::optional<int> value;  // get only
    bool operator==(const Output&) const = default;
  };
  // Sorted by key, so equal maps are equal vectors.
  using State = std::vector<std::pair<int, int>>;

  static Input get(int key) { return {Kind::kGet, key, 0}; }
  static Input put(int key, int value) { return {Kind::kPut, key, value}; }
  static Output found(int value) { return {value}; }
  static Output absent() { return {std::nullopt}; }
  static Output ok() { return {std::nullopt}; }

  static State initial() { return {}; }
  static std::pair<State, Output> step(const State& state, const Input& input);
  static uint64_t hash(const State& state);
  static int partition_key(const Input& input) { return input.key; }
  static std::string input_text(const Input& input);
  static std::string output_text(const Input& input, const Output& output);
  static std::string state_text(const State& state);
};

// Verdicts by the part of a client history that decides them, shared by
// the search's threads: a model checker meets far fewer such histories
// than states, and checking one is the expensive part.
template <class History>
class VerdictMemo {
 public:
  template <class Check>
  bool verdict(History history, const Check& check) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto at = verdicts_.find(history);
      if (at != verdicts_.end()) return at->second;
    }
    const bool holds = check(history);
    std::lock_guard<std::mutex> lock(mutex_);
    verdicts_.emplace(std::move(history), holds);
    return holds;
  }

 private:
  std::mutex mutex_;
  std::map<History, bool> verdicts_;
};

}  // namespace crosscheck::mc::lin
