#include "impl/multipaxos/multipaxos.h"

#include <bit>

#include "impl/common/assert.h"

namespace crosscheck::impl::multipaxos {

uint64_t Command::packed() const {
  return uint64_t{static_cast<uint8_t>(kind)} | uint64_t{client} << 8 | uint64_t{seq} << 16 |
         uint64_t{key} << 24 | uint64_t{value} << 32;
}

std::string Command::label() const {
  const std::string id = "c" + std::to_string(client + 1) + "." + std::to_string(seq);
  const std::string k = "k" + std::to_string(key + 1);
  switch (kind) {
    case CommandKind::kNone: return "none";
    case CommandKind::kNoop: return "noop";
    case CommandKind::kGet: return id + " get " + k;
    case CommandKind::kPut: return id + " put " + k + "=" + std::to_string(value);
  }
  return "?";
}

std::string_view to_string(MessageType type) {
  switch (type) {
    case MessageType::kPrepare: return "Prepare";
    case MessageType::kPromise: return "Promise";
    case MessageType::kAccept: return "Accept";
    case MessageType::kAccepted: return "Accepted";
    case MessageType::kDecide: return "Decide";
    case MessageType::kRequest: return "Request";
    case MessageType::kReply: return "Reply";
  }
  return "?";
}

std::string_view to_string(Timer timer) {
  switch (timer) {
    case Timer::kElection: return "election";
    case Timer::kRetry: return "retry";
  }
  return "?";
}

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kFollower: return "follower";
    case Role::kCandidate: return "candidate";
    case Role::kLeader: return "leader";
  }
  return "?";
}

void Message::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(type)} | uint64_t{static_cast<uint8_t>(ballot)} << 8 |
             uint64_t{slot} << 16 | uint64_t{answer} << 24);
  hasher.add(command.packed());
  if (type != MessageType::kPromise) return;
  for (const Vote& v : votes)
    hasher.add(uint64_t{static_cast<uint8_t>(v.ballot)} | v.command.packed() << 8);
}

std::string Message::label() const {
  const std::string b = "ballot " + std::to_string(ballot);
  const std::string s = "slot " + std::to_string(slot);
  switch (type) {
    case MessageType::kPrepare: return "Prepare(" + b + ")";
    case MessageType::kPromise: {
      std::string text = "Promise(" + b;
      bool voted = false;
      for (int s = 0; s < kMaxSlots; ++s) {
        if (!votes[s].cast()) continue;
        voted = true;
        text += ", slot " + std::to_string(s) + ": " + votes[s].command.label() + " in " +
                std::to_string(votes[s].ballot);
      }
      return text + (voted ? ")" : ", no votes)");
    }
    case MessageType::kAccept: return "Accept(" + b + ", " + s + ", " + command.label() + ")";
    case MessageType::kAccepted: return "Accepted(" + b + ", " + s + ", " + command.label() + ")";
    case MessageType::kDecide: return "Decide(" + s + ", " + command.label() + ")";
    case MessageType::kRequest: return "Request(" + command.label() + ")";
    case MessageType::kReply: {
      std::string result = "ok";
      if (command.kind == CommandKind::kGet)
        result = answer == kAbsent ? "absent" : std::to_string(answer);
      return "Reply(" + command.label() + " -> " + result + ")";
    }
  }
  return "?";
}

Replica::Replica(NodeId id, const Config& config) : id_(id), config_(config) {
  CC_ASSERT(config.replicas >= 1 && config.replicas <= kMaxReplicas);
  CC_ASSERT(config.clients <= kMaxClients);
  CC_ASSERT(config.keys >= 1 && config.keys <= kMaxKeys);
  CC_ASSERT(config.slots >= 1 && config.slots <= kMaxSlots);
  CC_ASSERT(config.max_ballot <= kMaxBallot);
  CC_ASSERT(id >= 0 && id < config.replicas);
}

void Replica::start(MultiPaxosOutbox& out) { arm_election_timer(out); }

int Replica::next_ballot(int8_t above) const {
  int next = id_;
  while (next <= above) next += config_.replicas;
  return next <= config_.max_ballot ? next : kNoBallot;
}

void Replica::arm_election_timer(MultiPaxosOutbox& out) const {
  // A replica with no ballot left under the bound can never lead again;
  // its timer would fire to no effect.
  if (next_ballot(persistent_.promised) != kNoBallot) {
    out.set_timer(Timer::kElection);
  } else {
    out.cancel_timer(Timer::kElection);
  }
}

