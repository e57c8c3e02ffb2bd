// The actor harness's policies on toy bindings: what each network policy
// lets arrive in which order, what a partition loses, and that with clocks
// a running node has always seen its clock's reading.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model_check/actor.h"
#include "model_check/search.h"

namespace crosscheck::mc {
namespace {

struct Value {
  uint8_t value = 0;
  auto operator<=>(const Value&) const = default;
  void hash(StableHasher& hasher) const { hasher.add(uint64_t{value}); }
  std::string label() const { return "V" + std::to_string(value); }
};

enum class Timer : uint8_t { kNone };
std::string_view to_string(Timer) { return "none"; }

struct Send {
  bool operator==(const Send&) const = default;
  std::string label() const { return "send"; }
};

struct Peer {
  uint8_t sent = 0;               // the sender: values sent so far
  std::vector<uint8_t> received;  // the receiver: values in the order they arrived
  uint8_t seen = 0;               // with clocks: the last reading on_tick gave
  bool operator==(const Peer&) const = default;
  void hash(StableHasher& hasher) const {
    hasher.add(uint64_t{sent} | uint64_t{seen} << 8);
    for (uint8_t v : received) hasher.add(uint64_t{v});
  }
};

// Node 0 sends `values` to node 1, one per input, in order.
class Relay {
 public:
  using Node = Peer;
  using Message = Value;
  using Timer = mc::Timer;
  using Input = Send;
  using State = ActorState<Relay>;

  explicit Relay(std::vector<uint8_t> values) : values_(std::move(values)) {}

  int node_count() const { return 2; }
  Node initial_node(NodeId) const { return {}; }
  void start(NodeId, Node&, ActorOutbox<Relay>&) const {}
  void on_message(NodeId, Node& node, NodeId, const Message& m, ActorOutbox<Relay>&) const {
    node.received.push_back(m.value);
  }
  void on_timeout(NodeId, Node&, Timer, ActorOutbox<Relay>&) const {}
  void inputs(NodeId self, const Node& node, std::vector<Input>& out) const {
    if (self == 0 && static_cast<size_t>(node.sent) < values_.size()) out.push_back({});
  }
  void on_input(NodeId, Node& node, const Input&, ActorOutbox<Relay>& out) const {
    out.send(1, Value{values_[node.sent++]});
  }
  void restart(NodeId, Node&, ActorOutbox<Relay>&) const {}
  std::string node_name(NodeId id) const { return id == 0 ? "sender" : "receiver"; }
  Json node_json(NodeId, const Node&) const { return Json::object(); }
  std::vector<StateProperty<State>> properties() const { return {}; }

