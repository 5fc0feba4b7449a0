#include "sim/cli/serve_ports.h"

#include <algorithm>

namespace mailhop::cli {

bool parse_port_map(const std::string& text, PortMap* out) {
  const std::size_t eq = text.find('=');
  const std::size_t colon = text.rfind(':');
  if (eq == std::string::npos || colon == std::string::npos || colon < eq) return false;
  const auto number = [](const std::string& s, int* n) {
    if (s.empty() || s.size() > 5) return false;
    int v = 0;
    for (const char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    if (v < 1 || v > 65535) return false;
    *n = v;
    return true;
  };
  out->host = text.substr(eq + 1, colon - eq - 1);
  return !out->host.empty() && number(text.substr(0, eq), &out->real) &&
         number(text.substr(colon + 1), &out->port);
}

std::vector<PortMap> default_ports(const scenario::Scenario& sc) {
  using scenario::Role;
  std::vector<PortMap> out;
  const auto first = [&](Role role, int scenario::Ports::*port, int real) {
    for (const scenario::Node& n : sc.nodes) {
      if (std::find(n.roles.begin(), n.roles.end(), role) == n.roles.end()) continue;
      out.push_back({real, n.name, n.ports.*port});
      return;
    }
  };
  first(Role::kMsa, &scenario::Ports::submission, 2587);
  first(Role::kMx, &scenario::Ports::smtp, 2525);
  first(Role::kPop3, &scenario::Ports::pop3, 2110);
  first(Role::kImap, &scenario::Ports::imap, 2143);
  first(Role::kMsa, &scenario::Ports::smtps, 2465);
  first(Role::kPop3, &scenario::Ports::pop3s, 2995);
  first(Role::kImap, &scenario::Ports::imaps, 2993);
  return out;
}

std::string join_addresses(const std::vector<std::string>& addresses) {
  std::string out;
  for (const std::string& a : addresses) {
    if (!out.empty()) out += ", ";
    out += a;
  }
  return out;
}

}  // namespace mailhop::cli
