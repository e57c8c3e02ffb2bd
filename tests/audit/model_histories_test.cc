// Client histories the project's own Multi-Paxos model produces, written
// out as Jepsen EDN and audited: the audit must agree with the checker the
// model uses on every history of seeded random walks, over the correct
// protocol and over the leader-local-read variant, whose stale reads make
// some histories not linearizable. The seed is printed; AUDIT_SEED=N
// reruns with another.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <random>

#include "audit/audit.h"
#include "check/multipaxos/model.h"
#include "model_check/search.h"

namespace crosscheck::audit {
namespace {

namespace mp = crosscheck::check::multipaxos;
namespace implmp = crosscheck::impl::multipaxos;
using KvHistory = mc::lin::History<mc::lin::KvSpec>;

mp::ImplModel model_of(implmp::Variant variant) {
  implmp::Config config;
  config.replicas = 3;
  config.clients = 2;
  config.requests = 1;
  config.keys = 1;
  config.slots = 2;
  config.max_ballot = 1;
  config.retries = 0;
  config.variant = variant;
  mp::ImplBounds bounds;
  bounds.check_refinement = false;
  mc::FaultBudgets budgets;
  return mp::make_impl_model(config, bounds, budgets);
}

// A get answers nil when the key is absent: a cas-register per :key.
std::string edn_of(const KvHistory& history) {
  std::map<mc::lin::Time, std::string> lines;
  for (const auto& op : history) {
    const bool get = op.input.kind == mc::lin::KvSpec::Kind::kGet;
    const std::string head = "{:process " + std::to_string(op.client) + ", :key " +
                             std::to_string(op.input.key) + ", :f " + (get ? ":read" : ":write") +
                             ", ";
    const std::string value = get ? "nil" : std::to_string(op.input.value);
    lines[op.invoked] = head + ":type :invoke, :value " + value + "}";
    if (op.pending()) continue;
    const std::string answer =
        get ? (op.output.value ? std::to_string(*op.output.value) : "nil") : value;
    lines[*op.returned] = head + ":type :ok, :value " + answer + "}";
  }
  std::string text;
  for (const auto& [time, line] : lines) text += line + "\n";
  return text;
}

struct Tally {
  int linearizable = 0;
  int not_linearizable = 0;
};

// Audits the history of `state` when it has a response in it, and checks
// the verdict against the model's own checker. False: not linearizable.
bool audit_agrees(const mp::ImplState& state, Tally& tally, const std::string& where) {
  const KvHistory history = mp::client_history(state.history);
  bool any_response = false;
  for (const auto& op : history) any_response = any_response || !op.pending();
  if (!any_response) return true;
  const std::string text = edn_of(history);
  AuditOptions options;
  options.model = "cas-register";
  const AuditResult audited =
      audit(pair_events("walk.edn", read_edn_history("walk.edn", text)), options);
  const bool expected = mc::lin::check(history).verdict == mc::lin::Verdict::kLinearizable;
  EXPECT_EQ(audited.verdict, expected ? Verdict::kLinearizable : Verdict::kNotLinearizable)
      << where << ":\n"
      << text;
  (expected ? tally.linearizable : tally.not_linearizable)++;
  return expected;
}

// Walks from `start`, at each step a random successor, auditing every new
// history with a response in it; a walk ends at its first violation.
void walk_and_audit(const mp::ImplModel& model, const mp::ImplState& start, std::mt19937_64& random,
                    int walks, int depth, Tally& tally) {
  std::vector<mc::Successor<mp::ImplAction, mp::ImplState>> next;
  for (int walk = 0; walk < walks; ++walk) {
    mp::ImplState state = start;
    size_t audited_events = state.history.client_events.size();
    for (int step = 0; step < depth; ++step) {
      next.clear();
      model.successors(state, next);
      if (next.empty()) break;
      state =
          std::move(next[std::uniform_int_distribution<size_t>(0, next.size() - 1)(random)].state);
      const size_t events = state.history.client_events.size();
      if (events == audited_events) continue;
      audited_events = events;
      if (!audit_agrees(state, tally,
                        "walk " + std::to_string(walk) + " step " + std::to_string(step)))
        break;
    }
  }
}

// The states along the shortest counterexample the checker finds.
std::vector<mp::ImplState> counterexample_states(const mp::ImplModel& model) {
  const mc::CheckResult result = mc::check(model, mc::SearchOptions{});
  EXPECT_EQ(result.outcome, mc::Outcome::kViolation);
  std::vector<mp::ImplState> states = {model.initial_states().front()};
  std::vector<mc::Successor<mp::ImplAction, mp::ImplState>> next;
  for (size_t i = 1; i < result.trace.size(); ++i) {
    next.clear();
    model.successors(states.back(), next);
    for (auto& successor : next) {
      if (model.action_label(successor.action) != result.trace[i].action) continue;
      states.push_back(std::move(successor.state));
      break;
    }
    EXPECT_EQ(states.size(), i + 1)
        << "step " << i << " is no successor: " << result.trace[i].action;
  }
  return states;
}

uint64_t seed() {
  const char* given = std::getenv("AUDIT_SEED");
  const uint64_t s = given ? std::strtoull(given, nullptr, 10) : 20261206;
  std::cerr << "seed " << s << " (AUDIT_SEED=" << s << " reruns it)\n";
  return s;
}

TEST(MultiPaxosHistories, TheAuditAgreesWithTheModelsCheckerOnTheCorrectProtocol) {
  const mp::ImplModel model = model_of(implmp::Variant::kCorrect);
  std::mt19937_64 random(seed());
  Tally tally;
  walk_and_audit(model, model.initial_states().front(), random, 2000, 60, tally);
  std::cerr << tally.linearizable << " linearizable, " << tally.not_linearizable << " not\n";
  EXPECT_GT(tally.linearizable, 100);
  EXPECT_EQ(tally.not_linearizable, 0);
}

// The checker's shortest counterexample (a stale read from the old leader,
// 14 steps) ends in a history the audit must reject; walks from each state
// along it reach more histories on either side of the line.
TEST(MultiPaxosHistories, TheAuditAgreesOnTheLeaderLocalReadVariantsStaleReads) {
  const mp::ImplModel model = model_of(implmp::Variant::kLeaderLocalRead);
  const std::vector<mp::ImplState> trace = counterexample_states(model);
  ASSERT_EQ(trace.size(), 15u);
  Tally tally;
  EXPECT_FALSE(audit_agrees(trace.back(), tally, "the counterexample"));
  std::mt19937_64 random(seed());
  for (const mp::ImplState& state : trace) walk_and_audit(model, state, random, 100, 40, tally);
  std::cerr << tally.linearizable << " linearizable, " << tally.not_linearizable << " not\n";
  EXPECT_GT(tally.linearizable, 100);
  EXPECT_GT(tally.not_linearizable, 0)
      << "no walk reached a stale read: the comparison proves less";
}

}  // namespace
}  // namespace crosscheck::audit
