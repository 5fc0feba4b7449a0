#include "sim/world/outside_clients.h"

#include <algorithm>
#include <variant>

namespace mailhop::world {

using scenario::ClientSessionAction;
using scenario::Node;
using scenario::Scenario;
using scenario::ScriptStep;

std::vector<OutsideClient> outside_clients(const Scenario& scenario) {
  const auto is_node = [&](const std::string& name) {
    return std::any_of(scenario.nodes.begin(), scenario.nodes.end(),
                       [&](const Node& n) { return n.name == name; });
  };
  std::vector<OutsideClient> out;
  for (const ScriptStep& step : scenario.script) {
    const auto* session = std::get_if<ClientSessionAction>(&step.action);
    if (!session || is_node(session->client) || !is_node(session->server)) continue;
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const OutsideClient& c) { return c.name == session->client; });
    if (it == out.end()) it = out.insert(out.end(), OutsideClient{session->client, {}});
    if (std::find(it->servers.begin(), it->servers.end(), session->server) == it->servers.end())
      it->servers.push_back(session->server);
  }
  return out;
}

}  // namespace mailhop::world
