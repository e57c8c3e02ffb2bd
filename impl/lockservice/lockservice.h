// A lock service in the style of Chubby and of ZooKeeper's lock recipe, as
// pure state machines: lock servers that replicate a lock table on the
// project's Raft log, clients with sessions kept alive by leases, and a
// protected resource (a storage server) that checks fencing tokens.
//
// Time. No node reads a clock of its own: the environment calls on_tick
// with the node's local clock reading, a logical tick count that may drift
// from real time within a bound the environment guarantees (see
// model_check/clocks.h and docs/lockservice.md). A lease granted for L ticks
// of the server's clock is trusted by the client for L - 2d ticks of its
// own clock, counted from before it sent the request (d is the drift bound).
//
// The lock table (LockTable) is the replicated state machine: sessions,
// ephemeral sequential nodes under the one lock path, the generation number
// that is the fencing token of each grant, and who watches whom. Every
// change to it is a Command that travels in a Raft entry (one byte), so all
// replicas apply the same changes in the same order.
//
// Sessions. A client's first Acquire opens its session; KeepAlive renews
// it; Release deletes its node and closes it; a session the leader has not
// heard from for L ticks of its clock is expired by an Expire command the
// leader proposes, which deletes the session's node. A client has one
// session in its life (after it ends, the client is done): that keeps the
// model small, and a stale Expire can never end a later session.
//
// The recipe. Acquire creates a node with the next sequence number; the
// client whose node has the lowest number holds the lock, and each grant
// increments the generation, the token the holder shows the resource. A
// waiter watches only its predecessor, so deleting a node wakes at most one
// client (its successor); the herd variant has every waiter watch the lock's
// children, so a deletion wakes all of them.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "impl/common/hash.h"
#include "impl/common/outbox.h"
#include "impl/raft/node.h"  // layer: the lock servers are a Raft cluster

namespace crosscheck::impl::lockservice {

namespace raft = crosscheck::impl::raft;

constexpr int kMaxClients = 4;
constexpr int kMaxServers = raft::kMaxServers;
constexpr int8_t kNobody = -1;

// Known-buggy variants (docs/lockservice.md).
enum class Variant : uint8_t {
  kCorrect,
  kNoFencing,      // the resource ignores tokens and accepts every write
  kNoDriftMargin,  // the client trusts its lease for the full L ticks of its own clock
  kHerd,           // every waiter watches the lock's children: a deletion wakes them all
};
std::string_view to_string(Variant variant);

struct Config {
  int servers = 1;  // lock servers (a Raft cluster; one server applies commands directly)
  int clients = 2;
  int lease = 3;         // L: ticks of the server's clock a session lives without a KeepAlive
  int drift = 1;         // d: the clock drift bound the environment guarantees
  int renew_before = 1;  // a client renews when at most this many ticks of its lease are left
  Variant variant = Variant::kCorrect;

  NodeId server_id(int index) const { return index; }
  NodeId client_id(int client) const { return servers + client; }
  NodeId resource_id() const { return servers + clients; }
  int node_count() const { return servers + clients + 1; }
  bool is_server(NodeId id) const { return id >= 0 && id < servers; }
  bool is_client(NodeId id) const { return id >= servers && id < servers + clients; }
  int client_of(NodeId id) const { return id - servers; }
  // How long a client trusts a lease, on its own clock, from its request.
  int trusted_lease() const {
    return variant == Variant::kNoDriftMargin ? lease : lease - 2 * drift;
  }
};

// ---------------------------------------------------------------------------
// The replicated state machine.

struct Command {
  enum class Op : uint8_t { kAcquire = 1, kKeepAlive = 2, kRelease = 3, kExpire = 4 };
  Op op = Op::kAcquire;
  uint8_t client = 0;

  uint8_t encode() const { return static_cast<uint8_t>(static_cast<uint8_t>(op) << 4 | client); }
  static Command decode(uint8_t value);
  std::string label() const;
  auto operator<=>(const Command&) const = default;
};

class LockTable {
 public:
  // An ephemeral sequential node under the lock path, "lock-<seq>".
  struct Seat {
    uint8_t seq = 0;
    uint8_t client = 0;
    auto operator<=>(const Seat&) const = default;
  };
  // What applying a command did, for the server's replies.
  struct Applied {
    bool alive = false;  // the command's session is alive after it
    uint8_t woken = 0;   // bit c: client c's watch fired
  };

