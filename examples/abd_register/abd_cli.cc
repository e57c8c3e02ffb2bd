// The ABD register on Crosscheck's command line:
//   abd_crosscheck check abd [--variant no-write-back] [--servers N ...]
// Linked into a checker binary (BUILD's abd_crosscheck), the registration
// at the end adds `abd` to the protocols it knows.
#include <string>
#include <vector>

#include "abd_model.h"
#include "model_check/cli/protocol.h"

namespace abd {
namespace {

namespace cli = crosscheck::cli;

Variant variant_of(const std::string& name) {
  return name == "no-write-back" ? Variant::kNoWriteBack : Variant::kCorrect;
}

AbdModel model(const cli::CheckRequest& request) {
  Config config;
  config.servers = request.value("servers");
  config.writers = request.value("writers");
  config.readers = request.value("readers");
  config.writes = request.value("writes");
  config.reads = request.value("reads");
  config.variant = variant_of(request.variant);
  mc::FaultBudgets budgets;
  budgets.max_drops = request.value("max-drops");
  budgets.max_duplicates = request.value("max-duplicates");
  budgets.max_crashes = request.value("max-crashes");
  budgets.max_stops = request.value("max-stops");
  return make_model(config, budgets);
}

// The defaults: the smallest system with a new-old inversion to find (a
// write in progress, two reads one after the other), checked in seconds.
const std::vector<cli::IntFlag> kFlags = {
    {"servers",
     "servers, each a replica of the register; quorums are majorities",
     1,
     kMaxServers,
     3,
     {}},
    {"writers", "writers, each writing fresh values (10 * writer + k)", 0, kMaxWriters, 1, {}},
    {"readers", "readers", 0, kMaxReaders, 2, {}},
    {"writes", "writes per writer, one at a time", 0, kMaxOperations, 1, {}},
    {"reads", "reads per reader, one at a time", 0, kMaxOperations, 1, {}},
    {"max-drops", "messages the network may lose", 0, 8, 0, {}},
    {"max-duplicates", "messages the network may deliver twice", 0, 8, 0, {}},
    {"max-crashes",
     "crashes of any node (a server restarts with its value; a client stops)",
     0,
     8,
     0,
     {}},
    {"max-stops", "crashes of any node for good (crash-stop)", 0, 8, 0, {}},
};

std::vector<std::string> properties(const std::string& /*model*/) {
  cli::CheckRequest request;
  for (const cli::IntFlag& flag : kFlags) request.values[flag.name] = flag.default_value;
  return cli::property_names(model(request));
}

mc::CheckResult check(const cli::CheckRequest& request) {
  return mc::check(model(request), request.search);
}

cli::ModelTools tools(const cli::CheckRequest& request) { return cli::model_tools(model(request)); }

}  // namespace

cli::ProtocolCli make_abd_cli() {
  return cli::ProtocolCli{
      .name = "abd",
      .summary =
          "the ABD atomic register: a register replicated on majorities (Attiya, Bar-Noy "
          "& Dolev 1995)",
      .models = {{"impl", "servers and clients in the actor harness (abd.h)"}},
      .variants =
          {
              {"correct", "ABD as published: a read writes back what it returns"},
              {"no-write-back", "a read returns without writing back: a new-old inversion"},
          },
      .variant_models = {"impl"},
      .flags = kFlags,
      .properties = properties,
      .check = check,
      .prove = nullptr,
      .tools = tools,
  };
}

CROSSCHECK_REGISTER_PROTOCOL(make_abd_cli);

}  // namespace abd
