// What the actor harness (actor.h) needs of a protocol: a binding, stated
// as the concept `Actor` and its parts, so that a binding that lacks
// something is told which part in one line.
//
// ActorValues: the types.
//   using Node, Message, Timer, Input;
//       Node copyable with ==; Message copyable, default-constructible and
//       ordered (<=>: the network is sorted); Timer an enumeration with
//       values below 32 (a node's armed timers are a bit set); Input
//       copyable and default-constructible.
// ActorHandlers: what the harness calls, each writing effects (sends,
// timer changes) to an Outbox<Message, Timer>.
//   int node_count() const;
//   Node initial_node(NodeId) const;
//   void start(NodeId, Node&, Outbox&) const;
//   void on_message(NodeId self, Node&, NodeId from, const Message&, Outbox&) const;
//   void on_timeout(NodeId self, Node&, Timer, Outbox&) const;
//   void inputs(NodeId self, const Node&, std::vector<Input>&) const;  // the enabled local inputs
//   void on_input(NodeId self, Node&, const Input&, Outbox&) const;
//   void restart(NodeId self, Node&, Outbox&) const;   a crash: keep the persistent part
// ActorClock: with `using Time = mc::ClockTime;` (actor_time.h), also
//   void on_tick(NodeId self, Node&, uint8_t reading, Outbox&) const;
// ActorHashing:
//   Message::hash(StableHasher&) const, and Node::hash(StableHasher&) const
//   or the binding's void hash(const Node&, StableHasher&) const.
// ActorLabels:
//   std::string node_name(NodeId) const;
//   Json node_json(NodeId, const Node&) const;  with clocks it may instead
//       take the node's clock reading as a third argument;
//   a label for each Message, Timer and Input: Message::label() or the
//   binding's message_label(const Message&); the binding's
//   timer_label(Timer) or a to_string(Timer) found by argument-dependent
//   lookup; Input::label() or the binding's input_label(const Input&).
// ActorProperties:
//   std::vector<StateProperty<ActorState<P>>> properties() const;
//
// Optional members (the harness uses them when they are there):
//   transition_properties(), liveness_properties()   properties of steps, and leads-to
//   bool within_bounds(const ActorState<P>&) const;   the protocol's own state constraint
//   using History;  a history variable (see NoHistory in actor.h), with
//     void hash_history(const History&, StableHasher&) const;
//     void record_send(History&, NodeId from, NodeId to, const Message&) const;
//     void record_delivery(History&, NodeId from, NodeId to, const Message&) const;
//         offered every delivery (a duplicate's too), before the receiver handles it
//     void record_step(History&, NodeId self, const Node& before, const Node& after) const;
//         offered after every step of a node (delivery, timeout, input, tick, restart)
//     Json history_json(const History&) const;   the history in a rendered state
//   static constexpr bool kLoopback = true;
//       a node's messages to itself are local calls: each is recorded like
//       any send and handled at once, within the step that sent it, never
//       through the network (so never dropped, duplicated or reordered)
//   bool delivered_at_once(NodeId from, NodeId to) const;
//       the same for other links (a client's write to a storage server
//       whose delay the model leaves out)
//   bool inert(const ActorState<P>&, NodeId from, NodeId to, const Message&) const;
//       a message whose delivery can never change anything, in this state
//       or any it leads to: the harness takes it out of flight after every
//       step, so that states differing only in it are one
//   bool can_crash(NodeId) const;    which nodes the crash budgets apply to (default all)
//   static constexpr size_t kInlineNodes, kInlineMessages;
//       how many nodes and packets in flight a state keeps without a heap
//       allocation (default 8 and 16; see inline_nodes in actor.h)
// and with clocks:
//   bool has_clock(NodeId) const;    default every node; a node without one gets no on_tick
//   bool pausable(NodeId) const;     default every node with a clock
//   bool time_waits_for(NodeId, const Node&) const;
//       global time does not advance while a running node says so (a step
//       the model takes to be instantaneous is under way)
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "impl/common/hash.h"
#include "impl/common/outbox.h"
#include "model_check/actor_time.h"
#include "model_check/json.h"
#include "model_check/model.h"

