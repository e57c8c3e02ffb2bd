#include "tests/lockservice/cluster_binding.h"

#include <algorithm>
#include <optional>

#include "impl/common/assert.h"

namespace crosscheck::impl::lockservice::testing {

ClusterBinding::ClusterBinding(Config config, int max_reading)
    : config_(config), max_reading_(static_cast<uint8_t>(max_reading)) {
  CC_ASSERT(max_reading >= 0 && max_reading <= 255);
}

ClusterBinding::Node ClusterBinding::initial_node(NodeId id) const {
  if (config_.is_server(id)) return LockServer(id, config_);
  if (config_.is_client(id)) return LockClient(id, config_);
  CC_ASSERT(id == config_.resource_id());
  return Resource(config_);
}

void ClusterBinding::start(NodeId, Node& node, LockOutbox& out) const {
  if (auto* server = std::get_if<LockServer>(&node)) server->start(out);
}

void ClusterBinding::on_message(NodeId, Node& node, NodeId from, const Message& m,
                                LockOutbox& out) const {
  if (auto* server = std::get_if<LockServer>(&node)) {
    server->on_message(from, m, out);
  } else if (auto* client = std::get_if<LockClient>(&node)) {
    client->on_message(from, m, out);
  } else {
    CC_ASSERT(m.type == MessageType::kWrite);
    std::get<Resource>(node).on_write(m.token);
  }
}

void ClusterBinding::on_timeout(NodeId, Node& node, Timer timer, LockOutbox& out) const {
  std::get<LockServer>(node).on_timeout(timer, out);
}

void ClusterBinding::inputs(NodeId, const Node& node, std::vector<Input>& out) const {
  uint8_t last_reading = 0;
  if (const auto* server = std::get_if<LockServer>(&node)) {
    last_reading = server->local();
  } else if (const auto* client = std::get_if<LockClient>(&node)) {
    std::vector<ClientInput> enabled;
    client->inputs(enabled);
    for (ClientInput input : enabled) out.push_back(LocalInput::of_client(input));
    last_reading = client->local();
  } else {
    return;  // the resource has no clock
  }
  for (int reading = last_reading + 1; reading <= max_reading_; ++reading) {
    out.push_back(LocalInput::clock(static_cast<uint8_t>(reading)));
  }
}

void ClusterBinding::on_input(NodeId, Node& node, const Input& input, LockOutbox& out) const {
  if (input.kind == LocalInput::Kind::kClient) {
    std::get<LockClient>(node).on_input(input.client, out);
    return;
  }
  if (auto* server = std::get_if<LockServer>(&node)) {
    server->on_tick(input.reading, out);
  } else {
    std::get<LockClient>(node).on_tick(input.reading, out);
  }
}

void ClusterBinding::restart(NodeId, Node& node, LockOutbox& out) const {
  if (auto* server = std::get_if<LockServer>(&node)) server->restart(out);
}

void ClusterBinding::hash(const Node& node, StableHasher& hasher) const {
  hasher.add(static_cast<uint64_t>(node.index()));
  std::visit([&](const auto& actor) { actor.hash(hasher); }, node);
}

std::string ClusterBinding::node_name(NodeId id) const {
  if (config_.is_server(id)) return "s" + std::to_string(id + 1);
  if (config_.is_client(id)) return "c" + std::to_string(config_.client_of(id) + 1);
  return "resource";
}

mc::Json ClusterBinding::node_json(NodeId, const Node& node) const {
  mc::Json json = mc::Json::object();
  if (const auto* server = std::get_if<LockServer>(&node)) {
    json.set("leads", server->leads());
    json.set("table", server->table().label());
    json.set("clock", int{server->local()});
  } else if (const auto* client = std::get_if<LockClient>(&node)) {
    json.set("stage", std::string(to_string(client->stage())));
    json.set("token", int{client->token()});
    json.set("clock", int{client->local()});
  } else {
    const Resource& resource = std::get<Resource>(node);
    json.set("largest token", int{resource.max_token()});
    json.set("accepted", int{resource.accepted()});
    json.set("rejected", int{resource.rejected()});
  }
  return json;
}

std::string ClusterBinding::input_label(const Input& input) const {
  if (input.kind == LocalInput::Kind::kClient) return std::string(to_string(input.client));
  return "clock reads " + std::to_string(input.reading);
}

namespace {

constexpr int kHorizon = 250;  // global time never passes it

}  // namespace

TimedCluster::TimedCluster(Config config, int max_pause)
    : config_(config), system_(ClusterBinding(config, kHorizon + config.drift)) {
  CC_ASSERT(config.node_count() <= kClocks);
  bounds_.drift = config.drift;
  bounds_.horizon = kHorizon;
  bounds_.max_pause = max_pause;
  bounds_.max_pauses = max_pause > 0 ? 255 : 0;
}

const LockClient& TimedCluster::client(int c) const {
  return std::get<LockClient>(system_.node(config_.client_id(c)));
}

const Resource& TimedCluster::resource() const {
  return std::get<Resource>(system_.node(config_.resource_id()));
}

bool TimedCluster::some_leader() const {
  for (int s = 0; s < config_.servers; ++s) {
    if (server(s).leads()) return true;
  }
  return false;
}

int TimedCluster::believers() const {
  int count = 0;
  for (int c = 0; c < config_.clients; ++c) {
    if (client(c).believes_held(clocks_.local[config_.client_id(c)])) ++count;
  }
  return count;
}

void TimedCluster::deliver(size_t i) {
  CC_ASSERT(i < in_flight().size());
  const System::Envelope e = in_flight()[i];
  if (system_.connected(e.from, e.to)) {
    if (paused(e.to)) return;  // a paused process takes the message when it wakes
    sync(e.to);                // sends go to the back of the flight: the message stays at i
  }
  system_.deliver(i);
  deliver_writes();
}

bool TimedCluster::fire(int s, Timer timer) {
  if (!armed(s, timer)) return false;
  sync(s);
  const bool fired = system_.fire(s, timer);
  deliver_writes();
  return fired;
}

std::vector<ClientInput> TimedCluster::inputs(int c) {
  std::vector<ClientInput> enabled;
  const NodeId id = config_.client_id(c);
  if (paused(id)) return enabled;
  sync(id);
  for (const LocalInput& input : system_.inputs(id)) {
    if (input.kind == LocalInput::Kind::kClient) enabled.push_back(input.client);
  }
  return enabled;
}

bool TimedCluster::input(int c, ClientInput input) {
  const NodeId id = config_.client_id(c);
  if (paused(id) || !system_.input(id, LocalInput::of_client(input))) return false;
  deliver_writes();
  return true;
}

bool TimedCluster::advance() {
  if (!clocks_.can_advance(bounds_)) return false;
  uint32_t moved = 0;
  clocks_.advance(config_.node_count(), moved);
  for (NodeId id = 0; id < config_.servers + config_.clients; ++id) sync(id);
  return true;
}

bool TimedCluster::tick(NodeId id) {
  if (!clocks_.can_tick(id, bounds_) || paused(id)) return false;
  clocks_.tick(id);
  sync(id);
  return true;
}

bool TimedCluster::pause(int c, int ticks) {
  const NodeId id = config_.client_id(c);
  if (!clocks_.can_pause(id, bounds_) || ticks < 1 || ticks > bounds_.max_pause) return false;
  clocks_.pause(id, ticks);
  return true;
}

void TimedCluster::isolate(int s) {
  CC_ASSERT(config_.is_server(s));
  system_.heal();
  system_.isolate(s);
}

void TimedCluster::sync(NodeId id) {
  if (paused(id)) return;
  const uint8_t reading = clocks_.local[id];
  if (config_.is_server(id)) {
    if (server(id).local() == reading) return;
  } else if (config_.is_client(id)) {
    if (client(config_.client_of(id)).local() == reading) return;
  } else {
    return;  // the resource has no clock
  }
  const bool read = system_.input(id, LocalInput::clock(reading));
  CC_ASSERT(read);  // clocks only move forward
  deliver_writes();
}

void TimedCluster::deliver_writes() {
  const NodeId resource_id = config_.resource_id();
  auto to_resource = [resource_id](const System::Envelope& e) { return e.to == resource_id; };
  for (std::optional<size_t> i = system_.find(to_resource); i; i = system_.find(to_resource)) {
    const uint8_t token = in_flight()[*i].message.token;
    const int accepted = resource().accepted();
    system_.deliver(*i);
    if (resource().accepted() == accepted) continue;
    if (token < max_accepted_) stale_accepted_ = true;
    max_accepted_ = std::max(max_accepted_, token);
  }
}

}  // namespace crosscheck::impl::lockservice::testing
