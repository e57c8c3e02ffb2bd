#pragma once

#include <compare>
#include <cstdint>

#include "impl/twophase/messages.h"

namespace crosscheck::impl::twophase {

enum class RmStatus : uint8_t { kWorking, kPrepared, kCommitted, kAborted };
enum class RmVote : uint8_t { kNone, kYes, kNo };

std::string_view to_string(RmStatus status);
std::string_view to_string(RmVote vote);

// A resource manager: votes on the transaction and applies the TM's
// decision. Its log (status and vote) survives a crash; it has no volatile
// state beyond its timer, which the environment holds.
class ResourceManager {
 public:
  struct Log {
    RmStatus status = RmStatus::kWorking;
    RmVote vote = RmVote::kNone;
    auto operator<=>(const Log&) const = default;
  };

  ResourceManager() = default;
  explicit ResourceManager(const Config& config) : variant_(config.variant) {}

  void on_message(NodeId from, const Message& message, TwoPhaseOutbox& out);
  void on_timeout(Timer timer, TwoPhaseOutbox& out);
  // The RM decides on its own to abort before it has voted (TwoPhase.tla's
  // RMChooseToAbort). Only enabled while working.
  bool can_abort_on_its_own() const { return log_.status == RmStatus::kWorking; }
  void abort_on_its_own(TwoPhaseOutbox& out);
  // Crash and recovery: everything but the log is lost.
  void restart(TwoPhaseOutbox& out);

  RmStatus status() const { return log_.status; }
  RmVote vote() const { return log_.vote; }
  const Log& log() const { return log_; }

  bool operator==(const ResourceManager&) const = default;
  auto operator<=>(const ResourceManager&) const = default;
  void hash(StableHasher& hasher) const { hasher.add(log_.status).add(log_.vote); }

 private:
  void vote_yes(TwoPhaseOutbox& out);
  void finish(RmStatus outcome, TwoPhaseOutbox& out);
  void check_step(const Log& before) const;

  Variant variant_ = Variant::kCorrect;
  Log log_;
};

}  // namespace crosscheck::impl::twophase
