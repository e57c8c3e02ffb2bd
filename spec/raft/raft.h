// Ongaro's raft.tla as an abstract machine: the same variables and actions,
// so that a trace of this model reads as a behaviour of the TLA+ spec.
//
//   currentTerm, state, votedFor              server variables
//   log, commitIndex                          log variables
//   votesResponded, votesGranted              candidate variables
//   nextIndex, matchIndex                     leader variables
//   messages                                  a bag: message -> count
//
// Actions: Restart, Timeout, RequestVote, BecomeLeader, ClientRequest,
// AdvanceCommitIndex, AppendEntries (at most one entry), Receive
// (UpdateTerm, HandleRequestVoteRequest/Response, DropStaleResponse,
// HandleAppendEntriesRequest/Response), DuplicateMessage, DropMessage.
//
// The text is raft.tla at ongardie/raft.tla 6ecbdbc (February 2025), whose
// WithoutMessage (fixed in fb894bd, September 2024) removes a message whose
// count reaches 0, as Discard here does. Where this model departs from
// that text, and why:
//  - The proof-only history variables (elections, allLogs, voterLog) and
//    the mlog fields of messages are left out. Two history variables of our
//    own take their place: the servers that have led each term, and every
//    entry a leader has committed with the term in which it committed it.
//    They are what Election Safety, Leader Completeness and "a committed
//    entry is never lost" are stated over, and they are not protocol state:
//    the refinement map ignores them.
//  - `restarts` counts Restart steps, so that the state constraint can bound
//    them (TLC would need the same auxiliary variable).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "impl/common/hash.h"
#include "impl/common/small_vector.h"
#include "model_check/json.h"
#include "model_check/model.h"

namespace crosscheck::spec::raft {

constexpr int kMaxServers = 5;
constexpr int kMaxLog = 6;
constexpr int kMaxTerm = 7;
constexpr int8_t kNil = -1;

enum class Role : uint8_t { kFollower, kCandidate, kLeader };
std::string_view to_string(Role role);

// A client's command, or (Config::membership, value 0) a configuration:
// the voters from this entry on, bit j for server j.
struct Entry {
  uint8_t term = 0;
  uint8_t value = 0;
  uint8_t voters = 0;
  // A joint configuration (Config::joint_consensus): the voters being
  // left, whose majority counts too; 0 otherwise.
  uint8_t old_voters = 0;
  auto operator<=>(const Entry&) const = default;
  bool is_configuration() const { return voters != 0; }
  bool is_joint() const { return old_voters != 0; }
};
// "2:1" (term 2, value 1), or "3:{s1,s2}" for a configuration.
std::string entry_label(const Entry& entry);

// A log of at most kMaxLog entries, 1-based as in TLA+. Slots past the end
// are kept zero, so that == and hashing see only the entries.
class Log {
 public:
  int length() const { return length_; }
  bool empty() const { return length_ == 0; }
  const Entry& at(int index) const { return entries_[index - 1]; }
  uint8_t term_at(int index) const { return index == 0 ? 0 : entries_[index - 1].term; }
  uint8_t last_term() const { return term_at(length_); }
  bool full() const { return length_ == kMaxLog; }
  void append(Entry entry) { entries_[length_++] = entry; }
  void truncate(int length) {
    for (int i = length; i < length_; ++i) entries_[i] = Entry{};
    length_ = static_cast<uint8_t>(length);
  }
  // The two logs hold the same entries at indexes 1..index.
  bool same_prefix(const Log& other, int index) const {
    for (int i = 1; i <= index; ++i) {
      if (at(i) != other.at(i)) return false;
    }
    return true;
  }
  auto operator<=>(const Log&) const = default;

