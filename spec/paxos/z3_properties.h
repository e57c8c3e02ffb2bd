// Paxos.tla's properties, its invariant Inv and its Next relation as Z3
// formulas over a symbolic state, and Z3's verdicts on them: agreement
// with the C++ spec on concrete states, and induction.
//
// A state of one configuration (acceptors, values, ballots 0..max_ballot)
// is encoded as Ints maxBal[a], maxVBal[a] and maxVal[a] (None is 0, the
// C++ numbering) and one Bool per record of the message universe
// (Universe): "this record is in msgs". Every formula is quantifier free:
// TLA+'s quantifiers over acceptors, ballots, values and quorums are
// expanded over the configuration's finite sets. The formulas follow
// Paxos.tla and Voting.tla's definitions (VotedFor, ShowsSafeAt, SafeAt,
// chosen) rather than the loops of the C++ predicates, so that agreement
// between the two means something.
//
// The invariant's conjuncts, numbered 1..9 (bit i-1 of a conjunct mask):
//   1..5  Paxos.tla's Inv, as PaxosModel::inv_conjunct numbers them:
//         TypeOK; (maxVBal, maxVal) is a vote or (-1, None); 1b messages;
//         2a messages; Voting's Inv (VotesSafe /\ OneValuePerBallot).
//   6..9  The strengthening (PaxosModel::strengthening_conjunct):
//     S6  maxBal[a] >= maxVBal[a]
//     S7  [type |-> "2b", acc |-> a, bal |-> b, ...] \in msgs => maxVBal[a] >= b
//     S8  [type |-> "2b", bal |-> b, val |-> v, ...] \in msgs
//            => [type |-> "2a", bal |-> b, val |-> v] \in msgs
//     S9  m \in msgs /\ m.type = "1b"
//            => \A c \in (m.mbal+1)..(m.bal-1) : V!DidNotVoteAt(m.acc, c)
// Paxos.tla calls its Inv "a first attempt at an inductive invariant", and
// it is not one: Z3 finds states that satisfy it and step to states that
// do not. S6..S8 are in the later Paxos.tla of tlaplus/Examples'
// specifications/PaxosHowToWinATuringAward, whose invariant is still not
// inductive; S9 is the 1b conjunct of PConProof.tla's P1bInv
// (specifications/byzpaxos). With all four, Inv is inductive, and each of
// them and of Inv's conjuncts but TypeOK and Voting's Inv is needed
// (docs/paxos.md says why, and why not those two).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "spec/common/induction_result.h"
#include "spec/paxos/paxos.h"

namespace crosscheck::spec::paxos {

constexpr int kInvConjuncts = 5;  // Paxos.tla's Inv: conjuncts 1..5
constexpr int kAllConjuncts = 9;  // with the strengthening: 1..9
constexpr uint32_t kPaxosInv = (1u << kInvConjuncts) - 1;
constexpr uint32_t kInductiveInv = (1u << kAllConjuncts) - 1;

// Conjunct i (1..9) in TLA+-like notation, for reports; std::invalid_argument
// for another i (as every function here that takes one).
const std::string& conjunct_text(int conjunct);
// Its short name: "TypeOK", "Inv2" ... "Inv5", "S6" ... "S9".
std::string conjunct_name(int conjunct);

// The C++ predicate of conjunct i (1..9): inv_conjunct for 1..5,
// strengthening_conjunct for 6..9.
bool cpp_conjunct(const PaxosModel& model, const State& s, int conjunct);
// The conjunction of the conjuncts selected by the mask.
bool cpp_invariant(const PaxosModel& model, const State& s, uint32_t conjuncts);

enum class Property { kAgreement, kValidity };
std::string to_string(Property property);
bool cpp_holds(const PaxosModel& model, const State& s, Property property);

// The formulas for one configuration, built once; every query substitutes
// a concrete state's values for the variables and simplifies the ground
// formula to true or false. A state is encodable when it has no msgs bit
// beyond the configuration's universe (such records have no variable);
// its acceptor variables may hold any value, TypeOK or not. Not
// thread-safe.
class Z3Paxos {
 public:
  // std::invalid_argument as PaxosModel's constructor.
  explicit Z3Paxos(const Config& config);
  ~Z3Paxos();
  Z3Paxos(Z3Paxos&&) noexcept;
  Z3Paxos& operator=(Z3Paxos&&) noexcept;

  const PaxosModel& model() const;

  // std::invalid_argument for a state that is not encodable.
  bool holds(Property property, const State& s);
  bool holds_conjunct(int conjunct, const State& s);
  bool holds_invariant(uint32_t conjuncts, const State& s);

  // Every (action label, successor) that the Next relation allows from a
  // state, one per action instance, labelled and ordered as
  // PaxosModel::successors lists them. Meaningful for states that satisfy
  // TypeOK: Phase1b sends a record built from maxVBal and maxVal, and the
  // universe has records only for values of their types.
  std::vector<std::pair<std::string, State>> successors(const State& s);
  // The Next formula that the proofs use, evaluated on a pair of states.
  bool next_holds(const State& from, const State& to);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The parts of Inv named in `violated` are conjunct_name()s.
using InductionResult = spec::InductionResult<State>;

// Init => Inv and Inv /\ Next => Inv', Inv being the conjuncts the mask
// selects. A counterexample's Ints are kept within -8..8 when Z3 can find
// one there (any Ints are allowed when TypeOK is left out), so that it
// decodes into a State; std::runtime_error if it cannot.
InductionResult check_inductive(const Config& config, uint32_t conjuncts);

struct ImplicationResult {
  bool proved = false;
  State counterexample;  // when not proved: satisfies Inv, violates the property
  std::string description;
};

// Inv => property, Inv being the conjuncts the mask selects.
ImplicationResult check_implies(const Config& config, uint32_t conjuncts, Property property);
// Inv => conjunct i (1..9): whether a conjunct follows from others.
ImplicationResult check_implies_conjunct(const Config& config, uint32_t conjuncts, int conjunct);

}  // namespace crosscheck::spec::paxos
