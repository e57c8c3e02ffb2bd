// Two-phase commit on the command line: the implementation (with its
// known-buggy variants and fault budgets), TwoPhase.tla and TCommit.tla.
#include <ostream>

#include "check/twophase/model.h"
#include "impl/twophase/messages.h"
#include "model_check/cli/protocol.h"
#include "spec/twophase/tcommit.h"
#include "spec/twophase/two_phase.h"
#include "spec/twophase/z3_invariants.h"

namespace crosscheck::cli {
namespace {

namespace impl2pc = crosscheck::impl::twophase;
namespace spec2pc = crosscheck::spec::twophase;
namespace check2pc = crosscheck::check::twophase;

impl2pc::Variant parse_variant(const std::string& name) {
  if (name == "rm-timeout-abort") return impl2pc::Variant::kRmTimeoutAbort;
  if (name == "tm-majority-commit") return impl2pc::Variant::kTmMajorityCommit;
  if (name == "tm-unlogged-decision") return impl2pc::Variant::kTmUnloggedDecision;
  return impl2pc::Variant::kCorrect;
}

check2pc::ImplModel impl_model(const CheckRequest& request) {
  mc::FaultBudgets budgets;
  budgets.max_drops = request.value("max-drops");
  budgets.max_duplicates = request.value("max-duplicates");
  budgets.max_crashes = request.value("max-crashes");
  budgets.max_stops = request.value("max-stops");
  budgets.max_copies = request.value("max-copies");
  return check2pc::make_impl_model({request.value("rms"), parse_variant(request.variant)}, budgets);
}

std::vector<std::string> properties(const std::string& model) {
  CheckRequest request;
  if (model == "impl") {
    request.values = {{"rms", 3},         {"max-drops", 0}, {"max-duplicates", 0},
                      {"max-crashes", 0}, {"max-stops", 0}, {"max-copies", 1}};
    return property_names(impl_model(request));
  }
  if (model == "tcommit") return property_names(spec::tcommit::TCommitModel(3));
  return property_names(spec2pc::TwoPhaseModel(3));
}

mc::CheckResult check(const CheckRequest& request) {
  if (request.model == "impl") return mc::check(impl_model(request), request.search);
  if (request.model == "tcommit")
    return mc::check(spec::tcommit::TCommitModel(request.value("rms")), request.search);
  return mc::check(spec2pc::TwoPhaseModel(request.value("rms")), request.search);
}

int prove(const CheckRequest& request, std::ostream& out) {
  const int rms = request.value("rms");
  spec2pc::InductionResult result = spec2pc::check_inductive(rms, /*with_strengthening=*/true);
  out << "TwoPhase, " << rms << " RMs: TPTypeOK /\\ TCConsistent /\\ strengthening is inductive: "
      << (result.proved ? "proved" : "NOT proved") << "\n";
  if (!result.proved) out << result.description << "\n";
  return result.proved ? 0 : 1;
}

ModelTools tools(const CheckRequest& request) {
  if (request.model == "impl") return model_tools(impl_model(request));
  if (request.model == "tcommit")
    return model_tools(spec::tcommit::TCommitModel(request.value("rms")));
  return model_tools(spec2pc::TwoPhaseModel(request.value("rms")));
}

const std::vector<std::string> kImplOnly = {"impl"};

}  // namespace

ProtocolCli twophase_cli() {
  return ProtocolCli{
      .name = "twophase",
      .summary =
          "two-phase commit: a transaction manager and resource managers (Lamport & Gray, "
          "TwoPhase.tla)",
      .models =
          {
              {"impl", "the C++ implementation in the actor harness, with faults (impl/twophase)"},
              {"spec", "TwoPhase.tla's abstract machine (spec/twophase)"},
              {"tcommit", "TCommit.tla, the RM-states-only spec that TwoPhase refines"},
          },
      .variants =
          {
              {"correct", "the protocol as specified"},
              {"rm-timeout-abort", "a prepared RM aborts on its own after a timeout"},
              {"tm-majority-commit", "the TM commits once a majority voted yes"},
              {"tm-unlogged-decision",
               "the TM sends its decision before logging it; a restart forgets it"},
          },
      .variant_models = kImplOnly,
      .flags =
          {
              {"rms", "resource managers", 1, 16, 3, {}},
              {"max-drops", "messages the network may lose", 0, 8, 1, kImplOnly},
              {"max-duplicates", "messages the network may duplicate", 0, 8, 1, kImplOnly},
              {"max-crashes", "crash-and-restarts of any node", 0, 8, 1, kImplOnly},
              {"max-stops", "crashes of any node for good (crash-stop)", 0, 8, 0, kImplOnly},
              {"max-copies", "copies of one message in flight at once", 1, 8, 1, kImplOnly},
          },
      .properties = properties,
      .check = check,
      .prove = prove,
      .tools = tools,
  };
}

CROSSCHECK_REGISTER_PROTOCOL(twophase_cli);

}  // namespace crosscheck::cli
