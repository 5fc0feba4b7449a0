#include "sim/realnet/smtp_session.h"

#include <algorithm>
#include <deque>
#include <type_traits>
#include <variant>

namespace mailhop::realnet {

namespace {

using Clock = std::chrono::steady_clock;
using proto::LoopbackDirection;
using proto::LoopbackLineKind;

// The session's time: microseconds since it started, as the engines count.
class SessionClock {
 public:
  proto::Micros now() const {
    return std::chrono::duration_cast<proto::Micros>(Clock::now() - m_start);
  }

 private:
  Clock::time_point m_start = Clock::now();
};

// How long to wait for bytes: until the engine's deadline, at most a second at a time.
std::chrono::milliseconds wait_for(std::optional<proto::Micros> deadline, proto::Micros now) {
  constexpr std::chrono::milliseconds kMostAtOnce(1000);
  if (!deadline) return kMostAtOnce;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now);
  return std::clamp(left, std::chrono::milliseconds(0), kMostAtOnce);
}

std::string upper_verb(std::string_view line) {
  std::string verb(line.substr(0, line.find(' ')));
  std::transform(verb.begin(), verb.end(), verb.begin(), [](char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  });
  return verb;
}

std::string message_summary(std::size_t octets) {
  return "message, " + std::to_string(octets) + " octets, then \".\"";
}

void report_reply(const proto::SmtpReply& reply, proto::Micros at, LoopbackDirection direction,
                  const std::string& context, const LineSink& sink) {
  for (std::size_t i = 0; i < reply.wire_line_count(); ++i) {
    WireLine line{at, direction, LoopbackLineKind::kReply, {}, context};
    reply.append_wire_line(line.text, i);
    if (sink) sink(line);
  }
}

// The connection as the engine sees it: plain bytes, through TLS once it is started.
class Wire {
 public:
  explicit Wire(TcpStream& stream) : m_stream(stream) {}

  void start_tls(std::unique_ptr<TlsSession> tls) {
    m_tls = std::move(tls);
    flush();
  }
  bool tls_started() const { return m_tls != nullptr; }
  bool tls_up() const { return m_tls && m_tls->established(); }
  const TlsSession* tls() const { return m_tls.get(); }

  // False when the connection is gone.
  bool send(std::string_view plain) {
    if (plain.empty()) return m_ok;
    if (!m_tls) return m_ok = m_ok && m_stream.write(plain);
    m_tls->write(plain);
    return flush();
  }
  // Waits for bytes: kData with the plaintext in `plain` (maybe empty: a handshake message),
  // kTimeout, or kClosed (also when TLS failed).
  TcpStream::Read receive(std::chrono::milliseconds wait, std::string* plain) {
    plain->clear();
    const TcpStream::Read r = m_stream.read(wait, &m_bytes);
    if (r != TcpStream::Read::kData) return r;
    if (!m_tls) {
      plain->swap(m_bytes);
      return r;
    }
    if (!m_tls->feed(m_bytes) || !flush()) return TcpStream::Read::kClosed;
    *plain = m_tls->read();
    return r;
  }
  void close() {
    if (m_tls) {
      m_tls->close();
      flush();
    }
    m_stream.close();
  }

 private:
  bool flush() {
    const std::string out = m_tls->take_ciphertext();
    if (!out.empty()) m_ok = m_ok && m_stream.write(out);
    return m_ok;
  }

  TcpStream& m_stream;
  std::unique_ptr<TlsSession> m_tls;
  std::string m_bytes;
  bool m_ok = true;
};

WireLine tls_note(proto::Micros at, const TlsSession& tls) {
  return WireLine{
      at, LoopbackDirection::kNote, LoopbackLineKind::kTlsEstablished, tls.description(), {}};
}

}  // namespace

