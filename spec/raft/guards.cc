// The conjuncts of raft.tla's actions that can be false (raft.h's Guard):
// their text as raft.tla writes it, their place in their action, and the
// values a state gives them.
#include <bit>
#include <string>

#include "spec/raft/raft.h"

namespace crosscheck::spec::raft {

namespace {

struct GuardText {
  const char* text;
  int position;
};

GuardText guard_text(Guard guard) {
  switch (guard) {
    case Guard::kNone: return {"", 0};
    case Guard::kTimeoutState: return {"state[i] \\in {Follower, Candidate}", 0};
    case Guard::kRequestVoteState: return {"state[i] = Candidate", 0};
    case Guard::kNotResponded: return {"j \\notin votesResponded[i]", 1};
    case Guard::kBecomeLeaderState: return {"state[i] = Candidate", 0};
    case Guard::kVotesQuorum: return {"votesGranted[i] \\in Quorum", 1};
    case Guard::kClientRequestState: return {"state[i] = Leader", 0};
    case Guard::kConfigurationCommitted:
      return {"the latest configuration in log[i] is committed (not raft.tla's)", 2};
    case Guard::kTermEntryCommitted:
      return {"an entry of currentTerm[i] is committed (not raft.tla's)", 4};
    case Guard::kNotJoint: return {"the latest configuration is not joint (not raft.tla's)", 3};
    case Guard::kJoint: return {"the latest configuration is joint (not raft.tla's)", 2};
    case Guard::kLogRoom: return {"Len(log[i]) < MaxLog (this model's log capacity)", 1};
    case Guard::kAdvanceState: return {"state[i] = Leader", 0};
    case Guard::kAgreeIndexes: return {"agreeIndexes /= {}", 1};
    case Guard::kCommitCurrentTerm: return {"log[i][Max(agreeIndexes)].term = currentTerm[i]", 2};
    case Guard::kAppendEntriesState: return {"state[i] = Leader", 0};
    case Guard::kNewerTerm: return {"m.mterm > currentTerm[i]", 0};
    case Guard::kStaleTerm: return {"m.mterm < currentTerm[i]", 0};
    case Guard::kResponseTerm: return {"m.mterm = currentTerm[i]", 0};
    case Guard::kRequestTerm: return {"m.mterm <= currentTerm[i]", 0};
    case Guard::kGrantTerm: return {"m.mterm = currentTerm[i]", 1};
    case Guard::kGrantLogOk: return {"logOk", 2};
    case Guard::kGrantVotedFor: return {"votedFor[i] \\in {Nil, j}", 3};
    case Guard::kAcceptTerm: return {"m.mterm = currentTerm[i]", 1};
    case Guard::kAcceptState: return {"state[i] = Follower", 2};
    case Guard::kAcceptLogOk: return {"logOk", 3};
    case Guard::kDoneHasEntry: return {"Len(log[i]) >= index", 4};
    case Guard::kDoneEntryMatches: return {"log[i][index].term = m.mentries[1].term", 5};
    case Guard::kAppendRoom: return {"Len(log[i]) < MaxLog (this model's log capacity)", 6};
    case Guard::kCompactCommitted: return {"commitIndex[i] > snapshotIndex[i] (not raft.tla's)", 0};
    case Guard::kEntriesKept:
      return {"nextIndex[i][j] > snapshotIndex[i] (with snapshots, not raft.tla's)", 1};
    case Guard::kSnapshotNeeded: return {"nextIndex[i][j] <= snapshotIndex[i] (not raft.tla's)", 1};
  }
  return {"?", 0};
}

std::string name(int k) { return "s" + std::to_string(k + 1); }

std::string set_text(uint8_t members, int servers) {
  std::string out = "{";
  for (int k = 0; k < servers; ++k) {
    if (!(members & (1u << k))) continue;
    out += (out.size() > 1 ? ", " : "") + name(k);
  }
  return out + "}";
}

std::string number(int value) { return std::to_string(value); }

// "m.mterm = 2, currentTerm[s3] = 3".
std::string terms(const Message& m, const Server& me, int i) {
  return "m.mterm = " + number(m.term) + ", currentTerm[" + name(i) +
         "] = " + number(me.current_term);
}

std::string vote_log_ok(const Message& m, const Server& me, int i) {
  return "logOk == m.mlastLogTerm > LastTerm(log[i]) \\/ (m.mlastLogTerm = LastTerm(log[i]) /\\ "
         "m.mlastLogIndex >= Len(log[i])), with m.mlastLogTerm = " +
         number(m.last_log_term) + ", m.mlastLogIndex = " + number(m.last_log_index) +
         ", LastTerm(log[" + name(i) + "]) = " + number(me.log.last_term()) + ", Len(log[" +
         name(i) + "]) = " + number(me.log.length());
}

std::string append_log_ok(const Message& m, const Server& me, int i) {
  std::string out =
      "logOk == m.mprevLogIndex = 0 \\/ (m.mprevLogIndex > 0 /\\ m.mprevLogIndex <= Len(log[i]) "
      "/\\ m.mprevLogTerm = log[i][m.mprevLogIndex].term), with m.mprevLogIndex = " +
      number(m.prev_log_index) + ", m.mprevLogTerm = " + number(m.prev_log_term) + ", Len(log[" +
      name(i) + "]) = " + number(me.log.length());
  if (m.prev_log_index >= 1 && m.prev_log_index <= me.log.length()) {
    out += ", log[" + name(i) + "][" + number(m.prev_log_index) +
           "].term = " + number(me.log.term_at(m.prev_log_index));
  }
  return out;
}

// HandleAppendEntriesRequest's "already done with request".
std::string already_done(const Message& m, const Server& me, int i) {
  const int index = m.prev_log_index + 1;
  std::string out = "index = m.mprevLogIndex + 1 = " + number(index) + ", Len(log[" + name(i) +
                    "]) = " + number(me.log.length());
  if (index <= me.log.length()) {
    out += ", log[" + name(i) + "][" + number(index) + "].term = " + number(me.log.term_at(index));
  }
  return out + ", m.mentries[1].term = " + number(m.entry.term);
}

}  // namespace

std::string_view to_string(Guard guard) { return guard_text(guard).text; }

int guard_position(Guard guard) { return guard_text(guard).position; }

namespace {

// The values of the guards membership changes add (not raft.tla's).
std::string configuration_values(Guard guard, const Server& me, int i) {
  switch (guard) {
    case Guard::kNotJoint:
    case Guard::kJoint:
      if (configuration_index(me.log) == 0)
        return "log[" + name(i) + "] has no configuration entry: every server votes";
      return "the latest configuration in log[" + name(i) + "] is " +
             entry_label(me.log.at(configuration_index(me.log)));
    case Guard::kConfigurationCommitted:
      return "commitIndex[" + name(i) + "] = " + number(me.commit_index) +
             ", the latest configuration is at index " + number(configuration_index(me.log));
    case Guard::kTermEntryCommitted:
      return "commitIndex[" + name(i) + "] = " + number(me.commit_index) + ", log[" + name(i) +
             "][commitIndex].term = " + number(me.log.term_at(me.commit_index)) + ", currentTerm[" +
             name(i) + "] = " + number(me.current_term);
    default: return "";
  }
}

}  // namespace

std::string guard_values(Guard guard, const State& s, const Action& action, int servers) {
  const int i = action.server;
  const Server& me = s.servers[i];
  const Message& m = action.message;
  const std::string state = "state[" + name(i) + "] = " + std::string(to_string(me.role));
  switch (guard) {
    case Guard::kNone: return "";
    case Guard::kTimeoutState:
    case Guard::kRequestVoteState:
    case Guard::kBecomeLeaderState:
    case Guard::kClientRequestState:
    case Guard::kAdvanceState:
    case Guard::kAppendEntriesState:
    case Guard::kAcceptState: return state;
    case Guard::kNotResponded:
      return "j = " + name(action.peer) + ", votesResponded[" + name(i) +
             "] = " + set_text(me.votes_responded, servers);
    case Guard::kVotesQuorum: {
      const Configuration configuration = configuration_of(me.log, servers);
      auto quorum = [&](uint32_t voters) {
        return number(std::popcount(voters) / 2 + 1) + " of " +
               set_text(static_cast<uint8_t>(voters), servers);
      };
      std::string text = "votesGranted[" + name(i) + "] = " + set_text(me.votes_granted, servers) +
                         ", and a quorum is " + quorum(configuration.voters);
      if (configuration.old_voters != 0) text += " and " + quorum(configuration.old_voters);
      return text;
    }
    case Guard::kNotJoint:
    case Guard::kJoint:
    case Guard::kConfigurationCommitted:
    case Guard::kTermEntryCommitted: return configuration_values(guard, me, i);
    case Guard::kLogRoom:
    case Guard::kAppendRoom: return "Len(log[" + name(i) + "]) = " + number(me.log.length());
    case Guard::kAgreeIndexes: {
      std::string match;
      for (int k = 0; k < servers; ++k) match += (k ? ", " : "") + number(me.match_index[k]);
      return "matchIndex[" + name(i) + "] = <<" + match + ">>, Len(log[" + name(i) +
             "]) = " + number(me.log.length());
    }
    case Guard::kCommitCurrentTerm: {
      const int agreed = highest_agreed_index(me, i, servers);
      return "Max(agreeIndexes) = " + number(agreed) + ", log[" + name(i) + "][" + number(agreed) +
             "].term = " + number(me.log.term_at(agreed)) + ", currentTerm[" + name(i) +
             "] = " + number(me.current_term);
    }
    case Guard::kNewerTerm:
    case Guard::kStaleTerm:
    case Guard::kResponseTerm:
    case Guard::kRequestTerm:
    case Guard::kGrantTerm:
    case Guard::kAcceptTerm: return terms(m, me, i);
    case Guard::kGrantLogOk: return vote_log_ok(m, me, i);
    case Guard::kGrantVotedFor:
      return "votedFor[" + name(i) + "] = " + (me.voted_for == kNil ? "Nil" : name(me.voted_for)) +
             ", j = " + name(m.source);
    case Guard::kAcceptLogOk: return append_log_ok(m, me, i);
    case Guard::kDoneHasEntry:
    case Guard::kDoneEntryMatches: return already_done(m, me, i);
    case Guard::kCompactCommitted:
      return "commitIndex[" + name(i) + "] = " + number(me.commit_index) + ", snapshotIndex[" +
             name(i) + "] = " + number(me.snapshot_index);
    case Guard::kEntriesKept:
    case Guard::kSnapshotNeeded:
      return "nextIndex[" + name(i) + "][" + name(action.peer) +
             "] = " + number(me.next_index[action.peer]) + ", snapshotIndex[" + name(i) +
             "] = " + number(me.snapshot_index);
  }
  return "";
}

}  // namespace crosscheck::spec::raft