void Replica::on_timeout(Timer timer, MultiPaxosOutbox& out) {
  CC_ASSERT(timer == Timer::kElection);
  const Persistent before = persistent_;
  // The first ballot it owns above every ballot it has promised, its own
  // included: a ballot is never run twice, even across a crash.
  const int next = next_ballot(persistent_.promised);
  if (next != kNoBallot) become_candidate(static_cast<int8_t>(next), out);
  check_step(before);
}

void Replica::become_candidate(int8_t ballot, MultiPaxosOutbox& out) {
  volatile_.role = Role::kCandidate;
  volatile_.ballot = ballot;
  volatile_.promised_by = 0;
  volatile_.next_slot = 0;
  for (SlotState& slot : volatile_.slots) slot = SlotState{};
  // Should this ballot fail, the timer starts the next one.
  if (next_ballot(ballot) != kNoBallot) out.set_timer(Timer::kElection);
  // Its own promise first: the loopback answers it before the others are
  // sent, and with one replica that promise is the majority.
  out.send(id_, Message::prepare(ballot));
  for (NodeId r = 0; r < config_.replicas; ++r) {
    if (r != id_) out.send(r, Message::prepare(ballot));
  }
}

void Replica::on_message(NodeId from, const Message& m, MultiPaxosOutbox& out) {
  const Persistent before = persistent_;
  switch (m.type) {
    case MessageType::kPrepare: on_prepare(from, m, out); break;
    case MessageType::kPromise: on_promise(from, m, out); break;
    case MessageType::kAccept: on_accept(from, m, out); break;
    case MessageType::kAccepted: on_accepted(from, m, out); break;
    case MessageType::kDecide: on_decide(m, out); break;
    case MessageType::kRequest: on_request(from, m, out); break;
    case MessageType::kReply: CC_ASSERT(false && "replicas are never answered");
  }
  check_step(before);
}

void Replica::step_down(MultiPaxosOutbox& out) {
  volatile_.role = Role::kFollower;
  volatile_.ballot = kNoBallot;
  volatile_.promised_by = 0;
  volatile_.next_slot = 0;
  for (SlotState& slot : volatile_.slots) slot = SlotState{};
  arm_election_timer(out);
}

void Replica::on_prepare(NodeId from, const Message& m, MultiPaxosOutbox& out) {
  if (m.ballot <= persistent_.promised) return;
  persistent_.promised = m.ballot;
  if (volatile_.role != Role::kFollower && m.ballot > volatile_.ballot) step_down(out);
  Message promise = Message::promise(m.ballot);
  for (int s = 0; s < config_.slots; ++s) {
    promise.votes[s] = vote(s);
  }
  out.send(from, std::move(promise));
}

void Replica::on_promise(NodeId from, const Message& m, MultiPaxosOutbox& out) {
  const auto bit = static_cast<uint8_t>(1u << from);
  if (volatile_.role != Role::kCandidate || m.ballot != volatile_.ballot ||
      (volatile_.promised_by & bit))
    return;
  volatile_.promised_by |= bit;
  for (int s = 0; s < config_.slots; ++s) {
    Vote& highest = volatile_.slots[s].highest_reported;
    if (m.votes[s].ballot > highest.ballot) highest = m.votes[s];
  }
  if (std::popcount(volatile_.promised_by) >= config_.quorum()) become_leader(out);
}

void Replica::become_leader(MultiPaxosOutbox& out) {
  volatile_.role = Role::kLeader;
  out.cancel_timer(Timer::kElection);
  // Every slot up to the last one a promise reported a vote in, or this
  // replica learned, is taken; a value voted in there may have been chosen.
  int top = 0;
  for (int s = 0; s < config_.slots; ++s) {
    if (volatile_.slots[s].highest_reported.cast() || !decided(s).empty()) top = s + 1;
  }
  volatile_.next_slot = static_cast<uint8_t>(top);
  for (int s = 0; s < top; ++s) {
    if (!decided(s).empty()) continue;  // already known chosen: nothing to recover
    const Vote& highest = volatile_.slots[s].highest_reported;
    // A slot no promise reported a vote in is a gap: nothing can have been
    // chosen there, and a no-op lets the slots after it be applied.
    propose(static_cast<uint8_t>(s), highest.cast() ? highest.command : Command::noop(), out);
  }
}

