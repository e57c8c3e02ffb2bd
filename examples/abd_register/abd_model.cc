#include "abd_model.h"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "impl/common/assert.h"

namespace abd {

using mc::lin::RegisterSpec;

namespace {

// Keeps each run of invocations, or of returns, sorted (see ClientHistory).
void record(ClientHistory& history, const ClientEvent& event) {
  auto* run = history.end();
  while (run != history.begin() && (run - 1)->returned == event.returned) --run;
  history.insert(std::lower_bound(run, history.end(), event), event);
}

// Invocations after the last return cannot change the verdict: such an
// operation may take effect after all the others, or never.
ClientHistory up_to_last_return(const ClientHistory& history) {
  ClientHistory events = history;
  while (!events.empty() && !events.back().returned) events.pop_back();
  return events;
}

using LinearizabilityMemo = mc::lin::VerdictMemo<ClientHistory>;

int returns(const AbdState& state, bool (*counts)(const ClientEvent&)) {
  int count = 0;
  for (const ClientEvent& e : state.history) count += e.returned && counts(e) ? 1 : 0;
  return count;
}

}  // namespace

mc::lin::History<RegisterSpec> operations(const ClientHistory& history) {
  mc::lin::History<RegisterSpec> ops;
  for (size_t i = 0; i < history.size(); ++i) {
    const ClientEvent& e = history.begin()[i];
    const auto time = static_cast<mc::lin::Time>(i);
    if (!e.returned) {
      const auto input = e.write ? RegisterSpec::write(e.value) : RegisterSpec::read();
      ops.push_back(mc::lin::pending<RegisterSpec>(e.client, time, input));
      continue;
    }
    for (auto& op : ops) {
      if (op.client != e.client || !op.pending()) continue;
      op.returned = time;
      op.output = e.write ? RegisterSpec::ok() : RegisterSpec::read_returns(e.value);
      break;  // a client has one operation at a time
    }
  }
  return ops;
}

bool linearizable(const ClientHistory& history) {
  if (history.empty()) return true;
  return mc::lin::check(operations(history)).verdict == mc::lin::Verdict::kLinearizable;
}

Binding::Binding(Config config) : config_(config) {
  if (!config.valid()) throw std::invalid_argument("abd: configuration out of range");
}

Binding::Node Binding::initial_node(NodeId id) const {
  if (config_.is_server(id)) return Server();
  return Client(config_, id);
}

void Binding::on_message(NodeId /*self*/, Node& node, NodeId from, const Message& message,
                         AbdOutbox& out) const {
  std::visit([&](auto& actor) { actor.on_message(from, message, out); }, node);
}

void Binding::inputs(NodeId /*self*/, const Node& node, std::vector<Input>& out) const {
  const auto* client = std::get_if<Client>(&node);
  if (client == nullptr || !client->can_invoke()) return;
  out.push_back(client->writer() ? Input{true, client->next_write_value()} : Input{false, 0});
}

void Binding::on_input(NodeId /*self*/, Node& node, const Input& input, AbdOutbox& out) const {
  Client& client = std::get<Client>(node);
  CC_ASSERT(input.write == client.writer());
  client.invoke(out);
}

void Binding::restart(NodeId /*self*/, Node& node, AbdOutbox& /*out*/) const {
  std::visit([](auto& actor) { actor.restart(); }, node);
}

void Binding::record_send(History& history, NodeId from, NodeId /*to*/,
                          const Message& message) const {
  if (message.type != MessageType::kInvoke && message.type != MessageType::kReturn) return;
  const bool returned = message.type == MessageType::kReturn;
  // A write's return is an acknowledgement; the value it carries is not
  // part of the history.
  const Value value = returned && message.write ? Value{0} : message.value;
  record(history, {returned, static_cast<uint8_t>(from), message.write, value});
}

void Binding::hash_history(const History& history, crosscheck::StableHasher& hasher) const {
  hasher.add(static_cast<uint64_t>(history.size()));
  for (const ClientEvent& e : history) {
    hasher.add(uint64_t{e.returned} | uint64_t{e.client} << 8 | uint64_t{e.write} << 16 |
               uint64_t{static_cast<uint8_t>(e.value)} << 24);
  }
}

// Per client, each operation as "read pending", "read returned 11",
// "write 11 pending" or "write 11 returned": in a chart, beside the step
// that changed it.
mc::Json Binding::history_json(const History& history) const {
  mc::Json clients = mc::Json::object();
  for (NodeId client = config_.servers; client < node_count(); ++client) {
    mc::Json ops = mc::Json::object();
    int invoked = 0;
    std::string what;
    for (const ClientEvent& e : history) {
      if (e.client != client) continue;
      if (!e.returned) {
        ++invoked;
        what = e.write ? "write " + std::to_string(e.value) : "read";
      }
      const std::string text = !e.returned ? what + " pending"
                               : e.write   ? what + " returned"
                                           : what + " returned " + std::to_string(e.value);
      ops.set("op" + std::to_string(invoked), text);
    }
    if (invoked > 0) clients.set(node_name(client), std::move(ops));
  }
  return clients;
}

void Binding::hash(const Node& node, crosscheck::StableHasher& hasher) const {
  hasher.add(static_cast<uint64_t>(node.index()));
  std::visit([&](const auto& actor) { actor.hash(hasher); }, node);
}

std::string Binding::node_name(NodeId id) const {
  if (config_.is_server(id)) return "s" + std::to_string(id);
  if (config_.is_writer(id)) return "w" + std::to_string(id - config_.servers + 1);
  return "r" + std::to_string(id - config_.servers - config_.writers + 1);
}

mc::Json Binding::node_json(NodeId /*id*/, const Node& node) const {
  mc::Json json = mc::Json::object();
  if (const auto* server = std::get_if<Server>(&node)) {
    json.set("tag", server->tag().text());
    json.set("value", int{server->value()});
    return json;
  }
  const Client& client = std::get<Client>(node);
  json.set("phase", std::string(to_string(client.phase())));
  json.set("op", client.operation());
  mc::Json answered = mc::Json::array();
  for (NodeId s = 0; s < config_.servers; ++s) {
    if ((client.answered() >> s & 1) != 0) answered.push(node_name(s));
  }
  json.set("answered", std::move(answered));
  json.set("tag", client.tag().text());
  json.set("value", int{client.value()});
  return json;
}

std::string Binding::input_label(const Input& input) const {
  return input.write ? "write " + std::to_string(input.value) : "read";
}

std::vector<mc::StateProperty<AbdState>> Binding::properties() const {
  const auto memo = std::make_shared<LinearizabilityMemo>();
  auto linearizable_history = [memo](const AbdState& s) {
    return memo->verdict(up_to_last_return(s.history), linearizable);
  };
  auto write_returned = [](const AbdState& s) {
    return returns(s, [](const ClientEvent& e) { return e.write; }) > 0;
  };
  auto read_returned_written_value = [](const AbdState& s) {
    return returns(s, [](const ClientEvent& e) { return !e.write && e.value != 0; }) > 0;
  };
  const int operations_in_all = config_.writers * config_.writes + config_.readers * config_.reads;
  auto every_operation_returned = [operations_in_all](const AbdState& s) {
    return returns(s, [](const ClientEvent&) { return true; }) == operations_in_all;
  };
  std::vector<mc::StateProperty<AbdState>> properties = {
      mc::always<AbdState>("Linearizable", linearizable_history),
      mc::sometimes<AbdState>("EveryOperationReturned", every_operation_returned),
  };
  // Goals only where the bounds have operations to reach them.
  const bool writes = config_.writers * config_.writes > 0;
  const bool reads = config_.readers * config_.reads > 0;
  if (writes) properties.push_back(mc::sometimes<AbdState>("WriteReturned", write_returned));
  if (writes && reads) {
    properties.push_back(
        mc::sometimes<AbdState>("ReadReturnedWrittenValue", read_returned_written_value));
  }
  return properties;
}

namespace {

// Whether the client has left the phase of `operation` that replies of
// type `reply` answer (QueryReply: the query phase; UpdateAck: the update
// phase).
bool phase_left(const Client& client, uint8_t operation, MessageType reply) {
  const auto phase =
      reply == MessageType::kQueryReply ? Client::Phase::kQuery : Client::Phase::kUpdate;
  return client.operation() != operation || client.phase() != phase;
}

}  // namespace

bool inert(const AbdState& state, const mc::Packet<Binding>& packet) {
  if ((state.stopped >> packet.to & 1) != 0) return true;
  const Message& message = packet.message;
  switch (message.type) {
    case MessageType::kQueryReply:
    case MessageType::kUpdateAck:
      return phase_left(std::get<Client>(state.nodes[packet.to]), message.operation, message.type);
    case MessageType::kQuery:
      return phase_left(std::get<Client>(state.nodes[packet.from]), message.operation,
                        MessageType::kQueryReply);
    case MessageType::kUpdate:
      return std::get<Server>(state.nodes[packet.to]).tag() >= message.tag &&
             phase_left(std::get<Client>(state.nodes[packet.from]), message.operation,
                        MessageType::kUpdateAck);
    case MessageType::kInvoke:
    case MessageType::kReturn: break;
  }
  CC_ASSERT(false && "Invoke and Return are local calls (Binding::kLoopback), never in flight");
  return false;
}

void AbdModel::successors(const State& state,
                          std::vector<mc::Successor<Action, State>>& out) const {
  const size_t first = out.size();
  mc::ActorModel<Binding>::successors(state, out);
  for (size_t i = first; i < out.size(); ++i) {
    auto& network = out[i].state.network;
    for (size_t p = network.size(); p-- > 0;) {
      if (inert(out[i].state, network[p])) network.erase(network.begin() + p);
    }
  }
}

AbdModel make_model(Config config, mc::FaultBudgets budgets) {
  return AbdModel(Binding(config), budgets);
}

}  // namespace abd
