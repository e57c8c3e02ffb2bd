#include "spec/raft/raft.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "impl/common/assert.h"

namespace crosscheck::spec::raft {

std::string entry_label(const Entry& entry) {
  std::string text = std::to_string(entry.term) + ":";
  if (!entry.is_configuration()) return text + std::to_string(entry.value);
  auto set = [](uint8_t members) {
    std::string out = "{";
    for (int j = 0; j < 8; ++j) {
      if (members & (1u << j)) out += (out.back() == '{' ? "s" : ",s") + std::to_string(j + 1);
    }
    return out + "}";
  };
  text += set(entry.voters);
  return entry.is_joint() ? text + "&" + set(entry.old_voters) : text;
}

namespace {

mc::Json set_json(uint8_t members, int servers) {
  mc::Json json = mc::Json::array();
  for (int j = 0; j < servers; ++j) {
    if (members & (1u << j)) json.push("s" + std::to_string(j + 1));
  }
  return json;
}

}  // namespace

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kFollower: return "Follower";
    case Role::kCandidate: return "Candidate";
    case Role::kLeader: return "Leader";
  }
  return "?";
}

std::string_view to_string(MessageType type) {
  switch (type) {
    case MessageType::kRequestVoteRequest: return "RequestVoteRequest";
    case MessageType::kRequestVoteResponse: return "RequestVoteResponse";
    case MessageType::kAppendEntriesRequest: return "AppendEntriesRequest";
    case MessageType::kAppendEntriesResponse: return "AppendEntriesResponse";
    case MessageType::kInstallSnapshot: return "InstallSnapshot";
  }
  return "?";
}

std::string_view to_string(Action::Kind kind) {
  using Kind = Action::Kind;
  switch (kind) {
    case Kind::kRestart: return "Restart";
    case Kind::kTimeout: return "Timeout";
    case Kind::kRequestVote: return "RequestVote";
    case Kind::kBecomeLeader: return "BecomeLeader";
    case Kind::kClientRequest: return "ClientRequest";
    case Kind::kAdvanceCommitIndex: return "AdvanceCommitIndex";
    case Kind::kAppendEntries: return "AppendEntries";
    case Kind::kUpdateTerm: return "UpdateTerm";
    case Kind::kHandleRequestVoteRequest: return "HandleRequestVoteRequest";
    case Kind::kHandleRequestVoteResponse: return "HandleRequestVoteResponse";
    case Kind::kDropStaleResponse: return "DropStaleResponse";
    case Kind::kHandleAppendEntriesRequest: return "HandleAppendEntriesRequest";
    case Kind::kHandleAppendEntriesResponse: return "HandleAppendEntriesResponse";
    case Kind::kHandleInstallSnapshotRequest: return "HandleInstallSnapshotRequest";
    case Kind::kDuplicateMessage: return "DuplicateMessage";
    case Kind::kDropMessage: return "DropMessage";
    case Kind::kCheckQuorumStepDown: return "CheckQuorumStepDown";
    case Kind::kUpdateTermFromPreVote: return "UpdateTermFromPreVote";
    case Kind::kChangeMembership: return "ChangeMembership";
    case Kind::kChangeMembershipJoint: return "ChangeMembershipJoint";
    case Kind::kLeaveJoint: return "LeaveJoint";
    case Kind::kCompactLog: return "CompactLog";
    case Kind::kSendSnapshot: return "SendSnapshot";
  }
  return "?";
}

void Message::hash(StableHasher& hasher) const {
  // Two words rather than a mix per field: the refinement check hashes
  // every state its step search meets, and this was most of its time.
  const uint64_t header =
      uint64_t{static_cast<uint8_t>(type)} | uint64_t{term} << 8 | uint64_t{source} << 16 |
      uint64_t{dest} << 24 | uint64_t{last_log_term} << 32 | uint64_t{last_log_index} << 40 |
      uint64_t{vote_granted} << 48 | uint64_t{has_entry} << 49 | uint64_t{success} << 50;
  const uint64_t body = uint64_t{prev_log_index} | uint64_t{prev_log_term} << 8 |
                        uint64_t{entry.term} << 16 | uint64_t{entry.value} << 24 |
                        uint64_t{commit_index} << 32 | uint64_t{match_index} << 40 |
                        uint64_t{entry.voters} << 48 | uint64_t{entry.old_voters} << 56;
  hasher.add(header).add(body);
  if (type != MessageType::kInstallSnapshot) return;
  uint64_t entries = static_cast<uint64_t>(snapshot.length());
  for (int index = 1; index <= snapshot.length(); ++index) {
    const Entry& e = snapshot.at(index);
    entries =
        entries * 0x100000001b3ull ^
        (uint64_t{e.old_voters} << 24 | uint64_t{e.voters} << 16 | uint64_t{e.term} << 8 | e.value);
  }
  hasher.add(entries);
}

