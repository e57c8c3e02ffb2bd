// TwoPhase in Z3: the invariant formulas and the Next relation agree with
// the C++ model on concrete states; Z3 proves TPTypeOK /\ TCConsistent
// inductive once strengthened, finds a real counterexample to induction
// without the strengthening, and needs every conjunct of it.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "model_check/search.h"
#include "spec/twophase/two_phase.h"
#include "spec/twophase/z3_invariants.h"

namespace crosscheck::spec::twophase {
namespace {

std::vector<State> reachable(int rms) {
  std::vector<State> states;
  mc::check(TwoPhaseModel(rms), {}, [&](const State& s) { states.push_back(s); });
  return states;
}

std::vector<std::pair<std::string, State>> cpp_successors(const State& s, int rms) {
  TwoPhaseModel model(rms);
  std::vector<mc::Successor<Action, State>> successors;
  model.successors(s, successors);
  std::vector<std::pair<std::string, State>> out;
  for (const auto& successor : successors)
    out.emplace_back(model.action_label(successor.action), successor.state);
  return out;
}

bool is_reachable(const State& state, int rms) {
  const std::vector<State> states = reachable(rms);
  return std::find(states.begin(), states.end(), state) != states.end();
}

TEST(TwoPhaseZ3, InvariantFormulasAgreeWithTheCppPredicatesOnEveryReachableState) {
  const std::vector<State> states = reachable(3);
  ASSERT_EQ(states.size(), 288u);
  Z3TwoPhase z3(3);
  for (const State& s : states) {
    EXPECT_EQ(z3.holds(Invariant::kTPTypeOK, s), tp_type_ok(s, 3));
    EXPECT_EQ(z3.holds(Invariant::kTCConsistent, s), tc_consistent(s, 3));
    // Init => Inv and Inv /\ Next => Inv' make it true of every reachable
    // state; evaluating it on them checks the proof's premise independently.
    EXPECT_TRUE(z3.holds(Invariant::kInductive, s)) << TwoPhaseModel(3).state_json(s).dump();
  }
  // The one-off function is the same evaluation.
  for (const State& s : {states.front(), states.back()}) {
    EXPECT_EQ(z3_holds(Invariant::kTCConsistent, s, 3), tc_consistent(s, 3));
  }
}

// Reachable states all satisfy both invariants, so agreement on them alone
// could not tell a formula from `true`. Every rmState assignment with every
// tmState encoding (3 is outside TPTypeOK) exercises both truth values.
TEST(TwoPhaseZ3, InvariantFormulasAgreeOnStatesThatBreakThem) {
  Z3TwoPhase z3(3);
  int inconsistent = 0;
  int ill_typed = 0;
  for (uint8_t tm = 0; tm < 4; ++tm) {
    for (int assignment = 0; assignment < 64; ++assignment) {
      State s = State::from_raw(static_cast<uint64_t>(assignment), tm);
      EXPECT_EQ(z3.holds(Invariant::kTPTypeOK, s), tp_type_ok(s, 3))
          << assignment << " " << int{tm};
      EXPECT_EQ(z3.holds(Invariant::kTCConsistent, s), tc_consistent(s, 3))
          << assignment << " " << int{tm};
      inconsistent += !tc_consistent(s, 3);
      ill_typed += !tp_type_ok(s, 3);
    }
  }
  // Of the 64 assignments, those with a committed and an aborted RM:
  // 64 - (3^3 without committed) - (3^3 without aborted) + (2^3 with neither) = 18.
  EXPECT_EQ(inconsistent, 4 * 18);
  EXPECT_EQ(ill_typed, 64);
}

TEST(TwoPhaseZ3, StatesOutsideTheEncodingAreRejected) {
  State beyond;
  beyond.add_prepared_msg(3);  // a fourth RM's message in a 3-RM state
  EXPECT_THROW(z3_holds(Invariant::kTPTypeOK, beyond, 3), std::invalid_argument);
  EXPECT_THROW(z3_successors(beyond, 3), std::invalid_argument);
  EXPECT_THROW(z3_holds(Invariant::kTPTypeOK, State{}, 0), std::invalid_argument);
  EXPECT_THROW(Z3TwoPhase(17), std::invalid_argument);
  EXPECT_THROW(check_inductive(17, true), std::invalid_argument);
}

// The Z3 Next relation is the one the proofs use; the C++ successors are the
// one the checker explores. They must be the same relation: the same
// actions enabled, with the same successors (stutters included).
TEST(TwoPhaseZ3, NextRelationAgreesWithTheCppSuccessorsOnEveryReachableState) {
  for (int rms = 1; rms <= 3; ++rms) {
    Z3TwoPhase z3(rms);
    for (const State& s : reachable(rms)) {
      EXPECT_EQ(z3.successors(s), cpp_successors(s, rms))
          << TwoPhaseModel(rms).state_json(s).dump();
    }
  }
  EXPECT_EQ(z3_successors(State{}, 3), cpp_successors(State{}, 3));
}

TEST(TwoPhaseZ3, NextRelationAgreesOnUnreachableStates) {
  // Every rmState assignment with each tmState, all messages sent and
  // nothing in tmPrepared: every action is enabled somewhere.
  Z3TwoPhase z3(3);
  for (uint8_t tm = 0; tm < 3; ++tm) {
    for (int assignment = 0; assignment < 64; ++assignment) {
      State s = State::from_raw(static_cast<uint64_t>(assignment) | uint64_t{0x7} << 48, tm | 0x0c);
      EXPECT_EQ(z3.successors(s), cpp_successors(s, 3)) << assignment << " " << int{tm};
    }
  }
}

TEST(TwoPhaseZ3, TheStrengthenedInvariantIsInductive) {
  for (int rms = 1; rms <= 4; ++rms) {
    InductionResult result = check_inductive(rms, /*with_strengthening=*/true);
    EXPECT_TRUE(result.proved) << rms << " RMs: " << result.description;
  }
}

TEST(TwoPhaseZ3, WithoutTheStrengtheningZ3ReturnsARealCounterexampleToInduction) {
  const int rms = 3;
  InductionResult result = check_inductive(rms, /*with_strengthening=*/false);
  ASSERT_FALSE(result.proved);
  SCOPED_TRACE(result.description);
  EXPECT_EQ(result.obligation, "Inv /\\ Next => Inv'");
  // The state satisfies the weak invariant, by the C++ predicates ...
  EXPECT_TRUE(tp_type_ok(result.before, rms));
  EXPECT_TRUE(tc_consistent(result.before, rms));
  // ... the step is a legal TwoPhase step, by the C++ model ...
  const auto successors = cpp_successors(result.before, rms);
  EXPECT_NE(
      std::find(successors.begin(), successors.end(), std::make_pair(result.action, result.after)),
      successors.end());
  // ... and the next state breaks TCConsistent (no action can break TPTypeOK).
  EXPECT_TRUE(tp_type_ok(result.after, rms));
  EXPECT_FALSE(tc_consistent(result.after, rms));
  EXPECT_EQ(result.violated, std::vector<std::string>{"TCConsistent"});
  // TwoPhase is correct, so the state must be unreachable, and the
  // strengthening must rule it out.
  EXPECT_FALSE(is_reachable(result.before, rms));
  EXPECT_FALSE(z3_holds(Invariant::kInductive, result.before, rms));
}

// Each conjunct of the strengthening is needed: without any one of them, Z3
// finds a counterexample to induction for 3 RMs. The remaining conjuncts are
// still invariants, so the counterexample's state must be unreachable.
TEST(TwoPhaseZ3, EveryConjunctOfTheStrengtheningIsNeeded) {
  const int rms = 3;
  const uint32_t all = (1u << strengthening_conjuncts().size()) - 1;
  ASSERT_EQ(strengthening_conjuncts().size(), 7u);
  for (size_t i = 0; i < strengthening_conjuncts().size(); ++i) {
    SCOPED_TRACE(strengthening_conjuncts()[i]);
    InductionResult result = check_inductive_with(rms, all & ~(1u << i));
    ASSERT_FALSE(result.proved);
    SCOPED_TRACE(result.description);
    EXPECT_EQ(result.obligation, "Inv /\\ Next => Inv'");
    EXPECT_FALSE(result.violated.empty());
    const auto successors = cpp_successors(result.before, rms);
    EXPECT_NE(std::find(successors.begin(), successors.end(),
                        std::make_pair(result.action, result.after)),
              successors.end());
    EXPECT_FALSE(is_reachable(result.before, rms));
  }
}

}  // namespace
}  // namespace crosscheck::spec::twophase
