#include "impl/lockservice/lockservice.h"

#include <algorithm>
#include <bit>

#include "impl/common/assert.h"

namespace crosscheck::impl::lockservice {

std::string_view to_string(Variant variant) {
  switch (variant) {
    case Variant::kCorrect: return "correct";
    case Variant::kNoFencing: return "no-fencing";
    case Variant::kNoDriftMargin: return "no-drift-margin";
    case Variant::kHerd: return "herd";
  }
  return "?";
}

std::string_view to_string(MessageType type) {
  switch (type) {
    case MessageType::kAcquire: return "Acquire";
    case MessageType::kKeepAlive: return "KeepAlive";
    case MessageType::kRelease: return "Release";
    case MessageType::kReply: return "Reply";
    case MessageType::kWakeup: return "Wakeup";
    case MessageType::kWrite: return "Write";
    case MessageType::kRaft: return "Raft";
  }
  return "?";
}

std::string_view to_string(ClientStage stage) {
  switch (stage) {
    case ClientStage::kIdle: return "idle";
    case ClientStage::kAcquiring: return "acquiring";
    case ClientStage::kWaiting: return "waiting";
    case ClientStage::kHolding: return "holding";
    case ClientStage::kAboutToWrite: return "about-to-write";
    case ClientStage::kWritten: return "written";
    case ClientStage::kDone: return "done";
  }
  return "?";
}

std::string_view to_string(ClientInput input) {
  switch (input) {
    case ClientInput::kAcquire: return "Acquire";
    case ClientInput::kKeepAlive: return "KeepAlive";
    case ClientInput::kCheckLease: return "CheckLease";
    case ClientInput::kWrite: return "Write";
    case ClientInput::kRelease: return "Release";
    case ClientInput::kRetry: return "Retry";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Command and LockTable

Command Command::decode(uint8_t value) {
  Command command;
  const int op = value >> 4;
  CC_ASSERT(op >= 1 && op <= 4);
  command.op = static_cast<Op>(op);
  command.client = static_cast<uint8_t>(value & 0xf);
  CC_ASSERT(command.client < kMaxClients);
  return command;
}

std::string Command::label() const {
  const std::string c = "c" + std::to_string(client + 1);
  switch (op) {
    case Op::kAcquire: return "Acquire(" + c + ")";
    case Op::kKeepAlive: return "KeepAlive(" + c + ")";
    case Op::kRelease: return "Release(" + c + ")";
    case Op::kExpire: return "Expire(" + c + ")";
  }
  return "?";
}

LockTable::Applied LockTable::apply(const Command& command, bool herd) {
  Applied applied;
  const int c = command.client;
  CC_ASSERT(c >= 0 && c < kMaxClients);
  const auto bit = static_cast<uint8_t>(1u << c);
  switch (command.op) {
    case Command::Op::kAcquire:
      if (ended(c)) break;  // a client has one session in its life
      live_ |= bit;
      if (std::none_of(queue_.begin(), queue_.begin() + size_,
                       [c](const Seat& s) { return s.client == c; })) {
        CC_ASSERT(next_seq_ < 255 && size_ < kMaxClients);
        queue_[size_++] = {next_seq_++, static_cast<uint8_t>(c)};
      }
      regrant();
      break;
    case Command::Op::kKeepAlive: break;
    case Command::Op::kRelease:
    case Command::Op::kExpire:
      if (!live(c)) break;
      delete_seat(c, herd, applied);
      live_ &= static_cast<uint8_t>(~bit);
      ended_ |= bit;
      regrant();
      break;
  }
  applied.alive = live(c);
  max_wakeups_ = std::max(max_wakeups_, static_cast<uint8_t>(std::popcount(applied.woken)));
  CC_ASSERT(holder_ == (size_ == 0 ? kNobody : static_cast<int8_t>(queue_[0].client)));
  return applied;
}

void LockTable::delete_seat(int client, bool herd, Applied& applied) {
  for (int i = 0; i < size_; ++i) {
    if (queue_[static_cast<size_t>(i)].client != client) continue;
    if (herd) {
      // Every waiter watches the lock's children: all of them wake.
      for (int j = 0; j < size_; ++j) {
        if (j != i)
          applied.woken |= static_cast<uint8_t>(1u << queue_[static_cast<size_t>(j)].client);
      }
    } else if (i + 1 < size_) {
      // Only the successor watches this node.
      applied.woken |= static_cast<uint8_t>(1u << queue_[static_cast<size_t>(i) + 1].client);
    }
    for (int j = i; j + 1 < size_; ++j)
      queue_[static_cast<size_t>(j)] = queue_[static_cast<size_t>(j) + 1];
    --size_;
    queue_[size_] = Seat{};
    return;
  }
}

void LockTable::regrant() {
  if (size_ == 0) {
    holder_ = kNobody;
    return;
  }
  if (holder_ == kNobody || holder_seq_ != queue_[0].seq) {
    holder_ = static_cast<int8_t>(queue_[0].client);
    holder_seq_ = queue_[0].seq;
    CC_ASSERT(generation_ < 255);
    ++generation_;
  }
}

int8_t LockTable::predecessor(int client) const {
  for (int i = 1; i < size_; ++i) {
    if (queue_[static_cast<size_t>(i)].client == client)
      return static_cast<int8_t>(queue_[static_cast<size_t>(i) - 1].client);
  }
  return kNobody;
}

void LockTable::hash(StableHasher& hasher) const {
  uint64_t word = uint64_t{live_} | uint64_t{ended_} << 8 | uint64_t{next_seq_} << 16 |
                  uint64_t{generation_} << 24 | uint64_t{static_cast<uint8_t>(holder_)} << 32 |
                  uint64_t{holder_seq_} << 40 | uint64_t{max_wakeups_} << 48 |
                  uint64_t{size_} << 56;
  hasher.add(word);
  uint64_t seats = 0;
  for (int i = 0; i < size_; ++i) {
    const Seat& s = queue_[static_cast<size_t>(i)];
    seats = seats << 16 | uint64_t{s.seq} << 8 | s.client;
  }
  hasher.add(seats);
}

std::string LockTable::label() const {
  std::string text = "[";
  for (int i = 0; i < size_; ++i) {
    const Seat& s = queue_[static_cast<size_t>(i)];
    if (i > 0) text += " ";
    text += "lock-" + std::to_string(s.seq) + ":c" + std::to_string(s.client + 1);
  }
  text += "] generation " + std::to_string(generation_);
  return text;
}

// ---------------------------------------------------------------------------
// Message

void Message::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(type)} | uint64_t{start} << 8 | uint64_t{alive} << 16 |
             uint64_t{held} << 17 | uint64_t{token} << 24);
  if (type == MessageType::kRaft) raft.hash(hasher);
}

