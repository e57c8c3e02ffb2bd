// The lock service on the command line: one lock server, clients with
// leases under bounded clock drift and pauses, and a resource that checks
// fencing tokens (with the known-buggy no-fencing, no-drift-margin and herd
// variants), and Redlock on a majority of non-replicated lock nodes
// (redlock-majority).
#include "check/lockservice/model.h"
#include "impl/lockservice/lockservice.h"
#include "model_check/cli/protocol.h"

namespace crosscheck::cli {
namespace {

namespace ls = crosscheck::impl::lockservice;
namespace lockcheck = crosscheck::check::lockservice;

ls::Variant variant_of(const std::string& name) {
  if (name == "no-fencing") return ls::Variant::kNoFencing;
  if (name == "no-drift-margin") return ls::Variant::kNoDriftMargin;
  if (name == "herd") return ls::Variant::kHerd;
  return ls::Variant::kCorrect;
}

lockcheck::LockModel lock_model(const CheckRequest& request) {
  ls::Config config;
  config.servers = 1;
  config.clients = request.value("clients");
  config.lease = request.value("lease");
  config.drift = request.value("drift");
  config.renew_before = request.value("renew-before");
  config.variant = variant_of(request.variant);
  if (config.lease - 2 * config.drift < 1) {
    throw std::invalid_argument(
        "--lease must exceed twice --drift (a client trusts its lease for lease - 2*drift ticks)");
  }
  lockcheck::LockBounds bounds;
  bounds.clocks.drift = config.drift;
  bounds.clocks.horizon = request.value("horizon");
  bounds.clocks.max_pause = request.value("max-pause");
  bounds.clocks.max_pauses = request.value("max-pauses");
  bounds.max_crashes = request.value("max-crashes");
  bounds.max_drops = request.value("max-drops");
  bounds.max_keepalives = request.value("max-keepalives");
  bounds.max_retries = request.value("max-retries");
  return lockcheck::LockModel(config, bounds);
}

lockcheck::RedlockModel redlock_model(const CheckRequest&) { return lockcheck::RedlockModel(3, 1); }

CheckRequest defaults(const std::string& variant) {
  CheckRequest request;
  request.variant = variant;
  request.values = {{"clients", 2},   {"lease", 3},          {"drift", 1},      {"renew-before", 1},
                    {"horizon", 5},   {"max-pause", 3},      {"max-pauses", 1}, {"max-crashes", 0},
                    {"max-drops", 0}, {"max-keepalives", 0}, {"max-retries", 0}};
  return request;
}

std::vector<std::string> properties(const std::string&) {
  return property_names(lock_model(defaults("correct")));
}

mc::CheckResult check(const CheckRequest& request) {
  if (request.variant == "redlock-majority")
    return mc::check(redlock_model(request), request.search);
  return mc::check(lock_model(request), request.search);
}

ModelTools tools(const CheckRequest& request) {
  if (request.variant == "redlock-majority") return model_tools(redlock_model(request));
  return model_tools(lock_model(request));
}

}  // namespace

ProtocolCli lockservice_cli() {
  return ProtocolCli{
      .name = "lockservice",
      .summary =
          "a lock service: sessions with leases under clock drift and pauses, the ZooKeeper lock "
          "recipe, "
          "fencing tokens",
      .models = {{"impl",
                  "one lock server, clients and a fenced resource with explicit time "
                  "(impl/lockservice)"}},
      .variants =
          {
              {"correct",
               "leases trusted for lease - 2*drift, fencing tokens checked, predecessor-only "
               "watches"},
              {"no-fencing",
               "the resource ignores tokens (Kleppmann 2016: a paused holder writes after its "
               "lease)"},
              {"no-drift-margin",
               "clients trust their lease for the full period although clocks drift"},
              {"herd",
               "every waiter watches the lock: a release wakes n-1 clients (OneWakeupPerRelease; 3 "
               "clients by "
               "default, as 2 leave a release only one waiter to wake)"},
              {"redlock-majority",
               "the lock taken on a majority of 3 independent in-memory lock nodes, one of which "
               "restarts"},
          },
      .variant_models = {"impl"},
      .flags =
          {
              {"clients",
               "clients contending for the lock",
               1,
               ls::kMaxClients,
               2,
               {},
               {},
               false,
               {{"herd", 3}}},
              {"lease", "session lease L, in ticks of the server's clock", 2, 20, 3, {}},
              {"drift",
               "clock drift bound d: a clock runs up to d ticks ahead of global time",
               0,
               5,
               1,
               {}},
              {"renew-before",
               "a client renews when at most this many ticks of its lease are left",
               0,
               10,
               1,
               {}},
              {"horizon", "global time stops at this tick", 1, 40, 5, {}},
              {"max-pause",
               "the longest stop-the-world pause of a client, in global ticks",
               0,
               20,
               3,
               {}},
              {"max-pauses", "pauses in all", 0, 4, 1, {}},
              {"max-crashes", "lock server crashes (each an immediate restart)", 0, 4, 0, {}},
              {"max-drops", "messages the network may lose", 0, 4, 0, {}},
              {"max-keepalives", "KeepAlives each client sends in all", 0, 8, 0, {}},
              {"max-retries", "requests each client resends in all", 0, 8, 0, {}},
          },
      .properties = properties,
      .check = check,
      .prove = nullptr,
      .tools = tools,
      // docs/lockservice.md says what it reaches and what it costs.
      .focused_runs = {{.name = "server-crash",
                        .exercises = "the lock server crashes and restarts while clients hold "
                                     "sessions, locks and waits (a crash in place of the pause)",
                        .values = {{"max-crashes", 1}, {"max-pauses", 0}}},
                       {.name = "keepalive",
                        .exercises = "a KeepAlive that renews a session's lease, on clocks "
                                     "without drift",
                        .values = {{"max-keepalives", 1}, {"drift", 0}, {"max-pauses", 0}}}},
  };
}

CROSSCHECK_REGISTER_PROTOCOL(lockservice_cli);

}  // namespace crosscheck::cli
