#include "check/raft/model.h"

#include <algorithm>
#include <bit>

#include "impl/common/assert.h"

namespace crosscheck::check::raft {

using specraft::abstract_state;

namespace {

specraft::Config spec_config(const implraft::Config& config, const ImplBounds& bounds,
                             int max_crashes) {
  specraft::Config c;
  c.servers = config.servers;
  c.values = bounds.values;
  c.max_term = bounds.max_term;
  c.max_log = bounds.max_log;
  c.max_restarts = max_crashes;
  c.max_messages = 16;  // the refinement check's search is bounded by steps, not by the bag
  c.check_quorum = config.check_quorum;
  c.pre_vote = config.pre_vote;
  c.membership = bounds.membership || bounds.joint_consensus;
  c.joint_consensus = bounds.joint_consensus;
  c.snapshots = bounds.snapshots;
  return c;
}

}  // namespace

ImplBinding::ImplBinding(implraft::Config config, ImplBounds bounds)
    : config_(config), bounds_(bounds), spec_(spec_config(config, bounds, 8)) {}

void ImplBinding::inputs(NodeId, const Node& node, std::vector<Input>& out) const {
  using Kind = ClientRequest::Kind;
  if (node.accepts_client_requests()) {
    for (int v = 1; v <= bounds_.values; ++v) out.push_back({static_cast<uint8_t>(v)});
  }
  if (bounds_.max_reads > 0 && node.accepts_reads()) out.push_back({0, Kind::kRead});
  for (NodeId target = 0; target < config_.servers; ++target) {
    if (bounds_.leader_transfer && node.can_transfer_leadership(target))
      out.push_back({static_cast<uint8_t>(target), Kind::kTransfer});
    if (bounds_.membership && node.can_change_membership(target))
      out.push_back({static_cast<uint8_t>(target), Kind::kChangeMembership});
  }
  if (bounds_.snapshots && node.can_compact()) out.push_back({0, Kind::kCompact});
  if (!bounds_.joint_consensus) return;
  for (unsigned voters = 1; voters < (1u << config_.servers); ++voters) {
    if (node.can_change_membership_jointly(static_cast<uint8_t>(voters)))
      out.push_back({static_cast<uint8_t>(voters), Kind::kJointChange});
  }
}

void ImplBinding::on_input(NodeId, Node& node, const Input& input,
                           implraft::RaftOutbox& out) const {
  switch (input.kind) {
    case ClientRequest::Kind::kWrite: node.on_client_request(input.value, out); break;
    case ClientRequest::Kind::kRead: node.on_read_request(out); break;
    case ClientRequest::Kind::kTransfer: node.on_transfer_leadership(input.value, out); break;
    case ClientRequest::Kind::kChangeMembership: node.on_change_membership(input.value, out); break;
    case ClientRequest::Kind::kJointChange: node.on_joint_change(input.value, out); break;
    case ClientRequest::Kind::kCompact: node.on_compact(out); break;
  }
}

std::string ImplBinding::input_label(const Input& input) const {
  switch (input.kind) {
    case ClientRequest::Kind::kWrite: return "ClientRequest(" + std::to_string(input.value) + ")";
    case ClientRequest::Kind::kRead: return "ReadRequest";
    case ClientRequest::Kind::kTransfer:
      return "TransferLeadership(" + node_name(input.value) + ")";
    case ClientRequest::Kind::kChangeMembership:
      return "ChangeMembership(" + node_name(input.value) + ")";
    case ClientRequest::Kind::kJointChange: {
      const std::string label = implraft::entry_label({0, 0, input.value});  // "0:{s1,s2}"
      return "JointChange(" + label.substr(2) + ")";
    }
    case ClientRequest::Kind::kCompact: return "Compact";
  }
  return "?";
}

void ImplBinding::hash_history(const History& history, StableHasher& hasher) const {
  uint64_t floors = 0;
  for (uint8_t floor : history.floor) floors = floors << 8 | floor;
  hasher.add(uint64_t{history.committed} | uint64_t{history.reads} << 8 |
             uint64_t{history.answered} << 16 | uint64_t{history.stale_answer} << 24 |
             uint64_t{history.stale_floor} << 32 | uint64_t{history.stale} << 40);
  hasher.add(floors);
}

// A read begins when a leader's read round moves on; it is answered when
// it stops being pending in the leader that took it (a leader that steps
// down leaves its read unanswered), or at once in the step it began.
void ImplBinding::record_step(History& history, NodeId self, const Node& before,
                              const Node& after) const {
  if (bounds_.max_reads == 0) return;  // no reads: keep the states as they were
  history.committed = std::max(history.committed, after.commit_index());
  const implraft::ReadIndex& was = before.volatile_state().read;
  const implraft::ReadIndex& is = after.volatile_state().read;
  const bool began = is.round > was.round;
  if (began) {
    ++history.reads;
    history.floor[self] = history.committed;
  }
  const bool answered = after.role() == implraft::Role::kLeader && !is.pending &&
                        (began || (was.pending && before.term() == after.term()));
  if (!answered) return;
  ++history.answered;
  if (is.index < history.floor[self] && !history.stale) {
    history.stale = true;
    history.stale_answer = is.index;
    history.stale_floor = history.floor[self];
  }
  history.floor[self] = 0;
}

mc::Json ImplBinding::history_json(const History& history) const {
  mc::Json json = mc::Json::object();
  if (bounds_.max_reads == 0) return json;
  json.set("committed", int{history.committed});
  json.set("reads", int{history.reads});
  json.set("answered", int{history.answered});
  if (history.stale) {
    json.set("stale_read", "answered from " + std::to_string(history.stale_answer) +
                               " entries when " + std::to_string(history.stale_floor) +
                               " were committed before it began");
  }
  return json;
}

bool ImplBinding::within_bounds(const State& state) const {
  return within_bounds(servers_of(state), state.history, state.copies_in_flight());
}

bool ImplBinding::within_bounds(std::span<const Node> servers, const History& history,
                                int copies_in_flight) const {
  if (copies_in_flight > bounds_.max_messages) return false;
  if (history.reads > bounds_.max_reads) return false;
  for (const Node& node : servers) {
    if (node.term() > bounds_.max_term || node.full_log_length() > bounds_.max_log) return false;
  }
  return !bounds_.timely_elections || elections_are_timely(servers);
}

std::vector<std::vector<NodeId>> ImplBinding::interchangeable_nodes() const {
  std::vector<NodeId> servers(static_cast<size_t>(config_.servers));
  for (NodeId id = 0; id < config_.servers; ++id) servers[static_cast<size_t>(id)] = id;
  return {servers};
}

uint64_t ImplBinding::name_free_key(const Node& node) const {
  StableHasher hasher;
  hasher.add(uint64_t{node.term()}).add(node.role()).add(uint64_t{node.commit_index()});
  for (int index = 1; index <= node.full_log_length(); ++index) {
    const implraft::Entry& entry = node.entry_in_full_log(index);
    hasher.add(uint64_t{entry.term} << 8 | entry.value);
  }
  hasher.add(uint64_t{node.snapshot().index});
  const auto& volatile_state = node.volatile_state();
  hasher.add(static_cast<uint64_t>(volatile_state.applied.size()));
  hasher.add(node.persistent().voted_for == implraft::kNoVote);
  hasher.add(std::popcount(volatile_state.votes_granted));
  if (volatile_state.pre_votes != 0) hasher.add(std::popcount(volatile_state.pre_votes));
  return hasher.digest();
}

bool ImplBinding::elections_are_timely(const State& state) {
  return elections_are_timely(servers_of(state));
}

bool ImplBinding::elections_are_timely(std::span<const Node> nodes) {
  int leaders = 0;
  int candidates = 0;
  for (const Node& node : nodes) {
    leaders += node.role() == implraft::Role::kLeader;
    candidates += node.role() == implraft::Role::kCandidate;
  }
  if (leaders > 0 && candidates > 0) return false;
  for (size_t a = 0; a < nodes.size(); ++a) {
    for (size_t b = a + 1; b < nodes.size(); ++b) {
      const Node& x = nodes[a];
      const Node& y = nodes[b];
      if (x.role() == implraft::Role::kCandidate && y.role() == implraft::Role::kCandidate &&
          x.term() == y.term()) {
        return false;
      }
    }
  }
  return true;
}

mc::Json ImplBinding::node_json(NodeId, const Node& node) const {
  mc::Json json = mc::Json::object();
  json.set("term", int{node.term()});
  json.set("role", std::string(implraft::to_string(node.role())));
  const int8_t vote = node.persistent().voted_for;
  json.set("voted_for", vote == implraft::kNoVote ? mc::Json(nullptr) : mc::Json(node_name(vote)));
  mc::Json log = mc::Json::array();
  for (const auto& entry : node.log()) log.push(implraft::entry_label(entry));
  json.set("log", std::move(log));
  if (node.snapshot().index != 0) {
    json.set("snapshot",
             std::to_string(node.snapshot().index) + "/" + std::to_string(node.snapshot().term));
  }
  json.set("commit_index", int{node.commit_index()});
  json.set("applied", static_cast<int>(node.volatile_state().applied.size()));
  if (node.role() == implraft::Role::kLeader) {
    mc::Json match = mc::Json::array();
    for (int j = 0; j < config_.servers; ++j) match.push(int{node.volatile_state().match_index[j]});
    json.set("match_index", std::move(match));
  }
  if (node.volatile_state().violation != implraft::LocalViolation::kNone) {
    json.set("local_invariant_broken",
             std::string(implraft::to_string(node.volatile_state().violation)));
  }
  return json;
}

bool election_safety(Servers nodes) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (size_t j = i + 1; j < nodes.size(); ++j) {
      const auto& a = nodes[i];
      const auto& b = nodes[j];
      if (a.role() == implraft::Role::kLeader && b.role() == implraft::Role::kLeader &&
          a.term() == b.term()) {
        return false;
      }
    }
  }
  return true;
}

