// The election fragment of raft.tla in Z3 (z3_properties.h): its variables
// and their values, and each action instance as a guard and assignments.
#include <z3++.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "spec/common/z3_ground.h"
#include "spec/raft/z3_encoding.h"
#include "spec/raft/z3_properties.h"

namespace crosscheck::spec::raft::detail {

Layout::Layout(const ElectionBounds& b, unsigned width)
    : n_(b.servers), terms_(b.max_term), width_(width) {
  auto add = [&](MessageType type, int flag) {
    for (int t = 1; t <= terms_; ++t) {
      for (int source = 0; source < n_; ++source) {
        for (int dest = 0; dest < n_; ++dest) {
          const Message m = election_message(type, t, source, dest, flag != 0);
          slot_of_[m] = static_cast<int>(messages_.size());
          messages_.push_back(m);
        }
      }
    }
  };
  add(MessageType::kRequestVoteRequest, 0);
  add(MessageType::kRequestVoteResponse, 0);
  add(MessageType::kRequestVoteResponse, 1);
  add(MessageType::kAppendEntriesRequest, 0);
  add(MessageType::kAppendEntriesResponse, 0);
  add(MessageType::kAppendEntriesResponse, 1);
}

std::string Layout::name(int x) const {
  for (int i = 0; i < n_; ++i) {
    const std::string at = "[" + server_name(i) + "]";
    if (x == term(i)) return "currentTerm" + at;
    if (x == role(i)) return "state" + at;
    if (x == voted(i)) return "votedFor" + at;
    for (int j = 0; j < n_; ++j) {
      if (x == responded(i, j)) return server_name(j) + " \\in votesResponded" + at;
      if (x == granted(i, j)) return server_name(j) + " \\in votesGranted" + at;
    }
  }
  if (x == restarts()) return "restarts";
  for (int t = 1; t <= terms_; ++t) {
    for (int i = 0; i < n_; ++i) {
      if (x == leader(t, i)) return server_name(i) + " \\in leaders[" + std::to_string(t) + "]";
    }
  }
  const Message& m = message(x - slot(0));
  return "messages[" + server_name(m.source) + "->" + server_name(m.dest) + " " + m.label() + "]";
}

Terms symbolic(z3::context& c, const Layout& layout, const std::string& suffix) {
  Terms v;
  for (int x = 0; x < layout.size(); ++x) {
    const std::string name = layout.name(x) + suffix;
    v.push_back(layout.is_bool(x) ? c.bool_const(name.c_str()) : layout.constant(c, name));
  }
  return v;
}

std::vector<int> encode(const Layout& layout, const State& s) {
  const int n = layout.n();
  auto reject = [](const std::string& what) {
    throw std::invalid_argument("outside the election encoding: " + what);
  };
  std::vector<int> values(layout.size(), 0);
  for (int i = 0; i < kMaxServers; ++i) {
    const Server& server = s.servers[i];
    if (i >= n) {
      if (server != Server{}) reject("server " + server_name(i) + " is beyond the cluster");
      continue;
    }
    if (server.current_term < 1 || server.current_term > layout.max_term()) {
      reject("a term past max_term");
    }
    if (!server.log.empty() || server.commit_index != 0) reject("a log entry");
    if (server.voted_for < kNil || server.voted_for >= n) reject("votedFor");
    if ((server.votes_responded | server.votes_granted) >> n) {
      reject("a vote from beyond the cluster");
    }
    for (int j = 0; j < kMaxServers; ++j) {
      if (server.next_index[j] != 1 || server.match_index[j] != 0) {
        reject("nextIndex or matchIndex");
      }
    }
    values[layout.term(i)] = server.current_term;
    values[layout.role(i)] = static_cast<int>(server.role);
    values[layout.voted(i)] = server.voted_for;
    for (int j = 0; j < n; ++j) {
      values[layout.responded(i, j)] = (server.votes_responded >> j) & 1;
      values[layout.granted(i, j)] = (server.votes_granted >> j) & 1;
    }
  }
  values[layout.restarts()] = s.restarts;
  for (int t = 0; t < kHistoryTerms; ++t) {
    const uint8_t leaders = s.history.leaders[t];
    if (leaders == 0) continue;
    if (t < 1 || t > layout.max_term() || leaders >> n) {
      reject("a leader outside the terms or servers");
    }
    for (int i = 0; i < n; ++i) values[layout.leader(t, i)] = (leaders >> i) & 1;
  }
  if (s.history.committed_length != 0) reject("a committed entry");
  for (const Bag::Item& item : s.messages) {
    const int slot = layout.slot_of(item.message);
    if (slot < 0) reject("the message " + item.message.label());
    values[layout.slot(slot)] = item.count;
  }
  return values;
}

State decode(const Layout& layout, const std::vector<int>& values) {
  State s;
  for (int i = 0; i < layout.n(); ++i) {
    Server& server = s.servers[i];
    server.current_term = static_cast<uint8_t>(values[layout.term(i)]);
    server.role = static_cast<Role>(values[layout.role(i)]);
    server.voted_for = static_cast<int8_t>(values[layout.voted(i)]);
    for (int j = 0; j < layout.n(); ++j) {
      server.votes_responded |= static_cast<uint8_t>(values[layout.responded(i, j)] << j);
      server.votes_granted |= static_cast<uint8_t>(values[layout.granted(i, j)] << j);
    }
  }
  s.restarts = static_cast<uint8_t>(values[layout.restarts()]);
  for (int t = 1; t <= layout.max_term(); ++t) {
    for (int i = 0; i < layout.n(); ++i) {
      s.history.leaders[t] |= static_cast<uint8_t>(values[layout.leader(t, i)] << i);
    }
  }
  for (int slot = 0; slot < layout.slots(); ++slot) {
    for (int copy = 0; copy < values[layout.slot(slot)]; ++copy) {
      s.messages.add(layout.message(slot));
    }
  }
  return s;
}

Terms constants(z3::context& c, const Layout& layout, const std::vector<int>& values) {
  Terms out;
  for (int x = 0; x < layout.size(); ++x) {
    out.push_back(layout.is_bool(x) ? c.bool_val(values[x] != 0) : layout.num(c, values[x]));
  }
  return out;
}

std::vector<int> read_values(const z3::model& model, const Layout& layout, const Terms& v) {
  std::vector<int> values;
  for (int x = 0; x < layout.size(); ++x) {
    values.push_back(layout.value_of(ground_int(model.eval(v[x], true))));
  }
  for (int i = 0; i < layout.n(); ++i) {
    const int role = values[layout.role(i)];
    const int voted = values[layout.voted(i)];
    if (values[layout.term(i)] < 1 || values[layout.term(i)] > layout.max_term() ||
        role < kFollower || role > kLeader || voted < kNil || voted >= layout.n()) {
      throw std::logic_error("Z3 returned a server outside TypeOK");
    }
  }
  for (int slot = 0; slot < layout.slots(); ++slot) {
    const int count = values[layout.slot(slot)];
    if (count < 0 || count > 255) {
      throw std::logic_error("Z3 returned a message count outside TypeOK");
    }
  }
  if (values[layout.restarts()] < 0 || values[layout.restarts()] > 255) {
    throw std::logic_error("Z3 returned a restart count outside TypeOK");
  }
  return values;
}

namespace {

class InstanceBuilder {
 public:
  InstanceBuilder(z3::context& c, const Layout& layout, const Terms& v,
                  const ElectionBounds& bounds)
      : c_(c), l_(layout), v_(v), bounds_(bounds), model_(election_config(bounds)) {}

