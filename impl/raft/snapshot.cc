// Log compaction and InstallSnapshot (the Raft paper's §7).
#include <algorithm>

#include "impl/common/assert.h"
#include "impl/raft/node.h"

namespace crosscheck::impl::raft {

namespace {

uint64_t packed(const Entry& e) {
  return uint64_t{e.old_voters} << 24 | uint64_t{e.voters} << 16 | uint64_t{e.term} << 8 | e.value;
}

}  // namespace

void hash_snapshot(const Snapshot& snapshot, StableHasher& hasher) {
  hasher.add(uint64_t{snapshot.index} | uint64_t{snapshot.term} << 8);
  for (int k = 0; k < snapshot.index; k += 2) {
    const uint64_t second = k + 1 < snapshot.index ? packed(snapshot.entries[k + 1]) : 0;
    hasher.add(packed(snapshot.entries[k]) | second << 32);
  }
}

void rename_voters(Entry& entry, const NodeRenaming& renaming) {
  entry.voters = static_cast<uint8_t>(renaming.set_of(entry.voters));
  entry.old_voters = static_cast<uint8_t>(renaming.set_of(entry.old_voters));
}

void rename_voters(Snapshot& snapshot, const NodeRenaming& renaming) {
  for (int k = 0; k < snapshot.index; ++k) rename_voters(snapshot.entries[k], renaming);
}

const Entry& RaftNode::entry_at(int index) const {
  CC_ASSERT(index > persistent_.snapshot.index && index <= last_log_index());
  return persistent_.log[static_cast<size_t>(index - persistent_.snapshot.index - 1)];
}

// The snapshot keeps its last entry's term (the paper's §7: "the last
// included term ... to support the AppendEntries consistency check"); 0
// past the end of the log.
uint8_t RaftNode::term_at(int index) const {
  if (index == persistent_.snapshot.index) return persistent_.snapshot.term;
  if (index > last_log_index()) return 0;
  return entry_at(index).term;
}

const Entry& RaftNode::entry_in_full_log(int index) const {
  if (index > persistent_.snapshot.index) return entry_at(index);
  CC_ASSERT(index >= 1);
  return persistent_.snapshot.entries[static_cast<size_t>(index - 1)];
}

EntryVector RaftNode::full_log() const {
  EntryVector entries;
  for (int k = 0; k < persistent_.snapshot.index; ++k)
    entries.push_back(persistent_.snapshot.entries[static_cast<size_t>(k)]);
  for (const Entry& entry : persistent_.log) entries.push_back(entry);
  return entries;
}

// "Each server takes snapshots independently, covering just the committed
// entries in its log" (§7): here, every entry its state machine has applied.
void RaftNode::on_compact(RaftOutbox& /*out*/) {
  CC_ASSERT(can_compact());
  const Persistent before = persistent_;
  const uint8_t before_commit = volatile_.commit_index;
  Snapshot& snapshot = persistent_.snapshot;
  const auto index = static_cast<int>(volatile_.applied.size());
  CC_ASSERT(index <= kMaxSnapshotEntries);
  const uint8_t term = term_at(index);
  EntryVector kept;
  for (int i = index + 1; i <= last_log_index(); ++i) kept.push_back(entry_at(i));
  for (int k = snapshot.index; k < index; ++k)
    snapshot.entries[static_cast<size_t>(k)] = volatile_.applied[static_cast<size_t>(k)];
  snapshot.index = static_cast<uint8_t>(index);
  snapshot.term = term;
  persistent_.log = kept;
  check_step(before, before_commit);
}

// "the leader must occasionally send snapshots to followers that lag
// behind" (§7): those whose next entry it has compacted away.
void RaftNode::send_snapshot(NodeId to, RaftOutbox& out) {
  Message request;
  request.type = MessageType::kInstallSnapshot;
  request.term = persistent_.current_term;
  request.snapshot = persistent_.snapshot;
  request.read_round = lease_reads_ ? volatile_.read.lease_round : volatile_.read.round;
  out.send(to, request);
}

// "If instead the follower receives a snapshot that describes a prefix of
// its log (due to retransmission or by mistake), then log entries covered
// by the snapshot are deleted but entries following the snapshot are still
// valid and must be retained." Otherwise "the follower discards its entire
// log; it is all superseded by the snapshot" (§7; Figure 13's receiver
// rules 6 and 7). A snapshot no newer than the follower's own tells it
// nothing.
void RaftNode::handle_install_snapshot(NodeId from, const Message& m, RaftOutbox& out) {
  Message response;
  response.type = MessageType::kAppendEntriesResponse;
  response.term = persistent_.current_term;
  response.read_round = answered_round(m);
  if (!follows_sender(from, m, response, out)) return;
  const Snapshot& snapshot = m.snapshot;
  if (snapshot.index > persistent_.snapshot.index) {
    const bool describes_prefix =
        snapshot.index <= last_log_index() && term_at(snapshot.index) == snapshot.term;
    if (describes_prefix && variant_ != Variant::kSnapshotDiscardsSuffix) {
      commit_to(std::max(volatile_.commit_index, snapshot.index));
      EntryVector kept;
      for (int i = snapshot.index + 1; i <= last_log_index(); ++i) kept.push_back(entry_at(i));
      persistent_.snapshot = snapshot;
      persistent_.log = kept;
    } else {
      restore(snapshot);
    }
  }
  response.success = true;
  response.match_index = snapshot.index;
  out.send(from, response);
}

// The log gives way to the snapshot, and the state machine is reset to it.
void RaftNode::restore(const Snapshot& snapshot) {
  persistent_.snapshot = snapshot;
  persistent_.log.clear();
  volatile_.commit_index = snapshot.index;
  volatile_.applied.clear();
  for (int k = 0; k < snapshot.index; ++k)
    volatile_.applied.push_back(snapshot.entries[static_cast<size_t>(k)]);
}

}  // namespace crosscheck::impl::raft
