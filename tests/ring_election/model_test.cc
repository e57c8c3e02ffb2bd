// The ring's nodes explored exhaustively in the actor harness: the correct
// algorithm keeps every property, with its state counts pinned and
// derived a second time by a plain enumeration of the paper's rules; each
// known-buggy variant is caught, with its shortest counterexample pinned.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "check/ring_election/model.h"
#include "model_check/liveness.h"
#include "model_check/search.h"

namespace crosscheck::check::ring_election {
namespace {

using ring::Variant;

mc::FaultBudgets faults(int drops, int duplicates, int copies) {
  mc::FaultBudgets budgets;
  budgets.max_drops = drops;
  budgets.max_duplicates = duplicates;
  budgets.max_copies = copies;
  return budgets;
}

RingModel ring_model(int nodes, Variant variant, mc::FaultBudgets budgets) {
  ring::Config config;
  config.nodes = nodes;
  config.variant = variant;
  return make_ring_model(config, budgets);
}

mc::CheckResult check_ring(int nodes, Variant variant, mc::FaultBudgets budgets) {
  return mc::check(ring_model(nodes, variant, budgets));
}

void expect_ok_with_goal(const mc::CheckResult& result) {
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  ASSERT_EQ(result.goals.size(), 1u);
  EXPECT_TRUE(result.goals[0].reached) << result.goals[0].name;
}

// A second statement of the algorithm from the paper's rules alone,
// without impl/ or the harness: a node is (participant, leader), node k
// holds id N - k, and the network is a multiset of (sender, elected?, id),
// each to the sender's successor. It takes the harness's steps (start,
// deliver, deliver a duplicate within the budget), drops successors with
// more copies of a message than allowed, and counts distinct and generated
// states the way the checker does.
class RingReference {
 public:
  RingReference(int nodes, int max_duplicates, int max_copies)
      : nodes_(nodes), max_duplicates_(max_duplicates), max_copies_(max_copies) {}

  // (distinct, generated) states reachable from the initial one.
  std::pair<uint64_t, uint64_t> count() const {
    State initial;
    initial.nodes.assign(nodes_, {false, 0});
    std::set<State> seen = {initial};
    std::vector<State> frontier = {initial};
    uint64_t generated = 1;
    while (!frontier.empty()) {
      std::vector<State> next_frontier;
      for (const State& state : frontier) {
        for (State& next : successors(state)) {
          ++generated;
          if (within_copies(next) && seen.insert(next).second) next_frontier.push_back(next);
        }
      }
      frontier = std::move(next_frontier);
    }
    return {seen.size(), generated};
  }

 private:
  using Packet = std::tuple<int, bool, int>;  // sender, elected?, id
  struct State {
    std::vector<std::pair<bool, int>> nodes;  // participant, leader (0: none)
    std::map<Packet, int> network;            // copies in flight
    int duplicates = 0;
    bool operator<(const State& other) const {
      return std::tie(nodes, network, duplicates) <
             std::tie(other.nodes, other.network, other.duplicates);
    }
  };

  static void send(State& state, int node, bool elected, int id) {
    ++state.network[{node, elected, id}];
  }

  void receive(State& state, int node, bool elected, int id) const {
    auto& [participant, leader] = state.nodes[node];
    const int own = nodes_ - node;
    if (elected) {
      if (id != own && leader == 0) {
        leader = id;
        send(state, node, true, id);
      }
    } else if (id == own) {
      if (leader == 0) {
        leader = own;
        send(state, node, true, own);
      }
    } else if (id > own || !participant) {
      participant = true;
      send(state, node, false, std::max(id, own));
    }
  }

  std::vector<State> successors(const State& state) const {
    std::vector<State> out;
    for (const auto& [packet, copies] : state.network) {
      const auto [sender, elected, id] = packet;
      const int receiver = (sender + 1) % nodes_;
      State delivered = state;
      if (--delivered.network[packet] == 0) delivered.network.erase(packet);
      receive(delivered, receiver, elected, id);
      out.push_back(std::move(delivered));
      if (state.duplicates < max_duplicates_) {
        State duplicated = state;
        ++duplicated.duplicates;
        receive(duplicated, receiver, elected, id);
        out.push_back(std::move(duplicated));
      }
    }
    for (int node = 0; node < nodes_; ++node) {
      if (state.nodes[node].first) continue;
      State started = state;
      started.nodes[node].first = true;
      send(started, node, false, nodes_ - node);
      out.push_back(std::move(started));
    }
    return out;
  }

