// Paxos.tla as an abstract machine: TLC's published counts, the invariant
// in every reachable state, and properties that fail where they must.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>

#include "model_check/search.h"
#include "spec/paxos/paxos.h"

namespace crosscheck::spec::paxos {
namespace {

Config config(int acceptors, int values, int max_ballot) {
  Config c;
  c.acceptors = acceptors;
  c.values = values;
  c.max_ballot = max_ballot;
  return c;
}

// MCPaxos.cfg with the model's larger constants: Acceptor {a1, a2, a3},
// Value {v1, v2}, Ballot 0..1, majority quorums, no symmetry.
TEST(PaxosSpec, ThreeAcceptorsTwoValuesTwoBallotsMatchesTlc) {
  mc::CheckResult result = mc::check(PaxosModel(config(3, 2, 1)), {});
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 3921u);
  EXPECT_EQ(result.stats.depth, 17);
}

// MCPaxos.cfg as published (tlaplus/Examples manifest): one acceptor, one
// value, Ballot 0..1: 25 distinct states, 82 generated, depth 9.
TEST(PaxosSpec, OneAcceptorOneValueMatchesTlc) {
  mc::CheckResult result = mc::check(PaxosModel(config(1, 1, 1)), {});
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 25u);
  EXPECT_EQ(result.stats.total_states, 82u);
  EXPECT_EQ(result.stats.depth, 9);
}

// Quorums that need not intersect (any single acceptor) break agreement:
// the checker must find two values chosen, by the shortest route: 1a for
// ballots 0 and 1, a1 and a2 promise one each, both 2a, both 2b: 8 steps.
TEST(PaxosSpec, NonIntersectingQuorumsBreakAgreement) {
  Config c = config(3, 2, 1);
  c.quorums = {0b001, 0b010, 0b100};
  mc::CheckResult result = mc::check(PaxosModel(c), {});
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "Agreement");
  EXPECT_EQ(static_cast<int>(result.trace.size()) - 1, 8);
}

// The state with acceptor a renamed perm[a], written independently of
// PaxosModel::canonical.
State permute(const PaxosModel& model, const State& s, const std::array<int, 3>& perm) {
  const Universe& u = model.universe();
  State out;
  for (int b = 0; b <= u.max_ballot(); ++b) {
    if (s.msgs.contains(u.one_a(b))) out.msgs.insert(u.one_a(b));
    for (int v = 1; v <= u.values(); ++v) {
      if (s.msgs.contains(u.two_a(b, v))) out.msgs.insert(u.two_a(b, v));
    }
  }
  for (int a = 0; a < 3; ++a) {
    out.max_bal[perm[a]] = s.max_bal[a];
    out.max_vbal[perm[a]] = s.max_vbal[a];
    out.max_val[perm[a]] = s.max_val[a];
    for (int b = 0; b <= u.max_ballot(); ++b) {
      for (int v = 1; v <= u.values(); ++v) {
        if (s.msgs.contains(u.two_b(a, b, v))) out.msgs.insert(u.two_b(perm[a], b, v));
        for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
          if (s.msgs.contains(u.one_b(a, b, mbal, v)))
            out.msgs.insert(u.one_b(perm[a], b, mbal, v));
        }
      }
      for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
        if (s.msgs.contains(u.one_b(a, b, mbal, kNone)))
          out.msgs.insert(u.one_b(perm[a], b, mbal, kNone));
      }
    }
  }
  return out;
}

// Under acceptor symmetry the search explores one state per orbit: exactly
// the number of orbits of the 3,921 reachable states under the six
// permutations of three acceptors, at the same depth.
TEST(PaxosSpec, AcceptorSymmetryExploresOneStatePerOrbit) {
  PaxosModel model(config(3, 2, 1));
  std::set<State> orbits;
  mc::check(model, {}, [&](const State& s) {
    std::array<int, 3> perm = {0, 1, 2};
    State least = s;
    do {
      least = std::min(least, permute(model, s, perm));
    } while (std::next_permutation(perm.begin(), perm.end()));
    orbits.insert(least);
  });
  mc::SearchOptions options;
  options.symmetry = true;
  mc::CheckResult result = mc::check(model, options);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, orbits.size());
  EXPECT_EQ(result.stats.distinct_states, 857u);
  EXPECT_EQ(result.stats.depth, 17);
}