  Applied apply(const Command& command, bool herd);

  bool live(int client) const { return (live_ >> client & 1) != 0; }
  bool ended(int client) const { return (ended_ >> client & 1) != 0; }
  int8_t holder() const { return holder_; }
  uint8_t holder_seq() const { return holder_seq_; }
  uint8_t generation() const { return generation_; }  // the token of the latest grant
  int queue_size() const { return size_; }
  const Seat& seat(int i) const { return queue_[static_cast<size_t>(i)]; }
  // The largest number of clients a single deletion woke (a statistic of
  // the run, for the herd comparison).
  uint8_t max_wakeups() const { return max_wakeups_; }
  // The client whose node comes just before `client`'s, or kNobody.
  int8_t predecessor(int client) const;

  auto operator<=>(const LockTable&) const = default;
  bool operator==(const LockTable&) const = default;
  void hash(StableHasher& hasher) const;
  std::string label() const;

 private:
  void delete_seat(int client, bool herd, Applied& applied);
  void regrant();

  uint8_t live_ = 0;   // bit c: client c's session is open
  uint8_t ended_ = 0;  // bit c: client c's session was released or expired
  // By sequence number, size_ of them; Invariant: one seat per live client at most.
  std::array<Seat, kMaxClients> queue_{};
  uint8_t size_ = 0;
  uint8_t next_seq_ = 0;
  uint8_t generation_ = 0;
  int8_t holder_ =
      kNobody;  // Invariant: the client of queue_[0], or kNobody when the queue is empty
  uint8_t holder_seq_ = 0;
  uint8_t max_wakeups_ = 0;
};

// ---------------------------------------------------------------------------
// Messages and the nodes.

enum class MessageType : uint8_t {
  kAcquire,    // client -> servers
  kKeepAlive,  // client -> servers
  kRelease,    // client -> servers
  kReply,      // server -> client: the answer to a request
  kWakeup,     // server -> client: a watch fired
  kWrite,      // client -> resource, with the client's token
  kRaft,       // server -> server
};
std::string_view to_string(MessageType type);

// The fields a type does not use stay zero.
struct Message {
  MessageType type = MessageType::kAcquire;
  uint8_t start = 0;   // requests, replies: the client's clock when it sent the request
  bool alive = false;  // reply, wakeup: the session is alive
  bool held = false;   // reply, wakeup: the client's node is the lowest
  uint8_t token = 0;   // reply, wakeup: the grant's token when held; write: the token shown
  raft::Message raft{};

  auto operator<=>(const Message&) const = default;
  void hash(StableHasher& hasher) const;
  std::string label() const;
};

using Timer = raft::Timer;
using LockOutbox = Outbox<Message, Timer>;

// A lock server: a Raft server whose committed entries are applied to the
// lock table. With one server there is no log: each command is applied as
// it arrives (a cluster of one commits every entry as it is appended) and the
// table itself is the persistent state.
class LockServer {
 public:
  LockServer() = default;
  LockServer(NodeId id, const Config& config);

  void start(LockOutbox& out);
  void on_tick(uint8_t local, LockOutbox& out);
  void on_message(NodeId from, const Message& message, LockOutbox& out);
  void on_timeout(Timer timer, LockOutbox& out);
  // Crash and recovery: the table is rebuilt from the log (replicated) or
  // kept (a single server); session deadlines restart at a full lease.
  void restart(LockOutbox& out);

  const LockTable& table() const { return table_; }
  const raft::RaftNode& raft() const { return raft_; }
  bool leads() const { return single() || raft_.role() == raft::Role::kLeader; }
  uint8_t local() const { return local_; }
  uint8_t applied() const { return applied_; }
  uint8_t deadline(int client) const { return deadline_[static_cast<size_t>(client)]; }

