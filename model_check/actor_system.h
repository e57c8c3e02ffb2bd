// The actor harness one step at a time, for scenario and property tests.
//
// An ActorSystem holds the checker's own state of an actor model
// (ActorState) and takes the checker's own transitions (ActorModel's) in
// the order a test chooses: deliver a message, fire an armed timer, give a
// node an input it offers, crash and restart a node, drop a message, or
// deliver a duplicate of one. Each step leaves the state exactly as the
// checker's step of the same action would, fault counters included; the
// fault budgets and the protocol's bounds are the checker's business and
// are not applied here.
//
// Two things are kept beside the state, for the test's benefit only:
//   - the order in which messages went into the network, so that a test
//     can name the oldest one (in_flight() lists one entry per copy,
//     oldest first; the copies one step sends are in the network's
//     order: by receiver, then message);
//   - the links the test has cut. A message on a cut link is lost when it
//     would be delivered (the checker's Drop, counted as one).
// A binding's messages to its own node (kLoopback) are local calls, not
// sends: they never enter the network, so neither list shows them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "impl/common/assert.h"
#include "impl/common/outbox.h"
#include "model_check/actor.h"

namespace crosscheck::mc {

template <class P>
class ActorSystem {
  // A test gives nodes their clocks' readings itself, as inputs.
  static_assert(!ActorModel<P>::kClocks, "the step API runs bindings with abstract time");

 public:
  using Model = ActorModel<P>;
  using State = ActorState<P>;
  using Node = typename P::Node;
  using Message = typename P::Message;
  using Timer = typename P::Timer;
  using Input = typename P::Input;
  using Outbox = typename Model::NodeOutbox;

  // One copy of a message, in flight or sent.
  struct Envelope {
    NodeId from;
    NodeId to;
    Message message;
  };
  using Match = std::function<bool(const Envelope&)>;

  // deliver_all's default cap on the messages it takes.
  static constexpr int kMaxDeliveries = 10000;

  // The checker's initial state: every node started.
  explicit ActorSystem(P protocol)
      : model_(std::move(protocol), FaultBudgets{}), state_(model_.initial_states().front()) {
    CC_ASSERT(size() <= 32);  // cut links are bit sets
    cut_.assign(static_cast<size_t>(size()), 0);
    note_sends({});
  }

  const P& protocol() const { return model_.protocol(); }
  const Model& model() const { return model_; }
  const State& state() const { return state_; }
  int size() const { return static_cast<int>(state_.nodes.size()); }
  const Node& node(NodeId id) const { return state_.nodes[checked(id)]; }
  const auto& nodes() const { return state_.nodes; }
  bool armed(NodeId id, Timer timer) const {
    return (state_.armed_timers[checked(id)] & Model::timer_bit(timer)) != 0;
  }
  // The inputs the node offers now.
  std::vector<Input> inputs(NodeId id) const {
    std::vector<Input> offered;
    protocol().inputs(id, state_.nodes[checked(id)], offered);
    return offered;
  }

  // Every copy in flight, oldest first.
  const std::vector<Envelope>& in_flight() const { return flight_; }
  // Every message that entered the network, in order.
  const std::vector<Envelope>& sent() const { return sent_; }
  // The position in in_flight() of the oldest copy that matches.
  std::optional<size_t> find(const Match& match) const {
    for (size_t i = 0; i < flight_.size(); ++i) {
      if (match(flight_[i])) return i;
    }
    return std::nullopt;
  }

  // The network. Cuts are the test's, not the checker's: they only decide
  // which deliveries become losses.
  bool connected(NodeId from, NodeId to) const {
    return (cut_[checked(from)] >> checked(to) & 1) == 0;
  }
  // Cuts the link both ways.
  void cut(NodeId a, NodeId b) {
    cut_[checked(a)] |= 1u << checked(b);
    cut_[b] |= 1u << a;
  }
  // Cuts every link between the node and the others.
  void isolate(NodeId id) {
    for (NodeId other = 0; other < size(); ++other) {
      if (other != id) cut(id, other);
    }
  }
  void heal() { std::fill(cut_.begin(), cut_.end(), 0); }

