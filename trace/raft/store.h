// Shared, interned parts of the validator's spec states. A trace of
// 100,000 events grows logs of thousands of entries; a state holds its log
// as the id of the log's last entry in a LogStore, so copying a state does
// not copy its log, and two equal logs have one id.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "trace/raft/trace.h"

namespace crosscheck::trace::raft {

// A configuration: voters, the outgoing voters of a joint configuration,
// and learners; each ascending.
struct Config {
  std::vector<NodeId> voters;
  std::vector<NodeId> outgoing;
  std::vector<NodeId> learners;

  bool operator==(const Config&) const = default;
};

using ConfigId = uint32_t;
constexpr ConfigId kNoConfig = 0;  // a log entry that is not a configuration

class ConfigStore {
 public:
  ConfigStore();
  ConfigId intern(const Config& config);
  const Config& get(ConfigId id) const { return configs_[id]; }

 private:
  std::deque<Config> configs_;  // a deque: references stay valid as it grows
};

// Logs as paths in a tree of entries: the log is the path from the root
// to its last entry. Entries are hash-consed, so equal logs share one id,
// and jump pointers find the entry at any index in logarithmic time.
using LogId = uint32_t;
constexpr LogId kEmptyLog = 0;

class LogStore {
 public:
  LogStore();
  LogId append(LogId log, uint64_t term, ConfigId config);
  LogId prefix(LogId log, uint64_t length) const;
  uint64_t length(LogId log) const { return entries_[log].index; }
  // The term of the entry at index (1-based); 0 for index 0.
  uint64_t term_at(LogId log, uint64_t index) const;
  uint64_t last_term(LogId log) const { return entries_[log].term; }
  ConfigId config_at(LogId log, uint64_t index) const;

 private:
  struct Entry {
    LogId parent;
    LogId jump;
    uint64_t index;
    uint64_t term;
    ConfigId config;
  };
  struct Key {
    LogId parent;
    uint64_t term;
    ConfigId config;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& key) const;
  };
  std::deque<Entry> entries_;  // a deque: references stay valid as it grows
  std::unordered_map<Key, LogId, KeyHash> children_;
};

}  // namespace crosscheck::trace::raft
