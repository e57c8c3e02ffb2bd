// Raft in Z3: the six safety properties agree with the C++ predicates on
// reachable and on broken states; the election's Next relation agrees with
// RaftModel's successors; bounded model checking finds no violation of
// Election Safety in the spec and a replayable one in a weakened spec; and
// Election Safety, strengthened, is inductive, with every conjunct needed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "model_check/search.h"
#include "spec/raft/raft.h"
#include "spec/raft/z3_properties.h"

namespace crosscheck::spec::raft {
namespace {

// Every `stride`-th state in the order the checker stores them (1: all),
// and how many there were in all.
std::pair<std::vector<State>, uint64_t> reachable(const Config& config, uint64_t stride) {
  std::vector<State> states;
  uint64_t seen = 0;
  mc::check(RaftModel(config), {}, [&](const State& s) {
    if (seen++ % stride == 0) states.push_back(s);
  });
  return {states, seen};
}

Config config(int servers, int max_term, int max_log, int max_messages) {
  Config c;
  c.servers = servers;
  c.max_term = max_term;
  c.max_log = max_log;
  c.max_messages = max_messages;
  c.max_restarts = 0;
  return c;
}

std::vector<std::pair<std::string, State>> cpp_successors(const RaftModel& model, const State& s) {
  std::vector<mc::Successor<Action, State>> successors;
  model.successors(s, successors);
  std::vector<std::pair<std::string, State>> out;
  for (const auto& successor : successors) {
    if (model.within_bounds(successor.state))
      out.emplace_back(model.action_label(successor.action), successor.state);
  }
  return out;
}

// The same (label, state) pairs, as multisets (State has no order).
bool same_steps(std::vector<std::pair<std::string, State>> a,
                const std::vector<std::pair<std::string, State>>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& step : b) {
    auto at = std::find(a.begin(), a.end(), step);
    if (at == a.end()) return false;
    a.erase(at);
  }
  return true;
}

void expect_agreement(Z3Raft& z3, const State& s, int servers, std::map<Property, int>* broken) {
  for (Property property : all_properties()) {
    if (property == Property::kLeaderAppendOnly) continue;
    const bool expected = cpp_holds(property, s, servers);
    EXPECT_EQ(z3.holds(property, s), expected)
        << to_string(property) << " " << RaftModel(config(servers, 3, 3, 2)).state_json(s).dump();
    if (broken && !expected) ++(*broken)[property];
  }
}

void expect_step_agreement(Z3Raft& z3, const State& from, const State& to, int servers,
                           int* broken) {
  const bool expected = cpp_holds_step(from, to, servers);
  EXPECT_EQ(z3.holds_step(from, to), expected);
  if (broken && !expected) ++*broken;
}

TEST(RaftZ3, PropertyFormulasAgreeWithTheCppPredicatesOnEveryReachableStateOfTwoServers) {
  // {servers 3, max_term 2, max_log 1, max_messages 2} has 34,058,756
  // states, too many to evaluate formulas on in a test; two servers with
  // logs of two entries exercise the log properties more, and the next
  // test samples three servers.
  const Config c = config(2, 2, 2, 2);
  auto [states, total] = reachable(c, 1);
  ASSERT_EQ(total, 15'234u);
  Z3Raft z3(2);
  const RaftModel model(c);
  for (const State& s : states) {
    expect_agreement(z3, s, 2, nullptr);
    for (const auto& [label, next] : cpp_successors(model, s))
      expect_step_agreement(z3, s, next, 2, nullptr);
  }
}

TEST(RaftZ3, PropertyFormulasAgreeOnASampleOfThreeServers) {
  // Every 100th of the 1,196,381 states of {servers 3, max_term 2,
  // max_log 1, max_messages 1}, in the checker's (deterministic) order.
  const Config c = config(3, 2, 1, 1);
  auto [states, total] = reachable(c, 100);
  ASSERT_EQ(total, 1'196'381u);
  ASSERT_EQ(states.size(), 11'964u);
  Z3Raft z3(3);
  const RaftModel model(c);
  for (const State& s : states) {
    expect_agreement(z3, s, 3, nullptr);
    for (const auto& [label, next] : cpp_successors(model, s))
      expect_step_agreement(z3, s, next, 3, nullptr);
  }
}

// A log with one entry changed; Log has no setter, so it is rebuilt.
Log with_entry(const Log& log, int index, Entry entry) {
  Log out;
  for (int k = 1; k <= log.length(); ++k) out.append(k == index ? entry : log.at(k));
  return out;
}

// A random small change to a state: any of the variables the properties
// read, each to a value that can break some property.
State mutate(State s, int servers, std::mt19937& random) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random); };
  Server& server = s.servers[pick(0, servers - 1)];
  Log& log = server.log;
  switch (pick(0, 8)) {
    case 0:
      s.history.leaders[pick(1, 3)] |= static_cast<uint8_t>(1u << pick(0, servers - 1));
      break;
    case 1:
      if (!log.empty())
        log = with_entry(log, pick(1, log.length()), {static_cast<uint8_t>(pick(1, 3)), 1});
      break;
    case 2:
      if (!log.empty())
        log = with_entry(log, pick(1, log.length()),
                         {log.at(1).term, static_cast<uint8_t>(pick(1, 2))});
      break;
    case 3:
      if (!log.full())
        log.append({static_cast<uint8_t>(pick(1, 3)), static_cast<uint8_t>(pick(1, 2))});
      break;
    case 4: log.truncate(pick(0, log.length())); break;
    case 5: server.commit_index = static_cast<uint8_t>(pick(0, log.length() + 1)); break;
    case 6:
      server.role = Role::kLeader;
      server.current_term = static_cast<uint8_t>(pick(1, 3));
      break;
    case 7:
      if (s.history.committed_length < kMaxLog) {
        s.history.committed[s.history.committed_length++] = {
            {static_cast<uint8_t>(pick(1, 3)), static_cast<uint8_t>(pick(1, 2))},
            static_cast<uint8_t>(pick(1, 3))};
      }
      break;
    case 8:
      if (s.history.committed_length > 0) {
        Commitment& c = s.history.committed[pick(0, s.history.committed_length - 1)];
        c.entry.value = static_cast<uint8_t>(pick(1, 2));
        c.term = static_cast<uint8_t>(pick(1, 3));
      }
      break;
  }
  return s;
}