std::string Message::label() const {
  const std::string t = "term " + std::to_string(term);
  switch (type) {
    case MessageType::kRequestVoteRequest:
      return "RequestVoteRequest(" + t + ", last log " + std::to_string(last_log_index) + "/" +
             std::to_string(last_log_term) + ")";
    case MessageType::kRequestVoteResponse:
      return std::string("RequestVoteResponse(") + t + (vote_granted ? ", granted)" : ", denied)");
    case MessageType::kAppendEntriesRequest: {
      std::string text = "AppendEntriesRequest(" + t + ", prev " + std::to_string(prev_log_index) +
                         "/" + std::to_string(prev_log_term);
      if (has_entry) text += ", entry " + entry_label(entry);
      return text + ", commit " + std::to_string(commit_index) + ")";
    }
    case MessageType::kAppendEntriesResponse:
      return "AppendEntriesResponse(" + t +
             (success ? ", ok, match " + std::to_string(match_index) : ", failed") + ")";
    case MessageType::kInstallSnapshot: {
      std::string text = "InstallSnapshot(" + t + ", last " + std::to_string(snapshot.length()) +
                         "/" + std::to_string(snapshot.last_term()) + ", entries";
      for (int index = 1; index <= snapshot.length(); ++index)
        text += " " + entry_label(snapshot.at(index));
      return text + ")";
    }
  }
  return "?";
}

mc::Json Message::json() const {
  mc::Json json = mc::Json::object();
  json.set("mtype", std::string(to_string(type)));
  json.set("mterm", int{term});
  switch (type) {
    case MessageType::kRequestVoteRequest:
      json.set("mlastLogTerm", int{last_log_term});
      json.set("mlastLogIndex", int{last_log_index});
      break;
    case MessageType::kRequestVoteResponse: json.set("mvoteGranted", vote_granted); break;
    case MessageType::kAppendEntriesRequest: {
      json.set("mprevLogIndex", int{prev_log_index});
      json.set("mprevLogTerm", int{prev_log_term});
      mc::Json entries = mc::Json::array();
      if (has_entry) {
        mc::Json e = mc::Json::object();
        e.set("term", int{entry.term});
        e.set("value", int{entry.value});
        if (entry.is_configuration()) e.set("voters", set_json(entry.voters, 8));
        if (entry.is_joint()) e.set("old_voters", set_json(entry.old_voters, 8));
        entries.push(std::move(e));
      }
      json.set("mentries", std::move(entries));
      json.set("mcommitIndex", int{commit_index});
      break;
    }
    case MessageType::kAppendEntriesResponse:
      json.set("msuccess", success);
      json.set("mmatchIndex", int{match_index});
      break;
    case MessageType::kInstallSnapshot: {
      json.set("mlastIncludedIndex", snapshot.length());
      json.set("mlastIncludedTerm", int{snapshot.last_term()});
      mc::Json entries = mc::Json::array();
      for (int index = 1; index <= snapshot.length(); ++index)
        entries.push(entry_label(snapshot.at(index)));
      json.set("mdata", std::move(entries));
      break;
    }
  }
  json.set("msource", int{source});
  json.set("mdest", int{dest});
  return json;
}

int Bag::count(const Message& message) const {
  for (const Item& item : items_) {
    if (item.message == message) return item.count;
  }
  return 0;
}

void Bag::add(const Message& message) {
  auto at = std::lower_bound(items_.begin(), items_.end(), message,
                             [](const Item& item, const Message& m) { return item.message < m; });
  if (at != items_.end() && at->message == message) {
    ++at->count;
  } else {
    items_.insert(at, Item{message, 1});
  }
}

void Bag::remove(const Message& message) {
  auto at = std::lower_bound(items_.begin(), items_.end(), message,
                             [](const Item& item, const Message& m) { return item.message < m; });
  CC_ASSERT(at != items_.end() && at->message == message);
  if (--at->count == 0) items_.erase(at);
}

int configuration_index(const Log& log) {
  for (int index = log.length(); index >= 1; --index) {
    if (log.at(index).is_configuration()) return index;
  }
  return 0;
}

Configuration configuration_of(const Log& log, int servers) {
  return configuration_at(log, log.length(), servers);
}

