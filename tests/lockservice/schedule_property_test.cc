// RapidCheck properties over long random schedules of the lock service
// replicated on a three-server Raft cluster, in the actor harness with
// explicit time (tests/lockservice/cluster_binding.h): deliveries, election and
// heartbeat timeouts, client requests, global time advancing, clocks
// running ahead within the drift bound, client pauses, server crashes,
// partitions and lost messages. The properties are checked after every
// step. Each test prints its seed; RC_PARAMS="seed=N" reruns it exactly.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "check/lockservice/model.h"
#include "impl/common/assert.h"
#include "tests/common/property.h"
#include "tests/lockservice/cluster_binding.h"

namespace crosscheck::impl::lockservice {
namespace {

using testing::TimedCluster;

constexpr int kServers = 3;
constexpr int kClients = 3;
constexpr int kMaxPause = 12;
constexpr unsigned kKinds = 64;  // deliveries, inputs and timeouts weigh most; faults least

Config config(Variant variant) {
  Config c;
  c.servers = kServers;
  c.clients = kClients;
  c.lease = 10;
  c.drift = 1;
  c.renew_before = 3;
  c.variant = variant;
  return c;
}

struct Choice {
  unsigned kind;
  unsigned which;
};

// 200 to 1500 choices: a grant through the Raft log takes a few dozen, and
// sessions last a few dozen more.
rc::Gen<std::vector<Choice>> schedules() {
  return rc::gen::mapcat(rc::gen::inRange<size_t>(200, 1500), [](size_t length) {
    return rc::gen::container<std::vector<Choice>>(
        length, rc::gen::construct<Choice>(rc::gen::inRange<unsigned>(0, kKinds),
                                           rc::gen::inRange<unsigned>(0, 1u << 16)));
  });
}

std::string name(const Config& c, NodeId id) {
  if (c.is_server(id)) return "s" + std::to_string(id + 1);
  return "c" + std::to_string(c.client_of(id) + 1);
}

// Takes one step; returns its description, or "" when the chosen event is
// not possible now.
std::string take(TimedCluster& w, const Choice& ch) {
  const Config& c = w.config();
  const int server = static_cast<int>(ch.which % kServers);
  const int client = static_cast<int>(ch.which % kClients);
  const unsigned kind = ch.kind;
  if (kind < 34) {
    if (w.in_flight().empty()) return "";
    const size_t i = ch.which % w.in_flight().size();
    const auto e = w.in_flight()[i];
    w.deliver(i);
    return "deliver " + e.message.label() + " " + name(c, e.from) + "->" + name(c, e.to);
  }
  if (kind < 42) {
    const auto inputs = w.inputs(client);
    if (inputs.empty()) return "";
    const ClientInput input = inputs[ch.which / kClients % inputs.size()];
    const bool taken = w.input(client, input);
    CC_ASSERT(taken);  // one of the inputs the client offers
    return "c" + std::to_string(client + 1) + " " + std::string(to_string(input));
  }
  if (kind < 46) {  // a leader's heartbeat (the first one found from `server` on)
    // Each heartbeat adds four deliveries; beyond a dozen messages in flight
    // it would outpace them and the flight would only grow.
    if (w.in_flight().size() > 12) return "";
    for (int k = 0; k < kServers; ++k) {
      const int s = (server + k) % kServers;
      if (!w.armed(s, Timer::kHeartbeat)) continue;
      w.fire(s, Timer::kHeartbeat);
      return name(c, s) + " heartbeat";
    }
    return "";
  }
  switch (kind) {
    case 46:
    case 47:
      // Mostly while no server leads; now and then one disrupts a leader.
      if (!w.armed(server, Timer::kElection) ||
          (w.some_leader() && (kind == 46 || ch.which % 8 != 0)))
        return "";
      w.fire(server, Timer::kElection);
      return name(c, server) + " election timeout";
    case 48:
      if (!w.advance()) return "";
      return "time " + std::to_string(w.now());
    case 49:
    case 50:
    case 51:
    case 52:
    case 53:
    case 55: {
      const NodeId id = static_cast<NodeId>(ch.which % (kServers + kClients));
      if (!w.tick(id)) return "";
      return name(c, id) + " clock ahead to " + std::to_string(w.clock(id));
    }
    case 54: {
      // A pause falls on a client between its lease check and its write when
      // there is one (the stop-the-world case leases cannot cover).
      int paused = client;
      for (int k = 0; k < kClients; ++k) {
        if (w.client(k).stage() == ClientStage::kAboutToWrite) paused = k;
      }
      const int ticks = 1 + static_cast<int>(ch.which / kClients % kMaxPause);
      if (!w.pause(paused, ticks)) return "";
      return "pause c" + std::to_string(paused + 1) + " for " + std::to_string(ticks);
    }
    case 56:
      if (ch.which % 4 != 0) return "";  // rarer than the other faults: a crash costs an election
      w.restart(server);
      return name(c, server) + " crashes and restarts";
    case 57:
    case 58: {
      if (w.in_flight().empty()) return "";
      const size_t i = ch.which % w.in_flight().size();
      const auto e = w.in_flight()[i];
      w.drop(i);
      return "drop " + e.message.label() + " " + name(c, e.from) + "->" + name(c, e.to);
    }
    case 59: w.isolate(server); return "partition " + name(c, server) + " from the rest";
    default: w.heal(); return "heal the network";
  }
}

struct Snapshot {
  std::vector<LockTable> tables;
  std::vector<uint8_t> applied;
  std::vector<ClientStage> stages;
};

Snapshot snapshot(const TimedCluster& w) {
  Snapshot s;
  for (int i = 0; i < kServers; ++i) {
    s.tables.push_back(w.server(i).table());
    s.applied.push_back(w.server(i).applied());
  }
  for (int c = 0; c < kClients; ++c) s.stages.push_back(w.client(c).stage());
  return s;
}

bool holding(ClientStage stage) {
  return stage == ClientStage::kHolding || stage == ClientStage::kAboutToWrite ||
         stage == ClientStage::kWritten;
}

struct LockRun {
  bool violated = false;
  std::string property;
  std::vector<std::string> steps;
  int grants_learned = 0;
  int stale_writes_rejected = 0;
  int writes_accepted = 0;
};

// The first property the step from `before` to the world broke, or "".
// `last_token` is the largest token a client has learned it holds.
std::string broken(const Snapshot& before, const TimedCluster& w, uint8_t& last_token,
                   int& grants) {
  namespace lockcheck = crosscheck::check::lockservice;
  if (w.believers() > 1) return "LeaseMutualExclusion";
  if (w.stale_write_accepted()) return "FencedMutualExclusion";
  const Snapshot after = snapshot(w);
  for (int c = 0; c < kClients; ++c) {
    if (holding(before.stages[static_cast<size_t>(c)]) ||
        !holding(after.stages[static_cast<size_t>(c)]))
      continue;
    // A client learned a grant: its token beats every token learned before.
    const uint8_t token = w.client(c).token();
    if (token <= last_token) return "TokensStrictlyIncrease";
    last_token = token;
    ++grants;
  }
  for (size_t i = 0; i < kServers; ++i) {
    if (after.applied[i] < before.applied[i]) continue;  // restarted: rebuilt from the log
    const LockTable& a = before.tables[i];
    const LockTable& b = after.tables[i];
    if (!lockcheck::tokens_strictly_increase(a, b)) return "TokensStrictlyIncrease";
    if (!lockcheck::grants_in_queue_order(a, b)) return "GrantsInQueueOrder";
    if (!lockcheck::expiry_keeps_others_locks(a, b, kClients)) return "ExpiryKeepsOthersLocks";
  }
  // Replicas that applied the same prefix of the log hold the same table.
  for (size_t i = 0; i < kServers; ++i) {
    for (size_t j = i + 1; j < kServers; ++j) {
      if (after.applied[i] == after.applied[j] && !(after.tables[i] == after.tables[j]))
        return "ReplicasAgree";
    }
  }
  return "";
}

LockRun run_schedule(Variant variant, const std::vector<Choice>& schedule) {
  TimedCluster w(config(variant), kMaxPause);
  LockRun run;
  uint8_t last_token = 0;
  for (const Choice& choice : schedule) {
    const Snapshot before = snapshot(w);
    std::string step = take(w, choice);
    if (step.empty()) continue;
    run.steps.push_back(std::move(step));
    run.property = broken(before, w, last_token, run.grants_learned);
    if (!run.property.empty()) {
      run.violated = true;
      break;
    }
  }
  run.stale_writes_rejected = w.resource().rejected();
  run.writes_accepted = w.resource().accepted();
  return run;
}

std::string describe(const LockRun& run) {
  std::ostringstream out;
  for (size_t i = 0; i < run.steps.size(); ++i)
    out << "  " << i + 1 << ". " << run.steps[i] << "\n";
  return out.str();
}

TEST(LockSchedules, EveryScheduleKeepsTheSafetyProperties) {
  EXPECT_TRUE(crosscheck::testing::holds_for("lockservice-safety", 2000, [] {
    const auto schedule = *schedules();
    const LockRun run = run_schedule(Variant::kCorrect, schedule);
    RC_CLASSIFY(run.grants_learned == 1, "1 grant learned");
    RC_CLASSIFY(run.grants_learned >= 2, "2+ grants learned");
    RC_CLASSIFY(run.writes_accepted > 0, "a write accepted");
    RC_CLASSIFY(run.stale_writes_rejected > 0, "a stale write rejected");
    if (run.violated) RC_FAIL(run.property + "\n" + describe(run));
  }));
}

// The buggy variants are found by random schedules too (about one
// schedule in a few hundred breaks them). Shrinking a schedule of a
// thousand choices takes RapidCheck 15 to 45 seconds here, too long for a
// test that runs on every change, so these searches do not shrink: they
// print the last steps of the first failing schedule and its seed.
struct FindCase {
  const char* name;
  Variant variant;
  const char* property;
  int tests;  // at most; the search stops at the first failure
};

class LockVariantSchedules : public ::testing::TestWithParam<FindCase> {};

TEST_P(LockVariantSchedules, ARandomScheduleBreaksTheVariant) {
  const FindCase& c = GetParam();
  const std::string id = std::string("lockservice-") + c.name;
  LockRun found;
  auto property = [&] {
    const LockRun run = run_schedule(c.variant, *schedules());
    if (run.violated && !found.violated) found = run;
    RC_ASSERT_FALSE(run.violated);
  };
  rc::detail::TestParams params = crosscheck::testing::seeded_params(id, c.tests);
  params.disableShrinking = true;
  rc::detail::TestMetadata metadata;
  metadata.id = id;
  rc::detail::checkTestable(property, metadata, params);
  ASSERT_TRUE(found.violated) << "no generated schedule broke " << c.name;
  EXPECT_EQ(found.property, c.property) << describe(found);
  std::cerr << found.property << " broken after " << found.steps.size()
            << " steps; the last ones:\n";
  for (size_t i = found.steps.size() > 15 ? found.steps.size() - 15 : 0; i < found.steps.size();
       ++i) {
    std::cerr << "  " << i + 1 << ". " << found.steps[i] << "\n";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Variants, LockVariantSchedules,
    ::testing::Values(FindCase{"no_fencing", Variant::kNoFencing, "FencedMutualExclusion", 20000},
                      FindCase{"no_drift_margin", Variant::kNoDriftMargin, "LeaseMutualExclusion",
                               20000}),
    [](const ::testing::TestParamInfo<FindCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace crosscheck::impl::lockservice
