// The actor harness, the one environment of every protocol implementation
// the checker runs: it turns a set of protocol nodes (a binding,
// actor_binding.h), a network policy (actor_network.h: a canonical multiset
// of messages in flight, or FIFO links), a time policy (actor_time.h:
// abstract timers, or explicit clocks with drift, pauses and a horizon) and
// a fault budget into a Model the checker explores.
//
// In a state the checker may deliver any message the network policy offers,
// fire any armed timer, take any local input a node offers, and, with
// clocks, advance global time, let a clock tick ahead or pause a node. Within
// the fault budget it may drop or duplicate a message, crash a node (it
// restarts at once from its persistent state; its timers are lost), stop
// one for good (crash-stop: it takes no step again and messages to it stay
// undelivered), or cut one off from every other node (a partition, which
// loses every message to or from it until it heals). Each step is also
// described as an event between the nodes (model.h's step_event), for
// message-sequence charts.
//
// Successors come in a fixed order, which decides which of several shortest
// counterexamples a breadth-first search reports: deliveries (in network
// order); each running node's timeouts, then its inputs; with clocks, global
// time's advance, each clock's tick ahead, each pause; drops and duplicates
// (in network order); crashes; stops; partitions and heals.
//
// A state and a step are types of their own (actor_state.h); how they are
// shown, as JSON, labels and chart events, is actor_presentation.h.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "impl/common/assert.h"
#include "impl/common/hash.h"
#include "impl/common/outbox.h"
#include "impl/common/small_vector.h"
#include "model_check/actor_binding.h"
#include "model_check/actor_commutation.h"
#include "model_check/actor_network.h"
#include "model_check/actor_state.h"
#include "model_check/actor_symmetry.h"
#include "model_check/actor_time.h"
#include "model_check/clocks.h"
#include "model_check/json.h"
#include "model_check/liveness.h"
#include "model_check/model.h"

namespace crosscheck::mc {

template <class P>
class ActorSystem;

template <class P>
class ActorModel {
  static_assert(ActorValues<P>,
                "an actor binding declares Node (copyable, ==), Message (copyable, "
                "default-constructible, <=>), Timer (an enumeration) and Input (copyable, "
                "default-constructible)");
  static_assert(ActorHandlers<P>,
                "an actor binding has node_count, initial_node, start, on_message, on_timeout, "
                "inputs, on_input and restart, as actor_binding.h spells them");
  static_assert(
      ActorClock<P>,
      "an actor binding with `using Time = mc::ClockTime;` has on_tick(self, node, reading, out)");
  static_assert(ActorHashing<P>,
                "an actor binding hashes its values: Message::hash(hasher), and Node::hash(hasher) "
                "or the binding's hash(node, hasher)");
  static_assert(ActorLabels<P>,
                "an actor binding names its nodes (node_name, node_json) and labels each Message, "
                "Timer and Input (actor_binding.h lists the ways)");
  static_assert(ActorProperties<P>, "an actor binding states properties() over ActorState<P>");

  // Takes these same transitions one at a time, in the order a test chooses.
  friend class ActorSystem<P>;

 public:
  using State = ActorState<P>;
  using Action = ActorAction<P>;
  using Node = typename P::Node;
  using Message = typename P::Message;
  using Timer = typename P::Timer;
  using Time = typename TimeOf<P>::type;
  using NodeOutbox = Outbox<Message, Timer>;
  static constexpr bool kClocks = has_clocks<P>();

