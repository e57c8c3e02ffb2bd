#include "spec/twophase/two_phase.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "impl/common/hash.h"

namespace crosscheck::spec::twophase {

std::string_view to_string(TmState state) {
  switch (state) {
    case TmState::kInit: return "init";
    case TmState::kCommitted: return "committed";
    case TmState::kAborted: return "aborted";
  }
  return "?";
}

bool tp_type_ok(const State& state, int rms) {
  if (state.tm_state() != TmState::kInit && state.tm_state() != TmState::kCommitted &&
      state.tm_state() != TmState::kAborted) {
    return false;
  }
  if ((state.flags() & ~uint8_t{0x0f}) != 0) return false;
  const uint64_t rm_mask = rms == 16 ? 0xffffu : (uint64_t{1} << rms) - 1;
  const uint64_t state_mask = rms == 16 ? 0xffffffffu : (uint64_t{1} << (2 * rms)) - 1;
  const uint64_t allowed = state_mask | (rm_mask << 32) | (rm_mask << 48);
  return (state.word() & ~allowed) == 0;
}

bool tc_consistent(const State& state, int rms) {
  return tcommit::tc_consistent(to_tcommit(state, rms));
}

tcommit::State to_tcommit(const State& state, int rms) {
  // rmState has TCommit's encoding in the same bits.
  return tcommit::State::from_bits(rms, static_cast<uint32_t>(state.word()));
}

TwoPhaseModel::TwoPhaseModel(int rms) : rms_(rms) {
  if (rms < 1 || rms > kMaxRms)
    throw std::invalid_argument("TwoPhase takes 1.." + std::to_string(kMaxRms) + " RMs");
}

mc::Json TwoPhaseModel::state_json(const State& s) const {
  mc::Json rm_state = mc::Json::object();
  mc::Json tm_prepared = mc::Json::array();
  mc::Json msgs = mc::Json::array();
  for (int rm = 0; rm < rms_; ++rm) {
    rm_state.set(tcommit::rm_name(rm), std::string(tcommit::to_string(s.rm_state(rm))));
    if (s.tm_prepared(rm)) tm_prepared.push(tcommit::rm_name(rm));
  }
  for (int rm = 0; rm < rms_; ++rm) {
    if (!s.prepared_msg(rm)) continue;
    mc::Json message = mc::Json::object();
    message.set("type", "Prepared");
    message.set("rm", tcommit::rm_name(rm));
    msgs.push(std::move(message));
  }
  if (s.commit_msg()) msgs.push(mc::Json(mc::Json::Object{{"type", "Commit"}}));
  if (s.abort_msg()) msgs.push(mc::Json(mc::Json::Object{{"type", "Abort"}}));
  mc::Json json = mc::Json::object();
  json.set("rmState", std::move(rm_state));
  json.set("tmState", std::string(to_string(s.tm_state())));
  json.set("tmPrepared", std::move(tm_prepared));
  json.set("msgs", std::move(msgs));
  return json;
}

std::string TwoPhaseModel::action_label(const Action& action) const {
  using Kind = Action::Kind;
  std::string rm = action.rm >= 0 ? "(" + tcommit::rm_name(action.rm) + ")" : "";
  switch (action.kind) {
    case Kind::kTMRcvPrepared: return "TMRcvPrepared" + rm;
    case Kind::kTMCommit: return "TMCommit";
    case Kind::kTMAbort: return "TMAbort";
    case Kind::kRMPrepare: return "RMPrepare" + rm;
    case Kind::kRMChooseToAbort: return "RMChooseToAbort" + rm;
    case Kind::kRMRcvCommitMsg: return "RMRcvCommitMsg" + rm;
    case Kind::kRMRcvAbortMsg: return "RMRcvAbortMsg" + rm;
  }
  return "?";
}

std::vector<mc::StateProperty<State>> TwoPhaseModel::properties() const {
  const int rms = rms_;
  return {
      mc::always<State>("TPTypeOK", [rms](const State& s) { return tp_type_ok(s, rms); }),
      mc::always<State>("TCConsistent", [rms](const State& s) { return tc_consistent(s, rms); }),
      mc::sometimes<State>("Committed",
                           [](const State& s) { return s.tm_state() == TmState::kCommitted; }),
      mc::sometimes<State>("Aborted",
                           [](const State& s) { return s.tm_state() == TmState::kAborted; }),
      mc::sometimes<State>("AllRmsCommitted",
                           [rms](const State& s) {
                             for (int rm = 0; rm < rms; ++rm) {
                               if (s.rm_state(rm) != RmState::kCommitted) return false;
                             }
                             return true;
                           }),
  };
}

std::vector<mc::TransitionProperty<State, Action>> TwoPhaseModel::transition_properties() const {
  const int rms = rms_;
  return {{"RefinesTCommit",
           [rms](const State& from, const Action&, const State& to) {
             return tcommit::is_step_or_stutter(to_tcommit(from, rms), to_tcommit(to, rms));
           },
           /*stutters_hold=*/true}};
}

State TwoPhaseModel::canonical(const State& state) const {
  // Each RM's part of the state as one small key: 2 bits of rmState, its
  // tmPrepared bit and its Prepared message bit.
  std::array<uint8_t, kMaxRms> keys{};
  for (int rm = 0; rm < rms_; ++rm) {
    keys[rm] = static_cast<uint8_t>(static_cast<unsigned>(state.rm_state(rm)) << 2 |
                                    static_cast<unsigned>(state.tm_prepared(rm)) << 1 |
                                    static_cast<unsigned>(state.prepared_msg(rm)));
  }
  std::sort(keys.begin(), keys.begin() + rms_);
  State result = State::from_raw(0, state.flags());
  for (int rm = 0; rm < rms_; ++rm) {
    result.set_rm_state(rm, static_cast<RmState>(keys[rm] >> 2));
    if (keys[rm] & 2) result.add_tm_prepared(rm);
    if (keys[rm] & 1) result.add_prepared_msg(rm);
  }
  return result;
}

}  // namespace crosscheck::spec::twophase
