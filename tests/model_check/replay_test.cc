// Replay: a trace from the checker is confirmed step by step with its
// violation; a tampered one is refused at the first step that is not a
// behaviour of the model, and a claim that does not hold is not confirmed.
#include "model_check/replay.h"

#include <gtest/gtest.h>

#include "check/twophase/model.h"
#include "model_check/search.h"
#include "tests/model_check/toy_models.h"

namespace crosscheck::mc {
namespace {

using testing::GridModel;

GridModel grid_with_sum_below(int bound) {
  GridModel model(5);
  model.properties_ = {
      always<GridModel::State>("SumBelow", [bound](const auto& s) { return s.x + s.y < bound; })};
  return model;
}

TEST(Replay, ConfirmsTheCheckersTraceAndItsViolation) {
  GridModel model = grid_with_sum_below(3);
  CheckResult result = check(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  ReplayResult replayed = replay(model, result.trace, {"SumBelow", "always"});
  EXPECT_EQ(replayed.illegal_step, -1) << replayed.reason;
  EXPECT_TRUE(replayed.confirmed) << replayed.reason;
  ASSERT_EQ(replayed.trace.size(), result.trace.size());
  for (size_t i = 0; i < result.trace.size(); ++i) {
    EXPECT_EQ(replayed.trace[i].action, result.trace[i].action);
    EXPECT_EQ(replayed.trace[i].state, result.trace[i].state);
  }
}

TEST(Replay, NamesTheFirstStepWhoseStateIsNotTheModels) {
  GridModel model = grid_with_sum_below(4);
  CheckResult result = check(model);
  ASSERT_EQ(result.trace.size(), 5u);
  std::vector<TraceStep> tampered = result.trace;
  tampered[2].state.set("x", 9);
  ReplayResult replayed = replay(model, tampered, {"SumBelow", "always"});
  EXPECT_EQ(replayed.illegal_step, 2);
  EXPECT_FALSE(replayed.confirmed);
  EXPECT_NE(replayed.reason.find("leads to another state"), std::string::npos) << replayed.reason;
  EXPECT_NE(replayed.reason.find("x: "), std::string::npos) << replayed.reason;
  EXPECT_EQ(replayed.trace.size(), 2u);  // the steps before it
}

TEST(Replay, NamesAStepWhoseActionIsNotEnabled) {
  GridModel model = grid_with_sum_below(3);
  std::vector<TraceStep> trace = check(model).trace;
  trace[1].action = "Teleport";
  ReplayResult replayed = replay(model, trace, {"SumBelow", "always"});
  EXPECT_EQ(replayed.illegal_step, 1);
  EXPECT_NE(replayed.reason.find("'Teleport' is not enabled after step 0 (enabled: IncX, IncY)"),
            std::string::npos)
      << replayed.reason;
}

TEST(Replay, RefusesAnInitialStateTheModelDoesNotHave) {
  GridModel model = grid_with_sum_below(3);
  std::vector<TraceStep> trace = check(model).trace;
  trace[0].state.set("y", 1);
  ReplayResult replayed = replay(model, trace, {});
  EXPECT_EQ(replayed.illegal_step, 0);
  EXPECT_NE(replayed.reason.find("not an initial state"), std::string::npos) << replayed.reason;
}

TEST(Replay, RefusesAStepOutsideTheBounds) {
  GridModel model(1);  // IncX is enabled past the limit; the state constraint cuts it
  std::vector<TraceStep> trace = {{"", model.state_json({0, 0})},
                                  {"IncX", model.state_json({1, 0})},
                                  {"IncX", model.state_json({2, 0})}};
  ReplayResult replayed = replay(model, trace, {});
  EXPECT_EQ(replayed.illegal_step, 2);
  EXPECT_NE(replayed.reason.find("outside the model's bounds"), std::string::npos)
      << replayed.reason;
}

TEST(Replay, DoesNotConfirmAPropertyThatHoldsAtTheEnd) {
  GridModel model = grid_with_sum_below(3);
  std::vector<TraceStep> trace = check(model).trace;
  trace.pop_back();
  ReplayResult replayed = replay(model, trace, {"SumBelow", "always"});
  EXPECT_EQ(replayed.illegal_step, -1);
  EXPECT_FALSE(replayed.confirmed);
  EXPECT_EQ(replayed.reason, "SumBelow holds in the state after step 2");
}

TEST(Replay, DoesNotConfirmAPropertyTheModelDoesNotHave) {
  GridModel model = grid_with_sum_below(3);
  ReplayResult replayed = replay(model, check(model).trace, {"Nonsense", "always"});
  EXPECT_FALSE(replayed.confirmed);
  EXPECT_EQ(replayed.reason, "this model has no always property named Nonsense");
}

TEST(Replay, ConfirmsADeadlock) {
  GridModel model(2, /*guard_actions=*/true);
  model.check_deadlock_ = true;
  CheckResult result = check(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_TRUE(replay(model, result.trace, {"Deadlock", "deadlock"}).confirmed);
  std::vector<TraceStep> early = result.trace;
  early.pop_back();
  ReplayResult replayed = replay(model, early, {"Deadlock", "deadlock"});
  EXPECT_FALSE(replayed.confirmed);
  EXPECT_NE(replayed.reason.find("is no deadlock"), std::string::npos) << replayed.reason;
}

namespace twophase = crosscheck::check::twophase;

twophase::ImplModel majority_commit() {
  return twophase::make_impl_model({3, crosscheck::impl::twophase::Variant::kTmMajorityCommit},
                                   FaultBudgets{});
}

TEST(ReplayEvents, TheActorHarnessDescribesEachStepWithWhatItSent) {
  twophase::ImplModel model = majority_commit();
  CheckResult result = check(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  ASSERT_EQ(result.trace.size(), 5u);
  ReplayResult replayed = replay(model, result.trace, {result.property, result.property_kind});
  ASSERT_TRUE(replayed.confirmed) << replayed.reason;
  EXPECT_EQ(model.lifelines(), (std::vector<std::string>{"tm", "rm1", "rm2", "rm3"}));

  const StepEvent& initial = *replayed.trace[0].event;
  EXPECT_EQ(initial.kind, "initial");
  ASSERT_EQ(initial.sent.size(), 3u);  // the TM's Prepare to every RM
  EXPECT_EQ(initial.sent[0].from, "tm");
  EXPECT_EQ(initial.sent[0].to, "rm1");
  EXPECT_EQ(initial.sent[0].text, "Prepare");

  const StepEvent& delivery = *replayed.trace[1].event;  // Deliver Prepare tm->rm1
  EXPECT_EQ(delivery.kind, "message");
  EXPECT_EQ(delivery.from, "tm");
  EXPECT_EQ(delivery.node, "rm1");
  EXPECT_EQ(delivery.text, "Prepare");
  ASSERT_EQ(delivery.sent.size(), 1u);
  EXPECT_EQ(delivery.sent[0].from, "rm1");
  EXPECT_EQ(delivery.sent[0].to, "tm");
  EXPECT_EQ(delivery.sent[0].text, "VoteYes");

  const StepEvent& decision =
      *replayed.trace[4].event;  // the TM decides commit on two votes of three
  EXPECT_EQ(decision.node, "tm");
  EXPECT_EQ(decision.sent.size(), 3u);
}

TEST(ReplayEvents, FaultsAreEventsOfTheirOwnKind) {
  twophase::ImplModel model = twophase::make_impl_model(
      {1, crosscheck::impl::twophase::Variant::kCorrect}, FaultBudgets{1, 1, 1, 2});
  const auto state = model.initial_states().front();
  std::vector<Successor<twophase::ImplModel::Action, twophase::ImplModel::State>> successors;
  model.successors(state, successors);
  std::map<std::string, StepEvent> by_kind;
  for (const auto& successor : successors) {
    StepEvent event = model.step_event(state, successor.action, successor.state);
    by_kind.emplace(event.kind, event);
  }
  ASSERT_TRUE(by_kind.count("drop"));
  EXPECT_EQ(by_kind["drop"].from, "tm");
  EXPECT_EQ(by_kind["drop"].node, "rm1");
  EXPECT_TRUE(by_kind["drop"].sent.empty());
  ASSERT_TRUE(by_kind.count("duplicate"));
  // The duplicate's delivery sends the RM's vote, though its copy of
  // Prepare stays in flight.
  ASSERT_EQ(by_kind["duplicate"].sent.size(), 1u);
  EXPECT_EQ(by_kind["duplicate"].sent[0].text, "VoteYes");
  ASSERT_TRUE(by_kind.count("crash"));
  ASSERT_TRUE(by_kind.count("timeout"));
  EXPECT_EQ(by_kind["timeout"].node, "tm");
}

}  // namespace
}  // namespace crosscheck::mc
