#pragma once
// Real clients in the app: real TCP ports onto the scenario's servers (as `mailhop serve`
// opens them), so that a student's own mail program speaks to the world on the screen. Each
// connection is a client_session step of the session's script that starts at the time shown
// (Session::begin_client_session); what the client sends is added to it as it comes, and what
// the world's server answers is written back. The class sees the conversation on the ladder
// and the client on the network as an outside client; a saved file keeps it.

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gui/session.h"
#include "sim/cli/serve_ports.h"
#include "sim/realnet/served_client.h"
#include "sim/realnet/tcp.h"
#include "sim/realnet/tls.h"

namespace mailhop::gui {

class LiveClients {
 public:
  LiveClients();
  ~LiveClients();
  LiveClients(const LiveClients&) = delete;
  LiveClients& operator=(const LiveClients&) = delete;

  // Opens the ports for `session`'s scenario (cli::default_ports, or `ports` when given).
  // False with `why` (no server to listen for, a host that is not in the scenario, a port in
  // use); then nothing is open.
  bool start(const Session& session, std::string* why, std::vector<cli::PortMap> ports = {});
  // Closes the ports and the connections.
  void stop();
  bool active() const { return !m_listeners.empty(); }
  const std::vector<cli::PortMap>& ports() const { return m_ports; }
  std::size_t connected() const { return m_clients.size(); }
  // The SHA-256 fingerprint of the self-signed certificate the ports use (while active).
  std::string fingerprint() const { return m_identity ? m_identity->fingerprint_sha256() : ""; }
  // The certificate in PEM (while active), for clients to trust (curl --cacert).
  std::string certificate_pem() const { return m_identity ? m_identity->certificate_pem() : ""; }
  // Where clients connect (while active): this computer's network addresses, then 127.0.0.1.
  const std::vector<std::string>& addresses() const { return m_addresses; }
  // A client whose connection was closed against its will, and why: it could not join the
  // world's script, or its TLS handshake failed.
  struct Problem {
    std::string peer;  // "127.0.0.1"
    std::string why;
    bool tls = false;
  };
  // Those since the last call.
  std::vector<Problem> take_problems() { return std::exchange(m_problems, {}); }

  // Accepts new clients, passes what they sent into `session` and writes back what the
  // world's servers answered. True when the session changed.
  bool poll(Session& session);

 private:
  struct Client;
  std::vector<realnet::TcpListener> m_listeners;  // with m_ports, one for one
  std::vector<cli::PortMap> m_ports;
  std::vector<std::unique_ptr<Client>> m_clients;
  std::shared_ptr<const realnet::TlsIdentity> m_identity;
  std::vector<std::string> m_addresses;
  std::vector<Problem> m_problems;
};

}  // namespace mailhop::gui
