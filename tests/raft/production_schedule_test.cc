// RapidCheck over long random schedules of Raft as production systems run
// it: three servers with PreVote and CheckQuorum, clients writing and
// reading (ReadIndex), leadership transfers, single-server and joint
// membership changes, and log compaction (so InstallSnapshot), among
// deliveries, timeouts, drops, crashes and partitions. After every step the safety properties and
// ReadsAreLinearizable hold; at the end the clients' history (each write
// returning once its entry is applied somewhere, each read once its leader
// answers) is linearizable as one register, by the linearizability
// checker (model_check/linearizability.h). RapidCheck prints its seed;
// RC_PARAMS="seed=N" reruns exactly that test.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "check/raft/model.h"
#include "impl/common/assert.h"
#include "model_check/actor_system.h"
#include "model_check/linearizability.h"
#include "tests/common/shrink.h"

namespace crosscheck::check::raft {
namespace {

using implraft::Role;
using implraft::Timer;
using implraft::Variant;
using Cluster = mc::ActorSystem<ImplBinding>;
using Kind = ClientRequest::Kind;
using RegisterSpec = mc::lin::RegisterSpec;

constexpr int kServers = 3;
constexpr size_t kMaxLog = 10;
constexpr int kValues = 4;  // the most the model (and raft.tla's map) takes

Cluster make_cluster(Variant variant, bool pre_vote_and_check_quorum = true) {
  implraft::Config config{kServers, variant};
  config.pre_vote = pre_vote_and_check_quorum;
  config.check_quorum = pre_vote_and_check_quorum;
  ImplBounds bounds;
  bounds.values = kValues;
  bounds.max_reads = 255;
  bounds.leader_transfer = true;
  bounds.membership = true;
  bounds.joint_consensus = true;
  bounds.snapshots = true;
  return Cluster(ImplBinding(config, bounds));
}

std::string name(NodeId id) { return "s" + std::to_string(id + 1); }

constexpr unsigned kFirstClientKind = 23;

struct Choice {
  unsigned kind;
  unsigned which;
};

// Up to about 1,000 choices, half of them steps: elections with PreVote
// take a dozen deliveries, and a client's read a heartbeat round after a
// write of the leader's term.
rc::Gen<std::vector<Choice>> schedules() {
  return rc::gen::scale(
      10.0, rc::gen::container<std::vector<Choice>>(rc::gen::construct<Choice>(
                rc::gen::inRange<unsigned>(0, 34), rc::gen::inRange<unsigned>(0, 1u << 16))));
}

// The clients' history, with a step counter as the clock. A write is
// known by its entry (term and index: unique, by Log Matching), since
// values repeat.
class Clients {
 public:
  void write(const implraft::RaftNode& leader, int value, int now) {
    const auto index = static_cast<size_t>(leader.full_log_length());
    writes_[entry_key(leader.log().back(), index)] = static_cast<int>(ops_.size());
    ops_.push_back(mc::lin::pending<RegisterSpec>(static_cast<int>(ops_.size()), now,
                                                  RegisterSpec::write(value)));
  }
  void read(NodeId leader, const implraft::RaftNode& node, int now) {
    reads_[leader] = {static_cast<int>(ops_.size()), node.term(), node.volatile_state().read.round};
    ops_.push_back(
        mc::lin::pending<RegisterSpec>(static_cast<int>(ops_.size()), now, RegisterSpec::read()));
    observe(leader, node, now);  // answered at once by a leader alone
  }
  // After a step: writes whose entries are applied have returned; reads
  // their leaders answered have too, with the register at the read index.
  void observe(const Cluster& cluster, int now) {
    for (NodeId id = 0; id < kServers; ++id) {
      const auto& applied = cluster.node(id).volatile_state().applied;
      for (size_t index = 1; index <= applied.size(); ++index) {
        const auto write = writes_.find(entry_key(applied[index - 1], index));
        if (write == writes_.end()) continue;
        auto& op = ops_[static_cast<size_t>(write->second)];
        if (op.pending()) op.returned = now;
      }
      observe(id, cluster.node(id), now);
    }
  }
  bool linearizable() const {
    return mc::lin::check(ops_).verdict == mc::lin::Verdict::kLinearizable;
  }
  size_t operations() const { return ops_.size(); }
  size_t answered_reads() const {
    size_t count = 0;
    for (const auto& op : ops_)
      count += op.input.kind == RegisterSpec::Kind::kRead && !op.pending();
    return count;
  }

 private:
  struct PendingRead {
    int op;
    uint8_t term;
    uint8_t round;
  };

