// The ABD atomic register (Attiya, Bar-Noy & Dolev, "Sharing memory
// robustly in message-passing systems", 1995), in its multi-writer form: a
// read/write register replicated on N servers, each keeping one value and
// its tag. Tags are (sequence, writer) pairs ordered lexicographically, so
// two writers never make the same tag.
//
// A client operation takes two phases, each waiting for a majority:
//   query:  ask every server for its (tag, value); keep the highest.
//   update: send a (tag, value) to every server; a server keeps it when its
//           tag is higher than its own; every server acknowledges.
// A write queries for the highest tag and updates with (sequence + 1, its
// own writer number) and its value. A read queries, then writes back the
// highest (tag, value) it saw before returning its value: once a read
// returns a value, a majority holds it, so no later read returns an older
// one.
//
// Plain state machines: every input is a method call that writes its
// effects (messages) to an outbox. A client also tells its application
// when an operation is invoked and when it returns, as a message to itself
// (Invoke, Return); the model checker records those as the history.
//
// Node ids: servers 0..N-1, then the writers, then the readers.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "impl/common/hash.h"
#include "impl/common/outbox.h"

namespace abd {

using crosscheck::NodeId;
using crosscheck::StableHasher;

constexpr int kMaxServers = 5;
constexpr int kMaxWriters = 3;
constexpr int kMaxReaders = 3;
constexpr int kMaxOperations = 3;  // per client

// The register's value; 0 is the initial one. Writer w's k-th write
// writes 10 * w + k, so every write's value is its own.
using Value = int8_t;

struct Tag {
  uint8_t sequence = 0;
  uint8_t writer = 0;  // 0 only in the initial value's tag
  auto operator<=>(const Tag&) const = default;
  std::string text() const;
};

enum class MessageType : uint8_t {
  kQuery,       // client -> server: your tag and value?
  kQueryReply,  // server -> client: tag, value
  kUpdate,      // client -> server: keep tag, value if newer
  kUpdateAck,   // server -> client
  kInvoke,      // client -> itself: an operation begins (write: value)
  kReturn,      // client -> itself: it returns (read: the value read)
};

struct Message {
  MessageType type = MessageType::kQuery;
  // The client's operation number: a reply to an earlier operation, or to
  // the other phase, is stale and ignored.
  uint8_t operation = 0;
  bool write = false;  // Invoke and Return: a write (or else a read)
  Tag tag;             // QueryReply, Update
  Value value = 0;     // QueryReply, Update; Invoke and Return: the value written or read
  auto operator<=>(const Message&) const = default;
  void hash(StableHasher& hasher) const;
  std::string label() const;
};

enum class Timer : uint8_t { kNone };  // ABD needs no timer
using AbdOutbox = crosscheck::Outbox<Message, Timer>;

// A known-buggy variant, for the checker to catch.
enum class Variant : uint8_t {
  kCorrect,
  // A read returns the highest value of its query phase without writing it
  // back: a later read may meet a majority that has not seen it and return
  // an older value (a new-old inversion).
  kNoWriteBack,
};

struct Config {
  int servers = 3;
  int writers = 1;
  int readers = 2;
  int writes = 1;  // per writer
  int reads = 1;   // per reader
  Variant variant = Variant::kCorrect;

  bool valid() const;
  int majority() const { return servers / 2 + 1; }
  int node_count() const { return servers + writers + readers; }
  bool is_server(NodeId id) const { return id < servers; }
  bool is_writer(NodeId id) const { return id >= servers && id < servers + writers; }
};

// A replica of the register. Its tag and value are its stable storage: a
// restart keeps them.
class Server {
 public:
  void on_message(NodeId from, const Message& message, AbdOutbox& out);
  void restart() {}

  Tag tag() const { return tag_; }
  Value value() const { return value_; }
  bool operator==(const Server&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  Tag tag_;
  Value value_ = 0;
};

// A writer or a reader: one operation at a time, each a query phase and
// an update phase.
class Client {
 public:
  enum class Phase : uint8_t { kIdle, kQuery, kUpdate };

  Client(const Config& config, NodeId self);

  // Whether it can begin an operation: idle, with operations left.
  bool can_invoke() const { return phase_ == Phase::kIdle && operations_left_ > 0; }
  bool writer() const { return writer_number_ != 0; }
  Value next_write_value() const;
  void invoke(AbdOutbox& out);
  void on_message(NodeId from, const Message& message, AbdOutbox& out);
  // A client keeps nothing across a crash: its operation in progress never
  // returns, and it invokes no other.
  void restart();

  Phase phase() const { return phase_; }
  int operation() const { return operation_; }    // operations invoked so far
  uint8_t answered() const { return answered_; }  // bit s: server s answered this phase
  Tag tag() const { return tag_; }
  Value value() const { return value_; }
  bool operator==(const Client&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  Value write_value(int operation) const {
    return static_cast<Value>(10 * writer_number_ + operation);
  }
  void on_query_reply(const Message& reply, AbdOutbox& out);
  void on_update_ack(AbdOutbox& out);
  void begin_update(AbdOutbox& out);
  void finish(AbdOutbox& out);
  void broadcast(Message message, AbdOutbox& out) const;

  NodeId self_ = 0;
  uint8_t servers_ = 0;
  uint8_t majority_ = 0;
  uint8_t writer_number_ = 0;  // 1.. for a writer, 0 for a reader
  Variant variant_ = Variant::kCorrect;
  uint8_t operations_left_ = 0;
  uint8_t operation_ = 0;  // operations invoked so far; the current one's number
  Phase phase_ = Phase::kIdle;
  uint8_t answered_ = 0;
  // Query phase: the highest (tag, value) answered so far. Update phase:
  // the (tag, value) being stored.
  Tag tag_;
  Value value_ = 0;
};

std::string_view to_string(Client::Phase phase);

}  // namespace abd
