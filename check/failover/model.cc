#include "check/failover/model.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <memory>
#include <stdexcept>

#include "impl/common/assert.h"

namespace crosscheck::check::failover {

using implfo::Client;
using implfo::Message;
using implfo::Replica;
using implfo::Role;
using mc::lin::KvSpec;

namespace {

// Keeps each run of consecutive invocations, or of consecutive responses,
// sorted (History says why).
void record(History& history, const ClientEvent& event) {
  auto& events = history.events;
  auto* run = events.end();
  while (run != events.begin() && (run - 1)->response == event.response) --run;
  events.insert(std::lower_bound(run, events.end(), event), event);
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
      op.output =
          e->write ? KvSpec::ok() : (e->value == 0 ? KvSpec::absent() : KvSpec::found(e->value));
      break;  // a client waits for one request at a time
    }
  }
  return operations;
}

SmallVector<ClientEvent, 8> up_to_last_response(const State& state) {
  SmallVector<ClientEvent, 8> events = state.history.events;
  while (!events.empty() && !events.back().response) events.pop_back();
  return events;
}

bool linearizable_events(const SmallVector<ClientEvent, 8>& events) {
  if (events.empty()) return true;
  return mc::lin::check(to_operations(events.begin(), events.end())).verdict ==
         mc::lin::Verdict::kLinearizable;
}

using LinearizabilityMemo = mc::lin::VerdictMemo<SmallVector<ClientEvent, 8>>;

bool up(const State& state, int r) { return (state.stopped >> r & 1) == 0; }

}  // namespace

const Replica& replica(const State& state, int r) {
  return std::get<Replica>(state.nodes[static_cast<size_t>(r)]);
}

const Client& client(const State& state, int c, const implfo::Config& config) {
  return std::get<Client>(state.nodes[static_cast<size_t>(config.client_id(c))]);
}

// Replicas come first, then clients.
int replica_count(const State& state) {
  int count = 0;
  while (count < static_cast<int>(state.nodes.size()) &&
         std::holds_alternative<Replica>(state.nodes[count]))
    ++count;
  return count;
}

mc::lin::History<KvSpec> client_history(const State& state) {
  const auto& events = state.history.events;
  return to_operations(events.begin(), events.end());
}

bool linearizable(const State& state) { return linearizable_events(up_to_last_response(state)); }

bool at_most_one_valid_primary(const State& state) {
  int valid = 0;
  for (int r = 0, replicas = replica_count(state); r < replicas; ++r) {
    if (up(state, r) && replica(state, r).lease_valid_at(state.time.clocks.local[r])) ++valid;
  }
  return valid <= 1;
}

bool acknowledged_write_never_lost(const State& state) {
  const int replicas = replica_count(state);
  int newest = 0;
  for (int r = 0; r < replicas; ++r) newest = std::max<int>(newest, replica(state, r).epoch());
  for (int r = 0; r < replicas; ++r) {
    const Replica& primary = replica(state, r);
    if (!up(state, r) || primary.role() != Role::kPrimary || primary.epoch() != newest) continue;
    for (const ClientEvent& e : state.history.events) {
      if (e.response && e.write && !primary.log().contains(e.client, e.seq)) return false;
    }
  }
  return true;
}

FailoverBinding::Node FailoverBinding::initial_node(NodeId id) const {
  if (id < config_.replicas) return Replica(id, config_);
  return Client(config_.client_index(id), config_);
}

// A replica starts by reading its clock (0): the primary's first Append.
void FailoverBinding::start(NodeId, Node& node, implfo::FailoverOutbox& out) const {
  if (auto* r = std::get_if<Replica>(&node)) r->on_tick(0, out);
}

void FailoverBinding::on_message(NodeId, Node& node, NodeId from, const Message& m,
                                 implfo::FailoverOutbox& out) const {
  std::visit([&](auto& actor) { actor.on_message(from, m, out); }, node);
}

void FailoverBinding::on_timeout(NodeId, Node&, Timer, implfo::FailoverOutbox&) const {
  CC_ASSERT(false && "failover nodes set no timers: time reaches them through on_tick");
}