  void observe(NodeId id, const implraft::RaftNode& node, int now) {
    const auto pending = reads_.find(id);
    if (pending == reads_.end()) return;
    const implraft::ReadIndex& read = node.volatile_state().read;
    const PendingRead& r = pending->second;
    if (node.role() != Role::kLeader || node.term() != r.term || read.round != r.round) {
      reads_.erase(pending);  // deposed: the read is never answered
      return;
    }
    if (read.pending) return;
    // The state machine's input up to the read index (the log's prefix
    // may be compacted into it).
    int value = 0;
    const auto& applied = node.volatile_state().applied;
    for (size_t index = 1; index <= read.index; ++index) {
      const auto& entry = applied[index - 1];
      if (!entry.is_configuration()) value = entry.value;
    }
    auto& op = ops_[static_cast<size_t>(r.op)];
    op.returned = now;
    op.output = RegisterSpec::read_returns(value);
    reads_.erase(pending);
  }

  static int entry_key(const implraft::Entry& entry, size_t index) {
    return entry.term << 8 | static_cast<int>(index);
  }

  mc::lin::History<RegisterSpec> ops_;
  std::map<int, int> writes_;  // entry_key -> its operation
  std::map<NodeId, PendingRead> reads_;
};

struct ScheduleRun {
  bool violated = false;
  std::string property;
  std::vector<std::string> steps;
};

std::optional<NodeId> a_leader(const Cluster& cluster, unsigned which) {
  std::vector<NodeId> leading;
  for (const auto& node : cluster.nodes()) {
    if (node.role() == Role::kLeader) leading.push_back(node.id());
  }
  if (leading.empty()) return std::nullopt;
  return leading[which % leading.size()];
}

// An input of `kind` the leader offers now, the `which`-th of them.
std::optional<ClientRequest> offered(const Cluster& cluster, NodeId leader, Kind kind,
                                     unsigned which) {
  std::vector<ClientRequest> matching;
  for (const ClientRequest& input : cluster.inputs(leader)) {
    if (input.kind == kind) matching.push_back(input);
  }
  if (matching.empty()) return std::nullopt;
  return matching[which % matching.size()];
}

std::string deliver(Cluster& cluster, unsigned which) {
  const auto& flight = cluster.in_flight();
  if (flight.empty()) return "";
  const size_t i = which % flight.size();
  const Cluster::Envelope e = flight[i];
  cluster.deliver(i);
  return "deliver " + e.message.label() + " " + name(e.from) + "->" + name(e.to);
}

std::string client_step(Cluster& cluster, Clients& clients, const Choice& c, int now) {
  const auto leader = a_leader(cluster, c.which);
  if (!leader) return "";
  const Kind kinds[] = {Kind::kWrite,
                        Kind::kWrite,
                        Kind::kWrite,
                        Kind::kRead,
                        Kind::kRead,
                        Kind::kTransfer,
                        Kind::kChangeMembership,
                        Kind::kJointChange};
  const Kind kind = kinds[c.kind - kFirstClientKind];
  if (kind == Kind::kWrite) {
    if (cluster.node(*leader).full_log_length() >= static_cast<int>(kMaxLog)) return "";
    if (!cluster.node(*leader).accepts_client_requests()) return "";
    const auto value = static_cast<uint8_t>(1 + c.which / kServers % kValues);
    CC_ASSERT(cluster.input(*leader, ClientRequest{value}));
    clients.write(cluster.node(*leader), value, now);
    return name(*leader) + " write " + std::to_string(value);
  }
  if ((kind == Kind::kChangeMembership || kind == Kind::kJointChange) &&
      cluster.node(*leader).full_log_length() >= static_cast<int>(kMaxLog))
    return "";
  const auto input = offered(cluster, *leader, kind, c.which / kServers);
  if (!input) return "";
  CC_ASSERT(cluster.input(*leader, *input));
  if (kind == Kind::kRead) clients.read(*leader, cluster.node(*leader), now);
  return name(*leader) + " " + cluster.protocol().input_label(*input);
}

// Of the 34 kinds of choice: 18 deliver, 1 fires an election timeout, 2 a
// heartbeat, 1 drops, 1 crashes, 8 are clients' (3 writes, 2 reads, a
// transfer, a single-server and a joint membership change), 1 partitions,
// 1 compacts a server's log, 1 heals.
std::string take(Cluster& cluster, Clients& clients, const Choice& c, int now) {
  const NodeId node = static_cast<NodeId>(c.which % kServers);
  if (c.kind < 18) return deliver(cluster, c.which);
  if (c.kind >= kFirstClientKind && c.kind < kFirstClientKind + 8)
    return client_step(cluster, clients, c, now);
  switch (c.kind) {
    case 18:
      if (!cluster.fire(node, Timer::kElection)) return "";
      return name(node) + " election timeout";
    case 19:
    case 20:
      if (!cluster.fire(node, Timer::kHeartbeat)) return "";
      return name(node) + " heartbeat";
    case 21: {
      if (cluster.in_flight().empty()) return "";
      const size_t i = c.which % cluster.in_flight().size();
      cluster.drop(i);
      return "drop a message";
    }
    case 22: cluster.crash(node); return name(node) + " crashes and restarts";
    case 31: cluster.isolate(node); return "partition " + name(node) + " from the rest";
    case 32:
      if (!cluster.input(node, ClientRequest{0, Kind::kCompact})) return "";
      return name(node) + " compacts its log";
    default: cluster.heal(); return "heal the network";
  }
}

ScheduleRun run_schedule(Variant variant, const std::vector<Choice>& schedule, Clients& clients) {
  Cluster cluster = make_cluster(variant);
  ScheduleRun run;
  for (const Choice& choice : schedule) {
    const int now = static_cast<int>(run.steps.size());
    std::string step = take(cluster, clients, choice, now);
    if (step.empty()) continue;
    run.steps.push_back(std::move(step));
    clients.observe(cluster, now);
    run.property = first_broken_invariant(cluster.state());
    if (!run.property.empty()) break;
  }
  if (run.property.empty() && !clients.linearizable()) run.property = "Linearizable (history)";
  run.violated = !run.property.empty();
  return run;
}

std::string describe(const ScheduleRun& run) {
  std::ostringstream out;
  for (size_t i = 0; i < run.steps.size(); ++i)
    out << "  " << i + 1 << ". " << run.steps[i] << "\n";
  return out.str();
}

RC_GTEST_PROP(RaftProductionSchedules, EveryScheduleIsSafeAndItsHistoryLinearizable, ()) {
  const auto schedule = *schedules();
  Clients clients;
  const ScheduleRun run = run_schedule(Variant::kCorrect, schedule, clients);
  RC_CLASSIFY(clients.operations() >= 10, "10+ client operations");
  RC_CLASSIFY(clients.answered_reads() >= 1, "a read answered");
  RC_CLASSIFY(run.steps.size() >= 100, "100+ steps");
  RC_ASSERT(run.property == "");
}

// A read answered without the heartbeat round: a deposed leader's stale
// answer shows in random schedules, and shrinks to a few steps.
// The history check alone, on the scenario of the read variant: s1 leads
// term 2 and commits 2:1; cut off, it is still leader when s2 wins term 3
// and commits 3:2; then s1 is asked for a read. Correct, the read waits
// for a heartbeat round that never comes, and the history (two writes, one
// read pending) is linearizable. Without the round, s1 answers 1 after the
// write of 2 finished: no order of the three explains that.
TEST(RaftProductionHistory, AStaleReadMakesTheClientsHistoryNotLinearizable) {
  for (const Variant variant : {Variant::kCorrect, Variant::kReadIndexWithoutQuorumRound}) {
    Cluster cluster = make_cluster(variant, /*pre_vote_and_check_quorum=*/false);
    Clients clients;
    int now = 0;
    auto settle = [&] {
      cluster.deliver_all();
      clients.observe(cluster, ++now);
    };
    auto write = [&](NodeId leader, uint8_t value) {
      ASSERT_TRUE(cluster.input(leader, ClientRequest{value}));
      clients.write(cluster.node(leader), value, ++now);
      for (int round = 0; round < 2; ++round) {
        ASSERT_TRUE(cluster.fire(leader, Timer::kHeartbeat));
        settle();
      }
    };
    ASSERT_TRUE(cluster.fire(0, Timer::kElection));
    settle();
    write(0, 1);
    cluster.isolate(0);
    ASSERT_TRUE(cluster.fire(1, Timer::kElection));
    settle();
    write(1, 2);
    ASSERT_TRUE(cluster.input(0, ClientRequest{0, Kind::kRead}));
    clients.read(0, cluster.node(0), ++now);
    settle();
    const bool stale = variant == Variant::kReadIndexWithoutQuorumRound;
    EXPECT_EQ(clients.answered_reads(), stale ? 1u : 0u);
    EXPECT_EQ(clients.linearizable(), !stale);
  }
}

TEST(RaftProductionShrinking, FindsAStaleReadWithoutTheHeartbeatRound) {
  auto failure = crosscheck::testing::shrink_failure<ScheduleRun>(
      "raft-readindex-without-quorum-round", 100000, [] {
        Clients clients;
        return run_schedule(Variant::kReadIndexWithoutQuorumRound, *schedules(), clients);
      });
  ASSERT_TRUE(failure.found) << "no generated schedule read stale";
  std::cerr << "shrunk schedule breaking " << failure.run.property << ":\n"
            << describe(failure.run);
  EXPECT_EQ(failure.run.property, "ReadsAreLinearizable");
  EXPECT_LE(failure.run.steps.size(), 40u) << describe(failure.run);
}

}  // namespace
}  // namespace crosscheck::check::raft
