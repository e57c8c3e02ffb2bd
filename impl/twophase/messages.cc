#include "impl/twophase/messages.h"

namespace crosscheck::impl::twophase {

std::string_view to_string(MessageKind kind) {
  switch (kind) {
    case MessageKind::kPrepare: return "Prepare";
    case MessageKind::kVoteYes: return "VoteYes";
    case MessageKind::kVoteNo: return "VoteNo";
    case MessageKind::kCommit: return "Commit";
    case MessageKind::kAbort: return "Abort";
    case MessageKind::kAck: return "Ack";
  }
  return "?";
}

std::string_view to_string(Timer timer) {
  switch (timer) {
    case Timer::kVoteCollection: return "vote-collection";
    case Timer::kDecisionResend: return "decision-resend";
    case Timer::kDecisionWait: return "decision-wait";
  }
  return "?";
}

}  // namespace crosscheck::impl::twophase