std::string Message::label() const {
  const std::string name(to_string(type));
  switch (type) {
    case MessageType::kAcquire:
    case MessageType::kKeepAlive: return name + "(sent at " + std::to_string(start) + ")";
    case MessageType::kRelease: return name;
    case MessageType::kReply:
    case MessageType::kWakeup: {
      std::string text = name + "(";
      if (type == MessageType::kReply) text += "to " + std::to_string(start) + ", ";
      if (!alive) return text + "session ended)";
      return text + (held ? "held, token " + std::to_string(token) + ")" : "waiting)");
    }
    case MessageType::kWrite: return name + "(token " + std::to_string(token) + ")";
    case MessageType::kRaft: return raft.label();
  }
  return "?";
}

// ---------------------------------------------------------------------------
// LockServer

LockServer::LockServer(NodeId id, const Config& config)
    : id_(id),
      servers_(static_cast<uint8_t>(config.servers)),
      clients_(static_cast<uint8_t>(config.clients)),
      lease_(static_cast<uint8_t>(config.lease)),
      herd_(config.variant == Variant::kHerd),
      raft_(id, raft::Config{config.servers, raft::Variant::kCorrect}) {
  CC_ASSERT(config.servers >= 1 && config.servers <= kMaxServers);
  CC_ASSERT(config.clients >= 1 && config.clients <= kMaxClients);
  CC_ASSERT(config.lease >= 1 && config.lease - 2 * config.drift >= 1);
}

void LockServer::start(LockOutbox& out) {
  if (single()) return;
  raft::RaftOutbox raft_out;
  raft_.start(raft_out);
  forward_raft(raft_out, out);
}

