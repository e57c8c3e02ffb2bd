// RapidCheck properties over long random schedules of a five-server
// cluster in the actor harness (model_check/actor_system.h): message
// deliveries, election and heartbeat timeouts, client requests, drops,
// duplicates, partitions and restarts, each a step the checker takes, with
// the safety properties checked after every step. RapidCheck prints its seed
// ("Using configuration: seed=..."); RC_PARAMS="seed=N" reruns exactly
// that test.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "check/raft/model.h"
#include "impl/common/assert.h"
#include "model_check/actor_system.h"
#include "tests/common/shrink.h"

namespace crosscheck::check::raft {
namespace {

using implraft::Timer;
using implraft::Variant;
using Cluster = mc::ActorSystem<ImplBinding>;

constexpr int kServers = 5;

Cluster make_cluster(Variant variant) {
  ImplBounds bounds;
  bounds.values = 3;  // client requests write 1..3
  return Cluster(ImplBinding(implraft::Config{kServers, variant}, bounds));
}

std::vector<NodeId> leaders(const Cluster& cluster) {
  std::vector<NodeId> result;
  for (const auto& node : cluster.nodes()) {
    if (node.role() == implraft::Role::kLeader) result.push_back(node.id());
  }
  return result;
}

struct RaftRun {
  bool violated = false;
  std::string property;
  std::vector<std::string> steps;
};

// One scheduling decision: what kind of event, and which message, node or
// value it applies to (taken modulo what is available).
struct Choice {
  unsigned kind;
  unsigned which;
};

// Up to about 400 choices: an election in five servers alone takes a
// timeout and eight deliveries, and a bug shows after two or three.
rc::Gen<std::vector<Choice>> schedules() {
  return rc::gen::scale(
      4.0, rc::gen::container<std::vector<Choice>>(rc::gen::construct<Choice>(
               rc::gen::inRange<unsigned>(0, 12), rc::gen::inRange<unsigned>(0, 1u << 16))));
}

std::string name(NodeId id) { return "s" + std::to_string(id + 1); }

// The oldest message in flight on the link `which` names, or on the next
// link (in a fixed cyclic order) that has one. Naming a link rather than a
// position in the flight keeps the meaning of later choices when shrinking
// removes an earlier one.
std::optional<size_t> on_link(const Cluster& cluster, unsigned which) {
  const auto& flight = cluster.in_flight();
  constexpr unsigned kLinks = kServers * kServers;
  for (unsigned k = 0; k < kLinks; ++k) {
    const unsigned link = (which + k) % kLinks;
    const NodeId from = static_cast<NodeId>(link % kServers);
    const NodeId to = static_cast<NodeId>(link / kServers);
    for (size_t i = 0; i < flight.size(); ++i) {
      if (flight[i].from == from && flight[i].to == to) return i;
    }
  }
  return std::nullopt;
}

std::string label(const Cluster::Envelope& e) {
  return e.message.label() + " " + name(e.from) + "->" + name(e.to);
}

// Takes one step of the schedule; returns its description, or "" when the
// chosen event is not possible now (the step is skipped).
std::string take(Cluster& cluster, const Choice& c) {
  const NodeId node = static_cast<NodeId>(c.which % kServers);
  switch (c.kind) {
    case 0:
    case 1:
    case 2:
    case 3: {  // deliveries are the most common event
      const auto i = on_link(cluster, c.which);
      if (!i) return "";
      const Cluster::Envelope e = cluster.in_flight()[*i];
      std::string text = "deliver " + label(e);
      if (!cluster.connected(e.from, e.to)) text += " (lost: partitioned)";
      cluster.deliver(*i);
      return text;
    }
    case 4:  // armed unless the node leads
      if (!cluster.fire(node, Timer::kElection)) return "";
      return name(node) + " election timeout";
    case 5: {
      const auto leading = leaders(cluster);
      if (leading.empty()) return "";
      const NodeId leader = leading[c.which % leading.size()];
      CC_ASSERT(cluster.fire(leader, Timer::kHeartbeat));
      return name(leader) + " heartbeat";
    }
    case 6: {
      const auto leading = leaders(cluster);
      if (leading.empty()) return "";
      const NodeId leader = leading[c.which % leading.size()];
      if (cluster.node(leader).log().size() >= 6) return "";
      const auto value = static_cast<uint8_t>(1 + c.which / kServers % 3);
      CC_ASSERT(cluster.input(leader, ClientRequest{value}));
      return name(leader) + " client request " + std::to_string(value);
    }
    case 7: {
      const auto i = on_link(cluster, c.which);
      if (!i) return "";
      std::string text = "drop " + label(cluster.in_flight()[*i]);
      cluster.drop(*i);
      return text;
    }
    case 8: {  // the checker's Duplicate: one copy delivered, one left in flight
      const auto i = on_link(cluster, c.which);
      if (!i || cluster.in_flight().size() >= 40) return "";
      const Cluster::Envelope e = cluster.in_flight()[*i];
      std::string text = "deliver a duplicate of " + label(e);
      if (!cluster.duplicate(*i)) text += " (lost: partitioned)";
      return text;
    }
    case 9: cluster.crash(node); return name(node) + " crashes and restarts";
    case 10: cluster.isolate(node); return "partition " + name(node) + " from the rest";
    default: cluster.heal(); return "heal the network";
  }
}

RaftRun run_schedule(Variant variant, const std::vector<Choice>& schedule) {
  Cluster cluster = make_cluster(variant);
  RaftRun run;
  for (const Choice& choice : schedule) {
    std::string step = take(cluster, choice);
    if (step.empty()) continue;
    run.steps.push_back(std::move(step));
    run.property = first_broken_invariant(cluster.state());
    if (!run.property.empty()) {
      run.violated = true;
      break;
    }
  }
  return run;
}

std::string describe(const RaftRun& run) {
  std::ostringstream out;
  for (size_t i = 0; i < run.steps.size(); ++i)
    out << "  " << i + 1 << ". " << run.steps[i] << "\n";
  return out.str();
}

RC_GTEST_PROP(RaftSchedules, EveryScheduleKeepsTheSafetyProperties, ()) {
  const auto schedule = *schedules();
  RaftRun run = run_schedule(Variant::kCorrect, schedule);
  RC_CLASSIFY(run.steps.size() >= 50, "50+ steps");
  if (!run.violated) RC_CLASSIFY(true, "no violation");
  RC_ASSERT(run.property == "");
}

// A vote lost in a restart shows in about one random schedule in a few
// hundred. The other variants need rarer coincidences (two candidates of
// one term with a heartbeat between the votes; a commit and then a leader
// with a shorter log): a random schedule finds them too seldom for a test
// that must not be flaky, and they are left to the exhaustive search
// (impl_model_test).
struct ShrinkCase {
  const char* name;
  Variant variant;
  int tests;  // at most; a run stops at the first failure
};

class RaftShrinking : public ::testing::TestWithParam<ShrinkCase> {};

TEST_P(RaftShrinking, FindsTheBugAndShrinksTheScheduleToAFewSteps) {
  const ShrinkCase& c = GetParam();
  auto failure = crosscheck::testing::shrink_failure<RaftRun>(
      std::string("raft-") + c.name, c.tests,
      [&] { return run_schedule(c.variant, *schedules()); });
  ASSERT_TRUE(failure.found) << "no generated schedule broke " << c.name;
  std::cerr << "shrunk schedule breaking " << failure.run.property << ":\n"
            << describe(failure.run);
  // Two leaders of one term in five servers take at least 11 steps: for
  // each, a timeout and two requests and two grants delivered (its own vote
  // is the third), and a restart of a server that votes for both.
  EXPECT_GE(failure.run.steps.size(), 11u);
  // Shrinking must have removed the noise of the long random schedule
  // around them (observed: 11 to 19 steps over 40 seeds).
  EXPECT_LE(failure.run.steps.size(), 30u) << describe(failure.run);
}

INSTANTIATE_TEST_SUITE_P(
    Variants, RaftShrinking,
    ::testing::Values(ShrinkCase{"volatile_term", Variant::kVolatileTerm, 50000}),
    [](const ::testing::TestParamInfo<ShrinkCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace crosscheck::check::raft