  bool within_copies(const State& state) const {
    return std::all_of(state.network.begin(), state.network.end(),
                       [&](const auto& entry) { return entry.second <= max_copies_; });
  }

  int nodes_;
  int max_duplicates_;
  int max_copies_;
};

TEST(RingReference, CountsTheSameStatesAsTheHarness) {
  for (int nodes = 2; nodes <= 4; ++nodes) {
    for (const auto& [duplicates, copies] : {std::pair{0, 1}, {1, 1}, {1, 2}, {2, 2}}) {
      const mc::CheckResult result =
          check_ring(nodes, Variant::kCorrect, faults(0, duplicates, copies));
      const auto [distinct, generated] = RingReference(nodes, duplicates, copies).count();
      EXPECT_EQ(result.stats.distinct_states, distinct)
          << nodes << " nodes, " << duplicates << " duplicates, " << copies << " copies";
      EXPECT_EQ(result.stats.total_states, generated)
          << nodes << " nodes, " << duplicates << " duplicates, " << copies << " copies";
    }
  }
}

// The counts come from the runs, and RingReference below reaches the same
// numbers from the paper's rules alone. Without faults the network holds
// only what the nodes sent. Of the 54 states on three nodes, 12 are the
// finished election (every node knows n1's id 3) and differ only in what
// is still in flight: the announcement on its way back to n1, and the
// candidacies of ids 1 and 2, which n1 will swallow. The depth (TLC's,
// states on the longest shortest path) is that of one of them: every node
// started on its own and both smaller candidacies are still travelling,
// 10 steps from the initial state.
TEST(RingElection, ThreeAndFourNodesWithoutFaultsAreSafeAndCountsArePinned) {
  mc::CheckResult three = check_ring(3, Variant::kCorrect, faults(0, 0, 1));
  expect_ok_with_goal(three);
  EXPECT_EQ(three.stats.distinct_states, 54u);
  EXPECT_EQ(three.stats.total_states, 119u);
  EXPECT_EQ(three.stats.depth, 11);

  mc::CheckResult four = check_ring(4, Variant::kCorrect, faults(0, 0, 1));
  expect_ok_with_goal(four);
  EXPECT_EQ(four.stats.distinct_states, 272u);
  EXPECT_EQ(four.stats.total_states, 801u);
  EXPECT_EQ(four.stats.depth, 16);
}

// The command line's defaults: one duplicate, two copies of a message in
// flight. A duplicate makes a node forward a candidacy or an announcement
// twice, so two copies can share a link; three copies allowed give the
// same counts, so two lose nothing. A drop adds no state of the nodes (a
// lost message is one never delivered), so the default allows none.
TEST(RingElection, ThreeAndFourNodesWithADuplicateAreSafeAndCountsArePinned) {
  mc::CheckResult three = check_ring(3, Variant::kCorrect, faults(0, 1, 2));
  expect_ok_with_goal(three);
  EXPECT_EQ(three.stats.distinct_states, 266u);
  EXPECT_EQ(three.stats.total_states, 790u);
  EXPECT_EQ(three.stats.depth, 12);

  mc::CheckResult four = check_ring(4, Variant::kCorrect, faults(0, 1, 2));
  expect_ok_with_goal(four);
  EXPECT_EQ(four.stats.distinct_states, 1928u);
  EXPECT_EQ(four.stats.total_states, 7405u);
  EXPECT_EQ(four.stats.depth, 17);
  EXPECT_EQ(check_ring(4, Variant::kCorrect, faults(0, 1, 3)).stats.distinct_states, 1928u);
}

TEST(RingElection, TwoAndFiveNodesWithADropAndADuplicateAreSafe) {
  expect_ok_with_goal(check_ring(2, Variant::kCorrect, faults(1, 1, 2)));
  expect_ok_with_goal(check_ring(5, Variant::kCorrect, faults(1, 1, 2)));
}

// forward-all: n2 (id 3) starts; every node forwards Candidate(3), n1's
// larger id notwithstanding, and it comes back to n2, which declares
// itself: input, then four deliveries round the ring of four.
TEST(RingElectionForwardAll, IsCaughtWithItsShortestCounterexample) {
  mc::CheckResult result = check_ring(4, Variant::kForwardAll, faults(0, 1, 2));
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "LeaderIsMaximum");
  ASSERT_EQ(result.trace.size(), 6u);
  EXPECT_EQ(result.trace[1].action, "Input n2 StartElection");
  EXPECT_EQ(result.trace[5].action, "Deliver Candidate(3) n1->n2");
}

// The model with AtMostOneLeader as its only property, so that a search
// stops at two leaders rather than at the first wrong one.
class AtMostOneLeaderOnly : public RingModel {
 public:
  using RingModel::RingModel;
  std::vector<mc::StateProperty<RingState>> properties() const {
    return {mc::always<RingState>("AtMostOneLeader", at_most_one_leader)};
  }
};

// The same bug also elects two leaders: n1 (id 3) and n3 (id 1) both
// start, both candidacies go round the ring of three, and each node
// declares itself before the other's announcement reaches it: two
// inputs, then three deliveries of each candidacy, 8 steps.
TEST(RingElectionForwardAll, AlsoElectsTwoLeaders) {
  ring::Config config;
  config.nodes = 3;
  config.variant = Variant::kForwardAll;
  mc::CheckResult result = mc::check(AtMostOneLeaderOnly(RingBinding(config), faults(0, 0, 1)));
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "AtMostOneLeader");
  ASSERT_EQ(result.trace.size(), 9u);
  EXPECT_EQ(result.trace[1].action, "Input n1 StartElection");
  EXPECT_EQ(result.trace[7].action, "Deliver Candidate(1) n2->n3");
  EXPECT_EQ(result.trace[8].action, "Deliver Candidate(3) n3->n1");
}

