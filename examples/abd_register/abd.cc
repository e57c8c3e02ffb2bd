#include "abd.h"

#include <bit>

#include "impl/common/assert.h"

namespace abd {

std::string Tag::text() const {
  return "(" + std::to_string(sequence) + ",w" + std::to_string(writer) + ")";
}

void Message::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(type)} | uint64_t{operation} << 8 |
             uint64_t{write} << 16 | uint64_t{tag.sequence} << 24 | uint64_t{tag.writer} << 32 |
             uint64_t{static_cast<uint8_t>(value)} << 40);
}

std::string Message::label() const {
  const std::string number = " op" + std::to_string(operation);
  const std::string stored = " " + tag.text() + "=" + std::to_string(value);
  switch (type) {
    case MessageType::kQuery: return "Query" + number;
    case MessageType::kQueryReply: return "QueryReply" + number + stored;
    case MessageType::kUpdate: return "Update" + number + stored;
    case MessageType::kUpdateAck: return "UpdateAck" + number;
    case MessageType::kInvoke:
      return "Invoke" + number + (write ? " write " + std::to_string(value) : " read");
    case MessageType::kReturn:
      return "Return" + number + (write ? " write " : " read ") + std::to_string(value);
  }
  return "?";
}

bool Config::valid() const {
  return servers >= 1 && servers <= kMaxServers && writers >= 0 && writers <= kMaxWriters &&
         readers >= 0 && readers <= kMaxReaders && writes >= 0 && writes <= kMaxOperations &&
         reads >= 0 && reads <= kMaxOperations;
}

void Server::on_message(NodeId from, const Message& message, AbdOutbox& out) {
  if (message.type == MessageType::kQuery) {
    out.send(from, {MessageType::kQueryReply, message.operation, false, tag_, value_});
    return;
  }
  CC_ASSERT(message.type == MessageType::kUpdate);
  if (message.tag > tag_) {
    tag_ = message.tag;
    value_ = message.value;
  }
  out.send(from, {MessageType::kUpdateAck, message.operation, false, {}, 0});
}

void Server::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{tag_.sequence} | uint64_t{tag_.writer} << 8 |
             uint64_t{static_cast<uint8_t>(value_)} << 16);
}

Client::Client(const Config& config, NodeId self)
    : self_(self),
      servers_(static_cast<uint8_t>(config.servers)),
      majority_(static_cast<uint8_t>(config.majority())),
      writer_number_(static_cast<uint8_t>(config.is_writer(self) ? self - config.servers + 1 : 0)),
      variant_(config.variant),
      operations_left_(static_cast<uint8_t>(writer_number_ != 0 ? config.writes : config.reads)) {
  CC_ASSERT(config.valid() && !config.is_server(self) && self < config.node_count());
}

Value Client::next_write_value() const {
  CC_ASSERT(writer());
  return write_value(operation_ + 1);
}

void Client::invoke(AbdOutbox& out) {
  CC_ASSERT(can_invoke());
  const Value written = writer() ? next_write_value() : 0;
  --operations_left_;
  ++operation_;
  phase_ = Phase::kQuery;
  answered_ = 0;
  tag_ = {};
  value_ = 0;
  out.send(self_, {MessageType::kInvoke, operation_, writer(), {}, written});
  broadcast({MessageType::kQuery, operation_, false, {}, 0}, out);
}

void Client::on_message(NodeId from, const Message& message, AbdOutbox& out) {
  if (message.type == MessageType::kInvoke || message.type == MessageType::kReturn) {
    CC_ASSERT(from == self_);  // what it told its application
    return;
  }
  CC_ASSERT(from >= 0 && from < servers_);
  const bool expected = (message.type == MessageType::kQueryReply && phase_ == Phase::kQuery) ||
                        (message.type == MessageType::kUpdateAck && phase_ == Phase::kUpdate);
  const uint8_t server_bit = static_cast<uint8_t>(1u << from);
  if (!expected || message.operation != operation_ || (answered_ & server_bit) != 0) return;
  answered_ |= server_bit;
  if (message.type == MessageType::kQueryReply) {
    on_query_reply(message, out);
  } else {
    on_update_ack(out);
  }
}

void Client::on_query_reply(const Message& reply, AbdOutbox& out) {
  if (reply.tag > tag_) {
    tag_ = reply.tag;
    value_ = reply.value;
  }
  if (std::popcount(answered_) < majority_) return;
  if (writer()) {
    // Above every tag a majority has stored, and with its own writer
    // number: no other write has this tag.
    tag_ = {static_cast<uint8_t>(tag_.sequence + 1), writer_number_};
    value_ = write_value(operation_);
  } else if (variant_ == Variant::kNoWriteBack) {
    finish(out);  // the value read may be on a minority only
    return;
  }
  begin_update(out);  // a read writes back the value it will return
}

void Client::on_update_ack(AbdOutbox& out) {
  if (std::popcount(answered_) >= majority_) finish(out);
}

void Client::begin_update(AbdOutbox& out) {
  phase_ = Phase::kUpdate;
  answered_ = 0;
  broadcast({MessageType::kUpdate, operation_, false, tag_, value_}, out);
}

void Client::finish(AbdOutbox& out) {
  phase_ = Phase::kIdle;
  answered_ = 0;
  out.send(self_, {MessageType::kReturn, operation_, writer(), {}, value_});
}

void Client::restart() {
  phase_ = Phase::kIdle;
  answered_ = 0;
  operations_left_ = 0;
}

void Client::broadcast(Message message, AbdOutbox& out) const {
  for (NodeId server = 0; server < servers_; ++server) out.send(server, message);
}

void Client::hash(StableHasher& hasher) const {
  // The configuration's fields are the same in every state.
  hasher.add(uint64_t{operations_left_} | uint64_t{operation_} << 8 |
             uint64_t{static_cast<uint8_t>(phase_)} << 16 | uint64_t{answered_} << 24 |
             uint64_t{tag_.sequence} << 32 | uint64_t{tag_.writer} << 40 |
             uint64_t{static_cast<uint8_t>(value_)} << 48);
}

std::string_view to_string(Client::Phase phase) {
  switch (phase) {
    case Client::Phase::kIdle: return "idle";
    case Client::Phase::kQuery: return "query";
    case Client::Phase::kUpdate: return "update";
  }
  return "?";
}

}  // namespace abd
