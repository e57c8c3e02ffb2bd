// Lamport's Paxos.tla (tlaplus/Examples, specifications/Paxos) as an
// abstract machine with its variables and actions, so that with the same
// constants its reachable states are TLC's:
//   maxBal[a], maxVBal[a], maxVal[a]   per acceptor; initially -1, -1, None
//   msgs                               the set of every message ever sent
// Actions Phase1a(b), Phase1b(a), Phase2a(b, v), Phase2b(a). Ballot is
// 0..max_ballot (MCPaxos's MCBallot), Value is 1..values, Quorum the
// majorities of the acceptors unless given.
//
// msgs is a set of records from a finite universe (the bounds make it
// finite), kept as one bit per possible record.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "model_check/json.h"
#include "model_check/model.h"

namespace crosscheck::spec::paxos {

constexpr int kMaxAcceptors = 5;
constexpr int kMaxBallot = 3;  // ballots 0..kMaxBallot
constexpr int kMaxValues = 3;
constexpr int kNone = 0;  // maxVal's None; values are 1..values
constexpr int kNoBallot = -1;

struct Config {
  int acceptors = 3;
  int values = 2;
  int max_ballot = 1;
  // Each quorum a bit set of acceptors; empty means every majority.
  std::vector<uint32_t> quorums = {};
};

// A set of message records, one bit per record of the bounded universe.
class MessageSet {
 public:
  bool contains(int index) const { return (words_[index / 64] >> (index % 64)) & 1u; }
  void insert(int index) { words_[index / 64] |= uint64_t{1} << (index % 64); }
  // The `count` records from `from` on (count <= 64), as bits.
  uint64_t range(int from, int count) const {
    const int word = from / 64;
    const int shift = from % 64;
    uint64_t bits = words_[word] >> shift;
    if (shift != 0 && shift + count > 64) bits |= words_[word + 1] << (64 - shift);
    return count == 64 ? bits : bits & ((uint64_t{1} << count) - 1);
  }
  // Inserts the records of `bits` (count of them) from `from` on.
  void insert_range(int from, int count, uint64_t bits) {
    const int word = from / 64;
    const int shift = from % 64;
    words_[word] |= bits << shift;
    if (shift != 0 && shift + count > 64) words_[word + 1] |= bits >> (64 - shift);
  }
  const std::array<uint64_t, 8>& words() const { return words_; }
  // Whether every record at `from` or above is absent.
  bool none_from(int from) const {
    const int word = from / 64;
    if (word >= 8) return true;
    if ((words_[word] >> (from % 64)) != 0) return false;
    for (int w = word + 1; w < 8; ++w) {
      if (words_[w] != 0) return false;
    }
    return true;
  }
  auto operator<=>(const MessageSet&) const = default;

 private:
  std::array<uint64_t, 8> words_{};
};

struct State {
  std::array<int8_t, kMaxAcceptors> max_bal{-1, -1, -1, -1, -1};
  std::array<int8_t, kMaxAcceptors> max_vbal{-1, -1, -1, -1, -1};
  std::array<int8_t, kMaxAcceptors> max_val{};  // kNone or 1..values
  MessageSet msgs;
  auto operator<=>(const State&) const = default;
};

struct Action {
  enum class Kind : uint8_t { kPhase1a, kPhase1b, kPhase2a, kPhase2b };
  Kind kind;
  int8_t ballot = 0;    // b, or the ballot of the message a Phase1b/2b takes
  int8_t acceptor = 0;  // a
  int8_t value = 0;     // v
};

// The record universe for one configuration, and the queries the actions
// and properties make of msgs.
class Universe {
 public:
  explicit Universe(const Config& config);
  int acceptors() const { return acceptors_; }
  int values() const { return values_; }
  int max_ballot() const { return max_ballot_; }

  int one_a(int b) const { return b; }
  int one_b(int a, int b, int mbal, int mval) const;
  int two_a(int b, int v) const;
  int two_b(int a, int b, int v) const;
  int size() const { return size_; }
  // msgs with each acceptor a's 1b and 2b records moved to acceptor to[a]
  // (to is a permutation of the acceptors).
  MessageSet renamed(const MessageSet& msgs, const std::array<int8_t, kMaxAcceptors>& to) const;

 private:
  int acceptors_, values_, max_ballot_;
  int one_b_base_, two_a_base_, two_b_base_, size_;
};

class PaxosModel {
 public:
  using State = paxos::State;
  using Action = paxos::Action;

  // std::invalid_argument when the bounds are out of range or a quorum is
  // empty, names an acceptor outside 1..acceptors, or misses another.
  explicit PaxosModel(Config config);

  const Config& config() const { return config_; }
  const Universe& universe() const { return universe_; }
  const std::vector<uint32_t>& quorums() const { return quorums_; }

  std::vector<State> initial_states() const { return {State{}}; }
  void successors(const State& s, std::vector<mc::Successor<Action, State>>& out) const;
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& s) const;
  mc::Json state_json(const State& s) const;
  std::string action_label(const Action& a) const;
  std::vector<mc::StateProperty<State>> properties() const;

  // Acceptor symmetry (MCPaxos's Permutations(Acceptor)): the acceptors
  // sorted by everything that belongs to one acceptor, its variables and
  // its 1b and 2b messages. Sound only when the quorums are closed under
  // permutation (majorities are); the constructor records whether they are.
  State canonical(const State& s) const;
  bool quorums_symmetric() const { return quorums_symmetric_; }

  // Voting's vocabulary over Paxos's state (votes are the 2b messages).
  bool voted_for(const State& s, int a, int b, int v) const;
  bool chosen_at(const State& s, int b, int v) const;
  bool chosen(const State& s, int v) const;
  bool shows_safe_at(const State& s, uint32_t quorum, int b, int v) const;
  bool safe_at(const State& s, int b, int v) const;

  // The properties.
  bool type_ok(const State& s) const;
  bool agreement(const State& s) const;  // at most one value chosen
  bool validity(const State& s) const;   // a chosen value was proposed in a 2a message
  bool inv(const State& s) const;        // Paxos.tla's inductive invariant Inv (with V!Inv)
  // Inv's conjuncts, numbered as in Paxos.tla (1 is TypeOK; 5 is V!Inv).
  bool inv_conjunct(const State& s, int conjunct) const;
  // Inv is not inductive on its own; these four make it so
  // (spec/paxos/z3_properties.h, numbered on from Inv's): 6, an acceptor's
  // maxBal is at least its maxVBal; 7, every vote of an acceptor is at or
  // below its maxVBal; 8, every vote was proposed in a 2a message; 9, an
  // acceptor cast no vote between the one its 1b message reports and the
  // 1b's ballot.
  bool strengthening_conjunct(const State& s, int conjunct) const;

 private:
  Config config_;
  Universe universe_;
  std::vector<uint32_t> quorums_;
  bool quorums_symmetric_ = false;
};

}  // namespace crosscheck::spec::paxos
