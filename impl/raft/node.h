// A Raft server as a pure state machine, in the style of etcd-io/raft's
// Step: every input is a method call, every output an effect in the outbox.
//
// Leader election with the election timeout abstracted (the environment may
// fire the timer whenever it is armed), RequestVote with the log
// up-to-date check, AppendEntries with the consistency check and conflict
// truncation, the commit rule (only entries of the leader's current term
// are committed by counting replicas), client requests appended by the
// leader, followers' commit index from the leader, and committed entries
// applied to a small deterministic state machine; and what production
// Rafts add: PreVote, CheckQuorum, leadership transfer, ReadIndex and lease
// reads (lease.cc), membership changes, and log compaction with
// InstallSnapshot (snapshot.cc).
//
// Persistent state (current term, vote, snapshot, log) is a separate type
// from the volatile state; restart() keeps exactly the persistent part and
// restores the state machine from the snapshot. A request
// carries at most one entry, as raft.tla's AppendEntries does, so that an
// implementation step refines a short sequence of spec steps.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "impl/common/hash.h"
#include "impl/common/node_renaming.h"
#include "impl/common/outbox.h"
#include "impl/common/small_vector.h"

namespace crosscheck::impl::raft {

constexpr int kMaxServers = 5;
constexpr int8_t kNoVote = -1;

// A pre-candidate (PreVote, Ongaro's thesis §9.6) is a follower asking
// whether it could win an election before it starts one.
enum class Role : uint8_t { kFollower, kCandidate, kLeader, kPreCandidate };
std::string_view to_string(Role role);

struct Entry {
  uint8_t term = 0;
  uint8_t value = 0;  // the client's command: "write `value`" (see RaftNode::state_machine)
  // A configuration entry (value 0): the voters from this entry on, bit j
  // for server j (thesis §4.1). 0 for a client's command.
  uint8_t voters = 0;
  // A joint configuration (the paper's §6, as etcd's ConfChangeV2 enters
  // one): the voters being left, whose majority counts too; 0 otherwise.
  uint8_t old_voters = 0;
  auto operator<=>(const Entry&) const = default;
  bool is_configuration() const { return voters != 0; }
  bool is_joint() const { return old_voters != 0; }
};

// Logs and applied sequences: inline up to 8 entries, so that copying a
// node does not allocate.
using EntryVector = SmallVector<Entry, 8>;

constexpr int kMaxSnapshotEntries = 6;

// A snapshot (the paper's §7): the state machine's state after the entries
// up to `index`, with the index and term of the last of them. This model's
// state machine keeps its whole input (RaftNode::state_machine), so its
// state is those entries; the configuration in force is the last
// configuration among them. A fixed array rather than a vector keeps
// messages that carry one cheap to copy.
struct Snapshot {
  uint8_t index = 0;
  uint8_t term = 0;
  std::array<Entry, kMaxSnapshotEntries> entries{};  // entries[k]: index k + 1; zero past `index`
  auto operator<=>(const Snapshot&) const = default;
};

enum class MessageType : uint8_t {
  kRequestVoteRequest,
  kRequestVoteResponse,
  kAppendEntriesRequest,
  kAppendEntriesResponse,
  // PreVote (thesis §9.6): raft.tla has no such messages.
  kPreVoteRequest,   // term: the term the sender would campaign in; last log as RequestVote
  kPreVoteResponse,  // term: the request's when granted, else the receiver's; vote_granted
  // Leadership transfer (thesis §3.10): the leader tells its chosen
  // successor, once its log is up to date, to start an election at once.
  kTimeoutNow,
  // The paper's §7: a leader that has compacted away the entries a
  // follower needs sends its snapshot instead; the answer is an
  // AppendEntriesResponse whose match index is the snapshot's.
  kInstallSnapshot,
};
std::string_view to_string(MessageType type);
// "2:1" (term 2, value 1), or "3:{s1,s2}" for a configuration entry.
std::string entry_label(const Entry& entry);
void hash_snapshot(const Snapshot& snapshot, StableHasher& hasher);
void rename_voters(Entry& entry, const NodeRenaming& renaming);
void rename_voters(Snapshot& snapshot, const NodeRenaming& renaming);

// The fields a type does not use stay zero.
struct Message {
  MessageType type = MessageType::kRequestVoteRequest;
  uint8_t term = 0;
  uint8_t last_log_term = 0;   // RequestVoteRequest
  uint8_t last_log_index = 0;  // RequestVoteRequest
  // RequestVoteRequest: the campaign a TimeoutNow started, which a server
  // in a leader's lease (CheckQuorum) does not ignore.
  bool transfer = false;
  bool vote_granted = false;   // RequestVoteResponse
  uint8_t prev_log_index = 0;  // AppendEntriesRequest
  uint8_t prev_log_term = 0;   // AppendEntriesRequest
  bool has_entry = false;      // AppendEntriesRequest
  Entry entry{};               // AppendEntriesRequest
  uint8_t commit_index = 0;    // AppendEntriesRequest
  bool success = false;        // AppendEntriesResponse
  uint8_t match_index = 0;     // AppendEntriesResponse
  // AppendEntries and its response: the leader's ReadIndex round when it
  // sent the request, echoed by the answer (thesis §6.4: the heartbeat
  // round that confirms the leader still leads).
  uint8_t read_round = 0;
  Snapshot snapshot{};  // InstallSnapshot

