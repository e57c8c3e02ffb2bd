#include "check/multipaxos/model.h"

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace crosscheck::check::multipaxos {

using implmp::Answer;
using implmp::Client;
using implmp::Command;
using implmp::CommandKind;
using implmp::MessageType;
using implmp::Replica;
using implmp::Vote;
using Kind = PaxosRecord::Kind;

void History::record(const PaxosRecord& record) {
  auto* at = std::lower_bound(msgs.begin(), msgs.end(), record);
  if (at != msgs.end() && *at == record) return;
  msgs.insert(at, record);
}

void History::record(const ClientEvent& event) {
  auto* run = client_events.end();
  while (run != client_events.begin() && (run - 1)->response == event.response) --run;
  client_events.insert(std::lower_bound(run, client_events.end(), event), event);
}

bool History::invoked(const Command& request) const {
  return std::any_of(client_events.begin(), client_events.end(), [&](const ClientEvent& e) {
    return !e.response && e.request.same_request(request);
  });
}

bool History::answered(const Command& request) const {
  return std::any_of(client_events.begin(), client_events.end(), [&](const ClientEvent& e) {
    return e.response && e.request.same_request(request);
  });
}

namespace {

using mc::lin::KvSpec;

mc::lin::History<KvSpec> to_operations(const ClientEvent* begin, const ClientEvent* end) {
  mc::lin::History<KvSpec> operations;
  for (const ClientEvent* e = begin; e != end; ++e) {
    const mc::lin::Time time = e - begin;
    const Command& request = e->request;
    if (!e->response) {
      // Clients and keys numbered from 1, as the labels name them (c1, k1).
      const int key = request.key + 1;
      const KvSpec::Input input =
          request.kind == CommandKind::kPut ? KvSpec::put(key, request.value) : KvSpec::get(key);
      operations.push_back(mc::lin::pending<KvSpec>(request.client + 1, time, input));
      continue;
    }
    for (auto& op : operations) {
      if (op.client != request.client + 1 || !op.pending()) continue;
      op.returned = time;
      if (request.kind == CommandKind::kGet) {
        op.output = e->answer == implmp::kAbsent ? KvSpec::absent() : KvSpec::found(e->answer);
      } else {
        op.output = KvSpec::ok();
      }
      break;  // a client waits for one request at a time
    }
  }
  return operations;
}

}  // namespace

mc::lin::History<mc::lin::KvSpec> client_history(const History& history) {
  return to_operations(history.client_events.begin(), history.client_events.end());
}

SmallVector<ClientEvent, 8> up_to_last_response(const History& history) {
  SmallVector<ClientEvent, 8> events = history.client_events;
  while (!events.empty() && !events.back().response) events.pop_back();
  return events;
}

namespace {

bool linearizable_events(const SmallVector<ClientEvent, 8>& events) {
  if (events.empty()) return true;
  return mc::lin::check(to_operations(events.begin(), events.end())).verdict ==
         mc::lin::Verdict::kLinearizable;
}

}  // namespace

bool linearizable(const ImplState& state) {
  return linearizable_events(up_to_last_response(state.history));
}

namespace {

// The distinct commands chosen in a slot: those a majority voted for in
// one ballot.
SmallVector<Command, 2> chosen_commands(const implmp::Config& config, const History& history,
                                        int slot) {
  struct Tally {
    int8_t ballot;
    Command command;
    int votes;
  };
  SmallVector<Tally, 8> tallies;
  for (const PaxosRecord& r : history.msgs) {
    if (r.kind != Kind::kAccepted || r.slot != slot) continue;
    auto* tally = std::find_if(tallies.begin(), tallies.end(), [&](const Tally& t) {
      return t.ballot == r.ballot && t.command == r.vote.command;
    });
    if (tally == tallies.end()) {
      tallies.push_back({r.ballot, r.vote.command, 1});
    } else {
      ++tally->votes;  // records are a set: one per acceptor
    }
  }
  SmallVector<Command, 2> chosen;
  for (const Tally& t : tallies) {
    if (t.votes >= config.quorum() &&
        std::find(chosen.begin(), chosen.end(), t.command) == chosen.end()) {
      chosen.push_back(t.command);
    }
  }
  return chosen;
}

const Replica& replica(const ImplState& state, int r) { return std::get<Replica>(state.nodes[r]); }

}  // namespace

Command chosen(const implmp::Config& config, const History& history, int slot) {
  const SmallVector<Command, 2> commands = chosen_commands(config, history, slot);
  return commands.empty() ? Command{} : commands[0];
}

bool slot_agreement(const implmp::Config& config, const ImplState& state) {
  for (int s = 0; s < config.slots; ++s) {
    if (chosen_commands(config, state.history, s).size() > 1) return false;
  }
  return true;
}

bool decided_is_chosen(const implmp::Config& config, const ImplState& state) {
  for (int s = 0; s < config.slots; ++s) {
    SmallVector<Command, 2> commands;
    bool computed = false;
    for (int r = 0; r < config.replicas; ++r) {
      const Command& decided = replica(state, r).decided(s);
      if (decided.empty()) continue;
      if (!computed) {
        commands = chosen_commands(config, state.history, s);
        computed = true;
      }
      if (std::find(commands.begin(), commands.end(), decided) == commands.end()) return false;
    }
  }
  return true;
}

bool apply_agreement(const implmp::Config& config, const ImplState& state) {
  for (int s = 0; s < config.slots; ++s) {
    const Command* first = nullptr;
    for (int r = 0; r < config.replicas; ++r) {
      const Replica& node = replica(state, r);
      if (node.machine().applied <= s) continue;
      const Command& applied = node.decided(s);
      if (first == nullptr) {
        first = &applied;
      } else if (!(*first == applied)) {
        return false;
      }
    }
  }
  return true;
}

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

std::string range(int low, int high) { return std::to_string(low) + ".." + std::to_string(high); }

}  // namespace

