#include <algorithm>
#include <stdexcept>

#include "model_check/cli/protocol.h"

namespace crosscheck::cli {

ProtocolCli twophase_cli();
ProtocolCli raft_cli();
ProtocolCli paxos_cli();
ProtocolCli balancing_cli();
ProtocolCli multipaxos_cli();
ProtocolCli failover_cli();
ProtocolCli lockservice_cli();

namespace {

// Filled during static initialization, so a function's static: it exists
// before the first registrar in any translation unit runs.
std::vector<ProtocolCli (*)()>& registered_makers() {
  static std::vector<ProtocolCli (*)()> makers;
  return makers;
}

std::vector<ProtocolCli> all_protocols() {
  std::vector<ProtocolCli> all = {twophase_cli(),   raft_cli(),      paxos_cli(),
                                  multipaxos_cli(), balancing_cli(), failover_cli(),
                                  lockservice_cli()};
  const size_t built_in = all.size();
  for (auto make : registered_makers()) all.push_back(make());
  // Static initialization runs in no particular order across files.
  std::sort(all.begin() + built_in, all.end(),
            [](const ProtocolCli& a, const ProtocolCli& b) { return a.name < b.name; });
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = i + 1; j < all.size(); ++j) {
      if (all[i].name == all[j].name) {
        throw std::logic_error("two protocols are named '" + all[i].name + "'");
      }
    }
  }
  return all;
}

}  // namespace

ProtocolRegistrar::ProtocolRegistrar(ProtocolCli (*make)()) { registered_makers().push_back(make); }

const std::vector<ProtocolCli>& protocols() {
  static const std::vector<ProtocolCli> all = all_protocols();
  return all;
}

}  // namespace crosscheck::cli
