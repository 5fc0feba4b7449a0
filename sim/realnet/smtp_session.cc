#include "sim/realnet/smtp_session.h"

#include <algorithm>
#include <deque>
#include <type_traits>
#include <variant>

#include "sim/mail/ascii.h"
#include "sim/realnet/drive.h"

namespace mailhop::realnet {

namespace {

using proto::LoopbackDirection;
using proto::LoopbackLineKind;

std::string upper_verb(std::string_view line) {
  return mail::ascii_upper(line.substr(0, line.find(' ')));
}

// The message after DATA, as one line: "message, 312 octets, then ".""
WireLine message_line(proto::Micros at, std::size_t octets) {
  WireLine line{at,
                LoopbackDirection::kClientToServer,
                LoopbackLineKind::kEndOfData,
                "message, " + std::to_string(octets) + " octets, then \".\"",
                {}};
  line.octets = octets;
  return line;
}

void report_reply(const proto::SmtpReply& reply, proto::Micros at, LoopbackDirection direction,
                  const std::string& context, const LineSink& sink) {
  for (std::size_t i = 0; i < reply.wire_line_count(); ++i) {
    WireLine line{at, direction, LoopbackLineKind::kReply, {}, context};
    reply.append_wire_line(line.text, i);
    if (sink) sink(line);
  }
}

}  // namespace

SessionEnd run_smtp_client(TcpStream& stream, proto::SmtpClient& engine, const LineSink& sink,
                           const ClientTlsStart& tls) {
  detail::SessionClock clock;
  std::string error;
  bool timed_out = false;
  // What each reply answers, in order (commands may be pipelined).
  std::deque<std::string> answers{"greeting"};
  bool auth_pending = false;  // a 334 asks for the next line of AUTH
  const auto on_events = [&](std::vector<proto::SmtpClientEvent>& events, const auto& start_tls) {
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
                sink(message_line(clock.now(), e.octets));
              }
              answers.push_back("end_of_data");
            } else if constexpr (std::is_same_v<E, proto::smtp_client_event::ReplyReceived>) {
              const std::string context = answers.empty() ? std::string() : answers.front();
              if (!answers.empty()) answers.pop_front();
              if (e.reply.code == 334) auth_pending = true;
              report_reply(e.reply, clock.now(), LoopbackDirection::kServerToClient, context, sink);
            } else if constexpr (std::is_same_v<E, proto::smtp_client_event::StartTls>) {
              start_tls();
            } else if constexpr (std::is_same_v<E, proto::smtp_client_event::ProtocolError>) {
              error = e.reason;
            } else if constexpr (std::is_same_v<E, proto::smtp_client_event::TimedOut>) {
              timed_out = true;
            }
          },
          ev);
    }
  };
  SessionEnd end = detail::drive_client(stream, engine, sink, tls, clock, on_events);
  if (end.error.empty()) end.error = error;
  end.timed_out = end.timed_out || timed_out;
  return end;
}

SessionEnd serve_smtp(TcpStream& stream, proto::SmtpServer& engine, const LineSink& sink,
                      std::shared_ptr<const TlsIdentity> identity) {
  detail::SessionClock clock;
  SessionEnd end;
  detail::Wire wire(stream);
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
                sink(message_line(clock.now(), e.octets));
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
    const TcpStream::Read r =
        wire.receive(detail::wait_for(engine.next_deadline(), clock.now()), &bytes);
    const proto::Micros now = clock.now();
    if (r == TcpStream::Read::kClosed) {
      if (wire.tls() && wire.tls()->failed()) end.error = wire.tls()->error();
      end.peer_closed = true;
      engine.peer_closed(now);
    } else {
      if (!was_up && wire.tls_up()) {
        if (sink) sink(detail::tls_note(now, *wire.tls()));
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