ImplBinding::ImplBinding(implmp::Config config, ImplBounds bounds)
    : config_(config), bounds_(bounds) {
  require(config.replicas >= 1 && config.replicas <= implmp::kMaxReplicas,
          "Multi-Paxos takes " + range(1, implmp::kMaxReplicas) + " replicas");
  require(config.clients <= implmp::kMaxClients,
          "Multi-Paxos takes " + range(0, implmp::kMaxClients) + " clients");
  require(config.requests <= 8, "requests per client are " + range(0, 8));
  require(config.keys >= 1 && config.keys <= implmp::kMaxKeys,
          "keys are " + range(1, implmp::kMaxKeys));
  require(config.slots >= 1 && config.slots <= implmp::kMaxSlots,
          "slots are " + range(1, implmp::kMaxSlots));
  require(config.max_ballot <= implmp::kMaxBallot, "max ballot is " + range(0, implmp::kMaxBallot));
  if (bounds.check_refinement) refinement_.emplace(config);
}

ImplBinding::Node ImplBinding::initial_node(NodeId id) const {
  if (id < config_.replicas) return Replica(id, config_);
  return Client(id, config_);
}

void ImplBinding::start(NodeId, Node& node, implmp::MultiPaxosOutbox& out) const {
  if (auto* r = std::get_if<Replica>(&node)) r->start(out);
}

void ImplBinding::on_message(NodeId, Node& node, NodeId from, const Message& m,
                             implmp::MultiPaxosOutbox& out) const {
  std::visit([&](auto& actor) { actor.on_message(from, m, out); }, node);
}

void ImplBinding::on_timeout(NodeId, Node& node, Timer timer, implmp::MultiPaxosOutbox& out) const {
  std::visit([&](auto& actor) { actor.on_timeout(timer, out); }, node);
}

void ImplBinding::inputs(NodeId, const Node& node, std::vector<Input>& out) const {
  const auto* client = std::get_if<Client>(&node);
  if (client == nullptr || !client->can_issue()) return;
  for (CommandKind kind : {CommandKind::kGet, CommandKind::kPut}) {
    for (int key = 0; key < config_.keys; ++key) out.push_back({kind, static_cast<uint8_t>(key)});
  }
}

void ImplBinding::on_input(NodeId, Node& node, const Input& input,
                           implmp::MultiPaxosOutbox& out) const {
  std::get<Client>(node).issue(input.kind, input.key, out);
}

void ImplBinding::restart(NodeId, Node& node, implmp::MultiPaxosOutbox& out) const {
  std::visit([&](auto& actor) { actor.restart(out); }, node);
}

bool ImplBinding::within_bounds(const State& state) const {
  return bounds_.max_messages == 0 || state.copies_in_flight() <= bounds_.max_messages;
}