 private:
  std::array<Entry, kMaxLog> entries_{};
  uint8_t length_ = 0;
};

enum class MessageType : uint8_t {
  kRequestVoteRequest,
  kRequestVoteResponse,
  kAppendEntriesRequest,
  kAppendEntriesResponse,
  // Not raft.tla's (Config::snapshots; the paper's §7): a leader's
  // snapshot, answered by an AppendEntriesResponse.
  kInstallSnapshot,
};
std::string_view to_string(MessageType type);

// One record for every message type; the fields a type does not use stay
// zero, so that == compares only what the TLA+ record holds.
struct Message {
  MessageType type = MessageType::kRequestVoteRequest;
  uint8_t term = 0;
  uint8_t source = 0;
  uint8_t dest = 0;
  uint8_t last_log_term = 0;   // RequestVoteRequest
  uint8_t last_log_index = 0;  // RequestVoteRequest
  bool vote_granted = false;   // RequestVoteResponse
  uint8_t prev_log_index = 0;  // AppendEntriesRequest
  uint8_t prev_log_term = 0;   // AppendEntriesRequest
  bool has_entry = false;      // AppendEntriesRequest: mentries has one entry
  Entry entry{};               // AppendEntriesRequest
  uint8_t commit_index = 0;    // AppendEntriesRequest
  bool success = false;        // AppendEntriesResponse
  uint8_t match_index = 0;     // AppendEntriesResponse
  // InstallSnapshot: the entries the snapshot covers (its state machine's
  // input, which is this model's state), its last index and term those of
  // the last of them.
  Log snapshot;

  auto operator<=>(const Message&) const = default;
  void hash(StableHasher& hasher) const;
  // "AppendEntriesRequest(term 2, prev 1/1, entry 2:1, commit 1)".
  std::string label() const;
  mc::Json json() const;
};

struct Server {
  uint8_t current_term = 1;
  Role role = Role::kFollower;
  int8_t voted_for = kNil;
  Log log;
  uint8_t commit_index = 0;
  uint8_t votes_responded = 0;  // bit j: server j
  uint8_t votes_granted = 0;    // bit j: server j
  std::array<uint8_t, kMaxServers> next_index{1, 1, 1, 1, 1};
  std::array<uint8_t, kMaxServers> match_index{};
  // Not raft.tla's (Config::snapshots): the log's prefix up to here is a
  // snapshot; the leader cannot send its entries, only the snapshot.
  uint8_t snapshot_index = 0;

  auto operator<=>(const Server&) const = default;
};

// The bag of messages in flight, sorted by message, counts above zero.
class Bag {
 public:
  struct Item {
    Message message;
    uint8_t count;
    auto operator<=>(const Item&) const = default;
  };
  int count(const Message& message) const;
  void add(const Message& message);
  void remove(const Message& message);  // one copy; the message must be there
  const Item* begin() const { return items_.begin(); }
  const Item* end() const { return items_.end(); }
  size_t size() const { return items_.size(); }
  bool operator==(const Bag&) const = default;

 private:
  SmallVector<Item, 8> items_;
};

// An entry committed by a leader, and the leader's term when it did.
struct Commitment {
  Entry entry;
  uint8_t term = 0;
  auto operator<=>(const Commitment&) const = default;
};

// History, not protocol state (see the header comment).
struct History {
  std::array<uint8_t, kMaxTerm + 2> leaders{};  // bit i of leaders[t]: server i led term t
  std::array<Commitment, kMaxLog> committed{};  // committed[index - 1]
  uint8_t committed_length = 0;
  auto operator<=>(const History&) const = default;
};

struct State {
  std::array<Server, kMaxServers> servers{};
  Bag messages;
  uint8_t restarts = 0;
  History history;