  auto operator<=>(const Message&) const = default;
  void hash(StableHasher& hasher) const;
  std::string label() const;
};

enum class Timer : uint8_t {
  kElection,   // follower or candidate: no leader heard from; start an election
  kHeartbeat,  // leader: send AppendEntries to every follower
};
std::string_view to_string(Timer timer);

// Known-buggy variants; each breaks a safety property of Raft.
enum class Variant : uint8_t {
  kCorrect,
  // The leader commits an entry of an earlier term once it is on a majority
  // (the Raft paper's Figure 8).
  kCommitOldTerm,
  // A follower forgets its vote when it hears from the leader of its term,
  // and may vote again in that term.
  kForgetVote,
  // Votes are granted without the check that the candidate's log is at
  // least as up to date.
  kNoLogCheck,
  // Current term and vote live in memory only and are lost on restart.
  kVolatileTerm,
  // AppendEntries from an older term is accepted as if it were current.
  kAcceptStaleTerm,
  // With PreVote: a pre-vote request makes its receiver adopt the term it
  // names, so a partitioned server that rejoins disrupts a stable cluster.
  kPreVoteRaisesTerm,
  // ReadIndex without the heartbeat round: a read is answered from the
  // leader's commit index at once, though a newer leader may have
  // committed more since this one was deposed.
  kReadIndexWithoutQuorumRound,
  // A leader starts a membership change before an entry of its own term
  // is committed (the single-server change bug Ongaro reported on
  // raft-dev in 2015): configurations two changes apart may then elect
  // leaders whose quorums do not overlap, and a committed entry is lost.
  kSingleServerChangeUnsafe,
  // A leader leaves a joint configuration at once, in the step that enters
  // it, instead of once it is committed: the old configuration may then
  // still elect a leader whose quorum misses every server of the new.
  kJointLeaveEarly,
  // A follower that receives a snapshot whose last entry its log already
  // holds replaces its whole log with the snapshot, dropping the entries
  // after it, which may be committed ones the leader counted it for.
  kSnapshotDiscardsSuffix,
  // Lease reads in a cluster without CheckQuorum (etcd refuses
  // ReadOnlyLeaseBased without it): a follower that answered the lease's
  // heartbeat still votes at once, so a new leader may commit while the
  // old one still answers reads from its lease.
  kCheckQuorumOffLeaseRead,
  // The lease trusted for the whole election timeout, with no margin for
  // clock drift (thesis §6.4.1 assumes drift is bounded and allows for
  // it): a slow leader clock and fast follower clocks overlap its lease
  // with a new leader's term.
  kLeaseReadNoDriftMargin,
};

struct Config {
  int servers = 3;
  Variant variant = Variant::kCorrect;
  // PreVote (thesis §9.6): an election timeout first asks the others
  // whether they would vote, without raising any term; only a quorum of
  // yeses starts the election.
  bool pre_vote = false;
  // CheckQuorum (thesis §6.2): a leader's election timer stays armed, and
  // when it fires the leader steps down unless a quorum has answered it
  // since the last time; and a leader, or a follower that has heard from
  // one since its election timer last fired, ignores requests for votes of
  // a later term.
  bool check_quorum = false;
  // Lease-based reads (thesis §6.4.1): the node runs on a clock, read
  // through on_clock. Its election timer fires once the clock has moved
  // election_timeout ticks since the timer was armed or the node last
  // heard from a leader; and a leader answers a read at once, without a
  // heartbeat round, until election_timeout - 2 * drift ticks after the
  // start of a heartbeat round a quorum answered. That rests on
  // CheckQuorum: a follower ignores vote requests for an election timeout
  // of its own clock after it last heard from its leader.
  bool lease_reads = false;
  int election_timeout = 0;  // ticks
  int drift = 0;             // how far clocks may disagree with real time, in ticks
};

// The ticks of its own clock a leader trusts a lease from the start of the
// heartbeat round that won it: election_timeout - 2 * drift (lease.cc).
uint8_t lease_length(const Config& config);

using RaftOutbox = Outbox<Message, Timer>;

// What a leader may be asked (the model's inputs): to append `value`, to
// read, to hand its leadership to server `value`, to add or remove server
// `value` (a single-server membership change), or to make `value` the
// voters, through a joint configuration; and what any server may be asked:
// to compact its log.
struct ClientRequest {
  enum class Kind : uint8_t {
    kWrite,
    kRead,
    kTransfer,
    kChangeMembership,
    kJointChange,
    kCompact,  // to any server: replace the committed prefix of its log with a snapshot
  };
  uint8_t value = 0;
  Kind kind = Kind::kWrite;
  auto operator<=>(const ClientRequest&) const = default;
};

// A local invariant the node found broken on a step; kNone while healthy.
enum class LocalViolation : uint8_t {
  kNone,
  kTermDecreased,
  kCommitDecreased,
  kCommitBeyondLog,
};
std::string_view to_string(LocalViolation violation);

// A leader's linearizable read (thesis §6.4, ReadIndex): it notes its
// commit index, confirms with a quorum that it still leads by a round of
// heartbeats sent after the read arrived, and answers from the state
// machine at the noted index. One read at a time.
struct ReadIndex {
  uint8_t round = 0;  // reads begun in this leadership; the heartbeats carry it
  bool pending = false;
  uint8_t index = 0;  // the commit index when the read began: the answer's
  uint8_t acks = 0;   // bit j: server j answered a heartbeat of this round
  // With lease reads: 1 + the clock reading at which the leader began its
  // current heartbeat round (0: none yet), which the heartbeats carry as
  // their read round; the servers that answered it; and the reading from
  // which the lease no longer holds.
  uint8_t lease_round = 0;
  uint8_t lease_acks = 0;
  uint8_t lease_expiry = 0;
  auto operator<=>(const ReadIndex&) const = default;
};

// With lease reads, the node's view of its clock: its latest reading, and
// the reading at which its election timer fires (0: not armed). Both
// outlast a restart: the clock is hardware, and restart re-arms the timer.
struct ElectionClock {
  uint8_t reading = 0;
  uint8_t deadline = 0;
  auto operator<=>(const ElectionClock&) const = default;
};

class RaftNode {
 public:
  struct Persistent {
    uint8_t current_term = 1;
    int8_t voted_for = kNoVote;
    Snapshot snapshot;
    EntryVector log;  // the entries after the snapshot's: log[k] is at index snapshot.index + k + 1
    auto operator<=>(const Persistent&) const = default;
  };