SessionEnd run_smtp_client(TcpStream& stream, proto::SmtpClient& engine, const LineSink& sink,
                           const ClientTlsStart& tls) {
  SessionClock clock;
  SessionEnd end;
  Wire wire(stream);
  // What each reply answers, in order (commands may be pipelined).
  std::deque<std::string> answers{"greeting"};
  bool auth_pending = false;  // a 334 asks for the next line of AUTH
  std::string bytes;
  std::vector<proto::SmtpClientEvent> events;
  const auto start_tls = [&]() {
    std::string why;
    std::unique_ptr<TlsSession> session = TlsSession::client(tls.server_name, &why);
    if (!session) {
      end.error = why;
      return false;
    }
    wire.start_tls(std::move(session));
    return true;
  };
  const auto pump = [&] {
    const std::string out = engine.take_output();
    engine.take_events(&events);
    for (proto::SmtpClientEvent& ev : events) {
      std::visit(
          [&](auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, proto::smtp_client_event::CommandSent>) {
              const bool auth_data = auth_pending;
              auth_pending = false;
              if (sink) {
                sink(WireLine{clock.now(),
                              LoopbackDirection::kClientToServer,
                              auth_data ? LoopbackLineKind::kAuthData : LoopbackLineKind::kCommand,
                              e.line,
                              {}});
              }
              answers.push_back(auth_data ? "auth_data" : upper_verb(e.line));
            } else if constexpr (std::is_same_v<E, proto::smtp_client_event::DataSent>) {
              if (sink) {
                WireLine line{clock.now(),
                              LoopbackDirection::kClientToServer,
                              LoopbackLineKind::kEndOfData,
                              message_summary(e.octets),
                              {}};
                line.octets = e.octets;
                sink(line);
              }
              answers.push_back("end_of_data");
            } else if constexpr (std::is_same_v<E, proto::smtp_client_event::ReplyReceived>) {
              const std::string context = answers.empty() ? std::string() : answers.front();
              if (!answers.empty()) answers.pop_front();
              if (e.reply.code == 334) auth_pending = true;
              report_reply(e.reply, clock.now(), LoopbackDirection::kServerToClient, context, sink);
            } else if constexpr (std::is_same_v<E, proto::smtp_client_event::StartTls>) {
              if (!start_tls()) engine.peer_closed(clock.now());
            } else if constexpr (std::is_same_v<E, proto::smtp_client_event::ProtocolError>) {
              end.error = e.reason;
            } else if constexpr (std::is_same_v<E, proto::smtp_client_event::TimedOut>) {
              end.timed_out = true;
            }
          },
          ev);
    }
    if (!wire.send(out)) {
      end.peer_closed = true;
      engine.peer_closed(clock.now());
    }
  };
  // Reads once: bytes to the engine, TLS coming up, the peer closing, or a deadline passing.
  bool tls_was_up = false;
  const auto step = [&](std::optional<proto::Micros> deadline) {
    const TcpStream::Read r = wire.receive(wait_for(deadline, clock.now()), &bytes);
    const proto::Micros now = clock.now();
    if (r == TcpStream::Read::kClosed) {
      if (wire.tls() && wire.tls()->failed()) end.error = wire.tls()->error();
      end.peer_closed = end.error.empty();
      return false;
    }
    if (wire.tls_up() && !tls_was_up) {
      tls_was_up = true;
      if (sink) sink(tls_note(now, *wire.tls()));
      return true;
    }
    if (r == TcpStream::Read::kTimeout && deadline && now >= *deadline) {
      end.timed_out = true;
      return false;
    }
    return true;
  };
  if (tls.implicit) {
    // Port 465: the handshake first, within the greeting's time.
    const proto::Micros limit = clock.now() + std::chrono::seconds(30);
    if (!start_tls()) return end;
    while (!wire.tls_up() && step(limit)) {
    }
    if (!wire.tls_up()) {
      if (end.error.empty() && !end.peer_closed) end.error = "TLS handshake timed out";
      wire.close();
      return end;
    }
  }
  engine.open(clock.now());
  pump();
  while (!engine.finished()) {
    const bool was_up = wire.tls_up();
    const bool alive = step(engine.next_deadline());
    const proto::Micros now = clock.now();
    if (!alive) {
      if (end.timed_out) {
        engine.tick(now);
      } else {
        engine.peer_closed(now);
      }
    } else {
      if (!was_up && wire.tls_up()) engine.tls_established(now);
      if (!bytes.empty()) engine.receive(bytes, now);
      if (const auto deadline = engine.next_deadline(); deadline && now >= *deadline) {
        engine.tick(now);
      }
    }
    pump();
  }
  wire.close();
  return end;
}

