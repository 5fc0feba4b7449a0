#pragma once
// SMTP over a real TCP connection: the same sans-I/O engines as the simulation, driven by a
// TcpStream, with time read from the steady clock. What crosses the wire is what the engines
// write and read, byte for byte, inside TLS (OpenSSL) after STARTTLS or from the first byte on
// an implicit-TLS port (465).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/proto/smtp_client.h"
#include "sim/proto/smtp_loopback.h"
#include "sim/proto/smtp_server.h"
#include "sim/realnet/tcp.h"
#include "sim/realnet/tls.h"

namespace mailhop::realnet {

// One line of the conversation, as it crossed the wire.
struct WireLine {
  std::chrono::microseconds time{0};  // since the session started
  proto::LoopbackDirection direction = proto::LoopbackDirection::kNote;
  proto::LoopbackLineKind kind = proto::LoopbackLineKind::kConnected;
  std::string text;        // without CRLF; for the message, a summary ("message, 312 octets")
  std::string context;     // for a reply: what it answers ("greeting", "EHLO", "end_of_data"...)
  std::size_t octets = 0;  // for the message (kEndOfData): its size on the wire, with the "."
};
using LineSink = std::function<void(const WireLine&)>;

// How a session ended when not by the protocol's own QUIT: empty when it did.
struct SessionEnd {
  bool peer_closed = false;  // the peer closed or reset the connection first
  bool timed_out = false;    // an engine's deadline passed
  std::string error;         // the engine's protocol error, or why TLS failed
  bool tls_failed = false;   // `error` is why TLS failed
};

// How the client's TLS starts: only if the engine asks (STARTTLS; the engine's options say
// whether it may), or with a handshake before anything else (port 465: the engine's options
// must say ClientTls::kImplicit).
struct ClientTlsStart {
  bool implicit = false;
  std::string server_name;  // sent in the handshake (SNI), and checked with `verify`
  TlsVerify verify;
};

// Runs `engine` on `stream` until it is finished. `sink` sees each command, the message (as
// one summary line), each reply line, and a note when TLS is up (its version and cipher).
SessionEnd run_smtp_client(TcpStream& stream, proto::SmtpClient& engine, const LineSink& sink,
                           const ClientTlsStart& tls = {});

// Serves one SMTP session on `stream` with `engine` until it ends (QUIT, the client closing,
// a timeout, too many errors). `sink` sees each command line and each reply line. STARTTLS
// (and, with a config of TlsState::kActive, TLS from the first byte) needs `identity`.
SessionEnd serve_smtp(TcpStream& stream, proto::SmtpServer& engine, const LineSink& sink,
                      std::shared_ptr<const TlsIdentity> identity = nullptr);

}  // namespace mailhop::realnet
