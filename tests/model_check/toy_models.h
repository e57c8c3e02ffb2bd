// Small models whose state spaces can be counted by hand, for testing the
// checker core without any protocol.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "impl/common/hash.h"
#include "model_check/model.h"

namespace crosscheck::mc::testing {

// Two counters on a grid: IncX and IncY, each always enabled; the state
// constraint keeps both at most `limit`. (limit+1)^2 states; the longest
// shortest path visits 2*limit+1 states.
class GridModel {
 public:
  struct State {
    int x = 0;
    int y = 0;
    bool operator==(const State&) const = default;
  };
  enum class Action { kIncX, kIncY };

  explicit GridModel(int limit, bool guard_actions = false)
      : limit_(limit), guard_actions_(guard_actions) {}

  std::vector<State> initial_states() const { return {State{}}; }
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    if (!guard_actions_ || s.x < limit_) out.push_back({Action::kIncX, {s.x + 1, s.y}});
    if (!guard_actions_ || s.y < limit_) out.push_back({Action::kIncY, {s.x, s.y + 1}});
  }
  bool within_bounds(const State& s) const { return s.x <= limit_ && s.y <= limit_; }
  uint64_t fingerprint(const State& s) const { return StableHasher().add(s.x).add(s.y).digest(); }
  Json state_json(const State& s) const {
    Json json = Json::object();
    json.set("x", s.x);
    json.set("y", s.y);
    return json;
  }
  std::string action_label(const Action& a) const { return a == Action::kIncX ? "IncX" : "IncY"; }
  std::vector<StateProperty<State>> properties() const { return properties_; }
  bool check_deadlock() const { return check_deadlock_; }

  std::vector<StateProperty<State>> properties_;
  bool check_deadlock_ = false;

 private:
  int limit_;
  bool guard_actions_;
};

// The Die Hard jugs puzzle (a 3- and a 5-gallon jug; measure 4 gallons), as
// in the TLA+ video course's DieHard.tla.
class DieHardModel {
 public:
  struct State {
    int small = 0;
    int big = 0;
    bool operator==(const State&) const = default;
  };
  using Action = std::string;

  std::vector<State> initial_states() const { return {State{}}; }
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    out.push_back({"FillSmallJug", {3, s.big}});
    out.push_back({"FillBigJug", {s.small, 5}});
    out.push_back({"EmptySmallJug", {0, s.big}});
    out.push_back({"EmptyBigJug", {s.small, 0}});
    int to_big = std::min(s.small, 5 - s.big);
    out.push_back({"SmallToBig", {s.small - to_big, s.big + to_big}});
    int to_small = std::min(s.big, 3 - s.small);
    out.push_back({"BigToSmall", {s.small + to_small, s.big - to_small}});
  }
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& s) const {
    return StableHasher().add(s.small).add(s.big).digest();
  }
  Json state_json(const State& s) const {
    Json json = Json::object();
    json.set("small", s.small);
    json.set("big", s.big);
    return json;
  }
  std::string action_label(const Action& a) const { return a; }
  std::vector<StateProperty<State>> properties() const { return properties_; }

  std::vector<StateProperty<State>> properties_;
};

// A counter whose states have no ==: it can only be told apart by
// fingerprint.
struct CounterWithoutEquality {
  struct State {
    int n = 0;
  };
  using Action = int;
  std::vector<State> initial_states() const { return {State{}}; }
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    if (s.n < 3) out.push_back({0, {s.n + 1}});
  }
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& s) const { return StableHasher().add(s.n).digest(); }
  Json state_json(const State& s) const {
    Json json = Json::object();
    json.set("n", s.n);
    return json;
  }
  std::string action_label(const Action&) const { return "Inc"; }
  std::vector<StateProperty<State>> properties() const { return {}; }
};

}  // namespace crosscheck::mc::testing
