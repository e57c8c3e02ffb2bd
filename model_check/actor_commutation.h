// Which steps of an actor model commute, for partial-order reduction
// (sleep_sets.h). A binding says its nodes' steps commute by declaring
//
//   static constexpr bool kNodeStepsCommute = true;
//
// which promises that a delivery, timeout or input of one node and one of
// another, taken in either order, reach the same state: the history's
// updates commute (a set of messages ever sent does; a sequence of them
// would not), `inert` judges a message by its receiver's state alone and,
// once true, stays true, and `within_bounds` keeps a state two such steps
// reach if it keeps the states each reaches alone (the harness's bound on
// copies of one message does; a bound on all messages in flight does not:
// each step may add one under the bound and both together pass it, and a
// path that takes them apart, with a delivery between, would be lost). The harness adds what it
// knows: the network is a multiset, or FIFO links, where taking one packet and adding others
// commute; a step also touches every node it delivers to at once (delivered_at_once); a drop or
// duplicate touches the receiver and its budget, a crash or stop its node and its budget; time,
// clocks and partitions touch everything.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <type_traits>
#include <vector>

#include "impl/common/hash.h"
#include "impl/common/outbox.h"
#include "model_check/actor_binding.h"
#include "model_check/actor_state.h"
#include "model_check/model.h"

namespace crosscheck::mc::commutation {

template <class P>
constexpr bool node_steps_commute() {
  if constexpr (requires { P::kNodeStepsCommute; }) {
    return P::kNodeStepsCommute;
  } else {
    return false;
  }
}

// Per node, the nodes its steps touch: itself and, transitively, the nodes
// it delivers to at once.
template <class P>
std::vector<uint32_t> reach(const P& protocol) {
  const int n = protocol.node_count();
  std::vector<uint32_t> touched(static_cast<size_t>(n));
  for (NodeId id = 0; id < n; ++id) touched[id] = 1u << id;
  for (bool grew = true; grew;) {
    grew = false;
    for (NodeId from = 0; from < n; ++from) {
      for (NodeId to = 0; to < n; ++to) {
        if (from == to || !hooks::delivered_at_once(protocol, from, to)) continue;
        const uint32_t before = touched[from];
        touched[from] |= touched[to];
        grew = grew || touched[from] != before;
      }
    }
  }
  return touched;
}

// An input's identity, when its bytes are its value.
template <class Input>
constexpr bool kHashableInput =
    std::is_trivially_copyable_v<Input>&& std::has_unique_object_representations_v<Input>;

template <class Input>
uint64_t input_hash(const Input& input) {
  uint64_t word = 0;
  static_assert(sizeof(Input) <= sizeof(word));
  std::memcpy(&word, &input, sizeof(Input));
  return word;
}

// Each fault budget, as the resource a step that spends it touches.
constexpr uint64_t kDropBudget = uint64_t{1} << 32;
constexpr uint64_t kDuplicateBudget = uint64_t{1} << 33;
constexpr uint64_t kCrashBudget = uint64_t{1} << 34;
constexpr uint64_t kStopBudget = uint64_t{1} << 35;

// The footprint of a delivery, timeout, input, drop, duplicate, crash or
// stop (its id hashes the kind, the node, and the message, timer or
// input); nothing for time, clocks and partitions. `clocks`: a crash
// also resets its node's pause, which is global time's.
template <class P>
std::optional<StepFootprint> footprint(const ActorAction<P>& action,
                                       const std::vector<uint32_t>& reach, bool clocks) {
  using Kind = typename ActorAction<P>::Kind;
  StableHasher hasher;
  uint64_t budget = 0;
  const auto link = [&](uint64_t kind) {
    hasher.add(kind | uint64_t{static_cast<uint8_t>(action.from)} << 8 |
               uint64_t{static_cast<uint8_t>(action.node)} << 16);
    action.message.hash(hasher);
  };
  switch (action.kind) {
    case Kind::kDeliver: link(0); break;
    case Kind::kDrop:
      link(3);
      budget = kDropBudget;
      break;
    case Kind::kDuplicate:
      link(4);
      budget = kDuplicateBudget;
      break;
    case Kind::kCrash:
    case Kind::kStop:
      if (clocks) return std::nullopt;
      hasher.add(uint64_t{action.kind == Kind::kCrash ? 5u : 6u} |
                 uint64_t{static_cast<uint8_t>(action.node)} << 16);
      budget = action.kind == Kind::kCrash ? kCrashBudget : kStopBudget;
      break;
    case Kind::kTimeout:
      hasher.add(uint64_t{1} | uint64_t{static_cast<uint8_t>(action.node)} << 16 |
                 static_cast<uint64_t>(action.timer) << 24);
      break;
    case Kind::kInput:
      if constexpr (kHashableInput<typename P::Input> && sizeof(typename P::Input) <= 8) {
        hasher.add(uint64_t{2} | uint64_t{static_cast<uint8_t>(action.node)} << 16);
        hasher.add(input_hash(action.input));
        break;
      } else {
        return std::nullopt;
      }
    default: return std::nullopt;
  }
  return StepFootprint{hasher.digest(), reach[static_cast<size_t>(action.node)] | budget};
}

}  // namespace crosscheck::mc::commutation
