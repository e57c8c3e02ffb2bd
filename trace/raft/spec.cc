#include "trace/raft/spec.h"

#include <algorithm>
#include <bit>
#include <functional>

namespace crosscheck::trace::raft {

namespace {

size_t mix(size_t hash, uint64_t value) {
  return (hash ^ std::hash<uint64_t>()(value)) * 0x100000001b3ull;
}

std::vector<NodeId> with(std::vector<NodeId> ids, NodeId id) {
  if (!contains(ids, id)) ids.insert(std::upper_bound(ids.begin(), ids.end(), id), id);
  return ids;
}

std::vector<NodeId> without(std::vector<NodeId> ids, NodeId id) {
  std::erase(ids, id);
  return ids;
}

std::string role_name(Role role) { return to_string(role).substr(5); }

}  // namespace

bool contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::binary_search(ids.begin(), ids.end(), id);
}

void put(Bag& bag, MessageId id) {
  auto at = std::lower_bound(bag.begin(), bag.end(), std::make_pair(id, 0u));
  if (at != bag.end() && at->first == id) {
    ++at->second;
  } else {
    bag.insert(at, {id, 1});
  }
}

void take(Bag& bag, MessageId id) {
  auto at = std::lower_bound(bag.begin(), bag.end(), std::make_pair(id, 0u));
  if (at == bag.end() || at->first != id) return;
  if (--at->second == 0) bag.erase(at);
}

size_t MessageStore::Hash::operator()(const SpecMessage& m) const {
  size_t hash = static_cast<size_t>(m.kind) * 7 + static_cast<size_t>(m.subtype) * 3 + m.pre_vote;
  for (uint64_t field :
       {m.term, m.source, m.dest, m.last_log_term, m.last_log_index, uint64_t{m.granted},
        m.prev_log_index, m.prev_log_term, uint64_t{m.entries_end}, m.entry_count, m.commit,
        uint64_t{m.success}, m.match_index}) {
    hash = mix(hash, field);
  }
  return hash;
}

MessageId MessageStore::intern(const SpecMessage& message) {
  auto [at, added] = ids_.emplace(message, static_cast<MessageId>(messages_.size()));
  if (added) messages_.push_back(message);
  return at->second;
}

size_t hash_of(const State& state) {
  size_t hash = 0xcbf29ce484222325ull;
  for (const NodeState& n : state.nodes) {
    for (uint64_t field :
         {n.term, n.voted_for, uint64_t(n.role), uint64_t{n.log}, n.commit, uint64_t{n.config},
          n.votes_responded, n.votes_granted, n.pending_conf_index, uint64_t{n.knows_leader},
          n.durable.term, n.durable.voted_for, n.durable.log_length, n.durable.commit,
          uint64_t{n.durable.config}, n.durable.config_index}) {
      hash = mix(hash, field);
    }
    for (uint64_t match : n.match) hash = mix(hash, match);
  }
  for (const Bag* bag : {&state.messages, &state.pending, &state.unlogged}) {
    hash = mix(hash, bag->size());
    for (const auto& [id, count] : *bag) hash = mix(mix(hash, id), count);
  }
  return hash;
}

Spec::Spec(std::vector<NodeId> nodes) : nodes_(std::move(nodes)) {}

int Spec::position(NodeId node) const {
  auto at = std::lower_bound(nodes_.begin(), nodes_.end(), node);
  return at != nodes_.end() && *at == node ? static_cast<int>(at - nodes_.begin()) : -1;
}

uint64_t Spec::bit(NodeId node) const {
  const int at = position(node);
  return at < 0 ? 0 : uint64_t{1} << at;
}

NodeState Spec::bootstrapped(uint64_t term, NodeId vote, Role role, uint64_t length,
                             uint64_t commit, const Config& config) {
  NodeState n;
  n.term = term;
  n.voted_for = vote;
  n.role = role;
  n.config = configs_.intern(config);
  // etcd bootstraps a cluster of n voters with n entries, the k-th adding
  // the k-th voter; another length is read as entries of the final one.
  const bool one_per_voter = length == config.voters.size();
  for (uint64_t k = 0; k < length; ++k) {
    Config upto = config;
    if (one_per_voter) upto.voters.resize(k + 1);
    n.log = logs_.append(n.log, 1, configs_.intern(upto));
  }
  n.commit = commit;
  n.config_index = length;
  n.match.assign(nodes_.size(), 0);
  n.durable = {n.term, n.voted_for, length, n.commit, n.config, n.config_index};
  return n;
}

bool Spec::is_quorum(const Config& config, uint64_t granted) const {
  auto majority = [&](const std::vector<NodeId>& voters) {
    if (voters.empty()) return true;
    size_t votes = 0;
    for (NodeId voter : voters) votes += (granted & bit(voter)) != 0;
    return votes * 2 > voters.size();
  };
  return !config.voters.empty() && majority(config.voters) && majority(config.outgoing);
}