namespace {

bool same_prefix(const implraft::EntryVector& a, const implraft::EntryVector& b, size_t length) {
  return a.size() >= length && b.size() >= length &&
         std::equal(a.begin(), a.begin() + length, b.begin());
}

bool same_prefix(const implraft::RaftNode& a, const implraft::RaftNode& b, int length) {
  if (a.full_log_length() < length || b.full_log_length() < length) return false;
  for (int index = 1; index <= length; ++index) {
    if (a.entry_in_full_log(index) != b.entry_in_full_log(index)) return false;
  }
  return true;
}

}  // namespace

bool log_matching(Servers nodes) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (size_t j = i + 1; j < nodes.size(); ++j) {
      const auto& a = nodes[i];
      const auto& b = nodes[j];
      for (int index = std::min(a.full_log_length(), b.full_log_length()); index >= 1; --index) {
        if (a.entry_in_full_log(index).term == b.entry_in_full_log(index).term) {
          if (!same_prefix(a, b, index)) return false;
          break;
        }
      }
    }
  }
  return true;
}

bool state_machine_safety(Servers nodes) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (size_t j = i + 1; j < nodes.size(); ++j) {
      const auto& a = nodes[i].volatile_state().applied;
      const auto& b = nodes[j].volatile_state().applied;
      if (!same_prefix(a, b, std::min(a.size(), b.size()))) return false;
    }
  }
  return true;
}