// Reachable states all satisfy the properties, so agreement on them alone
// could not tell a formula from `true`. Mutations of them break each
// property many times over, and the formulas must follow.
TEST(RaftZ3, PropertyFormulasAgreeOnMutatedStatesThatBreakThem) {
  const unsigned seed = 20261123;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  for (int servers : {2, 3}) {
    // All 15,234 states of two servers with two-entry logs, and every
    // 1000th of the 1,196,381 of three servers with one-entry logs.
    auto [states, total] =
        servers == 2 ? reachable(config(2, 2, 2, 2), 1) : reachable(config(3, 2, 1, 1), 1000);
    Z3Raft z3(servers);
    std::map<Property, int> broken;
    int append_only_broken = 0;
    for (const State& s : states) {
      State mutated = s;
      for (int round = 0; round < 3; ++round) {
        mutated = mutate(mutated, servers, random);
        expect_agreement(z3, mutated, servers, &broken);
      }
      // A leader of the same term in both states, with a changed log.
      State from = mutated;
      const int leader = std::uniform_int_distribution<int>(0, servers - 1)(random);
      from.servers[leader].role = Role::kLeader;
      State to = mutate(from, servers, random);
      to.servers[leader].role = Role::kLeader;
      to.servers[leader].current_term = from.servers[leader].current_term;
      expect_step_agreement(z3, from, to, servers, &append_only_broken);
    }
    SCOPED_TRACE(std::to_string(servers) + " servers, " + std::to_string(states.size()) +
                 " states");
    for (Property property : all_properties()) {
      if (property == Property::kLeaderAppendOnly) continue;
      EXPECT_GT(broken[property], 20) << to_string(property);
    }
    EXPECT_GT(append_only_broken, 20);
  }
}

TEST(RaftZ3, StatesOutsideTheEncodingAreRejected) {
  State beyond;
  beyond.history.leaders[1] = 1u << 3;  // a fourth server led term 1
  Z3Raft z3(3);
  EXPECT_THROW(z3.holds(Property::kElectionSafety, beyond), std::invalid_argument);
  EXPECT_THROW(z3.holds(Property::kLeaderAppendOnly, State{}), std::invalid_argument);
  EXPECT_THROW(Z3Raft(0), std::invalid_argument);
  Z3RaftElection election({});
  State with_entry;
  with_entry.servers[0].log.append({1, 1});
  EXPECT_THROW(election.successors(with_entry), std::invalid_argument);
  State late;
  late.servers[0].current_term = 4;  // max_term is 3
  EXPECT_THROW(election.successors(late), std::invalid_argument);
  EXPECT_THROW(bmc_election_safety({}, -1), std::invalid_argument);
}

