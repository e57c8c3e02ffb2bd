// The search linearizability.h runs over one partition of a history:
// Wing & Gong's depth-first search over which pending operation takes
// effect next, with Lowe's memoization of (linearized set, state).
// Internal to linearizability.h, which includes it.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "impl/common/assert.h"
#include "impl/common/hash.h"
#include "model_check/linearizability_types.h"

namespace crosscheck::mc::lin::detail {

// The search over one partition: `ids` index into the history.
template <SequentialSpec Spec>
class Search {
 public:
  using State = typename Spec::State;

  Search(const History<Spec>& history, std::vector<int> ids, const Options& options)
      : history_(history), ids_(std::move(ids)), options_(options) {}

  struct Outcome {
    Verdict verdict = Verdict::kUnknown;
    std::vector<int> order;                  // history indices: the witness, or the longest prefix
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
      if (++steps % 1024 == 0 &&
          (outcome.stopped = limit_reached(outcome.configurations)) != Stop::kNone)
        break;
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
    if (options_.deadline && std::chrono::steady_clock::now() + freeing >= *options_.deadline)
      return Stop::kTime;
    if (options_.max_bytes != 0 && options_.bytes_used != nullptr &&
        options_.bytes_used->load(std::memory_order_relaxed) >= options_.max_bytes)
      return Stop::kMemory;
    return Stop::kNone;
  }

  // A stored configuration's cost: its node in the hash set (with the
  // bucket pointer and cached hash), its set's words and the state.
  uint64_t configuration_bytes(const State& state) const {
    uint64_t bytes =
        sizeof(Configuration) + 3 * sizeof(void*) + linearized_.size() * sizeof(uint64_t);
    if constexpr (requires { Spec::bytes(state); }) {
      bytes += Spec::bytes(state);
    }
    return bytes;
  }

  void keep_state_after_prefix(const State& state, Outcome& outcome) const {
    if (static_cast<int>(outcome.states_after_prefix.size()) >= options_.max_states_after_prefix)
      return;
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
    for (int i = 0; i < size(); ++i)
      zobrist_[i] = StableHasher::mix(0x51ed2701ULL + static_cast<uint64_t>(i));
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

}  // namespace crosscheck::mc::lin::detail