  std::vector<Instance> build() {
    for (int i = 0; i < l_.n(); ++i) server_actions(i);
    for (int slot = 0; slot < l_.slots(); ++slot) message_actions(slot);
    return std::move(out_);
  }

 private:
  z3::expr var(int x) const { return v_[x]; }
  z3::expr term(int i) const { return var(l_.term(i)); }
  z3::expr role(int i) const { return var(l_.role(i)); }
  z3::expr voted(int i) const { return var(l_.voted(i)); }
  z3::expr num(int value) const { return l_.num(c_, value); }
  z3::expr one_if(const z3::expr& condition) const { return z3::ite(condition, num(1), num(0)); }

  void add(Action action, z3::expr guard, std::vector<std::pair<int, z3::expr>> updates) {
    out_.push_back({model_.action_label(action), action, guard, std::move(updates)});
  }

  // Sending a message of the sender's current term: one slot per term.
  void send(std::vector<std::pair<int, z3::expr>>& updates, MessageType type, int sender,
            int source, int dest, bool flag, int from_term) {
    for (int t = from_term; t <= l_.max_term(); ++t) {
      const int x = l_.slot(l_.slot_of(type, t, source, dest, flag));
      updates.emplace_back(x, var(x) + one_if(term(sender) == t));
    }
  }

