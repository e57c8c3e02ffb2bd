#include "impl/failover/failover.h"

#include <algorithm>

#include "impl/common/assert.h"

namespace crosscheck::impl::failover {

std::string_view to_string(Variant variant) {
  switch (variant) {
    case Variant::kCorrect: return "correct";
    case Variant::kPromoteOnMissedHeartbeat: return "promote-on-missed-heartbeat";
    case Variant::kAckBeforeReplicate: return "ack-before-replicate";
  }
  return "?";
}

bool Config::valid() const {
  return replicas >= 2 && replicas <= kMaxReplicas && clients <= kMaxClients &&
         clients * ops <= kMaxLog && heartbeat >= 1 && trusted_lease() >= 1 && lease <= 100;
}

bool Log::contains(uint8_t client, uint8_t seq) const { return index_of(client, seq) >= 0; }

int Log::index_of(uint8_t client, uint8_t seq) const {
  for (int i = 0; i < size; ++i) {
    if (entries[i].client == client && entries[i].seq == seq) return i;
  }
  return -1;
}

std::string Log::label() const {
  std::string text = "[";
  for (int i = 0; i < size; ++i) text += (i > 0 ? "," : "") + std::to_string(entries[i].value);
  return text + "]";
}

std::string_view to_string(MessageType type) {
  switch (type) {
    case MessageType::kAppend: return "Append";
    case MessageType::kAppendAck: return "AppendAck";
    case MessageType::kAppendReject: return "AppendReject";
    case MessageType::kWrite: return "Write";
    case MessageType::kRead: return "Read";
    case MessageType::kWriteReply: return "WriteReply";
    case MessageType::kReadReply: return "ReadReply";
  }
  return "?";
}

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kPrimary: return "primary";
    case Role::kBackup: return "backup";
    case Role::kDeposed: return "deposed";
  }
  return "?";
}

Message Message::append(uint8_t epoch, uint8_t sent_at, uint8_t members, const Log& log) {
  Message m;
  m.type = MessageType::kAppend;
  m.epoch = epoch;
  m.sent_at = sent_at;
  m.members = members;
  m.log = log;
  return m;
}

Message Message::append_ack(uint8_t epoch, uint8_t sent_at, uint8_t length) {
  Message m;
  m.type = MessageType::kAppendAck;
  m.epoch = epoch;
  m.sent_at = sent_at;
  m.length = length;
  return m;
}

Message Message::append_reject(uint8_t epoch) {
  Message m;
  m.type = MessageType::kAppendReject;
  m.epoch = epoch;
  return m;
}

Message Message::write(uint8_t seq, uint8_t value) {
  Message m;
  m.type = MessageType::kWrite;
  m.seq = seq;
  m.value = value;
  return m;
}

Message Message::read(uint8_t seq) {
  Message m;
  m.type = MessageType::kRead;
  m.seq = seq;
  return m;
}

Message Message::write_reply(uint8_t seq) {
  Message m;
  m.type = MessageType::kWriteReply;
  m.seq = seq;
  return m;
}

Message Message::read_reply(uint8_t seq, uint8_t value) {
  Message m;
  m.type = MessageType::kReadReply;
  m.seq = seq;
  m.value = value;
  return m;
}

void Message::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(type)} | uint64_t{epoch} << 8 | uint64_t{sent_at} << 16 |
             uint64_t{members} << 24 | uint64_t{length} << 32 | uint64_t{seq} << 40 |
             uint64_t{value} << 48 | uint64_t{log.size} << 56);
  for (int i = 0; i < log.size; ++i) {
    const Entry& e = log.entries[i];
    hasher.add(uint64_t{e.client} | uint64_t{e.seq} << 8 | uint64_t{e.value} << 16);
  }
}

std::string Message::label() const {
  const std::string e = "e" + std::to_string(epoch);
  const std::string t = "t" + std::to_string(sent_at);
  const std::string q = "#" + std::to_string(seq);
  switch (type) {
    case MessageType::kAppend: return "Append(" + e + " " + t + " " + log.label() + ")";
    case MessageType::kAppendAck:
      return "AppendAck(" + e + " " + t + " len " + std::to_string(length) + ")";
    case MessageType::kAppendReject: return "AppendReject(" + e + ")";
    case MessageType::kWrite: return "Write(" + q + " := " + std::to_string(value) + ")";
    case MessageType::kRead: return "Read(" + q + ")";
    case MessageType::kWriteReply: return "WriteReply(" + q + " ok)";
    case MessageType::kReadReply:
      return "ReadReply(" + q + " = " + (value == 0 ? std::string("none") : std::to_string(value)) +
             ")";
  }
  return "?";
}

Replica::Replica(NodeId id, const Config& config) : id_(id), config_(config) {
  CC_ASSERT(config.valid());
  CC_ASSERT(id >= 0 && id < config.replicas);
  members_ = static_cast<uint8_t>((1u << config.replicas) - 1);
  primary_ = 0;
  role_ = id == 0 ? Role::kPrimary : Role::kBackup;
  // A backup waits a lease before it first promotes, as if it had granted
  // one when it started.
  promised_until_ = config.lease;
}

