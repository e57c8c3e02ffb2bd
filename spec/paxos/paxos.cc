#include "spec/paxos/paxos.h"

#include <algorithm>
#include <bit>
#include <memory>
#include <stdexcept>

#include "impl/common/hash.h"

namespace crosscheck::spec::paxos {

Universe::Universe(const Config& config)
    : acceptors_(config.acceptors), values_(config.values), max_ballot_(config.max_ballot) {
  const int ballots = max_ballot_ + 1;
  one_b_base_ = ballots;
  // 1b: acceptor, bal, mbal in -1..max_ballot, mval in None or a value.
  two_a_base_ = one_b_base_ + acceptors_ * ballots * (ballots + 1) * (values_ + 1);
  two_b_base_ = two_a_base_ + ballots * values_;
  size_ = two_b_base_ + acceptors_ * ballots * values_;
}

int Universe::one_b(int a, int b, int mbal, int mval) const {
  const int ballots = max_ballot_ + 1;
  return one_b_base_ + ((a * ballots + b) * (ballots + 1) + (mbal + 1)) * (values_ + 1) + mval;
}

int Universe::two_a(int b, int v) const { return two_a_base_ + b * values_ + (v - 1); }

int Universe::two_b(int a, int b, int v) const {
  return two_b_base_ + (a * (max_ballot_ + 1) + b) * values_ + (v - 1);
}

namespace {

std::vector<uint32_t> majorities(int acceptors) {
  std::vector<uint32_t> quorums;
  for (uint32_t q = 1; q < (1u << acceptors); ++q) {
    if (std::popcount(q) * 2 > acceptors) quorums.push_back(q);
  }
  return quorums;
}

// Phase2a(b, v)'s condition on the 1b messages of ballot b: some quorum Q
// has them from every member, and among those that report a vote, the
// highest-ballot vote is for v (or none reports one).
bool quorum_answered_for(const State& s, const Universe& u, const std::vector<uint32_t>& quorums,
                         int b, int v) {
  for (uint32_t q : quorums) {
    bool all_answered = true;
    int highest = kNoBallot;
    bool v_at_highest = false;
    for (int a = 0; a < u.acceptors() && all_answered; ++a) {
      if (!(q & (1u << a))) continue;
      bool answered = false;
      for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
        for (int mval = 0; mval <= u.values(); ++mval) {
          if (!s.msgs.contains(u.one_b(a, b, mbal, mval))) continue;
          answered = true;
          if (mbal < 0) continue;
          if (mbal > highest) {
            highest = mbal;
            v_at_highest = false;
          }
          if (mbal == highest && mval == v) v_at_highest = true;
        }
      }
      all_answered &= answered;
    }
    if (all_answered && (highest == kNoBallot || v_at_highest)) return true;
  }
  return false;
}

}  // namespace

PaxosModel::PaxosModel(Config config)
    : config_(config),
      universe_(config),
      quorums_(config.quorums.empty() ? majorities(config.acceptors) : config.quorums) {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument(what);
  };
  require(config.acceptors >= 1 && config.acceptors <= kMaxAcceptors,
          "Paxos takes 1.." + std::to_string(kMaxAcceptors) + " acceptors");
  require(config.values >= 1 && config.values <= kMaxValues,
          "Paxos takes 1.." + std::to_string(kMaxValues) + " values");
  require(config.max_ballot >= 0 && config.max_ballot <= kMaxBallot,
          "max ballot is 0.." + std::to_string(kMaxBallot));
  require(universe_.size() <= 512, "the message universe is too large for these bounds");
  const uint32_t all = (1u << config.acceptors) - 1;
  for (uint32_t q : quorums_)
    require(q != 0 && (q & ~all) == 0, "a quorum names an acceptor that does not exist");
  // Closed under permutation exactly when the quorums are all the sets of
  // the sizes they have.
  std::vector<uint32_t> closure;
  for (uint32_t q = 1; q <= all; ++q) {
    for (uint32_t given : quorums_) {
      if (std::popcount(q) == std::popcount(given)) {
        closure.push_back(q);
        break;
      }
    }
  }
  std::vector<uint32_t> sorted = quorums_;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  quorums_symmetric_ = sorted == closure;
}