// Singleton quorums are symmetric too; the symmetric run must find the
// same violation at the same depth.
TEST(PaxosSpec, SymmetryFindsTheViolationTheFullRunFinds) {
  Config c = config(3, 2, 1);
  c.quorums = {0b001, 0b010, 0b100};
  mc::SearchOptions options;
  options.symmetry = true;
  mc::CheckResult full = mc::check(PaxosModel(c), {});
  mc::CheckResult reduced = mc::check(PaxosModel(c), options);
  ASSERT_EQ(reduced.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(reduced.property, full.property);
  EXPECT_EQ(reduced.trace.size(), full.trace.size());
}

TEST(PaxosSpec, SymmetryIsRefusedForQuorumsThatAreNotSymmetric) {
  Config c = config(3, 2, 1);
  c.quorums = {0b011, 0b101};  // a1 is in every quorum
  PaxosModel model(c);
  EXPECT_FALSE(model.quorums_symmetric());
  EXPECT_THROW(model.canonical(State{}), std::invalid_argument);
  EXPECT_TRUE(PaxosModel(config(3, 2, 1)).quorums_symmetric());
}

TEST(PaxosSpec, EveryConjunctOfTheInvariantFailsOnAStateThatBreaksIt) {
  PaxosModel model(config(3, 2, 1));
  const Universe& u = model.universe();

  State bad_type;
  bad_type.max_bal[0] = 2;  // beyond Ballot 0..1
  EXPECT_FALSE(model.inv_conjunct(bad_type, 1));

  State vote_without_message;
  vote_without_message.max_vbal[0] = 0;
  vote_without_message.max_val[0] = 1;
  EXPECT_FALSE(model.inv_conjunct(vote_without_message, 2));
  vote_without_message.msgs.insert(u.two_b(0, 0, 1));
  EXPECT_TRUE(model.inv_conjunct(vote_without_message, 2));

  State broken_promise;
  broken_promise.msgs.insert(
      u.one_b(1, 1, kNoBallot, kNone));  // a2 promised ballot 1, maxBal still -1
  EXPECT_FALSE(model.inv_conjunct(broken_promise, 3));

  State unsafe_proposal;
  unsafe_proposal.msgs.insert(u.two_a(0, 1));  // no quorum of 1b messages behind it
  EXPECT_FALSE(model.inv_conjunct(unsafe_proposal, 4));

  State two_values_one_ballot;
  two_values_one_ballot.msgs.insert(u.two_b(0, 0, 1));
  two_values_one_ballot.msgs.insert(u.two_b(1, 0, 2));
  EXPECT_FALSE(model.inv_conjunct(two_values_one_ballot, 5));

  State split;  // v1 chosen in ballot 0 by a1, a2; v2 in ballot 1 by a2, a3
  for (int a : {0, 1}) split.msgs.insert(u.two_b(a, 0, 1));
  for (int a : {1, 2}) split.msgs.insert(u.two_b(a, 1, 2));
  EXPECT_TRUE(model.chosen(split, 1));
  EXPECT_TRUE(model.chosen(split, 2));
  EXPECT_FALSE(model.agreement(split));
  EXPECT_FALSE(model.validity(split));  // and neither was proposed
}

TEST(PaxosSpec, BoundsOutsideTheStateAreRejected) {
  EXPECT_THROW(PaxosModel(config(6, 2, 1)), std::invalid_argument);
  EXPECT_THROW(PaxosModel(config(3, 4, 1)), std::invalid_argument);
  EXPECT_THROW(PaxosModel(config(3, 2, 4)), std::invalid_argument);
  Config c = config(3, 2, 1);
  c.quorums = {0b1000};
  EXPECT_THROW(PaxosModel{c}, std::invalid_argument);
}

}  // namespace
}  // namespace crosscheck::spec::paxos
