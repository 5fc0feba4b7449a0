// `mailhop serve`: the simulated world, running in real time, with real TCP ports that real
// mail clients (swaks, curl, Python's smtplib, Thunderbird) connect to.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "sim/cli/cli.h"
#include "sim/cli/cli_catalog.h"
#include "sim/cli/narration.h"
#include "sim/cli/transcript.h"
#include "sim/core/sim_time.h"
#include "sim/realnet/tcp.h"
#include "sim/scenario/scenario_json.h"
#include "sim/text/catalog.h"
#include "sim/world/world.h"

namespace mailhop::cli {

namespace {

namespace fs = std::filesystem;
using scenario::Role;

// A real port and the simulated server and port it leads to.
struct PortMap {
  int real = 0;
  std::string host;
  int port = 0;
};

// "2525=mx.yahoo.example:25"
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

// Without --port: the first submission server's 587 on 2587, the first MX's 25 on 2525, the
// first POP3 server's 110 on 2110 and the first IMAP server's 143 on 2143.
std::vector<PortMap> default_ports(const scenario::Scenario& sc) {
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
  return out;
}

// One real client: its socket, and the world's connection it speaks on.
class RealClient : public world::World::ExternalClient {
 public:
  explicit RealClient(realnet::TcpStream stream) : m_stream(std::move(stream)) {}
  void on_bytes(std::string_view bytes) override {
    if (!m_stream.write(bytes)) m_server_closed = true;
  }
  void on_closed() override { m_server_closed = true; }

  realnet::TcpStream& stream() { return m_stream; }
  bool server_closed() const { return m_server_closed; }
  std::uint64_t id = 0;
  bool client_closed = false;

 private:
  realnet::TcpStream m_stream;
  bool m_server_closed = false;
};

}  // namespace

int serve_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  fs::path assets;
  std::optional<text::Catalog> catalog = load_catalog(args, err, &assets);
  if (!catalog) return 2;
  const text::Catalog& cat = *catalog;
  const auto bad = [&](const std::string& why) {
    err << "mailhop serve: " << why << "\n" << cat.get("cli.usage") << "\n";
    return 2;
  };
  std::string file;
  std::vector<PortMap> ports;
  std::optional<core::SimTime> run_for;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--port" || a == "--for" || a == "--lang") {
      if (i + 1 >= args.size()) return bad(cat.format("cli.error.missing_value", a));
      const std::string& v = args[++i];
      if (a == "--port") {
        PortMap m;
        if (!parse_port_map(v, &m)) return bad(cat.format("cli.serve.bad_port", v));
        ports.push_back(m);
      } else if (a == "--for") {
        core::SimTime t;
        std::string why;
        if (!core::parse_sim_time(v, &t, &why)) return bad(cat.format("cli.error.bad_time", v));
        run_for = t;
      }
    } else if (!a.empty() && a[0] == '-') {
      return bad(cat.format("cli.error.unknown_option", a));
    } else if (file.empty()) {
      file = a;
    } else {
      return bad(cat.format("cli.error.unexpected_argument", a));
    }
  }
  if (file.empty()) return bad(cat.get("cli.serve.which_file"));
  scenario::LoadResult loaded = scenario::load_scenario_file(file);
  if (!loaded.ok()) {
    err << cat.format("cli.invalid_scenario", file) << "\n" << loaded.error_text();
    return 2;
  }
  const scenario::Scenario sc = std::move(*loaded.scenario);
  if (ports.empty()) ports = default_ports(sc);
  if (ports.empty()) return bad(cat.get("cli.serve.no_servers"));

  core::Trace trace;
  TranscriptPrinter printer(out, cat);
  const Narration narration(sc, cat.language(), &cat);
  printer.set_narration(&narration);
  trace.add_observer(&printer);
  std::string why;
  std::unique_ptr<world::World> world = world::World::build(sc, trace, &why);
  if (!world) {
    err << cat.format("cli.invalid_scenario", file) << "\n" << why << "\n";
    return 2;
  }
  // Every port opens before the world starts, so that a port in use is said at once.
  std::vector<std::pair<realnet::TcpListener, PortMap>> listeners;
  for (const PortMap& m : ports) {
    if (!world->node(m.host)) return bad(cat.format("cli.error.no_such_host", m.host));
    std::optional<realnet::TcpListener> l = realnet::TcpListener::listen(m.real, &why);
    if (!l) {
      err << cat.format("cli.error.prefix", why) << "\n";
      return 2;
    }
    listeners.emplace_back(std::move(*l), m);
  }
  const std::string title = cat.language() == text::Language::kSpanish ? sc.title.es : sc.title.en;
  out << "# " << title << "\n" << cat.get("cli.serve.listening") << "\n";
  for (const auto& [listener, m] : listeners) {
    out << "  " << cat.format("cli.serve.port", listener.port(), m.host, m.port) << "\n";
  }
  out << cat.get("cli.serve.how_to_stop") << "\n\n" << std::flush;

  std::vector<std::unique_ptr<RealClient>> clients;
  const auto start = std::chrono::steady_clock::now();
  const auto now = [&] {
    return core::SimTime::from_micros(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::steady_clock::now() - start)
                                          .count());
  };
  try {
    world->start();
    std::string bytes;
    while (!run_for || now() < *run_for) {
      bool busy = false;
      for (auto& [listener, m] : listeners) {
        std::optional<realnet::TcpStream> s = listener.accept(std::chrono::milliseconds(0));
        if (!s) continue;
        busy = true;
        world->run_until(now());
        const std::string peer = s->peer().substr(0, s->peer().rfind(':'));
        auto client = std::make_unique<RealClient>(std::move(*s));
        std::optional<std::uint64_t> id =
            world->connect_external(peer, m.host, m.port, *client, &why);
        if (!id) {
          out << cat.format("cli.serve.refused", client->stream().peer(), why) << "\n";
          continue;  // the socket closes: as a refused connection, to the client
        }
        client->id = *id;
        clients.push_back(std::move(client));
      }
      world->run_until(now());
      for (auto& c : clients) {
        if (c->client_closed) continue;
        const realnet::TcpStream::Read r = c->stream().read(std::chrono::milliseconds(0), &bytes);
        if (r == realnet::TcpStream::Read::kData) {
          busy = true;
          world->send_external(c->id, bytes);
        } else if (r == realnet::TcpStream::Read::kClosed) {
          c->client_closed = true;
          world->close_external(c->id);
        }
      }
      world->run_until(now());
      // A socket closes once the server has closed its side.
      for (auto& c : clients) {
        if (c->server_closed() && c->stream().is_open()) c->stream().close();
      }
      std::erase_if(clients, [](const std::unique_ptr<RealClient>& c) {
        return !c->stream().is_open() && c->client_closed;
      });
      out << std::flush;
      if (!busy) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  } catch (const core::SimulationLimit& limit) {
    err << describe_limit(limit, cat) << "\n";
    return 2;
  }
  // What the mailboxes hold at the end.
  out << "\n" << cat.get("cli.serve.mailboxes") << "\n";
  for (const auto& [address, box] : world->mailboxes()) {
    out << "  " << cat.format("cli.serve.mailbox", address, box.inbox().count()) << "\n";
  }
  return 0;
}

}  // namespace mailhop::cli