void Replica::on_tick(uint8_t now, FailoverOutbox& out) {
  CC_ASSERT(now >= now_);
  now_ = now;
  if (role_ == Role::kPrimary) {
    if (now_ >= next_heartbeat_) send_appends(out);
  } else if (role_ == Role::kBackup && successor() == id_) {
    const bool may_promote = config_.variant == Variant::kPromoteOnMissedHeartbeat
                                 ? now_ >= last_heard_ + config_.heartbeat + 1
                                 : now_ >= promised_until_;
    if (may_promote) promote(out);
  }
  check_invariants();
}

void Replica::on_message(NodeId from, const Message& m, FailoverOutbox& out) {
  switch (m.type) {
    case MessageType::kAppend: on_append(from, m, out); break;
    case MessageType::kAppendAck: on_append_ack(from, m, out); break;
    case MessageType::kAppendReject:
      if (m.epoch > epoch_) {
        // A newer configuration exists and this replica is not in it: the
        // newer primary would have sent it an Append otherwise.
        *this = [&] {
          Replica deposed(id_, config_);
          deposed.role_ = Role::kDeposed;
          deposed.epoch_ = m.epoch;
          deposed.members_ = 0;
          deposed.primary_ = from;
          deposed.now_ = now_;
          deposed.log_ = log_;
          deposed.promised_until_ = 0;
          return deposed;
        }();
      }
      break;
    case MessageType::kWrite: on_write(from, m, out); break;
    case MessageType::kRead: on_read(from, m, out); break;
    case MessageType::kWriteReply:
    case MessageType::kReadReply: break;
  }
  check_invariants();
}

bool Replica::lease_valid_at(uint8_t clock) const {
  if (role_ != Role::kPrimary) return false;
  for (NodeId b = 0; b < config_.replicas; ++b) {
    if (!is_backup_member(b)) continue;
    if ((granted_ >> b & 1) == 0) return false;
    if (clock >= lease_from_[b] + config_.trusted_lease()) return false;
  }
  return true;
}

int Replica::lease_end() const {
  if (role_ != Role::kPrimary) return -1;
  int end = 255;
  for (NodeId b = 0; b < config_.replicas; ++b) {
    if (!is_backup_member(b)) continue;
    if ((granted_ >> b & 1) == 0) return -1;
    end = std::min(end, lease_from_[b] + config_.trusted_lease() - 1);
  }
  return end;
}

bool Replica::acknowledged_by(NodeId from, uint8_t sent_at, uint8_t length) const {
  return role_ == Role::kPrimary && (granted_ >> from & 1) != 0 && lease_from_[from] >= sent_at &&
         acked_[from] >= length;
}

NodeId Replica::successor() const {
  for (NodeId r = 0; r < config_.replicas; ++r) {
    if (is_backup_member(r)) return r;
  }
  return -1;
}

void Replica::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(role_)} | uint64_t{epoch_} << 8 |
             uint64_t{static_cast<uint8_t>(primary_)} << 16 | uint64_t{members_} << 24 |
             uint64_t{now_} << 32 | uint64_t{committed_} << 40 | uint64_t{inherited_} << 48 |
             uint64_t{next_heartbeat_} << 56);
  hasher.add(uint64_t{granted_} | uint64_t{last_heard_} << 8 | uint64_t{promised_until_} << 16 |
             uint64_t{log_.size} << 24);
  for (int b = 0; b < kMaxReplicas; ++b)
    hasher.add(uint64_t{lease_from_[b]} | uint64_t{acked_[b]} << 8);
  for (int i = 0; i < log_.size; ++i) {
    const Entry& e = log_.entries[i];
    hasher.add(uint64_t{e.client} | uint64_t{e.seq} << 8 | uint64_t{e.value} << 16);
  }
}

void Replica::send_appends(FailoverOutbox& out) {
  for (NodeId b = 0; b < config_.replicas; ++b) {
    if (is_backup_member(b)) out.send(b, Message::append(epoch_, now_, members_, log_));
  }
  next_heartbeat_ = static_cast<uint8_t>(std::min(255, now_ + config_.heartbeat));
}

void Replica::promote(FailoverOutbox& out) {
  CC_ASSERT(epoch_ < 255);
  const uint8_t members = static_cast<uint8_t>(members_ & ~(1u << primary_));
  const Log log = log_;
  const uint8_t epoch = static_cast<uint8_t>(epoch_ + 1);
  const uint8_t now = now_;
  *this = Replica(id_, config_);
  role_ = Role::kPrimary;
  epoch_ = epoch;
  primary_ = id_;
  members_ = members;
  now_ = now;
  log_ = log;
  inherited_ = log.size;
  promised_until_ = 0;
  advance_commit(out);
  send_appends(out);
}

uint8_t Replica::acknowledged() const {
  return config_.variant == Variant::kAckBeforeReplicate ? log_.size : committed_;
}

