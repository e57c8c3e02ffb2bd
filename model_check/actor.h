// The actor harness: turns a set of protocol nodes, a network and a fault
// model into a Model the checker explores.
//
// The network is a canonical multiset of in-flight messages (sorted, with
// counts), so two interleavings that leave the same messages in flight
// reach the same state. The checker may deliver any in-flight message,
// fire any armed timer, take any local input a node offers, and, within
// budgets, drop or duplicate a message or crash a node (a crash restarts the
// node at once from its persistent state; its timers are lost). Each step
// is described as an event between the nodes (model.h's step_event), for
// message-sequence charts.
//
// A binding P describes the protocol:
//   using Node, Message, Timer, Input;     values with ==, <=> (Message, Input)
//   int node_count() const;
//   Node initial_node(NodeId) const;
//   void start(NodeId, Node&, Outbox<Message, Timer>&) const;
//   void on_message(NodeId self, Node&, NodeId from, const Message&, Outbox&) const;
//   void on_timeout(NodeId self, Node&, Timer, Outbox&) const;
//   void inputs(NodeId self, const Node&, std::vector<Input>&) const;  // enabled local inputs
//   void on_input(NodeId self, Node&, const Input&, Outbox&) const;
//   void restart(NodeId self, Node&, Outbox&) const;
//   void hash(const Node&, StableHasher&) const;   Message::hash(StableHasher&)
//   std::string node_name(NodeId) const;
//   Json node_json(NodeId, const Node&) const;
//   std::string message_label(const Message&) const;
//   std::string timer_label(Timer) const;
//   std::string input_label(const Input&) const;
//   std::vector<StateProperty<ActorState<P>>> properties() const;
//   std::vector<TransitionProperty<ActorState<P>, ActorAction<P>>> transition_properties() const;
// and optionally
//   bool within_bounds(const ActorState<P>&) const;   the protocol's own state constraint
//   using History; void record_send(History&, NodeId from, NodeId to, const Message&) const;
//   void hash_history(const History&, StableHasher&) const;   a history variable (see NoHistory)
//   Json history_json(const History&) const;   the history in a rendered state
//   void record_delivery(History&, NodeId from, NodeId to, const Message&) const;
//       offered every delivery (a duplicate's too), before the receiver handles it
//   static constexpr bool kLoopback = true;
//       a node's messages to itself are local calls: each is recorded like
//       any send and handled at once, within the step that sent it, never
//       through the network (so never dropped, duplicated or reordered)
// Timer must be an enumeration with values below 32 (a node's armed timers
// are a bit set).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "impl/common/assert.h"
#include "impl/common/hash.h"
#include "impl/common/outbox.h"
#include "model_check/json.h"
#include "model_check/liveness.h"
#include "model_check/model.h"
#include "impl/common/small_vector.h"

namespace crosscheck::mc {

struct FaultBudgets {
  int max_drops = 0;
  int max_duplicates = 0;
  int max_crashes = 0;
  // Crashes after which the node stays down for good (crash-stop): it takes
  // no step again, and messages to it stay undelivered.
  int max_stops = 0;
  // A state with more copies of one message in flight than this is outside
  // the bounds: retransmission would otherwise make the network unbounded.
  int max_copies = 1;
};

template <class P>
struct Packet {
  NodeId from;
  NodeId to;
  typename P::Message message;
  int count;

  bool same_message(const Packet& other) const {
    return from == other.from && to == other.to && message == other.message;
  }
  bool operator==(const Packet&) const = default;
};

// A binding may keep a history variable: what the protocol has done so
// far, beyond what the nodes and the network hold (for instance every
// message ever sent, which Paxos.tla's msgs is). The harness offers it every
// send; it is part of the state, so it must stay small.
struct NoHistory {
  bool operator==(const NoHistory&) const = default;
};

template <class P>
struct HistoryOf {
  using type = NoHistory;
};

template <class P>
  requires requires { typename P::History; }
struct HistoryOf<P> {
  using type = typename P::History;
};

template <class P>
constexpr bool loops_back() {
  if constexpr (requires { P::kLoopback; }) {
    return P::kLoopback;
  } else {
    return false;
  }
}

template <class P>
struct ActorState {
  SmallVector<typename P::Node, 8> nodes;
  SmallVector<uint32_t, 8> armed_timers;  // per node, bit t set: timer t armed
  SmallVector<Packet<P>, 16> network;     // sorted by (from, to, message), counts > 0
  int drops = 0;
  int duplicates = 0;
  int crashes = 0;
  uint32_t stopped = 0;  // bit n: node n is down for good
  typename HistoryOf<P>::type history{};