State PaxosModel::canonical(const State& s) const {
  if (!quorums_symmetric_)
    throw std::invalid_argument("--symmetry: these quorums are not symmetric in the acceptors");
  const Universe& u = universe_;
  const int n = u.acceptors();
  // One acceptor's part of the state as a key: its three variables, then
  // the bits of its 1b and 2b messages.
  struct Part {
    std::vector<uint8_t> key;
    int acceptor;
  };
  std::vector<Part> parts(n);
  for (int a = 0; a < n; ++a) {
    std::vector<uint8_t>& key = parts[a].key;
    parts[a].acceptor = a;
    key = {static_cast<uint8_t>(s.max_bal[a] + 1), static_cast<uint8_t>(s.max_vbal[a] + 1),
           static_cast<uint8_t>(s.max_val[a])};
    for (int b = 0; b <= u.max_ballot(); ++b) {
      for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
        for (int mval = 0; mval <= u.values(); ++mval)
          key.push_back(s.msgs.contains(u.one_b(a, b, mbal, mval)));
      }
      for (int v = 1; v <= u.values(); ++v) key.push_back(s.msgs.contains(u.two_b(a, b, v)));
    }
  }
  std::sort(parts.begin(), parts.end(), [](const Part& x, const Part& y) { return x.key < y.key; });
  State result;
  std::array<int8_t, kMaxAcceptors> to{};
  for (int a = 0; a < n; ++a) to[parts[a].acceptor] = static_cast<int8_t>(a);
  for (int a = 0; a < n; ++a) {
    result.max_bal[to[a]] = s.max_bal[a];
    result.max_vbal[to[a]] = s.max_vbal[a];
    result.max_val[to[a]] = s.max_val[a];
  }
  result.msgs = u.renamed(s.msgs, to);
  return result;
}

MessageSet Universe::renamed(const MessageSet& msgs,
                             const std::array<int8_t, kMaxAcceptors>& to) const {
  // Each acceptor's 1b records are one run of the universe, and so are its
  // 2b records: renaming moves runs.
  auto move_run = [&](MessageSet& result, int from, int to_start, int length) {
    for (int done = 0; done < length; done += 64) {
      const int count = std::min(64, length - done);
      result.insert_range(to_start + done, count, msgs.range(from + done, count));
    }
  };
  MessageSet result;
  move_run(result, 0, 0, one_b_base_);  // the 1a records
  move_run(result, two_a_base_, two_a_base_, two_b_base_ - two_a_base_);
  const int one_b_run = one_b(1, 0, kNoBallot, 0) - one_b(0, 0, kNoBallot, 0);
  const int two_b_run = (max_ballot_ + 1) * values_;
  for (int a = 0; a < acceptors_; ++a) {
    move_run(result, one_b(a, 0, kNoBallot, 0), one_b(to[a], 0, kNoBallot, 0), one_b_run);
    move_run(result, two_b(a, 0, 1), two_b(to[a], 0, 1), two_b_run);
  }
  return result;
}

void PaxosModel::successors(const State& s, std::vector<mc::Successor<Action, State>>& out) const {
  using Kind = Action::Kind;
  const Universe& u = universe_;
  const int n = u.acceptors();
  for (int b = 0; b <= u.max_ballot(); ++b) {
    {  // Phase1a(b)
      State next = s;
      next.msgs.insert(u.one_a(b));
      out.push_back({{Kind::kPhase1a, static_cast<int8_t>(b)}, next});
    }
    for (int v = 1; v <= u.values(); ++v) {  // Phase2a(b, v)
      bool sent = false;
      for (int w = 1; w <= u.values(); ++w) sent |= s.msgs.contains(u.two_a(b, w));
      if (sent) break;
      if (!quorum_answered_for(s, u, quorums_, b, v)) continue;
      State next = s;
      next.msgs.insert(u.two_a(b, v));
      out.push_back({{Kind::kPhase2a, static_cast<int8_t>(b), 0, static_cast<int8_t>(v)}, next});
    }
  }
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b <= u.max_ballot(); ++b) {  // Phase1b(a), one per 1a message
      if (!s.msgs.contains(u.one_a(b)) || b <= s.max_bal[a]) continue;
      State next = s;
      next.max_bal[a] = static_cast<int8_t>(b);
      next.msgs.insert(u.one_b(a, b, s.max_vbal[a], s.max_val[a]));
      out.push_back({{Kind::kPhase1b, static_cast<int8_t>(b), static_cast<int8_t>(a)}, next});
    }
    for (int b = 0; b <= u.max_ballot(); ++b) {  // Phase2b(a), one per 2a message
      if (b < s.max_bal[a]) continue;
      for (int v = 1; v <= u.values(); ++v) {
        if (!s.msgs.contains(u.two_a(b, v))) continue;
        State next = s;
        next.max_bal[a] = static_cast<int8_t>(b);
        next.max_vbal[a] = static_cast<int8_t>(b);
        next.max_val[a] = static_cast<int8_t>(v);
        next.msgs.insert(u.two_b(a, b, v));
        out.push_back({{Kind::kPhase2b, static_cast<int8_t>(b), static_cast<int8_t>(a),
                        static_cast<int8_t>(v)},
                       next});
      }
    }
  }
}