Configuration configuration_at(const Log& log, int index, int servers) {
  for (int k = index; k >= 1; --k) {
    if (log.at(k).is_configuration()) return {log.at(k).voters, log.at(k).old_voters};
  }
  return {(1u << servers) - 1, 0};
}

bool kept_by_every_later_configuration(const Log& log, int index, uint32_t lacking, int servers) {
  if (is_quorum_of(lacking, configuration_at(log, index, servers))) return false;
  for (int k = index + 1; k <= log.length(); ++k) {
    const Entry& e = log.at(k);
    if (e.is_configuration() && is_quorum_of(lacking, Configuration{e.voters, e.old_voters}))
      return false;
  }
  return true;
}

bool is_quorum_of(uint32_t members, Configuration configuration) {
  return is_quorum_of(members, configuration.voters) &&
         (configuration.old_voters == 0 || is_quorum_of(members, configuration.old_voters));
}

bool is_quorum_of(uint32_t members, uint32_t voters) {
  return std::popcount(members & voters) * 2 > std::popcount(voters);
}

int quorum_size(int servers) { return servers / 2 + 1; }

bool is_quorum(uint32_t members, int servers) {
  return std::popcount(members) >= quorum_size(servers);
}

bool election_safety(const State& s, int /*servers*/) {
  for (uint8_t leaders : s.history.leaders) {
    if (std::popcount(leaders) > 1) return false;
  }
  return true;
}

bool log_matching(const State& s, int servers) {
  for (int i = 0; i < servers; ++i) {
    for (int j = i + 1; j < servers; ++j) {
      const Log& a = s.servers[i].log;
      const Log& b = s.servers[j].log;
      const int common = std::min(a.length(), b.length());
      // If the logs agree on the term at some index, they agree on every
      // entry up to it; the longest such index decides.
      for (int index = common; index >= 1; --index) {
        if (a.term_at(index) == b.term_at(index)) {
          if (!a.same_prefix(b, index)) return false;
          break;
        }
      }
    }
  }
  return true;
}

bool leader_completeness(const State& s, int servers) {
  for (int l = 0; l < servers; ++l) {
    const Server& leader = s.servers[l];
    if (leader.role != Role::kLeader) continue;
    for (int index = 1; index <= s.history.committed_length; ++index) {
      const Commitment& c = s.history.committed[index - 1];
      if (leader.current_term <= c.term) continue;
      if (leader.log.length() < index || leader.log.at(index) != c.entry) return false;
    }
  }
  return true;
}

bool state_machine_safety(const State& s, int servers) {
  for (int i = 0; i < servers; ++i) {
    for (int j = i + 1; j < servers; ++j) {
      const Server& a = s.servers[i];
      const Server& b = s.servers[j];
      const int applied =
          std::min({int{a.commit_index}, int{b.commit_index}, a.log.length(), b.log.length()});
      if (!a.log.same_prefix(b.log, applied)) return false;
    }
  }
  return true;
}

// A committed entry stays on a quorum of every later configuration: for
// every log holding it, no quorum of the configuration in force at its
// index, or of a configuration entered after it, lacks it. With every
// server a voter, that is a majority of all holding it.
bool committed_entries_kept(const State& s, int servers) {
  for (int index = 1; index <= s.history.committed_length; ++index) {
    const Entry& entry = s.history.committed[index - 1].entry;
    uint32_t lacking = 0;
    for (int i = 0; i < servers; ++i) {
      const Log& log = s.servers[i].log;
      if (log.length() < index || log.at(index) != entry) lacking |= 1u << i;
    }
    if (lacking == (1u << servers) - 1) return false;  // on no log at all
    for (int i = 0; i < servers; ++i) {
      if (!(lacking & (1u << i)) &&
          !kept_by_every_later_configuration(s.servers[i].log, index, lacking, servers))
        return false;
    }
  }
  return true;
}

bool leader_append_only(const State& from, const State& to, int servers) {
  for (int i = 0; i < servers; ++i) {
    const Server& a = from.servers[i];
    const Server& b = to.servers[i];
    if (a.role != Role::kLeader || b.role != Role::kLeader || a.current_term != b.current_term)
      continue;
    if (b.log.length() < a.log.length() || !a.log.same_prefix(b.log, a.log.length())) return false;
  }
  return true;
}

