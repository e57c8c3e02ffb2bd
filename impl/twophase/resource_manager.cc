#include "impl/twophase/resource_manager.h"

#include "impl/common/assert.h"

namespace crosscheck::impl::twophase {

std::string_view to_string(RmStatus status) {
  switch (status) {
    case RmStatus::kWorking: return "working";
    case RmStatus::kPrepared: return "prepared";
    case RmStatus::kCommitted: return "committed";
    case RmStatus::kAborted: return "aborted";
  }
  return "?";
}

std::string_view to_string(RmVote vote) {
  switch (vote) {
    case RmVote::kNone: return "none";
    case RmVote::kYes: return "yes";
    case RmVote::kNo: return "no";
  }
  return "?";
}

void ResourceManager::on_message(NodeId from, const Message& message, TwoPhaseOutbox& out) {
  CC_ASSERT(from == kTransactionManager);
  const Log before = log_;
  switch (message.kind) {
    case MessageKind::kPrepare:
      if (log_.status == RmStatus::kWorking || log_.status == RmStatus::kPrepared) {
        vote_yes(out);
      } else if (log_.status == RmStatus::kAborted && log_.vote == RmVote::kNo) {
        out.send(kTransactionManager, {MessageKind::kVoteNo});
      }
      // A committed RM, or one aborted by the TM, has nothing to add: the
      // prepare request is a stale duplicate.
      break;
    case MessageKind::kCommit:
      // The TM commits only after every RM voted yes, so a working RM
      // receiving Commit means the TM broke the protocol; applying it keeps
      // the RM faithful to the TM, and the global atomicity check judges.
      if (log_.status != RmStatus::kAborted) finish(RmStatus::kCommitted, out);
      break;
    case MessageKind::kAbort:
      if (log_.status != RmStatus::kCommitted) finish(RmStatus::kAborted, out);
      break;
    case MessageKind::kVoteYes:
    case MessageKind::kVoteNo:
    case MessageKind::kAck: CC_ASSERT(false && "an RM receives only Prepare, Commit and Abort");
  }
  check_step(before);
}

void ResourceManager::vote_yes(TwoPhaseOutbox& out) {
  // The vote is logged before it is sent: a prepared RM must remember its
  // promise across a crash.
  log_.status = RmStatus::kPrepared;
  log_.vote = RmVote::kYes;
  out.send(kTransactionManager, {MessageKind::kVoteYes});
  out.set_timer(Timer::kDecisionWait);
}

void ResourceManager::finish(RmStatus outcome, TwoPhaseOutbox& out) {
  log_.status = outcome;
  out.cancel_timer(Timer::kDecisionWait);
  out.send(kTransactionManager, {MessageKind::kAck});
}

void ResourceManager::on_timeout(Timer timer, TwoPhaseOutbox& out) {
  CC_ASSERT(timer == Timer::kDecisionWait);
  const Log before = log_;
  if (log_.status == RmStatus::kPrepared) {
    if (variant_ == Variant::kRmTimeoutAbort) {
      log_.status = RmStatus::kAborted;
    } else {
      // A prepared RM is blocked until it learns the decision: it may only
      // ask again.
      out.send(kTransactionManager, {MessageKind::kVoteYes});
      out.set_timer(Timer::kDecisionWait);
    }
  }
  check_step(before);
}

void ResourceManager::abort_on_its_own(TwoPhaseOutbox& /*out*/) {
  CC_ASSERT(can_abort_on_its_own());
  const Log before = log_;
  log_.status = RmStatus::kAborted;
  log_.vote = RmVote::kNo;
  check_step(before);
}

void ResourceManager::restart(TwoPhaseOutbox& out) {
  // The log is all that is left; a prepared RM resumes waiting.
  if (log_.status == RmStatus::kPrepared) out.set_timer(Timer::kDecisionWait);
}

// Local invariants, checked on every step: a vote is cast once and never
// changes; committed and aborted are final; prepared means voted yes.
void ResourceManager::check_step(const Log& before) const {
  CC_ASSERT(before.vote == RmVote::kNone || log_.vote == before.vote);
  CC_ASSERT(before.status != RmStatus::kCommitted || log_.status == RmStatus::kCommitted);
  CC_ASSERT(before.status != RmStatus::kAborted || log_.status == RmStatus::kAborted);
  CC_ASSERT(log_.status != RmStatus::kPrepared || log_.vote == RmVote::kYes);
  CC_ASSERT(log_.vote != RmVote::kNo || log_.status == RmStatus::kAborted);
}

}  // namespace crosscheck::impl::twophase