  // Delivers in_flight()[index] (the checker's Deliver), or loses it on a
  // cut link (Drop). Returns whether it was delivered.
  bool deliver(size_t index) {
    const Envelope envelope = take(index);
    if (!connected(envelope.from, envelope.to)) {
      ++state_.drops;
      return false;
    }
    const Network before = state_.network;
    model_.deliver_to(state_, envelope.from, envelope.to, envelope.message);
    note_sends(before);
    return true;
  }
  // Takes the oldest copy that matches, as deliver(index) does; false if
  // none matches.
  bool deliver(const Match& match) {
    const std::optional<size_t> index = find(match);
    if (index) deliver(*index);
    return index.has_value();
  }
  // Takes matching copies, oldest first, until none is left or `max` were
  // taken; returns how many were taken.
  int deliver_all(const Match& match, int max = kMaxDeliveries) {
    int taken = 0;
    while (taken < max && deliver(match)) ++taken;
    return taken;
  }
  int deliver_all() { return deliver_all(every_message); }

  // Loses in_flight()[index] (the checker's Drop).
  void drop(size_t index) {
    take(index);
    ++state_.drops;
  }
  // Drops every copy that matches; returns how many.
  int drop_all(const Match& match) {
    int dropped = 0;
    for (std::optional<size_t> index = find(match); index; index = find(match)) {
      drop(*index);
      ++dropped;
    }
    return dropped;
  }

  // The checker's Duplicate: delivers a copy of in_flight()[index] while
  // the message stays in flight. On a cut link the copy is lost and nothing
  // happens; returns whether it was delivered.
  bool duplicate(size_t index) {
    CC_ASSERT(index < flight_.size());
    const Envelope envelope = flight_[index];
    if (!connected(envelope.from, envelope.to)) return false;
    ++state_.duplicates;
    const Network before = state_.network;
    model_.deliver_to(state_, envelope.from, envelope.to, envelope.message);
    note_sends(before);
    return true;
  }

  // The checker's Timeout; false (and nothing happens) unless the timer is armed.
  bool fire(NodeId id, Timer timer) {
    if (!armed(id, timer)) return false;
    state_.armed_timers[id] &= ~Model::timer_bit(timer);
    act(id, [&](Node& node, Outbox& out) { protocol().on_timeout(id, node, timer, out); });
    return true;
  }

  // The checker's Input; false (and nothing happens) unless the node offers it.
  bool input(NodeId id, const Input& input) {
    const std::vector<Input> offered = inputs(id);
    if (std::find(offered.begin(), offered.end(), input) == offered.end()) return false;
    act(id, [&](Node& node, Outbox& out) { protocol().on_input(id, node, input, out); });
    return true;
  }

  // The checker's Crash: the node restarts at once from its persistent
  // state, and its timers are lost.
  void crash(NodeId id) {
    ++state_.crashes;
    state_.armed_timers[checked(id)] = 0;
    act(id, [&](Node& node, Outbox& out) { protocol().restart(id, node, out); });
  }

 private:
  using Network = decltype(State::network);

  static bool every_message(const Envelope&) { return true; }

  NodeId checked(NodeId id) const {
    CC_ASSERT(id >= 0 && id < size());
    return id;
  }

  // One of the node's own steps: `step(node, outbox)`, then its effects.
  template <class Step>
  void act(NodeId id, Step&& step) {
    const Network before = state_.network;
    model_.run_step(state_, checked(id), std::forward<Step>(step));
    note_sends(before);
  }

  // Removes in_flight()[index] and its copy in the network.
  Envelope take(size_t index) {
    CC_ASSERT(index < flight_.size());
    const Envelope envelope = flight_[index];
    flight_.erase(flight_.begin() + static_cast<std::ptrdiff_t>(index));
    const size_t k =
        network::find(state_.network, Model::packet(envelope.from, envelope.to, envelope.message));
    CC_ASSERT(k < state_.network.size());  // in_flight() and the network hold the same copies
    network::remove_copy(state_.network, k);
    return envelope;
  }

  // Appends the copies in the network beyond those in `before` to the
  // flight and to what was sent.
  void note_sends(const Network& before) {
    network::each_sent(before, state_.network, [&](const Packet<P>& packet, int more) {
      for (int copy = 0; copy < more; ++copy) {
        flight_.push_back({packet.from, packet.to, packet.message});
        sent_.push_back(flight_.back());
      }
    });
  }

  Model model_;
  State state_;
  std::vector<Envelope> flight_;  // Invariant: as a multiset, state_.network
  std::vector<Envelope> sent_;
  std::vector<uint32_t> cut_;  // bit b of cut_[a]: the link a -> b is cut
};

}  // namespace crosscheck::mc