 private:
  std::vector<uint8_t> values_;
};

// A binding that lacks a handler is no Actor.
struct NoInputs {
  using Node = Peer;
  using Message = Value;
  using Timer = mc::Timer;
  using Input = Send;
  int node_count() const { return 1; }
};

static_assert(Actor<Relay>);
static_assert(!ActorHandlers<NoInputs>);

template <class M>
std::vector<typename M::State> reachable(const M& model) {
  std::vector<typename M::State> states = model.initial_states();
  std::set<uint64_t> seen;
  for (const auto& s : states) seen.insert(model.fingerprint(s));
  std::vector<Successor<typename M::Action, typename M::State>> next;
  for (size_t i = 0; i < states.size(); ++i) {
    next.clear();
    model.successors(states[i], next);
    for (auto& successor : next) {
      if (model.within_bounds(successor.state) &&
          seen.insert(model.fingerprint(successor.state)).second) {
        states.push_back(std::move(successor.state));
      }
    }
  }
  return states;
}

// The orders in which the receiver got every value.
std::set<std::vector<uint8_t>> arrival_orders(const ActorModel<Relay>& model, size_t values) {
  std::set<std::vector<uint8_t>> orders;
  for (const auto& state : reachable(model)) {
    const auto& received = state.nodes[1].received;
    if (received.size() == values) orders.insert(received);
  }
  return orders;
}

ActorModel<Relay> relay(std::vector<uint8_t> values, NetworkPolicy network,
                        FaultBudgets budgets = {}) {
  return ActorModel<Relay>(Relay(std::move(values)), budgets, {}, network);
}

TEST(ActorNetwork, UnorderedDeliversInEveryOrderAndFifoLinksInTheOrderSent) {
  EXPECT_EQ(arrival_orders(relay({1, 2, 3}, NetworkPolicy::kUnordered), 3).size(), 6u);
  EXPECT_EQ(arrival_orders(relay({1, 2, 3}, NetworkPolicy::kFifoLinks), 3),
            (std::set<std::vector<uint8_t>>{{1, 2, 3}}));
}

ActorState<Relay> all_sent(const ActorModel<Relay>& model, size_t values) {
  ActorState<Relay> state = model.initial_states().front();
  std::vector<Successor<ActorAction<Relay>, ActorState<Relay>>> next;
  for (size_t i = 0; i < values; ++i) {
    next.clear();
    model.successors(state, next);
    auto input = std::find_if(next.begin(), next.end(), [](const auto& s) {
      return s.action.kind == ActorAction<Relay>::Kind::kInput;
    });
    state = input->state;
  }
  return state;
}

// Equal messages sent one after another are one run of a link's queue;
// only the queue's head may be delivered.
TEST(ActorNetwork, AFifoLinkKeepsRunsAndOffersOnlyItsHead) {
  const auto model = relay({1, 1, 2}, NetworkPolicy::kFifoLinks, {.max_copies = 2});
  const ActorState<Relay> state = all_sent(model, 3);
  ASSERT_EQ(state.network.size(), 2u);
  EXPECT_EQ(state.network[0].count, 2);
  EXPECT_EQ(state.network[1].message.value, 2);
  std::vector<Successor<ActorAction<Relay>, ActorState<Relay>>> next;
  model.successors(state, next);
  std::vector<std::string> deliveries;
  for (const auto& s : next) {
    if (s.action.kind == ActorAction<Relay>::Kind::kDeliver)
      deliveries.push_back(model.action_label(s.action));
  }
  EXPECT_EQ(deliveries, std::vector<std::string>{"Deliver V1 sender->receiver"});
}

// A loss anywhere in a queue keeps the rest in order, and the runs on
// either side of the lost message join.
TEST(ActorNetwork, AFifoDropJoinsTheRunsAroundIt) {
  const auto model = relay({1, 2, 1}, NetworkPolicy::kFifoLinks, {.max_drops = 1, .max_copies = 2});
  const ActorState<Relay> state = all_sent(model, 3);
  ASSERT_EQ(state.network.size(), 3u);
  std::vector<Successor<ActorAction<Relay>, ActorState<Relay>>> next;
  model.successors(state, next);
  auto lost = std::find_if(next.begin(), next.end(), [&](const auto& s) {
    return model.action_label(s.action) == "Drop V2 sender->receiver";
  });
  ASSERT_NE(lost, next.end());
  ASSERT_EQ(lost->state.network.size(), 1u);
  EXPECT_EQ(lost->state.network[0].count, 2);
  // Two copies of V1 on the link, in two runs or one: beyond one copy,
  // outside the bounds either way.
  EXPECT_FALSE(relay({1, 2, 1}, NetworkPolicy::kFifoLinks).within_bounds(state));
}

// A partition loses what is in flight to or from the node cut off and
// what is sent while it lasts; after the heal, messages arrive again.
TEST(ActorPartition, AnIsolatedNodeLosesItsMessagesUntilItHeals) {
  const auto model = relay({1, 2, 3}, NetworkPolicy::kUnordered, {.max_partitions = 1});
  EXPECT_EQ(arrival_orders(model, 3).size(), 6u);
  EXPECT_EQ(arrival_orders(model, 2).count({1, 3}),
            1u);  // V2 lost: sent while cut off, or in flight
  std::set<std::string> labels;
  ActorState<Relay> state = all_sent(model, 1);
  std::vector<Successor<ActorAction<Relay>, ActorState<Relay>>> next;
  model.successors(state, next);
  auto isolate = std::find_if(next.begin(), next.end(), [&](const auto& s) {
    return model.action_label(s.action) == "Isolate receiver";
  });
  ASSERT_NE(isolate, next.end());
  EXPECT_TRUE(isolate->state.network.empty());
  state = isolate->state;
  next.clear();
  model.successors(state, next);
  for (const auto& s : next) labels.insert(model.action_label(s.action));
  EXPECT_EQ(labels, (std::set<std::string>{"Input sender send", "Heal receiver"}));
  EXPECT_TRUE(model.fair_class(next.back().action).has_value());  // a partition heals, eventually
}

// With clocks: a node that has a clock tracks its reading through on_tick.
class Watch {
 public:
  using Node = Peer;
  using Message = Value;
  using Timer = mc::Timer;
  using Input = Send;
  using Time = ClockTime;
  using State = ActorState<Watch>;

  int node_count() const { return 2; }
  Node initial_node(NodeId) const { return {}; }
  void start(NodeId, Node&, ActorOutbox<Watch>&) const {}
  void on_message(NodeId, Node&, NodeId, const Message&, ActorOutbox<Watch>&) const {}
  void on_timeout(NodeId, Node&, Timer, ActorOutbox<Watch>&) const {}
  void on_tick(NodeId, Node& node, uint8_t reading, ActorOutbox<Watch>&) const {
    CC_ASSERT(reading > node.seen);
    node.seen = reading;
  }
  void inputs(NodeId, const Node&, std::vector<Input>&) const {}
  void on_input(NodeId, Node&, const Input&, ActorOutbox<Watch>&) const {}
  void restart(NodeId, Node&, ActorOutbox<Watch>&) const {}
  std::string node_name(NodeId id) const { return "n" + std::to_string(id + 1); }
  Json node_json(NodeId, const Node&) const { return Json::object(); }
  std::vector<StateProperty<State>> properties() const {
    return {always<State>("RunningNodesHaveSeenTheirClock", [](const State& s) {
      for (NodeId id = 0; id < 2; ++id) {
        if (!s.time.clocks.paused(id) && s.nodes[id].seen != s.time.clocks.local[id]) return false;
      }
      return true;
    })};
  }
};

TEST(ActorClocks, ARunningNodeHasSeenItsClockAndAPausedOneSeesItWhenItWakes) {
  for (bool paused_clocks_tick : {false, true}) {
    const ActorModel<Watch> model(
        Watch(), {.max_pauses = 1, .max_pause = 2},
        {.drift = 1, .horizon = 4, .paused_clocks_tick = paused_clocks_tick});
    const CheckResult result = check(model);
    EXPECT_EQ(result.outcome, Outcome::kOk) << result.property;
    bool some_paused_behind = false;
    for (const auto& state : reachable(model)) {
      for (NodeId id = 0; id < 2; ++id) {
        some_paused_behind |=
            state.time.clocks.paused(id) && state.nodes[id].seen != state.time.clocks.local[id];
      }
    }
    EXPECT_TRUE(some_paused_behind);  // the property has something to check
  }
}

}  // namespace
}  // namespace crosscheck::mc
