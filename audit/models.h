// The sequential specifications a history is judged against, as Knossos
// and Jepsen name them. Each is a struct of static members:
//
//   kName, kSummary                        as `crosscheck audit --model` names it
//   kOperations                            the :f names it knows, in order
//   kKeys                                  whether operations may or must
//                                          name a key (KeyForm)
//   using State;                           a value type with ==
//   static State initial();
//   static std::string shape(int f, const Value& argument, const Value* result);
//       What is wrong with an operation's values ("" when nothing): the
//       invocation's argument and, for a completed operation, its result.
//   static bool read_only(int f);          changes no state: an indeterminate
//                                          one is dropped before the search
//   static bool step(State&, const Call&);
//       Applies the call. False when its recorded result is not what the
//       object answers in that state; never false for an indeterminate
//       call (result null), which is applied with the result unknown.
//   static std::string expected(const State&, const Call&);
//       What the object would answer there, in words.
//   static std::string state_text(const State&);
//   static uint64_t hash(const State&);
//   static size_t bytes(const State&);
//
// Keys are independent objects (P-compositionality): the key comes from
// the operation's :key, or from Jepsen's independent tuples [k v] when every
// invocation's value is one.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "audit/value.h"

namespace crosscheck::audit {

// One operation as a model sees it: its :f (an index into kOperations),
// its process, the invocation's value and the completion's (null while the
// result is unknown), with any key taken out.
struct Call {
  int f = 0;
  int64_t process = 0;
  const Value* argument = nullptr;
  const Value* result = nullptr;
  bool operator==(const Call&) const = default;
};

enum class KeyForm { kOptional, kRequired };

// What the models whose state is one Value share.
struct ValueStateModel {
  using State = Value;
  static std::string state_text(const State& state) { return state.edn(); }
  static uint64_t hash(const State& state) { return state.hash(); }
  static size_t bytes(const State& state) { return state.bytes(); }
};

// A read/write register, initially nil.
struct RegisterModel : ValueStateModel {
  static constexpr std::string_view kName = "register";
  static constexpr std::string_view kSummary = "read/write register, initially nil";
  static constexpr std::array<std::string_view, 2> kOperations = {"read", "write"};
  static constexpr KeyForm kKeys = KeyForm::kOptional;
  static State initial() { return Value::nil(); }
  static std::string shape(int f, const Value& argument, const Value* result);
  static bool read_only(int f) { return f == 0; }
  static bool step(State& state, const Call& call);
  static std::string expected(const State& state, const Call& call);
};

// A register with compare-and-set, as Jepsen's etcd and ZooKeeper tests
// use it: read, write v, cas [old new] (:ok when it set; :fail when the
// comparison failed, and then it did not take effect).
struct CasRegisterModel : RegisterModel {
  static constexpr std::string_view kName = "cas-register";
  static constexpr std::string_view kSummary =
      "register with compare-and-set [old new], initially nil";
  static constexpr std::array<std::string_view, 3> kOperations = {"read", "write", "cas"};
  static std::string shape(int f, const Value& argument, const Value* result);
  static bool step(State& state, const Call& call);
  static std::string expected(const State& state, const Call& call);
};

// A map of independent string keys to string values: get (nil when
// absent), put v, append s (concatenates; onto nothing, it is s).
struct KvModel : ValueStateModel {
  static constexpr std::string_view kName = "kv";
  static constexpr std::string_view kSummary = "string keys to string values: get, put, append";
  static constexpr std::array<std::string_view, 3> kOperations = {"get", "put", "append"};
  static constexpr KeyForm kKeys = KeyForm::kRequired;
  static State initial() { return Value::nil(); }
  static std::string shape(int f, const Value& argument, const Value* result);
  static bool read_only(int f) { return f == 0; }
  static bool step(State& state, const Call& call);
  static std::string expected(const State& state, const Call& call);
};

// A set, initially empty: add v, read (answers every element, in any
// order).
struct SetModel : ValueStateModel {
  static constexpr std::string_view kName = "set";
  static constexpr std::string_view kSummary = "set, initially empty: add v, read";
  static constexpr std::array<std::string_view, 2> kOperations = {"add", "read"};
  static constexpr KeyForm kKeys = KeyForm::kOptional;
  // The state: a set.
  static State initial() { return Value::of_set({}); }
  static std::string shape(int f, const Value& argument, const Value* result);
  static bool read_only(int f) { return f == 1; }
  static bool step(State& state, const Call& call);
  static std::string expected(const State& state, const Call& call);
};

// A FIFO queue, initially empty: enqueue v, dequeue (answers the oldest
// element, or nil when empty).
struct FifoQueueModel : ValueStateModel {
  static constexpr std::string_view kName = "fifo-queue";
  static constexpr std::string_view kSummary =
      "FIFO queue, initially empty: enqueue v, dequeue (nil when empty)";
  static constexpr std::array<std::string_view, 2> kOperations = {"enqueue", "dequeue"};
  static constexpr KeyForm kKeys = KeyForm::kOptional;
  // The state: a vector, oldest first.
  static State initial() { return Value::of_vector({}); }
  static std::string shape(int f, const Value& argument, const Value* result);
  static bool read_only(int) { return false; }
  static bool step(State& state, const Call& call);
  static std::string expected(const State& state, const Call& call);
};

// A mutex, initially free: acquire (only when free), release (only when
// held).
struct MutexModel {
  static constexpr std::string_view kName = "mutex";
  static constexpr std::string_view kSummary = "mutex, initially free: acquire, release";
  static constexpr std::array<std::string_view, 2> kOperations = {"acquire", "release"};
  static constexpr KeyForm kKeys = KeyForm::kOptional;
  using State = bool;  // held
  static State initial() { return false; }
  static std::string shape(int f, const Value& argument, const Value* result);
  static bool read_only(int) { return false; }
  static bool step(State& state, const Call& call);
  static std::string expected(const State& state, const Call& call);
  static std::string state_text(const State& state) { return state ? "held" : "free"; }
  static uint64_t hash(const State& state) { return state ? 0x5eed : 0xf4ee; }
  static size_t bytes(const State&) { return sizeof(State); }
};

// The client operations of the project's lock service (docs/lockservice.md):
// acquire answers a fencing token; release; write T (or [T data]) to the
// protected resource, :ok when the resource accepted token T. A session may
// expire at any time, so a grant does not wait for a release; what must
// hold is that tokens grow with every grant, and that the resource accepts
// only granted tokens, never one below a token it accepted before.
struct LockServiceModel {
  static constexpr std::string_view kName = "lockservice";
  static constexpr std::string_view kSummary =
      "the lock service's clients: acquire -> fencing token, release, write token to the resource";
  static constexpr std::array<std::string_view, 3> kOperations = {"acquire", "release", "write"};
  static constexpr KeyForm kKeys = KeyForm::kOptional;
  struct State {
    int64_t granted = 0;        // the largest token granted with a known value
    int64_t unknown_after = 0;  // grants since then whose tokens nobody saw
    int64_t accepted = 0;       // the largest token the resource accepted
    bool operator==(const State&) const = default;
  };
  static State initial() { return {}; }
  static std::string shape(int f, const Value& argument, const Value* result);
  static bool read_only(int f) { return f == 1; }
  static bool step(State& state, const Call& call);
  static std::string expected(const State& state, const Call& call);
  static std::string state_text(const State& state);
  static uint64_t hash(const State& state);
  static size_t bytes(const State&) { return sizeof(State); }
};

struct ModelInfo {
  std::string name;
  std::string summary;
  std::vector<std::string> operations;
};

// Every model, in the order `crosscheck audit --help` lists them.
const std::vector<ModelInfo>& models();

}  // namespace crosscheck::audit
