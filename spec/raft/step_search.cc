// The search for the spec steps of one server that explain an
// implementation step (RaftModel::reaches_by_server_steps, raft.h).
#include <functional>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "spec/raft/raft.h"
#include "spec/raft/step_search.h"

namespace crosscheck::spec::raft {

namespace detail {

bool matches(const State& from, const State& s, const State& to, int servers) {
  if (s.messages != to.messages || s.restarts != to.restarts) return false;
  for (int k = 0; k < servers; ++k) {
    Server spec = s.servers[k];
    const Server& impl = to.servers[k];
    if (kept_commit_index(from.servers[k].commit_index, spec.commit_index, impl.commit_index)) {
      spec.commit_index = impl.commit_index;
    }
    if (spec != impl) return false;
  }
  return true;
}

bool cannot_reach(const State& s, const State& to, int server, int servers) {
  if (s.restarts > to.restarts) return true;
  for (int k = 0; k < servers; ++k) {
    if (s.servers[k].current_term > to.servers[k].current_term) return true;
  }
  for (const Bag::Item& item : s.messages) {
    if (item.message.source == server && item.message.dest != server &&
        item.count > to.messages.count(item.message)) {
      return true;
    }
  }
  return false;
}

}  // namespace detail

using detail::cannot_reach;
using detail::matches;

bool RaftModel::reaches_by_server_steps(const State& from, const State& to, int server,
                                        int max_steps,
                                        const std::optional<Message>& network_message) const {
  const int n = config_.servers;
  // Iterative deepening keeps the search shallow for the usual one-step
  // case; `seen` remembers the least depth each state was met at.
  std::unordered_map<uint64_t, int> seen;
  std::vector<mc::Successor<Action, State>> successors;
  std::function<bool(const State&, int)> search = [&](const State& s, int budget) {
    if (budget == 0 || cannot_reach(s, to, server, n)) return false;
    successors.clear();
    server_successors(s, server, successors);
    if (network_message && s.messages.count(*network_message) > 0) {
      network_successors(s, *network_message, successors);
    }
    std::vector<State> nexts;
    nexts.reserve(successors.size());
    for (auto& successor : successors) nexts.push_back(std::move(successor.state));
    // The last level is only compared, never hashed: it is most of the
    // states the search meets.
    for (const State& next : nexts) {
      if (matches(from, next, to, n)) return true;
    }
    if (budget == 1) return false;
    for (const State& next : nexts) {
      const uint64_t fp = fingerprint(next);
      auto [at, inserted] = seen.try_emplace(fp, budget - 1);
      if (!inserted) {
        if (at->second >= budget - 1) continue;
        at->second = budget - 1;
      }
      if (search(next, budget - 1)) return true;
    }
    return false;
  };
  if (matches(from, from, to, n)) return true;
  for (int depth = 1; depth <= max_steps; ++depth) {
    seen.clear();
    if (search(from, depth)) return true;
  }
  return false;
}

bool RaftModel::reaches_by_plan(const State& from, const State& to, int server, int max_steps,
                                std::span<const PlannedStep> plan) const {
  const int n = config_.servers;
  State s = from;
  if (matches(from, s, to, n)) return true;
  std::vector<mc::Successor<Action, State>> scratch;
  int steps = 0;
  // One step of the plan's; false where reaches_by_server_steps would not
  // take it.
  auto step = [&](const Action& action) {
    if (steps == max_steps || cannot_reach(s, to, server, n)) return false;
    if (!take(s, action, scratch)) return false;
    ++steps;
    return true;
  };
  using Take = PlannedStep::Take;
  for (const PlannedStep& planned : plan) {
    if (planned.take == Take::kUntilReceived) {
      const int copies = s.messages.count(planned.action.message);
      while (s.messages.count(planned.action.message) == copies) {
        if (!step(planned.action)) return false;
      }
    } else if (!step(planned.action)) {
      if (planned.take == Take::kOnce) return false;
      continue;
    }
    if (matches(from, s, to, n)) return true;
  }
  return false;
}

}  // namespace crosscheck::spec::raft