namespace {

// specraft::kept_by_every_later_configuration for the node's log.
bool kept_by_every_later_configuration(const implraft::RaftNode& node, int index, uint32_t lacking,
                                       int servers) {
  specraft::Configuration in_force{(1u << servers) - 1, 0};
  for (int k = 1; k <= index; ++k) {
    const implraft::Entry& e = node.entry_in_full_log(k);
    if (e.is_configuration()) in_force = {e.voters, e.old_voters};
  }
  if (specraft::is_quorum_of(lacking, in_force)) return false;
  for (int k = index + 1; k <= node.full_log_length(); ++k) {
    const implraft::Entry& e = node.entry_in_full_log(k);
    if (e.is_configuration() && specraft::is_quorum_of(lacking, {e.voters, e.old_voters}))
      return false;
  }
  return true;
}

}  // namespace

// An applied entry stays on a quorum of every later configuration: for
// every log holding it, no quorum of the configuration in force at its
// index, or of a configuration entered after it, lacks it (with every
// server a voter: a majority holds it).
bool applied_entries_kept(Servers nodes) {
  const int servers = static_cast<int>(nodes.size());
  for (const auto& node : nodes) {
    const auto& applied = node.volatile_state().applied;
    for (int index = 1; index <= static_cast<int>(applied.size()); ++index) {
      uint32_t lacking = 0;
      for (int k = 0; k < servers; ++k) {
        const auto& holder = nodes[k];
        if (holder.full_log_length() < index ||
            holder.entry_in_full_log(index) != applied[static_cast<size_t>(index - 1)])
          lacking |= 1u << k;
      }
      if (lacking == (1u << servers) - 1) return false;  // on no log at all
      for (int k = 0; k < servers; ++k) {
        if (!(lacking & (1u << k)) &&
            !kept_by_every_later_configuration(nodes[k], index, lacking, servers))
          return false;
      }
    }
  }
  return true;
}

