// Multi-Paxos as plain state machines: replicas keeping a replicated log of
// client commands applied to a small key-value store, and the clients.
//
// Node ids: replicas 0..R-1, clients R..R+C-1. Every replica is proposer,
// acceptor and learner at once. Replica r owns the ballots b with
// b % R == r. When its election timer fires it runs phase 1 once, for every
// slot, with the next ballot it owns (Prepare / Promise: a promise reports
// the acceptor's last vote in each slot). On a majority of promises it
// leads: each slot a promise reported a vote in is proposed again with the
// value of the highest-ballot vote reported, the slots below the last of
// them in which nobody voted are filled with no-ops, and from then on each
// client request takes phase 2 alone, in the next free slot (Accept /
// Accepted). A slot a
// majority accepted is decided: the leader tells the others (Decide), and
// every replica applies decided commands in slot order.
//
// Requests are identified by (client, seq), and each replica's state
// machine remembers the last request it applied for each client with its
// answer, so a request decided twice (a client retried it) is applied
// once, and a retry of an applied request is answered from that table.
// Only a leader answers clients (Reply), after applying.
//
// A replica sends Prepare and Accept to every replica, itself included.
// Its messages to itself are local calls: the environment hands each back
// to it at once, before any other input (the actor harness's loopback).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "impl/common/hash.h"
#include "impl/common/outbox.h"

namespace crosscheck::impl::multipaxos {

constexpr int kMaxReplicas = 5;  // replica sets are bit sets of a byte
constexpr int kMaxClients = 4;
constexpr int kMaxKeys = 4;
// Logs, and the votes a Promise reports, are fixed arrays, so that nodes and
// messages copy as plain bytes: the checker copies them for every
// successor it generates.
constexpr int kMaxSlots = 4;
constexpr int kMaxBallot = 63;
constexpr int8_t kNoBallot = -1;

enum class CommandKind : uint8_t { kNone, kNoop, kGet, kPut };

// A slot's value: a client's request, or a no-op filling a gap.
struct Command {
  CommandKind kind = CommandKind::kNone;
  uint8_t client = 0;  // the client's index, 0..C-1
  uint8_t seq = 0;     // the client's request number, 1..
  uint8_t key = 0;     // 0..K-1
  uint8_t value = 0;   // put: the value written, 1..

  static Command noop() { return {CommandKind::kNoop}; }
  bool empty() const { return kind == CommandKind::kNone; }
  bool is_request() const { return kind == CommandKind::kGet || kind == CommandKind::kPut; }
  bool same_request(const Command& other) const {
    return is_request() && other.is_request() && client == other.client && seq == other.seq;
  }
  auto operator<=>(const Command&) const = default;
  uint64_t packed() const;
  std::string label() const;  // "c1.1 put k1=1", "c2.1 get k1", "noop"
};

// An acceptor's vote in one slot.
struct Vote {
  int8_t ballot = kNoBallot;
  Command command;
  bool cast() const { return ballot != kNoBallot; }
  auto operator<=>(const Vote&) const = default;
};

// What a client is answered: the value read (0: the key is absent), or 0
// for a put.
using Answer = uint8_t;
constexpr Answer kAbsent = 0;

enum class MessageType : uint8_t {
  kPrepare,
  kPromise,
  kAccept,
  kAccepted,
  kDecide,
  kRequest,
  kReply
};
std::string_view to_string(MessageType type);

// The fields a type does not use stay zero.
struct Message {
  MessageType type = MessageType::kPrepare;
  int8_t ballot = 0;                    // Prepare, Promise, Accept, Accepted
  uint8_t slot = 0;                     // Accept, Accepted, Decide
  Command command;                      // Accept, Accepted, Decide; Request, Reply: the request
  Answer answer = 0;                    // Reply
  std::array<Vote, kMaxSlots> votes{};  // Promise: the acceptor's last vote in each slot