  bool operator==(const ActorState&) const = default;

  int copies_in_flight() const {
    int total = 0;
    for (const auto& packet : network) total += packet.count;
    return total;
  }
};

template <class P>
struct ActorAction {
  enum class Kind : uint8_t { kDeliver, kTimeout, kInput, kDrop, kDuplicate, kCrash, kStop };
  Kind kind;
  NodeId node;  // the receiver, the timer's or input's owner, the crashed node
  NodeId from = 0;
  typename P::Message message{};
  typename P::Timer timer{};
  typename P::Input input{};
};

template <class P>
class ActorSystem;

template <class P>
class ActorModel {
  // Takes these same transitions one at a time, in the order a test chooses.
  friend class ActorSystem<P>;

 public:
  using State = ActorState<P>;
  using Action = ActorAction<P>;
  using Message = typename P::Message;
  using Timer = typename P::Timer;
  using NodeOutbox = Outbox<Message, Timer>;
  static_assert(std::is_enum_v<Timer>, "timers are an enumeration");

  ActorModel(P protocol, FaultBudgets budgets) : protocol_(std::move(protocol)), budgets_(budgets) {}

  const P& protocol() const { return protocol_; }
  const FaultBudgets& budgets() const { return budgets_; }

  std::vector<State> initial_states() const {
    State state;
    const int n = protocol_.node_count();
    state.armed_timers.assign(n, 0);
    for (NodeId id = 0; id < n; ++id) state.nodes.push_back(protocol_.initial_node(id));
    NodeOutbox out;
    for (NodeId id = 0; id < n; ++id) {
      out.clear();
      protocol_.start(id, state.nodes[id], out);
      apply_effects(state, id, out);
    }
    return {std::move(state)};
  }

  void successors(const State& state, std::vector<Successor<Action, State>>& out) const {
    const int n = static_cast<int>(state.nodes.size());
    NodeOutbox effects;
    std::vector<typename P::Input> inputs;
    for (size_t i = 0; i < state.network.size(); ++i) {
      const Packet<P>& packet = state.network[i];
      if (is_stopped(state, packet.to)) continue;
      Action deliver{Action::Kind::kDeliver, packet.to, packet.from, packet.message};
      State next = state;
      remove_copy(next, i);
      deliver_to(next, packet.from, packet.to, packet.message, effects);
      out.push_back({deliver, std::move(next)});
    }
    for (NodeId id = 0; id < n; ++id) {
      if (is_stopped(state, id)) continue;
      for (uint32_t armed = state.armed_timers[id]; armed != 0; armed &= armed - 1) {
        Timer timer = static_cast<Timer>(std::countr_zero(armed));
        State next = state;
        next.armed_timers[id] &= ~timer_bit(timer);
        effects.clear();
        protocol_.on_timeout(id, next.nodes[id], timer, effects);
        apply_effects(next, id, effects);
        Action action{Action::Kind::kTimeout, id};
        action.timer = timer;
        out.push_back({action, std::move(next)});
      }
      inputs.clear();
      protocol_.inputs(id, state.nodes[id], inputs);
      for (const auto& input : inputs) {
        State next = state;
        effects.clear();
        protocol_.on_input(id, next.nodes[id], input, effects);
        apply_effects(next, id, effects);
        Action action{Action::Kind::kInput, id};
        action.input = input;
        out.push_back({action, std::move(next)});
      }
    }
    add_faults(state, out);
    add_stops(state, out);
  }

