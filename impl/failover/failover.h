// Primary-backup replication with a lease-holding primary, as plain state
// machines: replicas (one primary, the others backups) and clients.
//
// Node ids: replicas 0..R-1, clients R..R+C-1. Replica 0 is the primary of
// epoch 0 and every replica is in its configuration.
//
// Time. A replica reads nothing but its own clock, handed to it by
// on_tick(now) whenever the clock moves (model_check/clocks.h says how the
// harness keeps clocks within `drift` of global time). Clients need no
// clock.
//
// Replication and heartbeats are one message, Append: the primary's whole
// log (a handful of writes), its epoch and configuration, and the primary's
// clock reading when it sent it. The primary sends it to every backup of
// its configuration on each write and every `heartbeat` ticks. A backup in
// that epoch or an earlier one takes the log (a longer one within an
// epoch, any log of a newer epoch), answers AppendAck with the length it
// holds and the Append's send time, and promises not to promote itself for
// `lease` ticks of its own clock from then. A backup of a newer epoch
// answers AppendReject, which deposes the sender.
//
// The lease. The primary trusts its lease until its clock reads
// s + lease - 2 * drift, where s is the send time of the newest Append every
// backup of the configuration has acknowledged: a backup's clock may
// measure an interval short by up to drift and the primary's long by up to
// drift (model_check/clocks.h), so the backup's promise outlasts the
// trusted lease in global time. The primary serves reads only while its
// lease is valid.
//
// Promotion. The successor (the lowest-numbered backup of the
// configuration) promotes itself once its promise has run out on its own
// clock: a new epoch, the configuration without the old primary, and its
// own log. It serves reads once every entry it took over is replicated to
// its own backups, and it, too, holds a lease only once they acknowledge.
//
// Writes are acknowledged to the client once every backup of the current
// configuration holds them (the entry is committed); reads answer the
// value of the last committed entry.
//
// Clients send each request to every replica and take the first answer;
// replicas that are not primary ignore requests. Write values are unique
// in a run, so a stale read is told from a fresh one.
//
// Left out: crash-and-restart (a crashed replica stays down), adding a
// replica back to a configuration, and removing a dead backup without a
// failover (a primary whose backup is down commits nothing more).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "impl/common/hash.h"
#include "impl/common/outbox.h"

namespace crosscheck::impl::failover {

constexpr int kMaxReplicas = 3;  // a primary and up to two backups
constexpr int kMaxClients = 3;
constexpr int kMaxLog = 6;  // writes in a run, at most

// Known-buggy variants.
enum class Variant : uint8_t {
  kCorrect,
  // A backup promotes itself as soon as a heartbeat is overdue (its clock
  // reads `heartbeat` + 1 ticks past the last Append it took), without
  // waiting out the lease it granted: two primaries at once, one of them
  // answering reads from the past (Redis Sentinel, Jepsen 2013).
  kPromoteOnMissedHeartbeat,
  // The primary acknowledges a write as soon as it appends it, before any
  // backup holds it, and reads answer its latest entry: a failover loses
  // the acknowledged write.
  kAckBeforeReplicate,
};

std::string_view to_string(Variant variant);

struct Config {
  uint8_t replicas = 2;  // the primary and its backups
  uint8_t clients = 1;
  uint8_t ops = 2;        // requests each client issues, one at a time
  uint8_t heartbeat = 2;  // ticks between a primary's Appends when no write comes
  uint8_t lease = 5;      // ticks of its own clock a backup promises after acknowledging
  uint8_t drift = 1;      // the bound the clocks keep (model_check/clocks.h)
  Variant variant = Variant::kCorrect;

  NodeId client_id(int client) const { return replicas + client; }
  int client_index(NodeId id) const { return id - replicas; }
  int node_count() const { return replicas + clients; }
  // Ticks of its own clock a primary trusts a lease, from the Append's send.
  int trusted_lease() const { return lease - 2 * drift; }
  // Unique in a run: client c's request q (from 1) writes c * ops + q.
  uint8_t write_value(int client, int seq) const {
    return static_cast<uint8_t>(client * ops + seq);
  }
  bool valid() const;
  auto operator<=>(const Config&) const = default;
};

// One write in the log.
struct Entry {
  uint8_t client = 0;  // the client's index
  uint8_t seq = 0;     // its request number, from 1
  uint8_t value = 0;
  auto operator<=>(const Entry&) const = default;
};

struct Log {
  uint8_t size = 0;
  std::array<Entry, kMaxLog> entries{};
  bool contains(uint8_t client, uint8_t seq) const;
  int index_of(uint8_t client, uint8_t seq) const;  // -1 if absent
  // The value after the first `length` entries (0: nothing written).
  uint8_t value_at(int length) const { return length == 0 ? 0 : entries[length - 1].value; }
  auto operator<=>(const Log&) const = default;
  bool operator==(const Log&) const = default;
  std::string label() const;  // "[1,2]"
};

enum class MessageType : uint8_t {
  kAppend,
  kAppendAck,
  kAppendReject,
  kWrite,
  kRead,
  kWriteReply,
  kReadReply
};
std::string_view to_string(MessageType type);

// The fields a type does not use stay zero.
struct Message {
  MessageType type = MessageType::kAppend;
  uint8_t epoch = 0;    // Append, AppendAck, AppendReject
  uint8_t sent_at = 0;  // Append: the primary's clock at sending; AppendAck: echoed
  uint8_t members = 0;  // Append: the configuration, a bit set of replicas
  uint8_t length = 0;   // AppendAck: the log length the backup holds
  uint8_t seq = 0;      // client requests and replies
  uint8_t value = 0;    // Write: the value; ReadReply: the value read (0: none)
  Log log;              // Append

