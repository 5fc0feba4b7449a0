#pragma once
// What the drivers of sim/realnet share (not for use outside it): the session's clock, the
// connection seen through TLS, and the loop that runs a client engine on a stream.

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sim/proto/smtp_loopback.h"
#include "sim/proto/time.h"
#include "sim/realnet/smtp_session.h"
#include "sim/realnet/tcp.h"
#include "sim/realnet/tls.h"

namespace mailhop::realnet::detail {

using proto::LoopbackDirection;
using proto::LoopbackLineKind;

// The session's time: microseconds since it started, as the engines count.
class SessionClock {
 public:
  proto::Micros now() const {
    return std::chrono::duration_cast<proto::Micros>(std::chrono::steady_clock::now() - m_start);
  }

 private:
  std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

// How long to wait for bytes: until the engine's deadline, at most a second at a time.
inline std::chrono::milliseconds wait_for(std::optional<proto::Micros> deadline,
                                          proto::Micros now) {
  constexpr std::chrono::milliseconds kMostAtOnce(1000);
  if (!deadline) return kMostAtOnce;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now);
  return std::clamp(left, std::chrono::milliseconds(0), kMostAtOnce);
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

inline WireLine tls_note(proto::Micros at, const TlsSession& tls) {
  return WireLine{
      at, LoopbackDirection::kNote, LoopbackLineKind::kTlsEstablished, tls.description(), {}};
}

// Runs a client engine (SMTP, POP3 or IMAP) on `stream` until it is finished: bytes in, bytes
// out (through TLS after the engine's StartTls event, or from the first byte with
// `tls.implicit`), deadlines, the peer closing. `on_events(events, start_tls)` reads the
// engine's events after each step; it calls start_tls() on the engine's StartTls event.
// `clock` is the session's, which the caller also reads to time the lines it reports.
template <typename Engine, typename OnEvents>
SessionEnd drive_client(TcpStream& stream, Engine& engine, const LineSink& sink,
                        const ClientTlsStart& tls, const SessionClock& clock, OnEvents on_events) {
  SessionEnd end;
  Wire wire(stream);
  std::string bytes;
  const auto start_tls = [&]() {
    std::string why;
    std::unique_ptr<TlsSession> session = TlsSession::client(tls.server_name, &why, tls.verify);
    if (!session) {
      end.error = why;
      end.tls_failed = true;
      engine.peer_closed(clock.now());
      return false;
    }
    wire.start_tls(std::move(session));
    return true;
  };
  const auto pump = [&] {
    const std::string out = engine.take_output();
    auto events = engine.take_events();
    on_events(events, start_tls);
    if (!wire.send(out)) {
      end.peer_closed = true;
      engine.peer_closed(clock.now());
    }
  };
  // Reads once: false when the peer closed, TLS failed, or `deadline` passed.
  bool tls_was_up = false;
  const auto step = [&](std::optional<proto::Micros> deadline) {
    const TcpStream::Read r = wire.receive(wait_for(deadline, clock.now()), &bytes);
    const proto::Micros now = clock.now();
    if (r == TcpStream::Read::kClosed) {
      if (wire.tls() && wire.tls()->failed()) {
        end.error = wire.tls()->error();
        end.tls_failed = true;
      }
      end.peer_closed = end.error.empty();
      return false;
    }
    if (wire.tls_up() && !tls_was_up) {
      tls_was_up = true;
      if (sink) sink(tls_note(now, *wire.tls()));
    }
    if (r == TcpStream::Read::kTimeout && deadline && now >= *deadline) {
      end.timed_out = true;
      return false;
    }
    return true;
  };
  if (tls.implicit) {
    // Ports 465, 995, 993: the handshake first, within half a minute.
    const proto::Micros limit = clock.now() + std::chrono::seconds(30);
    if (!start_tls()) return end;
    while (!wire.tls_up() && step(limit)) {
    }
    if (!wire.tls_up()) {
      if (end.error.empty() && !end.peer_closed) {
        end.error = "TLS handshake timed out";
        end.tls_failed = true;
      }
      wire.close();
      return end;
    }
  }
  if constexpr (requires { engine.open(clock.now()); }) engine.open(clock.now());
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

}  // namespace mailhop::realnet::detail
