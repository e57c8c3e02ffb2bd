// An in-memory Multi-Paxos deployment for scenario tests: replicas,
// clients, and the messages in flight. A replica's messages to itself are
// handed back at once, as the protocol requires; every other message waits
// until the test delivers or drops it, so a test holds a partition by not
// delivering what crosses it.
#pragma once

#include <algorithm>
#include <functional>
#include <variant>
#include <vector>

#include "impl/multipaxos/multipaxos.h"

namespace crosscheck::impl::multipaxos::testing {

class Cluster {
 public:
  struct Envelope {
    NodeId from;
    NodeId to;
    Message message;
  };
  using Match = std::function<bool(const Envelope&)>;

  explicit Cluster(const Config& config) : config_(config) {
    for (NodeId id = 0; id < config.replicas; ++id) replicas_.emplace_back(id, config);
    for (int c = 0; c < config.clients; ++c) clients_.emplace_back(config.client_id(c), config);
    for (NodeId id = 0; id < config.replicas; ++id) act(id, [&](MultiPaxosOutbox& out) { replicas_[id].start(out); });
  }

  const Config& config() const { return config_; }
  const Replica& replica(NodeId id) const { return replicas_[id]; }
  const Client& client(int c) const { return clients_[c]; }
  const std::vector<Envelope>& in_flight() const { return in_flight_; }
  // Every message ever sent, loopback included, in order.
  const std::vector<Envelope>& sent() const { return sent_; }

  void election_timeout(NodeId r) {
    act(r, [&](MultiPaxosOutbox& out) { replicas_[r].on_timeout(Timer::kElection, out); });
  }
  void issue(int c, CommandKind kind, uint8_t key = 0) {
    act(config_.client_id(c), [&](MultiPaxosOutbox& out) { clients_[c].issue(kind, key, out); });
  }
  void retry(int c) {
    act(config_.client_id(c), [&](MultiPaxosOutbox& out) { clients_[c].on_timeout(Timer::kRetry, out); });
  }
  void crash(NodeId r) {
    act(r, [&](MultiPaxosOutbox& out) { replicas_[r].restart(out); });
  }

  // Delivers the oldest message in flight that matches; false if none does.
  bool deliver(const Match& match) {
    for (size_t i = 0; i < in_flight_.size(); ++i) {
      if (!match(in_flight_[i])) continue;
      const Envelope e = in_flight_[i];
      in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(i));
      handle(e);
      return true;
    }
    return false;
  }
  // Delivers matching messages, oldest first, until none is left; returns
  // how many were delivered.
  int deliver_all(const Match& match = [](const Envelope&) { return true; }) {
    int delivered = 0;
    while (deliver(match)) ++delivered;
    return delivered;
  }
  int drop_all(const Match& match) {
    const auto before = in_flight_.size();
    std::erase_if(in_flight_, match);
    return static_cast<int>(before - in_flight_.size());
  }

  static Match to(NodeId id) {
    return [id](const Envelope& e) { return e.to == id; };
  }
  static Match between(NodeId from, NodeId to) {
    return [from, to](const Envelope& e) { return e.from == from && e.to == to; };
  }
  static Match of_type(MessageType type) {
    return [type](const Envelope& e) { return e.message.type == type; };
  }
  // Everything but what crosses between the two sides.
  static Match within(std::vector<NodeId> side) {
    return [side](const Envelope& e) {
      auto in = [&](NodeId id) { return std::find(side.begin(), side.end(), id) != side.end(); };
      return in(e.from) == in(e.to);
    };
  }

  int count_sent(MessageType type) const {
    int n = 0;
    for (const Envelope& e : sent_) n += e.message.type == type;
    return n;
  }

 private:
  template <class Step>
  void act(NodeId id, Step&& step) {
    MultiPaxosOutbox out;
    step(out);
    take(id, out);
  }

  void handle(const Envelope& e) {
    MultiPaxosOutbox out;
    if (e.to < config_.replicas) {
      replicas_[e.to].on_message(e.from, e.message, out);
    } else {
      clients_[config_.client_index(e.to)].on_message(e.from, e.message, out);
    }
    take(e.to, out);
  }

  void take(NodeId from, const MultiPaxosOutbox& out) {
    for (const auto& send : out.sends()) {
      const Envelope e{from, send.to, send.message};
      sent_.push_back(e);
      if (send.to == from) {
        handle(e);  // a local call
      } else {
        in_flight_.push_back(e);
      }
    }
  }

  Config config_;
  std::vector<Replica> replicas_;
  std::vector<Client> clients_;
  std::vector<Envelope> in_flight_;
  std::vector<Envelope> sent_;
};

}  // namespace crosscheck::impl::multipaxos::testing