SessionEnd serve_smtp(TcpStream& stream, proto::SmtpServer& engine, const LineSink& sink,
                      std::shared_ptr<const TlsIdentity> identity) {
  SessionClock clock;
  SessionEnd end;
  Wire wire(stream);
  std::string last_command = "greeting";
  std::string bytes;
  std::vector<proto::SmtpServerEvent> events;
  const auto start_tls = [&]() {
    std::string why = "no certificate to offer TLS with";
    std::unique_ptr<TlsSession> session = identity ? TlsSession::server(identity, &why) : nullptr;
    if (!session) {
      end.error = why;
      return false;
    }
    wire.start_tls(std::move(session));
    return true;
  };
  const auto pump = [&] {
    const std::string out = engine.take_output();
    engine.take_events(&events);
    bool tls_next = false;
    for (proto::SmtpServerEvent& ev : events) {
      std::visit(
          [&](auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, proto::smtp_server_event::CommandReceived>) {
              if (sink) {
                sink(WireLine{clock.now(),
                              LoopbackDirection::kClientToServer,
                              LoopbackLineKind::kCommand,
                              e.line,
                              {}});
              }
              last_command = upper_verb(e.line);
            } else if constexpr (std::is_same_v<E, proto::smtp_server_event::DataLineCount>) {
              if (sink) {
                WireLine line{clock.now(),
                              LoopbackDirection::kClientToServer,
                              LoopbackLineKind::kEndOfData,
                              message_summary(e.octets),
                              {}};
                line.octets = e.octets;
                sink(line);
              }
              last_command = "end_of_data";
            } else if constexpr (std::is_same_v<E, proto::smtp_server_event::ReplySent>) {
              report_reply(e.reply, clock.now(), LoopbackDirection::kServerToClient, last_command,
                           sink);
            } else if constexpr (std::is_same_v<E, proto::smtp_server_event::StartTls>) {
              tls_next = true;  // after the 220, which goes out in plain text
            } else if constexpr (std::is_same_v<E, proto::smtp_server_event::TimedOut>) {
              end.timed_out = true;
            }
          },
          ev);
    }
    if (!wire.send(out)) {
      end.peer_closed = true;
      engine.peer_closed(clock.now());
    }
    if (tls_next && !start_tls()) {
      end.peer_closed = true;
      engine.peer_closed(clock.now());
    }
  };
  const bool implicit = engine.config().tls == proto::TlsState::kActive;
  if (implicit && !start_tls()) {
    wire.close();
    return end;
  }
  if (!implicit) {
    engine.open(clock.now());
    pump();
  }
  bool opened = !implicit;
  while (!engine.wants_close() && !end.peer_closed) {
    const bool was_up = wire.tls_up();
    const TcpStream::Read r = wire.receive(wait_for(engine.next_deadline(), clock.now()), &bytes);
    const proto::Micros now = clock.now();
    if (r == TcpStream::Read::kClosed) {
      if (wire.tls() && wire.tls()->failed()) end.error = wire.tls()->error();
      end.peer_closed = true;
      engine.peer_closed(now);
    } else {
      if (!was_up && wire.tls_up()) {
        if (sink) sink(tls_note(now, *wire.tls()));
        if (opened) {
          engine.tls_established(now);
        } else {
          opened = true;
          engine.open(now);  // implicit TLS: the greeting inside it
        }
      }
      if (!bytes.empty()) engine.receive(bytes, now);
      if (const auto deadline = engine.next_deadline(); deadline && now >= *deadline) {
        engine.tick(now);
      }
    }
    pump();
  }
  wire.close();
  return end;
}

}  // namespace mailhop::realnet