  void clear_votes(std::vector<std::pair<int, z3::expr>>& updates, int i) {
    for (int j = 0; j < l_.n(); ++j) {
      updates.emplace_back(l_.responded(i, j), c_.bool_val(false));
      updates.emplace_back(l_.granted(i, j), c_.bool_val(false));
    }
  }

  void server_actions(int i) {
    using Kind = Action::Kind;
    const auto id = static_cast<uint8_t>(i);
    {
      std::vector<std::pair<int, z3::expr>> updates{{l_.role(i), num(kFollower)},
                                                    {l_.restarts(), var(l_.restarts()) + 1}};
      clear_votes(updates, i);
      add({Kind::kRestart, id}, c_.bool_val(true), std::move(updates));
    }
    {
      std::vector<std::pair<int, z3::expr>> updates{
          {l_.role(i), num(kCandidate)}, {l_.term(i), term(i) + 1}, {l_.voted(i), num(kNil)}};
      clear_votes(updates, i);
      add({Kind::kTimeout, id}, role(i) == kFollower || role(i) == kCandidate, std::move(updates));
    }
    for (int j = 0; j < l_.n(); ++j) {
      std::vector<std::pair<int, z3::expr>> updates;
      send(updates, MessageType::kRequestVoteRequest, i, i, j, false, 1);
      add({Kind::kRequestVote, id, static_cast<uint8_t>(j)},
          role(i) == kCandidate && !var(l_.responded(i, j)), std::move(updates));
    }
    {
      std::vector<z3::expr> granted;
      for (int j = 0; j < l_.n(); ++j) granted.push_back(var(l_.granted(i, j)));
      std::vector<std::pair<int, z3::expr>> updates{{l_.role(i), num(kLeader)}};
      for (int t = 1; t <= l_.max_term(); ++t) {
        updates.emplace_back(l_.leader(t, i), var(l_.leader(t, i)) || term(i) == t);
      }
      add({Kind::kBecomeLeader, id},
          role(i) == kCandidate && count_of(granted, num(0), num(1)) >= quorum_size(l_.n()),
          std::move(updates));
    }
    // With every log empty no index has a quorum, so AdvanceCommitIndex
    // changes nothing; raft.tla still counts it as a step.
    add({Kind::kAdvanceCommitIndex, id}, role(i) == kLeader, {});
    for (int j = 0; j < l_.n(); ++j) {
      if (j == i) continue;
      std::vector<std::pair<int, z3::expr>> updates;
      send(updates, MessageType::kAppendEntriesRequest, i, i, j, false, 1);
      add({Kind::kAppendEntries, id, static_cast<uint8_t>(j)}, role(i) == kLeader,
          std::move(updates));
    }
  }

