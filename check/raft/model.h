// The Raft implementation as a model: impl/raft nodes in the actor harness,
// with the Raft paper's safety properties over the nodes' states, and the
// refinement of raft.tla (spec/raft/refinement.h) checked on every step.
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "impl/raft/node.h"
#include "model_check/actor.h"
#include "spec/raft/raft.h"
#include "spec/raft/refinement.h"

namespace crosscheck::check::raft {

namespace implraft = crosscheck::impl::raft;
namespace specraft = crosscheck::spec::raft;

using ClientRequest = implraft::ClientRequest;

// What the clients have seen of reads, as a history variable: enough to
// judge each read against the writes that had finished when it began.
// The log orders every write; a write has finished, at the latest, once
// its entry is committed somewhere; so a read is linearizable exactly when
// its answer reflects at least the longest prefix committed anywhere when
// it began (ReadsAreLinearizable, docs/raft.md).
struct ReadHistory {
  uint8_t committed = 0;  // the largest commit index any server has had
  uint8_t reads = 0;      // reads begun
  uint8_t answered = 0;   // reads answered
  // Server i's pending read must reflect this many entries.
  std::array<uint8_t, implraft::kMaxServers> floor{};
  // The first read answered with less: its answer and its floor.
  uint8_t stale_answer = 0;
  uint8_t stale_floor = 0;
  bool stale = false;
  auto operator<=>(const ReadHistory&) const = default;
};

struct ImplBounds {
  int values = 1;        // client requests write 1..values
  int max_term = 3;      // states with a larger term are outside the bounds
  int max_log = 2;       // ... or a longer log
  int max_messages = 2;  // ... or more messages in flight
  // Check RefinesRaftSpec on every transition. A buggy variant fails it at
  // its first step that raft.tla does not allow; without it, the search
  // goes on to the safety property that step eventually breaks.
  bool check_refinement = true;
  // The timing Raft's liveness rests on (§5.2, §9: randomized election
  // timeouts, heartbeats well within them), as a state constraint: no
  // server stands for election while another is a candidate of the same
  // term or a leader. Without it an asynchronous network can split votes
  // or depose leaders forever; with it, only crashes end a leadership.
  bool timely_elections = false;
  // Linearizable reads (ReadIndex) a leader may be asked for, over a run.
  int max_reads = 0;
  // Whether a leader may be asked to transfer its leadership.
  bool leader_transfer = false;
  // Whether a leader may be asked to add or remove one server (every
  // server starts a voter).
  bool membership = false;
  // Whether a leader may be asked to change two or more voters at once,
  // through a joint configuration.
  bool joint_consensus = false;
  // Whether any server may be asked to compact its log into a snapshot
  // (and a leader then sends InstallSnapshot to a follower that lags).
  bool snapshots = false;
};

class ImplBinding {
 public:
  using Node = implraft::RaftNode;
  using Message = implraft::Message;
  using Timer = implraft::Timer;
  using Input = ClientRequest;
  using History = ReadHistory;
  using State = mc::ActorState<ImplBinding>;
  using Action = mc::ActorAction<ImplBinding>;
  // At most kMaxServers nodes; messages beyond eight in flight (only runs
  // with a larger --max-messages) spill to the heap.
  static constexpr size_t kInlineNodes = implraft::kMaxServers;
  static constexpr size_t kInlineMessages = 8;

  ImplBinding(implraft::Config config, ImplBounds bounds);

  const implraft::Config& config() const { return config_; }
  const ImplBounds& bounds() const { return bounds_; }
  int node_count() const { return config_.servers; }
  Node initial_node(NodeId id) const { return Node(id, config_); }
  void start(NodeId, Node& node, implraft::RaftOutbox& out) const { node.start(out); }
  void on_message(NodeId, Node& node, NodeId from, const Message& m,
                  implraft::RaftOutbox& out) const {
    node.on_message(from, m, out);
  }
  void on_timeout(NodeId, Node& node, Timer timer, implraft::RaftOutbox& out) const {
    node.on_timeout(timer, out);
  }
  void inputs(NodeId self, const Node& node, std::vector<Input>& out) const;
  void on_input(NodeId, Node& node, const Input& input, implraft::RaftOutbox& out) const;
  void restart(NodeId, Node& node, implraft::RaftOutbox& out) const { node.restart(out); }
  bool within_bounds(const State& state) const;
  // The same for the servers of a state of any harness (check/raft/lease_model.h).
  bool within_bounds(std::span<const Node> servers, const History& history,
                     int copies_in_flight) const;
  // Symmetry (model_check/actor_symmetry.h): the servers are
  // interchangeable, as raft.tla's Server is.
  std::vector<std::vector<NodeId>> interchangeable_nodes() const;
  void rename(Node& node, const NodeRenaming& renaming) const { node.rename(renaming); }
  void rename(Message& message, const NodeRenaming& renaming) const {
    message.entry.voters = static_cast<uint8_t>(renaming.set_of(message.entry.voters));
    message.entry.old_voters = static_cast<uint8_t>(renaming.set_of(message.entry.old_voters));
    implraft::rename_voters(message.snapshot, renaming);
  }
  void rename_history(History& history, const NodeRenaming& renaming) const {
    history.floor = renaming.indexed(history.floor);
  }
  uint64_t name_free_key(const Node& node) const;
  static bool elections_are_timely(const State& state);
  static bool elections_are_timely(std::span<const Node> servers);

