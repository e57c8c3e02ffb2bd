// Why no sequence of one server's raft.tla steps explains an
// implementation step (RaftModel::explain_server_steps, raft.h).
//
// The search is redone breadth first, and every action of the server is
// evaluated in every spec state it meets, each evaluation an attempt: the
// action took a step, or a conjunct of it was false (a guard refused it,
// or a condition sent it down another branch). The closest attempt is the
// one with the least score:
//  - an attempt that took a step (and has no false conjunct) scores the
//    gap between the state it stepped to and the implementation's state:
//    raft.tla's variables that differ, a variable of a server counting
//    once for that server, plus the message copies and the restart count
//    that differ;
//  - an attempt with a false conjunct scores the gap of the state it was
//    tried in, less what the action would have set had the conjunct
//    held: the differing variables of the server it writes (raft.tla
//    leaves the others UNCHANGED) and the differing messages it sends,
//    takes or answers. It takes part only when that is something.
// A stutter (a step that changes nothing) takes part only as an attempt
// with a false conjunct (AdvanceCommitIndex's IF).
// Among equal scores the attempt after fewer spec steps wins, then the one
// whose false conjunct came later in its action (a step counts as past
// all its guards), then the one tried first.
#include <algorithm>
#include <bit>
#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "spec/raft/raft.h"
#include "spec/raft/step_search.h"

