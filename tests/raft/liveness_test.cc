// Raft's liveness under weak fairness of delivery and timers: an
// asynchronous network can split votes until the term bound (why Raft
// randomizes election timeouts, §5.2); with elections kept apart
// (timely_elections), a leader is always elected and a request always
// committed, and a crash can still lose a request its leader had alone.
// With PreVote a leader, once elected, is never lost; the variant whose
// pre-vote requests raise terms loses it (LeaderEventuallyRestored).
#include <gtest/gtest.h>

#include <string>

#include "check/raft/model.h"
#include "model_check/actor_system.h"
#include "model_check/liveness.h"
#include "model_check/search.h"
#include "tests/raft/constrained_model.h"

namespace crosscheck::check::raft {
namespace {

mc::CheckResult liveness(ImplBounds bounds, int restarts) {
  mc::FaultBudgets budgets;
  budgets.max_crashes = restarts;
  return mc::check_liveness(make_impl_model({3, implraft::Variant::kCorrect}, bounds, budgets));
}

// Terms up to 3, one entry, three messages, elections kept apart.
ImplBounds timely_bounds() {
  ImplBounds bounds;
  bounds.max_term = 3;
  bounds.max_log = 1;
  bounds.max_messages = 3;
  bounds.timely_elections = true;
  return bounds;
}

int count_steps(const mc::CheckResult& result, const std::string& prefix) {
  int count = 0;
  for (const auto& step : result.trace) count += step.action.rfind(prefix, 0) == 0;
  return count;
}

TEST(RaftLiveness, SplitVotesCanKeepEveryServerFromLeading) {
  ImplBounds bounds;
  bounds.max_term = 2;
  bounds.max_log = 1;
  bounds.max_messages = 4;
  mc::CheckResult result = liveness(bounds, 0);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "LeaderEventuallyElected");
  EXPECT_EQ(result.stats.distinct_states, 41123u);
  // All three stand in term 2, each votes for itself, and the term bound
  // leaves nothing fair to do: 15 steps, then stuttering.
  EXPECT_EQ(result.trace.size(), 16u);
  EXPECT_EQ(count_steps(result, "Timeout"), 3);
  EXPECT_EQ(result.loop_start, 15);
}

TEST(RaftLiveness, WithTimelyElectionsALeaderIsElectedAndARequestCommitted) {
  mc::CheckResult result = liveness(timely_bounds(), 0);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 2098u);
}

TEST(RaftLiveness, ALeaderThatCrashesMayTakeItsOnlyCopyOfARequestWithIt) {
  mc::CheckResult result = liveness(timely_bounds(), 1);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  // A leader is still elected after the crash (that property, checked
  // first, holds); the request accepted before it is not committed.
  EXPECT_EQ(result.property, "RequestEventuallyCommitted");
  EXPECT_EQ(result.property_kind, "leads-to");
  EXPECT_EQ(count_steps(result, "Crash"), 1);
  EXPECT_EQ(count_steps(result, "Input"), 1);
  EXPECT_EQ(result.trace.size(), 18u);
  EXPECT_EQ(result.loop_start, 12);
}

ImplModel pre_vote_model(implraft::Variant variant, ImplBounds bounds) {
  implraft::Config config{3, variant};
  config.pre_vote = true;
  bounds.check_refinement = false;  // the variant's first raised term is no raft.tla step
  return make_impl_model(config, bounds, mc::FaultBudgets{});
}

// Elections kept apart, no log entries (so no request to commit), three
// messages, no crash: only the elections are left.
ImplBounds election_bounds(int max_term) {
  ImplBounds bounds;
  bounds.max_term = max_term;
  bounds.max_log = 0;
  bounds.max_messages = 3;
  bounds.timely_elections = true;
  return bounds;
}

// A pre-vote round raises no term, and --timely-elections keeps a server
// that wins one from campaigning while the leader stands: the first
// leader is never deposed, so no state has a term above 2 and a larger
// term bound adds none.
TEST(RaftLiveness, WithPreVoteALeaderOnceElectedIsNeverLost) {
  for (int max_term : {3, 4}) {
    const mc::CheckResult result =
        mc::check_liveness(pre_vote_model(implraft::Variant::kCorrect, election_bounds(max_term)));
    EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
    EXPECT_EQ(result.stats.distinct_states, 1786u) << "max_term " << max_term;
  }
}

int leaders(const mc::TraceStep& step) {
  int count = 0;
  for (const char* server : {"s1", "s2", "s3"})
    count += step.state["nodes"][server]["role"].as_string() == "leader";
  return count;
}

