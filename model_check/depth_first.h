// Depth-first search: every state reachable within the depth bound, with
// a frontier as deep as the current path instead of a whole level wide.
// Its counterexamples are real behaviours but not the shortest ones.
//
// With a depth bound a state first met deep in the tree may be met again
// nearer the root, where the bound leaves room to explore past it: the
// visited set keeps the least depth each state was met at and explores a
// state again when it is met at a smaller one (as SPIN does for bounded
// depth-first search), so the bound cuts behaviours, never states within
// reach of it. On one thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model_check/common_options.h"
#include "model_check/fingerprint_table.h"
#include "model_check/memory.h"
#include "model_check/model.h"
#include "model_check/option_error.h"
#include "model_check/property_set.h"
#include "model_check/result.h"

namespace crosscheck::mc {

// What a depth-first search takes besides the common options; it runs on
// one thread, whatever `threads` says.
struct DepthFirstOptions : CommonOptions {
  int max_depth = 0;      // do not explore past this depth (TLC's convention); 0: no limit
  bool symmetry = false;  // identify states by their orbit (the model must define canonical())
};

namespace detail {

template <Model M>
class DepthFirstSearch {
 public:
  using State = typename M::State;
  using Action = typename M::Action;

  DepthFirstSearch(const M& model, const DepthFirstOptions& options)
      : model_(model), options_(options), properties_(model), budget_(options.memory_limit_bytes) {
    properties_.describe(result_);
    if constexpr (HasSymmetry<M>) {
      symmetry_ = options.symmetry;
    } else if (options.symmetry) {
      throw OptionError(OptionError::Kind::kNoSymmetry);
    }
    result_.search.mode = "dfs";
  }

  CheckResult run() {
    start_ = Clock::now();
    progress_.start();
    std::vector<State> initial = model_.initial_states();
    result_.stats.total_states += initial.size();
    for (size_t ordinal = 0; ordinal < initial.size(); ++ordinal) {
      if (!model_.within_bounds(initial[ordinal])) continue;
      if (!visit(initial[ordinal], 1)) {
        if (out_of_memory_) return finish();
        continue;
      }
      if (!check_new_state(initial[ordinal])) return finish();
      if (!push(std::move(initial[ordinal]), "")) return finish();
      if (!explore()) return finish();
    }
    return finish();
  }

 private:
  using Clock = std::chrono::steady_clock;

  struct Frame {
    State state;
    std::string label;  // the action that led here; empty for an initial state
    std::vector<Successor<Action, State>> successors;
    size_t next = 0;
  };

  uint64_t fingerprint_of(const State& state) const {
    if constexpr (HasSymmetry<M>) {
      if (symmetry_) {
        return FingerprintTable::normalize(model_.fingerprint(model_.canonical(state)));
      }
    }
    return FingerprintTable::normalize(model_.fingerprint(state));
  }

  // Records `state` as met at `depth`; whether it is to be explored (never
  // met, or met only deeper under a depth bound).
  bool visit(const State& state, int depth) {
    const uint64_t fingerprint = fingerprint_of(state);
    if (!least_depth_.contains(fingerprint) && !budget_.allows(held_bytes(), growth_bytes())) {
      result_.outcome = Outcome::kMemoryExhausted;
      out_of_memory_ = true;
      return false;
    }
    auto [at, inserted] = least_depth_.try_emplace(fingerprint, depth);
    if (inserted) {
      ++result_.stats.distinct_states;
      fresh_ = true;
      return true;
    }
    fresh_ = false;
    if (options_.max_depth == 0 || at->second <= depth) return false;
    at->second = depth;
    return true;
  }

  // Invariants and goals of a state met for the first time.
  bool check_new_state(const State& state) {
    if (!fresh_) return true;
    const int depth = static_cast<int>(stack_.size()) + 1;
    if (uint32_t i = properties_.first_violated_invariant(state); i != PropertySet<M>::kNone) {
      return violation(properties_.properties()[i].name, "always", trace_to(state));
    }
    const uint64_t holds = properties_.goals_of(state);
    for (size_t g = 0; g < properties_.goal_count(); ++g) {
      GoalStatus& status = result_.goals[g];
      if ((holds >> g & 1) && (!status.reached || depth < status.depth)) {
        status = {status.name, true, depth};
      }
    }
    if (options_.max_states > 0 && result_.stats.distinct_states >= options_.max_states) {
      result_.outcome = Outcome::kBoundExhausted;
      return false;
    }
    return true;
  }

  bool push(State state, std::string label) {
    Frame frame{std::move(state), std::move(label), {}, 0};
    model_.successors(frame.state, frame.successors);
    result_.stats.total_states += frame.successors.size();
    stack_.push_back(std::move(frame));
    result_.stats.depth = std::max(result_.stats.depth, static_cast<int>(stack_.size()));
    if (properties_.check_deadlock() && stack_.back().successors.empty()) {
      return violation("Deadlock", "deadlock", trace_of_stack());
    }
    return true;
  }

