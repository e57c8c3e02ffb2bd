// Paxos in Z3: every formula agrees with its C++ predicate on every state
// the checker reaches with TLC's constants and on mutated states that break
// it; the Next relation agrees with PaxosModel's successors; Paxos.tla's Inv
// is not inductive, and Z3's counterexample is one by the C++ machine too;
// strengthened by S6..S9 it is inductive and implies Agreement and
// Validity, and every conjunct whose removal breaks induction is shown to
// be needed with a counterexample the C++ machine confirms.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model_check/search.h"
#include "spec/paxos/paxos.h"
#include "spec/paxos/z3_properties.h"

namespace crosscheck::spec::paxos {
namespace {

// MCPaxos's constants with three acceptors: Value {v1, v2}, Ballot 0..1.
Config tlc_config() { return Config{}; }

std::vector<State> reachable(const Config& config) {
  std::vector<State> states;
  mc::check(PaxosModel(config), {}, [&](const State& s) { states.push_back(s); });
  return states;
}

std::vector<std::pair<std::string, State>> cpp_successors(const PaxosModel& model, const State& s) {
  std::vector<mc::Successor<Action, State>> successors;
  model.successors(s, successors);
  std::vector<std::pair<std::string, State>> out;
  for (const auto& successor : successors)
    out.emplace_back(model.action_label(successor.action), successor.state);
  return out;
}

std::string steps_text(const PaxosModel& model,
                       const std::vector<std::pair<std::string, State>>& steps) {
  std::string text;
  for (const auto& [label, state] : steps)
    text += "\n  " + label + " -> " + model.state_json(state).dump();
  return text;
}

// The formulas compared, each with its C++ predicate.
struct Checked {
  std::string name;
  std::function<bool(Z3Paxos&, const State&)> z3;
  std::function<bool(const PaxosModel&, const State&)> cpp;
};

std::vector<Checked> checked_formulas() {
  std::vector<Checked> all;
  for (Property property : {Property::kAgreement, Property::kValidity}) {
    all.push_back({to_string(property),
                   [=](Z3Paxos& z3, const State& s) { return z3.holds(property, s); },
                   [=](const PaxosModel& m, const State& s) { return cpp_holds(m, s, property); }});
  }
  for (int i = 1; i <= kAllConjuncts; ++i) {
    all.push_back({conjunct_name(i),
                   [=](Z3Paxos& z3, const State& s) { return z3.holds_conjunct(i, s); },
                   [=](const PaxosModel& m, const State& s) { return cpp_conjunct(m, s, i); }});
  }
  return all;
}

// Most tests query the formulas for TLC's constants.
class PaxosZ3 : public ::testing::Test {
 protected:
  Z3Paxos z3{tlc_config()};
  const PaxosModel& model = z3.model();
};

TEST_F(PaxosZ3, FormulasAgreeWithTheCppPredicatesOnEveryReachableState) {
  const std::vector<State> states = reachable(tlc_config());
  ASSERT_EQ(states.size(), 3921u);  // TLC's count for these constants
  for (const State& s : states) {
    for (const Checked& formula : checked_formulas()) {
      const bool expected = formula.cpp(model, s);
      EXPECT_EQ(formula.z3(z3, s), expected) << formula.name << " " << model.state_json(s).dump();
      // Every one is an invariant: Init => Inv and Inv /\ Next => Inv' make
      // the strengthened Inv true of every reachable state, and this checks
      // that premise of the proof independently.
      EXPECT_TRUE(expected) << formula.name << " " << model.state_json(s).dump();
    }
    EXPECT_TRUE(z3.holds_invariant(kInductiveInv, s));
  }
}

// Removes one record from msgs (MessageSet has no erase).
MessageSet without(const MessageSet& msgs, int record) {
  MessageSet out;
  for (int index = 0; index < 512; ++index) {
    if (index != record && msgs.contains(index)) out.insert(index);
  }
  return out;
}

// A random change of the kind that breaks the formulas: an acceptor
// variable set to any value (TypeOK or not), a record added or removed, a
// quorum voting for a value in a ballot (two values chosen), a second 2a
// for a ballot.
State mutate(const PaxosModel& model, State s, std::mt19937& random) {
  const Universe& u = model.universe();
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random); };
  const int a = pick(0, u.acceptors() - 1);
  const int b = pick(0, u.max_ballot());
  const int v = pick(1, u.values());
  switch (pick(0, 7)) {
    case 0: s.max_bal[a] = static_cast<int8_t>(pick(kNoBallot - 1, u.max_ballot() + 1)); break;
    case 1: s.max_vbal[a] = static_cast<int8_t>(pick(kNoBallot - 1, u.max_ballot() + 1)); break;
    case 2: s.max_val[a] = static_cast<int8_t>(pick(kNone - 1, u.values() + 1)); break;
    case 3: s.msgs.insert(pick(0, u.size() - 1)); break;
    case 4: s.msgs = without(s.msgs, pick(0, u.size() - 1)); break;
    case 5: {
      const auto& quorums = model.quorums();
      const uint32_t q = quorums[pick(0, static_cast<int>(quorums.size()) - 1)];
      for (int member = 0; member < u.acceptors(); ++member) {
        if (q & (1u << member)) s.msgs.insert(u.two_b(member, b, v));
      }
      break;
    }
    case 6: s.msgs.insert(u.two_a(b, v)); break;
    case 7:
      s.msgs.insert(u.one_b(a, b, pick(kNoBallot, u.max_ballot()), pick(kNone, u.values())));
      break;
  }
  return s;
}

