// TwoPhase's invariants and next-state relation as Z3 formulas, and Z3's
// verdicts on them: agreement with the C++ model on concrete states, and
// inductiveness.
//
// A state of N RMs is encoded as rmState[r] and tmState (Ints, with the C++
// enums' numbering, so that TPTypeOK bounds them as TLA+'s does), and one
// Bool per element of each set: tmPrepared[r], Prepared(r) ∈ msgs,
// Commit ∈ msgs, Abort ∈ msgs.
//
// TPTypeOK /\ TCConsistent is an invariant of TwoPhase but not an inductive
// one: some unreachable state satisfying it steps to an inconsistent one
// (for instance an RM committed and an Abort message around). Conjoined with
// the strengthening below it is inductive; each conjunct is needed (without
// any one of them Z3 finds a counterexample to induction):
//
//   S1  Commit ∈ msgs ⇒ tmState = committed
//   S2  Abort ∈ msgs ⇒ tmState = aborted
//         so the two decisions never coexist in msgs;
//   S3  tmState = committed ⇒ tmPrepared = RM
//         the TM commits only with every vote;
//   S4  r ∈ tmPrepared ⇒ Prepared(r) ∈ msgs
//         it counts only votes that were sent;
//   S5  Prepared(r) ∈ msgs ⇒ rmState[r] ≠ working
//         an RM that voted can no longer abort on its own ...
//   S6  Prepared(r) ∈ msgs ∧ rmState[r] = aborted ⇒ Abort ∈ msgs
//         ... so once it voted it aborts only on the TM's Abort;
//   S7  rmState[r] = committed ⇒ Commit ∈ msgs
//         and commits only on the TM's Commit.
//
// They imply TCConsistent: an RM committed means Commit was sent (S7), so
// the TM committed (S1) with every vote (S3, S4); an aborted RM, having
// voted, must then have received Abort (S6), which cannot exist alongside
// Commit (S1, S2). S5 is what keeps S6 true when a working RM aborts on its
// own. The converse directions (tmState = committed ⇒ Commit ∈ msgs, and so
// on) hold in every reachable state too, but the proof does not need them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/common/induction_result.h"
#include "spec/twophase/two_phase.h"

namespace crosscheck::spec::twophase {

enum class Invariant {
  kTPTypeOK,
  kTCConsistent,
  kInductive,  // TPTypeOK /\ TCConsistent /\ S1 /\ ... /\ S7
};
std::string_view to_string(Invariant invariant);

// The strengthening's conjuncts, S1 first, as formulas in TLA+ notation.
const std::vector<std::string>& strengthening_conjuncts();

// Evaluates the Z3 formula of `invariant` (built over symbolic variables)
// on a concrete state with `rms` RMs: the state's values are substituted
// for the variables and the solver decides the resulting ground formula.
// std::invalid_argument if rms is outside 1..kMaxRms or the state has a bit
// set for an RM beyond `rms` (such bits have no Z3 variable).
bool z3_holds(Invariant invariant, const State& state, int rms);

// Every (action label, successor) pair that Z3's Next relation allows from
// `state`, one per action instance, labelled and ordered as
// TwoPhaseModel::successors lists them. std::logic_error if an action's
// formula does not determine its successor (the frame conditions must fix
// every variable).
std::vector<std::pair<std::string, State>> z3_successors(const State& state, int rms);

// The same queries for many states: the formulas for `rms` RMs are built
// once and every query reuses one solver. Not thread-safe.
class Z3TwoPhase {
 public:
  // std::invalid_argument if rms is outside 1..kMaxRms.
  explicit Z3TwoPhase(int rms);
  ~Z3TwoPhase();
  Z3TwoPhase(Z3TwoPhase&&) noexcept;
  Z3TwoPhase& operator=(Z3TwoPhase&&) noexcept;

  int rms() const { return rms_; }
  bool holds(Invariant invariant, const State& state);
  std::vector<std::pair<std::string, State>> successors(const State& state);

 private:
  struct Impl;
  int rms_;
  std::unique_ptr<Impl> impl_;
};

// The parts of Inv named in `violated`: "TPTypeOK", "TCConsistent", "S1"
// ... "S7".
using InductionResult = spec::InductionResult<State>;

// Proves Init => Inv and Inv /\ Next => Inv' where Inv is TPTypeOK and
// TCConsistent, conjoined with S1..S7 when `with_strengthening`.
// std::invalid_argument if rms is outside 1..kMaxRms.
InductionResult check_inductive(int rms, bool with_strengthening);

// The same with only some of the strengthening's conjuncts: conjunct Si is
// used when bit i-1 of `conjuncts` is set.
InductionResult check_inductive_with(int rms, uint32_t conjuncts);

}  // namespace crosscheck::spec::twophase
