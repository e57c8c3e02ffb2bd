// What the search for the spec steps that explain an implementation step
// (RaftModel::reaches_by_server_steps, step_search.cc) and its explanation
// when there are none (explain.cc) share.
#pragma once

#include <cstdint>

#include "spec/raft/raft.h"

namespace crosscheck::spec::raft::detail {

// The one departure the refinement allows: raft.tla lowered a follower's
// commitIndex (`spec`, from `before`) on a stale request, and the
// implementation kept it (`impl`).
inline bool kept_commit_index(uint8_t before, uint8_t spec, uint8_t impl) {
  return impl > spec && impl == before;
}

// `to` matched by a spec state `s` reached from `from`: equal protocol
// variables, but a commitIndex the spec lowered may have stayed.
bool matches(const State& from, const State& s, const State& to, int servers);

// A state that cannot lead to `to` by steps of `server`: terms and restarts
// never decrease, and a message `server` sent cannot be taken back (unless
// it sent it to itself, and will receive it).
bool cannot_reach(const State& s, const State& to, int server, int servers);

}  // namespace crosscheck::spec::raft::detail
