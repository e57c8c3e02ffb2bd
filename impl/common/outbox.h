// Where a protocol handler writes its effects.
//
// A node never performs I/O: each input (a message, a timeout, a local
// decision, a restart) is a method call that changes the node's state and
// records what the environment must do. Persistence is part of the node's
// state change itself and happens-before the sends recorded here: a caller
// that persists and then sends honours the rule "write the log before the
// message leaves".
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace crosscheck {

using NodeId = int;

template <class Message, class Timer>
class Outbox {
 public:
  struct Send {
    NodeId to;
    Message message;
  };

  void send(NodeId to, Message message) { sends_.push_back({to, std::move(message)}); }
  void set_timer(Timer timer) { timer_changes_.push_back({timer, true}); }
  void cancel_timer(Timer timer) { timer_changes_.push_back({timer, false}); }

  const std::vector<Send>& sends() const { return sends_; }
  // In the order issued: (timer, armed?) pairs; a later change wins.
  const std::vector<std::pair<Timer, bool>>& timer_changes() const { return timer_changes_; }
  bool empty() const { return sends_.empty() && timer_changes_.empty(); }
  void clear() {
    sends_.clear();
    timer_changes_.clear();
  }

 private:
  std::vector<Send> sends_;
  std::vector<std::pair<Timer, bool>> timer_changes_;
};

}  // namespace crosscheck