uint64_t PaxosModel::fingerprint(const State& s) const {
  StableHasher hasher;
  uint64_t acceptors = 0;
  for (int a = 0; a < universe_.acceptors(); ++a) {
    acceptors = acceptors << 12 | uint64_t{static_cast<uint8_t>(s.max_bal[a] + 1)} << 8 |
                uint64_t{static_cast<uint8_t>(s.max_vbal[a] + 1)} << 4 |
                static_cast<uint8_t>(s.max_val[a]);
  }
  hasher.add(acceptors);
  // Only the words the universe's records fill: the rest stay 0.
  const auto& words = s.msgs.words();
  for (int w = 0; w < (universe_.size() + 63) / 64; ++w) hasher.add(words[w]);
  return hasher.digest();
}

namespace {

std::string acceptor_name(int a) { return "a" + std::to_string(a + 1); }
std::string value_name(int v) { return v == kNone ? "None" : "v" + std::to_string(v); }

}  // namespace

mc::Json PaxosModel::state_json(const State& s) const {
  const Universe& u = universe_;
  mc::Json max_bal = mc::Json::object();
  mc::Json max_vbal = mc::Json::object();
  mc::Json max_val = mc::Json::object();
  for (int a = 0; a < u.acceptors(); ++a) {
    max_bal.set(acceptor_name(a), int{s.max_bal[a]});
    max_vbal.set(acceptor_name(a), int{s.max_vbal[a]});
    max_val.set(acceptor_name(a), value_name(s.max_val[a]));
  }
  mc::Json msgs = mc::Json::array();
  for (int b = 0; b <= u.max_ballot(); ++b) {
    if (s.msgs.contains(u.one_a(b))) msgs.push("1a bal " + std::to_string(b));
  }
  for (int a = 0; a < u.acceptors(); ++a) {
    for (int b = 0; b <= u.max_ballot(); ++b) {
      for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
        for (int mval = 0; mval <= u.values(); ++mval) {
          if (s.msgs.contains(u.one_b(a, b, mbal, mval))) {
            msgs.push("1b " + acceptor_name(a) + " bal " + std::to_string(b) + " mbal " +
                      std::to_string(mbal) + " mval " + value_name(mval));
          }
        }
      }
    }
  }
  for (int b = 0; b <= u.max_ballot(); ++b) {
    for (int v = 1; v <= u.values(); ++v) {
      if (s.msgs.contains(u.two_a(b, v)))
        msgs.push("2a bal " + std::to_string(b) + " val " + value_name(v));
    }
  }
  for (int a = 0; a < u.acceptors(); ++a) {
    for (int b = 0; b <= u.max_ballot(); ++b) {
      for (int v = 1; v <= u.values(); ++v) {
        if (s.msgs.contains(u.two_b(a, b, v))) {
          msgs.push("2b " + acceptor_name(a) + " bal " + std::to_string(b) + " val " +
                    value_name(v));
        }
      }
    }
  }
  mc::Json json = mc::Json::object();
  json.set("maxBal", std::move(max_bal));
  json.set("maxVBal", std::move(max_vbal));
  json.set("maxVal", std::move(max_val));
  json.set("msgs", std::move(msgs));
  return json;
}

std::string PaxosModel::action_label(const Action& a) const {
  const std::string b = std::to_string(a.ballot);
  switch (a.kind) {
    case Action::Kind::kPhase1a: return "Phase1a(" + b + ")";
    case Action::Kind::kPhase1b: return "Phase1b(" + acceptor_name(a.acceptor) + ") on 1a bal " + b;
    case Action::Kind::kPhase2a: return "Phase2a(" + b + ", " + value_name(a.value) + ")";
    case Action::Kind::kPhase2b:
      return "Phase2b(" + acceptor_name(a.acceptor) + ") on 2a bal " + b + " val " +
             value_name(a.value);
  }
  return "?";
}