void LockServer::on_tick(uint8_t local, LockOutbox& out) {
  CC_ASSERT(local >= local_);
  local_ = local;
  if (!leads()) return;
  for (int c = 0; c < clients_; ++c) {
    const auto bit = static_cast<uint8_t>(1u << c);
    if (!table_.live(c) || (expiring_ & bit) != 0 || local_ < deadline_[static_cast<size_t>(c)])
      continue;
    propose({Command::Op::kExpire, static_cast<uint8_t>(c)}, out);
  }
}

void LockServer::on_message(NodeId from, const Message& message, LockOutbox& out) {
  if (message.type == MessageType::kRaft) {
    CC_ASSERT(!single() && from >= 0 && from < servers_);
    const bool led = leads();
    raft::RaftOutbox raft_out;
    raft_.on_message(from, message.raft, raft_out);
    forward_raft(raft_out, out);
    after_raft_step(led, out);
    return;
  }
  const int client = from - servers_;
  CC_ASSERT(client >= 0 && client < clients_);
  on_request(client, message, out);
}

void LockServer::on_timeout(Timer timer, LockOutbox& out) {
  CC_ASSERT(!single());
  const bool led = leads();
  raft::RaftOutbox raft_out;
  raft_.on_timeout(timer, raft_out);
  forward_raft(raft_out, out);
  after_raft_step(led, out);
}

void LockServer::restart(LockOutbox& out) {
  pending_start_.fill(0xff);
  expiring_ = 0;
  if (single()) {
    refresh_all();  // the table survives; every session gets a full lease again
    return;
  }
  table_ = LockTable{};
  applied_ = 0;
  raft::RaftOutbox raft_out;
  raft_.restart(raft_out);
  forward_raft(raft_out, out);
}

void LockServer::on_request(int client, const Message& message, LockOutbox& out) {
  if (!leads()) return;  // clients send to every server; the leader answers
  const auto c = static_cast<uint8_t>(client);
  Command command;
  switch (message.type) {
    case MessageType::kAcquire: command = {Command::Op::kAcquire, c}; break;
    case MessageType::kKeepAlive: command = {Command::Op::kKeepAlive, c}; break;
    case MessageType::kRelease: command = {Command::Op::kRelease, c}; break;
    default: CC_ASSERT(false);
  }
  if (command.op != Command::Op::kRelease) {
    // The earliest unanswered request is the one answered: a later start
    // would promise the client more lease than the server keeps.
    // The deadline counts from now, after the client started its own count.
    if (!table_.ended(client)) deadline_[c] = static_cast<uint8_t>(local_ + lease_);
    auto& pending = pending_start_[c];
    // A request of this client is already in the log, unanswered: its
    // answer (with the earlier start) answers this copy too.
    if (pending != 0xff && !single()) return;
    if (pending == 0xff) pending = message.start;
  }
  propose(command, out);
}

void LockServer::propose(const Command& command, LockOutbox& out) {
  if (command.op == Command::Op::kExpire) expiring_ |= static_cast<uint8_t>(1u << command.client);
  if (single()) {
    apply(command, true, out);
    return;
  }
  raft::RaftOutbox raft_out;
  raft_.on_client_request(command.encode(), raft_out);
  forward_raft(raft_out, out);
  apply_committed(out);
}

void LockServer::apply(const Command& command, bool own_entry, LockOutbox& out) {
  const LockTable::Applied applied = table_.apply(command, herd_);
  const int c = command.client;
  if (command.op == Command::Op::kExpire || command.op == Command::Op::kRelease) {
    expiring_ &= static_cast<uint8_t>(~(1u << c));
  }
  if (!leads() || !own_entry) return;  // followers, and entries of earlier leaders, answer nobody
  auto& pending = pending_start_[static_cast<size_t>(c)];
  if (command.op != Command::Op::kRelease && command.op != Command::Op::kExpire &&
      pending != 0xff) {
    Message reply;
    reply.type = MessageType::kReply;
    reply.start = pending;
    reply.alive = applied.alive;
    reply.held = applied.alive && table_.holder() == c;
    reply.token = reply.held ? table_.generation() : 0;
    out.send(servers_ + c, reply);
    pending = 0xff;
  }
  for (uint8_t woken = 0; woken < clients_; ++woken) {
    if ((applied.woken >> woken & 1) == 0) continue;
    Message wakeup;
    wakeup.type = MessageType::kWakeup;
    wakeup.alive = table_.live(woken);
    wakeup.held = wakeup.alive && table_.holder() == woken;
    wakeup.token = wakeup.held ? table_.generation() : 0;
    out.send(servers_ + woken, wakeup);
  }
}