bool local_invariants(Servers nodes) {
  return std::all_of(nodes.begin(), nodes.end(), [](const auto& node) {
    return node.volatile_state().violation == implraft::LocalViolation::kNone;
  });
}

bool some_leader(Servers nodes) {
  return std::any_of(nodes.begin(), nodes.end(),
                     [](const auto& node) { return node.role() == implraft::Role::kLeader; });
}

bool some_entry_applied(Servers nodes) {
  return std::any_of(nodes.begin(), nodes.end(),
                     [](const auto& node) { return !node.volatile_state().applied.empty(); });
}

bool some_leader_of_a_later_term(Servers nodes) {
  return std::any_of(nodes.begin(), nodes.end(), [](const auto& node) {
    return node.role() == implraft::Role::kLeader && node.term() >= 3;
  });
}

std::string first_broken_invariant(Servers servers, const ReadHistory& history) {
  if (!local_invariants(servers)) return "LocalInvariants";
  if (!election_safety(servers)) return "ElectionSafety";
  if (!log_matching(servers)) return "LogMatching";
  if (!state_machine_safety(servers)) return "StateMachineSafety";
  if (!applied_entries_kept(servers)) return "AppliedEntriesKept";
  if (history.stale) return "ReadsAreLinearizable";
  return "";
}

bool impl_election_safety(const ImplState& state) { return election_safety(servers_of(state)); }
bool impl_log_matching(const ImplState& state) { return log_matching(servers_of(state)); }
bool impl_state_machine_safety(const ImplState& state) {
  return state_machine_safety(servers_of(state));
}
bool impl_applied_entries_kept(const ImplState& state) {
  return applied_entries_kept(servers_of(state));
}
bool impl_local_invariants(const ImplState& state) { return local_invariants(servers_of(state)); }
bool impl_reads_linearizable(const ImplState& state) { return !state.history.stale; }

std::string first_broken_invariant(const ImplState& state) {
  return first_broken_invariant(servers_of(state), state.history);
}

std::vector<mc::StateProperty<ImplState>> ImplBinding::properties() const {
  return raft_properties<ImplState>(bounds_.max_reads > 0);
}

std::vector<mc::LivenessProperty<ImplState>> ImplBinding::liveness_properties() const {
  auto any_node = [](auto predicate) {
    return [predicate](const ImplState& s) {
      return std::any_of(s.nodes.begin(), s.nodes.end(), predicate);
    };
  };
  const auto a_leader = [](const ImplState& s) { return some_leader(servers_of(s)); };
  return {
      mc::eventually<ImplState>("LeaderEventuallyElected", a_leader),
      mc::leads_to<ImplState>("RequestEventuallyCommitted",
                              any_node([](const auto& node) { return node.full_log_length() > 0; }),
                              any_node([](const auto& node) { return node.commit_index() > 0; })),
      // Whenever no server leads, one eventually does: []<>leader. Within
      // the bounds that is also <>[]leader, a leader that eventually keeps
      // its office: a loop raises no term, and within one term a server
      // cannot lead, stop and lead again, so a loop has a leader in every
      // state or in none (docs/raft.md#liveness).
      mc::leads_to<ImplState>(
          "LeaderEventuallyRestored", [a_leader](const ImplState& s) { return !a_leader(s); },
          a_leader),
  };
}

std::vector<mc::TransitionProperty<ImplState, ImplAction>> ImplBinding::transition_properties()
    const {
  return raft_transition_properties<ImplState, ImplAction>(spec_, bounds_.check_refinement);
}

ImplModel make_impl_model(implraft::Config config, ImplBounds bounds, mc::FaultBudgets budgets) {
  return ImplModel(ImplBinding(config, bounds), budgets);
}

}  // namespace crosscheck::check::raft