RaftModel::RaftModel(Config config) : config_(config) {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument(what);
  };
  require(config.servers >= 1 && config.servers <= kMaxServers,
          "Raft takes 1.." + std::to_string(kMaxServers) + " servers");
  require(config.values >= 1 && config.values <= 4, "Raft takes 1..4 client values");
  require(config.max_term >= 1 && config.max_term < kMaxTerm,
          "max term is 1.." + std::to_string(kMaxTerm - 1));
  require(config.max_log >= 0 && config.max_log < kMaxLog,
          "max log is 0.." + std::to_string(kMaxLog - 1));
  require(config.max_restarts >= 0 && config.max_restarts <= 8, "max restarts is 0..8");
  require(config.max_copies >= 1 && config.max_copies <= 8, "max copies is 1..8");
  require(config.max_messages >= 1 && config.max_messages <= 16, "max messages is 1..16");
}

std::vector<State> RaftModel::initial_states() const { return {State{}}; }

bool RaftModel::within_bounds(const State& s) const {
  if (s.restarts > config_.max_restarts) return false;
  for (int i = 0; i < config_.servers; ++i) {
    if (s.servers[i].current_term > config_.max_term) return false;
    if (s.servers[i].log.length() > config_.max_log) return false;
  }
  int in_flight = 0;
  for (const Bag::Item& item : s.messages) {
    if (item.count > config_.max_copies) return false;
    in_flight += item.count;
  }
  return in_flight <= config_.max_messages;
}

uint64_t RaftModel::fingerprint(const State& s) const {
  // Fields packed into words, a mix per word (see Message::hash).
  StableHasher hasher;
  for (int i = 0; i < config_.servers; ++i) {
    const Server& server = s.servers[i];
    hasher.add(uint64_t{server.current_term} | uint64_t{static_cast<uint8_t>(server.role)} << 8 |
               uint64_t{static_cast<uint8_t>(server.voted_for)} << 16 |
               uint64_t{server.commit_index} << 24 | uint64_t{server.votes_responded} << 32 |
               uint64_t{server.votes_granted} << 40 |
               static_cast<uint64_t>(server.log.length()) << 48 |
               uint64_t{server.snapshot_index} << 56);
    uint64_t entries = 0;
    for (int index = 1; index <= server.log.length(); ++index) {
      const Entry& e = server.log.at(index);
      entries = entries << 32 | uint64_t{e.old_voters} << 24 | uint64_t{e.voters} << 16 |
                uint64_t{e.term} << 8 | e.value;
      if (index % 2 == 0 || index == server.log.length()) {
        hasher.add(entries);
        entries = 0;
      }
    }
    uint64_t indexes = 0;
    for (int j = 0; j < config_.servers; ++j)
      indexes = indexes << 12 | uint64_t{server.next_index[j]} << 6 | server.match_index[j];
    hasher.add(indexes);
  }
  hasher.add(static_cast<uint64_t>(s.messages.size()));
  for (const Bag::Item& item : s.messages) {
    item.message.hash(hasher);
    hasher.add(uint64_t{item.count});
  }
  uint64_t leaders = uint64_t{s.restarts};
  for (uint8_t led : s.history.leaders) leaders = leaders << 5 | led;
  hasher.add(leaders);
  hasher.add(uint64_t{s.history.committed_length});
  for (int index = 1; index <= s.history.committed_length; ++index) {
    const Commitment& c = s.history.committed[index - 1];
    hasher.add(uint64_t{c.entry.old_voters} << 32 | uint64_t{c.entry.voters} << 24 |
               uint64_t{c.entry.term} << 16 | uint64_t{c.entry.value} << 8 | c.term);
  }
  return hasher.digest();
}

namespace {

mc::Json log_json(const Log& log) {
  mc::Json json = mc::Json::array();
  for (int index = 1; index <= log.length(); ++index) {
    mc::Json entry = mc::Json::object();
    entry.set("term", int{log.at(index).term});
    entry.set("value", int{log.at(index).value});
    if (log.at(index).is_configuration()) entry.set("voters", set_json(log.at(index).voters, 8));
    if (log.at(index).is_joint()) entry.set("old_voters", set_json(log.at(index).old_voters, 8));
    json.push(std::move(entry));
  }
  return json;
}

}  // namespace