void Replica::propose(uint8_t slot, const Command& command, MultiPaxosOutbox& out) {
  SlotState& state = volatile_.slots[slot];
  CC_ASSERT(state.proposed.empty());  // one proposal per slot and ballot
  state.proposed = command;
  state.accepted_by = 0;
  out.send(id_, Message::accept(volatile_.ballot, slot, command));
  for (NodeId r = 0; r < config_.replicas; ++r) {
    if (r != id_) out.send(r, Message::accept(volatile_.ballot, slot, command));
  }
}

void Replica::on_accept(NodeId from, const Message& m, MultiPaxosOutbox& out) {
  if (m.ballot < persistent_.promised) return;
  persistent_.promised = m.ballot;
  persistent_.slots[m.slot].vote = {m.ballot, m.command};
  if (volatile_.role != Role::kFollower && m.ballot > volatile_.ballot) step_down(out);
  out.send(from, Message::accepted(m.ballot, m.slot, m.command));
}

void Replica::on_accepted(NodeId from, const Message& m, MultiPaxosOutbox& out) {
  if (!leads() || m.ballot != volatile_.ballot) return;
  SlotState& state = volatile_.slots[m.slot];
  CC_ASSERT(state.proposed == m.command);  // a vote in its ballot is for what it proposed
  if (!decided(m.slot).empty()) return;
  state.accepted_by |= static_cast<uint8_t>(1u << from);
  if (std::popcount(state.accepted_by) >= config_.quorum()) decide(m.slot, m.command, out);
}

void Replica::decide(uint8_t slot, const Command& command, MultiPaxosOutbox& out) {
  persistent_.slots[slot].decided = command;
  for (NodeId r = 0; r < config_.replicas; ++r) {
    if (r != id_) out.send(r, Message::decide(slot, command));
  }
  apply_decided(out);
}

void Replica::on_decide(const Message& m, MultiPaxosOutbox& out) {
  // A slot learned twice keeps what it learned first: were the two to
  // differ, agreement is broken, which the global properties report.
  if (!decided(m.slot).empty()) return;
  persistent_.slots[m.slot].decided = m.command;
  apply_decided(out);
}

void Replica::apply_decided(MultiPaxosOutbox& out) {
  StateMachine& machine = volatile_.machine;
  while (machine.applied < config_.slots && !decided(machine.applied).empty()) {
    const Command command = decided(machine.applied++);
    if (!command.is_request()) continue;
    StateMachine::Session& session = machine.sessions[command.client];
    // Decided a second time (it was retried): applied once already.
    if (command.seq <= session.seq) continue;
    Answer answer = 0;
    if (command.kind == CommandKind::kPut) {
      machine.values[command.key] = command.value;
    } else {
      answer = machine.values[command.key];
    }
    session = {command.seq, answer};
    if (leads()) out.send(config_.client_id(command.client), Message::reply(command, answer));
  }
}

bool Replica::in_log(const Command& request) const {
  for (int s = 0; s < config_.slots; ++s) {
    if (volatile_.slots[s].proposed.same_request(request) || decided(s).same_request(request))
      return true;
  }
  return false;
}

void Replica::on_request(NodeId from, const Message& m, MultiPaxosOutbox& out) {
  const Command& request = m.command;
  CC_ASSERT(request.is_request() && config_.client_index(from) == request.client);
  if (!leads()) return;  // the client will try another replica
  if (config_.variant == Variant::kLeaderLocalRead && request.kind == CommandKind::kGet &&
      volatile_.machine.applied >= volatile_.next_slot) {
    out.send(from, Message::reply(request, volatile_.machine.values[request.key]));
    return;
  }
  const StateMachine::Session& session = volatile_.machine.sessions[request.client];
  if (request.seq <= session.seq) {
    // Applied already: a retry is answered from the session table and
    // never applied again. An older request's client has moved on.
    if (request.seq == session.seq) out.send(from, Message::reply(request, session.answer));
    return;
  }
  // Proposed or decided but not yet applied: its answer comes when it is.
  if (in_log(request)) return;
  if (volatile_.next_slot >= config_.slots) return;  // the log is full
  propose(volatile_.next_slot++, request, out);
}