  std::string node_name(NodeId id) const { return "s" + std::to_string(id + 1); }
  mc::Json node_json(NodeId id, const Node& node) const;
  std::string timer_label(Timer timer) const { return std::string(implraft::to_string(timer)); }
  std::string input_label(const Input& input) const;
  void hash_history(const History& history, StableHasher& hasher) const;
  void record_step(History& history, NodeId self, const Node& before, const Node& after) const;
  mc::Json history_json(const History& history) const;

  std::vector<mc::StateProperty<State>> properties() const;
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const;
  // A leader is eventually elected; an entry in some log is eventually
  // committed; whenever no server leads, one eventually does (under weak
  // fairness of delivery and timers; docs/raft.md says what the bounds
  // make of them).
  std::vector<mc::LivenessProperty<State>> liveness_properties() const;
  const specraft::RaftModel& spec() const { return spec_; }

 private:
  implraft::Config config_;
  ImplBounds bounds_;
  specraft::RaftModel spec_;
};

using ImplModel = mc::ActorModel<ImplBinding>;
using ImplState = ImplBinding::State;
using ImplAction = ImplBinding::Action;

ImplModel make_impl_model(implraft::Config config, ImplBounds bounds, mc::FaultBudgets budgets);

// A state's servers, under abstract time or on clocks alike.
using Servers = std::span<const implraft::RaftNode>;
template <class S>
Servers servers_of(const S& state) {
  return {state.nodes.data(), state.nodes.size()};
}

// The properties over the servers' states.
bool election_safety(Servers servers);
bool log_matching(Servers servers);
bool state_machine_safety(Servers servers);
bool applied_entries_kept(Servers servers);
bool local_invariants(Servers servers);
bool some_leader(Servers servers);
bool some_entry_applied(Servers servers);
bool some_leader_of_a_later_term(Servers servers);
std::string first_broken_invariant(Servers servers, const ReadHistory& history);

// The safety properties and goals, with ReadsAreLinearizable and
// ReadAnswered when reads are on, over the states of a harness whose
// nodes are RaftNodes and whose history is ReadHistory.
template <class S>
std::vector<mc::StateProperty<S>> raft_properties(bool reads) {
  const auto on = [](bool (*holds)(Servers)) {
    return [holds](const S& state) { return holds(servers_of(state)); };
  };
  std::vector<mc::StateProperty<S>> properties = {
      mc::always<S>("ElectionSafety", on(election_safety)),
      mc::always<S>("LogMatching", on(log_matching)),
      mc::always<S>("StateMachineSafety", on(state_machine_safety)),
      mc::always<S>("AppliedEntriesKept", on(applied_entries_kept)),
      mc::always<S>("LocalInvariants", on(local_invariants)),
      mc::sometimes<S>("LeaderElected", on(some_leader)),
      mc::sometimes<S>("EntryApplied", on(some_entry_applied)),
      // The first election makes term 2; a leader of term 3 or later
      // means leadership changed hands.
      mc::sometimes<S>("LeaderOfALaterTerm", on(some_leader_of_a_later_term)),
  };
  if (reads) {
    properties.push_back(
        mc::always<S>("ReadsAreLinearizable", [](const S& s) { return !s.history.stale; }));
    properties.push_back(
        mc::sometimes<S>("ReadAnswered", [](const S& s) { return s.history.answered > 0; }));
  }
  return properties;
}

// LeaderAppendOnly, and RefinesRaftSpec when asked for, on every step.
template <class S, class A>
std::vector<mc::TransitionProperty<S, A>> raft_transition_properties(
    const specraft::RaftModel& spec, bool check_refinement) {
  // The spec by value: the property may outlive its binding.
  const specraft::RaftModel spec_model = spec;
  const int servers = spec.config().servers;
  std::vector<mc::TransitionProperty<S, A>> properties = {
      {"LeaderAppendOnly",
       [servers](const S& from, const A&, const S& to) {
         return specraft::leader_append_only(specraft::abstract_state(from),
                                             specraft::abstract_state(to), servers);
       }},
  };
  if (!check_refinement) return properties;
  properties.push_back({"RefinesRaftSpec",
                        [spec_model](const S& from, const A& action, const S& to) {
                          return specraft::refines(spec_model, from, action, to);
                        },
                        false,
                        [spec_model](const S& from, const A& action, const S& to) {
                          return specraft::explain_refinement(spec_model, from, action, to);
                        }});
  return properties;
}

// The properties over the implementation's global state.
bool impl_election_safety(const ImplState& state);  // no two leaders of one term
bool impl_log_matching(const ImplState& state);
bool impl_state_machine_safety(const ImplState& state);  // applied sequences agree
bool impl_applied_entries_kept(const ImplState& state);  // an applied entry stays on a majority
bool impl_local_invariants(const ImplState& state);
bool impl_reads_linearizable(const ImplState& state);
// The first of the properties above that the state breaks, by name, or ""
// (for step-by-step tests, which check them after every step).
std::string first_broken_invariant(const ImplState& state);

}  // namespace crosscheck::check::raft
