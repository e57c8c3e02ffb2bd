#include "spec/paxos/refinement.h"

#include "impl/common/assert.h"

namespace crosscheck::spec::paxos {

int abstract_message(const Universe& universe, const implpaxos::Config& config, NodeId from,
                     const implpaxos::Message& m) {
  switch (m.type) {
    case implpaxos::MessageType::kPrepare: return universe.one_a(m.ballot);
    case implpaxos::MessageType::kPromise:
      return universe.one_b(config.acceptor_index(from), m.ballot, m.voted_ballot, m.value);
    case implpaxos::MessageType::kAccept: return universe.two_a(m.ballot, m.value);
    case implpaxos::MessageType::kAccepted:
      return universe.two_b(config.acceptor_index(from), m.ballot, m.value);
  }
  CC_ASSERT(false && "a message type outside impl/paxos");
  return 0;
}

}  // namespace crosscheck::spec::paxos
