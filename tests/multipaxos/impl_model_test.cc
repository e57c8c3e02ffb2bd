// The Multi-Paxos implementation in the actor harness: pinned counts (one
// counted by hand), every step refining Paxos.tla in every slot, the
// properties' agreement with Paxos.tla's and their teeth, and the
// leader-local-read variant caught with its shortest counterexample.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "check/multipaxos/model.h"
#include "model_check/search.h"

namespace crosscheck::check::multipaxos {
namespace {

using implmp::CommandKind;
using implmp::Variant;

struct Bounds {
  int replicas = 3;
  int clients = 2;
  int slots = 2;
  int max_ballot = 1;
  int max_messages = 0;
  int max_drops = 0;
  int max_crashes = 0;
  Variant variant = Variant::kCorrect;
};

ImplModel model_of(const Bounds& s) {
  implmp::Config config;
  config.replicas = static_cast<uint8_t>(s.replicas);
  config.clients = static_cast<uint8_t>(s.clients);
  config.requests = 1;
  config.keys = 1;
  config.slots = static_cast<uint8_t>(s.slots);
  config.max_ballot = static_cast<uint8_t>(s.max_ballot);
  config.retries = 0;
  config.variant = s.variant;
  ImplBounds bounds;
  bounds.max_messages = s.max_messages;
  mc::FaultBudgets budgets;
  budgets.max_drops = s.max_drops;
  budgets.max_crashes = s.max_crashes;
  return make_impl_model(config, bounds, budgets);
}

mc::CheckResult check(const Bounds& setup, mc::SearchOptions options = {}) {
  return mc::check(model_of(setup), options);
}

// The state a trace ends in, by replaying its action labels from the
// initial state: a trace that is no behaviour of the model fails here.
ImplState replay(const ImplModel& model, const std::vector<mc::TraceStep>& trace) {
  ImplState state = model.initial_states().front();
  std::vector<mc::Successor<ImplAction, ImplState>> successors;
  for (size_t i = 1; i < trace.size(); ++i) {
    successors.clear();
    model.successors(state, successors);
    bool found = false;
    for (auto& successor : successors) {
      if (model.action_label(successor.action) != trace[i].action) continue;
      state = std::move(successor.state);
      found = true;
      break;
    }
    EXPECT_TRUE(found) << "step " << i << " is no successor: " << trace[i].action;
    if (!found) break;
  }
  return state;
}

// One replica, one client with one request, one slot, ballot 0 only. By
// hand: the initial state; the replica's timeout makes it leader at once
// (its Prepare and Accept to itself are local calls, and it is its own
// majority), before or after the client's request (a get or a put) is
// sent. A request that reaches a follower is dropped; its client waits for
// ever while the replica may still take the lead (two states each). One
// that reaches the leader is decided, applied and answered in one step,
// and the answer delivered. Per request kind: sent to a follower, sent to
// a leader, dropped, dropped then leader, answer in flight, answered: 6.
// 1 + 1 + 2 * 6 = 14 states; the longest shortest path is initial, sent,
// leader, answer in flight, answered: depth 5. Generated: 1 initial + 3
// from the first state + 2 from the leader + 2 from each request's first
// two states and 1 from each of three more: 1 + 3 + 2 + 2 * (2 + 1 + 1 + 1) = 16.
TEST(MultiPaxosImpl, OneReplicaOneRequestCountIsPinnedAndCountedByHand) {
  mc::CheckResult result = check({.replicas = 1, .clients = 1, .slots = 1, .max_ballot = 0});
  EXPECT_EQ(result.stats.distinct_states, 14u);
  EXPECT_EQ(result.stats.total_states, 16u);
  EXPECT_EQ(result.stats.depth, 5);
  // One ballot: no leader change, which is the one goal left unreached.
  ASSERT_EQ(result.outcome, mc::Outcome::kGoalUnreached);
  for (const auto& goal : result.goals)
    EXPECT_EQ(goal.reached, goal.name != "LeaderChanged") << goal.name;
}

// Three replicas, ballots 0 and 1 (r1's and r2's), one client, one slot, at
// most four messages in flight: every step refines Paxos.tla in the slot,
// and every property holds. The count is the same on two threads and when
// states are compared whole rather than by fingerprint.
TEST(MultiPaxosImpl, TwoBallotsOneClientCountIsPinned) {
  const Bounds setup{.replicas = 3, .clients = 1, .slots = 1, .max_ballot = 1, .max_messages = 4};
  mc::CheckResult result = check(setup);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 9781u);
  EXPECT_EQ(result.stats.total_states, 25649u);
  EXPECT_EQ(result.stats.depth, 25);
  mc::SearchOptions options;
  options.threads = 2;
  options.exact = true;
  mc::CheckResult exact = check(setup, options);
  EXPECT_EQ(exact.stats.distinct_states, result.stats.distinct_states);
  EXPECT_EQ(exact.stats.total_states, result.stats.total_states);
}

// SlotAgreement is computed from the votes in the history; Paxos.tla's
// Agreement from the slot's projection. They agree on every state of a run
// with both clients, a crash and a drop, and each learned command is chosen.
TEST(MultiPaxosImpl, SlotAgreementAgreesWithPaxosTlaAgreementInEverySlot) {
  const ImplModel model = model_of({.replicas = 3,
                                    .clients = 2,
                                    .slots = 2,
                                    .max_ballot = 1,
                                    .max_messages = 3,
                                    .max_drops = 1,
                                    .max_crashes = 1});
  const ImplBinding& binding = model.protocol();
  uint64_t states = 0;
  uint64_t chosen_somewhere = 0;
  mc::CheckResult result = mc::check(model, {}, [&](const ImplState& s) {
    ++states;
    bool any = false;
    for (int slot = 0; slot < binding.config().slots; ++slot) {
      const specpaxos::State p = binding.slot_state(s, slot);
      EXPECT_TRUE(binding.slot_spec().agreement(p));
      bool chosen_in_spec = false;
      for (int v = 1; v <= binding.slot_spec().universe().values(); ++v)
        chosen_in_spec |= binding.slot_spec().chosen(p, v);
      EXPECT_EQ(chosen_in_spec, !chosen(binding.config(), s.history, slot).empty());
      any |= chosen_in_spec;
    }
    chosen_somewhere += any;
  });
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(states, result.stats.distinct_states);
  EXPECT_GT(chosen_somewhere, 0u);
}

// The refinement check has teeth: a vote in a ballot nobody proposed in is
// no Paxos.tla step.
TEST(MultiPaxosImpl, RefinementRejectsAVoteNoLeaderAskedFor) {
  const ImplModel model = model_of({.clients = 1, .slots = 1});
  const auto properties = model.transition_properties();
  ASSERT_EQ(properties.size(), 1u);
  ASSERT_EQ(properties[0].name, "RefinesPaxosPerSlot");
  const ImplState init = model.initial_states().front();
  std::vector<mc::Successor<ImplAction, ImplState>> successors;
  model.successors(init, successors);
  ASSERT_FALSE(successors.empty());
  for (const auto& step : successors)
    EXPECT_TRUE(properties[0].holds(init, step.action, step.state));

  ImplState forged = init;
  implmp::MultiPaxosOutbox out;
  const implmp::Command noop = implmp::Command::noop();
  std::get<implmp::Replica>(forged.nodes[2])
      .on_message(0, implmp::Message::accept(0, 0, noop), out);
  model.protocol().record_send(forged.history, 2, 0, out.sends().front().message);
  EXPECT_FALSE(properties[0].holds(init, successors[0].action, forged))
      << "no 2a for ballot 0 was sent";
  model.protocol().record_send(forged.history, 0, 2, implmp::Message::accept(0, 0, noop));
  EXPECT_FALSE(properties[0].holds(init, successors[0].action, forged))
      << "nor any quorum of 1b messages";
}

// The linearizability property has teeth: a read that follows a completed
// write and misses it.
TEST(MultiPaxosImpl, TheLinearizabilityPropertyRejectsAStaleRead) {
  const implmp::Config config;
  const implmp::Command put{CommandKind::kPut, 1, 1, 0, config.put_value(1, 1)};
  const implmp::Command get{CommandKind::kGet, 0, 1, 0, 0};
  ImplState state;
  state.history.record(ClientEvent{false, put, 0});
  EXPECT_TRUE(linearizable(state));
  state.history.record(ClientEvent{true, put, 0});
  state.history.record(ClientEvent{false, get, 0});
  EXPECT_TRUE(linearizable(state)) << "the get may still see the put";
  ImplState stale = state;
  stale.history.record(ClientEvent{true, get, implmp::kAbsent});
  EXPECT_FALSE(linearizable(stale));
  state.history.record(ClientEvent{true, get, put.value});
  EXPECT_TRUE(linearizable(state));
}

// Invocations and responses of a run of one kind are kept sorted: their
// order within the run is no part of the history's meaning.
TEST(MultiPaxosImpl, TheClientHistorySortsOnlyWithinRunsOfInvocationsOrResponses) {
  const implmp::Command a{CommandKind::kGet, 0, 1, 0, 0};
  const implmp::Command b{CommandKind::kGet, 1, 1, 0, 0};
  History one;
  one.record(ClientEvent{false, b, 0});
  one.record(ClientEvent{false, a, 0});
  History other;
  other.record(ClientEvent{false, a, 0});
  other.record(ClientEvent{false, b, 0});
  EXPECT_EQ(one, other);
  one.record(ClientEvent{true, b, 0});
  other.record(ClientEvent{true, b, 0});
  one.record(ClientEvent{false, implmp::Command{CommandKind::kGet, 1, 2, 0, 0}, 0});
  EXPECT_EQ(one.client_events.back().request.seq, 2)
      << "an invocation after a response stays after it";
}

struct VariantRun {
  mc::CheckResult result;
  ImplState last;
};

VariantRun catch_leader_local_read(const Bounds& setup) {
  VariantRun run;
  run.result = check(setup);
  EXPECT_EQ(run.result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(run.result.property, "Linearizable");
  run.last = replay(model_of(setup), run.result.trace);
  return run;
}

int index_of(const std::vector<mc::TraceStep>& trace, const std::string& action) {
  for (size_t i = 0; i < trace.size(); ++i) {
    if (trace[i].action == action) return static_cast<int>(i);
  }
  return -1;
}

// The old leader r1 of ballot 0 is cut off while r2 takes ballot 1 with
// r3 (the messages from r2 to r1 are never delivered); c2's put is decided
// by the majority side and answered; then c1's get reaches r1, which
// answers from its own store, where the key is still absent. 14 steps, and
// none shorter: the checker explores breadth first.
TEST(MultiPaxosLeaderLocalRead, IsCaughtAsALinearizabilityViolationWithItsShortestTrace) {
  const Bounds setup{.replicas = 3,
                     .clients = 2,
                     .slots = 2,
                     .max_ballot = 1,
                     .variant = Variant::kLeaderLocalRead};
  VariantRun run = catch_leader_local_read(setup);
  const auto& trace = run.result.trace;
  ASSERT_EQ(trace.size() - 1, 14u);
  const int put_answered = index_of(trace, "Deliver Reply(c2.1 put k1=2 -> ok) r2->c2");
  const int get_issued = index_of(trace, "Input c1 get k1");
  ASSERT_GT(put_answered, 0);
  ASSERT_GT(get_issued, put_answered) << "the get begins after the put has ended";
  EXPECT_EQ(trace.back().action, "Deliver Reply(c1.1 get k1 -> absent) r1->c1");
  const int ballot_one = index_of(trace, "Timeout r2 election");
  ASSERT_GT(ballot_one, 0);
  for (size_t i = ballot_one; i < trace.size(); ++i) {
    EXPECT_EQ(trace[i].action.find("r2->r1"), std::string::npos)
        << "r1 hears nothing of ballot 1: " << trace[i].action;
  }
  const auto& r1 = std::get<implmp::Replica>(run.last.nodes[0]);
  const auto& r2 = std::get<implmp::Replica>(run.last.nodes[1]);
  EXPECT_EQ(r1.role(), implmp::Role::kLeader);
  EXPECT_EQ(r1.ballot(), 0);
  EXPECT_EQ(r2.role(), implmp::Role::kLeader);
  EXPECT_EQ(r2.ballot(), 1);
  EXPECT_EQ(chosen(model_of(setup).protocol().config(), run.last.history, 0).kind,
            CommandKind::kPut);

  const mc::lin::History<mc::lin::KvSpec> history = client_history(run.last.history);
  const mc::lin::Result verdict = mc::lin::check(history);
  ASSERT_EQ(verdict.verdict, mc::lin::Verdict::kNotLinearizable);
  EXPECT_EQ(history[verdict.culprit].input, mc::lin::KvSpec::get(1));
  EXPECT_EQ(verdict.spec_output, "2");
  std::cerr << mc::lin::render(history, verdict);
}

// With the command line's defaults (at most four messages in flight, one
// drop) the partition shows as a dropped Prepare of ballot 1 to r1, which
// keeps the network within four messages: 16 steps.
TEST(MultiPaxosLeaderLocalRead, IsCaughtWithinTheCommandLinesDefaultBounds) {
  const Bounds setup{.replicas = 3,
                     .clients = 2,
                     .slots = 2,
                     .max_ballot = 1,
                     .max_messages = 4,
                     .max_drops = 1,
                     .variant = Variant::kLeaderLocalRead};
  VariantRun run = catch_leader_local_read(setup);
  const auto& trace = run.result.trace;
  EXPECT_EQ(trace.size() - 1, 16u);
  EXPECT_GT(index_of(trace, "Drop Prepare(ballot 1) r2->r1"), 0);
  EXPECT_EQ(trace.back().action, "Deliver Reply(c1.1 get k1 -> absent) r1->c1");
}

}  // namespace
}  // namespace crosscheck::check::multipaxos
