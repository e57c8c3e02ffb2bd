#include "spec/lockservice/model.h"

#include <algorithm>
#include <bit>
#include <memory>

#include "impl/common/assert.h"
#include "impl/common/hash.h"

namespace crosscheck::spec::lockservice {

using ls::ClientInput;
using ls::ClientStage;
using ls::LockTable;
using ls::MessageType;

namespace {

bool packet_less(const Packet& a, const Packet& b) {
  if (a.from != b.from) return a.from < b.from;
  if (a.to != b.to) return a.to < b.to;
  return a.message < b.message;
}

bool same(const Packet& a, const Packet& b) { return a.from == b.from && a.to == b.to && a.message == b.message; }

}  // namespace

LockModel::LockModel(ls::Config config, LockBounds bounds) : config_(config), bounds_(bounds) {
  CC_ASSERT(config_.servers == 1);
  CC_ASSERT(config_.clients >= 1 && config_.clients <= ls::kMaxClients);
  CC_ASSERT(bounds_.clocks.horizon >= 1 && bounds_.clocks.horizon + bounds_.clocks.drift < 250);
}

std::string LockModel::node_name(NodeId id) const {
  if (config_.is_server(id)) return "server";
  if (config_.is_client(id)) return "c" + std::to_string(config_.client_of(id) + 1);
  return "resource";
}

std::vector<LockState> LockModel::initial_states() const {
  State state;
  state.server = ls::LockServer(0, config_);
  for (int c = 0; c < config_.clients; ++c) state.clients[static_cast<size_t>(c)] = ls::LockClient(client_node(c), config_);
  state.resource = ls::Resource(config_);
  Outbox out;
  state.server.start(out);
  send_all(state, 0, out);
  return {std::move(state)};
}

bool LockModel::paused(const State& state, NodeId id) const { return config_.is_client(id) && state.clocks.paused(id); }

void LockModel::sync(State& state, NodeId id) const {
  if (!config_.is_server(id) && !config_.is_client(id)) return;  // the resource has no clock
  if (paused(state, id)) return;
  const uint8_t reading = state.clocks.local[id];
  Outbox out;
  if (config_.is_server(id)) {
    if (state.server.local() == reading) return;
    state.server.on_tick(reading, out);
  } else {
    ls::LockClient& client = state.clients[static_cast<size_t>(config_.client_of(id))];
    if (client.local() == reading) return;
    client.on_tick(reading, out);
  }
  send_all(state, id, out);
}

void LockModel::deliver(State& state, NodeId from, NodeId to, const ls::Message& message) const {
  Outbox out;
  sync(state, to);
  if (config_.is_server(to)) {
    state.server.on_message(from, message, out);
  } else if (config_.is_client(to)) {
    state.clients[static_cast<size_t>(config_.client_of(to))].on_message(from, message, out);
  } else {
    CC_ASSERT(message.type == MessageType::kWrite);
    if (state.resource.on_write(message.token)) {
      if (message.token < state.history.max_accepted) state.history.stale_accepted = true;
      state.history.max_accepted = std::max(state.history.max_accepted, message.token);
    }
  }
  send_all(state, to, out);
}

void LockModel::send_all(State& state, NodeId from, const Outbox& out) const {
  for (const auto& send : out.sends()) {
    if (send.to == config_.resource_id()) {
      // A write reaches the resource at once: what can make it late is the
      // client's own pause between checking its lease and writing.
      deliver(state, from, send.to, send.message);
      continue;
    }
    Packet packet{from, send.to, send.message, 1};
    auto at = std::lower_bound(state.network.begin(), state.network.end(), packet, packet_less);
    if (at != state.network.end() && same(*at, packet)) {
      ++at->count;
    } else {
      state.network.insert(at, packet);
    }
  }
}

void LockModel::remove_copy(State& state, size_t index) {
  if (--state.network[index].count == 0) state.network.erase(state.network.begin() + index);
}

void LockModel::successors(const State& state, std::vector<mc::Successor<Action, State>>& out) const {
  const mc::ClockBounds& clocks = bounds_.clocks;
  for (size_t i = 0; i < state.network.size(); ++i) {
    const Packet& packet = state.network[i];
    if (paused(state, packet.to)) continue;
    State next = state;
    remove_copy(next, i);
    deliver(next, packet.from, packet.to, packet.message);
    out.push_back({Action{Action::Kind::kDeliver, packet.to, packet.from, packet.message}, std::move(next)});
    if (state.drops < bounds_.max_drops) {
      State lost = state;
      remove_copy(lost, i);
      ++lost.drops;
      out.push_back({Action{Action::Kind::kDrop, packet.to, packet.from, packet.message}, std::move(lost)});
    }
  }
  std::vector<ClientInput> inputs;
  for (int c = 0; c < config_.clients; ++c) {
    const NodeId id = client_node(c);
    if (paused(state, id)) continue;
    State synced = state;
    sync(synced, id);
    inputs.clear();
    synced.clients[static_cast<size_t>(c)].inputs(inputs);
    for (ClientInput input : inputs) {
      const auto k = static_cast<size_t>(c);
      if (input == ClientInput::kKeepAlive && state.keepalives[k] >= bounds_.max_keepalives) continue;
      if (input == ClientInput::kRetry && state.retries[k] >= bounds_.max_retries) continue;
      State next = synced;
      if (input == ClientInput::kKeepAlive) ++next.keepalives[k];
      if (input == ClientInput::kRetry) ++next.retries[k];
      Outbox effects;
      next.clients[static_cast<size_t>(c)].on_input(input, effects);
      send_all(next, id, effects);
      Action action{Action::Kind::kInput, id};
      action.input = input;
      out.push_back({action, std::move(next)});
    }
  }
  const int clocked = 1 + config_.clients;
  // A running client's own steps take no time: global time waits while a
  // running client is between its lease check and its write. Only a pause
  // (or its own clock ticking ahead) puts time there.
  bool urgent = false;
  for (int c = 0; c < config_.clients; ++c) {
    urgent = urgent || (!paused(state, client_node(c)) &&
                        state.clients[static_cast<size_t>(c)].stage() == ClientStage::kAboutToWrite);
  }
  if (state.clocks.can_advance(clocks) && !urgent) {
    State next = state;
    uint32_t moved = 0;
    next.clocks.advance(clocked, moved);
    for (NodeId id = 0; id < clocked; ++id) sync(next, id);  // every running node whose reading moved
    out.push_back({Action{Action::Kind::kAdvance, 0}, std::move(next)});
  }
  for (NodeId id = 0; id < clocked; ++id) {
    if (paused(state, id) || !state.clocks.can_tick(id, clocks)) continue;
    State next = state;
    next.clocks.tick(id);
    sync(next, id);
    out.push_back({Action{Action::Kind::kTick, id}, std::move(next)});
  }
  for (int c = 0; c < config_.clients; ++c) {
    const NodeId id = client_node(c);
    if (!state.clocks.can_pause(id, clocks)) continue;
    for (int ticks = 1; ticks <= clocks.max_pause && state.clocks.now + ticks <= clocks.horizon; ++ticks) {
      State next = state;
      next.clocks.pause(id, ticks);
      Action action{Action::Kind::kPause, id};
      action.ticks = static_cast<uint8_t>(ticks);
      out.push_back({action, std::move(next)});
    }
  }
  if (state.crashes < bounds_.max_crashes) {
    State next = state;
    ++next.crashes;
    Outbox effects;
    next.server.restart(effects);
    send_all(next, 0, effects);
    out.push_back({Action{Action::Kind::kCrash, 0}, std::move(next)});
  }
}

bool LockModel::within_bounds(const State& state) const {
  if (state.clocks.now > bounds_.clocks.horizon) return false;
  return std::all_of(state.network.begin(), state.network.end(), [](const Packet& p) { return p.count <= 1; });
}

uint64_t LockModel::fingerprint(const State& state) const {
  StableHasher hasher;
  state.clocks.hash(hasher, 1 + config_.clients);
  state.server.hash(hasher);
  for (int c = 0; c < config_.clients; ++c) state.clients[static_cast<size_t>(c)].hash(hasher);
  state.resource.hash(hasher);
  hasher.add(static_cast<uint64_t>(state.network.size()));
  for (const Packet& packet : state.network) {
    hasher.add(uint64_t{static_cast<uint8_t>(packet.from)} | uint64_t{static_cast<uint8_t>(packet.to)} << 8 |
               uint64_t{packet.count} << 16);
    packet.message.hash(hasher);
  }
  hasher.add(uint64_t{state.crashes} | uint64_t{state.drops} << 8 | uint64_t{state.history.max_accepted} << 16 |
             uint64_t{state.history.stale_accepted} << 24);
  uint64_t sent = 0;
  for (uint8_t count : state.keepalives) sent = sent << 8 | count;
  for (uint8_t count : state.retries) sent = sent << 8 | count;
  hasher.add(sent);
  return hasher.digest();
}

mc::Json LockModel::state_json(const State& state) const {
  mc::Json json = mc::Json::object();
  mc::Json time = mc::Json::object();
  time.set("now", int{state.clocks.now});
  mc::Json readings = mc::Json::object();
  for (NodeId id = 0; id < 1 + config_.clients; ++id) {
    std::string reading = std::to_string(state.clocks.local[id]);
    if (state.clocks.paused(id)) reading += " (paused until " + std::to_string(state.clocks.paused_until[id]) + ")";
    readings.set(node_name(id), reading);
  }
  time.set("clocks", std::move(readings));
  json.set("time", std::move(time));
  const ls::LockServer& server = state.server;
  mc::Json s = mc::Json::object();
  s.set("table", server.table().label());
  s.set("holder", server.table().holder() == ls::kNobody ? std::string("nobody")
                                                         : "c" + std::to_string(server.table().holder() + 1));
  mc::Json deadlines = mc::Json::object();
  for (int c = 0; c < config_.clients; ++c) {
    if (server.table().live(c)) deadlines.set("c" + std::to_string(c + 1), int{server.deadline(c)});
  }
  s.set("session deadlines", std::move(deadlines));
  s.set("max wake-ups per release", int{server.table().max_wakeups()});
  json.set("server", std::move(s));
  for (int c = 0; c < config_.clients; ++c) {
    const ls::LockClient& client = state.clients[static_cast<size_t>(c)];
    const NodeId id = client_node(c);
    mc::Json j = mc::Json::object();
    j.set("stage", std::string(ls::to_string(client.stage())));
    j.set("token", int{client.token()});
    j.set("lease ends", int{client.lease_end()});
    j.set("believes it holds", client.believes_held(state.clocks.local[id]));
    json.set(node_name(id), std::move(j));
  }
  mc::Json r = mc::Json::object();
  r.set("largest token", int{state.resource.max_token()});
  r.set("accepted", int{state.resource.accepted()});
  r.set("rejected", int{state.resource.rejected()});
  json.set("resource", std::move(r));
  mc::Json network = mc::Json::array();
  for (const Packet& packet : state.network) {
    std::string text = packet.message.label() + " " + node_name(packet.from) + "->" + node_name(packet.to);
    if (packet.count > 1) text += " x" + std::to_string(packet.count);
    network.push(text);
  }
  json.set("network", std::move(network));
  return json;
}

std::string LockModel::action_label(const Action& action) const {
  const std::string node = node_name(action.node);
  switch (action.kind) {
    case Action::Kind::kDeliver:
      return "Deliver " + action.message.label() + " " + node_name(action.from) + "->" + node;
    case Action::Kind::kDrop: return "Drop " + action.message.label() + " " + node_name(action.from) + "->" + node;
    case Action::Kind::kInput: return "Input " + node + " " + std::string(ls::to_string(action.input));
    case Action::Kind::kAdvance: return "Advance global time";
    case Action::Kind::kTick: return "Tick " + node + " clock ahead";
    case Action::Kind::kPause: return "Pause " + node + " for " + std::to_string(action.ticks) + " ticks";
    case Action::Kind::kCrash: return "Crash " + node;
  }
  return "?";
}

std::vector<std::string> LockModel::action_kinds() const {
  return {"Deliver", "Drop", "Input", "Advance", "Tick", "Pause", "Crash"};
}

int LockModel::believers(const State& state) const {
  int count = 0;
  for (int c = 0; c < config_.clients; ++c) {
    if (state.clients[static_cast<size_t>(c)].believes_held(state.clocks.local[client_node(c)])) ++count;
  }
  return count;
}

std::vector<mc::StateProperty<LockState>> LockModel::properties() const {
  const auto self = std::make_shared<const LockModel>(*this);
  return {
      mc::always<State>("LeaseMutualExclusion", [self](const State& s) { return self->believers(s) <= 1; }),
      mc::always<State>("FencedMutualExclusion", [](const State& s) { return !s.history.stale_accepted; }),
      mc::always<State>("OneWakeupPerRelease", [](const State& s) { return s.server.table().max_wakeups() <= 1; }),
  };
}

bool tokens_strictly_increase(const LockTable& a, const LockTable& b) {
  if (b.generation() < a.generation()) return false;
  const bool new_grant = b.holder() != ls::kNobody && (a.holder() == ls::kNobody || a.holder_seq() != b.holder_seq());
  return !new_grant || b.generation() > a.generation();
}

bool grants_in_queue_order(const LockTable& a, const LockTable& b) {
  if (b.holder() == ls::kNobody || (a.holder() != ls::kNobody && a.holder_seq() == b.holder_seq())) return true;
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
        (b.holder() != a.holder() || b.holder_seq() != a.holder_seq() || b.generation() != a.generation())) {
      return false;
    }
  }
  return true;
}

