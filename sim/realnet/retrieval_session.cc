#include "sim/realnet/retrieval_session.h"

#include <type_traits>
#include <variant>

#include "sim/realnet/drive.h"

namespace mailhop::realnet {

namespace {
using proto::LoopbackDirection;
using proto::LoopbackLineKind;
}  // namespace

SessionEnd run_pop3_client(TcpStream& stream, proto::Pop3Client& engine, const LineSink& sink,
                           const ClientTlsStart& tls) {
  detail::SessionClock clock;
  const auto emit = [&](LoopbackDirection direction, LoopbackLineKind kind, std::string text,
                        std::size_t octets = 0) {
    if (!sink) return;
    WireLine line{clock.now(), direction, kind, std::move(text), {}};
    line.octets = octets;
    sink(line);
  };
  std::string error;
  const auto on_events = [&](std::vector<proto::Pop3ClientEvent>& events, const auto& start_tls) {
    for (proto::Pop3ClientEvent& ev : events) {
      std::visit(
          [&](auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, proto::pop3_client_event::CommandSent>) {
              emit(LoopbackDirection::kClientToServer, LoopbackLineKind::kCommand, e.line);
            } else if constexpr (std::is_same_v<E, proto::pop3_client_event::ResponseReceived>) {
              emit(LoopbackDirection::kServerToClient, LoopbackLineKind::kReply, e.line);
            } else if constexpr (std::is_same_v<E, proto::pop3_client_event::ListReceived>) {
              // Each line as the server sent it, then the end of the list.
              for (std::string& line : e.lines) {
                const bool stuffed = !line.empty() && line[0] == '.';
                emit(LoopbackDirection::kServerToClient, LoopbackLineKind::kReply,
                     stuffed ? "." + line : std::move(line));
              }
              emit(LoopbackDirection::kServerToClient, LoopbackLineKind::kReply, ".");
            } else if constexpr (std::is_same_v<E, proto::pop3_client_event::MessageRetrieved>) {
              emit(LoopbackDirection::kServerToClient, LoopbackLineKind::kMessageBody,
                   "message " + std::to_string(e.number) + ", " + std::to_string(e.octets) +
                       " octets",
                   e.octets);
            } else if constexpr (std::is_same_v<E, proto::pop3_client_event::StartTls>) {
              start_tls();
            } else if constexpr (std::is_same_v<E, proto::pop3_client_event::Failed>) {
              error = e.reason;
            }
          },
          ev);
    }
  };
  SessionEnd end = detail::drive_client(stream, engine, sink, tls, clock, on_events);
  if (end.error.empty()) end.error = error;
  return end;
}

SessionEnd run_imap_client(
    TcpStream& stream, proto::ImapClient& engine, const LineSink& sink, const ClientTlsStart& tls,
    const std::function<void(const proto::imap_client_event::MessageFetched&)>& on_message) {
  detail::SessionClock clock;
  const auto emit = [&](LoopbackDirection direction, LoopbackLineKind kind, std::string text) {
    if (sink) sink(WireLine{clock.now(), direction, kind, std::move(text), {}});
  };
  std::string error;
  const auto on_events = [&](std::vector<proto::ImapClientEvent>& events, const auto& start_tls) {
    for (proto::ImapClientEvent& ev : events) {
      std::visit(
          [&](auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, proto::imap_client_event::CommandSent>) {
              emit(LoopbackDirection::kClientToServer, LoopbackLineKind::kCommand, e.line);
            } else if constexpr (std::is_same_v<E, proto::imap_client_event::ResponseReceived>) {
              emit(LoopbackDirection::kServerToClient, LoopbackLineKind::kReply, e.line);
            } else if constexpr (std::is_same_v<E, proto::imap_client_event::MessageFetched>) {
              if (on_message) on_message(e);
            } else if constexpr (std::is_same_v<E, proto::imap_client_event::StartTls>) {
              start_tls();
            } else if constexpr (std::is_same_v<E, proto::imap_client_event::LoginFailed>) {
              error = e.reason;
            } else if constexpr (std::is_same_v<E, proto::imap_client_event::Error>) {
              if (error.empty()) error = e.reason;
            }
          },
          ev);
    }
  };
  SessionEnd end = detail::drive_client(stream, engine, sink, tls, clock, on_events);
  if (end.error.empty()) end.error = error;
  return end;
}

}  // namespace mailhop::realnet
