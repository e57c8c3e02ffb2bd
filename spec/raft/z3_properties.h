// Raft's safety properties and its election as Z3 formulas, and Z3's
// verdicts on them: agreement with the C++ predicates and successors on
// concrete states, bounded model checking of Election Safety, and an
// inductive strengthening of it.
//
// Properties. A State of N servers is encoded as Ints per server
// (currentTerm, state, votedFor with Nil as -1, Len(log), the term and value
// of each of the kMaxLog slots, commitIndex), one Bool per (term, server) of
// the history's leaders, and the history's committed entries (their number,
// and per slot the entry's term and value and the term it was committed in).
// Each property is a quantifier-free formula over those, written the way
// raft.tla's proofs state it rather than the way the C++ predicate computes
// it, so that agreement between the two means something.
//
// Election. The transition relation covers raft.tla with every log empty
// (max_log 0): Restart, Timeout, RequestVote, BecomeLeader,
// AdvanceCommitIndex (a stutter with empty logs), AppendEntries, and Receive
// of every message (UpdateTerm, HandleRequestVoteRequest/Response,
// DropStaleResponse, HandleAppendEntriesRequest/Response),
// DuplicateMessage and DropMessage. ClientRequest is the one action left
// out: its successor has a log entry, which the constraint max_log 0
// excludes. With empty logs a message is determined by its type, term,
// source, destination and one flag (granted, success), so the bag is one
// Int count per such message, up to max_term: RequestVoteRequest and
// AppendEntriesRequest N*N*T each, and the two responses 2*N*N*T each.
// Each action instance is a guard and the variables it assigns, from which
// two forms of Next are built: one disjunct per instance with explicit
// UNCHANGED (for evaluating one step), and a compact form with a selector
// per step and, per variable, an if-then-else over the instances that
// assign it (for bounded model checking and induction, where the number of
// steps multiplies the formula's size).
//
// The strengthening of Election Safety (over that fragment, for one
// max_term). Write E(j, i, t), "there is evidence that j voted for i in
// term t", for
//     currentTerm[j] = t /\ votedFor[j] = i
//  \/ messages[RequestVoteResponse(t, j -> i, granted)] > 0
//  \/ state[i] # Follower /\ currentTerm[i] = t /\ j \in votesGranted[i]
// and P(j, i, t), "j may still vote for i in term t", for
//     E(j, i, t) \/ currentTerm[j] < t \/ currentTerm[j] = t /\ votedFor[j] = Nil.
//   S1  E(j, i, t) => currentTerm[j] >= t
//   S2  E(j, i, t) /\ currentTerm[j] = t => votedFor[j] = i
//   S3  E(j, i, t) /\ E(j, k, t) => i = k
//   S4  i \in leaders[t] /\ k # i => {j : P(j, k, t)} is not a quorum
// docs/raft.md says why each is needed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/common/induction_result.h"
#include "spec/raft/raft.h"

namespace crosscheck::spec::raft {

enum class Property {
  kElectionSafety,
  kLogMatching,
  kLeaderCompleteness,
  kStateMachineSafety,
  kCommittedEntriesKept,
  kLeaderAppendOnly,  // over a pair of states
};
std::string_view to_string(Property property);
const std::vector<Property>& all_properties();

// The C++ predicate of a property, for comparing with the formula.
bool cpp_holds(Property property, const State& state, int servers);
bool cpp_holds_step(const State& from, const State& to, int servers);

// The six properties as Z3 formulas over N symbolic servers, built once;
// holds() substitutes a concrete state's values for the variables and
// simplifies the ground formula to true or false. Not thread-safe.
class Z3Raft {
 public:
  // std::invalid_argument if servers is outside 1..kMaxServers.
  explicit Z3Raft(int servers);
  ~Z3Raft();
  Z3Raft(Z3Raft&&) noexcept;
  Z3Raft& operator=(Z3Raft&&) noexcept;

  int servers() const { return servers_; }
  // A state property (not kLeaderAppendOnly: std::invalid_argument).
  // std::invalid_argument if the state has a leader bit for a server beyond
  // `servers` (it has no variable).
  bool holds(Property property, const State& state);
  // LeaderAppendOnly.
  bool holds_step(const State& from, const State& to);