std::vector<mc::TransitionProperty<LockState, LockAction>> LockModel::transition_properties() const {
  return {
      {"TokensStrictlyIncrease",
       [](const State& from, const Action&, const State& to) {
         return tokens_strictly_increase(from.server.table(), to.server.table());
       }},
      {"GrantsInQueueOrder",
       [](const State& from, const Action&, const State& to) {
         return grants_in_queue_order(from.server.table(), to.server.table());
       }},
      {"ExpiryKeepsOthersLocks",
       [clients = config_.clients](const State& from, const Action&, const State& to) {
         return expiry_keeps_others_locks(from.server.table(), to.server.table(), clients);
       }},
  };
}

// The table has granted the lock to a client whose session is alive, and the
// client does not know it yet.
std::vector<mc::LivenessProperty<LockState>> LockModel::liveness_properties() const {
  const auto self = std::make_shared<const LockModel>(*this);
  auto granted_unknown = [self](const State& s) {
    const int8_t h = s.server.table().holder();
    if (h == ls::kNobody || !s.server.table().live(h)) return false;
    const ClientStage stage = s.clients[static_cast<size_t>(h)].stage();
    return stage == ClientStage::kAcquiring || stage == ClientStage::kWaiting;
  };
  auto learned_or_ended = [self](const State& s) {
    const int8_t h = s.server.table().holder();
    if (h == ls::kNobody || !s.server.table().live(h)) return true;
    const ClientStage stage = s.clients[static_cast<size_t>(h)].stage();
    return stage != ClientStage::kAcquiring && stage != ClientStage::kWaiting;
  };
  return {mc::leads_to<State>("WaiterEventuallyGranted", granted_unknown, learned_or_ended)};
}

