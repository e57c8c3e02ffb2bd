#include "impl/twophase/transaction_manager.h"

#include <bit>

#include "impl/common/assert.h"

namespace crosscheck::impl::twophase {

std::string_view to_string(Decision decision) {
  switch (decision) {
    case Decision::kNone: return "none";
    case Decision::kCommit: return "commit";
    case Decision::kAbort: return "abort";
  }
  return "?";
}

TransactionManager::TransactionManager(const Config& config)
    : rm_count_(config.rm_count), variant_(config.variant) {
  CC_ASSERT(config.rm_count >= 1 && config.rm_count <= kMaxResourceManagers);
}

Decision TransactionManager::decision() const {
  return log_.decision != Decision::kNone ? log_.decision : volatile_.unlogged_decision;
}

void TransactionManager::start(TwoPhaseOutbox& out) {
  CC_ASSERT(decision() == Decision::kNone);
  for (NodeId rm = 1; rm <= rm_count_; ++rm) out.send(rm, {MessageKind::kPrepare});
  out.set_timer(Timer::kVoteCollection);
}

bool TransactionManager::ready_to_commit() const {
  if (variant_ == Variant::kTmMajorityCommit)
    return std::popcount(volatile_.yes_votes) * 2 > rm_count_;
  return volatile_.yes_votes == all_rms();
}

void TransactionManager::on_message(NodeId from, const Message& message, TwoPhaseOutbox& out) {
  CC_ASSERT(from >= 1 && from <= rm_count_);
  const Log before = log_;
  switch (message.kind) {
    case MessageKind::kVoteYes:
      if (decision() == Decision::kNone) {
        volatile_.yes_votes |= bit(from);
        if (ready_to_commit()) decide(Decision::kCommit, out);
      } else {
        // A prepared RM asking again: it missed the decision.
        send_decision(from, out);
      }
      break;
    case MessageKind::kVoteNo:
      if (decision() == Decision::kNone) {
        decide(Decision::kAbort, out);
      } else {
        send_decision(from, out);
      }
      break;
    case MessageKind::kAck:
      if (decision() != Decision::kNone) {
        volatile_.acks |= bit(from);
        if (volatile_.acks == all_rms()) out.cancel_timer(Timer::kDecisionResend);
      }
      break;
    case MessageKind::kPrepare:
    case MessageKind::kCommit:
    case MessageKind::kAbort: CC_ASSERT(false && "the TM receives only votes and acknowledgements");
  }
  CC_ASSERT(before.decision == Decision::kNone || log_.decision == before.decision);
  check_local_invariants();
}

void TransactionManager::on_timeout(Timer timer, TwoPhaseOutbox& out) {
  switch (timer) {
    case Timer::kVoteCollection:
      if (decision() == Decision::kNone) decide(Decision::kAbort, out);
      break;
    case Timer::kDecisionResend:
      CC_ASSERT(decision() != Decision::kNone);
      for (NodeId rm = 1; rm <= rm_count_; ++rm) {
        if ((volatile_.acks & bit(rm)) == 0) send_decision(rm, out);
      }
      out.set_timer(Timer::kDecisionResend);
      break;
    case Timer::kDecisionWait: CC_ASSERT(false && "decision-wait is an RM timer");
  }
  check_local_invariants();
}

void TransactionManager::decide(Decision decision, TwoPhaseOutbox& out) {
  CC_ASSERT(this->decision() == Decision::kNone && decision != Decision::kNone);
  if (variant_ == Variant::kTmUnloggedDecision) {
    volatile_.unlogged_decision = decision;
  } else {
    log_.decision = decision;  // logged before any message leaves
  }
  out.cancel_timer(Timer::kVoteCollection);
  for (NodeId rm = 1; rm <= rm_count_; ++rm) send_decision(rm, out);
  out.set_timer(Timer::kDecisionResend);
}

void TransactionManager::send_decision(NodeId rm, TwoPhaseOutbox& out) const {
  out.send(rm, {decision() == Decision::kCommit ? MessageKind::kCommit : MessageKind::kAbort});
}

void TransactionManager::restart(TwoPhaseOutbox& out) {
  volatile_ = Volatile{};
  if (log_.decision != Decision::kNone) {
    // The votes are lost but the decision is not: tell every RM again.
    for (NodeId rm = 1; rm <= rm_count_; ++rm) send_decision(rm, out);
    out.set_timer(Timer::kDecisionResend);
  } else {
    // Presumed abort: the votes collected before the crash are gone, and
    // no RM can have been told to commit.
    decide(Decision::kAbort, out);
  }
  check_local_invariants();
}

void TransactionManager::check_local_invariants() const {
  CC_ASSERT((volatile_.yes_votes & ~all_rms()) == 0);
  CC_ASSERT((volatile_.acks & ~all_rms()) == 0);
  CC_ASSERT(log_.decision == Decision::kNone || volatile_.unlogged_decision == Decision::kNone);
  CC_ASSERT(volatile_.acks == 0 || decision() != Decision::kNone);
}

}  // namespace crosscheck::impl::twophase