  auto operator<=>(const LockServer&) const = default;
  bool operator==(const LockServer&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  bool single() const { return servers_ == 1; }
  void on_request(int client, const Message& message, LockOutbox& out);
  void propose(const Command& command, LockOutbox& out);
  void apply(const Command& command, bool own_entry, LockOutbox& out);
  void apply_committed(LockOutbox& out);
  void after_raft_step(bool led_before, LockOutbox& out);
  void refresh_all();
  void forward_raft(const raft::RaftOutbox& raft_out, LockOutbox& out) const;

  NodeId id_ = 0;
  uint8_t servers_ = 1;
  uint8_t clients_ = 0;
  uint8_t lease_ = 0;
  bool herd_ = false;
  raft::RaftNode raft_;
  LockTable table_;
  uint8_t applied_ = 0;  // log entries applied to table_ (replicated)
  uint8_t local_ = 0;    // the last clock reading on_tick gave
  // Volatile: the server-clock reading at which each live session expires,
  // unless renewed. Refreshed when a leader appends (or a single server
  // applies) an Acquire or KeepAlive, and for every session when a server
  // becomes leader or restarts.
  std::array<uint8_t, kMaxClients> deadline_{};
  // Volatile, leader: the clock reading of the earliest request of each
  // client it has appended and not yet answered (0xff: none).
  std::array<uint8_t, kMaxClients> pending_start_{0xff, 0xff, 0xff, 0xff};
  uint8_t expiring_ = 0;  // bit c: the leader proposed Expire(c), not applied yet
};

enum class ClientStage : uint8_t {
  kIdle,          // no session yet
  kAcquiring,     // Acquire sent, no answer yet
  kWaiting,       // queued behind another node
  kHolding,       // holds the lock (by the server's word) and may use it while the lease lasts
  kAboutToWrite,  // checked the lease; the write comes next (a pause may fall in between)
  kWritten,       // wrote to the resource; releases next
  kDone,          // released, or the session (by the client's clock) ran out
};
std::string_view to_string(ClientStage stage);

// kRetry resends the request in flight (its answer may be lost, or no
// server was leading when it arrived).
enum class ClientInput : uint8_t { kAcquire, kKeepAlive, kCheckLease, kWrite, kRelease, kRetry };
std::string_view to_string(ClientInput input);

class LockClient {
 public:
  LockClient() = default;
  LockClient(NodeId id, const Config& config);

  void on_tick(uint8_t local, LockOutbox& out);
  void on_message(NodeId from, const Message& message, LockOutbox& out);
  void inputs(std::vector<ClientInput>& out) const;
  void on_input(ClientInput input, LockOutbox& out);

  ClientStage stage() const { return stage_; }
  uint8_t token() const { return token_; }
  uint8_t lease_end() const { return lease_end_; }
  uint8_t local() const { return local_; }
  // The client thinks it holds the lock at clock reading `clock`: the
  // server said so and its own lease has not run out.
  bool believes_held(uint8_t clock) const {
    return (stage_ == ClientStage::kHolding || stage_ == ClientStage::kAboutToWrite ||
            stage_ == ClientStage::kWritten) &&
           clock < lease_end_;
  }

  auto operator<=>(const LockClient&) const = default;
  bool operator==(const LockClient&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  bool has_session() const {
    return stage_ == ClientStage::kWaiting || stage_ == ClientStage::kHolding ||
           stage_ == ClientStage::kAboutToWrite || stage_ == ClientStage::kWritten;
  }
  void send_to_servers(const Message& message, LockOutbox& out) const;

  uint8_t servers_ = 1;
  NodeId resource_ = 0;
  uint8_t trusted_ = 0;
  uint8_t renew_before_ = 0;
  ClientStage stage_ = ClientStage::kIdle;
  uint8_t local_ = 0;
  uint8_t lease_end_ = 0;  // Invariant: the client uses the lock only while local_ < lease_end_
  uint8_t token_ = 0;
  bool renewing_ = false;  // a request is in flight
  // Acquiring: a wakeup said the lock is ours before the Acquire's answer
  // (which carries the lease) arrived.
  bool granted_early_ = false;
};

// The protected resource: a storage server that accepts a write only with
// a token at least as large as the largest it has seen (unless the
// no-fencing variant ignores tokens).
class Resource {
 public:
  Resource() = default;
  explicit Resource(const Config& config) : fencing_(config.variant != Variant::kNoFencing) {}

  // Returns whether the write was accepted.
  bool on_write(uint8_t token);

  uint8_t max_token() const { return max_token_; }
  uint8_t accepted() const { return accepted_; }
  uint8_t rejected() const { return rejected_; }

  auto operator<=>(const Resource&) const = default;
  bool operator==(const Resource&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  bool fencing_ = true;
  uint8_t max_token_ = 0;
  uint8_t accepted_ = 0;
  uint8_t rejected_ = 0;
};

}  // namespace crosscheck::impl::lockservice
