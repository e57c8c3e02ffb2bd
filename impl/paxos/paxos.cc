#include "impl/paxos/paxos.h"

#include <bit>

#include "impl/common/assert.h"

namespace crosscheck::impl::paxos {

std::string_view to_string(MessageType type) {
  switch (type) {
    case MessageType::kPrepare: return "Prepare";
    case MessageType::kPromise: return "Promise";
    case MessageType::kAccept: return "Accept";
    case MessageType::kAccepted: return "Accepted";
  }
  return "?";
}

void Message::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(type)} | uint64_t{static_cast<uint8_t>(ballot)} << 8 |
             uint64_t{static_cast<uint8_t>(voted_ballot)} << 16 |
             uint64_t{static_cast<uint8_t>(value)} << 24);
}

std::string Message::label() const {
  const std::string b = "ballot " + std::to_string(ballot);
  switch (type) {
    case MessageType::kPrepare: return "Prepare(" + b + ")";
    case MessageType::kPromise:
      return "Promise(" + b +
             (voted_ballot == kNoBallot ? ", no vote)"
                                        : ", voted v" + std::to_string(value) + " in " +
                                              std::to_string(voted_ballot) + ")");
    case MessageType::kAccept: return "Accept(" + b + ", v" + std::to_string(value) + ")";
    case MessageType::kAccepted: return "Accepted(" + b + ", v" + std::to_string(value) + ")";
  }
  return "?";
}

int Config::quorum() const {
  const int majority = acceptors / 2 + 1;
  return variant == Variant::kQuorumOffByOne ? majority - 1 : majority;
}

Proposer::Proposer(NodeId id, const Config& config)
    : id_(id), config_(config), own_value_(static_cast<int8_t>(id + 1)) {
  CC_ASSERT(id >= 0 && id < config.proposers && config.proposers <= kMaxProposers);
}

void Proposer::start(PaxosOutbox& out) { out.set_timer(Timer::kRetry); }

void Proposer::on_timeout(PaxosOutbox& out) {
  // The next ballot it owns: ids are residues modulo the proposer count.
  const int next = ballot_ == kNoBallot ? id_ : ballot_ + config_.proposers;
  if (next > config_.max_ballot) return;  // out of ballots: the timer stays off
  ballot_ = static_cast<int8_t>(next);
  promises_ = 0;
  highest_voted_ballot_ = kNoBallot;
  highest_voted_value_ = kNoValue;
  proposed_ = false;
  for (int a = 0; a < config_.acceptors; ++a)
    out.send(config_.acceptor_id(a), {MessageType::kPrepare, ballot_});
  out.set_timer(Timer::kRetry);
}

void Proposer::rename(const NodeRenaming& renaming) {
  id_ = renaming(id_);
  promises_ = static_cast<uint8_t>(renaming.set_of(promises_, config_.proposers));
}

void Proposer::on_message(NodeId from, const Message& m, PaxosOutbox& out) {
  if (m.type != MessageType::kPromise || m.ballot != ballot_ || proposed_) return;
  promises_ |= static_cast<uint8_t>(1u << config_.acceptor_index(from));
  if (m.voted_ballot > highest_voted_ballot_) {
    highest_voted_ballot_ = m.voted_ballot;
    highest_voted_value_ = m.value;
  }
  if (std::popcount(promises_) < config_.quorum()) return;
  // A value some acceptor of the quorum voted for may have been chosen:
  // propose the one voted for in the highest ballot.
  int8_t value = own_value_;
  if (highest_voted_ballot_ != kNoBallot && config_.variant != Variant::kIgnorePromisedValue) {
    value = highest_voted_value_;
  }
  proposed_ = true;
  for (int a = 0; a < config_.acceptors; ++a) {
    out.send(config_.acceptor_id(a), {MessageType::kAccept, ballot_, kNoBallot, value});
  }
}

void Proposer::restart(PaxosOutbox& out) {
  // The ballot it started is persistent and is never run again: Promises of
  // that ballot may still be in flight, and collecting a different quorum of
  // them could make it propose a second value in one ballot.
  const int8_t ballot = ballot_;
  *this = Proposer(id_, config_);
  ballot_ = ballot;
  proposed_ = true;
  out.set_timer(Timer::kRetry);
}

void Proposer::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(ballot_)} | uint64_t{promises_} << 8 |
             uint64_t{static_cast<uint8_t>(highest_voted_ballot_)} << 16 |
             uint64_t{static_cast<uint8_t>(highest_voted_value_)} << 24 |
             uint64_t{proposed_} << 32);
}

void Acceptor::on_message(NodeId from, const Message& m, PaxosOutbox& out) {
  switch (m.type) {
    case MessageType::kPrepare:
      if (m.ballot > persistent_.max_ballot) {
        persistent_.max_ballot = m.ballot;
        out.send(from, {MessageType::kPromise, m.ballot, persistent_.voted_ballot,
                        persistent_.voted_value});
      }
      break;
    case MessageType::kAccept:
      if (m.ballot >= persistent_.max_ballot || config_.variant == Variant::kAcceptLowerBallot) {
        persistent_ = {m.ballot, m.ballot, m.value};
        out.send(config_.learner_id(), {MessageType::kAccepted, m.ballot, kNoBallot, m.value});
      }
      break;
    case MessageType::kPromise:
    case MessageType::kAccepted: CC_ASSERT(false && "acceptors receive only Prepare and Accept");
  }
}

void Acceptor::restart(PaxosOutbox&) {
  if (config_.variant == Variant::kAcceptorForgets) persistent_ = Persistent{};
}

void Acceptor::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(persistent_.max_ballot)} |
             uint64_t{static_cast<uint8_t>(persistent_.voted_ballot)} << 8 |
             uint64_t{static_cast<uint8_t>(persistent_.voted_value)} << 16);
}

void Learner::on_message(NodeId from, const Message& m, PaxosOutbox&) {
  CC_ASSERT(m.type == MessageType::kAccepted && m.ballot >= 0 && m.ballot < 8);
  const int a = config_.acceptor_index(from);
  accepted_[m.ballot] |= 1u << (a * 4 + m.value);
  int voters = 0;
  for (int acceptor = 0; acceptor < config_.acceptors; ++acceptor) {
    voters += (accepted_[m.ballot] >> (acceptor * 4 + m.value)) & 1u;
  }
  if (voters >= config_.quorum()) learned_ |= static_cast<uint8_t>(1u << (m.value - 1));
}

void Learner::rename(const NodeRenaming& renaming) {
  for (uint32_t& tally : accepted_) {
    uint32_t renamed = 0;
    for (int a = 0; a < config_.acceptors; ++a) {
      const int to = config_.acceptor_index(renaming(config_.acceptor_id(a)));
      renamed |= ((tally >> (a * 4)) & 0xFu) << (to * 4);
    }
    tally = renamed;
  }
}

void Learner::hash(StableHasher& hasher) const {
  for (uint32_t bits : accepted_) hasher.add(uint64_t{bits});
  hasher.add(uint64_t{learned_});
}

}  // namespace crosscheck::impl::paxos