bool PaxosModel::voted_for(const State& s, int a, int b, int v) const {
  // A ballot or value outside its type (maxVBal or maxVal of a state that
  // breaks TypeOK) is no vote; its index would name another record.
  if (b < 0 || b > universe_.max_ballot() || v < 1 || v > universe_.values()) return false;
  return s.msgs.contains(universe_.two_b(a, b, v));
}

bool PaxosModel::chosen_at(const State& s, int b, int v) const {
  uint32_t voters = 0;
  for (int a = 0; a < universe_.acceptors(); ++a) {
    if (voted_for(s, a, b, v)) voters |= 1u << a;
  }
  if (voters == 0) return false;
  for (uint32_t q : quorums_) {
    if ((q & voters) == q) return true;
  }
  return false;
}

bool PaxosModel::chosen(const State& s, int v) const {
  for (int b = 0; b <= universe_.max_ballot(); ++b) {
    if (chosen_at(s, b, v)) return true;
  }
  return false;
}

namespace {

template <class F>
bool all_members(uint32_t quorum, int acceptors, F&& f) {
  for (int a = 0; a < acceptors; ++a) {
    if ((quorum & (1u << a)) && !f(a)) return false;
  }
  return true;
}

}  // namespace

bool PaxosModel::shows_safe_at(const State& s, uint32_t q, int b, int v) const {
  const int n = universe_.acceptors();
  auto did_not_vote_at = [&](int a, int d) {
    for (int w = 1; w <= universe_.values(); ++w) {
      if (voted_for(s, a, d, w)) return false;
    }
    return true;
  };
  if (!all_members(q, n, [&](int a) { return s.max_bal[a] >= b; })) return false;
  for (int c = kNoBallot; c <= b - 1; ++c) {
    bool voted_v = c == kNoBallot;
    for (int a = 0; a < n && !voted_v; ++a) voted_v = (q & (1u << a)) && voted_for(s, a, c, v);
    if (!voted_v) continue;
    bool silent = true;
    for (int d = c + 1; d <= b - 1 && silent; ++d) {
      silent = all_members(q, n, [&](int a) { return did_not_vote_at(a, d); });
    }
    if (silent) return true;
  }
  return false;
}

bool PaxosModel::safe_at(const State& s, int b, int v) const {
  const int n = universe_.acceptors();
  for (int c = 0; c <= b - 1; ++c) {
    // NoneOtherChoosableAt(c, v): some quorum each of whose members voted
    // for v in c or cannot vote in c any more.
    bool none_other = false;
    for (uint32_t q : quorums_) {
      none_other = all_members(q, n, [&](int a) {
        if (voted_for(s, a, c, v)) return true;
        if (s.max_bal[a] <= c) return false;
        for (int w = 1; w <= universe_.values(); ++w) {
          if (voted_for(s, a, c, w)) return false;
        }
        return true;
      });
      if (none_other) break;
    }
    if (!none_other) return false;
  }
  return true;
}

bool PaxosModel::type_ok(const State& s) const {
  const Universe& u = universe_;
  for (int a = 0; a < u.acceptors(); ++a) {
    if (s.max_bal[a] < kNoBallot || s.max_bal[a] > u.max_ballot()) return false;
    if (s.max_vbal[a] < kNoBallot || s.max_vbal[a] > u.max_ballot()) return false;
    if (s.max_val[a] < kNone || s.max_val[a] > u.values()) return false;
  }
  return s.msgs.none_from(u.size());  // no record outside the universe
}

bool PaxosModel::agreement(const State& s) const {
  int chosen_values = 0;
  for (int v = 1; v <= universe_.values(); ++v) chosen_values += chosen(s, v);
  return chosen_values <= 1;
}

bool PaxosModel::validity(const State& s) const {
  for (int v = 1; v <= universe_.values(); ++v) {
    if (!chosen(s, v)) continue;
    bool proposed = false;
    for (int b = 0; b <= universe_.max_ballot(); ++b)
      proposed |= s.msgs.contains(universe_.two_a(b, v));
    if (!proposed) return false;
  }
  return true;
}

