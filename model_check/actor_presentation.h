// How the actor harness shows what it explores: a state as JSON, a step's
// label, its kind (for coverage) and its event between the nodes (for
// message-sequence charts). ActorModel's members, defined apart from the
// successors they describe; actor.h includes this file at its end.
#pragma once

#include <bit>
#include <string>

#include "model_check/actor.h"

namespace crosscheck::mc {

template <class P>
Json ActorModel<P>::state_json(const State& state) const {
  Json json = Json::object();
  if constexpr (kClocks) json.set("time", time_json(state));
  json.set("nodes", nodes_json(state));
  Json network = Json::array();
  for (const auto& packet : state.network) {
    std::string text =
        message_label(packet.message) + " " + name(packet.from) + "->" + name(packet.to);
    if (packet.count > 1) text += " x" + std::to_string(packet.count);
    network.push(text);
  }
  json.set("network", std::move(network));
  json.set("faults", faults_json(state));
  if constexpr (requires { protocol_.history_json(state.history); }) {
    json.set("history", protocol_.history_json(state.history));
  }
  return json;
}

template <class P>
std::string ActorModel<P>::action_label(const Action& action) const {
  const std::string node = name(action.node);
  const std::string link = name(action.from) + "->" + node;
  switch (action.kind) {
    case Action::Kind::kDeliver: return "Deliver " + message_label(action.message) + " " + link;
    case Action::Kind::kTimeout: return "Timeout " + node + " " + timer_label(action.timer);
    case Action::Kind::kInput: return "Input " + node + " " + input_label(action.input);
    case Action::Kind::kDrop: return "Drop " + message_label(action.message) + " " + link;
    case Action::Kind::kDuplicate:
      return "Deliver duplicate " + message_label(action.message) + " " + link;
    case Action::Kind::kCrash: return "Crash " + node;
    case Action::Kind::kStop: return "Stop " + node;
    case Action::Kind::kAdvance: return "Advance time to " + std::to_string(action.amount);
    case Action::Kind::kTick: return "Tick " + node + " clock to " + std::to_string(action.amount);
    case Action::Kind::kPause:
      return "Pause " + node + " for " + std::to_string(action.amount) + " ticks";
    case Action::Kind::kIsolate: return "Isolate " + node;
    case Action::Kind::kHeal: return "Heal " + node;
  }
  return "?";
}

// For coverage and swarm weights: the step's kind without its nodes, e.g.
// "Deliver RequestVote", "Timeout election", "Crash".
template <class P>
std::string ActorModel<P>::action_kind(const Action& action) const {
  auto first_word = [](const std::string& label) {
    return label.substr(0, label.find_first_of(" ("));
  };
  switch (action.kind) {
    case Action::Kind::kDeliver: return "Deliver " + first_word(message_label(action.message));
    case Action::Kind::kDuplicate:
      return "Deliver duplicate " + first_word(message_label(action.message));
    case Action::Kind::kDrop: return "Drop " + first_word(message_label(action.message));
    case Action::Kind::kTimeout: return "Timeout " + timer_label(action.timer);
    case Action::Kind::kInput: return "Input " + first_word(input_label(action.input));
    case Action::Kind::kCrash: return "Crash";
    case Action::Kind::kStop: return "Stop";
    case Action::Kind::kAdvance: return "Advance time";
    case Action::Kind::kTick: return "Tick";
    case Action::Kind::kPause: return "Pause";
    case Action::Kind::kIsolate: return "Isolate";
    case Action::Kind::kHeal: return "Heal";
  }
  return "?";
}

template <class P>
StepEvent ActorModel<P>::initial_event(const State& state) const {
  StepEvent event;
  event.kind = "initial";
  add_sent(event, {}, state.network);
  return event;
}

template <class P>
StepEvent ActorModel<P>::step_event(const State& from, const Action& action,
                                    const State& to) const {
  StepEvent event = describe(action);
  // What the step sent is what is in flight after it and was not before,
  // less the copy a delivery or a drop took out.
  auto before = from.network;
  if (action.kind == Action::Kind::kDeliver || action.kind == Action::Kind::kDrop) {
    const size_t at = network::find(before, packet(action.from, action.node, action.message));
    if (at < before.size()) network::remove_copy(before, at);
  }
  add_sent(event, before, to.network);
  return event;
}

// The event of a step, without what it sent.
template <class P>
StepEvent ActorModel<P>::describe(const Action& action) const {
  StepEvent event;
  event.node = name(action.node);
  auto is = [&event](const char* kind, std::string text) {
    event.kind = kind;
    event.text = std::move(text);
  };
  const std::string amount = std::to_string(action.amount);
  switch (action.kind) {
    case Action::Kind::kDeliver: is("message", message_label(action.message)); break;
    case Action::Kind::kDrop: is("drop", message_label(action.message)); break;
    case Action::Kind::kDuplicate: is("duplicate", message_label(action.message)); break;
    case Action::Kind::kTimeout: is("timeout", timer_label(action.timer)); break;
    case Action::Kind::kInput: is("input", input_label(action.input)); break;
    case Action::Kind::kCrash: is("crash", "restarts from stable storage"); break;
    case Action::Kind::kStop: is("crash", "stops for good"); break;
    case Action::Kind::kAdvance:
      is("tick", "now " + amount);
      event.node = kTimeLifeline;
      break;
    case Action::Kind::kTick: is("tick", "clock " + amount); break;
    case Action::Kind::kPause: is("timeout", "paused " + amount); break;
    case Action::Kind::kIsolate: is("crash", "cut off from every node"); break;
    case Action::Kind::kHeal: is("restart", "reconnected"); break;
  }
  const bool on_link = action.kind == Action::Kind::kDeliver ||
                       action.kind == Action::Kind::kDrop ||
                       action.kind == Action::Kind::kDuplicate;
  if (on_link) event.from = name(action.from);
  return event;
}

template <class P>
Json ActorModel<P>::nodes_json(const State& state) const {
  Json nodes = Json::object();
  for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
    uint8_t reading = 0;
    if constexpr (kClocks) reading = state.time.clocks.local[id];
    Json node = hooks::node_json(protocol_, id, state.nodes[id], reading);
    if (!kClocks || state.armed_timers[id] != 0) {
      Json timers = Json::array();
      for (uint32_t armed = state.armed_timers[id]; armed != 0; armed &= armed - 1) {
        timers.push(timer_label(static_cast<Timer>(std::countr_zero(armed))));
      }
      node.set("timers", std::move(timers));
    }
    if constexpr (kClocks) {
      if (hooks::has_clock(protocol_, id)) node.set("clock", int{reading});
      if (state.time.clocks.paused(id))
        node.set("paused_until", int{state.time.clocks.paused_until[id]});
    }
    nodes.set(name(id), std::move(node));
  }
  return nodes;
}

template <class P>
Json ActorModel<P>::time_json(const State& state) const {
  Json time = Json::object();
  if constexpr (kClocks) {
    time.set("now", int{state.time.clocks.now});
    if (budgets_.max_pauses > 0) time.set("pauses", int{state.time.clocks.pauses_taken});
  }
  return time;
}

template <class P>
Json ActorModel<P>::faults_json(const State& state) const {
  Json faults = Json::object();
  faults.set("drops", state.drops);
  faults.set("duplicates", state.duplicates);
  faults.set("crashes", state.crashes);
  auto names_of = [&](uint32_t nodes) {
    Json list = Json::array();
    for (NodeId id = 0; id < static_cast<NodeId>(state.nodes.size()); ++id) {
      if ((nodes & bit(id)) != 0) list.push(name(id));
    }
    return list;
  };
  if (budgets_.max_stops > 0) faults.set("stopped", names_of(state.stopped));
  if (budgets_.max_partitions > 0) faults.set("isolated", names_of(state.isolated));
  return faults;
}

}  // namespace crosscheck::mc
