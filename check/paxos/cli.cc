// Single-decree Paxos on the command line: the implementation (proposers,
// acceptors, a learner; with its known-buggy variants and fault budgets)
// and Paxos.tla's abstract machine.
#include <chrono>
#include <cstdio>
#include <ostream>

#include "check/paxos/model.h"
#include "impl/paxos/paxos.h"
#include "model_check/cli/protocol.h"
#include "spec/paxos/paxos.h"
#include "spec/paxos/z3_properties.h"

namespace crosscheck::cli {
namespace {

namespace implpaxos = crosscheck::impl::paxos;
namespace specpaxos = crosscheck::spec::paxos;
namespace paxoscheck = crosscheck::check::paxos;

implpaxos::Variant parse_variant(const std::string& name) {
  if (name == "acceptor-forgets") return implpaxos::Variant::kAcceptorForgets;
  if (name == "ignore-promised-value") return implpaxos::Variant::kIgnorePromisedValue;
  if (name == "quorum-off-by-one") return implpaxos::Variant::kQuorumOffByOne;
  if (name == "accept-lower-ballot") return implpaxos::Variant::kAcceptLowerBallot;
  return implpaxos::Variant::kCorrect;
}

paxoscheck::ImplModel impl_model(const CheckRequest& request) {
  implpaxos::Config config;
  config.proposers = request.value("proposers");
  config.acceptors = request.value("acceptors");
  config.max_ballot = request.value("max-ballot");
  config.variant = parse_variant(request.variant);
  mc::FaultBudgets budgets;
  budgets.max_drops = request.value("max-drops");
  budgets.max_duplicates = request.value("max-duplicates");
  budgets.max_crashes = request.value("max-crashes");
  budgets.max_stops = request.value("max-stops");
  budgets.max_copies = 1;
  return paxoscheck::make_impl_model(config, budgets);
}

specpaxos::PaxosModel spec_model(const CheckRequest& request) {
  specpaxos::Config config;
  config.acceptors = request.value("acceptors");
  config.values = request.value("values");
  config.max_ballot = request.value("max-ballot");
  return specpaxos::PaxosModel(config);
}

std::vector<std::string> properties(const std::string& model) {
  CheckRequest request;
  request.values = {{"acceptors", 3}, {"values", 2},         {"max-ballot", 1},  {"proposers", 2},
                    {"max-drops", 0}, {"max-duplicates", 0}, {"max-crashes", 0}, {"max-stops", 0}};
  if (model == "impl") return property_names(impl_model(request));
  return property_names(spec_model(request));
}

mc::CheckResult check(const CheckRequest& request) {
  if (request.model == "impl") return mc::check(impl_model(request), request.search);
  return mc::check(spec_model(request), request.search);
}

ModelTools tools(const CheckRequest& request) {
  if (request.model == "impl") return model_tools(impl_model(request));
  return model_tools(spec_model(request));
}

// Runs `obligation` and says how long it took, in seconds.
template <class Obligation>
auto timed(Obligation obligation, double& seconds) {
  const auto start = std::chrono::steady_clock::now();
  auto result = obligation();
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", seconds);
  return text;
}

// Z3 on Paxos.tla for the spec model's constants (docs/paxos.md): Inv
// strengthened by S6..S9 is inductive and implies Agreement and Validity;
// Paxos.tla's Inv alone is not inductive, which is reported, not a failure.
int prove(const CheckRequest& request, std::ostream& out) {
  const specpaxos::Config config = spec_model(request).config();
  out << "Paxos.tla, " << config.acceptors << " acceptors, " << config.values
      << " values, ballots 0.." << config.max_ballot << ", majority quorums\n";
  const std::string inv = "Inv /\\ S6..S9";
  double seconds = 0;
  const specpaxos::InductionResult induction =
      timed([&] { return specpaxos::check_inductive(config, specpaxos::kInductiveInv); }, seconds);
  out << "Init => " << inv << " and " << inv << " /\\ Next => (" << inv
      << ")': " << (induction.proved ? "proved" : "NOT proved") << " (" << seconds_text(seconds)
      << ")\n";
  if (!induction.proved) out << induction.description << "\n";
  bool implied = true;
  for (specpaxos::Property property :
       {specpaxos::Property::kAgreement, specpaxos::Property::kValidity}) {
    const specpaxos::ImplicationResult result =
        timed([&] { return specpaxos::check_implies(config, specpaxos::kInductiveInv, property); },
              seconds);
    out << inv << " => " << specpaxos::to_string(property) << ": "
        << (result.proved ? "proved" : "NOT proved") << " (" << seconds_text(seconds) << ")\n";
    if (!result.proved) out << result.description << "\n";
    implied = implied && result.proved;
  }
  const specpaxos::InductionResult first_attempt =
      timed([&] { return specpaxos::check_inductive(config, specpaxos::kPaxosInv); }, seconds);
  out << "Paxos.tla's Inv without S6..S9: "
      << (first_attempt.proved ? "inductive" : "not inductive") << " (" << seconds_text(seconds)
      << ")\n";
  if (!first_attempt.proved) out << first_attempt.description << "\n";
  return induction.proved && implied ? 0 : 1;
}

const std::vector<std::string> kImplOnly = {"impl"};
const std::vector<std::string> kSpecOnly = {"spec"};

}  // namespace

ProtocolCli paxos_cli() {
  return ProtocolCli{
      .name = "paxos",
      .summary = "single-decree Paxos: proposers, acceptors and ballots (Lamport, Paxos.tla)",
      .models =
          {
              {"impl",
               "proposers, acceptors and a learner in the actor harness, with faults (impl/paxos)"},
              {"spec", "Paxos.tla's abstract machine (spec/paxos)"},
          },
      .variants =
          {
              {"correct", "Paxos as specified"},
              {"acceptor-forgets", "acceptor state is not persisted across a restart (disk loss)"},
              {"ignore-promised-value",
               "the proposer proposes its own value even when a promise reported a vote"},
              {"quorum-off-by-one", "quorums one smaller than a majority"},
              {"accept-lower-ballot", "an acceptor accepts a ballot below its promise"},
          },
      .variant_models = kImplOnly,
      .flags =
          {
              {"acceptors",
               "acceptors (Acceptor); quorums are the majorities",
               1,
               specpaxos::kMaxAcceptors,
               3,
               {}},
              {"values", "proposable values (Value); the implementation's are its proposers' own",
               1, specpaxos::kMaxValues, 2, kSpecOnly},
              {"max-ballot", "ballots are 0..N (Ballot)", 0, specpaxos::kMaxBallot, 1, {}},
              {"proposers",
               "proposers, each with its own value and its own ballots (b mod proposers)", 1,
               implpaxos::kMaxProposers, 2, kImplOnly},
              {"max-drops", "messages the network may lose", 0, 8, 0, kImplOnly},
              {"max-duplicates", "messages the network may duplicate", 0, 8, 0, kImplOnly},
              {"max-crashes", "crash-and-restarts of any node", 0, 8, 1, kImplOnly},
              {"max-stops", "crashes of any node for good (crash-stop)", 0, 8, 0, kImplOnly},
          },
      .properties = properties,
      .check = check,
      .prove = prove,
      .tools = tools,
      .focused_runs =
          {
              {.name = "three-ballots",
               .exercises = "a proposer of ballot 2 adopts the value of the highest-ballot vote "
                            "its promises report, when they report votes of ballots 0 and 1",
               .values = {{"max-ballot", 2}, {"max-crashes", 0}},
               .symmetry = true,
               .max_depth = 18},
          },
  };
}

CROSSCHECK_REGISTER_PROTOCOL(paxos_cli);

}  // namespace crosscheck::cli
