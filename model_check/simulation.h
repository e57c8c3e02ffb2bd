// Simulation: seeded random walks over a model, for behaviours deeper than
// an exhaustive search reaches (TLC's -simulate, Stateright's simulation).
//
// Walk w starts from an initial state and takes up to walk_depth steps,
// each chosen among the enabled successors within the bounds by a
// generator seeded by (seed, w); every state and step of the walk is
// checked. Walks run in rounds on all threads; the violation reported is
// the one of the lowest-numbered violating walk, and the counts are those
// of the walks up to it, so the seed alone reproduces the result whatever
// the thread count. A violating walk is then shrunk: steps are removed
// (by halves, then quarters, down to single steps) as long as the rest,
// replayed by action label, is still a behaviour that violates the same
// property.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "impl/common/hash.h"
#include "model_check/action_kind.h"
#include "model_check/common_options.h"
#include "model_check/memory.h"
#include "model_check/model.h"
#include "model_check/option_error.h"
#include "model_check/property_set.h"
#include "model_check/random.h"
#include "model_check/result.h"
#include "model_check/worker_pool.h"

namespace crosscheck::mc {

// What a simulation takes besides the common options; max_states bounds
// the states walked.
struct SimulationOptions : CommonOptions {
  // Walk w draws every choice from a generator seeded by (seed, w), so the
  // seed alone reproduces a run, whatever the thread count or shard layout.
  uint64_t seed = 0;
  uint64_t walks = 1000;
  int walk_depth = 100;  // steps a walk takes at most
  // Swarm testing: K configurations drawn from the seed, walk w using
  // configuration w mod K, each weighting every kind of action by 0 to 3
  // (0: the walk never takes it, unless nothing else is enabled).
  int swarm = 0;
  // Test sharding: this process runs the walks w with w mod shard_count
  // == shard_index.
  int shard_index = 0;
  int shard_count = 1;
  bool shrink = true;  // shorten a violating walk by removing steps
  // Keep the steps of this shard's first walk (CheckResult::first_walk),
  // for writing an implementation's behaviour out (check --trace-out).
  bool keep_first_walk = false;
};

namespace detail {

template <Model M>
class Simulation {
 public:
  using State = typename M::State;
  using Action = typename M::Action;

  Simulation(const M& model, const SimulationOptions& options)
      : model_(model),
        options_(options),
        threads_(std::max(1, options.threads)),
        pool_(threads_),
        budget_(options.memory_limit_bytes, /*sample_every=*/1),
        properties_(model),
        check_deadlock_(properties_.check_deadlock()) {
    properties_.describe(result_);
    if (options.shard_count < 1 || options.shard_index < 0 ||
        options.shard_index >= options.shard_count) {
      throw OptionError(OptionError::Kind::kShardOutOfRange);
    }
    if (options.walk_depth < 1) throw OptionError(OptionError::Kind::kWalkDepthBelowOne);
  }