  bool explore() {
    while (!stack_.empty()) {
      if (++since_stop_check_ % 4096 == 0 && options_.stop_requested()) {
        result_.outcome = Outcome::kInterrupted;
        return false;
      }
      Frame& top = stack_.back();
      if (top.next == top.successors.size()) {
        stack_.pop_back();
        continue;
      }
      Successor<Action, State>& successor = top.successors[top.next++];
      if (!model_.within_bounds(successor.state)) continue;
      if (uint32_t i =
              properties_.first_violated_step(top.state, successor.action, successor.state);
          i != PropertySet<M>::kNone) {
        auto trace = trace_of_stack();
        trace.push_back(
            {model_.action_label(successor.action), model_.state_json(successor.state)});
        result_.why =
            explain_step(properties_.steps()[i], top.state, successor.action, successor.state);
        return violation(properties_.steps()[i].name, "step", std::move(trace));
      }
      const int depth = static_cast<int>(stack_.size()) + 1;
      if (options_.max_depth > 0 && depth > options_.max_depth) {
        // Met before within the bound, it is no behaviour cut short.
        if (!least_depth_.contains(fingerprint_of(successor.state))) depth_bound_hit_ = true;
        continue;
      }
      if (!visit(successor.state, depth)) {
        if (out_of_memory_) return false;
        continue;
      }
      std::string label = model_.action_label(successor.action);
      State next = std::move(successor.state);
      if (!check_new_state_at(next, label)) return false;
      if (!push(std::move(next), std::move(label))) return false;
      report_progress_if_due();
    }
    return true;
  }

  bool check_new_state_at(const State& state, const std::string& label) {
    pending_label_ = &label;
    const bool ok = check_new_state(state);
    pending_label_ = nullptr;
    return ok;
  }

  std::vector<TraceStep> trace_of_stack() const {
    std::vector<TraceStep> trace;
    for (const auto& frame : stack_) trace.push_back({frame.label, model_.state_json(frame.state)});
    return trace;
  }

  // The trace to a state about to be pushed (or an initial one).
  std::vector<TraceStep> trace_to(const State& state) const {
    std::vector<TraceStep> trace = trace_of_stack();
    trace.push_back({pending_label_ ? *pending_label_ : "", model_.state_json(state)});
    return trace;
  }

  bool violation(const std::string& property, const char* kind, std::vector<TraceStep> trace) {
    return set_violation(result_, property, kind, std::move(trace));
  }

  void report_progress_if_due() {
    const double seconds = progress_.due(options_);
    if (seconds < 0) return;
    std::fprintf(stderr, "progress: %llu distinct states, stack %zu, deepest %d, %.1f s\n",
                 static_cast<unsigned long long>(result_.stats.distinct_states), stack_.size(),
                 result_.stats.depth, seconds);
  }

  // An unordered_map node: the key, the depth, a next pointer, allocator
  // overhead; and a bucket pointer per element at load factor 1.
  static constexpr uint64_t kNodeBytes = sizeof(void*) * 2 + 16;

  uint64_t visited_bytes() const {
    return least_depth_.size() * kNodeBytes + least_depth_.bucket_count() * sizeof(void*);
  }

  // The visited set and the stack: each frame's state and its successors.
  uint64_t held_bytes() const {
    uint64_t bytes = visited_bytes() + stack_.capacity() * sizeof(Frame);
    for (const Frame& frame : stack_) {
      bytes += frame.successors.capacity() * sizeof(Successor<Action, State>);
    }
    return bytes;
  }

  // What storing one more state may allocate: its node, a rehash's new
  // buckets, and a frame with its successors when the stack grows.
  uint64_t growth_bytes() const {
    uint64_t bytes = kNodeBytes + sizeof(Frame) + 64 * sizeof(Successor<Action, State>);
    if (least_depth_.size() + 1 > least_depth_.bucket_count() * least_depth_.max_load_factor()) {
      bytes += 2 * least_depth_.bucket_count() * sizeof(void*);
    }
    if (stack_.size() == stack_.capacity()) {
      bytes += std::max<size_t>(1, stack_.capacity()) * sizeof(Frame);
    }
    return bytes;
  }

  CheckResult finish() {
    finish_exhaustive(result_, start_, stack_.size(), visited_bytes(), depth_bound_hit_);
    return std::move(result_);
  }

  const M& model_;
  DepthFirstOptions options_;
  PropertySet<M> properties_;
  bool symmetry_ = false;
  bool depth_bound_hit_ = false;
  bool fresh_ = false;  // whether the state visit() last saw was new
  bool out_of_memory_ = false;
  MemoryBudget budget_;
  const std::string* pending_label_ = nullptr;
  std::unordered_map<uint64_t, int> least_depth_;
  std::vector<Frame> stack_;
  CheckResult result_;
  Clock::time_point start_;
  ProgressClock progress_{4096};
  uint64_t since_stop_check_ = 0;
};

}  // namespace detail

// Explores depth first. Throws OptionError for options this model cannot
// take.
template <Model M>
CheckResult depth_first(const M& model, const DepthFirstOptions& options) {
  return detail::DepthFirstSearch<M>(model, options).run();
}

}  // namespace crosscheck::mc