  static Message of(MessageType type, int8_t ballot = 0, uint8_t slot = 0, Command command = {},
                    Answer answer = 0) {
    Message m;
    m.type = type;
    m.ballot = ballot;
    m.slot = slot;
    m.command = command;
    m.answer = answer;
    return m;
  }
  static Message prepare(int8_t ballot) { return of(MessageType::kPrepare, ballot); }
  static Message promise(int8_t ballot) { return of(MessageType::kPromise, ballot); }
  static Message accept(int8_t ballot, uint8_t slot, Command command) {
    return of(MessageType::kAccept, ballot, slot, command);
  }
  static Message accepted(int8_t ballot, uint8_t slot, Command command) {
    return of(MessageType::kAccepted, ballot, slot, command);
  }
  static Message decide(uint8_t slot, Command command) {
    return of(MessageType::kDecide, 0, slot, command);
  }
  static Message request(Command command) { return of(MessageType::kRequest, 0, 0, command); }
  static Message reply(Command request, Answer answer) {
    return of(MessageType::kReply, 0, 0, request, answer);
  }

  auto operator<=>(const Message&) const = default;
  bool operator==(const Message&) const = default;
  void hash(StableHasher& hasher) const;
  std::string label() const;
};

enum class Timer : uint8_t {
  kElection,  // a replica that does not lead: start phase 1 with its next ballot
  kRetry,     // a client with a request outstanding: send it again, to the next replica
};
std::string_view to_string(Timer timer);

// Known-buggy variants.
enum class Variant : uint8_t {
  kCorrect,
  // A leader answers a get from its own state machine at once, without
  // confirming it still leads (etcd 0.4.1's stale reads, Jepsen 2014): a
  // leader cut off from a majority that has moved on answers from the past.
  // It does wait until it has applied every slot it proposed in, so a new
  // leader does not answer before it has caught up with the log it took
  // over: leadership unconfirmed is the only flaw.
  kLeaderLocalRead,
};

// A byte a field: every node keeps a copy, and the checker copies every
// node of a state for each successor it generates.
struct Config {
  uint8_t replicas = 3;
  uint8_t clients = 2;
  uint8_t requests = 1;  // requests each client issues, one at a time
  uint8_t keys = 1;
  uint8_t slots = 2;       // the log's length; a leader takes no request past it
  uint8_t max_ballot = 1;  // replicas give up past this ballot
  uint8_t retries = 1;     // a client sends a request again at most this many times
  Variant variant = Variant::kCorrect;

  NodeId client_id(int client) const { return replicas + client; }
  int client_index(NodeId id) const { return id - replicas; }
  int node_count() const { return replicas + clients; }
  int quorum() const { return replicas / 2 + 1; }
  // Puts write values unique in the run, so that a stale read is told from
  // a fresh one.
  uint8_t put_value(int client, int seq) const {
    return static_cast<uint8_t>(client * requests + seq);
  }
  auto operator<=>(const Config&) const = default;
};

using MultiPaxosOutbox = Outbox<Message, Timer>;

// The replicated state machine: a map from keys to values, and per client
// the last request applied with its answer (the session table that makes
// retries idempotent).
struct StateMachine {
  struct Session {
    uint8_t seq = 0;  // 0: none applied
    Answer answer = 0;
    auto operator<=>(const Session&) const = default;
  };
  uint8_t applied = 0;                     // slots applied, in order
  std::array<uint8_t, kMaxKeys> values{};  // kAbsent or the value
  std::array<Session, kMaxClients> sessions{};
  auto operator<=>(const StateMachine&) const = default;
};

enum class Role : uint8_t { kFollower, kCandidate, kLeader };
std::string_view to_string(Role role);

class Replica {
 public:
  // What survives a crash: the acceptor's promise and votes, and the
  // decided log (learned commands are written before they are applied).
  struct Slot {
    Vote vote;        // the last vote cast in the slot
    Command decided;  // the command chosen there, empty until learned
    auto operator<=>(const Slot&) const = default;
  };
  struct Persistent {
    int8_t promised = kNoBallot;  // the highest ballot promised or voted in
    std::array<Slot, kMaxSlots> slots{};
    auto operator<=>(const Persistent&) const = default;
  };

  // A candidate's and a leader's view of one slot.
  struct SlotState {
    Vote highest_reported;    // candidate: the highest-ballot vote the promises reported
    Command proposed;         // leader: what it proposed in its ballot
    uint8_t accepted_by = 0;  // leader: replicas that accepted the proposal
    auto operator<=>(const SlotState&) const = default;
  };