void Replica::restart(MultiPaxosOutbox& out) {
  const Persistent before = persistent_;
  volatile_ = Volatile{};
  // The state machine is rebuilt by applying the decided log again; no
  // client is answered, since a follower answers nobody.
  apply_decided(out);
  CC_ASSERT(out.sends().empty());
  arm_election_timer(out);
  check_step(before);
}

void Replica::check_step(const Persistent& before) const {
  CC_ASSERT(persistent_.promised >= before.promised);
  for (int s = 0; s < config_.slots; ++s) {
    CC_ASSERT(vote(s).ballot <= persistent_.promised);
    // A decision is final.
    CC_ASSERT(before.slots[s].decided.empty() || decided(s) == before.slots[s].decided);
  }
  // Decided commands are applied as soon as every slot before them is.
  const int applied = volatile_.machine.applied;
  CC_ASSERT(applied == config_.slots || decided(applied).empty());
  for (int s = 0; s < applied; ++s) CC_ASSERT(!decided(s).empty());
  // A promise above its ballot makes a candidate or leader step down. A
  // leader holds its own promise of its ballot; a candidate, once its
  // Prepare to itself is back.
  if (volatile_.role != Role::kFollower) CC_ASSERT(persistent_.promised <= volatile_.ballot);
  if (leads()) CC_ASSERT(persistent_.promised == volatile_.ballot);
  CC_ASSERT(volatile_.next_slot <= config_.slots);
}

void Replica::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(persistent_.promised)} |
             uint64_t{static_cast<uint8_t>(volatile_.role)} << 8 |
             uint64_t{static_cast<uint8_t>(volatile_.ballot)} << 16 |
             uint64_t{volatile_.promised_by} << 24 | uint64_t{volatile_.next_slot} << 32);
  for (int s = 0; s < config_.slots; ++s) {
    const Vote& v = vote(s);
    const SlotState& slot = volatile_.slots[s];
    hasher.add(uint64_t{static_cast<uint8_t>(v.ballot)} | v.command.packed() << 8);
    hasher.add(decided(s).packed());
    hasher.add(uint64_t{static_cast<uint8_t>(slot.highest_reported.ballot)} |
               slot.highest_reported.command.packed() << 8);
    hasher.add(slot.proposed.packed() | uint64_t{slot.accepted_by} << 40);
  }
  // The state machine is a function of the decided log: nothing to add.
}

Client::Client(NodeId id, const Config& config) : id_(id), config_(config) {
  CC_ASSERT(config.client_index(id) >= 0 && config.client_index(id) < config.clients);
  CC_ASSERT(config.requests * config.clients <= 255);
}

void Client::issue(CommandKind kind, uint8_t key, MultiPaxosOutbox& out) {
  CC_ASSERT(can_issue() && (kind == CommandKind::kGet || kind == CommandKind::kPut));
  CC_ASSERT(key < config_.keys);
  const int client = config_.client_index(id_);
  ++issued_;
  outstanding_ = {kind, static_cast<uint8_t>(client), issued_, key,
                  kind == CommandKind::kPut ? config_.put_value(client, issued_) : uint8_t{0}};
  target_ = client % config_.replicas;
  retries_left_ = static_cast<uint8_t>(config_.retries);
  out.send(target_, Message::request(outstanding_));
  if (retries_left_ > 0) out.set_timer(Timer::kRetry);
}

void Client::on_timeout(Timer timer, MultiPaxosOutbox& out) {
  CC_ASSERT(timer == Timer::kRetry && !outstanding_.empty() && retries_left_ > 0);
  target_ = (target_ + 1) % config_.replicas;
  --retries_left_;
  out.send(target_, Message::request(outstanding_));
  if (retries_left_ > 0) out.set_timer(Timer::kRetry);
}

void Client::on_message(NodeId, const Message& m, MultiPaxosOutbox& out) {
  CC_ASSERT(m.type == MessageType::kReply);
  // A reply to a request it is no longer waiting for is a late duplicate.
  if (outstanding_.empty() || m.command.seq != outstanding_.seq) return;
  outstanding_ = Command{};
  out.cancel_timer(Timer::kRetry);
}

void Client::restart(MultiPaxosOutbox& out) {
  if (!outstanding_.empty() && retries_left_ > 0) out.set_timer(Timer::kRetry);
}

void Client::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{issued_} | outstanding_.packed() << 8 |
             uint64_t{static_cast<uint8_t>(target_)} << 48 | uint64_t{retries_left_} << 56);
}

}  // namespace crosscheck::impl::multipaxos
