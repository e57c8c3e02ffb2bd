// ActorSystem (model_check/actor_system.h) on a toy protocol: deliveries
// oldest first, a cut link losing what crosses it, a crash keeping the
// persistent state, and every step leaving the state the checker's step of
// the same action leaves.
#include "model_check/actor_system.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "model_check/actor.h"

namespace crosscheck::mc {
namespace {

// Node 0 is a client whose input sends an Add to every other node; a node
// adds what it is sent to its persistent total and acknowledges. A Ping is
// answered with a Ping, forever.
struct TallyMessage {
  enum class Kind : uint8_t { kAdd, kAck, kPing };
  Kind kind = Kind::kAdd;
  uint8_t amount = 0;
  auto operator<=>(const TallyMessage&) const = default;
  void hash(StableHasher& hasher) const { hasher.add(kind).add(amount); }
};

enum class TallyTimer : uint8_t { kResend };

struct TallyInput {
  TallyMessage::Kind kind = TallyMessage::Kind::kAdd;
  uint8_t amount = 0;
  auto operator<=>(const TallyInput&) const = default;
};

struct TallyNode {
  int total = 0;  // persistent: the sum of the Adds taken
  int heard = 0;  // volatile: messages taken since the last (re)start
  bool operator==(const TallyNode&) const = default;
};

class Tally {
 public:
  using Node = TallyNode;
  using Message = TallyMessage;
  using Timer = TallyTimer;
  using Input = TallyInput;
  using State = ActorState<Tally>;
  using Out = Outbox<Message, Timer>;

  explicit Tally(int nodes) : nodes_(nodes) {}

  int node_count() const { return nodes_; }
  Node initial_node(NodeId) const { return {}; }
  void start(NodeId, Node&, Out&) const {}
  void on_message(NodeId, Node& node, NodeId from, const Message& m, Out& out) const {
    ++node.heard;
    switch (m.kind) {
      case Message::Kind::kAdd:
        node.total += m.amount;
        out.send(from, {Message::Kind::kAck, m.amount});
        break;
      case Message::Kind::kAck: out.cancel_timer(Timer::kResend); break;
      case Message::Kind::kPing: out.send(from, m); break;
    }
  }
  // Sends an Add of 1 to node 1 again.
  void on_timeout(NodeId, Node&, Timer, Out& out) const { out.send(1, {Message::Kind::kAdd, 1}); }
  void inputs(NodeId self, const Node&, std::vector<Input>& out) const {
    if (self != 0) return;
    out.push_back({Message::Kind::kAdd, 2});
    out.push_back({Message::Kind::kPing, 0});
  }
  void on_input(NodeId self, Node&, const Input& input, Out& out) const {
    for (NodeId to = 0; to < nodes_; ++to) {
      if (to != self) out.send(to, {input.kind, input.amount});
    }
    if (input.kind == Message::Kind::kAdd) out.set_timer(Timer::kResend);
  }
  void restart(NodeId, Node& node, Out&) const { node.heard = 0; }

  void hash(const Node& node, StableHasher& hasher) const {
    hasher.add(node.total).add(node.heard);
  }
  std::string node_name(NodeId id) const { return "n" + std::to_string(id); }
  Json node_json(NodeId, const Node& node) const {
    Json json = Json::object();
    json.set("total", node.total);
    return json;
  }
  std::string message_label(const Message& m) const {
    return std::to_string(static_cast<int>(m.kind));
  }
  std::string timer_label(Timer) const { return "resend"; }
  std::string input_label(const Input& input) const { return std::to_string(input.amount); }
  std::vector<StateProperty<State>> properties() const { return {}; }
  std::vector<TransitionProperty<State, ActorAction<Tally>>> transition_properties() const {
    return {};
  }

