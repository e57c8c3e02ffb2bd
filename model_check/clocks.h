// Time for models with leases: one global time that no node can read, and
// one local clock per node that the node reads through its on_tick input.
//
// The drift bound d says how far clocks may disagree. Every local clock
// stays in the window [now, now + d] of global time `now`: a node's clock
// may run ahead of global time by up to d ticks, and a clock at the lower
// edge is carried along when global time advances. So over any interval,
// the time a node measures differs from real time by at most d (its clock
// may start the interval at one edge of the window and end it at the
// other), and the times two nodes measure differ by up to 2d. A lease the
// grantor keeps for L ticks of its clock is therefore safe for a holder
// that starts its own count before asking and trusts the lease for
// L - 2d ticks of its own clock (docs/lockservice.md, docs/failover.md).
// With d = 0 every clock equals global time.
//
// A pause (a stop-the-world garbage collection, a descheduled process)
// freezes a node's process for some global ticks: its clock keeps running
// but the node takes no step, so it notices the time only when it wakes.
//
// Global time is bounded by a horizon: a state past it is outside the
// bounds, which is what keeps a model with explicit time finite.
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>

#include "impl/common/assert.h"
#include "impl/common/hash.h"
#include "impl/common/outbox.h"

namespace crosscheck::mc {

struct ClockBounds {
  int drift = 0;       // d: how far ahead of global time a clock may run
  int horizon = 10;    // global time never exceeds this
  int max_pause = 0;   // the longest pause, in global ticks (0: no pauses)
  int max_pauses = 0;  // pauses in all, over a run
};

template <int kMaxNodes>
struct Clocks {
  uint8_t now = 0;  // global time
  uint8_t pauses_taken = 0;
  uint8_t local[kMaxNodes] = {};         // each node's clock reading
  uint8_t paused_until[kMaxNodes] = {};  // a node is paused while now < paused_until

  auto operator<=>(const Clocks&) const = default;
  bool operator==(const Clocks&) const = default;

  bool paused(NodeId node) const { return now < paused_until[node]; }

  // Global time may advance while it stays within the horizon.
  bool can_advance(const ClockBounds& bounds) const { return now < bounds.horizon; }

  // Advances global time by one tick. Clocks that would fall behind are
  // carried along; `moved` gets the bit of every node whose clock changed
  // (each of those must be offered an on_tick, unless it is paused).
  void advance(int nodes, uint32_t& moved) {
    ++now;
    moved = 0;
    for (int i = 0; i < nodes; ++i) {
      if (local[i] < now) {
        local[i] = now;
        moved |= 1u << i;
      }
    }
  }

  // A node's clock may tick on its own while it stays within d of global time.
  bool can_tick(NodeId node, const ClockBounds& bounds) const {
    return local[node] < now + bounds.drift;
  }
  void tick(NodeId node) {
    CC_ASSERT(local[node] < 255);
    ++local[node];
  }

  // Pausing a node that is running, for 1..max_pause ticks.
  bool can_pause(NodeId node, const ClockBounds& bounds) const {
    return bounds.max_pause > 0 && pauses_taken < bounds.max_pauses && !paused(node);
  }
  void pause(NodeId node, int ticks) {
    CC_ASSERT(ticks > 0 && now + ticks < 256);
    paused_until[node] = static_cast<uint8_t>(now + ticks);
    ++pauses_taken;
  }

  void hash(StableHasher& hasher, int nodes) const {
    hasher.add(static_cast<uint64_t>(now));
    hasher.add(static_cast<uint64_t>(pauses_taken));
    for (int i = 0; i < nodes; ++i) {
      hasher.add(static_cast<uint64_t>(local[i]));
      hasher.add(static_cast<uint64_t>(paused_until[i]));
    }
  }
};

}  // namespace crosscheck::mc
