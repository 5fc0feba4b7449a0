#pragma once
// A real client connected to one of mailhop's ports (`mailhop serve`, the app's real clients):
// its socket, and the TLS between the two once the client starts it, after STARTTLS or STLS or
// first thing on an implicit-TLS port (465, 995, 993). What the client sends comes out in plain
// text; what the server says goes in plain text and is encrypted when TLS is up.

#include <memory>
#include <string>
#include <string_view>

#include "sim/realnet/tcp.h"
#include "sim/realnet/tls.h"

namespace mailhop::realnet {

class ServedClient {
 public:
  ServedClient(TcpStream stream, std::shared_ptr<const TlsIdentity> identity);

  // Port 465, 995 or 993: TLS before anything else. False with `why` when it cannot start.
  bool start_tls(std::string* why);

  // Bytes from the socket: `plain` gets what goes on to the server (nothing while a handshake
  // runs) and `tls_up` whether the handshake has just finished. False when TLS failed (why).
  bool incoming(const std::string& bytes, std::string* plain, bool* tls_up, std::string* why);
  // The server's bytes to the client (encrypted when TLS is up); a socket that cannot be
  // written to counts as closed by the server's side.
  void send(std::string_view bytes);
  void server_closed() { m_server_closed = true; }

  std::string tls_description() const { return m_tls ? m_tls->description() : std::string(); }
  TcpStream& stream() { return m_stream; }
  bool is_server_closed() const { return m_server_closed; }

 private:
  void flush();
  // Whether the last whole line the client sent asks for TLS: "STARTTLS" (SMTP), "STLS"
  // (POP3), "tag STARTTLS" (IMAP).
  void watch_for_starttls(const std::string& bytes);

  TcpStream m_stream;
  std::shared_ptr<const TlsIdentity> m_identity;
  std::unique_ptr<TlsSession> m_tls;
  std::string m_line;
  bool m_expect_tls = false;
  bool m_tls_fed = false;  // the TLS session has had bytes from the client
  bool m_reported_up = false;
  bool m_server_closed = false;
};

}  // namespace mailhop::realnet