  bool within_bounds(const State& state) const {
    for (const auto& packet : state.network) {
      if (packet.count > budgets_.max_copies) return false;
    }
    if constexpr (requires { protocol_.within_bounds(state); }) return protocol_.within_bounds(state);
    return true;
  }

  uint64_t fingerprint(const State& state) const {
    StableHasher hasher;
    for (const auto& node : state.nodes) protocol_.hash(node, hasher);
    for (uint32_t timers : state.armed_timers) hasher.add(uint64_t{timers});
    hasher.add(static_cast<uint64_t>(state.network.size()));
    for (const auto& packet : state.network) {
      hasher.add(packet.from).add(packet.to).add(packet.count);
      packet.message.hash(hasher);
    }
    hasher.add(state.drops).add(state.duplicates).add(state.crashes);
    if (state.stopped != 0) hasher.add(uint64_t{state.stopped});
    if constexpr (requires { typename P::History; }) protocol_.hash_history(state.history, hasher);
    return hasher.digest();
  }

  Json state_json(const State& state) const {
    Json nodes = Json::object();
    for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
      Json node = protocol_.node_json(id, state.nodes[id]);
      Json timers = Json::array();
      for (uint32_t armed = state.armed_timers[id]; armed != 0; armed &= armed - 1) {
        timers.push(protocol_.timer_label(static_cast<Timer>(std::countr_zero(armed))));
      }
      node.set("timers", std::move(timers));
      nodes.set(protocol_.node_name(id), std::move(node));
    }
    Json network = Json::array();
    for (const auto& packet : state.network) {
      std::string text = protocol_.message_label(packet.message) + " " + protocol_.node_name(packet.from) + "->" +
                         protocol_.node_name(packet.to);
      if (packet.count > 1) text += " x" + std::to_string(packet.count);
      network.push(text);
    }
    Json faults = Json::object();
    faults.set("drops", state.drops);
    faults.set("duplicates", state.duplicates);
    faults.set("crashes", state.crashes);
    if (budgets_.max_stops > 0) {
      Json stopped = Json::array();
      for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
        if (is_stopped(state, id)) stopped.push(protocol_.node_name(id));
      }
      faults.set("stopped", std::move(stopped));
    }
    Json json = Json::object();
    json.set("nodes", std::move(nodes));
    json.set("network", std::move(network));
    json.set("faults", std::move(faults));
    if constexpr (requires { protocol_.history_json(state.history); }) {
      json.set("history", protocol_.history_json(state.history));
    }
    return json;
  }

  std::string action_label(const Action& action) const {
    const std::string node = protocol_.node_name(action.node);
    switch (action.kind) {
      case Action::Kind::kDeliver:
        return "Deliver " + protocol_.message_label(action.message) + " " + protocol_.node_name(action.from) + "->" +
               node;
      case Action::Kind::kTimeout: return "Timeout " + node + " " + protocol_.timer_label(action.timer);
      case Action::Kind::kInput: return "Input " + node + " " + protocol_.input_label(action.input);
      case Action::Kind::kDrop:
        return "Drop " + protocol_.message_label(action.message) + " " + protocol_.node_name(action.from) + "->" + node;
      case Action::Kind::kDuplicate:
        return "Deliver duplicate " + protocol_.message_label(action.message) + " " + protocol_.node_name(action.from) + "->" +
               node;
      case Action::Kind::kCrash: return "Crash " + node;
      case Action::Kind::kStop: return "Stop " + node;
    }
    return "?";
  }

  // For coverage and swarm weights: the step's kind without its nodes, e.g.
  // "Deliver RequestVote", "Timeout election", "Crash".
  std::string action_kind(const Action& action) const {
    auto first_word = [](const std::string& label) { return label.substr(0, label.find_first_of(" (")); };
    switch (action.kind) {
      case Action::Kind::kDeliver: return "Deliver " + first_word(protocol_.message_label(action.message));
      case Action::Kind::kDuplicate:
        return "Deliver duplicate " + first_word(protocol_.message_label(action.message));
      case Action::Kind::kDrop: return "Drop " + first_word(protocol_.message_label(action.message));
      case Action::Kind::kTimeout: return "Timeout " + protocol_.timer_label(action.timer);
      case Action::Kind::kInput: return "Input " + first_word(protocol_.input_label(action.input));
      case Action::Kind::kCrash: return "Crash";
      case Action::Kind::kStop: return "Stop";
    }
    return "?";
  }

  std::vector<StateProperty<State>> properties() const { return protocol_.properties(); }

  // Liveness (liveness.h), when the protocol states some. Weakly fair: the
  // delivery of each message in flight (a reliable channel, eventually)
  // and each armed timer; never required: local inputs (a client's or an
  // operator's choice) and faults.
  std::vector<LivenessProperty<State>> liveness_properties() const
    requires requires(const P& p) { p.liveness_properties(); }
  {
    return protocol_.liveness_properties();
  }
  std::optional<uint64_t> fair_class(const Action& action) const {
    StableHasher hasher;
    switch (action.kind) {
      case Action::Kind::kDeliver:
        hasher.add(uint64_t{0}).add(action.from).add(action.node);
        action.message.hash(hasher);
        return hasher.digest();
      case Action::Kind::kTimeout:
        hasher.add(uint64_t{1}).add(action.node).add(action.timer);
        return hasher.digest();
      default: return std::nullopt;
    }
  }
  std::string fairness() const { return "weak fairness of each message's delivery and each timer"; }
  std::vector<TransitionProperty<State, Action>> transition_properties() const {
    return protocol_.transition_properties();
  }

  std::vector<std::string> lifelines() const {
    std::vector<std::string> names;
    for (NodeId id = 0; id < protocol_.node_count(); ++id) names.push_back(protocol_.node_name(id));
    return names;
  }

  StepEvent initial_event(const State& state) const {
    StepEvent event;
    event.kind = "initial";
    add_sent(event, {}, state.network);
    return event;
  }

  StepEvent step_event(const State& from, const Action& action, const State& to) const {
    StepEvent event;
    event.node = protocol_.node_name(action.node);
    switch (action.kind) {
      case Action::Kind::kDeliver: event.kind = "message"; break;
      case Action::Kind::kTimeout: event.kind = "timeout"; break;
      case Action::Kind::kInput: event.kind = "input"; break;
      case Action::Kind::kDrop: event.kind = "drop"; break;
      case Action::Kind::kDuplicate: event.kind = "duplicate"; break;
      case Action::Kind::kCrash: event.kind = "crash"; break;
      case Action::Kind::kStop: event.kind = "crash"; break;
    }
    switch (action.kind) {
      case Action::Kind::kDeliver:
      case Action::Kind::kDrop:
      case Action::Kind::kDuplicate:
        event.from = protocol_.node_name(action.from);
        event.text = protocol_.message_label(action.message);
        break;
      case Action::Kind::kTimeout: event.text = protocol_.timer_label(action.timer); break;
      case Action::Kind::kInput: event.text = protocol_.input_label(action.input); break;
      case Action::Kind::kCrash: event.text = "restarts from stable storage"; break;
      case Action::Kind::kStop: event.text = "stops for good"; break;
    }
    // What the step sent is what is in flight after it and was not before,
    // less the copy a delivery or a drop took out.
    auto before = from.network;
    if (action.kind == Action::Kind::kDeliver || action.kind == Action::Kind::kDrop) {
      for (size_t i = 0; i < before.size(); ++i) {
        if (before[i].from == action.from && before[i].to == action.node && before[i].message == action.message) {
          remove_copy_from(before, i);
          break;
        }
      }
    }
    add_sent(event, before, to.network);
    return event;
  }

 private:
  static uint32_t timer_bit(Timer timer) {
    auto index = static_cast<unsigned>(timer);
    CC_ASSERT(index < 32);
    return 1u << index;
  }

  void add_faults(const State& state, std::vector<Successor<Action, State>>& out) const {
    NodeOutbox effects;
    for (size_t i = 0; i < state.network.size(); ++i) {
      const Packet<P>& packet = state.network[i];
      if (state.drops < budgets_.max_drops) {
        State next = state;
        remove_copy(next, i);
        ++next.drops;
        out.push_back({Action{Action::Kind::kDrop, packet.to, packet.from, packet.message}, std::move(next)});
      }
      if (state.duplicates < budgets_.max_duplicates && !is_stopped(state, packet.to)) {
        // A duplicated message is delivered while a copy of it stays in
        // flight, to be delivered again (or dropped) later.
        State next = state;
        ++next.duplicates;
        deliver_to(next, packet.from, packet.to, packet.message, effects);
        out.push_back({Action{Action::Kind::kDuplicate, packet.to, packet.from, packet.message}, std::move(next)});
      }
    }
    if (state.crashes < budgets_.max_crashes) {
      for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
        if (is_stopped(state, id)) continue;
        State next = state;
        ++next.crashes;
        next.armed_timers[id] = 0;
        effects.clear();
        protocol_.restart(id, next.nodes[id], effects);
        apply_effects(next, id, effects);
        out.push_back({Action{Action::Kind::kCrash, id}, std::move(next)});
      }
    }
  }

  static bool is_stopped(const State& state, NodeId id) { return (state.stopped >> id & 1) != 0; }

  void add_stops(const State& state, std::vector<Successor<Action, State>>& out) const {
    if (std::popcount(state.stopped) >= budgets_.max_stops) return;
    for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
      if (is_stopped(state, id)) continue;
      State next = state;
      next.stopped |= 1u << id;
      next.armed_timers[id] = 0;
      out.push_back({Action{Action::Kind::kStop, id}, std::move(next)});
    }
  }

  // `effects` is scratch space for the receiver's effects.
  void deliver_to(State& state, NodeId from, NodeId to, const Message& message, NodeOutbox& effects) const {
    if constexpr (requires { protocol_.record_delivery(state.history, from, to, message); }) {
      protocol_.record_delivery(state.history, from, to, message);
    }
    effects.clear();
    protocol_.on_message(to, state.nodes[to], from, message, effects);
    apply_effects(state, to, effects);
  }

  static void remove_copy(State& state, size_t index) { remove_copy_from(state.network, index); }

  template <class Network>
  static void remove_copy_from(Network& network, size_t index) {
    if (--network[index].count == 0) network.erase(network.begin() + index);
  }

  // Appends to event.sent a message for each copy in `after` beyond those in
  // `before`; both are sorted networks.
  template <class Network>
  void add_sent(StepEvent& event, const Network& before, const Network& after) const {
    for (const auto& packet : after) {
      int earlier = 0;
      for (const auto& old : before) {
        if (old.same_message(packet)) earlier = old.count;
      }
      for (int copy = earlier; copy < packet.count; ++copy) {
        event.sent.push_back({protocol_.node_name(packet.from), protocol_.node_name(packet.to),
                              protocol_.message_label(packet.message)});
      }
    }
  }

  static bool packet_less(const Packet<P>& a, const Packet<P>& b) {
    if (a.from != b.from) return a.from < b.from;
    if (a.to != b.to) return a.to < b.to;
    return a.message < b.message;
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
      if constexpr (requires { typename P::History; }) protocol_.record_send(state.history, self, send.to, send.message);
      if constexpr (loops_back<P>()) {
        if (send.to == self) {
          NodeOutbox local;  // the caller's outbox is still being read
          deliver_to(state, self, self, send.message, local);
          continue;
        }
      }
      Packet<P> packet{self, send.to, send.message, 1};
      auto at = std::lower_bound(state.network.begin(), state.network.end(), packet, packet_less);
      if (at != state.network.end() && at->same_message(packet)) {
        ++at->count;
      } else {
        state.network.insert(at, std::move(packet));
      }
    }
  }

  P protocol_;
  FaultBudgets budgets_;
};

}  // namespace crosscheck::mc
