// A lock service world for tests: lock servers on a Raft cluster, clients,
// the resource, a network of messages in flight, and time (mc::Clocks:
// global time, local clocks within the drift bound, client pauses). Each
// method is one step of the environment; the checks a test runs after
// each step read the state here.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "impl/common/assert.h"
#include "impl/lockservice/lockservice.h"
#include "model_check/clocks.h"

namespace crosscheck::impl::lockservice::testing {

class LockCluster {
 public:
  struct Envelope {
    NodeId from;
    NodeId to;
    Message message;
  };

  LockCluster(Config config, int max_pause) : config_(config) {
    CC_ASSERT(config.node_count() <= kClocks);
    bounds_.drift = config.drift;
    bounds_.horizon = 250;
    bounds_.max_pause = max_pause;
    bounds_.max_pauses = max_pause > 0 ? 255 : 0;
    for (int s = 0; s < config.servers; ++s) servers_.emplace_back(s, config);
    for (int c = 0; c < config.clients; ++c) clients_.emplace_back(config.client_id(c), config);
    resource_ = Resource(config);
    armed_.assign(static_cast<size_t>(config.servers), 0);
    for (int s = 0; s < config.servers; ++s) {
      LockOutbox out;
      servers_[static_cast<size_t>(s)].start(out);
      emit(s, out);
    }
  }

  const Config& config() const { return config_; }
  const std::vector<Envelope>& in_flight() const { return flight_; }
  const LockServer& server(int s) const { return servers_[static_cast<size_t>(s)]; }
  const LockClient& client(int c) const { return clients_[static_cast<size_t>(c)]; }
  const Resource& resource() const { return resource_; }
  uint8_t now() const { return clocks_.now; }
  uint8_t clock(NodeId id) const { return clocks_.local[id]; }
  bool paused(NodeId id) const { return clocks_.paused(id); }
  bool armed(int s, Timer timer) const { return (armed_[static_cast<size_t>(s)] >> static_cast<int>(timer) & 1) != 0; }
  bool some_leader() const {
    return std::any_of(servers_.begin(), servers_.end(), [](const LockServer& s) { return s.leads(); });
  }
  bool stale_write_accepted() const { return stale_accepted_; }
  bool connected(NodeId a, NodeId b) const { return !(isolated(a) ^ isolated(b)); }

  // Delivers message i; a message across the partition is lost instead.
  void deliver(size_t i) {
    const Envelope e = flight_[i];
    flight_.erase(flight_.begin() + static_cast<std::ptrdiff_t>(i));
    if (!connected(e.from, e.to)) return;
    if (paused(e.to)) {  // a paused process takes the message when it wakes
      flight_.push_back(e);
      return;
    }
    sync(e.to);
    LockOutbox out;
    if (config_.is_server(e.to)) {
      servers_[static_cast<size_t>(e.to)].on_message(e.from, e.message, out);
    } else {
      clients_[static_cast<size_t>(config_.client_of(e.to))].on_message(e.from, e.message, out);
    }
    emit(e.to, out);
  }
  void drop(size_t i) { flight_.erase(flight_.begin() + static_cast<std::ptrdiff_t>(i)); }

  void fire(int s, Timer timer) {
    CC_ASSERT(armed(s, timer));
    armed_[static_cast<size_t>(s)] &= ~(1u << static_cast<int>(timer));
    sync(s);
    LockOutbox out;
    servers_[static_cast<size_t>(s)].on_timeout(timer, out);
    emit(s, out);
  }

  std::vector<ClientInput> inputs(int c) {
    std::vector<ClientInput> enabled;
    const NodeId id = config_.client_id(c);
    if (paused(id)) return enabled;
    sync(id);
    clients_[static_cast<size_t>(c)].inputs(enabled);
    return enabled;
  }
  void input(int c, ClientInput input) {
    const NodeId id = config_.client_id(c);
    LockOutbox out;
    clients_[static_cast<size_t>(c)].on_input(input, out);
    emit(id, out);
  }

  bool advance() {
    if (!clocks_.can_advance(bounds_)) return false;
    uint32_t moved = 0;
    clocks_.advance(config_.node_count(), moved);
    for (NodeId id = 0; id < config_.servers + config_.clients; ++id) sync(id);
    return true;
  }
  bool tick(NodeId id) {
    if (!clocks_.can_tick(id, bounds_) || paused(id)) return false;
    clocks_.tick(id);
    sync(id);
    return true;
  }
  bool pause(int c, int ticks) {
    const NodeId id = config_.client_id(c);
    if (!clocks_.can_pause(id, bounds_) || ticks < 1 || ticks > bounds_.max_pause) return false;
    clocks_.pause(id, ticks);
    return true;
  }

  void restart(int s) {
    armed_[static_cast<size_t>(s)] = 0;
    LockOutbox out;
    servers_[static_cast<size_t>(s)].restart(out);
    emit(s, out);
  }
  void isolate(int s) { isolated_ = static_cast<uint8_t>(1u << s); }
  void heal() { isolated_ = 0; }

  // Clients that believe they hold the lock at the current global time.
  int believers() const {
    int count = 0;
    for (int c = 0; c < config_.clients; ++c) {
      if (clients_[static_cast<size_t>(c)].believes_held(clocks_.local[config_.client_id(c)])) ++count;
    }
    return count;
  }

 private:
  static constexpr int kClocks = 8;

  bool isolated(NodeId id) const { return config_.is_server(id) && (isolated_ >> id & 1) != 0; }

  // The node sees its clock's reading before its next step.
  void sync(NodeId id) {
    if (paused(id)) return;
    LockOutbox out;
    const uint8_t reading = clocks_.local[id];
    if (config_.is_server(id)) {
      if (servers_[static_cast<size_t>(id)].local() == reading) return;
      servers_[static_cast<size_t>(id)].on_tick(reading, out);
    } else if (config_.is_client(id)) {
      LockClient& client = clients_[static_cast<size_t>(config_.client_of(id))];
      if (client.local() == reading) return;
      client.on_tick(reading, out);
    }
    emit(id, out);
  }

  void emit(NodeId from, const LockOutbox& out) {
    if (config_.is_server(from)) {
      for (const auto& [timer, on] : out.timer_changes()) {
        const uint32_t bit = 1u << static_cast<int>(timer);
        if (on) {
          armed_[static_cast<size_t>(from)] |= bit;
        } else {
          armed_[static_cast<size_t>(from)] &= ~bit;
        }
      }
    }
    for (const auto& send : out.sends()) {
      if (send.to == config_.resource_id()) {
        // Writes reach the resource at once (as in the model): what makes a
        // write late is the client's pause between its check and the write.
        if (resource_.on_write(send.message.token)) {
          if (send.message.token < max_accepted_) stale_accepted_ = true;
          max_accepted_ = std::max(max_accepted_, send.message.token);
        }
        continue;
      }
      flight_.push_back({from, send.to, send.message});
    }
  }

  Config config_;
  mc::ClockBounds bounds_;
  mc::Clocks<kClocks> clocks_;
  std::vector<LockServer> servers_;
  std::vector<LockClient> clients_;
  Resource resource_;
  std::vector<Envelope> flight_;
  std::vector<uint32_t> armed_;
  uint8_t isolated_ = 0;
  uint8_t max_accepted_ = 0;
  bool stale_accepted_ = false;
};

}  // namespace crosscheck::impl::lockservice::testing
