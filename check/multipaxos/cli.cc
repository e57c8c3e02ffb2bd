// Multi-Paxos on the command line: replicas and clients of the
// implementation in the actor harness, with its known-buggy variant and
// fault budgets.
#include "check/multipaxos/model.h"
#include "impl/multipaxos/multipaxos.h"
#include "model_check/cli/protocol.h"

namespace crosscheck::cli {
namespace {

namespace implmp = crosscheck::impl::multipaxos;
namespace mpcheck = crosscheck::check::multipaxos;

mpcheck::ImplModel impl_model(const CheckRequest& request) {
  implmp::Config config;
  config.replicas = request.value("replicas");
  config.clients = request.value("clients");
  config.requests = request.value("requests");
  config.keys = request.value("keys");
  config.slots = request.value("slots");
  config.max_ballot = request.value("max-ballot");
  config.retries = request.value("retries");
  config.variant = request.variant == "leader-local-read" ? implmp::Variant::kLeaderLocalRead
                                                          : implmp::Variant::kCorrect;
  mpcheck::ImplBounds bounds;
  bounds.check_refinement = request.value("check-refinement") != 0;
  bounds.max_messages = request.value("max-messages");
  mc::FaultBudgets budgets;
  budgets.max_drops = request.value("max-drops");
  budgets.max_duplicates = request.value("max-duplicates");
  budgets.max_crashes = request.value("max-crashes");
  budgets.max_copies = 1;
  return mpcheck::make_impl_model(config, bounds, budgets);
}

// The defaults explore about 1.3 million states (docs/multipaxos.md): two
// ballots, so that leadership changes hands, two clients, so that their
// operations overlap, and one message that may be lost, which is how the
// leader-local-read variant's partition shows within four messages in
// flight. Retries are off by default: each one sends the request anew, and
// the state space more than doubles.
const std::vector<IntFlag> kFlags = {
    {"replicas",
     "replicas, each proposer, acceptor and learner; quorums are the majorities",
     1,
     implmp::kMaxReplicas,
     3,
     {}},
    {"clients", "clients, each issuing its requests one at a time", 0, implmp::kMaxClients, 2, {}},
    {"requests",
     "requests per client: a get, or a put of a fresh value, on any key, to any replica",
     0,
     8,
     1,
     {}},
    {"keys", "keys of the replicated key-value store", 1, implmp::kMaxKeys, 1, {}},
    {"slots", "log slots; a leader takes no request past the last", 1, implmp::kMaxSlots, 2, {}},
    {"max-ballot",
     "ballots are 0..N, replica r owning those equal to r modulo the replicas",
     0,
     implmp::kMaxBallot,
     1,
     {}},
    {"retries",
     "times a client sends an unanswered request again, each time to the next replica",
     0,
     8,
     0,
     {}},
    {"max-drops", "messages the network may lose", 0, 8, 1, {}},
    {"max-duplicates", "messages the network may duplicate", 0, 8, 0, {}},
    {"max-crashes", "crash-and-restarts of any node", 0, 8, 0, {}},
    {"max-messages", "messages in flight at once (0: no limit)", 0, 32, 4, {}},
    {"check-refinement",
     "1: Paxos.tla's Inv in every slot and RefinesPaxosPerSlot on every step (needs at most 5 "
     "replicas, ballots up "
     "to 3, clients * requests up to 2); 0: the other properties only",
     0,
     1,
     1,
     {}},
};

}  // namespace

ProtocolCli multipaxos_cli() {
  return with_one_model(
      ProtocolCli{
          .name = "multipaxos",
          .summary = "Multi-Paxos: a replicated log with a stable leader, applied to a key-value "
                     "store, and "
                     "its clients",
          .models = {{"impl",
                      "replicas and clients in the actor harness, with faults (impl/multipaxos)"}},
          .variants =
              {
                  {"correct", "Multi-Paxos with reads through the log"},
                  {"leader-local-read",
                   "a leader answers reads from its own state without confirming it still leads "
                   "(etcd "
                   "0.4.1)"},
              },
          .variant_models = {"impl"},
          .flags = kFlags,
          // docs/multipaxos.md says what it reaches and what it costs.
          .focused_runs = {{.name = "three-ballots",
                            .exercises = "a new leader of ballot 2 adopts, slot by slot, the "
                                         "highest-ballot vote its promises report, when they "
                                         "report votes of ballots 0 and 1",
                            .values = {{"max-ballot", 2}, {"max-drops", 0}},
                            .max_depth = 24},
                           {.name = "four-replicas",
                            .exercises = "majority quorums of an even number of replicas, where "
                                         "half is not a majority",
                            .values = {{"replicas", 4}}}},
      },
      impl_model);
}

CROSSCHECK_REGISTER_PROTOCOL(multipaxos_cli);

}  // namespace crosscheck::cli