void ImplBinding::record_send(History& history, NodeId from, NodeId, const Message& m) const {
  const auto acceptor = static_cast<uint8_t>(from);
  switch (m.type) {
    case MessageType::kPrepare:
      history.record(PaxosRecord{Kind::kPrepare, m.ballot, 0, 0, Vote{}});
      break;
    case MessageType::kPromise:
      history.record(PaxosRecord{Kind::kPromised, m.ballot, 0, acceptor, Vote{}});
      for (int s = 0; s < config_.slots; ++s) {
        if (m.votes[s].cast()) {
          history.record(PaxosRecord{Kind::kPromiseVote, m.ballot, static_cast<uint8_t>(s),
                                     acceptor, m.votes[s]});
        }
      }
      break;
    case MessageType::kAccept:
      history.record(PaxosRecord{Kind::kAccept, m.ballot, m.slot, 0, Vote{m.ballot, m.command}});
      break;
    case MessageType::kAccepted:
      history.record(
          PaxosRecord{Kind::kAccepted, m.ballot, m.slot, acceptor, Vote{m.ballot, m.command}});
      break;
    case MessageType::kRequest:
      // Its first send is its invocation; retries are the same operation.
      if (!history.invoked(m.command)) history.record(ClientEvent{false, m.command, 0});
      break;
    case MessageType::kDecide:
    case MessageType::kReply: break;
  }
}

void ImplBinding::record_delivery(History& history, NodeId, NodeId, const Message& m) const {
  // The client takes the first reply to the request it waits for, and
  // waits for a request from its invocation until it is answered.
  if (m.type == MessageType::kReply && history.invoked(m.command) && !history.answered(m.command)) {
    history.record(ClientEvent{true, m.command, m.answer});
  }
}

void ImplBinding::hash_history(const History& history, StableHasher& hasher) const {
  hasher.add(static_cast<uint64_t>(history.msgs.size()));
  for (const PaxosRecord& r : history.msgs) {
    hasher.add(uint64_t{static_cast<uint8_t>(r.kind)} |
               uint64_t{static_cast<uint8_t>(r.ballot)} << 8 | uint64_t{r.slot} << 16 |
               uint64_t{r.acceptor} << 24 | uint64_t{static_cast<uint8_t>(r.vote.ballot)} << 32);
    hasher.add(r.vote.command.packed());
  }
  hasher.add(static_cast<uint64_t>(history.client_events.size()));
  for (const ClientEvent& e : history.client_events) {
    hasher.add(e.request.packed() | uint64_t{e.response} << 48 | uint64_t{e.answer} << 56);
  }
}

namespace {

std::string answer_text(const Command& request, Answer answer) {
  if (request.kind != CommandKind::kGet) return "ok";
  return answer == implmp::kAbsent ? "absent" : std::to_string(answer);
}

}  // namespace

mc::Json ImplBinding::history_json(const History& history) const {
  mc::Json clients = mc::Json::array();
  for (const ClientEvent& e : history.client_events) {
    clients.push(e.request.label() +
                 (e.response ? " -> " + answer_text(e.request, e.answer) : " invoked"));
  }
  mc::Json chosen_slots = mc::Json::array();
  for (int s = 0; s < config_.slots; ++s) {
    for (const Command& c : chosen_commands(config_, history, s)) {
      chosen_slots.push("slot " + std::to_string(s) + ": " + c.label());
    }
  }
  mc::Json json = mc::Json::object();
  json.set("client_history", std::move(clients));
  json.set("chosen", std::move(chosen_slots));
  return json;
}

void ImplBinding::hash(const Node& node, StableHasher& hasher) const {
  hasher.add(static_cast<uint64_t>(node.index()));
  std::visit([&](const auto& actor) { actor.hash(hasher); }, node);
}

std::string ImplBinding::node_name(NodeId id) const {
  if (id < config_.replicas) return "r" + std::to_string(id + 1);
  return "c" + std::to_string(config_.client_index(id) + 1);
}

std::string ImplBinding::input_label(const Input& input) const {
  const std::string key = "k" + std::to_string(input.key + 1);
  return input.kind == CommandKind::kPut ? "put " + key : "get " + key;
}

mc::Json ImplBinding::node_json(NodeId, const Node& node) const {
  mc::Json json = mc::Json::object();
  if (const auto* client = std::get_if<Client>(&node)) {
    json.set("issued", client->issued());
    json.set("waiting_for", client->outstanding().empty()
                                ? mc::Json(nullptr)
                                : mc::Json(client->outstanding().label()));
    return json;
  }
  const Replica& r = std::get<Replica>(node);
  json.set("role", std::string(implmp::to_string(r.role())));
  json.set("ballot", int{r.ballot()});
  json.set("promised", int{r.persistent().promised});
  mc::Json votes = mc::Json::array();
  mc::Json decided = mc::Json::array();
  for (int s = 0; s < config_.slots; ++s) {
    const Vote& v = r.vote(s);
    votes.push(v.cast() ? v.command.label() + " in " + std::to_string(v.ballot) : "-");
    const Command& d = r.decided(s);
    decided.push(d.empty() ? "-" : d.label());
  }
  json.set("votes", std::move(votes));
  json.set("decided", std::move(decided));
  mc::Json store = mc::Json::object();
  for (int k = 0; k < config_.keys; ++k) {
    const uint8_t value = r.machine().values[k];
    store.set("k" + std::to_string(k + 1),
              value == implmp::kAbsent ? mc::Json(nullptr) : mc::Json(int{value}));
  }
  json.set("applied", int{r.machine().applied});
  json.set("store", std::move(store));
  return json;
}

