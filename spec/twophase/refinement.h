// The refinement map from the two-phase commit implementation
// (impl/twophase) in the actor harness (model_check/actor.h) to TCommit: the
// RMs' logged statuses are TCommit's rmState.
#pragma once

#include <concepts>
#include <variant>

#include "impl/common/outbox.h"
#include "impl/twophase/resource_manager.h"
#include "impl/twophase/transaction_manager.h"
#include "model_check/actor.h"
#include "spec/twophase/tcommit.h"

namespace crosscheck::spec::twophase {

namespace impl2pc = crosscheck::impl::twophase;

// TCommit's rmState of one RM: its logged status.
tcommit::RmState rm_state(const impl2pc::ResourceManager& rm);

// The refinement map, for a binding whose nodes are the transaction manager
// (node 0) and the RMs (nodes 1..n).
template <class P>
requires std::same_as<typename P::Node,
                      std::variant<impl2pc::TransactionManager, impl2pc::ResourceManager>>
    tcommit::State abstract_state(const mc::ActorState<P>& state) {
  const int rm_count = static_cast<int>(state.nodes.size()) - 1;
  tcommit::State abstract(rm_count);
  for (NodeId rm = 1; rm <= rm_count; ++rm) {
    abstract.set(rm - 1, rm_state(std::get<impl2pc::ResourceManager>(state.nodes[rm])));
  }
  return abstract;
}

}  // namespace crosscheck::spec::twophase