 private:
  int nodes_;
};

using System = ActorSystem<Tally>;
using Kind = TallyMessage::Kind;
constexpr TallyInput kAddTwo{Kind::kAdd, 2};
constexpr TallyInput kPing{Kind::kPing, 0};

System::Match of_kind(Kind kind) {
  return [kind](const System::Envelope& e) { return e.message.kind == kind; };
}

TEST(ActorSystem, StartsInTheCheckersInitialState) {
  const System system(Tally(3));
  EXPECT_EQ(system.state(), ActorModel<Tally>(Tally(3), {}).initial_states().front());
  EXPECT_TRUE(system.in_flight().empty());
}

TEST(ActorSystem, DeliversTheOldestCopyFirstAndQueuesWhatTheReceiverSends) {
  System system(Tally(3));
  ASSERT_TRUE(system.input(0, kAddTwo));
  ASSERT_EQ(system.in_flight().size(), 2u);
  EXPECT_EQ(system.in_flight()[0].to, 1);
  EXPECT_EQ(system.in_flight()[1].to, 2);
  EXPECT_TRUE(system.deliver(0));
  EXPECT_EQ(system.node(1).total, 2);
  ASSERT_EQ(system.in_flight().size(), 2u);
  EXPECT_EQ(system.in_flight()[0].to, 2);    // the older Add
  EXPECT_EQ(system.in_flight()[1].from, 1);  // the Ack, behind it
  EXPECT_EQ(system.in_flight()[1].message.kind, Kind::kAck);
  EXPECT_EQ(system.deliver_all(), 3);  // the Add to n2, then both Acks
  EXPECT_EQ(system.node(2).total, 2);
  EXPECT_EQ(system.node(0).heard, 2);
  EXPECT_TRUE(system.in_flight().empty());
  EXPECT_EQ(system.sent().size(), 4u);
  EXPECT_FALSE(system.armed(0, TallyTimer::kResend)) << "cancelled by the Acks";
}

TEST(ActorSystem, AMessageOnACutLinkIsLostWhenItWouldBeDelivered) {
  System system(Tally(3));
  ASSERT_TRUE(system.input(0, kAddTwo));  // an Add to n1, then one to n2
  system.cut(0, 1);
  EXPECT_FALSE(system.connected(1, 0)) << "both ways";
  EXPECT_TRUE(system.connected(0, 2));
  EXPECT_FALSE(system.deliver(0));
  EXPECT_EQ(system.node(1).total, 0);
  EXPECT_EQ(system.state().drops, 1) << "the checker's Drop";
  ASSERT_EQ(system.in_flight().size(), 1u);
  system.isolate(2);
  EXPECT_FALSE(system.duplicate(0)) << "nothing reaches an isolated node";
  EXPECT_EQ(system.node(2).total, 0);
  EXPECT_EQ(system.in_flight().size(), 1u);
  system.heal();
  EXPECT_TRUE(system.deliver(0));
  EXPECT_EQ(system.node(2).total, 2);
  // The resent Add crosses the healed link.
  ASSERT_TRUE(system.fire(0, TallyTimer::kResend));
  EXPECT_TRUE(system.deliver([](const System::Envelope& e) { return e.to == 1; }));
  EXPECT_EQ(system.node(1).total, 1);
}

TEST(ActorSystem, ACrashKeepsThePersistentStateAndLosesTheRest) {
  System system(Tally(2));
  ASSERT_TRUE(system.input(0, kAddTwo));
  system.deliver_all();
  ASSERT_TRUE(system.input(0, kAddTwo));
  EXPECT_TRUE(system.armed(0, TallyTimer::kResend));
  system.crash(0);
  system.crash(1);
  EXPECT_EQ(system.node(1).total, 2);
  EXPECT_EQ(system.node(1).heard, 0);
  EXPECT_FALSE(system.armed(0, TallyTimer::kResend)) << "timers die with the process";
  EXPECT_EQ(system.state().crashes, 2);
  EXPECT_EQ(system.in_flight().size(), 1u) << "the network keeps what was in flight";
  system.deliver_all();
  EXPECT_EQ(system.node(1).total, 4);
}

TEST(ActorSystem, TakesOnlyArmedTimersAndOfferedInputs) {
  System system(Tally(2));
  EXPECT_FALSE(system.fire(0, TallyTimer::kResend));
  EXPECT_FALSE(system.input(1, kAddTwo)) << "node 1 offers no input";
  EXPECT_FALSE(system.input(0, TallyInput{Kind::kAdd, 5}));
  EXPECT_EQ(system.state(), System(Tally(2)).state());
  EXPECT_TRUE(system.in_flight().empty());
}

TEST(ActorSystem, ADuplicateIsDeliveredWhileTheMessageStaysInFlight) {
  System system(Tally(2));
  ASSERT_TRUE(system.input(0, kAddTwo));
  EXPECT_TRUE(system.duplicate(0));
  EXPECT_EQ(system.node(1).total, 2);
  EXPECT_EQ(system.state().duplicates, 1);
  ASSERT_EQ(system.in_flight().size(), 2u);
  EXPECT_EQ(system.in_flight()[0].message.kind, Kind::kAdd);
  system.drop(0);
  EXPECT_EQ(system.state().drops, 1);
  EXPECT_EQ(system.drop_all(of_kind(Kind::kAck)), 1);
  EXPECT_TRUE(system.in_flight().empty());
}

TEST(ActorSystem, DeliverAllStopsAtItsCap) {
  System system(Tally(2));
  ASSERT_TRUE(system.input(0, kPing));
  EXPECT_EQ(system.deliver_all(of_kind(Kind::kPing), 25), 25);
  EXPECT_EQ(system.in_flight().size(), 1u) << "a Ping is always answered";
  EXPECT_EQ(system.node(0).heard + system.node(1).heard, 25);
}

// After each step, the state is the one the checker's successor of the
// same action reaches.
class CheckerSteps {
 public:
  using Action = ActorAction<Tally>;