bool Spec::can_campaign(const NodeState& n, int i) const {
  const Config& config = configs_.get(n.config);
  return contains(config.voters, nodes_[i]) || contains(config.outgoing, nodes_[i]);
}

MessageId Spec::send(State& s, const SpecMessage& m) {
  const MessageId id = messages_.intern(m);
  put(s.pending, id);
  return id;
}

MessageId Spec::answer(State& s, const SpecMessage& m) {
  const MessageId id = messages_.intern(m);
  put(s.unlogged, id);
  s.last_answers.push_back(id);
  return id;
}

Spec::Result Spec::timeout(const State& s, int i, std::string& why) const {
  const NodeState& n = s.nodes[i];
  if (n.role == Role::kLeader) return why = "a leader does not campaign", std::nullopt;
  if (!can_campaign(n, i)) return why = "it is no voter of its configuration", std::nullopt;
  if (n.role == Role::kPreCandidate && !is_quorum(configs_.get(n.config), n.votes_granted))
    return why = "a pre-candidate without a quorum of pre-votes", std::nullopt;
  State next = s;
  NodeState& m = next.nodes[i];
  m.role = Role::kCandidate;
  m.term = n.term + 1;
  m.voted_for = nodes_[i];
  m.votes_responded = m.votes_granted = 0;
  m.knows_leader = false;
  return next;
}

Spec::Result Spec::pre_vote_timeout(const State& s, int i, std::string& why) const {
  const NodeState& n = s.nodes[i];
  if (n.role == Role::kLeader) return why = "a leader does not campaign", std::nullopt;
  if (!can_campaign(n, i)) return why = "it is no voter of its configuration", std::nullopt;
  State next = s;
  NodeState& m = next.nodes[i];
  m.role = Role::kPreCandidate;
  m.votes_responded = m.votes_granted = 0;
  m.knows_leader = false;
  return next;
}

Spec::Result Spec::request_vote(const State& s, int i, int j, std::string& why) {
  const NodeState& n = s.nodes[i];
  if (n.role != Role::kCandidate && n.role != Role::kPreCandidate)
    return why = "it is a " + role_name(n.role) + ", not a candidate", std::nullopt;
  const Config& config = configs_.get(n.config);
  const NodeId to = nodes_[j];
  if (!contains(config.voters, to) && !contains(config.outgoing, to) &&
      !contains(config.learners, to))
    return why = "node " + std::to_string(to) + " is not in its configuration", std::nullopt;
  if (n.votes_responded & bit(to))
    return why = "node " + std::to_string(to) + " has already answered", std::nullopt;
  const bool pre_vote = n.role == Role::kPreCandidate;
  SpecMessage m;
  m.pre_vote = pre_vote;
  m.term = pre_vote ? n.term + 1 : n.term;
  m.source = nodes_[i];
  m.dest = to;
  if (i != j) {
    m.kind = MessageKind::kVoteRequest;
    m.last_log_term = logs_.last_term(n.log);
    m.last_log_index = logs_.length(n.log);
  } else {
    m.kind = MessageKind::kVoteResponse;
    m.granted = true;
  }
  State next = s;
  send(next, m);
  return next;
}

Spec::Result Spec::become_leader(const State& s, int i, std::string& why) const {
  const NodeState& n = s.nodes[i];
  if (n.role != Role::kCandidate)
    return why = "it is a " + role_name(n.role) + ", not a candidate", std::nullopt;
  if (!is_quorum(configs_.get(n.config), n.votes_granted))
    return why = "its votes are no quorum of its configuration", std::nullopt;
  State next = s;
  NodeState& m = next.nodes[i];
  m.role = Role::kLeader;
  m.knows_leader = true;
  m.match.assign(nodes_.size(), 0);
  m.match[i] = logs_.length(n.log);
  return next;
}

Spec::Result Spec::client_request(const State& s, int i, std::string& why) {
  if (s.nodes[i].role != Role::kLeader) return why = "it is not a leader", std::nullopt;
  State next = s;
  NodeState& m = next.nodes[i];
  m.log = logs_.append(m.log, m.term, kNoConfig);
  return next;
}

Spec::Result Spec::advance_commit_index(const State& s, int i, std::string& why) const {
  const NodeState& n = s.nodes[i];
  if (n.role != Role::kLeader) return why = "it is not a leader", std::nullopt;
  const Config& config = configs_.get(n.config);
  // The highest index that a quorum of each voter set holds.
  auto agreed = [&](const std::vector<NodeId>& voters) {
    if (voters.empty()) return UINT64_MAX;
    std::vector<uint64_t> matches;
    for (NodeId voter : voters) matches.push_back(n.match[position(voter)]);
    std::sort(matches.begin(), matches.end(), std::greater<>());
    return matches[voters.size() / 2];
  };
  const uint64_t index = std::min(agreed(config.voters), agreed(config.outgoing));
  State next = s;
  if (index != UINT64_MAX && index > n.commit && logs_.term_at(n.log, index) == n.term)
    next.nodes[i].commit = index;
  return next;
}