  ActorModel(P protocol, FaultBudgets budgets, Time time = {},
             NetworkPolicy network = NetworkPolicy::kUnordered)
      : protocol_(std::move(protocol)), budgets_(budgets), time_(time), network_(network) {
    CC_ASSERT(kClocks || budgets_.max_pauses == 0);  // a pause needs clocks
    CC_ASSERT(protocol_.node_count() <= 32);         // node sets are bit masks
    if constexpr (kClocks) {
      CC_ASSERT(protocol_.node_count() <= kMaxClockedActors);
      // Readings and the end of a pause fit in a byte.
      CC_ASSERT(time_.horizon >= 0 && time_.drift >= 0 && time_.horizon + time_.drift < 250);
      CC_ASSERT(budgets_.max_pause >= 0 && time_.horizon + budgets_.max_pause < 256);
    }
    if constexpr (ActorSymmetric<P>) {
      symmetric_groups_ = protocol_.interchangeable_nodes();
      moved_by_renaming_.assign(static_cast<size_t>(protocol_.node_count()), false);
      for (auto& group : symmetric_groups_) {
        std::sort(group.begin(), group.end());
        for (NodeId id : group) moved_by_renaming_[id] = group.size() > 1;
      }
      // A configuration without symmetry is still checked without it; only
      // --symmetry (canonical()) is refused.
      symmetry_refusal_ = symmetry::refusal(symmetric_groups_);
      if (symmetry_refusal_.empty()) {
        renamings_ = symmetry::renamings(protocol_.node_count(), symmetric_groups_);
      }
    }
    if constexpr (commutation::node_steps_commute<P>()) reach_ = commutation::reach(protocol_);
  }

  const P& protocol() const { return protocol_; }
  const FaultBudgets& budgets() const { return budgets_; }
  const Time& time() const { return time_; }
  NetworkPolicy network_policy() const { return network_; }

  std::vector<State> initial_states() const {
    State state;
    const int n = protocol_.node_count();
    state.armed_timers.assign(static_cast<size_t>(n), 0);
    for (NodeId id = 0; id < n; ++id) state.nodes.push_back(protocol_.initial_node(id));
    NodeOutbox out;
    for (NodeId id = 0; id < n; ++id) {
      out.clear();
      protocol_.start(id, state.nodes[id], out);
      apply_effects(state, id, out);
    }
    collect_inert(state);
    return {std::move(state)};
  }

  void successors(const State& state, std::vector<Successor<Action, State>>& out) const {
    successors(state, out, {});
  }

  // With only the steps `filter` keeps: those not in a sleep set, or those
  // to explore again (sleep_sets.h).
  void successors(const State& state, std::vector<Successor<Action, State>>& out,
                  StepFilter filter) const {
    const size_t first = out.size();
    add_deliveries(state, out, filter);
    add_local_steps(state, out, filter);
    // Time and partitions have no footprint: no filter keeps them only.
    if constexpr (kClocks) {
      if (!filter.only) add_time_steps(state, out);
    }
    add_message_faults(state, out, filter);
    add_crashes(state, out, filter);
    add_stops(state, out, filter);
    if (!filter.only) add_partitions(state, out);
    for (size_t i = first; i < out.size(); ++i) collect_inert(out[i].state);
  }

  bool within_bounds(const State& state) const {
    if (network::most_copies(state.network, network_) > budgets_.max_copies) return false;
    if constexpr (kClocks) {
      if (state.time.clocks.now > time_.horizon) return false;
    }
    if constexpr (requires { protocol_.within_bounds(state); }) {
      return protocol_.within_bounds(state);
    }
    return true;
  }

  // Small fields are packed into one word each, as hashing is much of the
  // cost of a step.
  uint64_t fingerprint(const State& state) const {
    StableHasher hasher;
    for (const auto& node : state.nodes) hooks::hash_node(protocol_, node, hasher);
    for (uint32_t timers : state.armed_timers) hasher.add(uint64_t{timers});
    hasher.add(static_cast<uint64_t>(state.network.size()));
    for (const auto& packet : state.network) {
      hasher.add(uint64_t{packet.from} | uint64_t{packet.to} << 8 | uint64_t{packet.count} << 16);
      packet.message.hash(hasher);
    }
    hasher.add(static_cast<uint64_t>(state.drops) | static_cast<uint64_t>(state.duplicates) << 21 |
               static_cast<uint64_t>(state.crashes) << 42);
    if (state.stopped != 0) hasher.add(uint64_t{state.stopped});
    if (state.partitions != 0)
      hasher.add(uint64_t{state.isolated} | static_cast<uint64_t>(state.partitions) << 32);
    if constexpr (requires { typename P::History; }) protocol_.hash_history(state.history, hasher);
    if constexpr (kClocks) hash_time(state, hasher);
    return hasher.digest();
  }