void FailoverBinding::on_tick(NodeId, Node& node, uint8_t reading,
                              implfo::FailoverOutbox& out) const {
  std::get<Replica>(node).on_tick(reading, out);
}

void FailoverBinding::inputs(NodeId, const Node& node, std::vector<Input>& out) const {
  const auto* c = std::get_if<Client>(&node);
  if (c == nullptr || !c->can_issue()) return;
  const auto seq = static_cast<uint8_t>(c->issued() + 1);
  out.push_back({true, config_.write_value(c->index(), seq)});
  out.push_back({false, 0});
}

void FailoverBinding::on_input(NodeId, Node& node, const Input& input,
                               implfo::FailoverOutbox& out) const {
  std::get<Client>(node).issue(input.write, out);
}

void FailoverBinding::restart(NodeId, Node&, implfo::FailoverOutbox&) const {
  CC_ASSERT(false && "failover replicas crash for good (crash-stop); a restart is not modelled");
}

// A message whose delivery can never change anything: the receiver is down
// for good, or ignores it now and in every state it can reach (a reply to a
// request its client has had answered; an AppendAck of an epoch its
// receiver no longer leads, or that says nothing newer than the receiver
// has heard).
bool FailoverBinding::inert(const State& state, NodeId from, NodeId to, const Message& m) const {
  if (to < config_.replicas) {
    if (!up(state, to)) return true;
    const Replica& receiver = replica(state, to);
    if (m.type != implfo::MessageType::kAppendAck) return false;
    return receiver.role() != Role::kPrimary || receiver.epoch() != m.epoch ||
           receiver.acknowledged_by(from, m.sent_at, m.length);
  }
  return m.seq != client(state, config_.client_index(to), config_).outstanding();
}

bool FailoverBinding::within_bounds(const State& state) const {
  return bounds_.max_messages == 0 || state.copies_in_flight() <= bounds_.max_messages;
}

// A client's invocation when it issues a request, its response when the
// request it waited for is answered.
void FailoverBinding::record_step(History& history, NodeId, const Node& before,
                                  const Node& after) const {
  const auto* was = std::get_if<Client>(&before);
  if (was == nullptr) return;
  const Client& now = std::get<Client>(after);
  const auto index = static_cast<uint8_t>(now.index());
  if (was->outstanding() == 0 && now.outstanding() != 0) {
    const uint8_t seq = now.outstanding();
    const bool write = now.outstanding_write();
    record(history,
           {false, index, seq, write, write ? config_.write_value(index, seq) : uint8_t{0}});
  } else if (was->outstanding() != 0 && now.outstanding() == 0) {
    const uint8_t seq = was->outstanding();
    const bool write = was->outstanding_write();
    record(history,
           {true, index, seq, write, write ? config_.write_value(index, seq) : now.last_answer()});
  }
}

void FailoverBinding::hash_history(const History& history, StableHasher& hasher) const {
  hasher.add(static_cast<uint64_t>(history.events.size()));
  for (const ClientEvent& e : history.events) {
    hasher.add(uint64_t{e.response} | uint64_t{e.client} << 8 | uint64_t{e.seq} << 16 |
               uint64_t{e.write} << 24 | uint64_t{e.value} << 32);
  }
}

mc::Json FailoverBinding::history_json(const History& history) const {
  mc::Json json = mc::Json::array();
  for (const ClientEvent& e : history.events) {
    std::string text = "c" + std::to_string(e.client + 1) + " #" + std::to_string(e.seq) + " ";
    if (!e.response) {
      text += e.write ? "write " + std::to_string(e.value) : std::string("read");
    } else {
      text += e.write ? std::string("write ok")
                      : "read " + (e.value == 0 ? std::string("none") : std::to_string(e.value));
    }
    json.push(text);
  }
  return json;
}

void FailoverBinding::hash(const Node& node, StableHasher& hasher) const {
  std::visit([&](const auto& actor) { actor.hash(hasher); }, node);
}

std::string FailoverBinding::node_name(NodeId id) const {
  if (id < config_.replicas) return "r" + std::to_string(id + 1);
  return "c" + std::to_string(config_.client_index(id) + 1);
}

