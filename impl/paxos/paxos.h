// Single-decree Paxos as plain state machines: proposers, acceptors and a
// learner exchanging prepare / promise / accept / accepted messages.
//
// Node ids: proposers 0..P-1, acceptors P..P+A-1, the learner P+A. A
// proposer owns the ballots b with b % P == its id, and moves to its next
// ballot when its retry timer fires; the ballot it started survives a
// restart, and it never runs a ballot twice. An acceptor's promise and vote
// are persistent too. The learner counts Accepted messages
// and learns a value once a quorum accepted it in one ballot.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "impl/common/hash.h"
#include "impl/common/node_renaming.h"
#include "impl/common/outbox.h"

namespace crosscheck::impl::paxos {

constexpr int kMaxProposers = 3;
constexpr int kMaxAcceptors = 5;
constexpr int8_t kNoBallot = -1;
constexpr int8_t kNoValue = 0;  // values are 1..

enum class MessageType : uint8_t { kPrepare, kPromise, kAccept, kAccepted };
std::string_view to_string(MessageType type);

struct Message {
  MessageType type = MessageType::kPrepare;
  int8_t ballot = 0;
  int8_t voted_ballot = kNoBallot;  // Promise: the acceptor's last vote, if any
  int8_t value = kNoValue;          // Promise: its value; Accept, Accepted: the value
  auto operator<=>(const Message&) const = default;
  void hash(StableHasher& hasher) const;
  std::string label() const;
};

enum class Timer : uint8_t { kRetry };

// Known-buggy variants; each breaks agreement in a way the checker must
// catch.
enum class Variant : uint8_t {
  kCorrect,
  // An acceptor's promise and vote live in memory only and are lost on
  // restart (Paxos Made Live's disk-loss scenario).
  kAcceptorForgets,
  // A proposer proposes its own value even when a promise reported a vote.
  kIgnorePromisedValue,
  // Quorums one smaller than a majority.
  kQuorumOffByOne,
  // An acceptor accepts a ballot below the one it promised.
  kAcceptLowerBallot,
};

struct Config {
  int proposers = 2;
  int acceptors = 3;
  int max_ballot = 2;  // proposers give up past this ballot
  Variant variant = Variant::kCorrect;

  NodeId acceptor_id(int a) const { return proposers + a; }
  int acceptor_index(NodeId id) const { return id - proposers; }
  NodeId learner_id() const { return proposers + acceptors; }
  int quorum() const;
  auto operator<=>(const Config&) const = default;
};

using PaxosOutbox = Outbox<Message, Timer>;

class Proposer {
 public:
  Proposer() = default;
  Proposer(NodeId id, const Config& config);

  void start(PaxosOutbox& out);
  void on_timeout(PaxosOutbox& out);
  void on_message(NodeId from, const Message& m, PaxosOutbox& out);
  void restart(PaxosOutbox& out);
  // The same proposer with the nodes renamed (symmetry reduction): the
  // acceptors that promised.
  void rename(const NodeRenaming& renaming);

  int8_t ballot() const { return ballot_; }
  int8_t own_value() const { return own_value_; }
  bool proposed() const { return proposed_; }
  auto operator<=>(const Proposer&) const = default;
  bool operator==(const Proposer&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  NodeId id_ = 0;
  Config config_;
  int8_t own_value_ = 1;
  int8_t ballot_ = kNoBallot;  // the ballot it is running
  uint8_t promises_ = 0;       // acceptors that promised ballot_
  int8_t highest_voted_ballot_ = kNoBallot;
  int8_t highest_voted_value_ = kNoValue;
  bool proposed_ = false;
};

class Acceptor {
 public:
  struct Persistent {
    int8_t max_ballot = kNoBallot;    // promised: Paxos.tla's maxBal
    int8_t voted_ballot = kNoBallot;  // maxVBal
    int8_t voted_value = kNoValue;    // maxVal
    auto operator<=>(const Persistent&) const = default;
  };

  Acceptor() = default;
  explicit Acceptor(const Config& config) : config_(config) {}

  void on_message(NodeId from, const Message& m, PaxosOutbox& out);
  void restart(PaxosOutbox& out);

  const Persistent& persistent() const { return persistent_; }
  auto operator<=>(const Acceptor&) const = default;
  bool operator==(const Acceptor&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  Config config_;
  Persistent persistent_;
};

class Learner {
 public:
  Learner() = default;
  explicit Learner(const Config& config) : config_(config) {}

  void on_message(NodeId from, const Message& m, PaxosOutbox& out);
  // Its tallies are volatile: after a restart it learns again from the
  // Accepted messages still to come.
  void restart(PaxosOutbox&) { *this = Learner(config_); }
  // The same learner with the nodes renamed (symmetry reduction): whose
  // votes it has tallied.
  void rename(const NodeRenaming& renaming);

  // The values learned: bit v-1 set when a quorum accepted v in one ballot.
  uint8_t learned() const { return learned_; }
  auto operator<=>(const Learner&) const = default;
  bool operator==(const Learner&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  Config config_;
  // accepted_[b] bit (a * 4 + v): acceptor a accepted v in ballot b.
  uint32_t accepted_[8] = {};
  uint8_t learned_ = 0;
};

}  // namespace crosscheck::impl::paxos
