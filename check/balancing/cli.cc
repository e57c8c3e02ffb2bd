// Health-check failover on the command line: backends that crash and
// recover, a health checker, and a round-robin router, in rounds (with the
// known-buggy rr-skip-down-late variant).
#include "check/balancing/model.h"
#include "impl/balancing/failover.h"
#include "model_check/cli/protocol.h"

namespace crosscheck::cli {
namespace {

namespace failover = crosscheck::impl::balancing::failover;
namespace balancingcheck = crosscheck::check::balancing;

balancingcheck::FailoverModel failover_model(const CheckRequest& request) {
  failover::Config config;
  config.backends = request.value("backends");
  config.requests = request.value("requests");
  config.missed_heartbeats = request.value("missed-heartbeats");
  config.variant = request.variant == "rr-skip-down-late"
                       ? impl::balancing::RoundRobinVariant::kSkipDownLate
                       : impl::balancing::RoundRobinVariant::kCorrect;
  balancingcheck::FailoverBounds bounds;
  bounds.max_crashes = request.value("max-crashes");
  bounds.response_rounds = request.value("response-rounds");
  mc::FaultBudgets budgets;
  budgets.max_drops = request.value("max-drops");
  budgets.max_duplicates = request.value("max-duplicates");
  return balancingcheck::make_failover_model(config, bounds, budgets);
}

std::vector<std::string> properties(const std::string&) {
  CheckRequest request;
  request.values = {{"backends", 2},       {"requests", 2},  {"missed-heartbeats", 2},
                    {"max-crashes", 1},    {"max-drops", 0}, {"max-duplicates", 0},
                    {"response-rounds", 4}};
  return property_names(failover_model(request));
}

mc::CheckResult check(const CheckRequest& request) {
  return mc::check(failover_model(request), request.search);
}

ModelTools tools(const CheckRequest& request) { return model_tools(failover_model(request)); }

}  // namespace

ProtocolCli balancing_cli() {
  return ProtocolCli{
      .name = "balancing-failover",
      .summary =
          "health-check failover: crashing backends, a heartbeat checker and a round-robin router, "
          "in rounds",
      .models = {{"impl",
                  "backends, checker and router in the actor harness (impl/balancing/failover.h)"}},
      .variants =
          {
              {"correct", "failover as specified"},
              {"rr-skip-down-late",
               "round robin picks a backend once more after it is marked down"},
          },
      .variant_models = {"impl"},
      .flags =
          {
              {"backends", "backends behind the router", 1, failover::kMaxBackends, 2, {}},
              {"requests",
               "client requests the router receives in all",
               0,
               failover::kMaxRequests,
               2,
               {}},
              {"missed-heartbeats",
               "probes missed in a row before the checker marks a backend down",
               1,
               failover::kMaxMissedHeartbeats,
               2,
               {}},
              {"max-crashes",
               "backend crashes in all (a crashed backend may recover)",
               0,
               8,
               1,
               {}},
              {"max-drops", "messages the network may lose", 0, 8, 0, {}},
              {"max-duplicates", "messages the network may duplicate", 0, 8, 0, {}},
              {"response-rounds",
               "BoundedResponse: rounds a request may wait while a backend is up",
               0,
               30,
               4,
               {}},
          },
      .properties = properties,
      .check = check,
      .prove = nullptr,
      .tools = tools,
  };
}

CROSSCHECK_REGISTER_PROTOCOL(balancing_cli);

}  // namespace crosscheck::cli
