#include "check/balancing/model.h"

#include <algorithm>
#include <memory>

#include "impl/common/assert.h"

namespace crosscheck::check::balancing {

using failover::Backend;
using failover::HealthChecker;
using failover::InputKind;
using failover::MessageType;
using failover::Router;

namespace {

bool has_bit(uint8_t mask, int backend) { return (mask & (1u << backend)) != 0; }

std::string backend_name(int backend) { return "b" + std::to_string(backend + 1); }

std::string request_text(const Router::Request& request) {
  switch (request.stage) {
    case Router::Stage::kNotArrived: return "not arrived";
    case Router::Stage::kQueued: return "queued";
    case Router::Stage::kRouted:
      return "sent to " + backend_name(request.backend) + ", " +
             std::to_string(request.statuses_unanswered) + " status unanswered";
    case Router::Stage::kAnswered: return "answered by " + backend_name(request.answered_by);
  }
  return "?";
}

mc::Json backend_list(uint8_t mask, int backends) {
  mc::Json list = mc::Json::array();
  for (int b = 0; b < backends; ++b) {
    if (has_bit(mask, b)) list.push(backend_name(b));
  }
  return list;
}

}  // namespace

FailoverBinding::FailoverBinding(failover::Config config, FailoverBounds bounds)
    : config_(config), bounds_(bounds) {
  CC_ASSERT(bounds.response_rounds >= 0 && bounds.response_rounds < 250);
}

FailoverBinding::Node FailoverBinding::initial_node(NodeId id) const {
  if (id < config_.backends) return Backend();
  if (id == config_.checker_id()) return HealthChecker(config_);
  return Router(config_);
}

void FailoverBinding::start(NodeId, Node& node, failover::FailoverOutbox& out) const {
  if (auto* checker = std::get_if<HealthChecker>(&node)) checker->start(out);
}

void FailoverBinding::on_message(NodeId, Node& node, NodeId from, const Message& m,
                                 failover::FailoverOutbox& out) const {
  std::visit([&](auto& actor) { actor.on_message(from, m, out); }, node);
}

void FailoverBinding::on_timeout(NodeId, Node& node, Timer, failover::FailoverOutbox& out) const {
  std::get<HealthChecker>(node).on_tick(out);
}

void FailoverBinding::inputs(NodeId, const Node& node, std::vector<Input>& out) const {
  if (const auto* backend = std::get_if<Backend>(&node)) {
    out.push_back({backend->alive() ? InputKind::kCrash : InputKind::kRecover});
  } else if (const auto* router = std::get_if<Router>(&node)) {
    if (router->accepts_requests()) out.push_back({InputKind::kRequest});
  }
}

void FailoverBinding::on_input(NodeId, Node& node, const Input& input,
                               failover::FailoverOutbox& out) const {
  switch (input.kind) {
    case InputKind::kRequest: std::get<Router>(node).on_request(out); return;
    case InputKind::kCrash: std::get<Backend>(node).crash(); return;
    case InputKind::kRecover: std::get<Backend>(node).recover(); return;
  }
}

void FailoverBinding::restart(NodeId, Node&, failover::FailoverOutbox&) const {
  CC_ASSERT(false &&
            "failover backends crash by input; the harness's instant restart is not modelled");
}

bool FailoverBinding::within_bounds(const State& state) const {
  int crashes = 0;
  for (NodeId b = 0; b < config_.backends; ++b)
    crashes += std::get<Backend>(state.nodes[b]).crashes();
  return crashes <= bounds_.max_crashes;
}

void FailoverBinding::hash_history(const History& history, StableHasher& hasher) const {
  for (uint8_t rounds : history.rounds_waited) hasher.add(uint64_t{rounds});
}

void FailoverBinding::hash(const Node& node, StableHasher& hasher) const {
  hasher.add(static_cast<uint64_t>(node.index()));
  std::visit([&](const auto& actor) { actor.hash(hasher); }, node);
}

std::string FailoverBinding::node_name(NodeId id) const {
  if (id < config_.backends) return backend_name(id);
  return id == config_.checker_id() ? "checker" : "router";
}

mc::Json FailoverBinding::node_json(NodeId, const Node& node) const {
  mc::Json json = mc::Json::object();
  if (const auto* backend = std::get_if<Backend>(&node)) {
    json.set("alive", backend->alive());
    json.set("crashes", backend->crashes());
  } else if (const auto* checker = std::get_if<HealthChecker>(&node)) {
    json.set("up", backend_list(checker->up_mask(), config_.backends));
    mc::Json missed = mc::Json::object();
    for (int b = 0; b < config_.backends; ++b) missed.set(backend_name(b), checker->missed(b));
    json.set("missed", std::move(missed));
  } else {
    const auto& router = std::get<Router>(node);
    json.set("marked_down", backend_list(router.marked_down(), config_.backends));
    mc::Json requests = mc::Json::object();
    for (int id = 0; id < router.arrived(); ++id)
      requests.set("r" + std::to_string(id + 1), request_text(router.request(id)));
    json.set("requests", std::move(requests));
  }
  return json;
}

std::string FailoverBinding::input_label(const Input& input) const {
  switch (input.kind) {
    case InputKind::kRequest: return "client request";
    case InputKind::kCrash: return "crash";
    case InputKind::kRecover: return "recover";
  }
  return "?";
}

const Router& FailoverBinding::router(const State& state) const {
  return std::get<Router>(state.nodes[config_.router_id()]);
}

bool FailoverBinding::some_backend_up(const State& state) const {
  for (NodeId b = 0; b < config_.backends; ++b) {
    if (std::get<Backend>(state.nodes[b]).alive()) return true;
  }
  return false;
}

std::vector<mc::StateProperty<FailoverState>> FailoverBinding::properties() const {
  // A copy shared by the properties: they may outlive this binding.
  const auto self = std::make_shared<const FailoverBinding>(*this);
  const int limit = bounds_.response_rounds;
  return {
      mc::always<FailoverState>(
          "BoundedResponse",
          [limit](const FailoverState& s) {
            return std::all_of(s.history.rounds_waited.begin(), s.history.rounds_waited.end(),
                               [limit](uint8_t rounds) { return rounds <= limit; });
          }),
      mc::sometimes<FailoverState>("RequestAnswered",
                                   [self](const FailoverState& s) {
                                     const Router& router = self->router(s);
                                     for (int id = 0; id < router.arrived(); ++id) {
                                       if (router.request(id).stage == Router::Stage::kAnswered)
                                         return true;
                                     }
                                     return false;
                                   }),
      // A request answered while the router holds a backend down: failover
      // happened, not just a quiet run.
      mc::sometimes<FailoverState>("AnsweredWhileABackendIsMarkedDown",
                                   [self](const FailoverState& s) {
                                     const Router& router = self->router(s);
                                     if (router.marked_down() == 0) return false;
                                     for (int id = 0; id < router.arrived(); ++id) {
                                       if (router.request(id).stage == Router::Stage::kAnswered)
                                         return true;
                                     }
                                     return false;
                                   }),
  };
}

std::vector<mc::TransitionProperty<FailoverState, FailoverAction>>
FailoverBinding::transition_properties() const {
  const auto self = std::make_shared<const FailoverBinding>(*this);
  // Every Forward the router sends in a step goes to a backend its own view,
  // after the step, holds up. Only the router sends Forward, so a Forward
  // packet with more copies after the step than before was sent in it.
  return {{"RoutesOnlyToUpBackends",
           [self](const FailoverState& from, const FailoverAction&, const FailoverState& to) {
             const NodeId router_id = self->config().router_id();
             const uint8_t marked_down = self->router(to).marked_down();
             for (const auto& packet : to.network) {
               if (packet.from != router_id || packet.message.type != MessageType::kForward)
                 continue;
               int before = 0;
               for (const auto& old : from.network) {
                 if (old.same_message(packet)) before = old.count;
               }
               if (packet.count > before && has_bit(marked_down, packet.to)) return false;
             }
             return true;
           }}};
}

FailoverModel::FailoverModel(FailoverBinding binding, mc::FaultBudgets budgets)
    : actors_(std::move(binding), [budgets] {
        mc::FaultBudgets without_restarts = budgets;
        without_restarts.max_crashes = 0;
        return without_restarts;
      }()) {}

void FailoverModel::successors(const State& state,
                               std::vector<mc::Successor<Action, State>>& out) const {
  const size_t first = out.size();
  actors_.successors(state, out);
  const FailoverBinding& binding = actors_.protocol();
  const bool round_over = state.network.empty();
  const bool backend_up = binding.some_backend_up(state);
  const Router& router = binding.router(state);
  const auto cap = static_cast<uint8_t>(binding.bounds().response_rounds + 1);
  auto kept = out.begin() + static_cast<std::ptrdiff_t>(first);
  for (auto it = kept; it != out.end(); ++it) {
    if (it->action.kind == Action::Kind::kTimeout) {
      if (!round_over) continue;  // the round's messages are not all delivered or lost yet
      if (backend_up) {
        for (int id = 0; id < router.arrived(); ++id) {
          const auto stage = router.request(id).stage;
          uint8_t& rounds = it->state.history.rounds_waited[static_cast<size_t>(id)];
          if ((stage == Router::Stage::kQueued || stage == Router::Stage::kRouted) && rounds < cap)
            ++rounds;
        }
      }
    }
    if (kept != it) *kept = std::move(*it);
    ++kept;
  }
  out.erase(kept, out.end());
}

mc::Json FailoverModel::state_json(const State& state) const {
  mc::Json json = actors_.state_json(state);
  mc::Json waited = mc::Json::object();
  const Router& router = actors_.protocol().router(state);
  for (int id = 0; id < router.arrived(); ++id) {
    waited.set("r" + std::to_string(id + 1),
               int{state.history.rounds_waited[static_cast<size_t>(id)]});
  }
  json.set("rounds_waited", std::move(waited));
  return json;
}

FailoverModel make_failover_model(failover::Config config, FailoverBounds bounds,
                                  mc::FaultBudgets budgets) {
  return FailoverModel(FailoverBinding(config, bounds), budgets);
}

}  // namespace crosscheck::check::balancing
