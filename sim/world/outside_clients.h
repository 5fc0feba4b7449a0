#pragma once
// The clients of a script's client_session steps that are not nodes of the scenario: the world
// adds each as a guest node (with a line to each server it speaks to) and the app lays it out
// next to its first server, so that a real client's recorded session is seen on the network.

#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace mailhop::world {

struct OutsideClient {
  std::string name;                  // as the steps name it ("127.0.0.1")
  std::vector<std::string> servers;  // the nodes it connects to, first use first, each once
};

// In the order the script first names them; steps whose server is not a node are left out
// (the loader reports those).
std::vector<OutsideClient> outside_clients(const scenario::Scenario& scenario);

}  // namespace mailhop::world