bool all_in_term(const mc::TraceStep& step, int term) {
  for (const char* server : {"s1", "s2", "s3"}) {
    if (step.state["nodes"][server]["term"].as_int() != term) return false;
  }
  return true;
}

// The lasso of `crosscheck check raft --liveness --variant
// pre-vote-raises-term --check-refinement 0 --timely-elections 1
// --max-log 0 --max-restarts 0` (docs/raft.md walks it): s1 wins term 2,
// its vote request to s3 still in flight (steps 1-7); s2 times out and
// asks for pre-votes for term 3 (8); s3 adopts term 3 from the request
// (9) and refuses s1's old vote request with it (10); s1, the leader,
// steps down on the refusal (11). Every server ends in term 3, in which
// nobody campaigned, and any pre-vote round now names term 4, beyond the
// bound: the behaviour stutters there, leaderless (15). Each disruption
// raises a term and a loop can raise none, so the lasso shows the last
// disruption the bound allows. With terms up to 2 the first election
// leaves no term to raise; with one more, s3's pre-vote request deposes
// s1 itself, and s1's own round for term 4 moves every server there and
// elects nobody.
TEST(RaftLiveness, APreVoteThatRaisesTermsLeavesTheClusterWithoutALeader) {
  const auto check = [](int max_term) {
    return mc::check_liveness(
        pre_vote_model(implraft::Variant::kPreVoteRaisesTerm, election_bounds(max_term)));
  };
  const mc::CheckResult no_term_to_spare = check(2);
  EXPECT_EQ(no_term_to_spare.outcome, mc::Outcome::kOk);
  EXPECT_EQ(no_term_to_spare.stats.distinct_states, 568u);

  const mc::CheckResult result = check(3);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "LeaderEventuallyRestored");
  EXPECT_EQ(result.property_kind, "leads-to");
  EXPECT_EQ(result.stats.distinct_states, 6055u);
  ASSERT_EQ(result.trace.size(), 16u);
  EXPECT_EQ(result.loop_start, 15);  // it stutters in the last state
  EXPECT_EQ(result.trace[8].action, "Timeout s2 election");
  EXPECT_EQ(result.trace[11].action, "Deliver RequestVoteResponse(term 3, denied) s3->s1");
  EXPECT_EQ(leaders(result.trace[10]), 1);
  EXPECT_EQ(leaders(result.trace[11]), 0);
  EXPECT_EQ(leaders(result.trace[15]), 0);
  EXPECT_TRUE(all_in_term(result.trace[15], 3));

  const mc::CheckResult one_term_more = check(4);
  ASSERT_EQ(one_term_more.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(one_term_more.property, "LeaderEventuallyRestored");
  EXPECT_EQ(one_term_more.stats.distinct_states, 38077u);
  ASSERT_EQ(one_term_more.trace.size(), 26u);
  EXPECT_EQ(one_term_more.loop_start, 25);
  EXPECT_EQ(one_term_more.trace[14].action, "Deliver PreVote(term 3, last log 0/0) s3->s1");
  EXPECT_EQ(leaders(one_term_more.trace[13]), 1);
  EXPECT_EQ(leaders(one_term_more.trace[14]), 0);
  EXPECT_EQ(leaders(one_term_more.trace[25]), 0);
  EXPECT_TRUE(all_in_term(one_term_more.trace[25], 4));
}

// A limit of the model rather than of PreVote: --timely-elections forbids
// the campaign of a server that has won its pre-votes while a leader
// stands, not the timeout that began its round. With one entry to commit:
// s1 leads term 2 and takes a request (steps 1-6); s2 times out (11) and
// s3 grants it a pre-vote for term 3 (14), which it may never act on; s2
// asks again (15). In the last state the grant cannot be delivered, the
// request to s3 would make a second copy of it, and a heartbeat or any
// other round would pass three messages: nothing fair is left, and s1's
// entry is never committed. docs/raft.md says why the PreVote checks
// above leave the log empty.
TEST(RaftLiveness, TimelyElectionsStrandAPreCandidateThatWonItsPreVotes) {
  ImplBounds bounds = timely_bounds();
  const mc::CheckResult result =
      mc::check_liveness(pre_vote_model(implraft::Variant::kCorrect, bounds));
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "RequestEventuallyCommitted");
  EXPECT_EQ(result.stats.distinct_states, 14332u);
  ASSERT_EQ(result.trace.size(), 18u);
  EXPECT_EQ(result.loop_start, 17);
  const mc::Json& last = result.trace.back().state["nodes"];
  EXPECT_EQ(last["s1"]["role"].as_string(), "leader");
  EXPECT_EQ(last["s2"]["role"].as_string(), "pre-candidate");
  EXPECT_EQ(last["s1"]["commit_index"].as_int(), 0);
}

