// TwoPhase.tla (Lamport & Gray): the two-phase commit protocol as an
// abstract machine with TLA+'s variables and actions, so that with the same
// constants its reachable states are TLC's:
//   rmState    : RM -> {working, prepared, committed, aborted}
//   tmState    : {init, committed, aborted}
//   tmPrepared : the RMs the TM has received Prepared from
//   msgs       : the set of every message ever sent; nothing is removed
// The state is bit-packed (up to 16 RMs) because it is also the benchmark
// model for millions of states.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "impl/common/hash.h"
#include "model_check/json.h"
#include "model_check/model.h"
#include "spec/twophase/tcommit.h"

namespace crosscheck::spec::twophase {

using tcommit::RmState;
constexpr int kMaxRms = tcommit::kMaxRms;

enum class TmState : uint8_t { kInit, kCommitted, kAborted };
std::string_view to_string(TmState state);

class State {
 public:
  RmState rm_state(int rm) const { return static_cast<RmState>((word_ >> (2 * rm)) & 3u); }
  bool tm_prepared(int rm) const { return (word_ >> (32 + rm)) & 1u; }
  bool prepared_msg(int rm) const { return (word_ >> (48 + rm)) & 1u; }
  TmState tm_state() const { return static_cast<TmState>(flags_ & 3u); }
  bool commit_msg() const { return flags_ & kCommitMsg; }
  bool abort_msg() const { return flags_ & kAbortMsg; }

  void set_rm_state(int rm, RmState s) {
    word_ = (word_ & ~(uint64_t{3} << (2 * rm))) | (static_cast<uint64_t>(s) << (2 * rm));
  }
  void add_tm_prepared(int rm) { word_ |= uint64_t{1} << (32 + rm); }
  void add_prepared_msg(int rm) { word_ |= uint64_t{1} << (48 + rm); }
  void set_tm_state(TmState s) {
    flags_ = static_cast<uint8_t>((flags_ & ~3u) | static_cast<uint8_t>(s));
  }
  void add_commit_msg() { flags_ |= kCommitMsg; }
  void add_abort_msg() { flags_ |= kAbortMsg; }

  // The raw encoding, for fingerprints, symmetry and the type invariant.
  uint64_t word() const { return word_; }
  uint8_t flags() const { return flags_; }
  static State from_raw(uint64_t word, uint8_t flags) {
    State s;
    s.word_ = word;
    s.flags_ = flags;
    return s;
  }

  auto operator<=>(const State&) const = default;

 private:
  static constexpr uint8_t kCommitMsg = 1u << 2;
  static constexpr uint8_t kAbortMsg = 1u << 3;
  // Bits 0..31: rmState (2 bits per RM); 32..47: tmPrepared; 48..63: the
  // Prepared(rm) messages in msgs.
  uint64_t word_ = 0;
  // Bits 0..1: tmState; bit 2: Commit in msgs; bit 3: Abort in msgs.
  uint8_t flags_ = 0;
};

struct Action {
  enum class Kind : uint8_t {
    kTMRcvPrepared,
    kTMCommit,
    kTMAbort,
    kRMPrepare,
    kRMChooseToAbort,
    kRMRcvCommitMsg,
    kRMRcvAbortMsg,
  };
  Kind kind;
  int rm = -1;  // for the RM actions and TMRcvPrepared
};

// TPTypeOK, on the encoding: tmState is one of its three values and no bit
// of an RM beyond the configured ones is set.
bool tp_type_ok(const State& state, int rms);
// TCConsistent on rmState.
bool tc_consistent(const State& state, int rms);
// The refinement map TwoPhase -> TCommit: rmState.
tcommit::State to_tcommit(const State& state, int rms);

class TwoPhaseModel {
 public:
  using State = twophase::State;
  using Action = twophase::Action;

  // 1 to kMaxRms resource managers; std::invalid_argument otherwise.
  explicit TwoPhaseModel(int rms);

  int rms() const { return rms_; }
  std::vector<State> initial_states() const { return {State{}}; }
  void successors(const State& state, std::vector<mc::Successor<Action, State>>& out) const;
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& state) const;
  mc::Json state_json(const State& state) const;
  std::string action_label(const Action& action) const;
  // TwoPhase.tla's seven actions, for coverage reports.
  std::vector<std::string> action_kinds() const {
    return {"TMRcvPrepared",   "TMCommit",       "TMAbort",      "RMPrepare",
            "RMChooseToAbort", "RMRcvCommitMsg", "RMRcvAbortMsg"};
  }
  std::vector<mc::StateProperty<State>> properties() const;
  // RefinesTCommit: every step maps to a TCommit step or a stutter.
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const;
  // RM symmetry: the RMs sorted by their (rmState, tmPrepared, Prepared)
  // triple; TLC's SYMMETRY Permutations(RM).
  State canonical(const State& state) const;

 private:
  int rms_;
};

// The next-state relation and the fingerprint are defined in the header so
// that the search inlines them into its loop.

// Flattened: each push_back is inlined (an out-of-line one was 8% of a
// run's instructions).
[[gnu::flatten]] inline void TwoPhaseModel::successors(
    const State& s, std::vector<mc::Successor<Action, State>>& out) const {
  using Kind = Action::Kind;
  if (s.tm_state() == TmState::kInit) {
    bool all_prepared = true;
    for (int rm = 0; rm < rms_; ++rm) {
      if (s.prepared_msg(rm)) {  // TMRcvPrepared(rm)
        State next = s;
        next.add_tm_prepared(rm);
        out.push_back({{Kind::kTMRcvPrepared, rm}, next});
      }
      all_prepared &= s.tm_prepared(rm);
    }
    if (all_prepared) {  // TMCommit
      State next = s;
      next.set_tm_state(TmState::kCommitted);
      next.add_commit_msg();
      out.push_back({{Kind::kTMCommit}, next});
    }
    State next = s;  // TMAbort
    next.set_tm_state(TmState::kAborted);
    next.add_abort_msg();
    out.push_back({{Kind::kTMAbort}, next});
  }
  for (int rm = 0; rm < rms_; ++rm) {
    if (s.rm_state(rm) == RmState::kWorking) {
      State prepare = s;  // RMPrepare(rm)
      prepare.set_rm_state(rm, RmState::kPrepared);
      prepare.add_prepared_msg(rm);
      out.push_back({{Kind::kRMPrepare, rm}, prepare});
      State abort = s;  // RMChooseToAbort(rm)
      abort.set_rm_state(rm, RmState::kAborted);
      out.push_back({{Kind::kRMChooseToAbort, rm}, abort});
    }
    // The receive actions have no guard on rmState, as in the TLA+ spec.
    if (s.commit_msg()) {  // RMRcvCommitMsg(rm)
      State next = s;
      next.set_rm_state(rm, RmState::kCommitted);
      out.push_back({{Kind::kRMRcvCommitMsg, rm}, next});
    }
    if (s.abort_msg()) {  // RMRcvAbortMsg(rm)
      State next = s;
      next.set_rm_state(rm, RmState::kAborted);
      out.push_back({{Kind::kRMRcvAbortMsg, rm}, next});
    }
  }
}

inline uint64_t TwoPhaseModel::fingerprint(const State& state) const {
  // The state is one word and four flag bits, and this is the benchmark's
  // hottest hash: two mixes rather than StableHasher's five. The mix is a
  // bijection, so states with the same flags never collide; states with
  // different flags collide only if their words differ by the difference
  // of two pseudo-random constants.
  return StableHasher::mix(state.word() + StableHasher::mix(uint64_t{state.flags()}));
}

}  // namespace crosscheck::spec::twophase