void LockServer::apply_committed(LockOutbox& out) {
  while (applied_ < raft_.commit_index()) {
    const raft::Entry& entry = raft_.log()[applied_];
    ++applied_;
    apply(Command::decode(entry.value), leads() && entry.term == raft_.term(), out);
  }
}

void LockServer::after_raft_step(bool led_before, LockOutbox& out) {
  if (leads() != led_before) {
    pending_start_.fill(0xff);
    expiring_ = 0;
    // A new leader does not know when sessions last renewed: each gets a
    // full lease from now, later than any renewal the log holds.
    if (leads()) refresh_all();
  }
  apply_committed(out);
}

void LockServer::refresh_all() {
  for (int c = 0; c < clients_; ++c)
    deadline_[static_cast<size_t>(c)] = static_cast<uint8_t>(local_ + lease_);
}

void LockServer::forward_raft(const raft::RaftOutbox& raft_out, LockOutbox& out) const {
  for (const auto& send : raft_out.sends()) {
    Message message;
    message.type = MessageType::kRaft;
    message.raft = send.message;
    out.send(send.to, message);
  }
  for (const auto& [timer, armed] : raft_out.timer_changes()) {
    if (armed) {
      out.set_timer(timer);
    } else {
      out.cancel_timer(timer);
    }
  }
}

void LockServer::hash(StableHasher& hasher) const {
  table_.hash(hasher);
  if (!single()) {
    raft_.hash(hasher);
    hasher.add(uint64_t{applied_});
  }
  uint64_t word = uint64_t{local_} | uint64_t{expiring_} << 8;
  for (int c = 0; c < clients_; ++c) {
    word = word * 0x10001 + (uint64_t{deadline_[static_cast<size_t>(c)]} << 8 |
                             pending_start_[static_cast<size_t>(c)]);
  }
  hasher.add(word);
}

// ---------------------------------------------------------------------------
// LockClient

LockClient::LockClient(NodeId /*id*/, const Config& config)
    : servers_(static_cast<uint8_t>(config.servers)),
      resource_(config.resource_id()),
      trusted_(static_cast<uint8_t>(config.trusted_lease())),
      renew_before_(static_cast<uint8_t>(config.renew_before)) {}

void LockClient::on_tick(uint8_t local, LockOutbox& /*out*/) {
  CC_ASSERT(local >= local_);
  local_ = local;
  // Between the check and the write the client does not look at the clock:
  // that is the gap a pause can fall in.
  if (has_session() && stage_ != ClientStage::kAboutToWrite && local_ >= lease_end_)
    stage_ = ClientStage::kDone;
}

void LockClient::on_message(NodeId /*from*/, const Message& message, LockOutbox& /*out*/) {
  if (stage_ == ClientStage::kIdle || stage_ == ClientStage::kDone) return;
  if (message.type == MessageType::kReply) {
    renewing_ = false;
    if (!message.alive) {
      stage_ = ClientStage::kDone;
      return;
    }
    lease_end_ = std::max<uint8_t>(lease_end_, static_cast<uint8_t>(message.start + trusted_));
    if (local_ >= lease_end_) {  // the answer came too late to trust
      if (stage_ != ClientStage::kAboutToWrite) stage_ = ClientStage::kDone;
      return;
    }
  } else {
    CC_ASSERT(message.type == MessageType::kWakeup);
    if (!message.alive) {
      stage_ = ClientStage::kDone;
      return;
    }
    if (stage_ == ClientStage::kAcquiring) {
      // No lease yet: remember the grant until the Acquire's answer comes.
      if (message.held) {
        granted_early_ = true;
        token_ = message.token;
      }
      return;
    }
  }
  if (stage_ == ClientStage::kAcquiring && granted_early_ && !message.held) {
    stage_ = ClientStage::kHolding;
    granted_early_ = false;
    return;
  }
  if (stage_ == ClientStage::kAcquiring || stage_ == ClientStage::kWaiting) {
    granted_early_ = false;
    if (message.held) {
      stage_ = ClientStage::kHolding;
      token_ = message.token;
    } else {
      stage_ = ClientStage::kWaiting;
    }
  }
}