namespace crosscheck::spec::raft {

namespace {

using Kind = Action::Kind;

// raft.tla's variables of a server, then the bag and our restart count.
enum Variable : uint16_t {
  kCurrentTerm = 1 << 0,
  kState = 1 << 1,
  kVotedFor = 1 << 2,
  kLog = 1 << 3,
  kCommitIndex = 1 << 4,
  kVotesResponded = 1 << 5,
  kVotesGranted = 1 << 6,
  kNextIndex = 1 << 7,
  kMatchIndex = 1 << 8,
  kSnapshotIndex = 1 << 9,  // not raft.tla's (Config::snapshots)
  kMessages = 1 << 10,
  kRestarts = 1 << 11,
};
constexpr uint16_t kServerVariables = (1 << 10) - 1;
constexpr const char* kVariableNames[] = {
    "currentTerm",  "state",     "votedFor",   "log",           "commitIndex", "votesResponded",
    "votesGranted", "nextIndex", "matchIndex", "snapshotIndex", "messages",    "restarts",
};
constexpr int kNoGuardPosition = 100;  // an attempt that stepped is past all its guards

// The variables an action may set; raft.tla says UNCHANGED of the rest.
uint16_t writes(Kind kind) {
  switch (kind) {
    case Kind::kRestart:
      return kState | kVotesResponded | kVotesGranted | kNextIndex | kMatchIndex | kCommitIndex |
             kRestarts;
    case Kind::kTimeout: return kState | kCurrentTerm | kVotedFor | kVotesResponded | kVotesGranted;
    case Kind::kBecomeLeader: return kState | kNextIndex | kMatchIndex;
    case Kind::kCheckQuorumStepDown: return kState;
    case Kind::kUpdateTermFromPreVote: return kCurrentTerm | kState | kVotedFor;
    case Kind::kClientRequest:
    case Kind::kChangeMembership:
    case Kind::kChangeMembershipJoint:
    case Kind::kLeaveJoint: return kLog;
    case Kind::kAdvanceCommitIndex: return kCommitIndex;
    case Kind::kUpdateTerm: return kCurrentTerm | kState | kVotedFor;
    case Kind::kHandleRequestVoteRequest: return kVotedFor | kMessages;
    case Kind::kHandleRequestVoteResponse: return kVotesResponded | kVotesGranted | kMessages;
    case Kind::kHandleAppendEntriesRequest: return kState | kLog | kCommitIndex | kMessages;
    case Kind::kHandleAppendEntriesResponse: return kNextIndex | kMatchIndex | kMessages;
    case Kind::kHandleInstallSnapshotRequest:
      return kState | kLog | kCommitIndex | kSnapshotIndex | kMessages;
    case Kind::kCompactLog: return kSnapshotIndex;
    case Kind::kSendSnapshot: return kMessages;
    case Kind::kRequestVote:
    case Kind::kAppendEntries:
    case Kind::kDropStaleResponse:
    case Kind::kDuplicateMessage:
    case Kind::kDropMessage: return kMessages;
  }
  return 0;
}

// The variables of one server that differ between a spec state's and the
// implementation's; `before` is the server before the implementation's
// step, for the commitIndex departure the refinement allows.
uint16_t server_differences(const Server& before, const Server& spec, const Server& impl) {
  uint16_t differ = 0;
  auto note = [&](bool differs, Variable variable) {
    if (differs) differ |= variable;
  };
  note(spec.current_term != impl.current_term, kCurrentTerm);
  note(spec.role != impl.role, kState);
  note(spec.voted_for != impl.voted_for, kVotedFor);
  note(spec.log != impl.log, kLog);
  note(spec.commit_index != impl.commit_index &&
           !detail::kept_commit_index(before.commit_index, spec.commit_index, impl.commit_index),
       kCommitIndex);
  note(spec.votes_responded != impl.votes_responded, kVotesResponded);
  note(spec.votes_granted != impl.votes_granted, kVotesGranted);
  note(spec.next_index != impl.next_index, kNextIndex);
  note(spec.match_index != impl.match_index, kMatchIndex);
  note(spec.snapshot_index != impl.snapshot_index, kSnapshotIndex);
  return differ;
}

// The copies of each message that one bag has beyond the other.
std::vector<std::pair<Message, int>> beyond(const Bag& a, const Bag& b) {
  std::vector<std::pair<Message, int>> extra;
  for (const Bag::Item& item : a) {
    const int more = item.count - b.count(item.message);
    if (more > 0) extra.push_back({item.message, more});
  }
  return extra;
}

int copies(const std::vector<std::pair<Message, int>>& messages) {
  int total = 0;
  for (const auto& [message, count] : messages) total += count;
  return total;
}

// Whether `answer` is of the type and on the link of an answer to `request`.
bool answers(const Message& answer, const Message& request) {
  const bool vote = request.type == MessageType::kRequestVoteRequest &&
                    answer.type == MessageType::kRequestVoteResponse;
  const bool append = (request.type == MessageType::kAppendEntriesRequest ||
                       request.type == MessageType::kInstallSnapshot) &&
                      answer.type == MessageType::kAppendEntriesResponse;
  return (vote || append) && answer.source == request.dest && answer.dest == request.source;
}

// Whether `action` sends, takes or answers `message`: RequestVote(i, j)
// and AppendEntries(i, j) their requests; an action on a message m the
// message and the answer to it.
bool touches(const Action& action, const Message& message) {
  const Message& m = action.message;
  switch (action.kind) {
    case Kind::kRestart:
    case Kind::kTimeout:
    case Kind::kBecomeLeader:
    case Kind::kClientRequest:
    case Kind::kAdvanceCommitIndex:
    case Kind::kCheckQuorumStepDown:
    case Kind::kUpdateTermFromPreVote:
    case Kind::kChangeMembership:
    case Kind::kChangeMembershipJoint:
    case Kind::kCompactLog:
    case Kind::kLeaveJoint: return false;
    case Kind::kRequestVote:
    case Kind::kAppendEntries:
    case Kind::kSendSnapshot:
      return message.type == (action.kind == Kind::kRequestVote ? MessageType::kRequestVoteRequest
                              : action.kind == Kind::kSendSnapshot
                                  ? MessageType::kInstallSnapshot
                                  : MessageType::kAppendEntriesRequest) &&
             message.source == action.server && message.dest == action.peer;
    default: return message == m || answers(message, m);
  }
}

std::string name(int k) { return "s" + std::to_string(k + 1); }

std::string list_text(const uint8_t* values, int count, const char* open, const char* close) {
  std::string out = open;
  for (int k = 0; k < count; ++k) out += (k ? ", " : "") + std::to_string(values[k]);
  return out + close;
}

std::string set_text(uint8_t members, int servers) {
  std::string out;
  for (int k = 0; k < servers; ++k) {
    if (members & (1u << k)) out += (out.empty() ? "" : ", ") + name(k);
  }
  return "{" + out + "}";
}

std::string log_text(const Log& log) {
  std::string out;
  for (int index = 1; index <= log.length(); ++index) {
    out += (index > 1 ? ", " : "") + entry_label(log.at(index));
  }
  return out.empty() ? "<< >>" : "<<" + out + ">>";
}

// A variable of a server, as raft.tla would show its value.
std::string value_text(Variable variable, const Server& s, int servers) {
  switch (variable) {
    case kCurrentTerm: return std::to_string(s.current_term);
    case kState: return std::string(to_string(s.role));
    case kVotedFor: return s.voted_for == kNil ? "Nil" : name(s.voted_for);
    case kLog: return log_text(s.log);
    case kCommitIndex: return std::to_string(s.commit_index);
    case kVotesResponded: return set_text(s.votes_responded, servers);
    case kVotesGranted: return set_text(s.votes_granted, servers);
    case kNextIndex: return list_text(s.next_index.data(), servers, "<<", ">>");
    case kMatchIndex: return list_text(s.match_index.data(), servers, "<<", ">>");
    case kSnapshotIndex: return std::to_string(s.snapshot_index);
    default: return "";
  }
}

std::string message_text(const Message& m) {
  return name(m.source) + "->" + name(m.dest) + " " + m.label();
}

const char* variable_name(Variable variable) {
  return kVariableNames[std::countr_zero(static_cast<unsigned>(variable))];
}

}  // namespace

namespace {

// The breadth-first redo of the search, its attempts, and the closest.
class Explainer {
 public:
  Explainer(const RaftModel& model, const State& from, const State& to, int server, int max_steps,
            const std::optional<Message>& network_message)
      : model_(model),
        servers_(model.config().servers),
        from_(from),
        to_(to),
        server_(server),
        max_steps_(max_steps),
        network_message_(network_message) {}

