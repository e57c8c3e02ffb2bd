// Liveness properties, as a model states them, and the weak fairness they
// are checked under (liveness.h checks them).
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace crosscheck::mc {

template <class State>
struct LivenessProperty {
  std::string name;
  // P of P ~> Q; empty for <>Q, which starts at the initial states.
  std::function<bool(const State&)> premise;
  std::function<bool(const State&)> goal;  // Q
};

template <class State>
LivenessProperty<State> eventually(std::string name, std::function<bool(const State&)> goal) {
  return {std::move(name), nullptr, std::move(goal)};
}

template <class State>
LivenessProperty<State> leads_to(std::string name, std::function<bool(const State&)> premise,
                                 std::function<bool(const State&)> goal) {
  return {std::move(name), std::move(premise), std::move(goal)};
}

// A model with liveness properties says which of its actions are weakly
// fair, each in a class of its own kind (e.g. the delivery of one message,
// one node's timer): nullopt for an action that need never happen (a
// fault, a client's choice).
template <class M>
concept HasLiveness = requires(const M& model, const typename M::Action& action) {
  { model.liveness_properties() } -> std::same_as<std::vector<LivenessProperty<typename M::State>>>;
  { model.fair_class(action) } -> std::same_as<std::optional<uint64_t>>;
  { model.fairness() } -> std::convertible_to<std::string>;
};

}  // namespace crosscheck::mc