// Reachable states satisfy every formula, so agreement on them alone could
// not tell a formula from `true`. Mutations of them break each one many
// times over, and the formulas must follow.
TEST_F(PaxosZ3, FormulasAgreeOnMutatedStatesThatBreakThem) {
  const unsigned seed = 20260611;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  std::map<std::string, int> broken;
  for (const State& reached : reachable(tlc_config())) {
    State s = reached;
    for (int round = 0; round < 3; ++round) {
      s = mutate(model, s, random);
      for (const Checked& formula : checked_formulas()) {
        const bool expected = formula.cpp(model, s);
        EXPECT_EQ(formula.z3(z3, s), expected) << formula.name << " " << model.state_json(s).dump();
        broken[formula.name] += !expected;
      }
    }
  }
  for (const Checked& formula : checked_formulas()) {
    EXPECT_GT(broken[formula.name], 50) << formula.name;
  }
}

TEST_F(PaxosZ3, StatesOutsideTheEncodingAreRejected) {
  State beyond;
  beyond.msgs.insert(
      z3.model().universe().size());  // a record of no configuration of these constants
  EXPECT_THROW(z3.holds(Property::kAgreement, beyond), std::invalid_argument);
  EXPECT_THROW(z3.successors(beyond), std::invalid_argument);
  State fourth;
  fourth.max_bal[3] = 0;  // a fourth acceptor
  EXPECT_THROW(z3.holds_conjunct(1, fourth), std::invalid_argument);
  EXPECT_THROW(z3.holds_conjunct(kAllConjuncts + 1, State{}), std::invalid_argument);
  Config too_many;
  too_many.acceptors = kMaxAcceptors + 1;
  EXPECT_THROW(Z3Paxos{too_many}, std::invalid_argument);
  EXPECT_THROW(check_inductive(too_many, kInductiveInv), std::invalid_argument);
}

// Every state with one record more or less, or one acceptor variable off
// by one, than `to`.
std::vector<State> neighbours(const PaxosModel& model, const State& to) {
  std::vector<State> out;
  for (int record = 0; record < model.universe().size(); ++record) {
    State s = to;
    if (to.msgs.contains(record)) {
      s.msgs = without(to.msgs, record);
    } else {
      s.msgs.insert(record);
    }
    out.push_back(s);
  }
  for (int a = 0; a < model.universe().acceptors(); ++a) {
    for (auto variable : {&State::max_bal, &State::max_vbal, &State::max_val}) {
      for (int delta : {-1, 1}) {
        State s = to;
        (s.*variable)[a] = static_cast<int8_t>((s.*variable)[a] + delta);
        out.push_back(s);
      }
    }
  }
  return out;
}

