#include "spec/twophase/tcommit.h"

#include <bit>
#include <stdexcept>

#include "impl/common/hash.h"

namespace crosscheck::spec::tcommit {

std::string_view to_string(RmState state) {
  switch (state) {
    case RmState::kWorking: return "working";
    case RmState::kPrepared: return "prepared";
    case RmState::kCommitted: return "committed";
    case RmState::kAborted: return "aborted";
  }
  return "?";
}

std::string rm_name(int rm) { return "r" + std::to_string(rm + 1); }

TCommitModel::TCommitModel(int rms) : rms_(rms) {
  if (rms < 1 || rms > kMaxRms)
    throw std::invalid_argument("TCommit takes 1.." + std::to_string(kMaxRms) + " RMs");
}

void TCommitModel::successors(const State& state,
                              std::vector<mc::Successor<Action, State>>& out) const {
  const bool commit_allowed = can_commit(state);
  const bool abort_allowed = not_committed(state);
  for (int rm = 0; rm < rms_; ++rm) {
    const RmState s = state.get(rm);
    if (s == RmState::kWorking) {
      State next = state;
      next.set(rm, RmState::kPrepared);
      out.push_back({{Action::Kind::kPrepare, rm}, next});
    }
    if (s == RmState::kPrepared && commit_allowed) {
      State next = state;
      next.set(rm, RmState::kCommitted);
      out.push_back({{Action::Kind::kDecideCommit, rm}, next});
    }
    if ((s == RmState::kWorking || s == RmState::kPrepared) && abort_allowed) {
      State next = state;
      next.set(rm, RmState::kAborted);
      out.push_back({{Action::Kind::kDecideAbort, rm}, next});
    }
  }
}

uint64_t TCommitModel::fingerprint(const State& state) const {
  return StableHasher().add(uint64_t{state.bits()}).digest();
}

mc::Json TCommitModel::state_json(const State& state) const {
  mc::Json rm_state = mc::Json::object();
  for (int rm = 0; rm < rms_; ++rm)
    rm_state.set(rm_name(rm), std::string(to_string(state.get(rm))));
  mc::Json json = mc::Json::object();
  json.set("rmState", std::move(rm_state));
  return json;
}

std::string TCommitModel::action_label(const Action& action) const {
  switch (action.kind) {
    case Action::Kind::kPrepare: return "Prepare(" + rm_name(action.rm) + ")";
    case Action::Kind::kDecideCommit: return "Decide(" + rm_name(action.rm) + ") commit";
    case Action::Kind::kDecideAbort: return "Decide(" + rm_name(action.rm) + ") abort";
  }
  return "?";
}

std::vector<mc::StateProperty<State>> TCommitModel::properties() const {
  const int rms = rms_;
  return {
      // Two bits hold exactly the four RM states; what remains to check is
      // that no RM beyond the configured ones is ever touched.
      mc::always<State>("TCTypeOK",
                        [rms](const State& s) {
                          return s.rms() == rms && (rms == 16 || (s.bits() >> (2 * rms)) == 0);
                        }),
      mc::always<State>("TCConsistent", tc_consistent),
      mc::sometimes<State>("SomeCommitted", [](const State& s) { return !not_committed(s); }),
      mc::sometimes<State>("SomeAborted",
                           [](const State& s) {
                             for (int rm = 0; rm < s.rms(); ++rm) {
                               if (s.get(rm) == RmState::kAborted) return true;
                             }
                             return false;
                           }),
  };
}

}  // namespace crosscheck::spec::tcommit
