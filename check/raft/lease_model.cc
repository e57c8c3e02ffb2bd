#include "check/raft/lease_model.h"

#include <stdexcept>

namespace crosscheck::check::raft {

LeaseBinding::LeaseBinding(implraft::Config config, ImplBounds bounds) : raft_(config, bounds) {}

// A server that boots has promised no leader anything: its first election
// timer is armed at once, as under abstract time, rather than an election
// timeout into the run (which would spend the horizon on waiting).
void LeaseBinding::start(NodeId, Node& node, implraft::RaftOutbox& out) const { node.start(out); }

void LeaseBinding::on_message(NodeId self, Node& node, NodeId from, const Message& m,
                              implraft::RaftOutbox& out) const {
  implraft::RaftOutbox effects;
  raft_.on_message(self, node, from, m, effects);
  node.clock_election_timer(effects, out);
}

void LeaseBinding::on_timeout(NodeId self, Node& node, Timer timer,
                              implraft::RaftOutbox& out) const {
  implraft::RaftOutbox effects;
  raft_.on_timeout(self, node, timer, effects);
  node.clock_election_timer(effects, out);
  if (timer == Timer::kHeartbeat) out.cancel_timer(Timer::kHeartbeat);  // due again next tick
}

void LeaseBinding::on_input(NodeId self, Node& node, const Input& input,
                            implraft::RaftOutbox& out) const {
  implraft::RaftOutbox effects;
  raft_.on_input(self, node, input, effects);
  node.clock_election_timer(effects, out);
}

// The clock's reading is the harness's; what the node makes of it (its
// deadline, its lease) is its own and names no server.
uint64_t LeaseBinding::name_free_key(const Node& node) const {
  const implraft::ReadIndex& read = node.volatile_state().read;
  return StableHasher()
      .add(raft_.name_free_key(node))
      .add(uint64_t{node.clock().deadline} | uint64_t{read.lease_round} << 8 |
           uint64_t{read.lease_expiry} << 16)
      .digest();
}

mc::Json LeaseBinding::node_json(NodeId id, const Node& node, uint8_t reading) const {
  mc::Json json = raft_.node_json(id, node);
  if (node.clock().reading != reading) json.set("clock_seen", int{node.clock().reading});
  if (node.clock().deadline != 0) json.set("election_deadline", int{node.clock().deadline});
  const implraft::ReadIndex& read = node.volatile_state().read;
  if (node.role() == implraft::Role::kLeader && read.lease_round != 0) {
    json.set("lease_round_began", read.lease_round - 1);
    json.set("lease_until", int{read.lease_expiry});
    json.set("lease_holds", node.lease_holds());
  }
  return json;
}

std::vector<mc::StateProperty<LeaseState>> LeaseBinding::properties() const {
  return raft_properties<LeaseState>(bounds().max_reads > 0);
}

std::vector<mc::TransitionProperty<LeaseState, LeaseAction>> LeaseBinding::transition_properties()
    const {
  return raft_transition_properties<LeaseState, LeaseAction>(raft_.spec(),
                                                             bounds().check_refinement);
}

LeaseModel make_lease_model(implraft::Config config, ImplBounds bounds, mc::FaultBudgets budgets,
                            LeaseClocks clocks) {
  config.lease_reads = true;
  if (bounds.leader_transfer || bounds.membership || bounds.joint_consensus || bounds.snapshots) {
    throw std::invalid_argument(
        "lease reads are modelled without leadership transfer, membership changes and "
        "snapshots (docs/raft.md#lease-based-reads)");
  }
  if (config.pre_vote) {
    throw std::invalid_argument("lease reads are modelled without PreVote");
  }
  if (!config.check_quorum && config.variant != implraft::Variant::kCheckQuorumOffLeaseRead) {
    throw std::invalid_argument(
        "lease reads need --check-quorum 1, as etcd's ReadOnlyLeaseBased does (--variant "
        "checkquorum-off-lease-read runs them without)");
  }
  if (config.election_timeout < 1 || config.election_timeout > 30 || config.drift < 0 ||
      config.drift > 10 || implraft::lease_length(config) == 0) {
    throw std::invalid_argument(
        "lease reads need an election timeout of 1 to 30 ticks longer than twice the drift");
  }
  const int drift = clocks.clock_drift < 0 ? config.drift : clocks.clock_drift;
  if (clocks.horizon < 1 || clocks.horizon + drift + config.election_timeout > 240) {
    throw std::invalid_argument("lease reads: the horizon is out of range");
  }
  budgets.max_pauses = 0;
  budgets.max_pause = 0;
  return LeaseModel(LeaseBinding(config, bounds), budgets,
                    mc::ClockTime{.drift = drift, .horizon = clocks.horizon});
}

}  // namespace crosscheck::check::raft
