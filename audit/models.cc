#include "audit/models.h"

#include "impl/common/hash.h"

namespace crosscheck::audit {

namespace {

std::string answer_text(const Value* result) { return result ? result->edn() : "?"; }

// A collection read as a set: its elements, sorted, without repeats.
Value as_set(const Value& collection) { return Value::of_set(collection.items); }

}  // namespace

// register

std::string RegisterModel::shape(int, const Value&, const Value*) { return ""; }

bool RegisterModel::step(State& state, const Call& call) {
  if (call.f == 0) return call.result == nullptr || *call.result == state;
  state = *call.argument;
  return true;
}

std::string RegisterModel::expected(const State& state, const Call& call) {
  if (call.f == 0)
    return "the register holds " + state.edn() + ", so a read answers " + state.edn();
  return "the register holds " + state.edn();
}

// cas-register

std::string CasRegisterModel::shape(int f, const Value& argument, const Value*) {
  if (f == 2 && !argument.is_pair()) return "a :cas value is [old new], not " + argument.edn();
  return "";
}

bool CasRegisterModel::step(State& state, const Call& call) {
  if (call.f != 2) return RegisterModel::step(state, call);
  const Value& old_value = call.argument->items[0];
  if (!(state == old_value)) return call.result == nullptr;  // an unknown cas that did not set
  state = call.argument->items[1];
  return true;
}

std::string CasRegisterModel::expected(const State& state, const Call& call) {
  if (call.f == 2 && !(state == call.argument->items[0]))
    return "the register holds " + state.edn() + ", not " + call.argument->items[0].edn() +
           ", so the cas cannot set";
  return RegisterModel::expected(state, call);
}

// kv

std::string KvModel::shape(int f, const Value& argument, const Value* result) {
  if (f == 0 && result != nullptr && !result->is_nil() && !result->is_string())
    return "a :get answers a string or nil, not " + result->edn();
  if (f != 0 && !argument.is_string())
    return std::string("a :") + std::string(kOperations[f]) + " value is a string, not " +
           argument.edn();
  return "";
}

bool KvModel::step(State& state, const Call& call) {
  switch (call.f) {
    case 0: return call.result == nullptr || *call.result == state;
    case 1: state = *call.argument; return true;
    default:
      state = Value::of_string((state.is_nil() ? std::string() : state.text) + call.argument->text);
      return true;
  }
}

std::string KvModel::expected(const State& state, const Call& call) {
  const std::string holds = state.is_nil() ? "the key is absent" : "the key holds " + state.edn();
  return call.f == 0 ? holds + ", so a get answers " + state.edn() : holds;
}

// set

std::string SetModel::shape(int f, const Value&, const Value* result) {
  if (f == 1 && result != nullptr && !result->is_collection())
    return "a :read of a set answers a collection, not " + result->edn();
  return "";
}

bool SetModel::step(State& state, const Call& call) {
  if (call.f == 1) return call.result == nullptr || as_set(*call.result) == state;
  std::vector<Value> items = state.items;
  items.push_back(*call.argument);
  state = Value::of_set(std::move(items));
  return true;
}

std::string SetModel::expected(const State& state, const Call& call) {
  if (call.f == 1) return "the set holds " + state.edn() + ", not " + as_set(*call.result).edn();
  return "the set holds " + state.edn();
}

// fifo-queue

std::string FifoQueueModel::shape(int, const Value&, const Value*) { return ""; }

bool FifoQueueModel::step(State& state, const Call& call) {
  if (call.f == 0) {
    state.items.push_back(*call.argument);
    return true;
  }
  if (state.items.empty()) return call.result == nullptr || call.result->is_nil();
  if (call.result != nullptr && !(*call.result == state.items.front())) return false;
  state.items.erase(state.items.begin());
  return true;
}

std::string FifoQueueModel::expected(const State& state, const Call& call) {
  if (call.f == 1 && state.items.empty()) return "the queue is empty, so a dequeue answers nil";
  if (call.f == 1)
    return "the queue holds " + state.edn() + ", so a dequeue answers " +
           state.items.front().edn() + ", not " + answer_text(call.result);
  return "the queue holds " + state.edn();
}

// mutex

std::string MutexModel::shape(int, const Value&, const Value*) { return ""; }

bool MutexModel::step(State& state, const Call& call) {
  const bool acquire = call.f == 0;
  if (state == acquire) return call.result == nullptr;  // acquire when held, release when free
  state = acquire;
  return true;
}

std::string MutexModel::expected(const State& state, const Call& call) {
  if (call.f == 0 && state) return "the mutex is held, so it cannot be acquired";
  if (call.f == 1 && !state) return "the mutex is free, so it cannot be released";
  return std::string("the mutex is ") + (state ? "held" : "free");
}

// lockservice

namespace {

// The token a write shows: T, or the first of [T data].
const Value& shown_token(const Value& argument) {
  return argument.is_vector() && !argument.items.empty() ? argument.items[0] : argument;
}

}  // namespace

std::string LockServiceModel::shape(int f, const Value& argument, const Value* result) {
  if (f == 0 && result != nullptr && !result->is_int())
    return "an :acquire answers its fencing token, an integer, not " + result->edn();
  if (f == 2 && !shown_token(argument).is_int())
    return "a :write value is its token T or [T data], with T an integer, not " + argument.edn();
  return "";
}

bool LockServiceModel::step(State& state, const Call& call) {
  if (call.f == 1) return true;
  if (call.f == 0) {
    if (call.result == nullptr) {
      ++state.unknown_after;
      return true;
    }
    // Each unknown grant in between took a token of its own.
    if (call.result->integer <= state.granted + state.unknown_after) return false;
    state.granted = call.result->integer;
    state.unknown_after = 0;
    return true;
  }
  const int64_t token = shown_token(*call.argument).integer;
  const bool granted = token <= state.granted || state.unknown_after > 0;
  if (!granted || token < state.accepted) return call.result == nullptr;  // rejected: no effect
  state.accepted = token;
  return true;
}

std::string LockServiceModel::expected(const State& state, const Call& call) {
  if (call.f == 0)
    return "tokens granted so far reach " + std::to_string(state.granted + state.unknown_after) +
           ", so a new grant's token is larger";
  if (call.f == 2) {
    const int64_t token = shown_token(*call.argument).integer;
    if (token < state.accepted)
      return "the resource accepted token " + std::to_string(state.accepted) +
             " before, so it rejects " + std::to_string(token);
    return "token " + std::to_string(token) + " was never granted (the largest is " +
           std::to_string(state.granted) + ")";
  }
  return state_text(state);
}

std::string LockServiceModel::state_text(const State& state) {
  std::string text = "granted " + std::to_string(state.granted);
  if (state.unknown_after > 0) text += " (+" + std::to_string(state.unknown_after) + " unseen)";
  return text + ", accepted " + std::to_string(state.accepted);
}

uint64_t LockServiceModel::hash(const State& state) {
  return StableHasher()
      .add(static_cast<uint64_t>(state.granted))
      .add(static_cast<uint64_t>(state.unknown_after))
      .add(static_cast<uint64_t>(state.accepted))
      .digest();
}

namespace {

template <class Model>
ModelInfo info() {
  ModelInfo model{std::string(Model::kName), std::string(Model::kSummary), {}};
  for (std::string_view f : Model::kOperations) model.operations.emplace_back(f);
  return model;
}

}  // namespace

const std::vector<ModelInfo>& models() {
  static const std::vector<ModelInfo> all = {
      info<RegisterModel>(),  info<CasRegisterModel>(), info<KvModel>(),         info<SetModel>(),
      info<FifoQueueModel>(), info<MutexModel>(),       info<LockServiceModel>()};
  return all;
}

}  // namespace crosscheck::audit
