// Paxos.tla as an abstract machine: TLC's published counts, the invariant
// in every reachable state, and properties that fail where they must.
#include <gtest/gtest.h>

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
  broken_promise.msgs.insert(u.one_b(1, 1, kNoBallot, kNone));  // a2 promised ballot 1, maxBal still -1
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
