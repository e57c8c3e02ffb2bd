// The actor harness's time policies. A binding chooses one with
// `using Time = ...;` (AbstractTime when it says nothing).
//
// AbstractTime: no clock at all. A node arms timers through its outbox and
// the checker may fire any armed timer at any point; that is every timing a
// protocol whose safety does not rest on time can meet.
//
// ClockTime: explicit clocks (model_check/clocks.h), for protocols whose
// safety rests on leases. One global time no node reads, advanced a tick
// at a time up to a horizon; a clock per node that has one (the binding's
// has_clock, default every node), which the checker may let run ahead of
// global time by up to `drift` ticks and which is carried along when global
// time advances; pauses of a node's process (within the fault budget):
// its clock runs on, but it takes no step and receives nothing until it
// wakes. A node sees its clock only through the binding's on_tick: in the
// step that moves it, or, for a paused node, in the step that wakes it; so
// a running node never acts on a reading older than its clock.
#pragma once

#include <cstdint>
#include <type_traits>

#include "model_check/clocks.h"

namespace crosscheck::mc {

// The most nodes a binding with clocks may have.
constexpr int kMaxClockedActors = 8;

struct AbstractTime {
  struct State {
    bool operator==(const State&) const = default;
  };
};

struct ClockTime {
  int drift = 0;     // d: how far ahead of global time a clock may run
  int horizon = 10;  // global time never passes it; it is what keeps the model finite
  // Whether a paused node's clock may still tick ahead on its own. A clock
  // is hardware and runs on through a pause; a model that leaves this out
  // keeps a paused node's clock at the lower edge of the drift window.
  bool paused_clocks_tick = true;
  // Whether a pause may last past the horizon (the node then takes no step
  // again). Otherwise every pause ends by the horizon, so the paused node
  // always wakes to take the steps it was kept from.
  bool pauses_outlast_horizon = true;

  struct State {
    Clocks<kMaxClockedActors> clocks;
    // Bit n: node n's clock moved while it was paused; it gets on_tick
    // when it wakes. A running node's bit is never set.
    uint32_t unseen = 0;
    bool operator==(const State&) const = default;
  };
};

template <class P>
struct TimeOf {
  using type = AbstractTime;
};

template <class P>
requires requires { typename P::Time; }
struct TimeOf<P> {
  using type = typename P::Time;
};

template <class P>
constexpr bool has_clocks() {
  return std::is_same_v<typename TimeOf<P>::type, ClockTime>;
}

}  // namespace crosscheck::mc