// Thesis §9.6's scenario, up to the moment of the rejoin (thesis_test
// plays it through): s1 leads term 2 and, while s3 is cut off, commits an
// entry with s2; s3 times out three times, its requests lost; the
// partition heals and s3 times out once more before s1's next heartbeat,
// so its pre-vote requests for term 3 are on their way.
ImplState rejoining(implraft::Variant variant) {
  implraft::Config config{3, variant};
  config.pre_vote = true;
  mc::ActorSystem<ImplBinding> cluster(ImplBinding(config, ImplBounds{}));
  EXPECT_TRUE(cluster.fire(0, implraft::Timer::kElection));
  cluster.deliver_all();
  cluster.isolate(2);
  EXPECT_TRUE(cluster.input(0, ClientRequest{1}));
  EXPECT_TRUE(cluster.fire(0, implraft::Timer::kHeartbeat));
  cluster.deliver_all();
  for (int timeout = 0; timeout < 3; ++timeout) {
    EXPECT_TRUE(cluster.fire(2, implraft::Timer::kElection));
    cluster.deliver_all();
  }
  cluster.heal();
  EXPECT_TRUE(cluster.fire(2, implraft::Timer::kElection));
  EXPECT_EQ(cluster.node(0).role(), implraft::Role::kLeader);
  EXPECT_EQ(cluster.node(0).commit_index(), 1);
  EXPECT_EQ(cluster.in_flight().size(), 2u);
  return cluster.state();
}

// From the moment of the rejoin, every fair behaviour of the correct node
// keeps s1 in office: s3's log is behind, s1 and s2 refuse it, and no term
// moves. With the variant, s3's request moves s1 to term 3 and deposes it
// (step 1), s1's refusal and then s2's take s3 and s2 there (2-4), and a
// new pre-vote round names term 4 (5): no leader within the bound.
TEST(RaftLiveness, ARejoiningServerLeavesTheClusterWithoutALeaderOnlyWithTheVariant) {
  ImplBounds bounds = timely_bounds();
  bounds.check_refinement = false;
  const auto from_rejoin = [&bounds](implraft::Variant variant) {
    implraft::Config config{3, variant};
    config.pre_vote = true;
    testing::ConstrainedModel model(make_impl_model(config, bounds, mc::FaultBudgets{}));
    model.start_at(rejoining(variant));
    return mc::check_liveness(model);
  };
  const mc::CheckResult correct = from_rejoin(implraft::Variant::kCorrect);
  EXPECT_EQ(correct.outcome, mc::Outcome::kOk) << correct.property;
  EXPECT_EQ(correct.stats.distinct_states, 373u);
  // And in every one of those states s1 still leads term 2.
  implraft::Config config{3, implraft::Variant::kCorrect};
  config.pre_vote = true;
  testing::ConstrainedModel kept(make_impl_model(config, bounds, mc::FaultBudgets{}));
  kept.start_at(rejoining(implraft::Variant::kCorrect))
      .check_also({"S1LeadsTerm2", [](const ImplState&, const ImplAction&, const ImplState& to) {
                     return to.nodes[0].role() == implraft::Role::kLeader &&
                            to.nodes[0].term() == 2;
                   }});
  const mc::CheckResult safety = mc::check(kept);
  // Nothing violated; the goal LeaderOfALaterTerm is, fittingly, unreached.
  EXPECT_EQ(safety.outcome, mc::Outcome::kGoalUnreached) << safety.property;
  EXPECT_EQ(safety.stats.distinct_states, 373u);

  const mc::CheckResult result = from_rejoin(implraft::Variant::kPreVoteRaisesTerm);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "LeaderEventuallyRestored");
  EXPECT_EQ(result.stats.distinct_states, 110u);
  ASSERT_EQ(result.trace.size(), 6u);
  EXPECT_EQ(result.loop_start, 5);
  EXPECT_EQ(result.trace[1].action, "Deliver PreVote(term 3, last log 0/0) s3->s1");
  EXPECT_EQ(leaders(result.trace[0]), 1);
  EXPECT_EQ(leaders(result.trace[1]), 0);
  EXPECT_TRUE(all_in_term(result.trace[4], 3));
  EXPECT_EQ(result.trace[5].action, "Timeout s1 election");
}

}  // namespace
}  // namespace crosscheck::check::raft