specpaxos::State ImplBinding::slot_state(const State& state, int slot) const {
  SmallVector<Vote, implmp::kMaxReplicas> votes;
  for (int r = 0; r < config_.replicas; ++r) votes.push_back(replica(state, r).vote(slot));
  return refinement_->slot_state(votes, state.history.msgs, slot);
}

bool ImplBinding::slot_refines(const State& from, const State& to, int slot) const {
  return refinement_->refines(slot_state(from, slot), slot_state(to, slot));
}

namespace {

using LinearizabilityMemo = mc::lin::VerdictMemo<SmallVector<ClientEvent, 8>>;

bool votes_or_promises_changed(const implmp::Config& config, const ImplState& from,
                               const ImplState& to) {
  if (!(from.history.msgs == to.history.msgs)) return true;
  for (int r = 0; r < config.replicas; ++r) {
    for (int slot = 0; slot < config.slots; ++slot) {
      if (!(replica(from, r).vote(slot) == replica(to, r).vote(slot))) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<mc::StateProperty<ImplState>> ImplBinding::properties() const {
  // A copy shared by the properties: they may outlive this binding.
  const auto self = std::make_shared<const ImplBinding>(*this);
  const auto memo = std::make_shared<LinearizabilityMemo>();
  const implmp::Config config = config_;
  std::vector<mc::StateProperty<ImplState>> properties = {
      mc::always<ImplState>("SlotAgreement",
                            [config](const ImplState& s) { return slot_agreement(config, s); }),
      mc::always<ImplState>("DecidedIsChosen",
                            [config](const ImplState& s) { return decided_is_chosen(config, s); }),
      mc::always<ImplState>("ApplyAgreement",
                            [config](const ImplState& s) { return apply_agreement(config, s); }),
      mc::always<ImplState>("Linearizable",
                            [memo](const ImplState& s) {
                              return memo->verdict(up_to_last_response(s.history),
                                                   linearizable_events);
                            }),
  };
  if (refinement_) {
    properties.push_back(mc::always<ImplState>("SlotInv", [self](const ImplState& s) {
      for (int slot = 0; slot < self->config_.slots; ++slot) {
        if (!self->slot_spec().inv(self->slot_state(s, slot))) return false;
      }
      return true;
    }));
  }
  properties.push_back(mc::sometimes<ImplState>("ClientAnswered", [](const ImplState& s) {
    return std::any_of(s.history.client_events.begin(), s.history.client_events.end(),
                       [](const ClientEvent& e) { return e.response; });
  }));
  // A replica leads a ballot after another ballot began: leadership
  // changed hands (or was taken again) at least once.
  properties.push_back(mc::sometimes<ImplState>("LeaderChanged", [config](const ImplState& s) {
    for (int r = 0; r < config.replicas; ++r) {
      if (replica(s, r).role() != implmp::Role::kLeader) continue;
      for (const PaxosRecord& record : s.history.msgs) {
        if (record.kind == Kind::kPrepare && record.ballot < replica(s, r).ballot()) return true;
      }
    }
    return false;
  }));

  return properties;
}

std::vector<mc::TransitionProperty<ImplState, ImplAction>> ImplBinding::transition_properties()
    const {
  if (!refinement_) return {};
  // A copy shared by the properties: they may outlive this binding.
  const auto self = std::make_shared<const ImplBinding>(*this);
  return {{"RefinesPaxosPerSlot",
           [self](const ImplState& from, const ImplAction&, const ImplState& to) {
             if (!votes_or_promises_changed(self->config_, from, to)) return true;
             for (int slot = 0; slot < self->config_.slots; ++slot) {
               if (!self->slot_refines(from, to, slot)) return false;
             }
             return true;
           },
           /*stutters_hold=*/true}};
}

ImplModel make_impl_model(implmp::Config config, ImplBounds bounds, mc::FaultBudgets budgets) {
  return ImplModel(ImplBinding(config, bounds), budgets);
}

}  // namespace crosscheck::check::multipaxos
