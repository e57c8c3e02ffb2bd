// TCommit.tla (Lamport & Gray): the specification of transaction commit in
// terms of the resource managers' states alone. TwoPhase and the
// implementation both refine it.
#pragma once

#include <bit>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model_check/json.h"
#include "model_check/model.h"

namespace crosscheck::spec::tcommit {

constexpr int kMaxRms = 16;

enum class RmState : uint8_t { kWorking, kPrepared, kCommitted, kAborted };
std::string_view to_string(RmState state);

// rmState, two bits per RM.
class State {
 public:
  State() = default;
  explicit State(int rms) : rms_(static_cast<uint8_t>(rms)) {}

  int rms() const { return rms_; }
  RmState get(int rm) const { return static_cast<RmState>((bits_ >> (2 * rm)) & 3u); }
  void set(int rm, RmState state) {
    bits_ = (bits_ & ~(3u << (2 * rm))) | (static_cast<uint32_t>(state) << (2 * rm));
  }
  uint32_t bits() const { return bits_; }
  // The state whose rmState fields are the low 2 * rms bits of `bits`.
  static State from_bits(int rms, uint32_t bits) {
    State s(rms);
    s.bits_ = bits & (rms == 16 ? ~0u : (1u << (2 * rms)) - 1);
    return s;
  }

  // Bit 2 * rm set when RM rm is in the given state, for every RM at once:
  // the checker evaluates these predicates on hundreds of millions of
  // steps, so they work on all two-bit fields together rather than RM by RM.
  uint32_t rms_in(RmState state) const {
    const uint32_t lanes = rms_ == 16 ? 0x55555555u : 0x55555555u & ((1u << (2 * rms_)) - 1);
    const uint32_t high = (bits_ >> 1) & lanes;
    const uint32_t low = bits_ & lanes;
    const uint32_t want_high = (static_cast<uint32_t>(state) >> 1) ? high : ~high;
    const uint32_t want_low = (static_cast<uint32_t>(state) & 1) ? low : ~low;
    return want_high & want_low & lanes;
  }

  auto operator<=>(const State&) const = default;

 private:
  uint32_t bits_ = 0;  // all working
  uint8_t rms_ = 0;
};

struct Action {
  enum class Kind : uint8_t { kPrepare, kDecideCommit, kDecideAbort };
  Kind kind;
  int rm;
};

// Defined in the header so that the refinement checks inline them: they
// run on every generated step (hundreds of millions at 10 RMs).

// canCommit: every RM is prepared or committed.
inline bool can_commit(const State& state) {
  return (state.rms_in(RmState::kWorking) | state.rms_in(RmState::kAborted)) == 0;
}

// notCommitted: no RM is committed.
inline bool not_committed(const State& state) { return state.rms_in(RmState::kCommitted) == 0; }

// TCConsistent: no RM has committed while another aborted.
inline bool tc_consistent(const State& state) {
  return state.rms_in(RmState::kCommitted) == 0 || state.rms_in(RmState::kAborted) == 0;
}

// True when `after` follows from `before` by one TCommit action, or equals
// it (a stuttering step). Both must have the same number of RMs.
inline bool is_step_or_stutter(const State& before, const State& after) {
  if (before == after) return true;
  if (before.rms() != after.rms()) return false;
  // Every TCommit action changes exactly one RM.
  const uint32_t diff = before.bits() ^ after.bits();
  const uint32_t changed_rms = (diff | diff >> 1) & 0x55555555u;
  if (changed_rms == 0 || (changed_rms & (changed_rms - 1)) != 0) return false;  // not exactly one
  const int changed = std::countr_zero(changed_rms) / 2;
  const RmState from = before.get(changed);
  switch (after.get(changed)) {
    case RmState::kPrepared:  // Prepare(rm)
      return from == RmState::kWorking;
    case RmState::kCommitted:  // Decide(rm), commit branch
      return from == RmState::kPrepared && can_commit(before);
    case RmState::kAborted:  // Decide(rm), abort branch
      return (from == RmState::kWorking || from == RmState::kPrepared) && not_committed(before);
    case RmState::kWorking: return false;
  }
  return false;
}

class TCommitModel {
 public:
  using State = tcommit::State;
  using Action = tcommit::Action;

  // 1 to kMaxRms resource managers; std::invalid_argument otherwise.
  explicit TCommitModel(int rms);

  int rms() const { return rms_; }
  std::vector<State> initial_states() const { return {State(rms_)}; }
  void successors(const State& state, std::vector<mc::Successor<Action, State>>& out) const;
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& state) const;
  mc::Json state_json(const State& state) const;
  std::string action_label(const Action& action) const;
  std::vector<mc::StateProperty<State>> properties() const;

 private:
  int rms_;
};

// "r1", "r2", ...: the RM names TLC shows for a model value set.
std::string rm_name(int rm);

}  // namespace crosscheck::spec::tcommit
