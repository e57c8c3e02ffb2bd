// The implementation model (check/raft/model.h) as the liveness tests need
// it beyond what the harness and the command line offer: started from a
// given state (the moment of a scenario), with one link cut for good (the
// harness's partitions cut a whole node off and heal), and with timing
// assumptions as constraints on which election timeouts may fire.
// --timely-elections is a state constraint: it can forbid the campaign a
// timeout leads to, never the timeout itself. docs/raft.md ("Liveness")
// says what each assumption stands for.
#pragma once

#include <bit>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "check/raft/model.h"

namespace crosscheck::check::raft::testing {

struct Timing {
  // An election timeout, or a leader's quorum check, fires only when no
  // message is in flight: a message is delivered well within a timeout.
  bool quiet_network = false;
  // A follower does not time out while a leader of its term or a later one
  // can reach it: it hears the heartbeats.
  bool followers_hear_leader = false;
  // A leader's quorum check (CheckQuorum) fires only once a quorum has
  // answered since the last one, unless no quorum can reach it at all:
  // heartbeats are much more frequent than checks.
  bool checks_after_heartbeats = false;
};

class ConstrainedModel {
 public:
  using State = ImplState;
  using Action = ImplAction;

  explicit ConstrainedModel(ImplModel model) : model_(std::move(model)) {}

  ConstrainedModel& start_at(State state) {
    start_ = std::move(state);
    return *this;
  }
  // Every message between the two servers is lost, for good.
  ConstrainedModel& cut(NodeId a, NodeId b) {
    cut_ = {a, b};
    return *this;
  }
  ConstrainedModel& assume(Timing timing) {
    timing_ = timing;
    return *this;
  }
  ConstrainedModel& check_also(mc::TransitionProperty<State, Action> property) {
    extra_.push_back(std::move(property));
    return *this;
  }

  // Whether a message from one server gets to the other.
  bool reaches(const State& state, NodeId from, NodeId to) const {
    if ((state.isolated >> from & 1) != 0 || (state.isolated >> to & 1) != 0) return false;
    return !cut_ || !((cut_->first == from && cut_->second == to) ||
                      (cut_->first == to && cut_->second == from));
  }

  std::vector<State> initial_states() const {
    std::vector<State> states = start_ ? std::vector<State>{*start_} : model_.initial_states();
    for (State& state : states) lose_on_cut_link(state);
    return states;
  }
  void successors(const State& state, std::vector<mc::Successor<Action, State>>& out) const {
    std::vector<mc::Successor<Action, State>> all;
    model_.successors(state, all);
    for (auto& successor : all) {
      if (!timely(state, successor.action)) continue;
      lose_on_cut_link(successor.state);
      out.push_back(std::move(successor));
    }
  }
  bool within_bounds(const State& state) const { return model_.within_bounds(state); }
  uint64_t fingerprint(const State& state) const { return model_.fingerprint(state); }
  mc::Json state_json(const State& state) const { return model_.state_json(state); }
  std::string action_label(const Action& action) const { return model_.action_label(action); }
  std::vector<mc::StateProperty<State>> properties() const { return model_.properties(); }
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const {
    std::vector<mc::TransitionProperty<State, Action>> all = model_.transition_properties();
    all.insert(all.end(), extra_.begin(), extra_.end());
    return all;
  }
  std::vector<mc::LivenessProperty<State>> liveness_properties() const {
    return model_.liveness_properties();
  }
  std::optional<uint64_t> fair_class(const Action& action) const {
    return model_.fair_class(action);
  }
  std::string fairness() const { return model_.fairness(); }

 private:
  void lose_on_cut_link(State& state) const {
    for (size_t i = state.network.size(); i-- > 0;) {
      const auto& packet = state.network[i];
      if (!reaches(state, packet.from, packet.to))
        state.network.erase(state.network.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }

  bool is_quorum(const State& state, uint32_t members) const {
    return std::popcount(members) * 2 > static_cast<int>(state.nodes.size());
  }

  // Whether the step may happen under the timing assumptions: only an
  // election timer's firing is ever refused.
  bool timely(const State& state, const Action& action) const {
    if (action.kind != Action::Kind::kTimeout || action.timer != implraft::Timer::kElection)
      return true;
    if (timing_.quiet_network && !state.network.empty()) return false;
    const NodeId self = action.node;
    const implraft::RaftNode& node = state.nodes[self];
    uint32_t reachable = 1u << self;
    for (NodeId other = 0; other < static_cast<NodeId>(state.nodes.size()); ++other) {
      if (other != self && reaches(state, other, self)) reachable |= 1u << other;
    }
    if (node.role() == implraft::Role::kLeader) {
      const uint32_t answered = node.volatile_state().recently_active | 1u << self;
      return !timing_.checks_after_heartbeats || !is_quorum(state, reachable) ||
             is_quorum(state, answered);
    }
    if (!timing_.followers_hear_leader || node.role() != implraft::Role::kFollower) return true;
    for (NodeId other = 0; other < static_cast<NodeId>(state.nodes.size()); ++other) {
      const implraft::RaftNode& leader = state.nodes[other];
      if ((reachable >> other & 1) != 0 && other != self &&
          leader.role() == implraft::Role::kLeader && leader.term() >= node.term())
        return false;
    }
    return true;
  }

  ImplModel model_;
  std::optional<State> start_;
  std::optional<std::pair<NodeId, NodeId>> cut_;
  Timing timing_;
  std::vector<mc::TransitionProperty<State, Action>> extra_;
};

}  // namespace crosscheck::check::raft::testing
