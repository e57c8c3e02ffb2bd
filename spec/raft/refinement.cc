#include "spec/raft/refinement.h"

namespace crosscheck::spec::raft {

Message abstract_message(const implraft::Message& m, NodeId from, NodeId to) {
  Message s;
  s.type = static_cast<MessageType>(m.type);
  s.term = m.term;
  s.source = static_cast<uint8_t>(from);
  s.dest = static_cast<uint8_t>(to);
  s.last_log_term = m.last_log_term;
  s.last_log_index = m.last_log_index;
  s.vote_granted = m.vote_granted;
  s.prev_log_index = m.prev_log_index;
  s.prev_log_term = m.prev_log_term;
  s.has_entry = m.has_entry;
  s.entry = {m.entry.term, m.entry.value};
  s.commit_index = m.commit_index;
  s.success = m.success;
  s.match_index = m.match_index;
  return s;
}

Server abstract_server(const implraft::RaftNode& node) {
  Server server;
  server.current_term = node.term();
  server.role = static_cast<Role>(node.role());
  server.voted_for = node.persistent().voted_for;
  for (const auto& entry : node.log()) {
    if (server.log.full()) break;  // beyond every bound; the log comparison fails
    server.log.append({entry.term, entry.value});
  }
  const auto& v = node.volatile_state();
  server.commit_index = v.commit_index;
  server.votes_responded = v.votes_responded;
  server.votes_granted = v.votes_granted;
  server.next_index = v.next_index;
  server.match_index = v.match_index;
  return server;
}

int max_spec_steps(int servers) { return servers + kMaxLog + 5; }

}  // namespace crosscheck::spec::raft