mc::Json RaftModel::state_json(const State& s) const {
  const int n = config_.servers;
  mc::Json servers = mc::Json::object();
  for (int i = 0; i < n; ++i) {
    const Server& server = s.servers[i];
    mc::Json json = mc::Json::object();
    json.set("currentTerm", int{server.current_term});
    json.set("state", std::string(to_string(server.role)));
    json.set("votedFor", server.voted_for == kNil
                             ? mc::Json("Nil")
                             : mc::Json("s" + std::to_string(server.voted_for + 1)));
    json.set("log", log_json(server.log));
    json.set("commitIndex", int{server.commit_index});
    if (server.snapshot_index != 0) json.set("snapshotIndex", int{server.snapshot_index});
    if (server.role == Role::kCandidate) {
      json.set("votesResponded", set_json(server.votes_responded, n));
      json.set("votesGranted", set_json(server.votes_granted, n));
    }
    if (server.role == Role::kLeader) {
      mc::Json next_index = mc::Json::array();
      mc::Json match_index = mc::Json::array();
      for (int j = 0; j < n; ++j) {
        next_index.push(int{server.next_index[j]});
        match_index.push(int{server.match_index[j]});
      }
      json.set("nextIndex", std::move(next_index));
      json.set("matchIndex", std::move(match_index));
    }
    servers.set("s" + std::to_string(i + 1), std::move(json));
  }
  mc::Json messages = mc::Json::array();
  for (const Bag::Item& item : s.messages) {
    std::string text = "s" + std::to_string(item.message.source + 1) + "->s" +
                       std::to_string(item.message.dest + 1) + " " + item.message.label();
    if (item.count > 1) text += " x" + std::to_string(item.count);
    messages.push(text);
  }
  mc::Json committed = mc::Json::array();
  for (int index = 1; index <= s.history.committed_length; ++index) {
    const Commitment& c = s.history.committed[index - 1];
    committed.push(std::to_string(index) + ": " + std::to_string(c.entry.term) + ":" +
                   std::to_string(c.entry.value) + " in term " + std::to_string(c.term));
  }
  mc::Json json = mc::Json::object();
  json.set("servers", std::move(servers));
  json.set("messages", std::move(messages));
  json.set("restarts", int{s.restarts});
  json.set("committed", std::move(committed));
  return json;
}

std::string RaftModel::action_label(const Action& a) const {
  using Kind = Action::Kind;
  const std::string i = "s" + std::to_string(a.server + 1);
  const std::string name(to_string(a.kind));
  switch (a.kind) {
    case Kind::kRestart:
    case Kind::kTimeout:
    case Kind::kBecomeLeader:
    case Kind::kAdvanceCommitIndex:
    case Kind::kCompactLog:
    case Kind::kCheckQuorumStepDown: return name + "(" + i + ")";
    case Kind::kRequestVote:
    case Kind::kSendSnapshot:
    case Kind::kAppendEntries: return name + "(" + i + ", s" + std::to_string(a.peer + 1) + ")";
    case Kind::kClientRequest:
    case Kind::kUpdateTermFromPreVote: return name + "(" + i + ", " + std::to_string(a.value) + ")";
    case Kind::kLeaveJoint: return name + "(" + i + ")";
    case Kind::kChangeMembershipJoint:
    case Kind::kChangeMembership: {
      const std::string voters = entry_label({0, 0, a.value});  // "0:{s1,s2}"
      return name + "(" + i + ", " + voters.substr(voters.find('{')) + ")";
    }
    default:
      return name + "(s" + std::to_string(a.message.source + 1) + "->s" +
             std::to_string(a.message.dest + 1) + " " + a.message.label() + ")";
  }
}

std::vector<mc::StateProperty<State>> RaftModel::properties() const {
  const int n = config_.servers;
  return {
      mc::always<State>("ElectionSafety", [n](const State& s) { return election_safety(s, n); }),
      mc::always<State>("LogMatching", [n](const State& s) { return log_matching(s, n); }),
      mc::always<State>("LeaderCompleteness",
                        [n](const State& s) { return leader_completeness(s, n); }),
      mc::always<State>("StateMachineSafety",
                        [n](const State& s) { return state_machine_safety(s, n); }),
      mc::always<State>("CommittedEntriesKept",
                        [n](const State& s) { return committed_entries_kept(s, n); }),
      mc::sometimes<State>("LeaderElected",
                           [](const State& s) {
                             for (uint8_t leaders : s.history.leaders) {
                               if (leaders != 0) return true;
                             }
                             return false;
                           }),
      mc::sometimes<State>("EntryCommitted",
                           [](const State& s) { return s.history.committed_length > 0; }),
      mc::sometimes<State>("LeadersInTwoTerms",
                           [](const State& s) {
                             int terms = 0;
                             for (uint8_t leaders : s.history.leaders) terms += leaders != 0;
                             return terms >= 2;
                           }),
  };
}

std::vector<mc::TransitionProperty<State, Action>> RaftModel::transition_properties() const {
  const int n = config_.servers;
  return {{"LeaderAppendOnly", [n](const State& from, const Action&, const State& to) {
             return leader_append_only(from, to, n);
           }}};
}

}  // namespace crosscheck::spec::raft
