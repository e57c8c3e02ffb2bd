// Chang and Roberts' leader election on a unidirectional ring (CACM 22(5),
// 1979) as a plain state machine.
//
// N nodes sit on a ring; node k sends only to node k+1 (mod N). Each has a
// distinct id in 1..N: node k holds id N - k, so ids fall in the direction
// messages travel and node 0 holds the largest. That is the paper's worst
// case: the candidacy of the node with the j-th largest id travels j hops,
// N(N+1)/2 Candidate messages in all, the most left in flight at once.
//
// Every node starts as a non-participant and may start an election (a
// local input): it becomes a participant and sends Candidate(own id). On
// Candidate(c):
//   - c larger than its own id: it forwards Candidate(c) and participates;
//   - c smaller: it swallows it, and if it was not yet a participant it
//     sends Candidate(own id) in its place and participates;
//   - c its own id: its candidacy went round the ring unbeaten, so it
//     declares itself leader and sends Elected(own id).
// On Elected(l) a node records l as the leader and forwards it once, until
// the announcement reaches the leader again.
//
// The algorithm assumes nodes that do not fail; there is no timer and no
// retry. Every field is kept across a restart.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "impl/common/hash.h"
#include "impl/common/outbox.h"

namespace crosscheck::impl::ring_election {

constexpr int kMinNodes = 2;
constexpr int kMaxNodes = 5;
constexpr uint8_t kNoLeader = 0;  // ids are 1..N

enum class MessageKind : uint8_t {
  kCandidate,  // the id of a node still running for leader
  kElected,    // the id of the leader, announced once round the ring
};

std::string_view to_string(MessageKind kind);

struct Message {
  MessageKind kind = MessageKind::kCandidate;
  uint8_t id = 0;
  auto operator<=>(const Message&) const = default;
  void hash(StableHasher& hasher) const;
  std::string label() const;  // "Candidate(3)", "Elected(4)"
};

// The algorithm has no timer; the outbox type needs one.
enum class Timer : uint8_t { kNone };

// Known-buggy variants.
enum class Variant : uint8_t {
  kCorrect,
  // A node forwards every candidate id, smaller ones too: the comparison
  // is forgotten, so any candidacy comes back to its node, which declares
  // itself leader.
  kForwardAll,
  // A non-participant swallows a smaller id without sending its own in its
  // place: an election started by a node with a small id dies out (a
  // liveness bug; every safety property still holds).
  kSwallowSilently,
};

struct Config {
  int nodes = 4;
  Variant variant = Variant::kCorrect;

  bool valid() const { return nodes >= kMinNodes && nodes <= kMaxNodes; }
  uint8_t id_of(NodeId node) const { return static_cast<uint8_t>(nodes - node); }
  uint8_t max_id() const { return static_cast<uint8_t>(nodes); }
  NodeId successor(NodeId node) const { return (node + 1) % nodes; }
  NodeId predecessor(NodeId node) const { return (node + nodes - 1) % nodes; }
};

using RingOutbox = Outbox<Message, Timer>;

class RingNode {
 public:
  RingNode() = default;
  // Precondition: config.valid() and 0 <= self < config.nodes.
  RingNode(NodeId self, const Config& config);

  // The local input: enabled while the node takes no part in an election.
  bool can_start_election() const { return !participant_; }
  void start_election(RingOutbox& out);
  void on_message(NodeId from, const Message& message, RingOutbox& out);

  uint8_t id() const { return id_; }
  bool participant() const { return participant_; }
  uint8_t leader() const { return leader_; }  // kNoLeader until learned
  bool is_leader() const { return leader_ == id_; }

  auto operator<=>(const RingNode&) const = default;
  bool operator==(const RingNode&) const = default;
  // Only what changes: the rest is fixed by the node's place on the ring.
  void hash(StableHasher& hasher) const;

 private:
  void on_candidate(uint8_t candidate, RingOutbox& out);
  void on_elected(uint8_t leader, RingOutbox& out);
  void join_with_own_candidacy(RingOutbox& out);
  void check_invariants() const;

  uint8_t id_ = 0;
  uint8_t max_id_ = 0;
  NodeId predecessor_ = 0;
  NodeId successor_ = 0;
  Variant variant_ = Variant::kCorrect;
  bool participant_ = false;
  // Invariant: kNoLeader, or an id of the ring; once set, never changes.
  uint8_t leader_ = kNoLeader;
};

}  // namespace crosscheck::impl::ring_election
