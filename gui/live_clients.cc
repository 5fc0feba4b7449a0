#include "gui/live_clients.h"

#include <algorithm>
#include <chrono>
#include <optional>

namespace mailhop::gui {

struct LiveClients::Client {
  Client(realnet::TcpStream stream, std::shared_ptr<const realnet::TlsIdentity> identity)
      : served(std::move(stream), std::move(identity)) {}
  realnet::ServedClient served;
  Session::ClientSessionHandle session;
  std::string peer;         // its address, "127.0.0.1"
  std::size_t written = 0;  // octets of the server's answers written to the socket
  bool client_closed = false;
};

LiveClients::LiveClients() = default;
LiveClients::~LiveClients() = default;

bool LiveClients::start(const Session& session, std::string* why, std::vector<cli::PortMap> ports) {
  stop();
  if (ports.empty()) ports = cli::default_ports(session.scenario());
  if (ports.empty()) {
    *why = "no SMTP, POP3 or IMAP server to listen for";
    return false;
  }
  for (const cli::PortMap& m : ports) {
    const auto& nodes = session.scenario().nodes;
    if (std::none_of(nodes.begin(), nodes.end(),
                     [&](const scenario::Node& n) { return n.name == m.host; })) {
      *why = "no host " + m.host + " in this scenario";
      return false;
    }
  }
  if (!m_identity) m_identity = realnet::TlsIdentity::self_signed("mailhop", why);
  if (!m_identity) return false;
  for (const cli::PortMap& m : ports) {
    std::optional<realnet::TcpListener> l = realnet::TcpListener::listen(m.real, why);
    if (!l) {
      stop();
      return false;
    }
    m_listeners.push_back(std::move(*l));
    m_ports.push_back(m);
  }
  m_addresses = realnet::local_addresses();
  m_addresses.push_back("127.0.0.1");
  return true;
}

void LiveClients::stop() {
  m_clients.clear();
  m_listeners.clear();
  m_ports.clear();
  m_addresses.clear();
}

bool LiveClients::poll(Session& session) {
  bool changed = false;
  std::string why;
  for (std::size_t i = 0; i < m_listeners.size(); ++i) {
    std::optional<realnet::TcpStream> s = m_listeners[i].accept(std::chrono::milliseconds(0));
    if (!s) continue;
    const cli::PortMap& m = m_ports[i];
    const std::string peer = s->peer().substr(0, s->peer().rfind(':'));
    auto client = std::make_unique<Client>(std::move(*s), m_identity);
    std::optional<Session::ClientSessionHandle> handle =
        session.begin_client_session(peer, m.host, m.port, &why);
    if (!handle) {  // the socket closes: a refused connection, to the client
      m_problems.push_back({peer, why, false});
      continue;
    }
    changed = true;
    client->session = *handle;
    client->peer = peer;
    const auto& nodes = session.world().nodes();
    const auto server = std::find_if(nodes.begin(), nodes.end(),
                                     [&](const auto& n) { return n->spec.name == m.host; });
    if (server != nodes.end() && world::World::implicit_tls_port(**server, m.port) &&
        !client->served.start_tls(&why)) {
      m_problems.push_back({peer, why, true});
      session.client_input(client->session, scenario::ClientInputKind::kClose, {});
      continue;
    }
    m_clients.push_back(std::move(client));
  }
  std::string bytes;
  for (auto& c : m_clients) {
    if (c->client_closed) continue;
    // Everything the socket holds now goes in at once: one re-run of the world, not one for
    // each segment of a long message.
    std::string plain;
    const auto send_plain = [&] {
      if (plain.empty()) return;
      session.client_input(c->session, scenario::ClientInputKind::kSend, std::move(plain));
      plain.clear();
      changed = true;
    };
    for (int reads = 0; reads < 256 && !c->client_closed; ++reads) {
      const realnet::TcpStream::Read r =
          c->served.stream().read(std::chrono::milliseconds(0), &bytes);
      if (r == realnet::TcpStream::Read::kData) {
        std::string more;
        bool tls_up = false;
        if (!c->served.incoming(bytes, &more, &tls_up, &why)) {
          m_problems.push_back({c->peer, why, true});
          send_plain();
          c->client_closed = true;
          c->served.stream().close();
          session.client_input(c->session, scenario::ClientInputKind::kClose, {});
          changed = true;
        } else if (tls_up) {
          send_plain();
          session.client_input(c->session, scenario::ClientInputKind::kTls,
                               c->served.tls_description());
          changed = true;
          plain = std::move(more);
        } else {
          plain += more;
        }
      } else if (r == realnet::TcpStream::Read::kClosed) {
        send_plain();
        c->client_closed = true;
        session.client_input(c->session, scenario::ClientInputKind::kClose, {});
        changed = true;
      } else {
        break;  // nothing more for now
      }
    }
    send_plain();
  }
  // What the servers answered since, to the sockets (none while the time shown is before a
  // session's start, after a step back: it waits). A socket closes once either side has closed:
  // the world tells a client that left nothing more.
  for (auto& c : m_clients) {
    const world::World::ClientSessionRun* run = session.client_run(c->session);
    if (run && run->received.size() > c->written) {
      c->served.send(std::string_view(run->received).substr(c->written));
      c->written = run->received.size();
    }
    if ((c->client_closed || c->served.is_server_closed() || (run && run->closed)) &&
        c->served.stream().is_open()) {
      c->served.stream().close();
    }
  }
  std::erase_if(m_clients, [](const std::unique_ptr<Client>& c) {
    return !c->served.stream().is_open() && c->client_closed;
  });
  return changed;
}

}  // namespace mailhop::gui