// The Z3 Next relation is the one the proofs use; the C++ successors are
// what the checker explores. They must be the same relation: the same
// action instances enabled, with the same successors (stutters included),
// and the Next formula true of exactly those pairs.
TEST_F(PaxosZ3, NextRelationAgreesWithTheCppSuccessorsOnEveryReachableState) {
  const std::vector<State> states = reachable(tlc_config());
  int pairs = 0;
  for (const State& s : states) {
    const auto expected = cpp_successors(model, s);
    const auto actual = z3.successors(s);
    EXPECT_TRUE(actual == expected)
        << model.state_json(s).dump() << "\nZ3:" << steps_text(model, actual)
        << "\nC++:" << steps_text(model, expected);
    std::set<State> successors;
    for (const auto& [label, next] : expected) successors.insert(next);
    for (const State& next : successors) EXPECT_TRUE(z3.next_holds(s, next));
    // One successor's neighbours, in every eighth state (all of them would
    // take a minute): mostly no step of Next, a few another successor.
    if ((&s - states.data()) % 8 != 0) continue;
    for (const State& near : neighbours(model, *successors.begin())) {
      EXPECT_EQ(z3.next_holds(s, near), successors.contains(near)) << model.state_json(near).dump();
      ++pairs;
    }
  }
  EXPECT_EQ(pairs, (3921 + 7) / 8 * (model.universe().size() + 3 * 2 * 3));
}

// Reachable states never hold two 1b messages of one acceptor and ballot,
// nor a 2a beside votes of another value, and so on: random states that
// satisfy TypeOK exercise the guards on what the protocol never does.
TEST_F(PaxosZ3, NextRelationAgreesOnRandomStatesThatSatisfyTypeOK) {
  const unsigned seed = 20260612;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  const Universe& u = model.universe();
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random); };
  std::map<std::string, int> enabled;
  for (int round = 0; round < 3000; ++round) {
    State s;
    for (int a = 0; a < u.acceptors(); ++a) {
      s.max_bal[a] = static_cast<int8_t>(pick(kNoBallot, u.max_ballot()));
      s.max_vbal[a] = static_cast<int8_t>(pick(kNoBallot, u.max_ballot()));
      s.max_val[a] = static_cast<int8_t>(pick(kNone, u.values()));
    }
    // Denser in some rounds than in others: Phase2a needs a quorum's 1b
    // messages and no 2a of its ballot.
    const int percent = pick(2, 40);
    for (int record = 0; record < u.size(); ++record) {
      if (pick(0, 99) < percent) s.msgs.insert(record);
    }
    ASSERT_TRUE(model.type_ok(s));
    const auto expected = cpp_successors(model, s);
    const auto actual = z3.successors(s);
    EXPECT_TRUE(actual == expected)
        << model.state_json(s).dump() << "\nZ3:" << steps_text(model, actual)
        << "\nC++:" << steps_text(model, expected);
    for (const auto& [label, next] : expected) {
      ++enabled[label.substr(0, 6)];
      EXPECT_TRUE(z3.next_holds(s, next)) << label;
    }
  }
  for (const char* action : {"Phase1", "Phase2"}) EXPECT_GT(enabled[action], 1000) << action;
  EXPECT_GT(enabled.size(), 1u);
}

bool is_step(const PaxosModel& model, const State& from, const std::string& action,
             const State& to) {
  const auto steps = cpp_successors(model, from);
  return std::find(steps.begin(), steps.end(), std::make_pair(action, to)) != steps.end();
}

// A counterexample to the induction of the conjuncts `mask` is one by the
// C++ machine too: its state satisfies them by the C++ predicates, the step
// is one of PaxosModel's successors, and the next state breaks them. The
// state cannot be reachable: the conjuncts hold on every reachable state,
// and so on each one's successors.
void expect_real_counterexample(const PaxosModel& model, const InductionResult& result,
                                uint32_t mask, const std::set<State>& reachable_states) {
  ASSERT_FALSE(result.proved);
  SCOPED_TRACE(result.description);
  EXPECT_EQ(result.obligation, "Inv /\\ Next => Inv'");
  EXPECT_TRUE(cpp_invariant(model, result.before, mask));
  EXPECT_TRUE(is_step(model, result.before, result.action, result.after));
  EXPECT_FALSE(cpp_invariant(model, result.after, mask));
  ASSERT_FALSE(result.violated.empty());
  EXPECT_FALSE(reachable_states.contains(result.before));
}