// The Z3 Next relation is the one BMC and the induction proof use; the C++
// successors are what the checker explores. On the election fragment
// (max_log 0) they must be the same relation: the same actions enabled,
// with the same successors, stutters included.
TEST(RaftZ3, ElectionRelationAgreesWithTheCppSuccessorsOnEveryReachableStateOfTwoServers) {
  ElectionBounds bounds{
      .servers = 2, .max_term = 2, .max_restarts = 1, .max_copies = 1, .max_messages = 2};
  const RaftModel model(election_config(bounds));
  auto [states, total] = reachable(election_config(bounds), 1);
  ASSERT_EQ(total, 9'839u);
  Z3RaftElection z3(bounds);
  for (const State& s : states) {
    const auto expected = cpp_successors(model, s);
    EXPECT_TRUE(same_steps(z3.successors(s), expected)) << model.state_json(s).dump();
  }
}

TEST(RaftZ3, ElectionRelationAgreesOnASampleOfThreeServers) {
  // Every 50th of the states of {servers 3, max_term 2, max_log 0,
  // max_messages 1}, in the checker's order.
  ElectionBounds bounds{
      .servers = 3, .max_term = 2, .max_restarts = 0, .max_copies = 1, .max_messages = 1};
  const RaftModel model(election_config(bounds));
  auto [states, total] = reachable(election_config(bounds), 50);
  ASSERT_EQ(total, 268'430u);
  Z3RaftElection z3(bounds);
  int steps = 0;
  for (const State& s : states) {
    const auto expected = cpp_successors(model, s);
    const auto actual = z3.successors(s);
    EXPECT_TRUE(same_steps(actual, expected)) << model.state_json(s).dump();
    // The disjunct form of one step agrees with the instances' successors.
    if (&s - states.data() < 200) {
      for (const auto& [label, next] : expected) {
        EXPECT_TRUE(z3.holds_step(s, label, next)) << label;
        ++steps;
      }
    }
  }
  EXPECT_GT(steps, 0);
}

TEST(RaftZ3, BoundedModelCheckingFindsNoElectionSafetyViolationInTheSpec) {
  ElectionBounds bounds{
      .servers = 3, .max_term = 2, .max_restarts = 0, .max_copies = 1, .max_messages = 2};
  const BmcResult result = bmc_election_safety(bounds, 8);
  EXPECT_FALSE(result.violated);
  EXPECT_EQ(result.depth, 8);
  EXPECT_TRUE(result.trace.empty());
}

// The weakened spec grants a vote without looking at votedFor; BMC must
// find two leaders of one term, and the trace must be a behaviour of it.
TEST(RaftZ3, BoundedModelCheckingFindsTheTraceInAWeakenedSpec) {
  ElectionBounds bounds{.servers = 3,
                        .max_term = 2,
                        .max_restarts = 0,
                        .max_copies = 1,
                        .max_messages = 2,
                        .buggy = true};
  // Each of two candidates needs its own vote and a second one, with a
  // request and a response per vote: 16 steps at least.
  const BmcResult result = bmc_election_safety(bounds, 16);
  ASSERT_TRUE(result.violated);
  const RaftModel model(election_config(bounds));
  std::string text;
  for (const TraceStep& step : result.trace)
    text += step.label + "\n  " + model.state_json(step.state).dump() + "\n";
  SCOPED_TRACE(text);
  EXPECT_LE(result.depth, 16);
  ASSERT_EQ(static_cast<int>(result.trace.size()), result.depth + 1);
  EXPECT_EQ(result.trace[0].state, State{});
  EXPECT_FALSE(election_safety(result.trace.back().state, 3));
  for (size_t step = 0; step + 1 < result.trace.size(); ++step) {
    EXPECT_TRUE(election_safety(result.trace[step].state, 3)) << step;
  }
  // Every step is a step of the weakened relation. Replayed through the
  // real spec, the steps agree up to the vote the spec refuses: that step
  // is a HandleRequestVoteRequest whose real successor differs.
  Z3RaftElection weakened(bounds);
  for (size_t step = 1; step < result.trace.size(); ++step) {
    EXPECT_TRUE(weakened.holds_step(result.trace[step - 1].state, result.trace[step].label,
                                    result.trace[step].state))
        << step;
  }
  const int stuck = first_unreplayable_step(model, result.trace);
  ASSERT_GT(stuck, 0);
  EXPECT_EQ(result.trace[stuck].action.kind, Action::Kind::kHandleRequestVoteRequest);
  const std::vector<TraceStep> prefix(result.trace.begin(), result.trace.begin() + stuck);
  EXPECT_EQ(first_unreplayable_step(model, prefix), -1);
  const State& voter = result.trace[stuck - 1].state;
  const Server& before = voter.servers[result.trace[stuck].action.server];
  EXPECT_NE(before.voted_for, kNil);
  EXPECT_NE(before.voted_for, result.trace[stuck].action.message.source);
}

TEST(RaftZ3, AReplayedTraceMustBeStepsOfTheModel) {
  // A trace whose second state skips a step is caught at that step.
  const RaftModel model(election_config({}));
  State candidate;
  candidate.servers[0].role = Role::kCandidate;
  candidate.servers[0].current_term = 2;
  std::vector<TraceStep> trace{{{}, "", State{}},
                               {{Action::Kind::kTimeout, 0}, "Timeout(s1)", candidate}};
  EXPECT_EQ(first_unreplayable_step(model, trace), -1);
  trace[1].state.servers[0].current_term = 3;
  EXPECT_EQ(first_unreplayable_step(model, trace), 1);
  trace[1].state = candidate;
  trace[1].label = "Timeout(s2)";
  EXPECT_EQ(first_unreplayable_step(model, trace), 1);
}

ElectionBounds induction_bounds() {
  // No limit on messages or restarts: the proof covers any number of them.
  // Terms up to 2 keep the test quick; `crosscheck prove raft` proves it
  // for max_term 3 (about a minute).
  return {.servers = 3, .max_term = 2, .max_restarts = -1, .max_copies = 0, .max_messages = 0};
}

TEST(RaftZ3, TheStrengthenedElectionSafetyIsInductive) {
  for (int servers = 1; servers <= 3; ++servers) {
    ElectionBounds bounds = induction_bounds();
    bounds.servers = servers;
    const ElectionInductionResult result = check_election_inductive(bounds, kAllElectionConjuncts);
    EXPECT_TRUE(result.proved) << servers << " servers: " << result.description;
  }
}

// Init => Inv and Inv /\ Next => Inv' make Inv true of every reachable
// state; evaluating it on them checks the proof's premises independently.
TEST(RaftZ3, TheStrengthenedInvariantHoldsOnReachableStates) {
  ElectionBounds bounds{
      .servers = 3, .max_term = 2, .max_restarts = 0, .max_copies = 1, .max_messages = 1};
  auto [states, total] = reachable(election_config(bounds), 50);
  ASSERT_EQ(total, 268'430u);
  Z3RaftElection z3(bounds);
  for (const State& s : states) {
    EXPECT_TRUE(z3.holds_invariant(s, kAllElectionConjuncts))
        << RaftModel(election_config(bounds)).state_json(s).dump();
  }
}

void expect_real_counterexample(const ElectionInductionResult& result, const ElectionBounds& bounds,
                                uint32_t conjuncts) {
  EXPECT_EQ(result.obligation, "Inv /\\ Next => Inv'");
  EXPECT_FALSE(result.violated.empty());
  // The step is a step of the spec, by the C++ model ...
  const RaftModel model(election_config(bounds));
  std::vector<mc::Successor<Action, State>> successors;
  model.successors(result.before, successors);
  EXPECT_TRUE(std::any_of(successors.begin(), successors.end(), [&](const auto& successor) {
    return successor.state == result.after && model.action_label(successor.action) == result.action;
  }));
  // ... from a state that satisfies Inv, to one that does not.
  Z3RaftElection z3(bounds);
  EXPECT_TRUE(z3.holds_invariant(result.before, conjuncts));
  EXPECT_FALSE(z3.holds_invariant(result.after, conjuncts));
  EXPECT_TRUE(election_safety(result.before, bounds.servers));
}

TEST(RaftZ3, WithoutTheStrengtheningZ3ReturnsACounterexampleToInduction) {
  const ElectionInductionResult result = check_election_inductive(induction_bounds(), 0);
  ASSERT_FALSE(result.proved);
  SCOPED_TRACE(result.description);
  expect_real_counterexample(result, induction_bounds(), 0);
  EXPECT_EQ(result.violated, std::vector<std::string>{"ElectionSafety"});
  EXPECT_FALSE(election_safety(result.after, 3));
}

// Each conjunct is needed: without any one of them, Z3 finds a
// counterexample to induction for 3 servers.
TEST(RaftZ3, EveryConjunctOfTheStrengtheningIsNeeded) {
  ASSERT_EQ(election_strengthening().size(), 4u);
  for (size_t i = 0; i < election_strengthening().size(); ++i) {
    SCOPED_TRACE(election_strengthening()[i]);
    const uint32_t conjuncts = kAllElectionConjuncts & ~(1u << i);
    const ElectionInductionResult result = check_election_inductive(induction_bounds(), conjuncts);
    ASSERT_FALSE(result.proved);
    SCOPED_TRACE(result.description);
    expect_real_counterexample(result, induction_bounds(), conjuncts);
  }
}

}  // namespace
}  // namespace crosscheck::spec::raft
