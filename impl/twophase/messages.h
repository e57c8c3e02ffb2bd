// Messages, timers and configuration of the two-phase commit implementation:
// one transaction manager (node 0) and resource managers 1..rm_count.
#pragma once

#include <compare>
#include <cstdint>
#include <string_view>

#include "impl/common/hash.h"
#include "impl/common/outbox.h"

namespace crosscheck::impl::twophase {

constexpr NodeId kTransactionManager = 0;
// Vote and acknowledgement sets are bit masks over RMs.
constexpr int kMaxResourceManagers = 16;

enum class MessageKind : uint8_t {
  kPrepare,  // TM -> RM: vote on the transaction
  kVoteYes,  // RM -> TM: prepared; also sent again as "what was decided?"
  kVoteNo,   // RM -> TM: aborted on its own before voting
  kCommit,   // TM -> RM: the decision
  kAbort,    // TM -> RM: the decision
  kAck,      // RM -> TM: the decision is applied
};

struct Message {
  MessageKind kind;
  auto operator<=>(const Message&) const = default;
  void hash(StableHasher& hasher) const { hasher.add(kind); }
};

std::string_view to_string(MessageKind kind);

enum class Timer : uint8_t {
  kVoteCollection,  // TM: votes are overdue; decide abort
  kDecisionResend,  // TM: resend the decision to RMs that have not acknowledged
  kDecisionWait,    // RM: prepared and no decision yet; ask the TM again
};

std::string_view to_string(Timer timer);

// Known-buggy variants. Each breaks atomic commitment in a way the checker
// must catch.
enum class Variant : uint8_t {
  kCorrect,
  // A prepared RM gives up waiting and aborts on its own: the classic
  // misunderstanding of "blocking" in two-phase commit.
  kRmTimeoutAbort,
  // The TM commits as soon as a majority voted yes, as if 2PC were a quorum
  // protocol.
  kTmMajorityCommit,
  // The TM sends its decision without logging it first; after a restart it
  // presumes abort although it may have sent commit.
  kTmUnloggedDecision,
};

struct Config {
  int rm_count = 3;
  Variant variant = Variant::kCorrect;
};

using TwoPhaseOutbox = Outbox<Message, Timer>;

}  // namespace crosscheck::impl::twophase