  // Deliveries, timeouts and inputs of a binding whose nodes' steps commute
  // (actor_commutation.h); every other step commutes with none.
  std::optional<StepFootprint> footprint(const Action& action) const
      requires(commutation::node_steps_commute<P>()) {
    return commutation::footprint<P>(action, reach_, kClocks);
  }

  // The representative of the state's orbit under the binding's symmetry
  // (actor_symmetry.h).
  State canonical(const State& state) const requires ActorSymmetric<P> {
    if (!symmetry_refusal_.empty()) throw std::invalid_argument(symmetry_refusal_);
    const std::vector<uint64_t> keys = name_free_keys(state);
    // The renamings that order the keys; nullptr is the identity.
    std::vector<const NodeRenaming*> candidates;
    const NodeRenaming identity(static_cast<int>(state.nodes.size()));
    if (orders_keys(identity, symmetric_groups_, keys)) candidates.push_back(nullptr);
    for (const NodeRenaming& renaming : renamings_) {
      if (orders_keys(renaming, symmetric_groups_, keys)) candidates.push_back(&renaming);
    }
    const auto renamed = [&](const NodeRenaming* renaming) {
      if (renaming == nullptr) return state;
      State out;
      rename_state(protocol_, network_, state, *renaming, out);
      return out;
    };
    if (candidates.size() == 1) return renamed(candidates[0]);
    State best = renamed(candidates[0]);
    uint64_t best_fingerprint = fingerprint(best);
    for (size_t i = 1; i < candidates.size(); ++i) {
      State candidate = renamed(candidates[i]);
      const uint64_t candidate_fingerprint = fingerprint(candidate);
      if (candidate_fingerprint < best_fingerprint) {
        best_fingerprint = candidate_fingerprint;
        best = std::move(candidate);
      }
    }
    return best;
  }

  Json state_json(const State& state) const;

  std::string action_label(const Action& action) const;

  // For coverage and swarm weights: the step's kind without its nodes, e.g.
  // "Deliver RequestVote", "Timeout election", "Crash".
  std::string action_kind(const Action& action) const;

  std::vector<StateProperty<State>> properties() const { return protocol_.properties(); }
  std::vector<TransitionProperty<State, Action>> transition_properties() const {
    if constexpr (requires { protocol_.transition_properties(); }) {
      return protocol_.transition_properties();
    } else {
      return {};
    }
  }

  // Liveness (liveness.h), when the protocol states some. Weakly fair: the
  // delivery of each message in flight (a reliable channel, eventually),
  // each armed timer, global time's advance up to the horizon, and the
  // healing of a partition; never required: local inputs (a client's or an
  // operator's choice), clocks running ahead, and faults.
  std::vector<LivenessProperty<State>> liveness_properties() const requires requires(const P& p) {
    p.liveness_properties();
  }
  { return protocol_.liveness_properties(); }
  std::optional<uint64_t> fair_class(const Action& action) const {
    StableHasher hasher;
    switch (action.kind) {
      case Action::Kind::kDeliver:
        hasher.add(uint64_t{0}).add(action.from).add(action.node);
        action.message.hash(hasher);
        return hasher.digest();
      case Action::Kind::kTimeout:
        return hasher.add(uint64_t{1}).add(action.node).add(action.timer).digest();
      case Action::Kind::kAdvance: return hasher.add(uint64_t{2}).digest();
      case Action::Kind::kHeal: return hasher.add(uint64_t{3}).add(action.node).digest();
      default: return std::nullopt;
    }
  }
  std::string fairness() const {
    std::string text =
        kClocks ? "weak fairness of each message's delivery, each timer and global time's advance "
                  "(up to the horizon)"
                : "weak fairness of each message's delivery and each timer";
    if (budgets_.max_partitions > 0) text += ", and of a partition's healing";
    return text;
  }

  std::vector<std::string> lifelines() const {
    std::vector<std::string> names;
    if constexpr (kClocks) names.push_back(kTimeLifeline);
    for (NodeId id = 0; id < protocol_.node_count(); ++id) names.push_back(name(id));
    return names;
  }

  StepEvent initial_event(const State& state) const;

  StepEvent step_event(const State& from, const Action& action, const State& to) const;