Spec::Result Spec::append_entries(const State& s, int i, int j, uint64_t begin, uint64_t end,
                                  Subtype subtype, std::string& why) {
  const NodeState& n = s.nodes[i];
  const NodeId to = nodes_[j];
  if (i == j) return why = "a leader sends no AppendEntries to itself", std::nullopt;
  if (n.role != Role::kLeader) return why = "it is not a leader", std::nullopt;
  const Config& config = configs_.get(n.config);
  if (!contains(config.voters, to) && !contains(config.outgoing, to) &&
      !contains(config.learners, to))
    return why = "node " + std::to_string(to) + " is not in its configuration", std::nullopt;
  const uint64_t length = logs_.length(n.log);
  if (subtype == Subtype::kApp && (begin < 1 || end > length + 1 || begin > end)) {
    return why = "entries " + std::to_string(begin) + ".." + std::to_string(end - 1) +
                 " are not within its log of " + std::to_string(length),
           std::nullopt;
  }
  if (subtype == Subtype::kSnapshot && (end < 2 || end - 1 > n.commit))
    return why = "a snapshot must end at a committed entry", std::nullopt;
  SpecMessage m;
  m.kind = MessageKind::kAppendRequest;
  m.subtype = subtype;
  m.term = n.term;
  m.source = nodes_[i];
  m.dest = to;
  m.prev_log_index = begin - 1;
  m.prev_log_term = m.prev_log_index <= length ? logs_.term_at(n.log, m.prev_log_index) : 0;
  const uint64_t last = std::min(length, end - 1);
  m.entry_count = last >= begin ? last - begin + 1 : 0;
  m.entries_end = m.entry_count ? logs_.prefix(n.log, last) : kEmptyLog;
  m.commit =
      subtype == Subtype::kHeartbeat ? std::min(n.commit, n.match[j]) : std::min(n.commit, last);
  State next = s;
  send(next, m);
  return next;
}

Spec::Result Spec::append_entries_to_self(const State& s, int i, std::string& why) {
  const NodeState& n = s.nodes[i];
  if (n.role != Role::kLeader) return why = "it is not a leader", std::nullopt;
  SpecMessage m;
  m.kind = MessageKind::kAppendResponse;
  m.term = n.term;
  m.source = m.dest = nodes_[i];
  m.success = true;
  m.match_index = logs_.length(n.log);
  State next = s;
  send(next, m);
  return next;
}

Spec::Result Spec::timeout_now(const State& s, int i, int j, std::string& why) {
  const NodeState& n = s.nodes[i];
  if (n.role != Role::kLeader) return why = "it is not a leader", std::nullopt;
  if (i == j) return why = "a leader hands over to another server", std::nullopt;
  SpecMessage m;
  m.kind = MessageKind::kTimeoutNow;
  m.term = n.term;
  m.source = nodes_[i];
  m.dest = nodes_[j];
  State next = s;
  send(next, m);
  return next;
}

namespace {

// `changes` applied to `config`, or why they cannot be.
std::optional<Config> changed(Config config, const std::vector<ConfChange>& changes,
                              std::string& why) {
  for (const ConfChange& change : changes) {
    const std::string target = "node " + std::to_string(change.node);
    switch (change.action) {
      case ConfAction::kAddNewServer:
        if (contains(config.voters, change.node)) return why = target + " is a voter", std::nullopt;
        config.voters = with(config.voters, change.node);
        config.learners = without(config.learners, change.node);
        break;
      case ConfAction::kAddLearner:
        if (contains(config.voters, change.node) || contains(config.learners, change.node))
          return why = target + " is in the configuration", std::nullopt;
        config.learners = with(config.learners, change.node);
        break;
      case ConfAction::kRemoveServer:
        if (!contains(config.voters, change.node) && !contains(config.learners, change.node))
          return why = target + " is not in the configuration", std::nullopt;
        config.voters = without(config.voters, change.node);
        config.learners = without(config.learners, change.node);
        break;
    }
  }
  return config;
}

}  // namespace

Spec::Result Spec::change_config(const State& s, int i, const std::vector<ConfChange>& changes,
                                 std::string& why) {
  const NodeState& n = s.nodes[i];
  if (n.role != Role::kLeader) return why = "it is not a leader", std::nullopt;
  const Config& now = configs_.get(n.config);
  if (!now.outgoing.empty()) return why = "its configuration is joint", std::nullopt;
  std::optional<Config> config = changed(now, changes, why);
  if (!config) return std::nullopt;
  if (changes.size() > 1) config->outgoing = now.voters;  // enter a joint configuration
  State next = s;
  NodeState& m = next.nodes[i];
  m.log = logs_.append(m.log, m.term, configs_.intern(*config));
  m.pending_conf_index = logs_.length(m.log);
  return next;
}

