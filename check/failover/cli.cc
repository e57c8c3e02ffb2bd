// Primary-backup failover on the command line: a lease-holding primary,
// its backups and clients, with explicit time (drift, pauses, a horizon)
// and its two known-buggy variants.
#include <stdexcept>

#include "check/failover/model.h"
#include "impl/failover/failover.h"
#include "model_check/cli/protocol.h"

namespace crosscheck::cli {
namespace {

namespace implfo = crosscheck::impl::failover;
namespace focheck = crosscheck::check::failover;

implfo::Variant variant_of(const std::string& name) {
  if (name == "promote-on-missed-heartbeat") return implfo::Variant::kPromoteOnMissedHeartbeat;
  if (name == "ack-before-replicate") return implfo::Variant::kAckBeforeReplicate;
  return implfo::Variant::kCorrect;
}

focheck::FailoverModel model(const CheckRequest& request) {
  implfo::Config config;
  config.replicas = static_cast<uint8_t>(request.value("backups") + 1);
  config.clients = static_cast<uint8_t>(request.value("clients"));
  config.ops = static_cast<uint8_t>(request.value("ops"));
  config.heartbeat = static_cast<uint8_t>(request.value("heartbeat"));
  config.lease = static_cast<uint8_t>(request.value("lease"));
  config.drift = static_cast<uint8_t>(request.value("drift"));
  config.variant = variant_of(request.variant);
  if (!config.valid()) {
    throw std::invalid_argument(
        "--lease must exceed twice --drift, and --clients times --ops be at most " +
        std::to_string(implfo::kMaxLog));
  }
  if (request.value("max-crashes") > config.replicas) {
    throw std::invalid_argument("--max-crashes must be at most the replicas (--backups + 1 = " +
                                std::to_string(config.replicas) + ")");
  }
  focheck::Bounds bounds;
  bounds.horizon = request.value("horizon");
  bounds.max_pause = request.value("max-pause");
  bounds.max_pauses = request.value("max-pauses");
  bounds.max_crashes = request.value("max-crashes");
  bounds.max_drops = request.value("max-drops");
  bounds.max_messages = request.value("max-messages");
  return focheck::FailoverModel(config, bounds);
}

// The defaults (docs/failover.md): one backup and one client with two
// requests; a lease of 5 ticks with drift 1, so the primary trusts 3;
// heartbeats every 2 ticks; time up to 7, long enough for the backup to
// wait out a lease and promote itself; one crash. Pauses are off by
// default: a pause is, to the other nodes, a delay the checker already
// explores; --max-pause turns them on.
const std::vector<IntFlag> kFlags = {
    {"backups",
     "backups of the primary; the lowest-numbered one is promoted",
     1,
     implfo::kMaxReplicas - 1,
     1,
     {}},
    {"clients",
     "clients, each sending its requests one at a time to every replica",
     0,
     implfo::kMaxClients,
     1,
     {}},
    {"ops", "requests per client: a read, or a write of a fresh value", 0, implfo::kMaxLog, 2, {}},
    {"heartbeat", "ticks between a primary's heartbeats (Appends)", 1, 20, 2, {}},
    {"lease",
     "ticks a backup promises not to promote after it acknowledges; the primary trusts lease - "
     "2*drift",
     1,
     60,
     5,
     {}},
    {"drift",
     "how far a replica's clock may run ahead of global time (model_check/clocks.h)",
     0,
     10,
     1,
     {}},
    {"horizon", "global time stops at this tick", 1, 60, 6, {}},
    {"max-pause", "the longest pause of a replica, in global ticks (0: no pauses)", 0, 20, 0, {}},
    {"max-pauses", "pauses in all", 0, 8, 1, {}},
    {"max-crashes", "replicas that crash and stay down", 0, implfo::kMaxReplicas, 1, {}},
    {"max-drops",
     "messages the network may lose (a message may also stay in flight past the horizon)",
     0,
     8,
     0,
     {}},
    {"max-messages", "messages in flight at once (0: no limit)", 0, 32, 4, {}},
};

}  // namespace

ProtocolCli failover_cli() {
  return with_one_model(
      ProtocolCli{
          .name = "failover",
          .summary =
              "primary-backup failover: a primary with a lease from its backups, heartbeats, "
              "promotion, clients",
          .models = {{"impl",
                      "replicas and clients of impl/failover with explicit time: drift, pauses, "
                      "crashes"}},
          .variants =
              {
                  {"correct",
                   "a backup promotes itself only once the lease it granted has run out on its "
                   "clock"},
                  {"promote-on-missed-heartbeat",
                   "a backup promotes itself as soon as a heartbeat is overdue (Redis Sentinel, "
                   "Jepsen "
                   "2013)"},
                  {"ack-before-replicate",
                   "the primary acknowledges a write before its backups hold it"},
              },
          .variant_models = {"impl"},
          .flags = kFlags,
      },
      model);
}

CROSSCHECK_REGISTER_PROTOCOL(failover_cli);

}  // namespace crosscheck::cli