bool PaxosModel::inv_conjunct(const State& s, int conjunct) const {
  const Universe& u = universe_;
  const int n = u.acceptors();
  switch (conjunct) {
    case 1: return type_ok(s);
    case 2:  // an acceptor's (maxVBal, maxVal) is one of its votes, or (-1, None)
      for (int a = 0; a < n; ++a) {
        if (s.max_vbal[a] == kNoBallot ? s.max_val[a] != kNone
                                       : !voted_for(s, a, s.max_vbal[a], s.max_val[a])) {
          return false;
        }
      }
      return true;
    case 3: {  // 1b messages report a promise kept and a vote cast
      // One (a, b)'s 1b records are adjacent, (mbal, mval) in order.
      const int reports = (u.max_ballot() + 2) * (u.values() + 1);
      for (int a = 0; a < n; ++a) {
        for (int b = 0; b <= u.max_ballot(); ++b) {
          uint64_t sent = s.msgs.range(u.one_b(a, b, kNoBallot, kNone), reports);
          if (sent == 0) continue;
          if (s.max_bal[a] < b) return false;
          for (; sent != 0; sent &= sent - 1) {
            const int report = std::countr_zero(sent);
            const int mbal = report / (u.values() + 1) - 1;
            const int mval = report % (u.values() + 1);
            if (mbal >= 0 && (mval == kNone || !voted_for(s, a, mbal, mval))) return false;
          }
        }
      }
      return true;
    }
    case 4:  // 2a messages are safe, and one per ballot
      for (int b = 0; b <= u.max_ballot(); ++b) {
        for (int v = 1; v <= u.values(); ++v) {
          if (!s.msgs.contains(u.two_a(b, v))) continue;
          bool shown = false;
          for (uint32_t q : quorums_) shown = shown || shows_safe_at(s, q, b, v);
          if (!shown) return false;
          for (int w = 1; w <= u.values(); ++w) {
            if (w != v && s.msgs.contains(u.two_a(b, w))) return false;
          }
        }
      }
      return true;
    case 5:  // V!Inv: votes are safe, and one value per ballot
      for (int a = 0; a < n; ++a) {
        for (int b = 0; b <= u.max_ballot(); ++b) {
          for (int v = 1; v <= u.values(); ++v) {
            if (!voted_for(s, a, b, v)) continue;
            if (!safe_at(s, b, v)) return false;
            for (int a2 = 0; a2 < n; ++a2) {
              for (int w = 1; w <= u.values(); ++w) {
                if (w != v && voted_for(s, a2, b, w)) return false;
              }
            }
          }
        }
      }
      return true;
  }
  return false;
}

bool PaxosModel::strengthening_conjunct(const State& s, int conjunct) const {
  const Universe& u = universe_;
  for (int a = 0; a < u.acceptors(); ++a) {
    if (conjunct == 6 && s.max_bal[a] < s.max_vbal[a]) return false;
    for (int b = 0; b <= u.max_ballot(); ++b) {
      for (int v = 1; v <= u.values(); ++v) {
        if (!voted_for(s, a, b, v)) continue;
        if (conjunct == 7 && s.max_vbal[a] < b) return false;
        if (conjunct == 8 && !s.msgs.contains(u.two_a(b, v))) return false;
      }
      if (conjunct != 9) continue;
      for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
        for (int mval = kNone; mval <= u.values(); ++mval) {
          if (!s.msgs.contains(u.one_b(a, b, mbal, mval))) continue;
          for (int c = mbal + 1; c < b; ++c) {
            for (int v = 1; v <= u.values(); ++v) {
              if (voted_for(s, a, c, v)) return false;
            }
          }
        }
      }
    }
  }
  return conjunct >= 6 && conjunct <= 9;
}

bool PaxosModel::inv(const State& s) const {
  for (int conjunct = 1; conjunct <= 5; ++conjunct) {
    if (!inv_conjunct(s, conjunct)) return false;
  }
  return true;
}

std::vector<mc::StateProperty<State>> PaxosModel::properties() const {
  // A copy shared by the properties: they may outlive this model.
  const auto self = std::make_shared<const PaxosModel>(*this);
  auto some_value_chosen = [self](const State& s) {
    for (int v = 1; v <= self->universe_.values(); ++v) {
      if (self->chosen(s, v)) return true;
    }
    return false;
  };
  return {
      mc::always<State>("TypeOK", [self](const State& s) { return self->type_ok(s); }),
      mc::always<State>("Agreement", [self](const State& s) { return self->agreement(s); }),
      mc::always<State>("Validity", [self](const State& s) { return self->validity(s); }),
      mc::always<State>("Inv", [self](const State& s) { return self->inv(s); }),
      mc::sometimes<State>("ValueChosen", some_value_chosen),
      mc::sometimes<State>("VoteInALaterBallot",
                           [self](const State& s) {
                             for (int a = 0; a < self->universe_.acceptors(); ++a) {
                               if (s.max_vbal[a] > 0) return true;
                             }
                             return false;
                           }),
  };
}

}  // namespace crosscheck::spec::paxos