namespace crosscheck::mc {

template <class P>
struct ActorState;

template <class P>
using ActorOutbox = Outbox<typename P::Message, typename P::Timer>;

template <class P>
concept ActorTypes = requires {
  typename P::Node;
  typename P::Message;
  typename P::Timer;
  typename P::Input;
};

template <class P>
concept ActorValues = ActorTypes<P> && std::copyable<typename P::Node> &&
    std::equality_comparable<typename P::Node> && std::copyable<typename P::Message> &&
    std::default_initializable<typename P::Message> && std::totally_ordered<typename P::Message> &&
    std::is_enum_v<typename P::Timer> && std::copyable<typename P::Input> &&
    std::default_initializable<typename P::Input>;

template <class P>
concept ActorHandlers = ActorValues<P> &&
    requires(const P& p, NodeId id, typename P::Node& node, const typename P::Node& view,
             const typename P::Message& message, typename P::Timer timer,
             const typename P::Input& input, ActorOutbox<P>& out,
             std::vector<typename P::Input>& inputs) {
  { p.node_count() } -> std::convertible_to<int>;
  { p.initial_node(id) } -> std::convertible_to<typename P::Node>;
  p.start(id, node, out);
  p.on_message(id, node, id, message, out);
  p.on_timeout(id, node, timer, out);
  p.inputs(id, view, inputs);
  p.on_input(id, node, input, out);
  p.restart(id, node, out);
};

template <class P>
concept TicksWithClocks = requires(const P& p, NodeId id, typename P::Node& node, uint8_t reading,
                                   ActorOutbox<P>& out) {
  p.on_tick(id, node, reading, out);
};

template <class P>
concept ActorClock = !has_clocks<P>() || TicksWithClocks<P>;

template <class P>
concept HashedNode = requires(const P& p, const typename P::Node& node, StableHasher& hasher) {
  p.hash(node, hasher);
}
|| requires(const typename P::Node& node, StableHasher& hasher) { node.hash(hasher); };

template <class P>
concept ActorHashing = HashedNode<P> &&
    requires(const typename P::Message& message, StableHasher& hasher) {
  message.hash(hasher);
};

template <class P>
concept NodeJson = requires(const P& p, NodeId id, const typename P::Node& node) {
  { p.node_json(id, node) } -> std::same_as<Json>;
}
|| (has_clocks<P>() &&
    requires(const P& p, NodeId id, const typename P::Node& node, uint8_t reading) {
      { p.node_json(id, node, reading) } -> std::same_as<Json>;
    });

template <class P>
concept MessageLabel = requires(const P& p, const typename P::Message& m) {
  { p.message_label(m) } -> std::convertible_to<std::string>;
}
|| requires(const typename P::Message& m) {
  { m.label() } -> std::convertible_to<std::string>;
};

template <class P>
concept TimerLabel = requires(const P& p, typename P::Timer t) {
  { p.timer_label(t) } -> std::convertible_to<std::string>;
}
|| requires(typename P::Timer t) { std::string(to_string(t)); };

template <class P>
concept InputLabel = requires(const P& p, const typename P::Input& i) {
  { p.input_label(i) } -> std::convertible_to<std::string>;
}
|| requires(const typename P::Input& i) {
  { i.label() } -> std::convertible_to<std::string>;
};

template <class P>
concept ActorLabels = requires(const P& p, NodeId id) {
  { p.node_name(id) } -> std::convertible_to<std::string>;
}
&&NodeJson<P>&& MessageLabel<P>&& TimerLabel<P>&& InputLabel<P>;

template <class P>
concept ActorProperties = requires(const P& p) {
  { p.properties() } -> std::same_as<std::vector<StateProperty<ActorState<P>>>>;
};

// A protocol the actor harness can run.
template <class P>
concept Actor = ActorValues<P> && ActorHandlers<P> && ActorClock<P> && ActorHashing<P> &&
    ActorLabels<P> && ActorProperties<P>;

// The members a binding may leave out, with what the harness does then.
namespace hooks {

template <class P>
std::string message_label(const P& p, const typename P::Message& m) {
  if constexpr (requires { p.message_label(m); }) {
    return p.message_label(m);
  } else {
    return m.label();
  }
}

template <class P>
std::string timer_label(const P& p, typename P::Timer t) {
  if constexpr (requires { p.timer_label(t); }) {
    return p.timer_label(t);
  } else {
    return std::string(to_string(t));
  }
}

template <class P>
std::string input_label(const P& p, const typename P::Input& input) {
  if constexpr (requires { p.input_label(input); }) {
    return p.input_label(input);
  } else {
    return input.label();
  }
}

template <class P>
void hash_node(const P& p, const typename P::Node& node, StableHasher& hasher) {
  if constexpr (requires { p.hash(node, hasher); }) {
    p.hash(node, hasher);
  } else {
    node.hash(hasher);
  }
}

// `reading` is the node's clock reading (with clocks) or unused.
template <class P>
Json node_json(const P& p, NodeId id, const typename P::Node& node, uint8_t reading) {
  if constexpr (requires { p.node_json(id, node, reading); }) {
    return p.node_json(id, node, reading);
  } else {
    return p.node_json(id, node);
  }
}

template <class P>
bool has_clock(const P& p, NodeId id) {
  if constexpr (requires { p.has_clock(id); }) {
    return p.has_clock(id);
  } else {
    return has_clocks<P>();
  }
}

template <class P>
bool pausable(const P& p, NodeId id) {
  if constexpr (requires { p.pausable(id); }) {
    return p.pausable(id);
  } else {
    return has_clock(p, id);
  }
}

template <class P>
bool can_crash(const P& p, NodeId id) {
  if constexpr (requires { p.can_crash(id); }) {
    return p.can_crash(id);
  } else {
    return true;
  }
}

template <class P>
constexpr bool loops_back() {
  if constexpr (requires { P::kLoopback; }) {
    return P::kLoopback;
  } else {
    return false;
  }
}

// Whether a message from `from` to `to` is handled within the step that
// sends it rather than put in flight.
template <class P>
bool delivered_at_once(const P& p, NodeId from, NodeId to) {
  if constexpr (requires { p.delivered_at_once(from, to); }) {
    if (p.delivered_at_once(from, to)) return true;
  }
  return loops_back<P>() && from == to;
}

template <class P>
bool time_waits_for(const P& p, NodeId id, const typename P::Node& node) {
  if constexpr (requires { p.time_waits_for(id, node); }) {
    return p.time_waits_for(id, node);
  } else {
    return false;
  }
}

}  // namespace hooks
}  // namespace crosscheck::mc