  mc::StepExplanation explain() {
    explore();
    if (closest_.at < 0) return {"No raft.tla action of " + name(server_) + " was tried.", {}};
    return {text(), details()};
  }

 private:
  struct Explored {
    State state;
    int parent = -1;
    Action action{};
    int depth = 0;
  };

  struct Attempt {
    int at = -1;  // the explored state it was tried in
    Action action{};
    Guard guard = Guard::kNone;
    std::optional<State> stepped_to;
    int score = INT_MAX;
    int depth = 0;
    int position = 0;
  };

  // How far `s` is from the implementation's state: the distance, and the
  // acting server's differing variables (with kMessages, kRestarts).
  struct Gap {
    int distance = 0;
    uint16_t acting = 0;
    int messages = 0;
  };

  Gap gap(const State& s) const {
    Gap g;
    for (int k = 0; k < servers_; ++k) {
      const uint16_t differ = server_differences(from_.servers[k], s.servers[k], to_.servers[k]);
      g.distance += std::popcount(differ);
      if (k == server_) g.acting = differ;
    }
    g.messages =
        copies(beyond(s.messages, to_.messages)) + copies(beyond(to_.messages, s.messages));
    if (g.messages > 0) g.acting |= kMessages;
    if (s.restarts != to_.restarts) g.acting |= kRestarts;
    g.distance += g.messages + (s.restarts != to_.restarts ? 1 : 0);
    return g;
  }

  void explore() {
    std::unordered_set<uint64_t> seen = {model_.fingerprint(from_)};
    explored_.push_back({from_, -1, {}, 0});
    // The state before the step is always tried, even where no step
    // can lead back from it (a term that went down): its attempts say why.
    for (size_t k = 0; k < explored_.size(); ++k) {
      if (k > 0 && (explored_[k].depth >= max_steps_ ||
                    detail::cannot_reach(explored_[k].state, to_, server_, servers_))) {
        continue;
      }
      try_actions(static_cast<int>(k), seen);
    }
  }

  // Every action of the server in explored state `at`, each an attempt.
  void try_actions(int at, std::unordered_set<uint64_t>& seen) {
    const State s = explored_[at].state;  // explored_ grows below
    const int depth = explored_[at].depth;
    std::vector<mc::Successor<Action, State>> successors;
    std::vector<Refusal> refusals;
    model_.server_successors(s, server_, successors, &refusals);
    if (network_message_ && s.messages.count(*network_message_) > 0) {
      model_.network_successors(s, *network_message_, successors);
    }
    const Gap here = gap(s);
    std::vector<Guard> branch(successors.size(), Guard::kNone);
    for (const Refusal& refusal : refusals) {
      tried_ |= 1u << static_cast<int>(refusal.action.kind);
      if (refusal.successor >= 0) {
        branch[refusal.successor] = refusal.guard;
      } else {
        offer_refusal(at, depth, here, refusal.action, refusal.guard, nullptr);
      }
    }
    for (size_t x = 0; x < successors.size(); ++x) {
      auto& [action, next] = successors[x];
      tried_ |= 1u << static_cast<int>(action.kind);
      if (branch[x] != Guard::kNone) {
        offer_refusal(at, depth, here, action, branch[x], &next);
      } else if (!next.same_protocol_state(s)) {
        offer({at, action, Guard::kNone, std::nullopt, gap(next).distance, depth, kNoGuardPosition},
              &next);
      }
      if (seen.insert(model_.fingerprint(next)).second) {
        explored_.push_back({std::move(next), at, action, depth + 1});
      }
    }
  }