mc::Json FailoverBinding::node_json(NodeId, const Node& node, uint8_t reading) const {
  mc::Json json = mc::Json::object();
  if (const auto* c = std::get_if<Client>(&node)) {
    json.set("issued", c->issued());
    if (c->outstanding() != 0) {
      json.set("waiting_for", "#" + std::to_string(c->outstanding()) +
                                  (c->outstanding_write() ? " write" : " read"));
    }
    return json;
  }
  const Replica& r = std::get<Replica>(node);
  json.set("role", std::string(implfo::to_string(r.role())));
  json.set("epoch", int{r.epoch()});
  if (r.now() != reading) json.set("clock_seen", int{r.now()});
  json.set("log", r.log().label());
  if (r.role() == Role::kPrimary) {
    json.set("committed", int{r.committed()});
    const int end = r.lease_end();
    json.set("lease_until", end < 0      ? mc::Json("none")
                            : end == 255 ? mc::Json("no backups")
                                         : mc::Json(end));
    json.set("lease_valid", r.lease_valid_at(reading));
  } else if (r.role() == Role::kBackup) {
    json.set("promised_until", int{r.promised_until()});
  }
  return json;
}

std::vector<mc::StateProperty<State>> FailoverBinding::properties() const {
  const auto memo = std::make_shared<LinearizabilityMemo>();
  auto any_event = [](const State& s, bool write) {
    const auto& events = s.history.events;
    return std::any_of(events.begin(), events.end(),
                       [write](const ClientEvent& e) { return e.response && e.write == write; });
  };
  return {
      mc::always<State>("AtMostOneValidPrimary", at_most_one_valid_primary),
      mc::always<State>("AcknowledgedWriteNeverLost", acknowledged_write_never_lost),
      mc::always<State>("Linearizable",
                        [memo](const State& s) {
                          return memo->verdict(up_to_last_response(s), linearizable_events);
                        }),
      mc::sometimes<State>("WriteAcknowledged",
                           [any_event](const State& s) { return any_event(s, true); }),
      mc::sometimes<State>("ReadAnswered",
                           [any_event](const State& s) { return any_event(s, false); }),
      mc::sometimes<State>("BackupPromoted",
                           [](const State& s) {
                             for (int r = 0, replicas = replica_count(s); r < replicas; ++r) {
                               if (replica(s, r).role() == Role::kPrimary &&
                                   replica(s, r).epoch() > 0)
                                 return true;
                             }
                             return false;
                           }),
  };
}

namespace {

void check_bounds(const implfo::Config& config, const Bounds& bounds) {
  if (!config.valid()) throw std::invalid_argument("failover: configuration out of range");
  if (bounds.horizon < 1 || bounds.horizon > 200 || bounds.max_pause < 0 || bounds.max_pause > 50 ||
      bounds.max_pauses < 0 || bounds.max_crashes < 0 || bounds.max_crashes > config.replicas ||
      bounds.max_drops < 0 || bounds.max_messages < 0 || bounds.clock_drift < -1 ||
      bounds.clock_drift > 50) {
    throw std::invalid_argument("failover: bounds out of range");
  }
}

FailoverBinding checked(const implfo::Config& config, const Bounds& bounds) {
  check_bounds(config, bounds);
  return FailoverBinding(config, bounds);
}

mc::ClockTime clock_time(const implfo::Config& config, const Bounds& bounds) {
  return {.drift = bounds.clock_drift < 0 ? int{config.drift} : bounds.clock_drift,
          .horizon = bounds.horizon,
          .paused_clocks_tick = true,
          .pauses_outlast_horizon = true};
}

mc::FaultBudgets fault_budgets(const Bounds& bounds) {
  mc::FaultBudgets budgets;
  budgets.max_drops = bounds.max_drops;
  budgets.max_stops = bounds.max_crashes;
  budgets.max_copies = std::numeric_limits<int>::max();  // max_messages bounds the network
  budgets.max_pauses = bounds.max_pauses;
  budgets.max_pause = bounds.max_pause;
  return budgets;
}

}  // namespace

FailoverModel::FailoverModel(implfo::Config config, Bounds bounds)
    : mc::ActorModel<FailoverBinding>(checked(config, bounds), fault_budgets(bounds),
                                      clock_time(config, bounds)) {}

}  // namespace crosscheck::check::failover