  struct Volatile {
    Role role = Role::kFollower;
    uint8_t commit_index = 0;
    uint8_t votes_responded = 0;  // bit j: server j answered this term's RequestVote
    uint8_t votes_granted = 0;
    uint8_t pre_votes = 0;  // pre-candidate: bit j, server j would vote for it
    // Pre-candidate: it was a candidate of its term when it began to ask
    // (an election timeout of a candidate asks again too, as etcd's does).
    bool asking_as_candidate = false;
    // Leader with CheckQuorum: bit j, server j answered since the last check.
    uint8_t recently_active = 0;
    bool heard_from_leader = false;  // follower: since its election timer last fired
    std::array<uint8_t, kMaxServers> next_index{1, 1, 1, 1, 1};
    std::array<uint8_t, kMaxServers> match_index{};
    // Leader: the server a leadership transfer is handing over to.
    int8_t transferee = kNoVote;
    ReadIndex read;
    // The state machine's input: the entries applied so far, in order.
    EntryVector applied;
    LocalViolation violation = LocalViolation::kNone;
    auto operator<=>(const Volatile&) const = default;
  };

  RaftNode() = default;
  RaftNode(NodeId id, const Config& config);

  void start(RaftOutbox& out);
  void on_message(NodeId from, const Message& message, RaftOutbox& out);
  void on_timeout(Timer timer, RaftOutbox& out);
  // A leader takes writes unless it is handing over its leadership.
  bool accepts_client_requests() const {
    return volatile_.role == Role::kLeader && volatile_.transferee == kNoVote;
  }
  void on_client_request(uint8_t value, RaftOutbox& out);
  // Leadership transfer to `target` (thesis §3.10); the transfer is
  // abandoned if it has not happened by the leader's next election timeout.
  // The target must be a voter, which could then win.
  bool can_transfer_leadership(NodeId target) const {
    return volatile_.role == Role::kLeader && volatile_.transferee == kNoVote && target != id_ &&
           target >= 0 && target < servers_ && is_voter(target);
  }
  void on_transfer_leadership(NodeId target, RaftOutbox& out);
  // A linearizable read: only a leader that has committed an entry of its
  // own term knows its commit index is current (§6.4, step 1). With lease
  // reads, only while its lease holds (a client tries again later).
  bool accepts_reads() const {
    return volatile_.role == Role::kLeader && !volatile_.read.pending &&
           term_at(volatile_.commit_index) == persistent_.current_term &&
           (!lease_reads_ || lease_holds());
  }
  bool lease_holds() const;
  void on_read_request(RaftOutbox& out);
  // A single-server membership change (thesis §4.1): server `target` joins
  // or leaves the voters. One at a time (the latest configuration must be
  // committed), after an entry of the leader's term is committed, and
  // never the leader itself.
  bool can_change_membership(NodeId target) const;
  void on_change_membership(NodeId target, RaftOutbox& out);
  // A change of any number of voters, through the joint configuration
  // C_old,new (the paper's §6): entered like a single-server change, and
  // left by the leader, with an entry of C_new alone, once it is committed.
  // The new voters include the leader and differ from the current in two
  // servers or more (one is a single-server change).
  bool can_change_membership_jointly(uint8_t voters) const;
  void on_joint_change(uint8_t voters, RaftOutbox& out);
  // The latest configuration in the log, committed or not: its voters, and
  // in a joint configuration the voters being left (else 0).
  uint8_t configuration() const;
  uint8_t old_configuration() const;
  // Log compaction (the paper's §7): the applied prefix of the log is
  // replaced by a snapshot of the state machine (of at most
  // kMaxSnapshotEntries entries, this model's capacity).
  bool can_compact() const {
    return volatile_.applied.size() > persistent_.snapshot.index &&
           volatile_.applied.size() <= kMaxSnapshotEntries;
  }
  void on_compact(RaftOutbox& out);
  // Crash and recovery: everything but the persistent state is lost; the
  // state machine is restored from the snapshot.
  void restart(RaftOutbox& out);
  // With lease reads (lease.cc): the clock reads `reading`; an election
  // timer whose deadline it reaches is armed in `out`, for the driver to
  // fire. Every other step's effects go through clock_election_timer,
  // which turns arming and cancelling the election timer into setting and
  // clearing its deadline; and a restart is restart_on_clock.
  void on_clock(uint8_t reading, RaftOutbox& out);
  void clock_election_timer(const RaftOutbox& effects, RaftOutbox& out);
  void restart_on_clock(RaftOutbox& out);
  const ElectionClock& clock() const { return clock_; }
  // The same node with the servers' ids renamed (symmetry reduction): its
  // own id, its vote, the votes it counts and its per-follower indexes.
  void rename(const NodeRenaming& renaming);

