// Random schedules for a balancer: picks, completions, and backends marked
// down and up, played against the balancer while the test keeps its own
// record of health and of active requests. Every pick is checked against
// that record: no backend is picked after it was marked down until it is
// marked up, and a balancer refuses a pick only when every backend is down.
// Each balancer's test adds its own check of each pick.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "impl/balancing/health.h"

namespace crosscheck::impl::balancing::testing {

// One scheduling decision: what kind of event, and which backend or active
// request it applies to (taken modulo what there is).
struct Step {
  unsigned kind;
  unsigned which;
};

// Picks are the most common event; the rest mark backends down and up and
// complete requests.
inline rc::Gen<std::vector<Step>> schedules() {
  return rc::gen::scale(
      2.0, rc::gen::container<std::vector<Step>>(rc::gen::construct<Step>(
               rc::gen::inRange<unsigned>(0, 10), rc::gen::inRange<unsigned>(0, 1u << 16))));
}

// What the test knows before a pick.
struct Record {
  std::vector<uint8_t> up;              // as the schedule marked them
  std::vector<int64_t> active;          // picked and not completed
  std::vector<BackendId> since_change;  // the picks since health last changed
};

struct Play {
  bool violated = false;
  std::string violation;
  std::vector<std::string> steps;
};

inline std::string describe(const Play& play) {
  std::ostringstream out;
  for (size_t i = 0; i < play.steps.size(); ++i)
    out << "  " << i + 1 << ". " << play.steps[i] << "\n";
  if (play.violated) out << "  violated: " << play.violation << "\n";
  return out.str();
}

inline std::string backend_name(BackendId backend) { return "b" + std::to_string(backend + 1); }

// Plays `schedule` on `balancer` (with `backends` backends, all up at
// first). `check_pick(picked, record)` judges each pick against the record
// as it was before it; it returns "" when the pick is right.
template <class Balancer, class CheckPick>
Play play(Balancer balancer, int backends, const std::vector<Step>& schedule,
          CheckPick check_pick) {
  Record record{std::vector<uint8_t>(static_cast<size_t>(backends), 1),
                std::vector<int64_t>(static_cast<size_t>(backends), 0),
                {}};
  Play result;
  const auto fail = [&result](std::string why) {
    result.violated = true;
    result.violation = std::move(why);
    return result;
  };
  for (const Step& step : schedule) {
    const auto backend = static_cast<BackendId>(step.which % static_cast<unsigned>(backends));
    if (step.kind <= 5) {
      const std::optional<BackendId> picked = balancer.pick();
      result.steps.push_back(picked ? "pick -> " + backend_name(*picked) : "pick -> none");
      const bool any_up =
          std::any_of(record.up.begin(), record.up.end(), [](uint8_t up) { return up != 0; });
      if (!picked) {
        if (any_up) return fail("refused a pick with a backend up");
        continue;
      }
      if (!record.up[static_cast<size_t>(*picked)])
        return fail(backend_name(*picked) + " was picked while marked down");
      if (std::string why = check_pick(*picked, record); !why.empty()) return fail(why);
      ++record.active[static_cast<size_t>(*picked)];
      record.since_change.push_back(*picked);
    } else if (step.kind == 6) {
      int64_t total = 0;
      for (int64_t a : record.active) total += a;
      if (total == 0) continue;
      // The (which mod total)-th active request, counting backend by backend.
      int64_t index = static_cast<int64_t>(step.which) % total;
      BackendId holder = 0;
      while (index >= record.active[static_cast<size_t>(holder)])
        index -= record.active[static_cast<size_t>(holder++)];
      balancer.on_complete(holder);
      --record.active[static_cast<size_t>(holder)];
      result.steps.push_back("complete a request on " + backend_name(holder));
    } else {
      const bool up = step.kind == 9;
      if (record.up[static_cast<size_t>(backend)] == up) continue;
      balancer.on_health(backend, up ? Health::kUp : Health::kDown);
      record.up[static_cast<size_t>(backend)] = up ? 1 : 0;
      record.since_change.clear();
      result.steps.push_back("mark " + backend_name(backend) + (up ? " up" : " down"));
    }
  }
  return result;
}

}  // namespace crosscheck::impl::balancing::testing