  CheckResult run() {
    start_ = Clock::now();
    last_progress_ = start_;
    SearchRun& search = result_.search;
    search.mode = "simulate";
    search.seed = options_.seed;
    search.swarm = options_.swarm;
    search.shard_index = options_.shard_index;
    search.shard_count = options_.shard_count;
    initial_ = model_.initial_states();
    const uint64_t shard_walks = walks_in_shard();
    const uint64_t round_size = static_cast<uint64_t>(threads_) * kWalksPerThreadRound;
    std::vector<WalkOutcome> outcomes;
    std::optional<Violation> found;
    bool stopped = false;
    for (uint64_t begin = 0; begin < shard_walks && !found && !stopped; begin += round_size) {
      const uint64_t end = std::min(shard_walks, begin + round_size);
      if (!budget_.allows(0, round_bytes(end - begin))) {
        result_.outcome = Outcome::kMemoryExhausted;
        break;
      }
      if (options_.stop_requested()) {
        result_.outcome = Outcome::kInterrupted;
        break;
      }
      outcomes.assign(end - begin, WalkOutcome{});
      std::atomic<uint64_t> next{begin};
      pool_.run([&](int) {
        std::vector<Successor<Action, State>> successors;
        for (uint64_t k = next++; k < end; k = next++) {
          outcomes[k - begin] =
              walk(walk_number(k), successors, k == 0 && options_.keep_first_walk);
        }
      });
      for (uint64_t k = begin; k < end; ++k) {
        WalkOutcome& outcome = outcomes[k - begin];
        ++search.walks;
        result_.stats.total_states += outcome.generated;
        search.steps += outcome.steps;
        result_.stats.depth =
            std::max<int>(result_.stats.depth, static_cast<int>(outcome.steps) + 1);
        record_goals(outcome.goals);
        if (k == 0 && options_.keep_first_walk) {
          result_.first_walk_initial = outcome.initial;
          result_.first_walk = std::move(outcome.labels);
        }
        if (outcome.violation) {
          found = std::move(outcome.violation);
          search.violating_walk = static_cast<int64_t>(walk_number(k));
          break;
        }
        // A walk's states: its initial one and one a step.
        walked_states_ += outcome.steps + 1;
        if (options_.max_states > 0 && walked_states_ >= options_.max_states &&
            k + 1 < shard_walks) {
          result_.outcome = Outcome::kBoundExhausted;
          stopped = true;
          break;
        }
      }
      report_progress_if_due();
    }
    if (found) report(std::move(*found));
    return finish();
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr uint64_t kWalksPerThreadRound = 256;
  static constexpr uint32_t kNone = PropertySet<M>::kNone;
  static constexpr int kSwarmWeights = 4;  // a kind's weight in a swarm configuration: 0 to 3

  // What a round of `walks` walks may allocate: each thread's successors,
  // and the labels of a walk that violates a property.
  uint64_t round_bytes(uint64_t walks) const {
    constexpr uint64_t kLabelBytes = sizeof(std::string) + 48;
    return walks * sizeof(WalkOutcome) +
           static_cast<uint64_t>(threads_) *
               (64 * sizeof(Successor<Action, State>) + sizeof(State)) +
           static_cast<uint64_t>(options_.walk_depth) * kLabelBytes;
  }

  struct Violation {
    std::string property;
    const char* kind = "";
    size_t initial = 0;
    std::vector<std::string> labels;  // the steps taken, the violating one last for step properties
  };

  struct WalkOutcome {
    size_t initial = 0;
    std::vector<std::string> labels;  // kept for the first walk, when asked
    uint64_t steps = 0;
    uint64_t generated = 0;
    uint64_t goals = 0;
    std::optional<Violation> violation;
  };

  uint64_t walks_in_shard() const {
    const auto count = static_cast<uint64_t>(options_.shard_count);
    const auto index = static_cast<uint64_t>(options_.shard_index);
    return options_.walks / count + (index < options_.walks % count ? 1 : 0);
  }
  uint64_t walk_number(uint64_t k) const {
    return k * static_cast<uint64_t>(options_.shard_count) +
           static_cast<uint64_t>(options_.shard_index);
  }

  uint32_t first_violated_invariant(const State& state) const {
    return properties_.first_violated_invariant(state);
  }
  uint32_t first_violated_step(const State& from, const Action& action, const State& to) const {
    return properties_.first_violated_step(from, action, to);
  }
  uint64_t goals_of(const State& state) const { return properties_.goals_of(state); }
  const std::string& invariant_name(uint32_t i) const { return properties_.properties()[i].name; }
  const std::string& step_name(uint32_t i) const { return properties_.steps()[i].name; }

  void record_goals(uint64_t holds) {
    for (size_t g = 0; g < properties_.goal_count(); ++g) {
      if ((holds >> g & 1) && !result_.goals[g].reached) result_.goals[g].reached = true;
    }
  }

  // The weight of an action kind in swarm configuration `configuration`:
  // from the seed and the kind's name alone, so it does not depend on the
  // order in which kinds are met.
  int swarm_weight(uint64_t configuration, const std::string& kind) const {
    const uint64_t draw = stream_seed(options_.seed, configuration,
                                      StableHasher().add(std::string_view(kind)).digest());
    return static_cast<int>(draw % kSwarmWeights);
  }

  // Picks among `successors` (those within the bounds marked in `allowed`).
  size_t choose(SeededRandom& random, uint64_t walk,
                const std::vector<Successor<Action, State>>& successors,
                const std::vector<uint32_t>& allowed) const {
    if (options_.swarm <= 0) return allowed[random.below(allowed.size())];
    const uint64_t configuration = walk % static_cast<uint64_t>(options_.swarm);
    uint64_t total = 0;
    std::vector<int> weights(allowed.size());
    for (size_t i = 0; i < allowed.size(); ++i) {
      weights[i] = swarm_weight(configuration, kind_of(model_, successors[allowed[i]].action));
      total += static_cast<uint64_t>(weights[i]);
    }
    if (total == 0) return allowed[random.below(allowed.size())];
    uint64_t pick = random.below(total);
    for (size_t i = 0; i < allowed.size(); ++i) {
      if (pick < static_cast<uint64_t>(weights[i])) return allowed[i];
      pick -= static_cast<uint64_t>(weights[i]);
    }
    return allowed.back();
  }

  WalkOutcome walk(uint64_t walk, std::vector<Successor<Action, State>>& successors,
                   bool keep_labels = false) const {
    WalkOutcome outcome;
    SeededRandom random(stream_seed(options_.seed, walk));
    std::vector<uint32_t> allowed;
    for (uint32_t i = 0; i < initial_.size(); ++i) {
      if (model_.within_bounds(initial_[i])) allowed.push_back(i);
    }
    if (allowed.empty()) return outcome;
    const size_t initial = allowed[random.below(allowed.size())];
    outcome.initial = initial;
    State state = initial_[initial];
    std::vector<std::string> labels;
    auto violated = [&](std::string property, const char* kind) {
      if (keep_labels) outcome.labels = labels;
      outcome.violation = Violation{std::move(property), kind, initial, std::move(labels)};
      return outcome;
    };
    if (uint32_t i = first_violated_invariant(state); i != kNone) {
      return violated(invariant_name(i), "always");
    }
    outcome.goals |= goals_of(state);
    for (int step = 0; step < options_.walk_depth; ++step) {
      successors.clear();
      model_.successors(state, successors);
      outcome.generated += successors.size();
      allowed.clear();
      for (uint32_t i = 0; i < successors.size(); ++i) {
        if (model_.within_bounds(successors[i].state)) allowed.push_back(i);
      }
      if (allowed.empty()) {
        if (check_deadlock_ && successors.empty()) return violated("Deadlock", "deadlock");
        break;
      }
      Successor<Action, State>& chosen = successors[choose(random, walk, successors, allowed)];
      labels.push_back(model_.action_label(chosen.action));
      ++outcome.steps;
      if (uint32_t i = first_violated_step(state, chosen.action, chosen.state); i != kNone) {
        return violated(step_name(i), "step");
      }
      state = std::move(chosen.state);
      if (uint32_t i = first_violated_invariant(state); i != kNone) {
        return violated(invariant_name(i), "always");
      }
      outcome.goals |= goals_of(state);
    }
    if (keep_labels) outcome.labels = std::move(labels);
    return outcome;
  }

  // Replays `labels` from initial state `initial`, taking at each step the
  // first successor within the bounds with that label. The steps up to the
  // first violation of `property` when the replay is a behaviour that
  // violates it, nothing otherwise.
  std::optional<std::vector<std::string>> replay_violates(size_t initial,
                                                          const std::vector<std::string>& labels,
                                                          const std::string& property) {
    shrink_states_ += labels.size() + 1;
    State state = initial_[initial];
    auto breaks = [&](const State& s) {
      uint32_t i = first_violated_invariant(s);
      return i != kNone && invariant_name(i) == property;
    };
    if (breaks(state)) return std::vector<std::string>{};
    std::vector<Successor<Action, State>> successors;
    for (size_t step = 0; step < labels.size(); ++step) {
      successors.clear();
      model_.successors(state, successors);
      if (property == "Deadlock" && check_deadlock_ && successors.empty()) {
        return std::vector<std::string>(labels.begin(), labels.begin() + static_cast<long>(step));
      }
      auto match = std::find_if(successors.begin(), successors.end(), [&](const auto& successor) {
        return model_.within_bounds(successor.state) &&
               model_.action_label(successor.action) == labels[step];
      });
      if (match == successors.end()) return std::nullopt;
      const std::vector<std::string> prefix(labels.begin(),
                                            labels.begin() + static_cast<long>(step) + 1);
      uint32_t broken_step = first_violated_step(state, match->action, match->state);
      if (broken_step != kNone && step_name(broken_step) == property) return prefix;
      if (broken_step != kNone) {
        return std::nullopt;  // another property would stop this behaviour first
      }
      uint32_t broken = first_violated_invariant(match->state);
      if (broken != kNone) {
        if (invariant_name(broken) == property) return prefix;
        return std::nullopt;
      }
      state = std::move(match->state);
    }
    if (property == "Deadlock" && check_deadlock_) {
      successors.clear();
      model_.successors(state, successors);
      if (successors.empty()) return labels;
    }
    return std::nullopt;
  }

  // Whether shrinking may replay another candidate of `steps` steps:
  // within max_states (the states shrinking replays count apart from
  // the walks') and the memory limit (the candidate's labels).
  bool shrink_may_replay(size_t steps) {
    constexpr uint64_t kLabelBytes = sizeof(std::string) + 48;
    if (options_.max_states > 0 && shrink_states_ + steps + 1 > options_.max_states) return false;
    return budget_.allows(0, 2 * steps * kLabelBytes + 64 * sizeof(Successor<Action, State>));
  }

  // The violation's steps, shortened by removing chunks of steps while the
  // rest still violates the property; stops, with the shortest found so
  // far, where a limit would be passed.
  std::vector<std::string> shrink(const Violation& violation) {
    std::vector<std::string> best = violation.labels;
    for (size_t chunk = std::max<size_t>(1, best.size() / 2);; chunk /= 2) {
      for (size_t at = 0; at < best.size();) {
        if (!shrink_may_replay(best.size())) {
          result_.stopped_phase = "shrinking";
          return best;
        }
        std::vector<std::string> candidate = best;
        candidate.erase(candidate.begin() + static_cast<long>(at),
                        candidate.begin() + static_cast<long>(std::min(best.size(), at + chunk)));
        if (auto shorter = replay_violates(violation.initial, candidate, violation.property)) {
          best = std::move(*shorter);
        } else {
          at += chunk;
        }
      }
      if (chunk == 1) break;
    }
    return best;
  }

  void report(Violation violation) {
    result_.outcome = Outcome::kViolation;
    result_.property = violation.property;
    result_.property_kind = violation.kind;
    result_.search.unshrunk_steps = violation.labels.size();
    if (options_.shrink) violation.labels = shrink(violation);
    // The trace, re-executed: labels and states as the model renders them.
    State state = initial_[violation.initial];
    result_.trace.push_back({"", model_.state_json(state)});
    std::vector<Successor<Action, State>> successors;
    for (const auto& label : violation.labels) {
      successors.clear();
      model_.successors(state, successors);
      auto match = std::find_if(successors.begin(), successors.end(), [&](const auto& successor) {
        return model_.within_bounds(successor.state) &&
               model_.action_label(successor.action) == label;
      });
      if (match == successors.end()) {
        throw std::logic_error("simulation: a walk's step is not enabled on replay");
      }
      result_.trace.push_back({label, model_.state_json(match->state)});
      if (result_.trace.size() == violation.labels.size() + 1 && result_.property_kind == "step") {
        explain_last_step(state, match->action, match->state);
      }
      state = std::move(match->state);
    }
  }

  // The reported step property's explanation of the trace's last step.
  void explain_last_step(const State& from, const Action& action, const State& to) {
    for (const auto& property : properties_.steps()) {
      if (property.name == result_.property) result_.why = explain_step(property, from, action, to);
    }
  }

  void report_progress_if_due() {
    if (!options_.progress) return;
    auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_progress_).count() < options_.progress_seconds) {
      return;
    }
    last_progress_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "progress: %llu walks, %llu steps, %.0f steps/s, %.1f s\n",
                 static_cast<unsigned long long>(result_.search.walks),
                 static_cast<unsigned long long>(result_.search.steps),
                 seconds > 0 ? static_cast<double>(result_.search.steps) / seconds : 0.0, seconds);
  }

  CheckResult finish() {
    SearchStats& stats = result_.stats;
    stats.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    stats.peak_memory_bytes = peak_memory_bytes();
    name_stopped_phase(result_, "simulation");
    return std::move(result_);
  }

  const M& model_;
  SimulationOptions options_;
  int threads_;
  WorkerPool pool_;
  MemoryBudget budget_;
  uint64_t walked_states_ = 0;
  uint64_t shrink_states_ = 0;
  PropertySet<M> properties_;
  bool check_deadlock_;
  std::vector<State> initial_;
  CheckResult result_;
  Clock::time_point start_;
  Clock::time_point last_progress_;
};

}  // namespace detail

// Walks at random, as `options` says. Throws OptionError for options it
// cannot take.
template <Model M>
CheckResult simulate(const M& model, const SimulationOptions& options) {
  return detail::Simulation<M>(model, options).run();
}

}  // namespace crosscheck::mc
