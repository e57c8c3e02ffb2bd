// The protocols linked into the program (protocol.h).
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "model_check/cli/protocol.h"

namespace crosscheck::cli {
namespace {

using MakeProtocol = ProtocolCli (*)();

// A function's static: constructed on first use, so registrars in other
// translation units may run in any order.
std::vector<MakeProtocol>& registered() {
  static std::vector<MakeProtocol> makers;
  return makers;
}

}  // namespace

ProtocolRegistrar::ProtocolRegistrar(ProtocolCli (*make)()) { registered().push_back(make); }

const std::vector<ProtocolCli>& protocols() {
  static const std::vector<ProtocolCli> all = [] {
    std::vector<ProtocolCli> made;
    for (MakeProtocol make : registered()) made.push_back(make());
    std::sort(made.begin(), made.end(),
              [](const ProtocolCli& a, const ProtocolCli& b) { return a.name < b.name; });
    for (size_t i = 1; i < made.size(); ++i) {
      if (made[i].name == made[i - 1].name)
        throw std::logic_error("protocol " + made[i].name + " registered twice");
    }
    return made;
  }();
  return all;
}

}  // namespace crosscheck::cli
