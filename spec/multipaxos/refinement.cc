#include "spec/multipaxos/refinement.h"

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crosscheck::spec::multipaxos {

using implmp::Command;
using implmp::Vote;
using Kind = PaxosRecord::Kind;

int value_of(const implmp::Config& config, const Command& command) {
  if (command.empty()) return paxos::kNone;
  if (!command.is_request()) return 1;
  return 2 + command.client * config.requests + (command.seq - 1);
}

namespace {

paxos::Config slot_config(const implmp::Config& config) {
  const int values = 1 + config.clients * config.requests;
  if (!(config.replicas <= paxos::kMaxAcceptors && config.max_ballot <= paxos::kMaxBallot &&
        values <= paxos::kMaxValues)) {
    throw std::invalid_argument(
        "the refinement to Paxos.tla takes at most " + std::to_string(paxos::kMaxAcceptors) +
        " replicas, ballots up to " + std::to_string(paxos::kMaxBallot) +
        " and clients * requests up to " + std::to_string(paxos::kMaxValues - 1));
  }
  paxos::Config spec;
  spec.acceptors = config.replicas;
  spec.values = values;
  spec.max_ballot = config.max_ballot;
  return spec;
}

bool subset(const paxos::MessageSet& a, const paxos::MessageSet& b) {
  for (size_t w = 0; w < a.words().size(); ++w) {
    if (a.words()[w] & ~b.words()[w]) return false;
  }
  return true;
}

// Every variable of Paxos.tla only grows: a state on the way from one to
// another lies below the second.
bool below(const paxos::State& a, const paxos::State& b, int acceptors) {
  for (int i = 0; i < acceptors; ++i) {
    if (a.max_bal[i] > b.max_bal[i] || a.max_vbal[i] > b.max_vbal[i]) return false;
  }
  return subset(a.msgs, b.msgs);
}

}  // namespace

SlotRefinement::SlotRefinement(const implmp::Config& config)
    : config_(config), spec_(slot_config(config)) {}

paxos::State SlotRefinement::slot_state(std::span<const Vote> votes,
                                        std::span<const PaxosRecord> msgs, int slot) const {
  const paxos::Universe& u = spec_.universe();
  paxos::State p;
  for (int a = 0; a < config_.replicas; ++a) {
    const Vote& vote = votes[a];
    p.max_vbal[a] = vote.ballot;
    p.max_val[a] = static_cast<int8_t>(value_of(config_, vote.command));
    p.max_bal[a] = vote.ballot;
  }
  for (const PaxosRecord& r : msgs) {
    switch (r.kind) {
      case Kind::kPrepare: p.msgs.insert(u.one_a(r.ballot)); break;
      case Kind::kPromised: {
        const PaxosRecord key{Kind::kPromiseVote, r.ballot, static_cast<uint8_t>(slot), r.acceptor,
                              Vote{INT8_MIN, Command{}}};
        const auto at = std::lower_bound(msgs.begin(), msgs.end(), key);
        const bool reported = at != msgs.end() && at->kind == key.kind &&
                              at->ballot == key.ballot && at->slot == key.slot &&
                              at->acceptor == key.acceptor;
        const Vote vote = reported ? at->vote : Vote{};
        p.msgs.insert(u.one_b(r.acceptor, r.ballot, vote.ballot, value_of(config_, vote.command)));
        p.max_bal[r.acceptor] = std::max(p.max_bal[r.acceptor], r.ballot);
        break;
      }
      case Kind::kPromiseVote: break;  // read with its kPromised record
      case Kind::kAccept:
        if (r.slot == slot) p.msgs.insert(u.two_a(r.ballot, value_of(config_, r.vote.command)));
        break;
      case Kind::kAccepted:
        if (r.slot == slot) {
          p.msgs.insert(u.two_b(r.acceptor, r.ballot, value_of(config_, r.vote.command)));
        }
        break;
    }
  }
  return p;
}

bool SlotRefinement::refines(const paxos::State& before, const paxos::State& after) const {
  if (before == after) return true;
  // One implementation step is at most four Paxos.tla steps in a slot: a
  // replica's Prepare to itself is a 1a and its own 1b, and its Accept to
  // itself a 2a and its own 2b; with one replica, a timeout takes all four.
  constexpr int kMaxSpecSteps = 4;
  std::vector<paxos::State> frontier = {before};
  std::vector<mc::Successor<paxos::Action, paxos::State>> successors;
  for (int step = 0; step < kMaxSpecSteps && !frontier.empty(); ++step) {
    std::vector<paxos::State> next;
    for (const paxos::State& s : frontier) {
      successors.clear();
      spec_.successors(s, successors);
      for (const auto& successor : successors) {
        if (successor.state == after) return true;
        if (successor.state == s || !below(successor.state, after, config_.replicas)) continue;
        if (std::find(next.begin(), next.end(), successor.state) == next.end()) {
          next.push_back(successor.state);
        }
      }
    }
    frontier = std::move(next);
  }
  return false;
}

}  // namespace crosscheck::spec::multipaxos