  bool operator==(const State&) const = default;
  // Equal in every protocol variable; history may differ.
  bool same_protocol_state(const State& other) const {
    return servers == other.servers && messages == other.messages && restarts == other.restarts;
  }
};

struct Action {
  enum class Kind : uint8_t {
    kRestart,
    kTimeout,
    kRequestVote,
    kBecomeLeader,
    kClientRequest,
    kAdvanceCommitIndex,
    kAppendEntries,
    // Receive(m), by the handler that takes it:
    kUpdateTerm,
    kHandleRequestVoteRequest,
    kHandleRequestVoteResponse,
    kDropStaleResponse,
    kHandleAppendEntriesRequest,
    kHandleAppendEntriesResponse,
    // Not raft.tla's (Config::snapshots), Receive(m) of an InstallSnapshot.
    kHandleInstallSnapshotRequest,
    kDuplicateMessage,
    kDropMessage,
    // Not raft.tla's (Config::check_quorum): a leader steps down to
    // follower in its own term, as CheckQuorum has it do when it has not
    // heard from a quorum within an election timeout.
    kCheckQuorumStepDown,
    // Not raft.tla's (Config::pre_vote): server i adopts term `value`,
    // which some server has reached, as UpdateTerm would; a PreVote
    // response carries it (a denial names the denier's term), and raft.tla
    // has no record of that message.
    kUpdateTermFromPreVote,
    // Not raft.tla's (Config::membership): a single-server membership
    // change (Ongaro's thesis §4.1), the leader appending a configuration
    // entry with `value` as its voters.
    kChangeMembership,
    // Not raft.tla's (Config::joint_consensus; the paper's §6): leader i
    // enters the joint configuration of `value` (the new voters, two or
    // more changed, i among them) and its current voters, under
    // ChangeMembership's guards; and leaves it, for `value` alone, once it
    // is committed.
    kChangeMembershipJoint,
    kLeaveJoint,
    // Not raft.tla's (Config::snapshots; the paper's §7): server i makes
    // its committed prefix a snapshot; and leader i sends its snapshot to
    // j, whose next entry it has compacted away.
    kCompactLog,
    kSendSnapshot,
  };
  Kind kind = Kind::kRestart;
  uint8_t server = 0;  // i: the server that acts (the receiver of m)
  uint8_t peer = 0;    // j in RequestVote(i, j) and AppendEntries(i, j)
  uint8_t value = 0;   // v in ClientRequest(i, v); the term in UpdateTermFromPreVote
  Message message{};   // m in the message actions
};
std::string_view to_string(Action::Kind kind);

// A conjunct of a raft.tla action that can be false: a guard (the action
// is not enabled), or a condition inside the action that sends it down
// another branch (AdvanceCommitIndex's IF, HandleRequestVoteRequest's
// grant, HandleAppendEntriesRequest's accept and "already done" cases).
// to_string gives raft.tla's text; guard_position its place among its
// action's conjuncts (0 for the first, which says whether the action
// applies to the server's role or the message at all).
enum class Guard : uint8_t {
  kNone,
  kTimeoutState,            // Timeout: state[i] \in {Follower, Candidate}
  kRequestVoteState,        // RequestVote: state[i] = Candidate
  kNotResponded,            // RequestVote: j \notin votesResponded[i]
  kBecomeLeaderState,       // BecomeLeader: state[i] = Candidate
  kVotesQuorum,             // BecomeLeader: votesGranted[i] \in Quorum
  kClientRequestState,      // ClientRequest: state[i] = Leader
  kConfigurationCommitted,  // ChangeMembership: the latest configuration is committed
  kTermEntryCommitted,      // ChangeMembership: an entry of currentTerm[i] is committed
  kNotJoint,                // ChangeMembership: the latest configuration is not joint
  kJoint,                   // LeaveJoint: the latest configuration is joint
  kLogRoom,                 // ClientRequest: the log has room (kMaxLog, not raft.tla)
  kAdvanceState,            // AdvanceCommitIndex: state[i] = Leader
  kAgreeIndexes,            // AdvanceCommitIndex's IF: agreeIndexes /= {}
  kCommitCurrentTerm,       // ... log[i][Max(agreeIndexes)].term = currentTerm[i]
  kAppendEntriesState,      // AppendEntries: state[i] = Leader
  kNewerTerm,               // UpdateTerm: m.mterm > currentTerm[i]
  kStaleTerm,               // DropStaleResponse: m.mterm < currentTerm[i]
  kResponseTerm,            // Handle...Response: m.mterm = currentTerm[i]
  kRequestTerm,             // Handle...Request: m.mterm <= currentTerm[i]
  kGrantTerm,               // HandleRequestVoteRequest's grant: m.mterm = currentTerm[i]
  kGrantLogOk,              // ... logOk
  kGrantVotedFor,           // ... votedFor[i] \in {Nil, j}
  kAcceptTerm,              // HandleAppendEntriesRequest, accept: m.mterm = currentTerm[i]
  kAcceptState,             // ... state[i] = Follower (a leader of m.mterm takes no step)
  kAcceptLogOk,             // ... logOk
  kDoneHasEntry,            // ... already done: Len(log[i]) >= index (else: append)
  kDoneEntryMatches,        // ... log[i][index].term = m.mentries[1].term (else: conflict)
  kAppendRoom,              // ... the log has room to append (kMaxLog, not raft.tla)
  kCompactCommitted,        // CompactLog: commitIndex[i] > snapshotIndex[i]
  kEntriesKept,             // AppendEntries: nextIndex[i][j] > snapshotIndex[i]
  kSnapshotNeeded,          // SendSnapshot: nextIndex[i][j] <= snapshotIndex[i]
};
std::string_view to_string(Guard guard);
int guard_position(Guard guard);

// An action of a server that a state did not let take its step as it
// stands: refused by a guard (`successor` is -1), or sent down another
// branch by a condition (`successor` is the index, among the successors
// listed with it, of the step it took instead).
struct Refusal {
  Action action;
  Guard guard = Guard::kNone;
  int successor = -1;
};

// One step of a plan of raft.tla steps (RaftModel::reaches_by_plan): an
// action with its parameters (for Receive(m), any of its handler kinds:
// the one m gets is taken), and when to take it.
struct PlannedStep {
  enum class Take : uint8_t {
    kOnce,           // it must be enabled
    kIfEnabled,      // skipped when it is not
    kUntilReceived,  // Receive(m) again until a copy of m is gone (UpdateTerm, removals, ...)
  };
  Action action;
  Take take = Take::kOnce;
};
using Plan = SmallVector<PlannedStep, 12>;

// The values a guard was false for, in raft.tla's names ("m.mterm = 2,
// currentTerm[s3] = 3"), in state `s` for `action`.
std::string guard_values(Guard guard, const State& s, const Action& action, int servers);

struct Config {
  int servers = 3;
  int values = 1;        // Value == 1..values
  int max_term = 3;      // CONSTRAINT currentTerm[i] <= max_term
  int max_log = 2;       // CONSTRAINT Len(log[i]) <= max_log
  int max_restarts = 1;  // CONSTRAINT restarts <= max_restarts
  int max_copies = 1;    // CONSTRAINT messages[m] <= max_copies
  int max_messages = 2;  // CONSTRAINT BagCardinality(messages) <= max_messages
  // CheckQuorum (Ongaro's thesis §6.2): the leader may step down at any
  // time (whether a quorum answered within a timeout is timing, which
  // this spec, like raft.tla, abstracts away).
  bool check_quorum = false;
  // PreVote (thesis §9.6): a server may learn a newer term from a message
  // this spec has no record of (Action::kUpdateTermFromPreVote).
  bool pre_vote = false;
  // Single-server membership changes (thesis §4.1): every server starts a
  // voter; a leader may add or remove one server at a time.
  bool membership = false;
  // Changes of any number of voters through joint configurations.
  bool joint_consensus = false;
  // Log compaction and InstallSnapshot (the paper's §7): a server's
  // committed prefix becomes a snapshot, which a leader sends to a
  // follower whose next entry it no longer has; a restart recovers the
  // commit index from the snapshot.
  bool snapshots = false;
};

int quorum_size(int servers);
// Whether the servers in `members` (bit i: server i) are a quorum.
bool is_quorum(uint32_t members, int servers);
// Server i's configuration (thesis §4.1: "a server always uses the latest
// configuration in its log, regardless of whether the entry is
// committed"): the voters of its log's last configuration entry, or every
// server.
// The voters, and in a joint configuration the voters being left (else 0).
struct Configuration {
  uint32_t voters = 0;
  uint32_t old_voters = 0;
};
Configuration configuration_of(const Log& log, int servers);
// The configuration in force at `index` of the log: its last
// configuration entry at or before it, or every server.
Configuration configuration_at(const Log& log, int index, int servers);
// Whether no quorum of a configuration a log holding an entry at `index`
// has used since then (the one in force there, and every configuration
// entry after it) is made of servers in `lacking` alone: such a quorum
// could elect a leader without the entry.
bool kept_by_every_later_configuration(const Log& log, int index, uint32_t lacking, int servers);
// A quorum of a configuration: more than half its voters (and, in a joint
// configuration, more than half the voters being left).
bool is_quorum_of(uint32_t members, uint32_t voters);
bool is_quorum_of(uint32_t members, Configuration configuration);
// The index of the log's last configuration entry, or 0.
int configuration_index(const Log& log);

// Max(agreeIndexes) of leader `i` (raft.tla's AdvanceCommitIndex): the
// greatest index of its log stored on a quorum by its matchIndex, or 0.
int highest_agreed_index(const Server& leader, int i, int servers);

// The safety properties, as C++ predicates over a state of `servers`.
bool election_safety(const State& s, int servers);
bool log_matching(const State& s, int servers);
bool leader_completeness(const State& s, int servers);
bool state_machine_safety(const State& s, int servers);
bool committed_entries_kept(const State& s, int servers);
// A leader that stays leader of the same term only appends to its log.
bool leader_append_only(const State& from, const State& to, int servers);

class RaftModel {
 public:
  using State = raft::State;
  using Action = raft::Action;

