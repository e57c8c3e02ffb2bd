// RapidCheck properties over long random schedules of the Paxos
// implementation with five acceptors in the actor harness: deliveries in
// any order, proposers' retry timeouts, and faults (drops, duplicates,
// crash-and-restart of any node), with Agreement, Validity, the learner's
// LearnedOneValue and Paxos.tla's Inv checked after every step and the
// refinement map to Paxos.tla on every step. RapidCheck prints its seed
// ("Using configuration: seed=..."); RC_PARAMS="seed=N" reruns exactly
// that test.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "check/paxos/model.h"
#include "model_check/search.h"
#include "tests/common/schedule_runner.h"
#include "tests/common/shrink.h"

namespace crosscheck::check::paxos {
namespace {

using crosscheck::testing::describe;
using crosscheck::testing::ScheduleRun;
using implpaxos::Variant;

constexpr int kAcceptors = 5;

implpaxos::Config five_acceptors(int proposers, Variant variant) {
  implpaxos::Config config;
  config.proposers = proposers;
  config.acceptors = kAcceptors;
  config.max_ballot = specpaxos::kMaxBallot;  // ballots 0..3: a retry has ballots to go to
  config.variant = variant;
  return config;
}

// Room for many faults in one run; two copies of a message may be in flight
// at once, so a duplicate can be delivered twice.
constexpr mc::FaultBudgets kManyFaults{
    .max_drops = 8, .max_duplicates = 8, .max_crashes = 6, .max_copies = 2};

// One scheduling decision: what kind of event, which link (for a message)
// or node (for a timeout or crash) it applies to, and, on a link that
// carries several messages, whether the first or the last of them in
// message order (by type, then ballot). Naming a link rather than a
// position among the enabled steps keeps the meaning of later choices when
// shrinking removes an earlier one.
struct Choice {
  unsigned kind;
  unsigned which;
  bool last;
};

// Up to `max_choices` choices, whatever RapidCheck's size: many of them
// are skipped (nothing on the link they name). Shrinking only removes
// choices: changing one's kind or place seldom keeps a failure and
// multiplies the runs shrinking takes.
rc::Gen<std::vector<Choice>> schedules(int max_choices) {
  return rc::gen::resize(
      max_choices,
      rc::gen::container<std::vector<Choice>>(rc::gen::noShrink(rc::gen::construct<Choice>(
          rc::gen::inRange<unsigned>(0, 9), rc::gen::inRange<unsigned>(0, 1u << 16),
          rc::gen::arbitrary<bool>()))));
}

using Step = mc::Successor<ImplModel::Action, ImplState>;
using Kind = ImplModel::Action::Kind;

// Deliveries are the most common event.
Kind kind_of(unsigned kind) {
  switch (kind) {
    case 5: return Kind::kTimeout;
    case 6: return Kind::kDrop;
    case 7: return Kind::kDuplicate;
    case 8: return Kind::kCrash;
    default: return Kind::kDeliver;
  }
}

// Where a choice can act: the links Paxos sends on (Prepare and Accept
// from a proposer to an acceptor, Promise back, Accepted to the learner),
// and the nodes.
struct Places {
  std::vector<std::pair<NodeId, NodeId>> links;
  int nodes;
};

Places places(const implpaxos::Config& config) {
  Places p{{}, config.learner_id() + 1};
  for (int a = 0; a < config.acceptors; ++a) {
    const NodeId acceptor = config.acceptor_id(a);
    for (NodeId proposer = 0; proposer < config.proposers; ++proposer) {
      p.links.emplace_back(proposer, acceptor);
      p.links.emplace_back(acceptor, proposer);
    }
    p.links.emplace_back(acceptor, config.learner_id());
  }
  return p;
}

// The enabled step of the chosen kind on the link or at the node `which`
// names (the first or the last there, as the choice says); none when there is
// no such step, and the choice is skipped. Skipping rather than falling
// through to another link keeps a choice from taking a step it did not
// take before when shrinking removes an earlier choice.
std::optional<size_t> pick(const std::vector<Step>& steps, const Choice& choice,
                           const Places& places) {
  const Kind kind = kind_of(choice.kind);
  const bool on_link = kind == Kind::kDeliver || kind == Kind::kDrop || kind == Kind::kDuplicate;
  const auto link = places.links[choice.which % places.links.size()];
  const NodeId node = static_cast<NodeId>(choice.which % places.nodes);
  std::optional<size_t> picked;
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& action = steps[i].action;
    if (action.kind != kind) continue;
    if (on_link ? action.from != link.first || action.node != link.second : action.node != node)
      continue;
    // The network, and so the steps on one link, are in message order.
    picked = i;
    if (!choice.last) break;
  }
  return picked;
}

ScheduleRun run_choices(
    const ImplModel& model, const std::vector<Choice>& schedule,
    const crosscheck::testing::PropertyFilter& checked = crosscheck::testing::every_property) {
  const Places where = places(model.protocol().config());
  return crosscheck::testing::run_schedule(
      model, schedule,
      [&](const std::vector<Step>& steps, const Choice& choice) {
        return pick(steps, choice, where);
      },
      checked);
}

bool took(const ScheduleRun& run, const std::string& prefix) {
  for (const auto& step : run.steps) {
    if (step.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

RC_GTEST_PROP(PaxosSchedules, EveryScheduleKeepsAgreementAndRefinesPaxosTla, ()) {
  const int proposers = *rc::gen::inRange(1, implpaxos::kMaxProposers + 1);
  const auto schedule = *schedules(1000);
  const ImplModel model =
      make_impl_model(five_acceptors(proposers, Variant::kCorrect), kManyFaults);
  const ScheduleRun run = run_choices(model, schedule);
  // The distribution RapidCheck prints shows what the runs went through.
  RC_CLASSIFY(run.steps.size() >= 60, "60+ steps");
  RC_CLASSIFY(run.quiescent, "ran to quiescence");
  RC_CLASSIFY(took(run, "Crash a"), "an acceptor crashed");
  RC_CLASSIFY(took(run, "Drop"), "a message dropped");
  RC_CLASSIFY(took(run, "Deliver duplicate"), "a message delivered with a copy left in flight");
  RC_ASSERT_FALSE(run.violated);
}

struct ShrinkCase {
  const char* name;
  Variant variant;
  // The one property the runs check, or nullptr for every one.
  const char* property;
  mc::FaultBudgets budgets;
  // No failing schedule is shorter; 0 for breadth-first search's shortest
  // counterexample, which checks every property.
  int fewest_steps;
  int tests;  // at most: a run stops at its first failure
};

class PaxosShrinking : public ::testing::TestWithParam<ShrinkCase> {};

crosscheck::testing::ShrunkFailure<ScheduleRun> shrink_failure(const ShrinkCase& c) {
  const ImplModel model = make_impl_model(five_acceptors(2, c.variant), c.budgets);
  const auto checked = [&](const std::string& name) {
    return c.property == nullptr || name == c.property;
  };
  return crosscheck::testing::shrink_failure<ScheduleRun>(
      std::string("paxos-") + c.name, c.tests,
      [&] { return run_choices(model, *schedules(600), checked); });
}

int shortest_counterexample_steps(const ShrinkCase& c) {
  const mc::CheckResult result =
      mc::check(make_impl_model(five_acceptors(2, c.variant), c.budgets));
  EXPECT_EQ(result.outcome, mc::Outcome::kViolation);
  return static_cast<int>(result.trace.size()) - 1;
}

TEST_P(PaxosShrinking, FindsTheBugAndShrinksTheScheduleToNearTheFewestSteps) {
  const ShrinkCase& c = GetParam();
  const auto failure = shrink_failure(c);
  ASSERT_TRUE(failure.found) << "no generated schedule broke " << c.name;
  std::cerr << "shrunk schedule breaking " << failure.run.property << ":\n"
            << describe(failure.run);
  if (c.property != nullptr) {
    EXPECT_EQ(failure.run.property, c.property);
  }
  const int fewest = c.fewest_steps > 0 ? c.fewest_steps : shortest_counterexample_steps(c);
  const int shrunk = static_cast<int>(failure.run.steps.size());
  EXPECT_GE(shrunk, fewest);
  // Shrinking removes the noise of the long random schedule: what remains
  // is close to the minimum.
  EXPECT_LE(shrunk, 2 * fewest) << describe(failure.run);
}

// acceptor_forgets breaks Inv as soon as an acceptor that promised
// restarts: 3 steps. With quorums of two, the learner learns two values in
// 18 steps at least: for each, a proposer's timeout and two Prepares,
// Promises, Accepts and Accepteds delivered, the second proposer's
// promises from acceptors that had not voted (or it would propose the
// first value). Only LearnedOneValue is checked there, what a client of
// the learner sees; Inv and the refinement break sooner. That bug needs no
// faults, and they would only lengthen the search and the shrinking.
INSTANTIATE_TEST_SUITE_P(
    Variants, PaxosShrinking,
    ::testing::Values(ShrinkCase{"acceptor_forgets", Variant::kAcceptorForgets, nullptr,
                                 kManyFaults, 0, 10000},
                      ShrinkCase{"quorum_off_by_one_learns_two_values", Variant::kQuorumOffByOne,
                                 "LearnedOneValue", mc::FaultBudgets{}, 18, 10000}),
    [](const ::testing::TestParamInfo<ShrinkCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace crosscheck::check::paxos
