// A stable partial partition: three servers with PreVote and CheckQuorum,
// the link between s1 and s3 down for good, s2 connected to both. Whether
// a leader is eventually elected, and whether one stays, under weak
// fairness of delivery and timers and under stated timing assumptions
// (tests/raft/constrained_model.h). docs/raft.md ("A stable partial
// partition") tells what each result shows.
#include <gtest/gtest.h>

#include <string>

#include "check/raft/model.h"
#include "model_check/actor_system.h"
#include "model_check/liveness.h"
#include "model_check/search.h"
#include "tests/raft/constrained_model.h"

namespace crosscheck::check::raft {
namespace {

using testing::ConstrainedModel;
using testing::Timing;

// Terms up to 3, empty logs (the elections alone), three messages, no
// faults but the cut link.
ImplModel model(bool pre_vote, bool check_quorum) {
  implraft::Config config{3, implraft::Variant::kCorrect};
  config.pre_vote = pre_vote;
  config.check_quorum = check_quorum;
  ImplBounds bounds;
  bounds.max_term = 3;
  bounds.max_log = 0;
  bounds.max_messages = 3;
  bounds.check_refinement = false;  // thesis_test checks it; these runs are about liveness
  return make_impl_model(config, bounds, mc::FaultBudgets{});
}

constexpr Timing kTimely{
    .quiet_network = true, .followers_hear_leader = true, .checks_after_heartbeats = true};

ConstrainedModel cut_link(Timing timing, bool pre_vote = true, bool check_quorum = true) {
  ConstrainedModel constrained(model(pre_vote, check_quorum));
  constrained.cut(0, 2).assume(timing);
  return constrained;
}

bool leads(const mc::TraceStep& step, const char* server) {
  return step.state["nodes"][server]["role"].as_string() == "leader";
}

std::string role(const mc::TraceStep& step, const char* server) {
  return step.state["nodes"][server]["role"].as_string();
}

// Timers fire whenever they are armed: s1's election timer fires while it
// is a candidate, before s2's vote is counted (steps 5 and 10), and each
// time it asks again, one term up, until no round can begin within the
// bound. The cut is not what fails: with every link up, s1 is elected,
// its quorum check fires before anyone could answer (step 9), it steps
// down, and its pre-votes meet followers still in its lease, in a loop.
// This is the asynchrony Raft's timing requirement (§5.6) rules out.
TEST(PartialPartition, WithoutTimingAssumptionsNoLeaderNeedEverBeElected) {
  const mc::CheckResult result = mc::check_liveness(cut_link(Timing{}));
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "LeaderEventuallyElected");
  EXPECT_EQ(result.stats.distinct_states, 1355986u);
  ASSERT_EQ(result.trace.size(), 16u);
  EXPECT_EQ(result.loop_start, 15);
  for (size_t step : {5u, 10u}) {
    EXPECT_EQ(result.trace[step].action, "Timeout s1 election");
    EXPECT_EQ(role(result.trace[step - 1], "s1"), "candidate");
  }
  const mc::CheckResult connected = mc::check_liveness(model(true, true));
  ASSERT_EQ(connected.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(connected.property, "LeaderEventuallyRestored");
  EXPECT_EQ(connected.stats.distinct_states, 933358u);
  ASSERT_EQ(connected.trace.size(), 20u);
  EXPECT_EQ(connected.loop_start, 16);
  EXPECT_EQ(connected.trace[9].action, "Timeout s1 election");
  EXPECT_TRUE(leads(connected.trace[8], "s1"));
  EXPECT_FALSE(leads(connected.trace[9], "s1"));
}

// With all three assumptions a leader is always eventually elected, and
// restored. Without any one of them the bound ends a behaviour with none:
// a candidate's timer fires before its vote is counted (as above); s2
// times out although s1 reaches it, and the term it meets at s3 deposes
// s1 (step 21); s1's quorum check fires again before anyone can answer,
// and s1 steps down (step 10).
TEST(PartialPartition, UnderTimingAssumptionsALeaderIsAlwaysRestored) {
  const mc::CheckResult timely = mc::check_liveness(cut_link(kTimely));
  EXPECT_EQ(timely.outcome, mc::Outcome::kOk) << timely.property;
  EXPECT_EQ(timely.stats.distinct_states, 673u);

  Timing timing = kTimely;
  timing.quiet_network = false;
  const mc::CheckResult noisy = mc::check_liveness(cut_link(timing));
  ASSERT_EQ(noisy.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(noisy.property, "LeaderEventuallyElected");
  EXPECT_EQ(noisy.stats.distinct_states, 129020u);
  EXPECT_EQ(noisy.trace.size(), 16u);
  EXPECT_EQ(noisy.loop_start, 15);

  timing = kTimely;
  timing.followers_hear_leader = false;
  const mc::CheckResult deaf = mc::check_liveness(cut_link(timing));
  ASSERT_EQ(deaf.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(deaf.property, "LeaderEventuallyRestored");
  EXPECT_EQ(deaf.stats.distinct_states, 3645u);
  ASSERT_EQ(deaf.trace.size(), 26u);
  EXPECT_EQ(deaf.loop_start, 25);
  EXPECT_EQ(deaf.trace[16].action, "Timeout s2 election");
  EXPECT_TRUE(leads(deaf.trace[16], "s1"));
  EXPECT_TRUE(leads(deaf.trace[20], "s1"));
  EXPECT_FALSE(leads(deaf.trace[21], "s1"));

  timing = kTimely;
  timing.checks_after_heartbeats = false;
  const mc::CheckResult hasty = mc::check_liveness(cut_link(timing));
  ASSERT_EQ(hasty.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(hasty.property, "LeaderEventuallyRestored");
  EXPECT_EQ(hasty.stats.distinct_states, 3351u);
  ASSERT_EQ(hasty.trace.size(), 14u);
  EXPECT_EQ(hasty.loop_start, 11);
  EXPECT_EQ(hasty.trace[10].action, "Timeout s1 election");
  EXPECT_TRUE(leads(hasty.trace[9], "s1"));
  EXPECT_FALSE(leads(hasty.trace[10], "s1"));
}

// s1 leads term 2 and every server has heard its first heartbeat; then
// the link between s1 and s3 goes down.
ImplState established(bool pre_vote, bool check_quorum) {
  implraft::Config config{3, implraft::Variant::kCorrect};
  config.pre_vote = pre_vote;
  config.check_quorum = check_quorum;
  mc::ActorSystem<ImplBinding> cluster(ImplBinding(config, ImplBounds{}));
  EXPECT_TRUE(cluster.fire(0, implraft::Timer::kElection));
  cluster.deliver_all();
  EXPECT_TRUE(cluster.fire(0, implraft::Timer::kHeartbeat));
  cluster.deliver_all();
  EXPECT_EQ(cluster.node(0).role(), implraft::Role::kLeader);
  return cluster.state();
}

// A leader stays leader, of its term, across every step. Without crashes,
// and with a quorum that reaches every server, a leader that loses office
// was disrupted.
mc::TransitionProperty<ImplState, ImplAction> leader_keeps_office() {
  return {"LeaderKeepsOffice", [](const ImplState& from, const ImplAction&, const ImplState& to) {
            for (size_t i = 0; i < from.nodes.size(); ++i) {
              if (from.nodes[i].role() == implraft::Role::kLeader &&
                  (to.nodes[i].role() != implraft::Role::kLeader ||
                   to.nodes[i].term() != from.nodes[i].term()))
                return false;
            }
            return true;
          }};
}

ConstrainedModel from_established(bool pre_vote, bool check_quorum) {
  ConstrainedModel constrained = cut_link(kTimely, pre_vote, check_quorum);
  constrained.start_at(established(pre_vote, check_quorum)).check_also(leader_keeps_office());
  return constrained;
}

// "Stays" as a step property: a loop raises no term, so a leader deposed
// again and again is no lasso within the bounds, and every one of these
// runs satisfies the liveness properties from this state. s3, which no
// longer hears s1, times out; with CheckQuorum, s2 has heard from s1 and
// ignores its requests, with or without PreVote, and s1 stays. Without
// it, s2 grants them: with PreVote s3 wins a pre-vote and then the vote
// for term 3, without it just the vote, and s2 refuses s1's next
// heartbeat in term 3, which deposes s1. In the unbounded protocol s1,
// cut off from s3 in turn, then does the same to s3.
TEST(PartialPartition, CheckQuorumsLeaseKeepsAnEstablishedLeaderInOffice) {
  for (bool pre_vote : {true, false}) {
    // Every state explored and no violation; with empty logs no entry is
    // ever applied, so that goal stays unreached.
    const mc::CheckResult kept = mc::check(from_established(pre_vote, true));
    EXPECT_EQ(kept.outcome, mc::Outcome::kGoalUnreached) << kept.property;
    EXPECT_EQ(kept.stats.distinct_states, 36u);
  }
  const mc::CheckResult pre_vote_alone = mc::check(from_established(true, false));
  ASSERT_EQ(pre_vote_alone.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(pre_vote_alone.property, "LeaderKeepsOffice");
  ASSERT_EQ(pre_vote_alone.trace.size(), 8u);
  EXPECT_EQ(pre_vote_alone.trace[1].action, "Timeout s3 election");
  EXPECT_EQ(pre_vote_alone.trace[3].action, "Deliver PreVoteResponse(term 3, granted) s2->s3");
  EXPECT_EQ(pre_vote_alone.trace[7].action, "Deliver AppendEntriesResponse(term 3, failed) s2->s1");
  const mc::CheckResult neither = mc::check(from_established(false, false));
  ASSERT_EQ(neither.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(neither.property, "LeaderKeepsOffice");
  ASSERT_EQ(neither.trace.size(), 6u);
  EXPECT_EQ(neither.trace[2].action, "Deliver RequestVote(term 3, last log 0/0) s3->s2");
  for (bool pre_vote : {true, false}) {
    for (bool check_quorum : {true, false}) {
      const mc::CheckResult live = mc::check_liveness(from_established(pre_vote, check_quorum));
      EXPECT_EQ(live.outcome, mc::Outcome::kOk) << live.property;
    }
  }
}

}  // namespace
}  // namespace crosscheck::check::raft
