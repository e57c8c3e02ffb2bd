// The refinement map from the Paxos implementation (impl/paxos) in the
// actor harness (model_check/actor.h) to Paxos.tla: the acceptors'
// persistent variables are maxBal, maxVBal and maxVal, and msgs is a
// history of every message sent, each recorded as Paxos.tla's record of it.
#pragma once

#include <concepts>
#include <variant>

#include "impl/common/outbox.h"
#include "impl/paxos/paxos.h"
#include "model_check/actor.h"
#include "spec/paxos/paxos.h"

namespace crosscheck::spec::paxos {

namespace implpaxos = crosscheck::impl::paxos;

// Paxos.tla's record, in `universe`, of message `m` sent by node `from`.
int abstract_message(const Universe& universe, const implpaxos::Config& config, NodeId from,
                     const implpaxos::Message& m);

// The refinement map, for a binding whose acceptors are nodes
// config.acceptor_id(0..acceptors-1) and whose history is msgs: the
// abstract_message of every message sent.
template <class P>
requires std::same_as<typename P::History, MessageSet> State
abstract_state(const implpaxos::Config& config, const mc::ActorState<P>& state) {
  State s;
  for (int a = 0; a < config.acceptors; ++a) {
    const auto& persistent =
        std::get<implpaxos::Acceptor>(state.nodes[config.acceptor_id(a)]).persistent();
    s.max_bal[a] = persistent.max_ballot;
    s.max_vbal[a] = persistent.voted_ballot;
    s.max_val[a] = persistent.voted_value;
  }
  s.msgs = state.history;
  return s;
}

}  // namespace crosscheck::spec::paxos
