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
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "impl/common/assert.h"
#include "model_check/linearizability_search.h"
#include "model_check/linearizability_types.h"

namespace crosscheck::mc::lin {

namespace detail {

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
std::vector<int> merge_witnesses(const History<Spec>& history,
                                 const std::vector<std::vector<int>>& witnesses) {
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
    if (result.culprit < 0 ||
        *history[failed.culprit].returned < *history[result.culprit].returned) {
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
bool is_linearization(const History<Spec>& history, const std::vector<int>& order,
                      std::string* why = nullptr) {
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
        return fail("#" + std::to_string(order[b]) + " precedes #" + std::to_string(order[a]) +
                    " in real time");
  typename Spec::State state = Spec::initial();
  for (int i : order) {
    auto [next, output] = Spec::step(state, history[i].input);
    if (!history[i].pending() && !(output == history[i].output))
      return fail("#" + std::to_string(i) + " answered " +
                  Spec::output_text(history[i].input, history[i].output) + ", the spec " +
                  Spec::output_text(history[i].input, output));
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
    out << " -> " << Spec::output_text(op.input, op.output) << " [" << op.invoked << ", "
        << *op.returned << "]";
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
    return static_cast<int>(std::lower_bound(events.begin(), events.end(), std::pair(t, kind)) -
                            events.begin());
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
    for (size_t k = 0; k < result.order.size(); ++k)
      out << "  " << k + 1 << ". " << describe<Spec>(history, result.order[k]) << "\n";
    std::vector<bool> in_order(history.size(), false);
    for (int i : result.order) in_order[i] = true;
    for (size_t i = 0; i < history.size(); ++i)
      if (!in_order[i])
        out << "  left out (took effect after all the rest, or never): "
            << describe<Spec>(history, static_cast<int>(i)) << "\n";
  }
  if (result.verdict == Verdict::kNotLinearizable) {
    out << "longest linearizable prefix"
        << (result.partitions > 1 ? " of the culprit's partition" : "") << " ("
        << result.prefix.size() << (result.prefix.size() == 1 ? " operation" : " operations")
        << "):\n";
    for (size_t k = 0; k < result.prefix.size(); ++k)
      out << "  " << k + 1 << ". " << describe<Spec>(history, result.prefix[k]) << "\n";
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
    int value = 0;   // read only
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