  void message_actions(int slot) {
    using Kind = Action::Kind;
    const Message& m = l_.message(slot);
    const int i = m.dest;
    const int j = m.source;
    const int t = m.term;
    const int x = l_.slot(slot);
    const z3::expr present = var(x) > 0;
    const z3::expr consumed = var(x) - 1;
    auto action = [&](Kind kind) {
      Action a{kind, m.dest};
      a.message = m;
      return a;
    };
    add(action(Kind::kUpdateTerm), present && term(i) < t,
        {{l_.term(i), num(t)}, {l_.role(i), num(kFollower)}, {l_.voted(i), num(kNil)}});
    switch (m.type) {
      case MessageType::kRequestVoteRequest: {
        // Every log is empty, so logOk holds.
        const z3::expr unvoted =
            bounds_.buggy ? c_.bool_val(true) : voted(i) == kNil || voted(i) == j;
        const z3::expr grant = term(i) == t && unvoted;
        std::vector<std::pair<int, z3::expr>> updates{
            {l_.voted(i), z3::ite(grant, num(j), voted(i))}, {x, consumed}};
        const int granted_slot =
            l_.slot(l_.slot_of(MessageType::kRequestVoteResponse, t, i, j, true));
        updates.emplace_back(granted_slot, var(granted_slot) + one_if(grant));
        for (int reply_term = t; reply_term <= l_.max_term(); ++reply_term) {
          const int denied_slot =
              l_.slot(l_.slot_of(MessageType::kRequestVoteResponse, reply_term, i, j, false));
          updates.emplace_back(denied_slot,
                               var(denied_slot) + one_if(!grant && term(i) == reply_term));
        }
        add(action(Kind::kHandleRequestVoteRequest), present && term(i) >= t, std::move(updates));
        break;
      }
      case MessageType::kRequestVoteResponse:
      case MessageType::kAppendEntriesResponse: {
        add(action(Kind::kDropStaleResponse), present && term(i) > t, {{x, consumed}});
        std::vector<std::pair<int, z3::expr>> updates{{x, consumed}};
        if (m.type == MessageType::kRequestVoteResponse) {
          updates.emplace_back(l_.responded(i, j), c_.bool_val(true));
          if (m.vote_granted) updates.emplace_back(l_.granted(i, j), c_.bool_val(true));
        }
        // Success sets nextIndex[j] to 1 and matchIndex[j] to 0, failure
        // lowers nextIndex[j] to at least 1: with empty logs, no change.
        add(action(m.type == MessageType::kRequestVoteResponse
                       ? Kind::kHandleRequestVoteResponse
                       : Kind::kHandleAppendEntriesResponse),
            present && term(i) == t, std::move(updates));
        break;
      }
      case MessageType::kAppendEntriesRequest: {
        std::vector<std::pair<int, z3::expr>> reject{{x, consumed}};
        send(reject, MessageType::kAppendEntriesResponse, i, i, j, false, t + 1);
        add(action(Kind::kHandleAppendEntriesRequest), present && term(i) > t, std::move(reject));
        add(action(Kind::kHandleAppendEntriesRequest),
            present && term(i) == t && role(i) == kCandidate, {{l_.role(i), num(kFollower)}});
        // An empty request with prevLogIndex 0 is always "already done".
        const int ok_slot = l_.slot(l_.slot_of(MessageType::kAppendEntriesResponse, t, i, j, true));
        add(action(Kind::kHandleAppendEntriesRequest),
            present && term(i) == t && role(i) == kFollower,
            {{x, consumed}, {ok_slot, var(ok_slot) + 1}});
        break;
      }
      default: break;  // InstallSnapshot: every log is empty, so no snapshot is taken
    }
    add(action(Kind::kDuplicateMessage), present, {{x, var(x) + 1}});
    add(action(Kind::kDropMessage), present, {{x, consumed}});
  }