  // std::invalid_argument when a bound is outside what the state can hold.
  explicit RaftModel(Config config);

  const Config& config() const { return config_; }
  std::vector<State> initial_states() const;
  void successors(const State& s, std::vector<mc::Successor<Action, State>>& out) const;
  // The actions of one server (the receiver, for Receive), and of the
  // network (DuplicateMessage, DropMessage) on one message.
  // With `refused`, also lists the server's actions a guard refused, or a
  // condition sent down another branch (Refusal).
  void server_successors(const State& s, int server, std::vector<mc::Successor<Action, State>>& out,
                         std::vector<Refusal>* refused = nullptr) const;
  void network_successors(const State& s, const Message& m,
                          std::vector<mc::Successor<Action, State>>& out) const;
  bool within_bounds(const State& s) const;
  uint64_t fingerprint(const State& s) const;
  mc::Json state_json(const State& s) const;
  std::string action_label(const Action& a) const;
  std::vector<mc::StateProperty<State>> properties() const;
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const;

  // Whether `to` follows from `from` by at most `max_steps` steps of
  // `server` (and, when `network_message` is given, DuplicateMessage or
  // DropMessage of that message), comparing protocol variables only. An
  // implementation takes in one atomic step what raft.tla splits into
  // several (a vote for itself is a message to itself; a follower truncates
  // and appends while answering), so its steps refine sequences of the
  // spec's steps by the same server.
  //
  // One departure is allowed: raft.tla sets a follower's commitIndex to a
  // request's mcommitIndex even when that lowers it (a stale, reordered
  // request); an implementation keeps it, so a commitIndex that the spec
  // lowered may stay where it was in `from`.
  bool reaches_by_server_steps(const State& from, const State& to, int server, int max_steps,
                               const std::optional<Message>& network_message) const;

