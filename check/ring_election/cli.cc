// Chang and Roberts' ring election on the command line: the nodes of
// impl/ring_election in the actor harness, with their known-buggy variants
// and the network's fault budgets (docs/ring_election.md).
#include <string>
#include <vector>

#include "check/ring_election/model.h"
#include "impl/ring_election/ring_election.h"
#include "model_check/cli/protocol.h"

namespace crosscheck::cli {
namespace {

namespace ring = crosscheck::impl::ring_election;
namespace ringcheck = crosscheck::check::ring_election;

ring::Variant variant_of(const std::string& name) {
  if (name == "forward-all") return ring::Variant::kForwardAll;
  if (name == "swallow-silently") return ring::Variant::kSwallowSilently;
  return ring::Variant::kCorrect;
}

ringcheck::RingModel model(const CheckRequest& request) {
  ring::Config config;
  config.nodes = request.value("nodes");
  config.variant = variant_of(request.variant);
  mc::FaultBudgets budgets;
  budgets.max_drops = request.value("max-drops");
  budgets.max_duplicates = request.value("max-duplicates");
  budgets.max_copies = request.value("max-copies");
  return ringcheck::make_ring_model(config, budgets);
}

// The defaults (docs/ring_election.md): four nodes, the smallest ring on
// which a candidacy is forwarded three times before the largest id
// swallows it; one duplicate, which makes a node forward a candidacy
// twice, and room for the two copies that leaves on one link. No drops:
// a lost message ends the election for good, which says nothing new.
const std::vector<IntFlag> kFlags = {
    {"nodes",
     "nodes on the ring; n1 holds the largest id, N, and ids fall along the ring",
     ring::kMinNodes,
     ring::kMaxNodes,
     4,
     {}},
    {"max-drops", "messages the network may lose", 0, 8, 0, {}},
    {"max-duplicates", "messages the network may duplicate", 0, 8, 1, {}},
    {"max-copies", "copies of one message in flight at once", 1, 8, 2, {}},
};

}  // namespace

ProtocolCli ring_election_cli() {
  return with_one_model(
      ProtocolCli{
          .name = "ring-election",
          .summary = "leader election on a unidirectional ring (Chang and Roberts, 1979)",
          .models = {{"impl", "the nodes of impl/ring_election in the actor harness, with faults"}},
          .variants =
              {
                  {"correct", "forward larger ids, swallow smaller ones, run in their place"},
                  {"forward-all", "a node forwards every candidate id, smaller ones too"},
                  {"swallow-silently",
                   "a node swallows a smaller id without running itself (a liveness bug)"},
              },
          .variant_models = {"impl"},
          .flags = kFlags,
      },
      model);
}

CROSSCHECK_REGISTER_PROTOCOL(ring_election_cli);

}  // namespace crosscheck::cli
