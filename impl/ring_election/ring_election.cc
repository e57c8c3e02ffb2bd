#include "impl/ring_election/ring_election.h"

#include "impl/common/assert.h"

namespace crosscheck::impl::ring_election {

std::string_view to_string(MessageKind kind) {
  switch (kind) {
    case MessageKind::kCandidate: return "Candidate";
    case MessageKind::kElected: return "Elected";
  }
  return "?";
}

void Message::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(kind)} | uint64_t{id} << 8);
}

std::string Message::label() const {
  return std::string(to_string(kind)) + "(" + std::to_string(id) + ")";
}

RingNode::RingNode(NodeId self, const Config& config)
    : id_(config.id_of(self)),
      max_id_(config.max_id()),
      predecessor_(config.predecessor(self)),
      successor_(config.successor(self)),
      variant_(config.variant) {
  CC_ASSERT(config.valid());
  CC_ASSERT(self >= 0 && self < config.nodes);
}

void RingNode::start_election(RingOutbox& out) {
  CC_ASSERT(can_start_election());
  join_with_own_candidacy(out);
  check_invariants();
}

void RingNode::on_message(NodeId from, const Message& message, RingOutbox& out) {
  // The ring is unidirectional: a node hears only from its predecessor.
  CC_ASSERT(from == predecessor_);
  CC_ASSERT(message.id >= 1 && message.id <= max_id_);
  switch (message.kind) {
    case MessageKind::kCandidate: on_candidate(message.id, out); break;
    case MessageKind::kElected: on_elected(message.id, out); break;
  }
  check_invariants();
}

void RingNode::on_candidate(uint8_t candidate, RingOutbox& out) {
  if (candidate == id_) {
    // Every other node let the candidacy pass, so no id is larger. A
    // duplicate of it, or one arriving after another leader was learned,
    // changes nothing: the leader, once known, stays.
    if (leader_ == kNoLeader) {
      leader_ = id_;
      out.send(successor_, {MessageKind::kElected, id_});
    }
    return;
  }
  if (candidate > id_ || variant_ == Variant::kForwardAll) {
    participant_ = true;
    out.send(successor_, {MessageKind::kCandidate, candidate});
    return;
  }
  // A smaller id is swallowed. A node not yet running runs in its place,
  // so an election started anywhere reaches the largest id.
  if (!participant_ && variant_ != Variant::kSwallowSilently) join_with_own_candidacy(out);
}

void RingNode::on_elected(uint8_t leader, RingOutbox& out) {
  if (leader == id_) {
    // The announcement went round: every node knows. A leader hears its
    // own announcement only after declaring itself.
    CC_ASSERT(is_leader());
    return;
  }
  // A node forwards the first announcement it hears. A second copy (a
  // duplicate) or a different leader (a broken election) stops here; the
  // global properties judge the latter.
  if (leader_ != kNoLeader) return;
  leader_ = leader;
  out.send(successor_, {MessageKind::kElected, leader});
}

void RingNode::join_with_own_candidacy(RingOutbox& out) {
  participant_ = true;
  out.send(successor_, {MessageKind::kCandidate, id_});
}

void RingNode::check_invariants() const {
  CC_ASSERT(leader_ == kNoLeader || (leader_ >= 1 && leader_ <= max_id_));
  // A leader is declared only after its candidacy passed every node, each
  // of which became a participant then.
  CC_ASSERT(leader_ == kNoLeader || participant_);
}

void RingNode::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{participant_} | uint64_t{leader_} << 8);
}

}  // namespace crosscheck::impl::ring_election