 private:
  static constexpr const char* kTimeLifeline = "time";
  static constexpr bool kRecordsSteps =
      requires(const P& p, typename HistoryOf<P>::type& h, const Node& node) {
    p.record_step(h, 0, node, node);
  };

  std::string name(NodeId id) const { return protocol_.node_name(id); }
  std::string message_label(const Message& m) const { return hooks::message_label(protocol_, m); }
  std::string timer_label(Timer t) const { return hooks::timer_label(protocol_, t); }
  std::string input_label(const typename P::Input& i) const {
    return hooks::input_label(protocol_, i);
  }

  static uint32_t bit(NodeId id) { return 1u << id; }
  static Packet<P> packet(NodeId from, NodeId to, const Message& message) {
    return {static_cast<uint8_t>(from), static_cast<uint8_t>(to), message, 1};
  }
  static uint32_t timer_bit(Timer timer) {
    auto index = static_cast<unsigned>(timer);
    CC_ASSERT(index < 32);
    return 1u << index;
  }

  static bool is_stopped(const State& state, NodeId id) { return (state.stopped & bit(id)) != 0; }
  static bool is_paused(const State& state, NodeId id) {
    if constexpr (kClocks) {
      return state.time.clocks.paused(id);
    } else {
      return false;
    }
  }
  // A node that may take a step now: not down for good, not paused.
  static bool is_running(const State& state, NodeId id) {
    return !is_stopped(state, id) && !is_paused(state, id);
  }

  // Runs one handler of node `id` and applies its effects; `handle` takes
  // the node and an outbox.
  template <class Handler>
  void run_step(State& state, NodeId id, Handler&& handle) const {
    NodeOutbox effects;
    if constexpr (kRecordsSteps) {
      const Node before = state.nodes[id];
      handle(state.nodes[id], effects);
      apply_effects(state, id, effects);
      protocol_.record_step(state.history, id, before, state.nodes[id]);
    } else {
      handle(state.nodes[id], effects);
      apply_effects(state, id, effects);
    }
  }

  bool is_skipped(const Action& action, StepFilter filter) const {
    if (filter.ids.empty() && !filter.only) return false;
    if constexpr (commutation::node_steps_commute<P>()) {
      return !filter.keeps(footprint(action));
    } else {
      return filter.only;
    }
  }

  void add_deliveries(const State& state, std::vector<Successor<Action, State>>& out,
                      StepFilter filter) const {
    for (size_t i = 0; i < state.network.size(); ++i) {
      const Packet<P>& packet = state.network[i];
      if (!network::deliverable(state.network, network_, i) || !is_running(state, packet.to))
        continue;
      Action action{Action::Kind::kDeliver, packet.to, packet.from, packet.message};
      if (is_skipped(action, filter)) continue;
      State next = state;
      network::remove_copy(next.network, i);
      deliver_to(next, packet.from, packet.to, packet.message);
      out.push_back({std::move(action), std::move(next)});
    }
  }

  // Each running node's armed timers, then its enabled inputs.
  void add_local_steps(const State& state, std::vector<Successor<Action, State>>& out,
                       StepFilter filter) const {
    std::vector<typename P::Input> inputs;
    for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
      if (!is_running(state, id)) continue;
      for (uint32_t armed = state.armed_timers[id]; armed != 0; armed &= armed - 1) {
        const auto timer = static_cast<Timer>(std::countr_zero(armed));
        Action action{Action::Kind::kTimeout, id};
        action.timer = timer;
        if (is_skipped(action, filter)) continue;
        State next = state;
        next.armed_timers[id] &= ~timer_bit(timer);
        run_step(next, id, [&](Node& node, NodeOutbox& effects) {
          protocol_.on_timeout(id, node, timer, effects);
        });
        out.push_back({action, std::move(next)});
      }
      inputs.clear();
      protocol_.inputs(id, state.nodes[id], inputs);
      for (const auto& input : inputs) {
        Action action{Action::Kind::kInput, id};
        action.input = input;
        if (is_skipped(action, filter)) continue;
        State next = state;
        run_step(next, id, [&](Node& node, NodeOutbox& effects) {
          protocol_.on_input(id, node, input, effects);
        });
        out.push_back({action, std::move(next)});
      }
    }
  }