  struct Volatile {
    Role role = Role::kFollower;
    int8_t ballot = kNoBallot;  // candidate, leader: the ballot it runs
    uint8_t promised_by = 0;    // candidate: replicas that promised the ballot
    uint8_t next_slot = 0;      // leader: the first slot it has not proposed in
    std::array<SlotState, kMaxSlots> slots{};
    StateMachine machine;  // rebuilt from the decided log after a crash
    auto operator<=>(const Volatile&) const = default;
  };

  Replica() = default;
  Replica(NodeId id, const Config& config);

  void start(MultiPaxosOutbox& out);
  void on_timeout(Timer timer, MultiPaxosOutbox& out);
  void on_message(NodeId from, const Message& m, MultiPaxosOutbox& out);
  void restart(MultiPaxosOutbox& out);

  NodeId id() const { return id_; }
  Role role() const { return volatile_.role; }
  int8_t ballot() const { return volatile_.ballot; }
  const Persistent& persistent() const { return persistent_; }
  const Volatile& volatile_state() const { return volatile_; }
  const StateMachine& machine() const { return volatile_.machine; }
  const Vote& vote(int slot) const { return persistent_.slots[slot].vote; }
  const Command& decided(int slot) const { return persistent_.slots[slot].decided; }

  auto operator<=>(const Replica&) const = default;
  bool operator==(const Replica&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  bool leads() const { return volatile_.role == Role::kLeader; }
  // The first ballot it owns above `above`, or kNoBallot past max_ballot.
  int next_ballot(int8_t above) const;
  void arm_election_timer(MultiPaxosOutbox& out) const;
  void become_candidate(int8_t ballot, MultiPaxosOutbox& out);
  void become_leader(MultiPaxosOutbox& out);
  void step_down(MultiPaxosOutbox& out);
  void propose(uint8_t slot, const Command& command, MultiPaxosOutbox& out);
  void decide(uint8_t slot, const Command& command, MultiPaxosOutbox& out);
  void apply_decided(MultiPaxosOutbox& out);
  bool in_log(const Command& request) const;

  void on_prepare(NodeId from, const Message& m, MultiPaxosOutbox& out);
  void on_promise(NodeId from, const Message& m, MultiPaxosOutbox& out);
  void on_accept(NodeId from, const Message& m, MultiPaxosOutbox& out);
  void on_accepted(NodeId from, const Message& m, MultiPaxosOutbox& out);
  void on_decide(const Message& m, MultiPaxosOutbox& out);
  void on_request(NodeId from, const Message& m, MultiPaxosOutbox& out);
  void check_step(const Persistent& before) const;

  NodeId id_ = 0;
  Config config_;
  Persistent persistent_;
  Volatile volatile_;
};

// A client issues its requests one at a time, each first to its home
// replica (client c's is replica c mod R, as a client keeps to a nearby
// server), and sends an unanswered request again, to the next replica,
// when its retry timer fires, up to `retries` times. It keeps its request
// across a crash and goes on waiting for it: request ids are never reused.
class Client {
 public:
  Client() = default;
  Client(NodeId id, const Config& config);

  bool can_issue() const { return outstanding_.empty() && issued_ < config_.requests; }
  // Issues its next request: a get, or a put of a fresh value, on `key`.
  void issue(CommandKind kind, uint8_t key, MultiPaxosOutbox& out);
  void on_timeout(Timer timer, MultiPaxosOutbox& out);
  void on_message(NodeId from, const Message& m, MultiPaxosOutbox& out);
  void restart(MultiPaxosOutbox& out);

  int issued() const { return issued_; }
  const Command& outstanding() const { return outstanding_; }
  NodeId target() const { return target_; }

  auto operator<=>(const Client&) const = default;
  bool operator==(const Client&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  NodeId id_ = 0;
  Config config_;
  uint8_t issued_ = 0;
  uint8_t retries_left_ = 0;  // of the outstanding request
  Command outstanding_;       // empty when idle
  NodeId target_ = 0;         // the replica it last sent the request to
};

}  // namespace crosscheck::impl::multipaxos