  explicit CheckerSteps(int nodes) : model_(Tally(nodes), budgets()) {}

  ::testing::AssertionResult reaches(const ActorState<Tally>& from, const Action& action,
                                     const ActorState<Tally>& to) const {
    std::vector<Successor<Action, ActorState<Tally>>> successors;
    model_.successors(from, successors);
    for (const auto& s : successors) {
      if (same_action(s.action, action) && s.state == to) return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "no checker step " << model_.action_label(action) << " reaches the state";
  }

 private:
  static FaultBudgets budgets() {
    FaultBudgets b;
    b.max_drops = b.max_duplicates = b.max_crashes = 100;
    return b;
  }
  static bool same_action(const Action& a, const Action& b) {
    return a.kind == b.kind && a.node == b.node && a.from == b.from && a.message == b.message &&
           a.timer == b.timer && a.input == b.input;
  }

  ActorModel<Tally> model_;
};

TEST(ActorSystem, EveryStepIsTheCheckersStepOfTheSameAction) {
  using Action = CheckerSteps::Action;
  using K = Action::Kind;
  const CheckerSteps checker(3);
  System system(Tally(3));
  auto step = [&](Action action, auto&& take) {
    const ActorState<Tally> before = system.state();
    take();
    EXPECT_TRUE(checker.reaches(before, action, system.state()));
  };
  auto at = [&](size_t i, K kind) {
    const System::Envelope& e = system.in_flight()[i];
    return Action{kind, e.to, e.from, e.message};
  };
  Action input{K::kInput, 0};
  input.input = kAddTwo;
  step(input, [&] { system.input(0, kAddTwo); });
  step(at(1, K::kDeliver), [&] { system.deliver(1); });
  step(at(0, K::kDuplicate), [&] { system.duplicate(0); });
  step(at(0, K::kDeliver), [&] { system.deliver(0); });
  step(at(0, K::kDrop), [&] { system.drop(0); });
  Action timeout{K::kTimeout, 0};
  timeout.timer = TallyTimer::kResend;
  step(timeout, [&] { system.fire(0, TallyTimer::kResend); });
  step(Action{K::kCrash, 1}, [&] { system.crash(1); });
  system.cut(0, 1);
  step(at(0, K::kDrop), [&] { system.deliver(0); });
}

}  // namespace
}  // namespace crosscheck::mc