  ClockBounds clock_bounds() const {
    return {.drift = time_.drift,
            .horizon = time_.horizon,
            .max_pause = budgets_.max_pause,
            .max_pauses = budgets_.max_pauses};
  }

  // Global time's advance, each clock's tick ahead, each pause.
  void add_time_steps(const State& state, std::vector<Successor<Action, State>>& out) const {
    const ClockBounds bounds = clock_bounds();
    const auto& clocks = state.time.clocks;
    const auto n = static_cast<NodeId>(state.nodes.size());
    if (clocks.can_advance(bounds) && !time_waits(state)) {
      State next = state;
      uint32_t moved = 0;
      next.time.clocks.advance(n, moved);
      for (NodeId id = 0; id < n; ++id) {
        if (hooks::has_clock(protocol_, id) && !is_stopped(next, id))
          show_clock(next, id, (moved & bit(id)) != 0);
      }
      Action action{Action::Kind::kAdvance, 0};
      action.amount = next.time.clocks.now;
      out.push_back({action, std::move(next)});
    }
    for (NodeId id = 0; id < n; ++id) {
      if (!hooks::has_clock(protocol_, id) || is_stopped(state, id) || !clocks.can_tick(id, bounds))
        continue;
      if (clocks.paused(id) && !time_.paused_clocks_tick) continue;
      State next = state;
      next.time.clocks.tick(id);
      show_clock(next, id, true);
      Action action{Action::Kind::kTick, id};
      action.amount = next.time.clocks.local[id];
      out.push_back({action, std::move(next)});
    }
    for (NodeId id = 0; id < n; ++id) {
      if (!hooks::pausable(protocol_, id) || is_stopped(state, id) || !clocks.can_pause(id, bounds))
        continue;
      for (int ticks = 1; ticks <= budgets_.max_pause && clocks.now < time_.horizon; ++ticks) {
        if (!time_.pauses_outlast_horizon && clocks.now + ticks > time_.horizon) break;
        State next = state;
        next.time.clocks.pause(id, ticks);
        Action action{Action::Kind::kPause, id};
        action.amount = ticks;
        out.push_back({action, std::move(next)});
      }
    }
  }

