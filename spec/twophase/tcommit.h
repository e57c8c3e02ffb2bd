// TCommit.tla (Lamport & Gray): the specification of transaction commit in
// terms of the resource managers' states alone. TwoPhase and the
// implementation both refine it.
#pragma once

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

// canCommit: every RM is prepared or committed.
bool can_commit(const State& state);
// notCommitted: no RM is committed.
bool not_committed(const State& state);

// TCConsistent: no RM has committed while another aborted.
bool tc_consistent(const State& state);

// True when `after` follows from `before` by one TCommit action, or equals
// it (a stuttering step). Both must have the same number of RMs.
bool is_step_or_stutter(const State& before, const State& after);

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