  // An attempt with a false conjunct, scored by what it would have set.
  void offer_refusal(int at, int depth, const Gap& here, const Action& action, Guard guard,
                     const State* stepped_to) {
    const uint16_t set = writes(action.kind) & here.acting;
    const int fixable = std::popcount(static_cast<unsigned>(set & kServerVariables)) +
                        (set & kMessages ? touched_differences(explored_[at].state, action) : 0) +
                        (set & kRestarts ? 1 : 0);
    if (fixable == 0) return;
    offer({at, action, guard, std::nullopt, here.distance - fixable, depth, guard_position(guard)},
          stepped_to);
  }

  // The message copies that differ between `s` and the implementation's
  // state and that `action` sends, takes or answers.
  int touched_differences(const State& s, const Action& action) const {
    int count = 0;
    for (const auto& extra : {beyond(s.messages, to_.messages), beyond(to_.messages, s.messages)}) {
      for (const auto& [message, copies] : extra) count += touches(action, message) ? copies : 0;
    }
    return count;
  }

  void offer(Attempt attempt, const State* stepped_to) {
    const bool closer = attempt.score != closest_.score   ? attempt.score < closest_.score
                        : attempt.depth != closest_.depth ? attempt.depth < closest_.depth
                                                          : attempt.position > closest_.position;
    if (!closer) return;
    if (stepped_to != nullptr) attempt.stepped_to = *stepped_to;
    closest_ = std::move(attempt);
  }

  // The state the closest attempt left: where it stepped, or where it was
  // refused.
  const State& left() const {
    return closest_.stepped_to ? *closest_.stepped_to : explored_[closest_.at].state;
  }

  std::vector<std::string> differences() const;
  std::vector<std::string> steps_before() const;
  std::string failed() const;
  std::string failed_kind() const;
  std::string values() const;
  std::string text() const;
  mc::Json details() const;

