// The refinement map from Multi-Paxos (impl/multipaxos) to Paxos.tla
// (spec/paxos), one slot at a time: the replicas are its acceptors, maxVBal
// and maxVal their vote in the slot, maxBal the highest ballot they promised
// in a Promise or voted in there, msgs the slot's records of the Paxos
// messages sent; no-op is value 1, client c's request q value
// 2 + c * requests + (q - 1).
#pragma once

#include <cstdint>
#include <span>

#include "impl/multipaxos/multipaxos.h"
#include "spec/paxos/paxos.h"  // layer: each slot refines single-decree Paxos.tla

namespace crosscheck::spec::multipaxos {

namespace implmp = crosscheck::impl::multipaxos;

// One record of msgs. A Promise is a 1b in every slot: one kPromised
// record, and a kPromiseVote record for each slot in which it reported a
// vote (in the other slots it reported none).
struct PaxosRecord {
  enum class Kind : uint8_t { kPrepare, kPromised, kPromiseVote, kAccept, kAccepted };
  Kind kind = Kind::kPrepare;
  int8_t ballot = 0;
  uint8_t slot = 0;      // kPromiseVote, kAccept, kAccepted
  uint8_t acceptor = 0;  // kPromised, kPromiseVote, kAccepted
  implmp::Vote vote;     // kPromiseVote: the vote reported; kAccept, kAccepted: the
                         // command, in `ballot`
  auto operator<=>(const PaxosRecord&) const = default;
};

// A command's value in Paxos.tla: none (paxos::kNone) for no command.
int value_of(const implmp::Config& config, const implmp::Command& command);

// The map, and Paxos.tla with the constants of one slot.
class SlotRefinement {
 public:
  // std::invalid_argument outside spec/paxos's bounds (at most 5 replicas,
  // ballots 0..3, and clients * requests + 1 values).
  explicit SlotRefinement(const implmp::Config& config);

  const paxos::PaxosModel& spec() const { return spec_; }

  // The state of one slot: votes[r] is replica r's vote in it, msgs the
  // records of every Paxos message sent, sorted.
  paxos::State slot_state(std::span<const implmp::Vote> votes, std::span<const PaxosRecord> msgs,
                          int slot) const;

  // Whether a slot goes from `before` to `after` by a stutter or by one
  // implementation step's Paxos.tla steps.
  bool refines(const paxos::State& before, const paxos::State& after) const;

 private:
  implmp::Config config_;
  paxos::PaxosModel spec_;
};

}  // namespace crosscheck::spec::multipaxos
