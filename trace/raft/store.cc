#include "trace/raft/store.h"

#include <functional>

namespace crosscheck::trace::raft {

ConfigStore::ConfigStore() : configs_(1) {}

ConfigId ConfigStore::intern(const Config& config) {
  for (ConfigId id = 1; id < configs_.size(); ++id)
    if (configs_[id] == config) return id;
  configs_.push_back(config);
  return static_cast<ConfigId>(configs_.size() - 1);
}

size_t LogStore::KeyHash::operator()(const Key& key) const {
  size_t hash = std::hash<uint64_t>()(key.term);
  hash = hash * 1000003u ^ key.parent;
  return hash * 1000003u ^ key.config;
}

LogStore::LogStore() { entries_.push_back({kEmptyLog, kEmptyLog, 0, 0, kNoConfig}); }

LogId LogStore::append(LogId log, uint64_t term, ConfigId config) {
  const Key key{log, term, config};
  if (auto found = children_.find(key); found != children_.end()) return found->second;
  // Jump pointers after Myers: the jump of a new entry skips as far as its
  // parent's jump's jump when the two jumps below it are the same length,
  // which makes every ancestor reachable in O(log n) jumps.
  const Entry& parent = entries_[log];
  const Entry& parent_jump = entries_[parent.jump];
  const bool equal_spans =
      parent.index - parent_jump.index == parent_jump.index - entries_[parent_jump.jump].index;
  const LogId jump = log != kEmptyLog && equal_spans ? parent_jump.jump : log;
  entries_.push_back({log, jump, parent.index + 1, term, config});
  const LogId id = static_cast<LogId>(entries_.size() - 1);
  children_.emplace(key, id);
  return id;
}

LogId LogStore::prefix(LogId log, uint64_t length) const {
  while (entries_[log].index > length) {
    const Entry& entry = entries_[log];
    log = entries_[entry.jump].index >= length ? entry.jump : entry.parent;
  }
  return log;
}

uint64_t LogStore::term_at(LogId log, uint64_t index) const {
  if (index == 0 || index > length(log)) return 0;
  return entries_[prefix(log, index)].term;
}

ConfigId LogStore::config_at(LogId log, uint64_t index) const {
  if (index == 0 || index > length(log)) return kNoConfig;
  return entries_[prefix(log, index)].config;
}

}  // namespace crosscheck::trace::raft
