#include "spec/failover/model.h"

#include <algorithm>
#include <bit>
#include <memory>
#include <stdexcept>

#include "impl/common/assert.h"

namespace crosscheck::spec::failover {

using implfo::Client;
using implfo::Message;
using implfo::Replica;
using implfo::Role;
using mc::lin::KvSpec;

int State::in_flight() const {
  int total = 0;
  for (const Packet& p : network) total += p.count;
  return total;
}

namespace {

bool packet_less(const Packet& a, const Packet& b) {
  if (a.from != b.from) return a.from < b.from;
  if (a.to != b.to) return a.to < b.to;
  return a.message < b.message;
}

Action step(Action::Kind kind, int node = 0, int amount = 0) {
  Action action;
  action.kind = kind;
  action.node = static_cast<uint8_t>(node);
  action.amount = static_cast<uint8_t>(amount);
  return action;
}

Action packet_step(Action::Kind kind, const Packet& packet) {
  Action action = step(kind, packet.to);
  action.from = packet.from;
  action.message = packet.message;
  return action;
}

void remove_copy(State& state, size_t index) {
  if (--state.network[index].count == 0) state.network.erase(state.network.begin() + index);
}

// Within a run of consecutive invocations, or of consecutive responses,
// events are kept sorted: their order there precedes nothing in real time,
// so states that differ only in it are one.
void record(State& state, const ClientEvent& event) {
  auto* run = state.events.end();
  while (run != state.events.begin() && (run - 1)->response == event.response) --run;
  state.events.insert(std::lower_bound(run, state.events.end(), event), event);
}

mc::lin::History<KvSpec> to_operations(const ClientEvent* begin, const ClientEvent* end) {
  mc::lin::History<KvSpec> operations;
  for (const ClientEvent* e = begin; e != end; ++e) {
    const mc::lin::Time time = e - begin;
    if (!e->response) {
      const KvSpec::Input input = e->write ? KvSpec::put(1, e->value) : KvSpec::get(1);
      operations.push_back(mc::lin::pending<KvSpec>(e->client + 1, time, input));
      continue;
    }
    for (auto& op : operations) {
      if (op.client != e->client + 1 || !op.pending()) continue;
      op.returned = time;
      op.output = e->write ? KvSpec::ok() : (e->value == 0 ? KvSpec::absent() : KvSpec::found(e->value));
      break;  // a client waits for one request at a time
    }
  }
  return operations;
}

SmallVector<ClientEvent, 8> up_to_last_response(const State& state) {
  SmallVector<ClientEvent, 8> events = state.events;
  while (!events.empty() && !events.back().response) events.pop_back();
  return events;
}

bool linearizable_events(const SmallVector<ClientEvent, 8>& events) {
  if (events.empty()) return true;
  return mc::lin::check(to_operations(events.begin(), events.end())).verdict == mc::lin::Verdict::kLinearizable;
}

using LinearizabilityMemo = mc::lin::VerdictMemo<SmallVector<ClientEvent, 8>>;

}  // namespace

mc::lin::History<KvSpec> client_history(const State& state) {
  return to_operations(state.events.begin(), state.events.end());
}

bool linearizable(const State& state) { return linearizable_events(up_to_last_response(state)); }

bool at_most_one_valid_primary(const State& state) {
  int valid = 0;
  for (size_t r = 0; r < state.replicas.size(); ++r) {
    if (state.up(static_cast<int>(r)) && state.replicas[r].lease_valid_at(state.clocks.local[r])) ++valid;
  }
  return valid <= 1;
}

bool acknowledged_write_never_lost(const State& state) {
  int newest = 0;
  for (const Replica& r : state.replicas) newest = std::max<int>(newest, r.epoch());
  for (size_t r = 0; r < state.replicas.size(); ++r) {
    const Replica& replica = state.replicas[r];
    if (!state.up(static_cast<int>(r)) || replica.role() != Role::kPrimary || replica.epoch() != newest) continue;
    for (const ClientEvent& e : state.events) {
      if (e.response && e.write && !replica.log().contains(e.client, e.seq)) return false;
    }
  }
  return true;
}

FailoverModel::FailoverModel(implfo::Config config, Bounds bounds) : config_(config), bounds_(bounds) {
  if (!config.valid()) throw std::invalid_argument("failover: configuration out of range");
  if (bounds.horizon < 1 || bounds.horizon > 200 || bounds.max_pause < 0 || bounds.max_pause > 50 ||
      bounds.max_pauses < 0 || bounds.max_crashes < 0 || bounds.max_crashes > config.replicas ||
      bounds.max_drops < 0 || bounds.max_messages < 0 || bounds.clock_drift < -1 ||
      bounds.clock_drift > 50) {
    throw std::invalid_argument("failover: bounds out of range");
  }
}

mc::ClockBounds FailoverModel::clock_bounds() const {
  return mc::ClockBounds{.drift = bounds_.clock_drift < 0 ? int{config_.drift} : bounds_.clock_drift,
                         .horizon = bounds_.horizon,
                         .max_pause = bounds_.max_pause,
                         .max_pauses = bounds_.max_pauses};
}

std::vector<State> FailoverModel::initial_states() const {
  State state;
  for (NodeId r = 0; r < config_.replicas; ++r) state.replicas.push_back(Replica(r, config_));
  for (int c = 0; c < config_.clients; ++c) state.clients.push_back(Client(c, config_));
  implfo::FailoverOutbox out;
  for (NodeId r = 0; r < config_.replicas; ++r) {
    out.clear();
    state.replicas[r].on_tick(0, out);
    apply(state, r, out);
  }
  collect(state);
  return {std::move(state)};
}

void FailoverModel::apply(State& state, int self, const implfo::FailoverOutbox& out) const {
  for (const auto& send : out.sends()) {
    CC_ASSERT(send.to >= 0 && send.to < config_.node_count());
    Packet packet{static_cast<uint8_t>(self), static_cast<uint8_t>(send.to), send.message, 1};
    auto* at = std::lower_bound(state.network.begin(), state.network.end(), packet, packet_less);
    if (at != state.network.end() && at->same_message(packet)) {
      ++at->count;
    } else {
      state.network.insert(at, packet);
    }
  }
}

void FailoverModel::deliver(State& state, uint8_t from, uint8_t to, const Message& m) const {
  implfo::FailoverOutbox out;
  if (to < config_.replicas) {
    state.replicas[to].on_message(from, m, out);
    apply(state, to, out);
    return;
  }
  Client& client = state.clients[config_.client_index(to)];
  const uint8_t outstanding = client.outstanding();
  const bool write = client.outstanding_write();
  client.on_message(from, m, out);
  apply(state, to, out);
  if (outstanding != 0 && client.outstanding() == 0) {
    const uint8_t value = write ? config_.write_value(client.index(), outstanding) : client.last_answer();
    record(state, ClientEvent{true, static_cast<uint8_t>(client.index()), outstanding, write, value});
  }
}

void FailoverModel::catch_up(State& state) const {
  implfo::FailoverOutbox out;
  for (NodeId r = 0; r < config_.replicas; ++r) {
    if (!state.up(r) || state.clocks.paused(r) || state.replicas[r].now() == state.clocks.local[r]) continue;
    out.clear();
    state.replicas[r].on_tick(state.clocks.local[r], out);
    apply(state, r, out);
  }
}

// A message whose delivery can never change anything: the receiver is down
// for good, or ignores it now and in every state it can reach (a reply to a
// request its client has had answered; an AppendAck of an epoch its
// receiver no longer leads, or that says nothing newer than the receiver
// has heard). Such messages are taken out of the network, so that states
// differing only in them are one.
bool FailoverModel::inert(const State& state, const Packet& packet) const {
  if (packet.to < config_.replicas) {
    if (!state.up(packet.to)) return true;
    const Replica& to = state.replicas[packet.to];
    if (packet.message.type != implfo::MessageType::kAppendAck) return false;
    return to.role() != Role::kPrimary || to.epoch() != packet.message.epoch ||
           to.acknowledged_by(packet.from, packet.message.sent_at, packet.message.length);
  }
  const Client& client = state.clients[config_.client_index(packet.to)];
  return packet.message.seq != client.outstanding();
}

void FailoverModel::collect(State& state) const {
  for (size_t i = state.network.size(); i-- > 0;) {
    if (inert(state, state.network[i])) state.network.erase(state.network.begin() + i);
  }
}

void FailoverModel::successors(const State& state, std::vector<mc::Successor<Action, State>>& out) const {
  const size_t first = out.size();
  generate(state, out);
  for (size_t i = first; i < out.size(); ++i) collect(out[i].state);
}

void FailoverModel::generate(const State& state, std::vector<mc::Successor<Action, State>>& out) const {
  for (size_t i = 0; i < state.network.size(); ++i) {
    const Packet& packet = state.network[i];
    const bool to_replica = packet.to < config_.replicas;
    if (to_replica && (!state.up(packet.to) || state.clocks.paused(packet.to))) continue;
    State next = state;
    remove_copy(next, i);
    deliver(next, packet.from, packet.to, packet.message);
    out.push_back({packet_step(Action::Kind::kDeliver, packet), std::move(next)});
  }
  if (state.drops < bounds_.max_drops) {
    for (size_t i = 0; i < state.network.size(); ++i) {
      const Packet& packet = state.network[i];
      State next = state;
      remove_copy(next, i);
      ++next.drops;
      out.push_back({packet_step(Action::Kind::kDrop, packet), std::move(next)});
    }
  }
  implfo::FailoverOutbox effects;
  for (int c = 0; c < config_.clients; ++c) {
    if (!state.clients[c].can_issue()) continue;
    for (const bool write : {true, false}) {
      State next = state;
      Client& client = next.clients[c];
      effects.clear();
      client.issue(write, effects);
      const uint8_t seq = client.outstanding();
      apply(next, config_.client_id(c), effects);
      record(next, ClientEvent{false, static_cast<uint8_t>(c), seq, write,
                               write ? config_.write_value(c, seq) : uint8_t{0}});
      out.push_back({step(Action::Kind::kIssue, config_.client_id(c), write ? config_.write_value(c, seq) : 0),
                     std::move(next)});
    }
  }
  add_time_steps(state, out);
}

void FailoverModel::add_time_steps(const State& state, std::vector<mc::Successor<Action, State>>& out) const {
  const mc::ClockBounds clocks = clock_bounds();
  if (state.clocks.can_advance(clocks)) {
    State next = state;
    uint32_t moved = 0;
    next.clocks.advance(config_.replicas, moved);
    catch_up(next);
    const int now = next.clocks.now;
    out.push_back({step(Action::Kind::kAdvance, 0, now), std::move(next)});
  }
  for (NodeId r = 0; r < config_.replicas; ++r) {
    if (!state.up(r)) continue;
    if (state.clocks.can_tick(r, clocks)) {
      State next = state;
      next.clocks.tick(r);
      catch_up(next);
      const int clock = next.clocks.local[r];
      out.push_back({step(Action::Kind::kTick, r, clock), std::move(next)});
    }
    if (state.clocks.can_pause(r, clocks) && state.clocks.now < bounds_.horizon) {
      for (int ticks = 1; ticks <= bounds_.max_pause; ++ticks) {
        State next = state;
        next.clocks.pause(r, ticks);
        out.push_back({step(Action::Kind::kPause, r, ticks), std::move(next)});
      }
    }
    if (std::popcount(static_cast<unsigned>(state.crashed)) < bounds_.max_crashes) {
      State next = state;
      next.crashed |= static_cast<uint8_t>(1u << r);
      out.push_back({step(Action::Kind::kCrash, r), std::move(next)});
    }
  }
}

bool FailoverModel::within_bounds(const State& state) const {
  return bounds_.max_messages == 0 || state.in_flight() <= bounds_.max_messages;
}

uint64_t FailoverModel::fingerprint(const State& state) const {
  StableHasher hasher;
  for (const Replica& r : state.replicas) r.hash(hasher);
  for (const Client& c : state.clients) c.hash(hasher);
  hasher.add(static_cast<uint64_t>(state.network.size()));
  for (const Packet& p : state.network) {
    hasher.add(uint64_t{p.from} | uint64_t{p.to} << 8 | uint64_t{p.count} << 16);
    p.message.hash(hasher);
  }
  state.clocks.hash(hasher, config_.replicas);
  hasher.add(uint64_t{state.crashed} | uint64_t{state.drops} << 8);
  hasher.add(static_cast<uint64_t>(state.events.size()));
  for (const ClientEvent& e : state.events) {
    hasher.add(uint64_t{e.response} | uint64_t{e.client} << 8 | uint64_t{e.seq} << 16 | uint64_t{e.write} << 24 |
               uint64_t{e.value} << 32);
  }
  return hasher.digest();
}

std::string FailoverModel::node_name(int node) const {
  if (node < config_.replicas) return "r" + std::to_string(node + 1);
  return "c" + std::to_string(config_.client_index(node) + 1);
}

mc::Json FailoverModel::state_json(const State& state) const {
  mc::Json nodes = mc::Json::object();
  for (NodeId r = 0; r < config_.replicas; ++r) {
    const Replica& replica = state.replicas[r];
    mc::Json json = mc::Json::object();
    json.set("role", std::string(implfo::to_string(replica.role())));
    json.set("epoch", int{replica.epoch()});
    json.set("clock", int{state.clocks.local[r]});
    if (replica.now() != state.clocks.local[r]) json.set("clock_seen", int{replica.now()});
    json.set("log", replica.log().label());
    if (replica.role() == Role::kPrimary) {
      json.set("committed", int{replica.committed()});
      const int end = replica.lease_end();
      json.set("lease_until", end < 0 ? mc::Json("none") : end == 255 ? mc::Json("no backups") : mc::Json(end));
      json.set("lease_valid", replica.lease_valid_at(state.clocks.local[r]));
    } else if (replica.role() == Role::kBackup) {
      json.set("promised_until", int{replica.promised_until()});
    }
    if (state.clocks.paused(r)) json.set("paused_until", int{state.clocks.paused_until[r]});
    if (!state.up(r)) json.set("crashed", true);
    nodes.set(node_name(r), std::move(json));
  }
  for (int c = 0; c < config_.clients; ++c) {
    const Client& client = state.clients[c];
    mc::Json json = mc::Json::object();
    json.set("issued", client.issued());
    if (client.outstanding() != 0) {
      json.set("waiting_for", "#" + std::to_string(client.outstanding()) + (client.outstanding_write() ? " write" : " read"));
    }
    nodes.set(node_name(config_.client_id(c)), std::move(json));
  }
  mc::Json network = mc::Json::array();
  for (const Packet& p : state.network) {
    std::string text = p.message.label() + " " + node_name(p.from) + "->" + node_name(p.to);
    if (p.count > 1) text += " x" + std::to_string(p.count);
    network.push(text);
  }
  mc::Json history = mc::Json::array();
  for (const ClientEvent& e : state.events) {
    std::string text = "c" + std::to_string(e.client + 1) + " #" + std::to_string(e.seq) + " ";
    if (!e.response) {
      text += e.write ? "write " + std::to_string(e.value) : std::string("read");
    } else {
      text += e.write ? std::string("write ok") : "read " + (e.value == 0 ? std::string("none") : std::to_string(e.value));
    }
    history.push(text);
  }
  mc::Json json = mc::Json::object();
  json.set("time", int{state.clocks.now});
  json.set("nodes", std::move(nodes));
  json.set("network", std::move(network));
  json.set("history", std::move(history));
  return json;
}

std::string FailoverModel::action_label(const Action& action) const {
  const std::string node = node_name(action.node);
  switch (action.kind) {
    case Action::Kind::kDeliver:
      return "Deliver " + action.message.label() + " " + node_name(action.from) + "->" + node;
    case Action::Kind::kDrop: return "Drop " + action.message.label() + " " + node_name(action.from) + "->" + node;
    case Action::Kind::kIssue:
      return "Issue " + node + (action.amount != 0 ? " write " + std::to_string(action.amount) : std::string(" read"));
    case Action::Kind::kAdvance: return "Advance time to " + std::to_string(action.amount);
    case Action::Kind::kTick: return "Tick " + node + " clock to " + std::to_string(action.amount);
    case Action::Kind::kPause: return "Pause " + node + " for " + std::to_string(action.amount) + " ticks";
    case Action::Kind::kCrash: return "Crash " + node;
  }
  return "?";
}

std::vector<mc::StateProperty<State>> FailoverModel::properties() const {
  const auto memo = std::make_shared<LinearizabilityMemo>();
  return {
      mc::always<State>("AtMostOneValidPrimary", at_most_one_valid_primary),
      mc::always<State>("AcknowledgedWriteNeverLost", acknowledged_write_never_lost),
      mc::always<State>("Linearizable", [memo](const State& s) {
        return memo->verdict(up_to_last_response(s), linearizable_events);
      }),
      mc::sometimes<State>("WriteAcknowledged",
                           [](const State& s) {
                             return std::any_of(s.events.begin(), s.events.end(),
                                                [](const ClientEvent& e) { return e.response && e.write; });
                           }),
      mc::sometimes<State>("ReadAnswered",
                           [](const State& s) {
                             return std::any_of(s.events.begin(), s.events.end(),
                                                [](const ClientEvent& e) { return e.response && !e.write; });
                           }),
      mc::sometimes<State>("BackupPromoted",
                           [](const State& s) {
                             return std::any_of(s.replicas.begin(), s.replicas.end(), [](const Replica& r) {
                               return r.role() == Role::kPrimary && r.epoch() > 0;
                             });
                           }),
  };
}

std::vector<std::string> FailoverModel::lifelines() const {
  std::vector<std::string> names = {"time"};
  for (NodeId n = 0; n < config_.node_count(); ++n) names.push_back(node_name(n));
  return names;
}

void FailoverModel::add_sent(mc::StepEvent& event, const State& before, const State& after,
                             const Action* action) const {
  auto network = before.network;
  if (action != nullptr && (action->kind == Action::Kind::kDeliver || action->kind == Action::Kind::kDrop)) {
    for (size_t i = 0; i < network.size(); ++i) {
      if (network[i].from == action->from && network[i].to == action->node && network[i].message == action->message) {
        if (--network[i].count == 0) network.erase(network.begin() + i);
        break;
      }
    }
  }
  for (const Packet& packet : after.network) {
    int earlier = 0;
    for (const Packet& old : network) {
      if (old.same_message(packet)) earlier = old.count;
    }
    for (int copy = earlier; copy < packet.count; ++copy) {
      event.sent.push_back({node_name(packet.from), node_name(packet.to), packet.message.label()});
    }
  }
}

mc::StepEvent FailoverModel::initial_event(const State& state) const {
  mc::StepEvent event;
  event.kind = "initial";
  add_sent(event, State{}, state, nullptr);
  return event;
}

mc::StepEvent FailoverModel::step_event(const State& from, const Action& action, const State& to) const {
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
    case Action::Kind::kIssue:
      event.kind = "input";
      event.text = action.amount != 0 ? "write " + std::to_string(action.amount) : std::string("read");
      break;
    case Action::Kind::kAdvance:
      event.kind = "tick";
      event.node = "time";
      event.text = "now " + std::to_string(action.amount);
      break;
    case Action::Kind::kTick:
      event.kind = "tick";
      event.text = "clock " + std::to_string(action.amount);
      break;
    case Action::Kind::kPause:
      event.kind = "timeout";
      event.text = "paused " + std::to_string(action.amount);
      break;
    case Action::Kind::kCrash:
      event.kind = "crash";
      event.text = "stops for good";
      break;
  }
  add_sent(event, from, to, &action);
  return event;
}

}  // namespace crosscheck::spec::failover