std::optional<uint64_t> LockModel::fair_class(const Action& action) const {
  StableHasher hasher;
  switch (action.kind) {
    case Action::Kind::kDeliver:
      hasher.add(uint64_t{0}).add(action.from).add(action.node);
      action.message.hash(hasher);
      return hasher.digest();
    case Action::Kind::kAdvance: return hasher.add(uint64_t{1}).digest();
    default: return std::nullopt;
  }
}

std::string LockModel::fairness() const {
  return "weak fairness of each message's delivery and of global time's advance (up to the horizon)";
}

std::vector<std::string> LockModel::lifelines() const {
  std::vector<std::string> names;
  for (NodeId id = 0; id < config_.node_count(); ++id) names.push_back(node_name(id));
  return names;
}

mc::StepEvent LockModel::initial_event(const State&) const {
  mc::StepEvent event;
  event.kind = "initial";
  return event;
}

mc::StepEvent LockModel::step_event(const State& from, const Action& action, const State& to) const {
  mc::StepEvent event;
  event.node = node_name(action.node);
  switch (action.kind) {
    case Action::Kind::kDeliver:
      event.kind = "message";
      event.from = node_name(action.from);
      event.text = action.message.label();
      break;
    case Action::Kind::kDrop:
      event.kind = "drop";
      event.from = node_name(action.from);
      event.text = action.message.label();
      break;
    case Action::Kind::kInput:
      event.kind = "input";
      event.text = std::string(ls::to_string(action.input));
      break;
    case Action::Kind::kAdvance:
      event.kind = "timeout";
      event.text = "time " + std::to_string(to.clocks.now);
      break;
    case Action::Kind::kTick:
      event.kind = "timeout";
      event.text = "clock " + std::to_string(to.clocks.local[action.node]);
      break;
    case Action::Kind::kPause:
      event.kind = "timeout";
      event.text = "paused for " + std::to_string(action.ticks);
      break;
    case Action::Kind::kCrash:
      event.kind = "crash";
      event.text = "restarts";
      break;
  }
  // What the step sent: copies in flight after it beyond those before it,
  // less the copy a delivery or drop took out.
  auto before = from.network;
  if (action.kind == Action::Kind::kDeliver || action.kind == Action::Kind::kDrop) {
    for (size_t i = 0; i < before.size(); ++i) {
      if (before[i].from == action.from && before[i].to == action.node && before[i].message == action.message) {
        if (--before[i].count == 0) before.erase(before.begin() + i);
        break;
      }
    }
  }
  for (const Packet& packet : to.network) {
    int earlier = 0;
    for (const Packet& old : before) {
      if (same(old, packet)) earlier = old.count;
    }
    for (int copy = earlier; copy < packet.count; ++copy) {
      event.sent.push_back({node_name(packet.from), node_name(packet.to), packet.message.label()});
    }
  }
  return event;
}

// ---------------------------------------------------------------------------
// Redlock

bool RedlockModel::holds(const State& state, int client) const {
  return std::popcount(unsigned{state.granted[static_cast<size_t>(client)]}) * 2 > nodes_;
}

void RedlockModel::successors(const State& state, std::vector<mc::Successor<Action, State>>& out) const {
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
  hasher.add(uint64_t{state.granted[0]} | uint64_t{state.granted[1]} << 8 | uint64_t{state.restarts} << 16);
  return hasher.digest();
}

mc::Json RedlockModel::state_json(const State& state) const {
  mc::Json json = mc::Json::object();
  for (int n = 0; n < nodes_; ++n) {
    const int8_t owner = state.owner[static_cast<size_t>(n)];
    json.set("node" + std::to_string(n + 1), owner == -1 ? std::string("free") : "c" + std::to_string(owner + 1));
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
  return {mc::always<State>("MutualExclusion", [self](const State& s) { return !(self->holds(s, 0) && self->holds(s, 1)); })};
}

}  // namespace crosscheck::spec::lockservice