  const RaftModel& model_;
  const int servers_;
  const State& from_;
  const State& to_;
  const int server_;
  const int max_steps_;
  const std::optional<Message>& network_message_;
  std::vector<Explored> explored_;
  uint32_t tried_ = 0;  // bit k: an action of Kind k was evaluated
  Attempt closest_;
};

std::string difference_line(Variable variable, int k, const Server& spec, const Server& impl,
                            int servers) {
  return std::string(variable_name(variable)) + "[" + name(k) + "] is " +
         value_text(variable, spec, servers) + " in the spec, " +
         value_text(variable, impl, servers) + " in the implementation";
}

std::vector<std::string> Explainer::differences() const {
  const State& s = left();
  std::vector<std::string> out;
  for (int k = 0; k < servers_; ++k) {
    const uint16_t differ = server_differences(from_.servers[k], s.servers[k], to_.servers[k]);
    for (unsigned bit = 1; bit & kServerVariables; bit <<= 1) {
      if (differ & bit) {
        out.push_back(
            difference_line(static_cast<Variable>(bit), k, s.servers[k], to_.servers[k], servers_));
      }
    }
  }
  auto copies_text = [](int count) {
    return count > 1 ? " (" + std::to_string(count) + " copies)" : std::string();
  };
  for (const auto& [m, count] : beyond(s.messages, to_.messages))
    out.push_back("messages: " + message_text(m) + " only in the spec" + copies_text(count));
  for (const auto& [m, count] : beyond(to_.messages, s.messages))
    out.push_back("messages: " + message_text(m) + " only in the implementation" +
                  copies_text(count));
  if (s.restarts != to_.restarts) {
    out.push_back("restarts is " + std::to_string(s.restarts) + " in the spec, " +
                  std::to_string(to_.restarts) + " in the implementation");
  }
  return out;
}

// The spec steps from the state before the implementation's step to the
// one the closest attempt was tried in.
std::vector<std::string> Explainer::steps_before() const {
  std::vector<std::string> steps;
  for (int at = closest_.at; explored_[at].parent >= 0; at = explored_[at].parent)
    steps.push_back(model_.action_label(explored_[at].action));
  std::reverse(steps.begin(), steps.end());
  return steps;
}

// The first variable the acting server's step left different, in the
// order of raft.tla's variables.
std::optional<Variable> first_difference(uint16_t acting) {
  if (acting == 0) return std::nullopt;
  return static_cast<Variable>(1u << std::countr_zero(static_cast<unsigned>(acting)));
}

std::string Explainer::failed() const {
  if (closest_.guard != Guard::kNone) return std::string(to_string(closest_.guard));
  const std::optional<Variable> variable = first_difference(gap(left()).acting);
  if (!variable) return "UNCHANGED of another server's variables";
  const std::string variable_text = variable_name(*variable);
  if (writes(closest_.action.kind) & *variable) {
    return variable_text + "' as " + std::string(to_string(closest_.action.kind)) + " sets it";
  }
  return "UNCHANGED " + variable_text;
}

std::string Explainer::failed_kind() const {
  if (closest_.guard == Guard::kNone) return "effect";
  return closest_.stepped_to ? "condition" : "guard";
}

std::string Explainer::values() const {
  if (closest_.guard != Guard::kNone) {
    return guard_values(closest_.guard, explored_[closest_.at].state, closest_.action, servers_);
  }
  const std::vector<std::string> all = differences();
  const std::optional<Variable> variable = first_difference(gap(left()).acting);
  if (variable && (*variable & kServerVariables)) {
    return difference_line(*variable, server_, left().servers[server_], to_.servers[server_],
                           servers_);
  }
  return all.empty() ? "" : all.front();
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
  return out;
}

std::vector<std::string> kind_names(uint32_t kinds) {
  std::vector<std::string> names;
  for (int k = 0; k <= static_cast<int>(Kind::kLeaveJoint); ++k) {
    if (kinds & (1u << k)) names.emplace_back(to_string(static_cast<Kind>(k)));
  }
  return names;
}

std::string Explainer::text() const {
  const std::string action = model_.action_label(closest_.action);
  const std::vector<std::string> before = steps_before();
  std::string out = "No sequence of at most " + std::to_string(max_steps_) + " raft.tla steps of " +
                    name(server_) +
                    " leads from the state before this step to the state after it.\n";
  out += "Tried for " + name(server_) + ": " + joined(kind_names(tried_), ", ") + ".\n";
  out += "Closest: " + action +
         (before.empty() ? ", in the state before the step" : ", after " + joined(before, ", ")) +
         ".\n";
  const std::string kind = failed_kind();
  if (kind == "effect") {
    out += action + " is enabled, but " + failed() + " is false.\n";
  } else {
    out += action + (kind == "guard" ? " is not enabled: " : " takes another branch: ") + failed() +
           " is false (" + values() + ").\n";
  }
  return out + "Still different: " + joined(differences(), "; ") + ".";
}

mc::Json strings_json(const std::vector<std::string>& items) {
  mc::Json json = mc::Json::array();
  for (const auto& item : items) json.push(item);
  return json;
}

mc::Json Explainer::details() const {
  mc::Json closest = mc::Json::object();
  closest.set("after", strings_json(steps_before()));
  closest.set("action", model_.action_label(closest_.action));
  closest.set("action_kind", std::string(to_string(closest_.action.kind)));
  closest.set("failed", failed());
  closest.set("failed_kind", failed_kind());
  closest.set("values", values());
  closest.set("differences", strings_json(differences()));
  mc::Json json = mc::Json::object();
  json.set("server", name(server_));
  json.set("max_spec_steps", max_steps_);
  json.set("tried", strings_json(kind_names(tried_)));
  json.set("closest", std::move(closest));
  return json;
}

}  // namespace

mc::StepExplanation RaftModel::explain_server_steps(
    const State& from, const State& to, int server, int max_steps,
    const std::optional<Message>& network_message) const {
  return Explainer(*this, from, to, server, max_steps, network_message).explain();
}

}  // namespace crosscheck::spec::raft
