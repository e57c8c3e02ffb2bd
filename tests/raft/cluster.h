// An in-memory Raft cluster for scenario and property tests: nodes, the
// messages in flight, and a network that can isolate a node, cut a link,
// drop, duplicate and heal. Time is explicit: a test fires a node's
// election or heartbeat timer when it wants that node to act.
#pragma once

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "impl/raft/node.h"

namespace crosscheck::impl::raft::testing {

class Cluster {
 public:
  struct Envelope {
    NodeId from;
    NodeId to;
    Message message;
  };

  explicit Cluster(int servers, Variant variant = Variant::kCorrect) {
    Config config{servers, variant};
    for (NodeId id = 0; id < servers; ++id) {
      nodes_.emplace_back(id, config);
      RaftOutbox out;
      nodes_.back().start(out);
      take(id, out);
    }
  }

  int size() const { return static_cast<int>(nodes_.size()); }
  const RaftNode& node(NodeId id) const { return nodes_[id]; }
  const std::vector<RaftNode>& nodes() const { return nodes_; }
  const std::vector<Envelope>& in_flight() const { return in_flight_; }

  void election_timeout(NodeId id) { act(id, [&](RaftOutbox& out) { nodes_[id].on_timeout(Timer::kElection, out); }); }
  void heartbeat(NodeId id) { act(id, [&](RaftOutbox& out) { nodes_[id].on_timeout(Timer::kHeartbeat, out); }); }
  void client_request(NodeId id, uint8_t value) {
    act(id, [&](RaftOutbox& out) { nodes_[id].on_client_request(value, out); });
  }
  void restart(NodeId id) { act(id, [&](RaftOutbox& out) { nodes_[id].restart(out); }); }

  // The network. A message on a cut link is lost when it would be delivered.
  void isolate(NodeId id) {
    for (NodeId other = 0; other < size(); ++other) {
      if (other != id) cut(id, other);
    }
  }
  void cut(NodeId a, NodeId b) {
    cuts_.insert({a, b});
    cuts_.insert({b, a});
  }
  void heal() { cuts_.clear(); }
  bool connected(NodeId from, NodeId to) const { return !cuts_.contains({from, to}); }

  void deliver(size_t index) {
    Envelope envelope = in_flight_[index];
    in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(index));
    if (!connected(envelope.from, envelope.to)) return;
    act(envelope.to, [&](RaftOutbox& out) { nodes_[envelope.to].on_message(envelope.from, envelope.message, out); });
  }
  void drop(size_t index) { in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(index)); }
  void duplicate(size_t index) { in_flight_.push_back(in_flight_[index]); }
  void drop_all() { in_flight_.clear(); }

  // Delivers (oldest first) until nothing is in flight; returns how many
  // messages were taken. Raft's messages are answers or one-shot requests,
  // so this ends.
  int deliver_all() {
    int delivered = 0;
    while (!in_flight_.empty()) {
      deliver(0);
      ++delivered;
    }
    return delivered;
  }

  // Runs an election at `id` and lets the network settle.
  void elect(NodeId id) {
    election_timeout(id);
    deliver_all();
  }
  // Sends one round of AppendEntries from `leader` and settles.
  void replicate(NodeId leader) {
    heartbeat(leader);
    deliver_all();
  }

  std::vector<NodeId> leaders() const {
    std::vector<NodeId> result;
    for (const auto& node : nodes_) {
      if (node.role() == Role::kLeader) result.push_back(node.id());
    }
    return result;
  }

 private:
  template <class F>
  void act(NodeId id, F&& step) {
    RaftOutbox out;
    step(out);
    take(id, out);
  }
  void take(NodeId from, const RaftOutbox& out) {
    for (const auto& send : out.sends()) in_flight_.push_back({from, send.to, send.message});
  }

  std::vector<RaftNode> nodes_;
  std::vector<Envelope> in_flight_;
  std::set<std::pair<NodeId, NodeId>> cuts_;
};

}  // namespace crosscheck::impl::raft::testing
