#include "check/lockservice/model.h"

#include <algorithm>
#include <bit>
#include <memory>
#include <variant>

#include "impl/common/assert.h"
#include "impl/common/hash.h"

namespace crosscheck::check::lockservice {

using ls::ClientInput;
using ls::ClientStage;
using ls::LockTable;
using ls::MessageType;

LockBinding::LockBinding(ls::Config config, LockBounds bounds) : config_(config), bounds_(bounds) {
  CC_ASSERT(config_.servers == 1);
  CC_ASSERT(config_.clients >= 1 && config_.clients <= ls::kMaxClients);
  CC_ASSERT(bounds_.clocks.horizon >= 1 && bounds_.clocks.horizon + bounds_.clocks.drift < 250);
}

std::string LockBinding::node_name(NodeId id) const {
  if (config_.is_server(id)) return "server";
  if (config_.is_client(id)) return "c" + std::to_string(config_.client_of(id) + 1);
  return "resource";
}

LockBinding::Node LockBinding::initial_node(NodeId id) const {
  if (config_.is_server(id)) return SharedServer(ls::LockServer(id, config_));
  if (config_.is_client(id)) return ClientNode{ls::LockClient(id, config_)};
  return ResourceNode{ls::Resource(config_)};
}

void LockBinding::start(NodeId, Node& node, ls::LockOutbox& out) const {
  if (auto* server = std::get_if<SharedServer>(&node))
    server->change([&](ls::LockServer& s) { s.start(out); });
}

void LockBinding::on_message(NodeId, Node& node, NodeId from, const Message& m,
                             ls::LockOutbox& out) const {
  if (auto* server = std::get_if<SharedServer>(&node)) {
    server->change([&](ls::LockServer& s) { s.on_message(from, m, out); });
  } else if (auto* client = std::get_if<ClientNode>(&node)) {
    client->client.on_message(from, m, out);
  } else {
    CC_ASSERT(m.type == MessageType::kWrite);
    ResourceNode& resource = std::get<ResourceNode>(node);
    if (resource.resource.on_write(m.token)) {
      if (m.token < resource.max_accepted) resource.stale_accepted = true;
      resource.max_accepted = std::max(resource.max_accepted, m.token);
    }
  }
}

void LockBinding::on_timeout(NodeId, Node& node, Timer timer, ls::LockOutbox& out) const {
  std::get<SharedServer>(node).change([&](ls::LockServer& s) { s.on_timeout(timer, out); });
}

void LockBinding::on_tick(NodeId, Node& node, uint8_t reading, ls::LockOutbox& out) const {
  if (auto* server = std::get_if<SharedServer>(&node)) {
    server->change([&](ls::LockServer& s) { s.on_tick(reading, out); });
  } else {
    std::get<ClientNode>(node).client.on_tick(reading, out);
  }
}

void LockBinding::inputs(NodeId, const Node& node, std::vector<Input>& out) const {
  const auto* client = std::get_if<ClientNode>(&node);
  if (client == nullptr) return;
  std::vector<Input> offered;
  client->client.inputs(offered);
  for (Input input : offered) {
    if (input == ClientInput::kKeepAlive && client->keepalives >= bounds_.max_keepalives) continue;
    if (input == ClientInput::kRetry && client->retries >= bounds_.max_retries) continue;
    out.push_back(input);
  }
}

void LockBinding::on_input(NodeId, Node& node, const Input& input, ls::LockOutbox& out) const {
  ClientNode& client = std::get<ClientNode>(node);
  if (input == ClientInput::kKeepAlive) ++client.keepalives;
  if (input == ClientInput::kRetry) ++client.retries;
  client.client.on_input(input, out);
}

void LockBinding::restart(NodeId, Node& node, ls::LockOutbox& out) const {
  std::get<SharedServer>(node).change([&](ls::LockServer& s) { s.restart(out); });
}

bool LockBinding::time_waits_for(NodeId, const Node& node) const {
  const auto* client = std::get_if<ClientNode>(&node);
  return client != nullptr && client->client.stage() == ClientStage::kAboutToWrite;
}

// Node n is the same kind of node in every state, so the kind needs no hashing.
void LockBinding::hash(const Node& node, StableHasher& hasher) const {
  if (const auto* server = std::get_if<SharedServer>(&node)) {
    server->get().hash(hasher);
  } else if (const auto* client = std::get_if<ClientNode>(&node)) {
    client->client.hash(hasher);
    hasher.add(uint64_t{client->keepalives} | uint64_t{client->retries} << 8);
  } else {
    const ResourceNode& resource = std::get<ResourceNode>(node);
    resource.resource.hash(hasher);
    hasher.add(uint64_t{resource.max_accepted} | uint64_t{resource.stale_accepted} << 8);
  }
}

namespace {

std::string client_name(int c) { return "c" + std::to_string(c + 1); }

mc::Json server_json(const ls::LockServer& server, int clients) {
  mc::Json json = mc::Json::object();
  const LockTable& table = server.table();
  json.set("table", table.label());
  json.set("holder",
           table.holder() == ls::kNobody ? std::string("nobody") : client_name(table.holder()));
  mc::Json deadlines = mc::Json::object();
  for (int c = 0; c < clients; ++c) {
    if (table.live(c)) deadlines.set(client_name(c), int{server.deadline(c)});
  }
  json.set("session deadlines", std::move(deadlines));
  json.set("max wake-ups per release", int{table.max_wakeups()});
  return json;
}

}  // namespace

mc::Json LockBinding::node_json(NodeId, const Node& node, uint8_t reading) const {
  if (const auto* server = std::get_if<SharedServer>(&node))
    return server_json(server->get(), config_.clients);
  mc::Json json = mc::Json::object();
  if (const auto* node_of_client = std::get_if<ClientNode>(&node)) {
    const ls::LockClient& client = node_of_client->client;
    json.set("stage", std::string(ls::to_string(client.stage())));
    json.set("token", int{client.token()});
    json.set("lease ends", int{client.lease_end()});
    json.set("believes it holds", client.believes_held(reading));
    return json;
  }
  const ResourceNode& resource = std::get<ResourceNode>(node);
  json.set("largest token", int{resource.resource.max_token()});
  json.set("accepted", int{resource.resource.accepted()});
  json.set("rejected", int{resource.resource.rejected()});
  return json;
}

const ls::LockServer& LockBinding::server(const State& state) const {
  return std::get<SharedServer>(state.nodes[0]).get();
}

const ls::LockClient& LockBinding::client(const State& state, int c) const {
  return std::get<ClientNode>(state.nodes[config_.client_id(c)]).client;
}

const ResourceNode& LockBinding::resource(const State& state) const {
  return std::get<ResourceNode>(state.nodes[config_.resource_id()]);
}

int LockBinding::believers(const State& state) const {
  int count = 0;
  for (int c = 0; c < config_.clients; ++c) {
    if (client(state, c).believes_held(state.time.clocks.local[config_.client_id(c)])) ++count;
  }
  return count;
}

std::vector<mc::StateProperty<LockState>> LockBinding::properties() const {
  const auto self = std::make_shared<const LockBinding>(*this);
  return {
      mc::always<State>("LeaseMutualExclusion",
                        [self](const State& s) { return self->believers(s) <= 1; }),
      mc::always<State>("FencedMutualExclusion",
                        [self](const State& s) { return !self->resource(s).stale_accepted; }),
      mc::always<State>(
          "OneWakeupPerRelease",
          [self](const State& s) { return self->server(s).table().max_wakeups() <= 1; }),
  };
}

bool tokens_strictly_increase(const LockTable& a, const LockTable& b) {
  if (b.generation() < a.generation()) return false;
  const bool new_grant =
      b.holder() != ls::kNobody && (a.holder() == ls::kNobody || a.holder_seq() != b.holder_seq());
  return !new_grant || b.generation() > a.generation();
}

bool grants_in_queue_order(const LockTable& a, const LockTable& b) {
  if (b.holder() == ls::kNobody || (a.holder() != ls::kNobody && a.holder_seq() == b.holder_seq()))
    return true;
  if (a.holder() != ls::kNobody && b.holder_seq() < a.holder_seq()) return false;
  // No node older than the new holder's is left: nobody jumped ahead of an
  // older waiter.
  for (int i = 0; i < b.queue_size(); ++i) {
    if (b.seat(i).seq < b.holder_seq()) return false;
  }
  return true;
}

bool expiry_keeps_others_locks(const LockTable& a, const LockTable& b, int clients) {
  for (int c = 0; c < clients; ++c) {
    if (!a.live(c) || b.live(c)) continue;
    if (a.holder() != ls::kNobody && a.holder() != c && b.live(a.holder()) &&
        (b.holder() != a.holder() || b.holder_seq() != a.holder_seq() ||
         b.generation() != a.generation())) {
      return false;
    }
  }
  return true;
}

std::vector<mc::TransitionProperty<LockState, LockAction>> LockBinding::transition_properties()
    const {
  const auto self = std::make_shared<const LockBinding>(*this);
  auto table = [self](const State& s) -> const LockTable& { return self->server(s).table(); };
  return {
      {"TokensStrictlyIncrease",
       [table](const State& from, const Action&, const State& to) {
         return tokens_strictly_increase(table(from), table(to));
       }},
      {"GrantsInQueueOrder",
       [table](const State& from, const Action&, const State& to) {
         return grants_in_queue_order(table(from), table(to));
       }},
      {"ExpiryKeepsOthersLocks",
       [table, clients = config_.clients](const State& from, const Action&, const State& to) {
         return expiry_keeps_others_locks(table(from), table(to), clients);
       }},
  };
}

// The table has granted the lock to a client whose session is alive, and the
// client does not know it yet.
std::vector<mc::LivenessProperty<LockState>> LockBinding::liveness_properties() const {
  const auto self = std::make_shared<const LockBinding>(*this);
  auto granted_unknown = [self](const State& s) {
    const LockTable& table = self->server(s).table();
    const int8_t h = table.holder();
    if (h == ls::kNobody || !table.live(h)) return false;
    const ClientStage stage = self->client(s, h).stage();
    return stage == ClientStage::kAcquiring || stage == ClientStage::kWaiting;
  };
  auto learned_or_ended = [granted_unknown](const State& s) { return !granted_unknown(s); };
  return {mc::leads_to<State>("WaiterEventuallyGranted", granted_unknown, learned_or_ended)};
}

namespace {

mc::ActorModel<LockBinding>::Time clock_time(const LockBounds& bounds) {
  return {.drift = bounds.clocks.drift,
          .horizon = bounds.clocks.horizon,
          .paused_clocks_tick = false,
          .pauses_outlast_horizon = false};
}

mc::FaultBudgets fault_budgets(const LockBounds& bounds) {
  mc::FaultBudgets budgets;
  budgets.max_drops = bounds.max_drops;
  budgets.max_crashes = bounds.max_crashes;
  budgets.max_copies = 1;
  budgets.max_pauses = bounds.clocks.max_pauses;
  budgets.max_pause = bounds.clocks.max_pause;
  return budgets;
}

}  // namespace

LockModel::LockModel(ls::Config config, LockBounds bounds)
    : mc::ActorModel<LockBinding>(LockBinding(config, bounds), fault_budgets(bounds),
                                  clock_time(bounds)) {}

// ---------------------------------------------------------------------------
// Redlock

bool RedlockModel::holds(const State& state, int client) const {
  return std::popcount(unsigned{state.granted[static_cast<size_t>(client)]}) * 2 > nodes_;
}

void RedlockModel::successors(const State& state,
                              std::vector<mc::Successor<Action, State>>& out) const {
  for (int8_t c = 0; c < 2; ++c) {
    if (holds(state, c)) continue;  // a holder asks for nothing more
    for (int8_t n = 0; n < nodes_; ++n) {
      if (state.owner[static_cast<size_t>(n)] != -1) continue;
      State next = state;
      next.owner[static_cast<size_t>(n)] = c;
      next.granted[static_cast<size_t>(c)] |= static_cast<uint8_t>(1u << n);
      out.push_back({Action{Action::Kind::kGrant, c, n}, next});
    }
  }
  if (state.restarts < max_restarts_) {
    for (int8_t n = 0; n < nodes_; ++n) {
      if (state.owner[static_cast<size_t>(n)] == -1) continue;
      State next = state;
      next.owner[static_cast<size_t>(n)] = -1;  // the grant was in memory only
      ++next.restarts;
      out.push_back({Action{Action::Kind::kRestart, -1, n}, next});
    }
  }
}

uint64_t RedlockModel::fingerprint(const State& state) const {
  StableHasher hasher;
  for (int8_t owner : state.owner) hasher.add(int{owner});
  hasher.add(uint64_t{state.granted[0]} | uint64_t{state.granted[1]} << 8 |
             uint64_t{state.restarts} << 16);
  return hasher.digest();
}

mc::Json RedlockModel::state_json(const State& state) const {
  mc::Json json = mc::Json::object();
  for (int n = 0; n < nodes_; ++n) {
    const int8_t owner = state.owner[static_cast<size_t>(n)];
    json.set("node" + std::to_string(n + 1),
             owner == -1 ? std::string("free") : "c" + std::to_string(owner + 1));
  }
  for (int c = 0; c < 2; ++c) {
    json.set("c" + std::to_string(c + 1) + " grants",
             std::popcount(unsigned{state.granted[static_cast<size_t>(c)]}));
  }
  json.set("restarts", int{state.restarts});
  return json;
}

std::string RedlockModel::action_label(const Action& action) const {
  const std::string node = "node" + std::to_string(action.node + 1);
  if (action.kind == Action::Kind::kRestart) return "Restart " + node + " (forgets its grant)";
  return "Grant " + node + " to c" + std::to_string(action.client + 1);
}

std::vector<mc::StateProperty<RedlockState>> RedlockModel::properties() const {
  const auto self = std::make_shared<const RedlockModel>(*this);
  return {mc::always<State>("MutualExclusion", [self](const State& s) {
    return !(self->holds(s, 0) && self->holds(s, 1));
  })};
}

}  // namespace crosscheck::check::lockservice
