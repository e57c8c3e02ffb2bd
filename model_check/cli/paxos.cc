// Single-decree Paxos on the command line: Paxos.tla's abstract machine.
#include "model_check/cli/protocol.h"
#include "spec/paxos/paxos.h"

namespace crosscheck::cli {
namespace {

namespace specpaxos = crosscheck::spec::paxos;

specpaxos::PaxosModel spec_model(const CheckRequest& request) {
  specpaxos::Config config;
  config.acceptors = request.value("acceptors");
  config.values = request.value("values");
  config.max_ballot = request.value("max-ballot");
  return specpaxos::PaxosModel(config);
}

std::vector<std::string> properties(const std::string&) {
  CheckRequest request;
  request.values = {{"acceptors", 3}, {"values", 2}, {"max-ballot", 1}};
  return property_names(spec_model(request));
}

mc::CheckResult check(const CheckRequest& request) { return mc::check(spec_model(request), request.search); }

}  // namespace

ProtocolCli paxos_cli() {
  return ProtocolCli{
      .name = "paxos",
      .summary = "single-decree Paxos: acceptors and ballots (Lamport, Paxos.tla)",
      .models = {{"spec", "Paxos.tla's abstract machine (spec/paxos)"}},
      .variants = {{"correct", "Paxos as specified"}},
      .variant_models = {},
      .flags =
          {
              {"acceptors", "acceptors (Acceptor); quorums are the majorities", 1, specpaxos::kMaxAcceptors, 3, {}},
              {"values", "proposable values (Value)", 1, specpaxos::kMaxValues, 2, {}},
              {"max-ballot", "ballots are 0..N (Ballot)", 0, specpaxos::kMaxBallot, 1, {}},
          },
      .properties = properties,
      .check = check,
      .prove = nullptr,
  };
}

}  // namespace crosscheck::cli