void Replica::advance_commit(FailoverOutbox& out) {
  uint8_t replicated = log_.size;
  for (NodeId b = 0; b < config_.replicas; ++b) {
    if (!is_backup_member(b)) continue;
    replicated = (granted_ >> b & 1) != 0 ? std::min(replicated, acked_[b]) : uint8_t{0};
  }
  if (replicated <= committed_) return;
  if (config_.variant != Variant::kAckBeforeReplicate) {
    for (int i = committed_; i < replicated; ++i) {
      const Entry& e = log_.entries[i];
      out.send(config_.client_id(e.client), Message::write_reply(e.seq));
    }
  }
  committed_ = replicated;
}

void Replica::on_append(NodeId from, const Message& m, FailoverOutbox& out) {
  if (m.epoch < epoch_) {
    out.send(from, Message::append_reject(epoch_));
    return;
  }
  if (m.epoch > epoch_) {
    // A newer configuration: whatever this replica was, it follows it now,
    // or is out of it.
    const uint8_t now = now_;
    const uint8_t promised_until = promised_until_;
    *this = Replica(id_, config_);
    epoch_ = m.epoch;
    primary_ = from;
    members_ = m.members;
    now_ = now;
    log_ = m.log;
    promised_until_ = promised_until;
    if ((members_ >> id_ & 1) == 0) {
      role_ = Role::kDeposed;
      return;
    }
    role_ = Role::kBackup;
  } else {
    if (role_ != Role::kBackup) return;  // a primary of the same epoch cannot exist
    CC_ASSERT(from == primary_);
    if (m.log.size > log_.size) log_ = m.log;  // within an epoch a longer log extends a shorter one
  }
  // Only the promote-on-missed-heartbeat variant reads it; the others keep
  // it 0, so that it makes no states differ.
  if (config_.variant == Variant::kPromoteOnMissedHeartbeat) last_heard_ = now_;
  promised_until_ =
      static_cast<uint8_t>(std::max<int>(promised_until_, std::min(255, now_ + config_.lease)));
  out.send(from, Message::append_ack(epoch_, m.sent_at, log_.size));
}

void Replica::on_append_ack(NodeId from, const Message& m, FailoverOutbox& out) {
  if (role_ != Role::kPrimary || m.epoch != epoch_ || !is_backup_member(from)) return;
  const uint8_t bit = static_cast<uint8_t>(1u << from);
  lease_from_[from] = (granted_ & bit) != 0 ? std::max(lease_from_[from], m.sent_at) : m.sent_at;
  acked_[from] = std::max(acked_[from], m.length);
  granted_ |= bit;
  CC_ASSERT(acked_[from] <= log_.size);
  advance_commit(out);
}

void Replica::on_write(NodeId from, const Message& m, FailoverOutbox& out) {
  if (role_ != Role::kPrimary) return;
  const auto client = static_cast<uint8_t>(config_.client_index(from));
  const int index = log_.index_of(client, m.seq);
  if (index >= 0) {
    if (index < acknowledged()) out.send(from, Message::write_reply(m.seq));
    return;
  }
  if (log_.size == kMaxLog) return;
  log_.entries[log_.size++] = Entry{client, m.seq, m.value};
  if (config_.variant == Variant::kAckBeforeReplicate) out.send(from, Message::write_reply(m.seq));
  send_appends(out);
  advance_commit(out);
}

// A promoted primary's lease already implies committed_ >= inherited_
// (every backup acknowledged an Append of this epoch, each carrying the
// whole log it took over); the check says so where reads are answered.
void Replica::on_read(NodeId from, const Message& m, FailoverOutbox& out) {
  if (role_ != Role::kPrimary || !lease_valid_at(now_) || committed_ < inherited_) return;
  out.send(from, Message::read_reply(m.seq, log_.value_at(acknowledged())));
}

void Replica::check_invariants() const {
  CC_ASSERT(committed_ <= log_.size);
  CC_ASSERT(inherited_ <= log_.size);
  CC_ASSERT(role_ != Role::kPrimary || primary_ == id_);
  CC_ASSERT(role_ == Role::kDeposed || (members_ >> id_ & 1) != 0);
  for (NodeId b = 0; b < config_.replicas; ++b) CC_ASSERT(acked_[b] <= log_.size);
}

Client::Client(int index, const Config& config) : index_(index), config_(config) {}

void Client::issue(bool write, FailoverOutbox& out) {
  CC_ASSERT(can_issue());
  outstanding_ = ++issued_;
  outstanding_write_ = write;
  const Message m = write ? Message::write(outstanding_, config_.write_value(index_, outstanding_))
                          : Message::read(outstanding_);
  for (NodeId r = 0; r < config_.replicas; ++r) out.send(r, m);
}

void Client::on_message(NodeId, const Message& m, FailoverOutbox&) {
  if (outstanding_ == 0 || m.seq != outstanding_) return;
  if (m.type == MessageType::kWriteReply && outstanding_write_) {
    outstanding_ = 0;
  } else if (m.type == MessageType::kReadReply && !outstanding_write_) {
    outstanding_ = 0;
    last_answer_ = m.value;
  }
}

void Client::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(index_)} | uint64_t{issued_} << 8 |
             uint64_t{outstanding_} << 16 | uint64_t{outstanding_write_} << 24 |
             uint64_t{last_answer_} << 32);
}

}  // namespace crosscheck::impl::failover