  // Takes raft.tla's action `action` in `s` (its kind and parameters; for
  // Receive(m), any of its handler kinds: the one m gets): true with `s`
  // its successor, or false with `s` unchanged when it is not enabled.
  // `scratch` is working space.
  bool take(State& s, const Action& action,
            std::vector<mc::Successor<Action, State>>& scratch) const;

  // Whether `to` follows from `from` by the steps of `plan`, taken as each
  // says, within `max_steps` steps: compared after every step, as
  // reaches_by_server_steps compares. The plan's actions must be steps of
  // `server`, or of the network on the message that search is given; the
  // plan stops where that search would prune. So true here means true
  // there, and false means nothing: that search decides.
  bool reaches_by_plan(const State& from, const State& to, int server, int max_steps,
                       std::span<const PlannedStep> plan) const;

  // Why reaches_by_server_steps is false: the actions it tried for
  // `server`, and the closest attempt with the conjunct of raft.tla that
  // was false there (docs/raft.md, "When a step does not refine the
  // spec"), as text and as JSON fields. `from` and `to` are the abstract
  // states before and after an implementation step.
  mc::StepExplanation explain_server_steps(const State& from, const State& to, int server,
                                           int max_steps,
                                           const std::optional<Message>& network_message) const;

 private:
  void receive(const State& s, const Message& m, std::vector<mc::Successor<Action, State>>& out,
               std::vector<Refusal>* refused) const;

  Config config_;
};

}  // namespace crosscheck::spec::raft
