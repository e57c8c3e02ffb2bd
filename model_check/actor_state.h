// The actor harness's state and steps: what a state of ActorModel holds
// (nodes, armed timers, messages in flight, faults taken, time and a
// history), what a step is, and the fault budget that bounds them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "impl/common/outbox.h"
#include "impl/common/small_vector.h"
#include "model_check/actor_binding.h"
#include "model_check/actor_network.h"
#include "model_check/actor_time.h"

namespace crosscheck::mc {

// Every fault the environment may inject in a run, each with its budget.
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
  // Pauses of a node's process, with clocks only (under abstract time a
  // pause is a schedule the checker explores anyway): how many in all, and
  // the longest, in global ticks.
  int max_pauses = 0;
  int max_pause = 0;
  // Partitions: how many times a node may be cut off from every other node,
  // one partition at a time. A partition loses every message to or from the
  // node, in flight when it begins or sent while it lasts, until it heals.
  int max_partitions = 0;
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

// How many nodes, and packets in flight, a state keeps inline (more spill
// to the heap): 8 and 16, or the binding's kInlineNodes and
// kInlineMessages. A state is copied for every successor, so a binding
// whose states are smaller than that keeps them small.
template <class P>
constexpr size_t inline_nodes() {
  if constexpr (requires { P::kInlineNodes; }) {
    return P::kInlineNodes;
  } else {
    return 8;
  }
}

template <class P>
constexpr size_t inline_messages() {
  if constexpr (requires { P::kInlineMessages; }) {
    return P::kInlineMessages;
  } else {
    return 16;
  }
}

template <class P>
struct ActorState {
  SmallVector<typename P::Node, inline_nodes<P>()> nodes;
  SmallVector<uint32_t, inline_nodes<P>()> armed_timers;  // per node, bit t set: timer t armed
  SmallVector<Packet<P>, inline_messages<P>()>
      network;  // sorted by link (actor_network.h), counts > 0
  int drops = 0;
  int duplicates = 0;
  int crashes = 0;
  uint32_t stopped = 0;   // bit n: node n is down for good
  uint32_t isolated = 0;  // bit n: node n is cut off (one node at most)
  int partitions = 0;     // partitions begun
  typename HistoryOf<P>::type history{};
  [[no_unique_address]] typename TimeOf<P>::type::State time{};

  bool operator==(const ActorState&) const = default;

  int copies_in_flight() const {
    int total = 0;
    for (const auto& packet : network) total += packet.count;
    return total;
  }
};

template <class P>
struct ActorAction {
  enum class Kind : uint8_t {
    kDeliver,
    kTimeout,
    kInput,
    kDrop,
    kDuplicate,
    kCrash,
    kStop,
    kAdvance,  // global time advances a tick
    kTick,     // a clock runs a tick ahead
    kPause,
    kIsolate,  // a partition begins
    kHeal,
  };
  Kind kind;
  // The receiver; the timer's or input's owner; the node that crashes,
  // stops, ticks, pauses or is cut off.
  NodeId node;
  NodeId from = 0;
  typename P::Message message{};
  typename P::Timer timer{};
  typename P::Input input{};
  int amount = 0;  // kAdvance: the time reached; kTick: the clock's new reading; kPause: its length
};

}  // namespace crosscheck::mc
