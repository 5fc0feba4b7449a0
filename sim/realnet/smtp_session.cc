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

}  // namespace

SessionEnd run_smtp_client(TcpStream& stream, proto::SmtpClient& engine, const LineSink& sink) {
  SessionClock clock;
  SessionEnd end;
  // What each reply answers, in order (commands may be pipelined).
  std::deque<std::string> answers{"greeting"};
  bool auth_pending = false;  // a 334 asks for the next line of AUTH
  std::string bytes;
  std::vector<proto::SmtpClientEvent> events;
  const auto emit = [&](LoopbackLineKind kind, std::string text, std::string context = {}) {
    if (sink) {
      sink(WireLine{clock.now(), LoopbackDirection::kClientToServer, kind, std::move(text),
                    std::move(context)});
    }
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
              emit(auth_data ? LoopbackLineKind::kAuthData : LoopbackLineKind::kCommand, e.line);
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
            } else if constexpr (std::is_same_v<E, proto::smtp_client_event::ProtocolError>) {
              end.error = e.reason;
            } else if constexpr (std::is_same_v<E, proto::smtp_client_event::TimedOut>) {
              end.timed_out = true;
            }
          },
          ev);
    }
    if (!out.empty() && !stream.write(out)) {
      end.peer_closed = true;
      engine.peer_closed(clock.now());
    }
  };
  engine.open(clock.now());
  pump();
  while (!engine.finished()) {
    const TcpStream::Read r = stream.read(wait_for(engine.next_deadline(), clock.now()), &bytes);
    const proto::Micros now = clock.now();
    if (r == TcpStream::Read::kData) {
      engine.receive(bytes, now);
    } else if (r == TcpStream::Read::kClosed) {
      end.peer_closed = true;
      engine.peer_closed(now);
    } else if (const auto deadline = engine.next_deadline(); deadline && now >= *deadline) {
      engine.tick(now);
    }
    pump();
  }
  stream.close();
  return end;
}

SessionEnd serve_smtp(TcpStream& stream, proto::SmtpServer& engine, const LineSink& sink) {
  SessionClock clock;
  SessionEnd end;
  std::string last_command = "greeting";
  std::string bytes;
  std::vector<proto::SmtpServerEvent> events;
  const auto pump = [&] {
    const std::string out = engine.take_output();
    engine.take_events(&events);
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
            } else if constexpr (std::is_same_v<E, proto::smtp_server_event::TimedOut>) {
              end.timed_out = true;
            }
          },
          ev);
    }
    if (!out.empty() && !stream.write(out)) {
      end.peer_closed = true;
      engine.peer_closed(clock.now());
    }
  };
  engine.open(clock.now());
  pump();
  while (!engine.wants_close() && !end.peer_closed) {
    const TcpStream::Read r = stream.read(wait_for(engine.next_deadline(), clock.now()), &bytes);
    const proto::Micros now = clock.now();
    if (r == TcpStream::Read::kData) {
      engine.receive(bytes, now);
    } else if (r == TcpStream::Read::kClosed) {
      end.peer_closed = true;
      engine.peer_closed(now);
    } else if (const auto deadline = engine.next_deadline(); deadline && now >= *deadline) {
      engine.tick(now);
    }
    pump();
  }
  stream.close();
  return end;
}

}  // namespace mailhop::realnet
