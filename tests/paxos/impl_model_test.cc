// The Paxos implementation in the actor harness: an exhaustive run with
// its count pinned, every step refining Paxos.tla, and every known-buggy
// variant caught with its shortest counterexample pinned.
#include <gtest/gtest.h>

#include "check/paxos/model.h"
#include "model_check/search.h"

namespace crosscheck::check::paxos {
namespace {

using implpaxos::Variant;

mc::CheckResult check_impl(int acceptors, Variant variant, int crashes, int threads = 1) {
  implpaxos::Config config;
  config.proposers = 2;
  config.acceptors = acceptors;
  config.max_ballot = 1;
  config.variant = variant;
  mc::FaultBudgets budgets;
  budgets.max_crashes = crashes;
  mc::SearchOptions options;
  options.threads = threads;
  return mc::check(make_impl_model(config, budgets), options);
}

// Two proposers (ballots 0 and 1), two acceptors (a quorum is both), no
// faults: every step is a Paxos.tla step and Inv holds everywhere.
TEST(PaxosImpl, TwoProposersTwoAcceptorsCountIsPinned) {
  mc::CheckResult result = check_impl(2, Variant::kCorrect, 0);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 1993u);
  EXPECT_EQ(result.stats.total_states, 6877u);
  EXPECT_EQ(result.stats.depth, 21);
}

// The refinement check has teeth: an acceptor that raises its promise
// without a Prepare in the history is no Paxos.tla step, one that answers
// a Prepare is.
TEST(PaxosImpl, RefinementRejectsAStepTheSpecDoesNotAllow) {
  implpaxos::Config config;
  ImplModel model = make_impl_model(config, {});
  const auto properties = model.transition_properties();
  ASSERT_EQ(properties.size(), 1u);
  const auto& refines = properties[0];
  ASSERT_EQ(refines.name, "RefinesPaxosSpec");
  const ImplState init = model.initial_states().front();
  std::vector<mc::Successor<ImplModel::Action, ImplState>> successors;
  model.successors(init, successors);
  ASSERT_FALSE(successors.empty());
  for (const auto& step : successors) EXPECT_TRUE(refines.holds(init, step.action, step.state));

  ImplState forged = init;
  implpaxos::PaxosOutbox out;
  std::get<implpaxos::Acceptor>(forged.nodes[config.acceptor_id(0)])
      .on_message(0, {implpaxos::MessageType::kPrepare, 1}, out);
  EXPECT_FALSE(refines.holds(init, successors[0].action, forged));  // no 1a for ballot 1 was sent
}

struct VariantCase {
  const char* name;
  Variant variant;
  const char* property;
  int shortest_steps;
};

class PaxosBuggyVariant : public ::testing::TestWithParam<VariantCase> {};

TEST_P(PaxosBuggyVariant, IsCaughtWithItsShortestCounterexample) {
  const VariantCase& c = GetParam();
  mc::CheckResult result = check_impl(3, c.variant, 1);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, c.property);
  EXPECT_EQ(static_cast<int>(result.trace.size()) - 1, c.shortest_steps);
  mc::CheckResult parallel = check_impl(3, c.variant, 1, 2);
  ASSERT_EQ(parallel.trace.size(), result.trace.size());
  for (size_t i = 0; i < result.trace.size(); ++i)
    EXPECT_EQ(parallel.trace[i].action, result.trace[i].action);
}

// Inv, Paxos.tla's invariant of the abstract state, is what breaks first:
// each bug makes the history of messages claim something the acceptors'
// state or the protocol's rules deny.
INSTANTIATE_TEST_SUITE_P(
    Variants, PaxosBuggyVariant,
    ::testing::Values(
        // p1 prepares ballot 0, a1 promises, a1 crashes and forgets: its 1b
        // message reports a promise it no longer keeps. 3 steps.
        VariantCase{"acceptor_forgets", Variant::kAcceptorForgets, "Inv", 3},
        // a1 votes v1 in ballot 0; p2's ballot 1 hears of it from a1 and
        // proposes its own v2 anyway: the 2a is not shown safe. 11 steps.
        VariantCase{"ignore_promised_value", Variant::kIgnorePromisedValue, "Inv", 11},
        // p1 takes a1's promise alone as a quorum: 3 steps.
        VariantCase{"quorum_off_by_one", Variant::kQuorumOffByOne, "Inv", 3},
        // a1 promises ballot 1 to p2 and then accepts p1's ballot 0: 8 steps.
        VariantCase{"accept_lower_ballot", Variant::kAcceptLowerBallot, "Inv", 8}),
    [](const ::testing::TestParamInfo<VariantCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace crosscheck::check::paxos
