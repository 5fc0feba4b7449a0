#pragma once
// SMTP over a real TCP connection: the same sans-I/O engines as the simulation, driven by a
// TcpStream, with time read from the steady clock. What crosses the wire is what the engines
// write and read, byte for byte. TLS is not driven yet: the client is told it cannot start it
// (so it does not ask for STARTTLS), and a server should not offer it.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "sim/proto/smtp_client.h"
#include "sim/proto/smtp_loopback.h"
#include "sim/proto/smtp_server.h"
#include "sim/realnet/tcp.h"

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
  std::string error;         // the engine's protocol error, when there was one
};

// Runs `engine` (made with tls_capable = false) on `stream` until it is finished. `sink` sees
// each command, the message (as one summary line) and each reply line, in order.
SessionEnd run_smtp_client(TcpStream& stream, proto::SmtpClient& engine, const LineSink& sink);

// Serves one SMTP session on `stream` with `engine` until it ends (QUIT, the client closing,
// a timeout, too many errors). `sink` sees each command line and each reply line.
SessionEnd serve_smtp(TcpStream& stream, proto::SmtpServer& engine, const LineSink& sink);

}  // namespace mailhop::realnet
