#pragma once
// Which real ports lead to which simulated servers: `mailhop serve` and the app's real clients.

#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace mailhop::cli {

// A real port and the simulated server and port it leads to.
struct PortMap {
  int real = 0;
  std::string host;
  int port = 0;
};

// "2525=mx.yahoo.example:25"; false when it is not that.
bool parse_port_map(const std::string& text, PortMap* out);

// The first submission server's 587 on 2587, the first MX's 25 on 2525, the first POP3
// server's 110 on 2110 and the first IMAP server's 143 on 2143; with implicit TLS, 465 on 2465,
// 995 on 2995 and 993 on 2993 (those of the scenario's nodes that have them).
std::vector<PortMap> default_ports(const scenario::Scenario& sc);

// Addresses as the class reads them: "192.168.1.20, 10.0.0.5".
std::string join_addresses(const std::vector<std::string>& addresses);

}  // namespace mailhop::cli