// Paxos.tla calls its Inv "a first attempt at an inductive invariant". It is
// an invariant (the first test), but not inductive: Z3 finds a state that
// satisfies it and steps to one that does not.
TEST_F(PaxosZ3, PaxosTlaInvIsNotInductive) {
  const std::vector<State> states = reachable(tlc_config());
  const std::set<State> reachable_states(states.begin(), states.end());
  const InductionResult result = check_inductive(tlc_config(), kPaxosInv);
  expect_real_counterexample(model, result, kPaxosInv, reachable_states);
  // And the strengthening rules its state out.
  EXPECT_FALSE(cpp_invariant(model, result.before, kInductiveInv));
}

TEST_F(PaxosZ3, TheStrengthenedInvariantIsInductiveAndImpliesAgreementAndValidity) {
  for (const Config& config :
       {tlc_config(), Config{1, 1, 1}, Config{2, 2, 2}, Config{3, 2, 2}, Config{4, 2, 1}}) {
    SCOPED_TRACE(std::to_string(config.acceptors) + " acceptors, " + std::to_string(config.values) +
                 " values, ballots 0.." + std::to_string(config.max_ballot));
    const InductionResult induction = check_inductive(config, kInductiveInv);
    EXPECT_TRUE(induction.proved) << induction.description;
    for (Property property : {Property::kAgreement, Property::kValidity}) {
      const ImplicationResult implied = check_implies(config, kInductiveInv, property);
      EXPECT_TRUE(implied.proved) << implied.description;
    }
  }
}

// Paxos.tla's Inv implies Agreement, through Voting's Inv, but not
// Validity: nothing in it ties a vote to a 2a message. S8 does.
TEST_F(PaxosZ3, PaxosTlaInvImpliesAgreementButNotValidity) {
  EXPECT_TRUE(check_implies(tlc_config(), kPaxosInv, Property::kAgreement).proved);
  const ImplicationResult validity = check_implies(tlc_config(), kPaxosInv, Property::kValidity);
  ASSERT_FALSE(validity.proved);
  EXPECT_TRUE(cpp_invariant(model, validity.counterexample, kPaxosInv)) << validity.description;
  EXPECT_FALSE(model.validity(validity.counterexample)) << validity.description;
  // TypeOK alone implies neither: the implication check can fail.
  const ImplicationResult agreement = check_implies(tlc_config(), 1u, Property::kAgreement);
  ASSERT_FALSE(agreement.proved);
  EXPECT_FALSE(model.agreement(agreement.counterexample)) << agreement.description;
}

// Each conjunct whose removal breaks induction: without it Z3 finds a
// counterexample to induction, which the C++ machine confirms. Two are not
// needed: TypeOK, because the rest is inductive without it (TypeOK is
// inductive on its own, and nothing in the rest reads a variable outside
// its type to a different effect: see docs/paxos.md), and Inv5, Voting's
// Inv, because the rest implies it in every state.
TEST_F(PaxosZ3, EveryConjunctButTypeOKAndInv5IsNeeded) {
  const std::vector<State> states = reachable(tlc_config());
  const std::set<State> reachable_states(states.begin(), states.end());
  const std::set<int> not_needed = {1, 5};
  for (int i = 1; i <= kAllConjuncts; ++i) {
    SCOPED_TRACE(conjunct_name(i) + ": " + conjunct_text(i));
    const uint32_t mask = kInductiveInv & ~(1u << (i - 1));
    const InductionResult result = check_inductive(tlc_config(), mask);
    if (not_needed.contains(i)) {
      EXPECT_TRUE(result.proved) << result.description;
      continue;
    }
    expect_real_counterexample(model, result, mask, reachable_states);
    // Had the state satisfied conjunct i too, its successor would satisfy
    // the whole invariant, which is inductive.
    EXPECT_FALSE(cpp_conjunct(model, result.before, i));
  }
  EXPECT_TRUE(check_inductive(tlc_config(), 1u).proved);  // TypeOK alone
  EXPECT_TRUE(check_implies_conjunct(tlc_config(), kInductiveInv & ~(1u << 4), 5).proved);
}

}  // namespace
}  // namespace crosscheck::spec::paxos
