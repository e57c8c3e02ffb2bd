#pragma once

#include <compare>
#include <cstdint>

#include "impl/common/node_renaming.h"
#include "impl/twophase/messages.h"

namespace crosscheck::impl::twophase {

enum class Decision : uint8_t { kNone, kCommit, kAbort };
std::string_view to_string(Decision decision);

// The transaction manager: asks every RM to prepare, commits when all voted
// yes, aborts on a no vote or a timeout, and resends its decision until
// every RM has acknowledged it. The decision is logged before it is sent
// (except in the kTmUnloggedDecision variant), so a restarted TM resends
// the same decision; a TM that restarts undecided presumes abort.
class TransactionManager {
 public:
  struct Log {
    Decision decision = Decision::kNone;
    auto operator<=>(const Log&) const = default;
  };
  struct Volatile {
    uint32_t yes_votes = 0;  // bit r-1 set: RM r voted yes
    uint32_t acks = 0;       // bit r-1 set: RM r acknowledged the decision
    // Where kTmUnloggedDecision keeps its decision: lost on restart.
    Decision unlogged_decision = Decision::kNone;
    auto operator<=>(const Volatile&) const = default;
  };

  TransactionManager() = default;
  explicit TransactionManager(const Config& config);

  // Begins the protocol: the prepare requests go out.
  void start(TwoPhaseOutbox& out);
  void on_message(NodeId from, const Message& message, TwoPhaseOutbox& out);
  void on_timeout(Timer timer, TwoPhaseOutbox& out);
  void restart(TwoPhaseOutbox& out);
  // The same TM with the RMs renamed (symmetry reduction): whose votes and
  // acknowledgements it holds.
  void rename(const NodeRenaming& renaming) {
    volatile_.yes_votes = renaming.set_of(volatile_.yes_votes, 1);
    volatile_.acks = renaming.set_of(volatile_.acks, 1);
  }

  // The decision as the TM knows it now (logged or, in the buggy variant, not).
  Decision decision() const;
  const Log& log() const { return log_; }
  const Volatile& volatile_state() const { return volatile_; }

  bool operator==(const TransactionManager&) const = default;
  auto operator<=>(const TransactionManager&) const = default;
  void hash(StableHasher& hasher) const {
    hasher.add(log_.decision).add(uint64_t{volatile_.yes_votes}).add(uint64_t{volatile_.acks});
    hasher.add(volatile_.unlogged_decision);
  }

 private:
  bool ready_to_commit() const;
  void decide(Decision decision, TwoPhaseOutbox& out);
  void send_decision(NodeId rm, TwoPhaseOutbox& out) const;
  uint32_t all_rms() const { return (rm_count_ >= 32 ? ~0u : (1u << rm_count_) - 1); }
  static uint32_t bit(NodeId rm) { return 1u << (rm - 1); }
  void check_local_invariants() const;

  int rm_count_ = 0;
  Variant variant_ = Variant::kCorrect;
  Log log_;
  Volatile volatile_;
};

}  // namespace crosscheck::impl::twophase