void LockClient::inputs(std::vector<ClientInput>& out) const {
  switch (stage_) {
    case ClientStage::kIdle: out.push_back(ClientInput::kAcquire); break;
    case ClientStage::kHolding:
      if (local_ < lease_end_) out.push_back(ClientInput::kCheckLease);
      break;
    case ClientStage::kAboutToWrite: out.push_back(ClientInput::kWrite); break;
    case ClientStage::kWritten: out.push_back(ClientInput::kRelease); break;
    default: break;
  }
  if ((stage_ == ClientStage::kWaiting || stage_ == ClientStage::kHolding) && !renewing_ &&
      local_ < lease_end_ && local_ + renew_before_ >= lease_end_) {
    out.push_back(ClientInput::kKeepAlive);
  }
  if (renewing_ && (stage_ == ClientStage::kAcquiring || local_ < lease_end_) &&
      (stage_ == ClientStage::kAcquiring || stage_ == ClientStage::kWaiting ||
       stage_ == ClientStage::kHolding)) {
    out.push_back(ClientInput::kRetry);
  }
}

void LockClient::on_input(ClientInput input, LockOutbox& out) {
  Message message;
  message.start = local_;  // the lease counts from before the request leaves
  switch (input) {
    case ClientInput::kAcquire:
      CC_ASSERT(stage_ == ClientStage::kIdle);
      stage_ = ClientStage::kAcquiring;
      renewing_ = true;
      message.type = MessageType::kAcquire;
      send_to_servers(message, out);
      break;
    case ClientInput::kKeepAlive:
      CC_ASSERT(has_session() && !renewing_);
      renewing_ = true;
      message.type = MessageType::kKeepAlive;
      send_to_servers(message, out);
      break;
    case ClientInput::kRetry:
      CC_ASSERT(renewing_);
      // A fresh start is safe: the leader answers with the earliest start of
      // the copies it received, each of which renewed its deadline on arrival.
      message.type =
          stage_ == ClientStage::kAcquiring ? MessageType::kAcquire : MessageType::kKeepAlive;
      send_to_servers(message, out);
      break;
    case ClientInput::kCheckLease:
      CC_ASSERT(stage_ == ClientStage::kHolding && local_ < lease_end_);
      stage_ = ClientStage::kAboutToWrite;
      break;
    case ClientInput::kWrite: {
      CC_ASSERT(stage_ == ClientStage::kAboutToWrite);
      Message write;
      write.type = MessageType::kWrite;
      write.token = token_;
      out.send(resource_, write);
      stage_ = ClientStage::kWritten;
      break;
    }
    case ClientInput::kRelease:
      CC_ASSERT(stage_ == ClientStage::kWritten);
      message.type = MessageType::kRelease;
      message.start = 0;
      send_to_servers(message, out);
      stage_ = ClientStage::kDone;
      break;
  }
}

void LockClient::send_to_servers(const Message& message, LockOutbox& out) const {
  for (NodeId s = 0; s < servers_; ++s) out.send(s, message);
}

void LockClient::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(stage_)} | uint64_t{local_} << 8 |
             uint64_t{lease_end_} << 16 | uint64_t{token_} << 24 | uint64_t{renewing_} << 32 |
             uint64_t{granted_early_} << 33);
}

// ---------------------------------------------------------------------------
// Resource

bool Resource::on_write(uint8_t token) {
  if (fencing_ && token < max_token_) {
    ++rejected_;
    return false;
  }
  ++accepted_;
  max_token_ = std::max(max_token_, token);
  return true;
}

void Resource::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{fencing_} | uint64_t{max_token_} << 8 | uint64_t{accepted_} << 16 |
             uint64_t{rejected_} << 24);
}

}  // namespace crosscheck::impl::lockservice
