#include "trace/raft/validator.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <unordered_set>

#include "trace/raft/spec.h"

namespace crosscheck::trace::raft {

namespace {

MessageKind kind_of(MessageType type) {
  switch (type) {
    case MessageType::kApp:
    case MessageType::kHeartbeat:
    case MessageType::kSnap: return MessageKind::kAppendRequest;
    case MessageType::kAppResp:
    case MessageType::kHeartbeatResp: return MessageKind::kAppendResponse;
    case MessageType::kVote:
    case MessageType::kPreVote: return MessageKind::kVoteRequest;
    case MessageType::kVoteResp:
    case MessageType::kPreVoteResp: return MessageKind::kVoteResponse;
    case MessageType::kTimeoutNow: return MessageKind::kTimeoutNow;
  }
  return MessageKind::kAppendRequest;
}

Subtype subtype_of(MessageType type) {
  if (type == MessageType::kHeartbeat || type == MessageType::kHeartbeatResp)
    return Subtype::kHeartbeat;
  return type == MessageType::kSnap ? Subtype::kSnapshot : Subtype::kApp;
}

bool is_pre_vote(MessageType type) {
  return type == MessageType::kPreVote || type == MessageType::kPreVoteResp;
}

// Whether a spec message is the one an event logs, field by field as
// etcd's Traceetcdraft.tla compares them.
bool matches(const SpecMessage& m, const Message& logged) {
  if (m.kind != kind_of(logged.type) || m.source != logged.from || m.dest != logged.to ||
      m.term != logged.term)
    return false;
  switch (m.kind) {
    case MessageKind::kAppendRequest:
      return m.subtype == subtype_of(logged.type) && m.entry_count == logged.entries &&
             (m.subtype == Subtype::kSnapshot || m.commit == logged.commit) &&
             (m.subtype == Subtype::kHeartbeat ||
              (m.prev_log_term == logged.log_term && m.prev_log_index == logged.index));
    case MessageKind::kAppendResponse:
      return m.subtype == subtype_of(logged.type) && m.success == !logged.reject &&
             (logged.reject || m.subtype == Subtype::kHeartbeat || m.match_index == logged.index);
    case MessageKind::kVoteRequest:
      return m.pre_vote == is_pre_vote(logged.type) && m.last_log_index == logged.index &&
             m.last_log_term == logged.log_term;
    case MessageKind::kVoteResponse:
      return m.pre_vote == is_pre_vote(logged.type) && m.granted == !logged.reject;
    case MessageKind::kTimeoutNow: return true;
  }
  return false;
}

std::string show(const std::vector<NodeId>& ids) {
  std::string text = "[";
  for (NodeId id : ids) text += (text.size() > 1 ? "," : "") + std::to_string(id);
  return text + "]";
}

std::string describe(const SpecMessage& m, const LogStore& logs) {
  std::ostringstream out;
  const char* names[] = {"MsgVote", "MsgVoteResp", "MsgApp", "MsgAppResp", "MsgTimeoutNow"};
  std::string type = names[static_cast<int>(m.kind)];
  if (m.pre_vote) type.insert(3, "Pre");
  if (m.subtype == Subtype::kHeartbeat)
    type = m.kind == MessageKind::kAppendRequest ? "MsgHeartbeat" : "MsgHeartbeatResp";
  if (m.subtype == Subtype::kSnapshot) type = "MsgSnap";
  out << type << " " << m.source << "->" << m.dest << " term " << m.term;
  switch (m.kind) {
    case MessageKind::kVoteRequest:
      out << " last " << m.last_log_index << "/" << m.last_log_term;
      break;
    case MessageKind::kVoteResponse: out << (m.granted ? " granted" : " rejected"); break;
    case MessageKind::kAppendRequest:
      out << " prev " << m.prev_log_index << "/" << m.prev_log_term << " entries " << m.entry_count
          << " commit " << m.commit;
      if (m.entry_count)
        out << " (last term " << logs.term_at(m.entries_end, m.prev_log_index + m.entry_count)
            << ")";
      break;
    case MessageKind::kAppendResponse:
      out << (m.success ? " index " + std::to_string(m.match_index) : " rejected");
      break;
    case MessageKind::kTimeoutNow: break;
  }
  return out.str();
}

// An answer to another node, which the receive of its request sent.
bool is_answer(const Event& event) {
  return (event.kind == EventKind::kSendRequestVoteResponse ||
          event.kind == EventKind::kSendAppendEntriesResponse) &&
         event.message->from != event.message->to;
}

struct StateHash {
  size_t operator()(const State& state) const { return hash_of(state); }
};

// The fields of a message that receiving it compares (matches(), above):
// a message whose key no later receive event has can never be received.
using MessageKey =
    std::tuple<NodeId, NodeId, int, int, bool, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t>;

MessageKey key_of(const SpecMessage& m) {
  uint64_t a = 0, b = 0, c = 0, d = 0;
  switch (m.kind) {
    case MessageKind::kAppendRequest:
      a = m.entry_count;
      b = m.subtype == Subtype::kSnapshot ? 0 : m.commit;
      c = m.subtype == Subtype::kHeartbeat ? 0 : m.prev_log_index;
      d = m.subtype == Subtype::kHeartbeat ? 0 : m.prev_log_term;
      break;
    case MessageKind::kAppendResponse:
      a = m.success;
      b = m.success && m.subtype != Subtype::kHeartbeat ? m.match_index : 0;
      break;
    case MessageKind::kVoteRequest:
      a = m.last_log_index;
      b = m.last_log_term;
      break;
    case MessageKind::kVoteResponse: a = m.granted; break;
    case MessageKind::kTimeoutNow: break;
  }
  const bool pre =
      (m.kind == MessageKind::kVoteRequest || m.kind == MessageKind::kVoteResponse) && m.pre_vote;
  const int subtype =
      m.kind == MessageKind::kAppendRequest || m.kind == MessageKind::kAppendResponse
          ? static_cast<int>(m.subtype)
          : 0;
  return {m.dest, m.source, static_cast<int>(m.kind), subtype, pre, m.term, a, b, c, d};
}

// The key of the spec message a logged one would match.
MessageKey key_of(const Message& logged) {
  SpecMessage m;
  m.kind = kind_of(logged.type);
  m.subtype = subtype_of(logged.type);
  m.pre_vote = is_pre_vote(logged.type);
  m.term = logged.term;
  m.source = logged.from;
  m.dest = logged.to;
  m.entry_count = logged.entries;
  m.commit = logged.commit;
  m.prev_log_index = m.last_log_index = m.match_index = logged.index;
  m.prev_log_term = m.last_log_term = logged.log_term;
  m.success = m.granted = !logged.reject;
  return key_of(m);
}

class Validator {
 public:
  explicit Validator(const Trace& trace) : trace_(trace), spec_(trace.nodes) { index_trace(); }

