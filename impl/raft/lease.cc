// Lease-based reads (Ongaro's thesis §6.4.1) and the clock they need.
//
// A leader begins a heartbeat round at its clock reading t0; a follower
// that answers it, with CheckQuorum, ignores vote requests until its own
// clock has moved an election timeout past the moment it heard. Clocks
// run at most `drift` ticks apart from real time over any interval
// (model_check/clocks.h), so no quorum can elect a new leader before real
// time passes t0's moment plus election_timeout - drift, and the leader's
// clock, which may run slow by drift, must stop trusting the lease a
// further drift earlier: at t0 + election_timeout - 2 * drift.
#include <algorithm>

#include "impl/common/assert.h"
#include "impl/raft/node.h"

namespace crosscheck::impl::raft {

uint8_t lease_length(const Config& config) {
  if (!config.lease_reads) return 0;
  CC_ASSERT(config.election_timeout > 0 && config.election_timeout < 64 && config.drift >= 0);
  // etcd refuses ReadOnlyLeaseBased without CheckQuorum; only the variant
  // that shows why runs it so.
  CC_ASSERT(config.check_quorum || config.variant == Variant::kCheckQuorumOffLeaseRead);
  const int margin = config.variant == Variant::kLeaseReadNoDriftMargin ? 0 : 2 * config.drift;
  return static_cast<uint8_t>(std::max(config.election_timeout - margin, 0));
}

bool RaftNode::lease_holds() const {
  return lease_reads_ && volatile_.role == Role::kLeader &&
         clock_.reading < volatile_.read.lease_expiry;
}

// A leader's heartbeats go out once a tick: its heartbeat timer, which a
// heartbeat does not re-arm on a clock (clock_election_timer), is armed
// again as its clock moves.
void RaftNode::on_clock(uint8_t reading, RaftOutbox& out) {
  CC_ASSERT(lease_reads_ && reading >= clock_.reading);
  if (reading > clock_.reading && volatile_.role == Role::kLeader) out.set_timer(Timer::kHeartbeat);
  clock_.reading = reading;
  if (clock_.deadline != 0 && reading >= clock_.deadline) {
    // An election timeout since it last heard from a leader: out of the
    // lease it promised, whether or not its own timer has fired yet
    // (etcd's inLease counts electionElapsed against the election
    // timeout, and campaigns at a randomized timeout at or after it).
    clock_.deadline = 0;
    volatile_.heard_from_leader = false;
    out.set_timer(Timer::kElection);
  }
}

// The deadline counts from the latest reading; a timer the clock had
// already armed is taken back when the deadline moves on.
void RaftNode::clock_election_timer(const RaftOutbox& effects, RaftOutbox& out) {
  CC_ASSERT(lease_reads_);
  for (const auto& send : effects.sends()) out.send(send.to, send.message);
  for (const auto& [timer, armed] : effects.timer_changes()) {
    if (timer != Timer::kElection) {
      armed ? out.set_timer(timer) : out.cancel_timer(timer);
      continue;
    }
    clock_.deadline = armed ? static_cast<uint8_t>(clock_.reading + election_timeout_) : 0;
    out.cancel_timer(Timer::kElection);
  }
}

// A server that restarts cannot know whether it answered a leader's
// heartbeat just before: it keeps that promise, ignoring vote requests
// until its first election timeout.
void RaftNode::restart_on_clock(RaftOutbox& out) {
  RaftOutbox effects;
  restart(effects);
  if (check_quorum_) volatile_.heard_from_leader = true;
  clock_election_timer(effects, out);
}

// A follower in a leader's lease learns a newer term from a leader only.
// A vote request's answer carries the answerer's term (raft.tla's rule):
// taken from a refusal, a newer term would let the next vote request of
// that term past the lease, and a new leader in before it ends. (etcd
// answers vote requests with the request's term instead.)
bool RaftNode::keeps_term_in_lease(const Message& m) const {
  return volatile_.role == Role::kFollower && volatile_.heard_from_leader &&
         m.type != MessageType::kAppendEntriesRequest;
}

// A round per reading of the clock: heartbeats sent at one reading promise
// the same, so they share a round.
void RaftNode::begin_lease_round() {
  ReadIndex& read = volatile_.read;
  const auto round = static_cast<uint8_t>(clock_.reading + 1);
  if (read.lease_round == round) return;
  read.lease_round = round;
  read.lease_acks = static_cast<uint8_t>(1u << id_);
  if (is_quorum(read.lease_acks)) read.lease_expiry = round - 1 + lease_length_;
}

void RaftNode::acknowledge_lease(NodeId from, const Message& m) {
  ReadIndex& read = volatile_.read;
  if (volatile_.role != Role::kLeader || read.lease_round == 0 || m.read_round != read.lease_round)
    return;
  read.lease_acks |= static_cast<uint8_t>(1u << from);
  if (!is_quorum(read.lease_acks)) return;
  const int expiry = read.lease_round - 1 + lease_length_;
  read.lease_expiry = static_cast<uint8_t>(std::max<int>(read.lease_expiry, expiry));
}

// A lease counts only answers that promise to wait out an election
// timeout: not a stale request's refusal.
uint8_t RaftNode::answered_round(const Message& m) const {
  return lease_reads_ && m.term < persistent_.current_term ? 0 : m.read_round;
}

void RaftNode::hash_clock(StableHasher& hasher) const {
  const ReadIndex& read = volatile_.read;
  hasher.add(uint64_t{clock_.reading} | uint64_t{clock_.deadline} << 8 |
             uint64_t{read.lease_round} << 16 | uint64_t{read.lease_acks} << 24 |
             uint64_t{read.lease_expiry} << 32);
}

}  // namespace crosscheck::impl::raft