  // Global time waits while a running node is amid a step the model takes
  // to be instantaneous.
  bool time_waits(const State& state) const {
    for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
      if (is_running(state, id) && hooks::time_waits_for(protocol_, id, state.nodes[id]))
        return true;
    }
    return false;
  }

  // Node `id` (which has a clock and is up) sees its clock's reading, if it
  // moved now or while the node was paused; a paused node's reading waits
  // for it to wake.
  void show_clock(State& state, NodeId id, bool moved) const {
    if constexpr (kClocks) {
      if (state.time.clocks.paused(id)) {
        if (moved) state.time.unseen |= bit(id);
        return;
      }
      if (!moved && (state.time.unseen & bit(id)) == 0) return;
      state.time.unseen &= ~bit(id);
      const uint8_t reading = state.time.clocks.local[id];
      run_step(state, id, [&](Node& node, NodeOutbox& effects) {
        protocol_.on_tick(id, node, reading, effects);
      });
    }
  }

  void add_message_faults(const State& state, std::vector<Successor<Action, State>>& out,
                          StepFilter filter) const {
    for (size_t i = 0; i < state.network.size(); ++i) {
      const Packet<P>& packet = state.network[i];
      Action drop{Action::Kind::kDrop, packet.to, packet.from, packet.message};
      if (state.drops < budgets_.max_drops && !is_skipped(drop, filter)) {
        State next = state;
        network::remove_copy(next.network, i);
        ++next.drops;
        out.push_back({std::move(drop), std::move(next)});
      }
      Action duplicate{Action::Kind::kDuplicate, packet.to, packet.from, packet.message};
      if (state.duplicates < budgets_.max_duplicates &&
          network::deliverable(state.network, network_, i) && is_running(state, packet.to) &&
          !is_skipped(duplicate, filter)) {
        // A duplicated message is delivered while a copy of it stays in
        // flight, to be delivered again (or dropped) later.
        State next = state;
        ++next.duplicates;
        deliver_to(next, packet.from, packet.to, packet.message);
        out.push_back({std::move(duplicate), std::move(next)});
      }
    }
  }

  void add_crashes(const State& state, std::vector<Successor<Action, State>>& out,
                   StepFilter filter) const {
    if (state.crashes >= budgets_.max_crashes) return;
    for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
      if (is_stopped(state, id) || !hooks::can_crash(protocol_, id) ||
          is_skipped(Action{Action::Kind::kCrash, id}, filter))
        continue;
      State next = state;
      ++next.crashes;
      next.armed_timers[id] = 0;
      if constexpr (kClocks) {
        // A paused process that crashes is paused no more: it restarts.
        auto& clocks = next.time.clocks;
        if (clocks.paused(id)) clocks.paused_until[id] = clocks.now;
      }
      run_step(next, id,
               [&](Node& node, NodeOutbox& effects) { protocol_.restart(id, node, effects); });
      if (hooks::has_clock(protocol_, id)) show_clock(next, id, false);
      out.push_back({Action{Action::Kind::kCrash, id}, std::move(next)});
    }
  }

  void add_stops(const State& state, std::vector<Successor<Action, State>>& out,
                 StepFilter filter) const {
    if (std::popcount(state.stopped) >= budgets_.max_stops) return;
    for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
      if (is_stopped(state, id) || !hooks::can_crash(protocol_, id) ||
          is_skipped(Action{Action::Kind::kStop, id}, filter))
        continue;
      State next = state;
      next.stopped |= bit(id);
      next.armed_timers[id] = 0;
      if constexpr (kClocks) next.time.unseen &= ~bit(id);
      out.push_back({Action{Action::Kind::kStop, id}, std::move(next)});
    }
  }

  void add_partitions(const State& state, std::vector<Successor<Action, State>>& out) const {
    if (state.isolated != 0) {
      State next = state;
      next.isolated = 0;
      out.push_back(
          {Action{Action::Kind::kHeal, std::countr_zero(state.isolated)}, std::move(next)});
      return;
    }
    if (state.partitions >= budgets_.max_partitions) return;
    for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
      if (is_stopped(state, id)) continue;
      State next = state;
      next.isolated = bit(id);
      ++next.partitions;
      network::cut_off(next.network, id);
      out.push_back({Action{Action::Kind::kIsolate, id}, std::move(next)});
    }
  }

  // Takes out of flight every message the binding says no delivery can act on.
  void collect_inert(State& state) const {
    constexpr bool kCollects = requires {
      protocol_.inert(state, NodeId{}, NodeId{}, state.network[0].message);
    };
    if constexpr (kCollects) {
      for (size_t i = state.network.size(); i-- > 0;) {
        const Packet<P>& packet = state.network[i];
        if (protocol_.inert(state, packet.from, packet.to, packet.message))
          network::erase(state.network, i);
      }
    }
  }

  void deliver_to(State& state, NodeId from, NodeId to, const Message& message) const {
    if constexpr (requires { protocol_.record_delivery(state.history, from, to, message); }) {
      protocol_.record_delivery(state.history, from, to, message);
    }
    run_step(state, to, [&](Node& node, NodeOutbox& effects) {
      protocol_.on_message(to, node, from, message, effects);
    });
  }

  void apply_effects(State& state, NodeId self, const NodeOutbox& effects) const {
    for (const auto& [timer, armed] : effects.timer_changes()) {
      if (armed) {
        state.armed_timers[self] |= timer_bit(timer);
      } else {
        state.armed_timers[self] &= ~timer_bit(timer);
      }
    }
    for (const auto& send : effects.sends()) {
      CC_ASSERT(send.to >= 0 && send.to < static_cast<NodeId>(state.nodes.size()));
      constexpr bool kRecordsSends = requires {
        protocol_.record_send(state.history, self, send.to, send.message);
      };
      if constexpr (kRecordsSends) {
        protocol_.record_send(state.history, self, send.to, send.message);
      }
      if (send.to != self && ((state.isolated & (bit(self) | bit(send.to))) != 0))
        continue;  // lost in the partition
      if (hooks::delivered_at_once(protocol_, self, send.to)) {
        deliver_to(state, self, send.to, send.message);
        continue;
      }
      network::add(state.network, network_, packet(self, send.to, send.message));
    }
  }

  // Each node's name-free key (actor_symmetry.h): the binding's, with what
  // the harness holds of the node that renaming leaves as it is: its armed
  // timers, whether it is down or cut off, and the messages in flight to
  // and from it, each with its other end when that is a node no renaming
  // moves (messages themselves only when they mention no node).
  std::vector<uint64_t> name_free_keys(const State& state) const requires ActorSymmetric<P> {
    const auto n = static_cast<NodeId>(state.nodes.size());
    std::vector<uint64_t> keys(static_cast<size_t>(n));
    for (NodeId id = 0; id < n; ++id) {
      StableHasher hasher;
      hasher.add(name_free_key(protocol_, state.nodes[id]));
      hasher.add(uint64_t{state.armed_timers[id]} | uint64_t{is_stopped(state, id)} << 32 |
                 uint64_t{(state.isolated & bit(id)) != 0} << 33);
      keys[id] = hasher.digest();
    }
    constexpr bool kMessagesNameNodes = requires(Message & m, const NodeRenaming& r) {
      protocol_.rename(m, r);
    };
    for (const auto& packet : state.network) {
      StableHasher hasher;
      if constexpr (!kMessagesNameNodes) packet.message.hash(hasher);
      hasher.add(uint64_t{packet.count});
      const uint64_t message = hasher.digest();
      const auto end = [&](NodeId other) -> uint64_t {
        return moved_by_renaming_[other] ? 0xFF : static_cast<uint64_t>(other);
      };
      // Commutative sums: the order of the network is a matter of names.
      keys[packet.from] +=
          StableHasher().add(message).add(uint64_t{1}).add(end(packet.to)).digest();
      keys[packet.to] +=
          StableHasher().add(message).add(uint64_t{2}).add(end(packet.from)).digest();
    }
    return keys;
  }

  // Appends to event.sent a message for each copy in `after` beyond those in
  // `before`.
  template <class Network>
  void add_sent(StepEvent& event, const Network& before, const Network& after) const {
    network::each_sent(before, after, [&](const Packet<P>& packet, int more) {
      for (int copy = 0; copy < more; ++copy) {
        event.sent.push_back({name(packet.from), name(packet.to), message_label(packet.message)});
      }
    });
  }

  // The event of a step, without what it sent.
  StepEvent describe(const Action& action) const;

  // Global time, the pauses taken, the unseen readings, and each node's
  // reading and pause end, a byte each.
  void hash_time(const State& state, StableHasher& hasher) const {
    if constexpr (kClocks) {
      const auto& clocks = state.time.clocks;
      uint64_t readings = 0;
      uint64_t pause_ends = 0;
      for (size_t id = 0; id < state.nodes.size(); ++id) {
        readings |= uint64_t{clocks.local[id]} << (8 * id);
        pause_ends |= uint64_t{clocks.paused_until[id]} << (8 * id);
      }
      hasher.add(uint64_t{clocks.now} | uint64_t{clocks.pauses_taken} << 8 |
                 uint64_t{state.time.unseen} << 16);
      hasher.add(readings).add(pause_ends);
    }
  }

  Json nodes_json(const State& state) const;

  Json time_json(const State& state) const;

  Json faults_json(const State& state) const;

  P protocol_;
  FaultBudgets budgets_;
  Time time_;
  NetworkPolicy network_;
  // Under symmetry: the groups of interchangeable nodes, each sorted, and
  // every renaming within them but the identity.
  std::vector<std::vector<NodeId>> symmetric_groups_;
  std::vector<bool> moved_by_renaming_;  // per node: in a group of two or more
  std::vector<NodeRenaming> renamings_;
  std::string symmetry_refusal_;  // why --symmetry is refused here, or ""
  std::vector<uint32_t> reach_;   // per node, the nodes its steps touch (actor_commutation.h)
};

}  // namespace crosscheck::mc

// The members that show states and steps.
#include "model_check/actor_presentation.h"  // IWYU pragma: export