bool Spec::may_leave_joint(const State& s, int i) const {
  const NodeState& n = s.nodes[i];
  if (n.role != Role::kLeader || configs_.get(n.config).outgoing.empty()) return false;
  // Not when an entry that leaves is in its log already.
  for (uint64_t k = logs_.length(n.log); k > n.config_index; --k) {
    const ConfigId config = logs_.config_at(n.log, k);
    if (config != kNoConfig && configs_.get(config).outgoing.empty()) return false;
  }
  return true;
}

Spec::Result Spec::leave_joint(const State& s, int i) {
  Config left = configs_.get(s.nodes[i].config);
  left.outgoing.clear();
  State next = s;
  NodeState& m = next.nodes[i];
  m.log = logs_.append(m.log, m.term, configs_.intern(left));
  m.pending_conf_index = logs_.length(m.log);
  return next;
}

// Configuration entries are applied in order: the first committed one
// after the one in force. An application may also apply again one it has
// applied (etcd's applies its bootstrap entries after raft has): the
// latest such entry with those voters, from which the order goes on.
Spec::Result Spec::apply_config(const State& s, int i,
                                const std::optional<std::vector<NodeId>>& voters,
                                std::string& why) const {
  const NodeState& n = s.nodes[i];
  auto apply = [&](uint64_t k, ConfigId config) {
    State next = s;
    NodeState& m = next.nodes[i];
    m.config = config;
    m.config_index = k;
    if (m.role == Role::kLeader && m.pending_conf_index >= k) m.pending_conf_index = 0;
    return next;
  };
  for (uint64_t k = n.config_index + 1; k <= n.commit; ++k) {
    const ConfigId config = logs_.config_at(n.log, k);
    if (config == kNoConfig) continue;
    if (!voters || configs_.get(config).voters == *voters) return apply(k, config);
    break;
  }
  for (uint64_t k = std::min(n.config_index, n.commit); voters && k >= 1; --k) {
    const ConfigId config = logs_.config_at(n.log, k);
    if (config != kNoConfig && configs_.get(config).voters == *voters) return apply(k, config);
  }
  why = voters ? "neither the next committed configuration entry nor an applied one has "
                 "those voters"
               : "no configuration entry is committed after the one in force";
  return std::nullopt;
}

Spec::Result Spec::ready(const State& s, int i) const {
  State next = s;
  NodeState& n = next.nodes[i];
  n.durable = {n.term, n.voted_for, logs_.length(n.log), n.commit, n.config, n.config_index};
  for (auto it = next.pending.begin(); it != next.pending.end();) {
    if (messages_.get(it->first).source != nodes_[i]) {
      ++it;
      continue;
    }
    for (uint32_t k = 0; k < it->second; ++k) put(next.messages, it->first);
    it = next.pending.erase(it);
  }
  std::erase_if(next.unlogged,
                [&](const auto& item) { return messages_.get(item.first).source == nodes_[i]; });
  return next;
}

Spec::Result Spec::step_down(const State& s, int i, std::string& why) const {
  if (s.nodes[i].role == Role::kFollower) return why = "it is a follower already", std::nullopt;
  State next = s;
  next.nodes[i].role = Role::kFollower;
  next.nodes[i].knows_leader = false;
  return next;
}

Spec::Result Spec::restart(const State& s, int i, uint64_t commit, std::string& why) const {
  if (commit > s.nodes[i].durable.commit) {
    why = "it comes back with commit " + std::to_string(commit) + ", past the " +
          std::to_string(s.nodes[i].durable.commit) + " it persisted";
    return std::nullopt;
  }
  State next = s;
  NodeState& n = next.nodes[i];
  n.role = Role::kFollower;
  n.votes_responded = n.votes_granted = 0;
  n.match.assign(nodes_.size(), 0);
  n.pending_conf_index = 0;
  n.knows_leader = false;
  n.term = n.durable.term;
  n.voted_for = n.durable.voted_for;
  n.commit = commit;
  n.log = logs_.prefix(n.log, n.durable.log_length);
  n.config = n.durable.config;
  n.config_index = n.durable.config_index;
  auto from_i = [&](const auto& item) { return messages_.get(item.first).source == nodes_[i]; };
  std::erase_if(next.pending, from_i);
  std::erase_if(next.unlogged, from_i);
  return next;
}

void Spec::become_follower_of_term(NodeState& n, uint64_t term) const {
  if (n.term != term) n.voted_for = 0;
  n.term = term;
  n.role = Role::kFollower;
  n.knows_leader = false;
}

}  // namespace crosscheck::trace::raft
