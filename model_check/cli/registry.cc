#include "model_check/cli/protocol.h"

namespace crosscheck::cli {

ProtocolCli twophase_cli();
ProtocolCli raft_cli();
ProtocolCli paxos_cli();
ProtocolCli balancing_cli();
ProtocolCli multipaxos_cli();
ProtocolCli failover_cli();
ProtocolCli lockservice_cli();

const std::vector<ProtocolCli>& protocols() {
  static const std::vector<ProtocolCli> all = {twophase_cli(),  raft_cli(),     paxos_cli(),      multipaxos_cli(),
                                               balancing_cli(), failover_cli(), lockservice_cli()};
  return all;
}

}  // namespace crosscheck::cli