  NodeId id() const { return id_; }
  const Persistent& persistent() const { return persistent_; }
  const Volatile& volatile_state() const { return volatile_; }
  Role role() const { return volatile_.role; }
  uint8_t term() const { return persistent_.current_term; }
  // The entries after the snapshot.
  const EntryVector& log() const { return persistent_.log; }
  const Snapshot& snapshot() const { return persistent_.snapshot; }
  // The snapshot's entries and then the log's: the log indexed from 1, as
  // if nothing were compacted (for properties and the refinement map; the
  // node itself never reads a compacted entry).
  EntryVector full_log() const;
  int full_log_length() const { return last_log_index(); }
  // Of full_log(), without the copy: 1 <= index <= full_log_length().
  const Entry& entry_in_full_log(int index) const;
  uint8_t commit_index() const { return volatile_.commit_index; }
  // The replicated state machine: a register per written value, holding the
  // log index of its last write.
  std::map<int, int> state_machine() const;

  bool operator==(const RaftNode&) const = default;
  auto operator<=>(const RaftNode&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  uint8_t last_log_term() const {
    return persistent_.log.empty() ? persistent_.snapshot.term : persistent_.log.back().term;
  }
  uint8_t last_log_index() const {
    return static_cast<uint8_t>(persistent_.snapshot.index + persistent_.log.size());
  }
  // Of an entry not compacted away (index >= the snapshot's).
  const Entry& entry_at(int index) const;
  uint8_t term_at(int index) const;
  bool is_quorum(uint32_t members) const;
  // In the latest configuration's voters (old or new, while joint).
  bool is_voter(NodeId id) const {
    return ((configuration() | old_configuration()) & (1u << id)) != 0;
  }
  bool is_follower_of_mine(NodeId peer) const { return peer != id_ && is_voter(peer); }
  const Entry* configuration_entry(int* index_out) const;
  int configuration_index() const;  // of the latest configuration entry, or 0
  bool may_change_membership() const;
  void leave_joint_if_committed();

  void campaign(RaftOutbox& out, bool transfer = false);
  void pre_campaign(RaftOutbox& out);
  void check_quorum(RaftOutbox& out);
  bool ignores_as_in_lease(const Message& m) const;
  bool log_up_to_date(const Message& request) const;
  void handle_pre_vote(NodeId from, const Message& m, uint8_t term, RaftOutbox& out);
  void handle_pre_vote_response(NodeId from, const Message& m, RaftOutbox& out);
  void become_leader(RaftOutbox& out);
  void become_follower(uint8_t term, RaftOutbox& out);
  void send_append(NodeId to, RaftOutbox& out);
  void handle_request_vote(NodeId from, const Message& m, RaftOutbox& out);
  void handle_vote_response(NodeId from, const Message& m, RaftOutbox& out);
  void handle_append_entries(NodeId from, const Message& m, RaftOutbox& out);
  void handle_append_response(NodeId from, const Message& m, RaftOutbox& out);
  void handle_timeout_now(const Message& m, RaftOutbox& out);
  void send_timeout_now_if_ready(NodeId to, RaftOutbox& out);
  void acknowledge_read(NodeId from, const Message& m);
  void send_snapshot(NodeId to, RaftOutbox& out);
  void handle_install_snapshot(NodeId from, const Message& m, RaftOutbox& out);
  void restore(const Snapshot& snapshot);
  bool follows_sender(NodeId from, const Message& m, const Message& refusal, RaftOutbox& out);
  bool keeps_term_in_lease(const Message& m) const;
  uint8_t answered_round(const Message& m) const;
  void begin_lease_round();
  void acknowledge_lease(NodeId from, const Message& m);
  void hash_clock(StableHasher& hasher) const;
  void step_down_as_leader(RaftOutbox& out);
  void maybe_commit();
  void commit_to(uint8_t index);
  void check_step(const Persistent& before_persistent, uint8_t before_commit);

  NodeId id_ = 0;
  uint8_t servers_ = 1;
  Variant variant_ = Variant::kCorrect;
  bool pre_vote_ = false;
  bool check_quorum_ = false;
  bool lease_reads_ = false;
  uint8_t election_timeout_ = 0;
  uint8_t lease_length_ = 0;  // ticks of its own clock a leader trusts a granted lease
  Persistent persistent_;
  Volatile volatile_;
  ElectionClock clock_;
};

}  // namespace crosscheck::impl::raft