  z3::context& c_;
  const Layout& l_;
  const Terms& v_;
  const ElectionBounds& bounds_;
  RaftModel model_;
  std::vector<Instance> out_;
};

}  // namespace

std::vector<Instance> election_instances(z3::context& c, const Layout& layout, const Terms& v,
                                         const ElectionBounds& bounds) {
  return InstanceBuilder(c, layout, v, bounds).build();
}

z3::expr constraint(z3::context& c, const Layout& l, const Terms& p, const ElectionBounds& b) {
  std::vector<z3::expr> parts;
  for (int i = 0; i < l.n(); ++i) parts.push_back(p[l.term(i)] <= l.max_term());
  if (b.max_restarts >= 0) parts.push_back(p[l.restarts()] <= b.max_restarts);
  z3::expr in_flight = l.num(c, 0);
  for (int slot = 0; slot < l.slots(); ++slot) {
    if (b.max_copies > 0) parts.push_back(p[l.slot(slot)] <= b.max_copies);
    in_flight = in_flight + p[l.slot(slot)];
  }
  if (b.max_messages > 0) parts.push_back(in_flight <= b.max_messages);
  return all_of(c, parts);
}

z3::expr instance_step(z3::context& c, const Layout& l, const Terms& v, const Terms& p,
                       const Instance& instance, const ElectionBounds& b) {
  std::vector<z3::expr> parts{instance.guard, constraint(c, l, p, b)};
  std::vector<bool> assigned(l.size(), false);
  for (const auto& [x, value] : instance.updates) {
    parts.push_back(p[x] == value);
    assigned[x] = true;
  }
  for (int x = 0; x < l.size(); ++x) {
    if (!assigned[x]) parts.push_back(p[x] == v[x]);
  }
  return all_of(c, parts);
}

z3::expr selector_const(z3::context& c, const std::string& name) {
  return c.bv_const(name.c_str(), kSelectorBits);
}

z3::expr compact_next(z3::context& c, const Layout& l, const Terms& v, const Terms& p,
                      const std::vector<Instance>& instances, const z3::expr& selector,
                      const ElectionBounds& b) {
  std::vector<z3::expr> parts{
      z3::ult(selector, c.bv_val(static_cast<unsigned>(instances.size()), kSelectorBits)),
      constraint(c, l, p, b)};
  Terms next = v;
  for (int a = static_cast<int>(instances.size()) - 1; a >= 0; --a) {
    const z3::expr taken = selector == c.bv_val(a, kSelectorBits);
    parts.push_back(z3::implies(taken, instances[a].guard));
    for (const auto& [x, value] : instances[a].updates) next[x] = z3::ite(taken, value, next[x]);
  }
  for (int x = 0; x < l.size(); ++x) parts.push_back(p[x] == next[x]);
  return all_of(c, parts);
}

z3::expr init_formula(z3::context& c, const Layout& l, const Terms& v) {
  std::vector<z3::expr> parts;
  for (int x = 0; x < l.size(); ++x) {
    if (l.is_bool(x)) {
      parts.push_back(!v[x]);
    } else if (x < l.responded(0, 0) && x % 3 == 0) {
      parts.push_back(v[x] == 1);  // currentTerm
    } else if (x < l.responded(0, 0) && x % 3 == 1) {
      parts.push_back(v[x] == kFollower);
    } else if (x < l.responded(0, 0)) {
      parts.push_back(v[x] == kNil);
    } else {
      parts.push_back(v[x] == 0);  // restarts, message counts
    }
  }
  return all_of(c, parts);
}

std::vector<std::vector<z3::expr>> leaders_of(const Layout& l, const Terms& v) {
  std::vector<std::vector<z3::expr>> leader;
  for (int t = 1; t <= l.max_term(); ++t) {
    leader.emplace_back();
    for (int i = 0; i < l.n(); ++i) leader.back().push_back(v[l.leader(t, i)]);
  }
  return leader;
}

}  // namespace crosscheck::spec::raft::detail