  static Message append(uint8_t epoch, uint8_t sent_at, uint8_t members, const Log& log);
  static Message append_ack(uint8_t epoch, uint8_t sent_at, uint8_t length);
  static Message append_reject(uint8_t epoch);
  static Message write(uint8_t seq, uint8_t value);
  static Message read(uint8_t seq);
  static Message write_reply(uint8_t seq);
  static Message read_reply(uint8_t seq, uint8_t value);

  auto operator<=>(const Message&) const = default;
  bool operator==(const Message&) const = default;
  void hash(StableHasher& hasher) const;
  std::string label() const;
};

enum class Timer : uint8_t { kNone };  // time comes through on_tick only
using FailoverOutbox = Outbox<Message, Timer>;

enum class Role : uint8_t { kPrimary, kBackup, kDeposed };
std::string_view to_string(Role role);

class Replica {
 public:
  Replica() = default;
  Replica(NodeId id, const Config& config);

  // The replica's clock reads `now` (never less than before).
  void on_tick(uint8_t now, FailoverOutbox& out);
  void on_message(NodeId from, const Message& m, FailoverOutbox& out);

  NodeId id() const { return id_; }
  Role role() const { return role_; }
  uint8_t epoch() const { return epoch_; }
  uint8_t members() const { return members_; }
  uint8_t now() const { return now_; }
  const Log& log() const { return log_; }
  uint8_t committed() const { return committed_; }
  uint8_t promised_until() const { return promised_until_; }
  // A primary whose lease holds when its clock reads `clock`.
  bool lease_valid_at(uint8_t clock) const;
  // The last clock reading at which the lease holds, or -1 (none yet).
  int lease_end() const;
  // A primary that has heard from backup `from` of an Append sent at
  // `sent_at` or later and of `length` entries or more: an AppendAck saying
  // no more changes nothing.
  bool acknowledged_by(NodeId from, uint8_t sent_at, uint8_t length) const;
  // The backup that promotes itself if this configuration's primary fails.
  NodeId successor() const;

  auto operator<=>(const Replica&) const = default;
  bool operator==(const Replica&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  bool is_backup_member(NodeId r) const { return r != primary_ && (members_ >> r & 1) != 0; }
  void send_appends(FailoverOutbox& out);
  void promote(FailoverOutbox& out);
  void advance_commit(FailoverOutbox& out);
  void on_append(NodeId from, const Message& m, FailoverOutbox& out);
  void on_append_ack(NodeId from, const Message& m, FailoverOutbox& out);
  void on_write(NodeId from, const Message& m, FailoverOutbox& out);
  void on_read(NodeId from, const Message& m, FailoverOutbox& out);
  // The log length whose value reads answer, and up to which writes are acknowledged.
  uint8_t acknowledged() const;
  void check_invariants() const;

  NodeId id_ = 0;
  Config config_;
  Role role_ = Role::kBackup;
  uint8_t epoch_ = 0;
  NodeId primary_ = 0;   // the primary of epoch_'s configuration
  uint8_t members_ = 0;  // epoch_'s configuration, primary included
  uint8_t now_ = 0;      // the last clock reading it was given
  Log log_;
  // Primary: entries every backup holds. Invariant: committed_ <= log_.size.
  uint8_t committed_ = 0;
  // Primary: the log length it took over at promotion; reads wait until it is committed.
  uint8_t inherited_ = 0;
  uint8_t next_heartbeat_ = 0;  // primary: the clock reading of its next Append
  uint8_t granted_ = 0;         // primary: backups that acknowledged an Append of the epoch
  std::array<uint8_t, kMaxReplicas>
      lease_from_{};  // primary: per backup, the newest acknowledged send time
  std::array<uint8_t, kMaxReplicas>
      acked_{};                 // primary: per backup, the log length it acknowledged
  uint8_t last_heard_ = 0;      // backup: its clock when it last took an Append
  uint8_t promised_until_ = 0;  // backup: it does not promote before its clock reads this
};

// A client issues its requests one at a time, each to every replica, and
// takes the first answer to it.
class Client {
 public:
  Client() = default;
  Client(int index, const Config& config);

  bool can_issue() const { return outstanding_ == 0 && issued_ < config_.ops; }
  void issue(bool write, FailoverOutbox& out);
  void on_message(NodeId from, const Message& m, FailoverOutbox& out);

  int index() const { return index_; }
  int issued() const { return issued_; }
  uint8_t outstanding() const { return outstanding_; }  // its seq, 0 when idle
  bool outstanding_write() const { return outstanding_write_; }
  uint8_t last_answer() const { return last_answer_; }

  auto operator<=>(const Client&) const = default;
  bool operator==(const Client&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  int index_ = 0;
  Config config_;
  uint8_t issued_ = 0;
  uint8_t outstanding_ = 0;
  bool outstanding_write_ = false;
  uint8_t last_answer_ = 0;  // the value the last read returned
};

}  // namespace crosscheck::impl::failover