 private:
  struct Impl;
  int servers_;
  std::unique_ptr<Impl> impl_;
};

// The bounds of the election fragment: RaftModel with max_log 0 and these.
struct ElectionBounds {
  int servers = 3;
  int max_term = 3;
  int max_restarts = 0;  // -1: no bound (restarts is still counted)
  int max_copies = 1;    // 0: no bound
  int max_messages = 2;  // 0: no bound
  // A deliberately wrong HandleRequestVoteRequest that grants a vote
  // without looking at votedFor, to show what a violation looks like.
  bool buggy = false;
};

// The RaftModel configuration whose reachable states the fragment covers.
// Only meaningful for bounds with every limit set.
Config election_config(const ElectionBounds& bounds);

// The election's Next relation in Z3. Not thread-safe.
class Z3RaftElection {
 public:
  // std::invalid_argument if a bound is outside what the encoding holds.
  explicit Z3RaftElection(ElectionBounds bounds);
  ~Z3RaftElection();
  Z3RaftElection(Z3RaftElection&&) noexcept;
  Z3RaftElection& operator=(Z3RaftElection&&) noexcept;

  const ElectionBounds& bounds() const { return bounds_; }
  // Every (action label, successor) the relation allows from `state`, one
  // per enabled action instance whose successor is within the bounds,
  // labelled as RaftModel::action_label labels the action. A label may
  // repeat where one raft.tla action has several outcomes.
  // std::invalid_argument if the state is outside the encoding (a log
  // entry, a term past max_term, a message with a log field, ...).
  std::vector<std::pair<std::string, State>> successors(const State& state);
  // Whether an action instance labelled `label` takes `from` to `to`.
  bool holds_step(const State& from, const std::string& label, const State& to);
  // TypeOK, ElectionSafety and the strengthening's conjuncts selected by
  // `conjuncts` (bit i-1: Si), evaluated on the state.
  bool holds_invariant(const State& state, uint32_t conjuncts);

 private:
  struct Impl;
  ElectionBounds bounds_;
  std::unique_ptr<Impl> impl_;
};

// The strengthening's conjuncts, S1 first, in TLA+-like notation.
const std::vector<std::string>& election_strengthening();
constexpr uint32_t kAllElectionConjuncts = 0xf;

struct TraceStep {
  Action action;      // meaningless in the first step (the initial state)
  std::string label;  // empty in the first step
  State state;
};

struct BmcResult {
  bool violated = false;
  int depth = 0;                 // the bound searched; when violated, the trace's length
  std::vector<TraceStep> trace;  // from Init; the last state breaks ElectionSafety
};

// Bounded model checking: is there a behaviour of at most `depth` steps
// from Init that reaches a state violating ElectionSafety? One query covers
// every depth up to `depth`; the trace returned ends at its first violating
// state, but need not be a shortest one. std::invalid_argument if depth < 0
// or a bound is unset or too large for the encoding (see z3_election.cc).
BmcResult bmc_election_safety(const ElectionBounds& bounds, int depth);

// Replays a trace through RaftModel::successors: the index of the first
// step whose action and state are not among the successors of the previous
// state (or whose state is outside the model's bounds), or -1 when every
// step is a step of the model. Step 0 must be an initial state.
int first_unreplayable_step(const RaftModel& model, const std::vector<TraceStep>& trace);

// The parts of Inv named in `violated`: "TypeOK", "ElectionSafety", "S1"
// ... "S4".
using ElectionInductionResult = spec::InductionResult<State>;

// Proves Init => Inv and Inv /\ Next => Inv', where Inv is TypeOK,
// ElectionSafety and the selected conjuncts, over the election fragment
// with `bounds` (its message and restart limits are usually left off, so
// that the proof holds for any number of messages in flight).
ElectionInductionResult check_election_inductive(const ElectionBounds& bounds, uint32_t conjuncts);

}  // namespace crosscheck::spec::raft