// swallow-silently keeps every safety property, and is a liveness bug: n2
// starts, and n1, not yet running, swallows Candidate(3) without running
// itself; nothing is left in flight and no one is leader.
TEST(RingElectionSwallowSilently, IsSafeButAnElectionCanDieOut) {
  const RingModel model = ring_model(4, Variant::kSwallowSilently, faults(0, 0, 1));
  EXPECT_EQ(mc::check(model).outcome, mc::Outcome::kOk);
  mc::CheckResult live = mc::check_liveness(model);
  ASSERT_EQ(live.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(live.property, "StartedElectionEnds");
  ASSERT_EQ(live.trace.size(), 5u);
  EXPECT_EQ(live.trace[1].action, "Input n2 StartElection");
  EXPECT_EQ(live.trace[4].action, "Deliver Candidate(3) n4->n1");
}

// Under weak fairness of delivery an election, once started, ends with
// every node knowing the leader; a duplicate does not change that, a drop
// does (the one candidacy in flight is lost).
TEST(RingElectionLiveness, AStartedElectionEndsUnlessAMessageIsLost) {
  for (int nodes = 2; nodes <= 4; ++nodes) {
    mc::CheckResult live =
        mc::check_liveness(ring_model(nodes, Variant::kCorrect, faults(0, 1, 2)));
    EXPECT_EQ(live.outcome, mc::Outcome::kOk) << nodes << " nodes: " << live.property;
  }
  mc::CheckResult lossy = mc::check_liveness(ring_model(3, Variant::kCorrect, faults(1, 0, 1)));
  ASSERT_EQ(lossy.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(lossy.property, "StartedElectionEnds");
  ASSERT_EQ(lossy.trace.size(), 3u);
  EXPECT_EQ(lossy.trace[2].action, "Drop Candidate(3) n1->n2");
}

}  // namespace
}  // namespace crosscheck::check::ring_election