  ValidationResult run(const ValidationOptions& options);

 private:
  void index_trace();
  State initial_state();
  std::vector<State> step(const State& s, size_t e, std::string& why);
  std::vector<State> step_from(const State& s, size_t e, std::string& why);
  void step_receive(const State& s, const Event& event, std::vector<State>& out, std::string& why);
  std::optional<State> step_send(const State& s, const Event& event, std::string& why);
  std::optional<State> step_local(const State& s, const Event& event, std::string& why);
  std::string mismatch(const NodeState& n, const Event& event) const;
  void forget_unreceivable(State& s, size_t e) const;
  Candidate explain(const State& s, size_t e, const std::string& why) const;

  const Trace& trace_;
  Spec spec_;
  std::vector<bool> bootstrap_;                     // by event: part of a node's bootstrap
  std::vector<bool> inside_receive_;                // by event: a BecomeFollower a receive caused
  std::map<MessageKey, std::vector<size_t>> uses_;  // events that receive or answer, ascending
  // uses_'s entry for each interned message, looked up once.
  const std::vector<size_t>& uses_of(MessageId id) const;
  mutable std::vector<const std::vector<size_t>*> uses_by_message_;
};

void Validator::index_trace() {
  const size_t n = trace_.events.size();
  bootstrap_.assign(n, false);
  inside_receive_.assign(n, false);
  std::map<NodeId, bool> booting;
  std::map<NodeId, size_t> previous;
  for (size_t e = 0; e < n; ++e) {
    const Event& event = trace_.events[e];
    const bool bootstrap_kind =
        event.kind == EventKind::kInitState || event.kind == EventKind::kBecomeFollower ||
        event.kind == EventKind::kApplyConfChange || event.kind == EventKind::kBootstrap;
    auto [at, first] = booting.emplace(event.node, true);
    if (!bootstrap_kind) at->second = false;
    bootstrap_[e] = at->second;
    if (event.kind == EventKind::kBecomeFollower && previous.count(event.node)) {
      const Event& before = trace_.events[previous[event.node]];
      if (is_receive(before.kind) && before.message) {
        const uint64_t term = before.message->term;
        const bool newer = before.term < term && term == event.term;
        const bool returns =
            before.kind == EventKind::kReceiveAppendEntriesRequest && before.term == term &&
            term == event.term &&
            (before.role == Role::kCandidate || before.role == Role::kPreCandidate);
        inside_receive_[e] = newer || returns;
      }
    }
    previous[event.node] = e;
    // A message is needed until the last event that receives it, or that
    // logs it as an answer (see step()).
    if ((is_receive(event.kind) || is_answer(event)) && event.message)
      uses_[key_of(*event.message)].push_back(e);
  }
}

State Validator::initial_state() {
  State s;
  for (NodeId node : trace_.nodes) {
    const Event* last = nullptr;
    for (size_t e = 0; e < trace_.events.size(); ++e)
      if (bootstrap_[e] && trace_.events[e].node == node) last = &trace_.events[e];
    Config config{last->voters, {}, {}};
    if (last->kind == EventKind::kApplyConfChange && last->new_conf)
      config.voters = *last->new_conf;
    s.nodes.push_back(
        spec_.bootstrapped(last->term, last->vote, last->role, last->log, last->commit, config));
  }
  return s;
}

std::string Validator::mismatch(const NodeState& n, const Event& event) const {
  auto differs = [](const std::string& field, auto spec, auto logged) {
    std::ostringstream out;
    out << field << " is " << logged << " in the trace, " << spec << " in the spec";
    return out.str();
  };
  const Config& config = spec_.configs().get(n.config);
  if (n.term != event.term) return differs("term", n.term, event.term);
  if (n.role != event.role) return differs("role", to_string(n.role), to_string(event.role));
  if (n.voted_for != event.vote) return differs("vote", n.voted_for, event.vote);
  const uint64_t length = spec_.logs().length(n.log);
  if (length != event.log) return differs("log", length, event.log);
  if (n.commit != event.commit) return differs("commit", n.commit, event.commit);
  if (config.voters != event.voters)
    return differs("conf", show(config.voters), show(event.voters));
  if (config.outgoing != event.outgoing)
    return differs("outgoing conf", show(config.outgoing), show(event.outgoing));
  return "";
}

void Validator::step_receive(const State& s, const Event& event, std::vector<State>& out,
                             std::string& why) {
  const int i = spec_.position(event.node);
  bool any = false;
  for (const auto& [id, count] : s.messages) {
    const SpecMessage& m = spec_.messages().get(id);
    if (m.dest != event.node || !matches(m, *event.message)) continue;
    any = true;
    for (Spec::Reading reading : {Spec::Reading::kEtcd, Spec::Reading::kRaftTla}) {
      if (auto next = spec_.receive(s, id, reading, why)) out.push_back(std::move(*next));
    }
    if (m.kind == MessageKind::kVoteRequest && m.term > s.nodes[i].term) {
      if (auto next = spec_.receive(s, id, Spec::Reading::kIgnoreInLease, why))
        out.push_back(std::move(*next));
    }
  }
  if (!any) why = "no message in flight to it matches the one received";
}

std::optional<State> Validator::step_send(const State& s, const Event& event, std::string& why) {
  const Message& m = *event.message;
  const int i = spec_.position(m.from), j = spec_.position(m.to);
  std::optional<State> next;
  switch (m.type) {
    case MessageType::kVote:
    case MessageType::kPreVote: next = spec_.request_vote(s, i, j, why); break;
    case MessageType::kVoteResp:
    case MessageType::kPreVoteResp: next = spec_.request_vote(s, i, j, why); break;
    case MessageType::kApp:
      next =
          spec_.append_entries(s, i, j, m.index + 1, m.index + 1 + m.entries, Subtype::kApp, why);
      break;
    case MessageType::kHeartbeat:
      next = spec_.append_entries(s, i, j, 1, 1, Subtype::kHeartbeat, why);
      break;
    case MessageType::kSnap:
      next = spec_.append_entries(s, i, j, 1, m.entries + 1, Subtype::kSnapshot, why);
      break;
    case MessageType::kAppResp:
    case MessageType::kHeartbeatResp: next = spec_.append_entries_to_self(s, i, why); break;
    case MessageType::kTimeoutNow: next = spec_.timeout_now(s, i, j, why); break;
  }
  if (!next) return next;
  // The message just sent is the one pending from i that s did not have.
  for (const auto& [id, count] : next->pending) {
    auto before = std::lower_bound(s.pending.begin(), s.pending.end(), std::make_pair(id, 0u));
    const bool added = before == s.pending.end() || before->first != id || before->second < count;
    if (added && !matches(spec_.messages().get(id), m)) {
      why = "it would send " + describe(spec_.messages().get(id), spec_.logs());
      return std::nullopt;
    }
  }
  return next;
}

std::optional<State> Validator::step_local(const State& s, const Event& event, std::string& why) {
  const int i = spec_.position(event.node);
  switch (event.kind) {
    case EventKind::kInitState: return spec_.restart(s, i, event.commit, why);
    case EventKind::kBecomeFollower: return spec_.step_down(s, i, why);
    case EventKind::kBecomePreCandidate: return spec_.pre_vote_timeout(s, i, why);
    case EventKind::kBecomeCandidate: return spec_.timeout(s, i, why);
    case EventKind::kBecomeLeader: return spec_.become_leader(s, i, why);
    case EventKind::kReplicate: return spec_.client_request(s, i, why);
    case EventKind::kCommit: return spec_.advance_commit_index(s, i, why);
    case EventKind::kChangeConf: return spec_.change_config(s, i, event.changes, why);
    case EventKind::kApplyConfChange: return spec_.apply_config(s, i, event.new_conf, why);
    case EventKind::kReady: return spec_.ready(s, i);
    default: return s;
  }
}

// Which events show the node's state before their step (etcd logs them
// first), and which after.
bool shows_state_before(EventKind kind) {
  return is_receive(kind) || kind == EventKind::kReplicate || kind == EventKind::kChangeConf ||
         kind == EventKind::kApplyConfChange;
}

// The event's steps from s, and, where the event's node is a leader that
// may leave its joint configuration, from s after the entry that leaves:
// etcd appends it without logging it.
std::vector<State> Validator::step(const State& s, size_t e, std::string& why) {
  std::vector<State> out = step_from(s, e, why);
  const Event& event = trace_.events[e];
  const int i = spec_.position(event.node);
  if (bootstrap_[e] || !spec_.may_leave_joint(s, i)) return out;
  std::string after_leaving;
  for (State& next : step_from(*spec_.leave_joint(s, i), e, after_leaving))
    out.push_back(std::move(next));
  return out;
}

std::vector<State> Validator::step_from(const State& s, size_t e, std::string& why) {
  const Event& event = trace_.events[e];
  std::vector<State> out;
  if (bootstrap_[e] || inside_receive_[e] || event.kind == EventKind::kReduceNextIndex) {
    out.push_back(s);
    return out;
  }
  // Answers are sent by the receive of their request, which the spec
  // takes as one step; etcd logs the send midway through it, so its state
  // is no step's, but the answer must be the one the receive gave.
  if (is_answer(event)) {
    const Message& logged = *event.message;
    auto next = spec_.log_answer(
        s, spec_.position(event.node), [&](const SpecMessage& m) { return matches(m, logged); },
        why);
    if (next) {
      out.push_back(std::move(*next));
      return out;
    }
    std::string given;
    for (MessageId id : s.last_answers) {
      const SpecMessage& m = spec_.messages().get(id);
      if (m.source == event.node) given += (given.empty() ? "" : "; ") + describe(m, spec_.logs());
    }
    why = given.empty() ? "it has received nothing that this answers"
                        : "the spec's answer to what it received is " + given;
    return out;
  }
  const int i = spec_.position(event.node);
  if (shows_state_before(event.kind)) {
    why = mismatch(s.nodes[i], event);
    if (!why.empty()) return out;
  }
  if (is_receive(event.kind)) {
    step_receive(s, event, out, why);
    return out;
  }
  std::optional<State> next =
      is_send(event.kind) ? step_send(s, event, why) : step_local(s, event, why);
  if (!next) return out;
  if (!shows_state_before(event.kind)) {
    why = mismatch(next->nodes[i], event);
    if (!why.empty()) return out;
  }
  out.push_back(std::move(*next));
  return out;
}

const std::vector<size_t>& Validator::uses_of(MessageId id) const {
  static const std::vector<size_t> kNone;
  if (id >= uses_by_message_.size()) uses_by_message_.resize(id + 1, nullptr);
  if (uses_by_message_[id] == nullptr) {
    auto at = uses_.find(key_of(spec_.messages().get(id)));
    uses_by_message_[id] = at == uses_.end() ? &kNone : &at->second;
  }
  return *uses_by_message_[id];
}

// Copies of a message beyond the events after `e` that could take them
// can never be taken: they are forgotten, so that states differing only
// in such copies are one state.
void Validator::forget_unreceivable(State& s, size_t e) const {
  auto trim = [&](Bag& bag) {
    for (auto& item : bag) {
      const std::vector<size_t>& uses = uses_of(item.first);
      const size_t left =
          static_cast<size_t>(uses.end() - std::upper_bound(uses.begin(), uses.end(), e));
      item.second = static_cast<uint32_t>(std::min<size_t>(item.second, left));
    }
    std::erase_if(bag, [](const auto& item) { return item.second == 0; });
  };
  trim(s.messages);
  trim(s.pending);
  trim(s.unlogged);
}

Candidate Validator::explain(const State& s, size_t e, const std::string& why) const {
  const Event& event = trace_.events[e];
  const NodeState& n = s.nodes[spec_.position(event.node)];
  const Config& config = spec_.configs().get(n.config);
  std::ostringstream state;
  const uint64_t length = spec_.logs().length(n.log);
  state << "term " << n.term << ", vote " << n.voted_for << ", " << to_string(n.role) << ", log "
        << length << " (last term " << spec_.logs().last_term(n.log) << "), commit " << n.commit
        << ", conf " << show(config.voters);
  if (!config.outgoing.empty()) state << " and " << show(config.outgoing);
  Candidate candidate{state.str(), "", why};
  if (is_receive(event.kind)) {
    for (const auto& [id, count] : s.messages) {
      const SpecMessage& m = spec_.messages().get(id);
      if (m.dest != event.node) continue;
      if (!candidate.in_flight.empty()) candidate.in_flight += "; ";
      candidate.in_flight += describe(m, spec_.logs());
    }
  }
  return candidate;
}

ValidationResult Validator::run(const ValidationOptions& options) {
  constexpr size_t kCandidatesShown = 4;
  ValidationResult result;
  std::vector<State> band{initial_state()};
  const size_t total = trace_.events.size();
  for (size_t e = 0; e < total; ++e) {
    if (options.progress && e % 4096 == 0) options.progress(e, total);
    std::unordered_set<State, StateHash> next;
    std::vector<std::string> reasons;
    for (const State& s : band) {
      std::string why;
      for (State& successor : step(s, e, why)) {
        forget_unreceivable(successor, e);
        auto at = next.find(successor);
        if (at == next.end()) {
          next.insert(std::move(successor));
          continue;
        }
        for (MessageId id : successor.last_answers) {
          if (std::find(at->last_answers.begin(), at->last_answers.end(), id) ==
              at->last_answers.end())
            at->last_answers.push_back(id);
        }
      }
      reasons.push_back(why);
    }
    if (next.empty()) {
      result.verdict = Verdict::kInvalid;
      result.failed_event = e;
      result.candidate_count = band.size();
      // States that differ elsewhere often look alike at the event's node.
      std::set<std::tuple<std::string, std::string, std::string>> seen;
      for (size_t k = 0; k < band.size(); ++k) {
        Candidate candidate = explain(band[k], e, reasons[k]);
        if (!seen.insert({candidate.node_state, candidate.in_flight, candidate.reason}).second)
          continue;
        if (result.candidates.size() < kCandidatesShown)
          result.candidates.push_back(std::move(candidate));
      }
      result.distinct_candidates = seen.size();
      break;
    }
    if (next.size() > options.max_states) {
      result.verdict = Verdict::kUnknown;
      result.failed_event = e;
      break;
    }
    band.assign(std::make_move_iterator(next.begin()), std::make_move_iterator(next.end()));
    result.events = e + 1;
    result.widest = std::max(result.widest, band.size());
    result.states += band.size();
  }
  if (options.progress) options.progress(result.events, total);
  return result;
}

}  // namespace

ValidationResult validate(const Trace& trace, const ValidationOptions& options) {
  Validator validator(trace);
  return validator.run(options);
}

}  // namespace crosscheck::trace::raft
