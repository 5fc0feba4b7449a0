#include "sim/proto/smtp_loopback.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <queue>
#include <utility>

#include "sim/mail/ascii.h"

namespace mailhop::proto {
namespace {

using mail::ascii_lower;
using mail::ascii_upper;

enum class Action {
  kDeliverToServer,
  kDeliverToClient,
  kClientTlsUp,
  kServerTlsUp,
  kServerPeerClosed,
  kClientPeerClosed,
};

struct Scheduled {
  Micros time{0};
  std::uint64_t seq = 0;  // insertion order breaks ties, so runs are reproducible
  Action action = Action::kDeliverToServer;
  std::string bytes;
};

struct Later {
  bool operator()(const Scheduled& a, const Scheduled& b) const {
    if (a.time != b.time) return a.time > b.time;
    return a.seq > b.seq;
  }
};

bool is_reply_code(std::string_view line) {
  return line.size() >= 3 && line[0] >= '2' && line[0] <= '5' && line[1] >= '0' && line[1] <= '9' &&
         line[2] >= '0' && line[2] <= '9';
}

class Loopback {
 public:
  Loopback(SmtpClient client, SmtpServer server, const SmtpLoopbackConfig& config)
      : m_client(std::move(client)),
        m_server(std::move(server)),
        m_config(config),
        m_now(config.start) {}

  SmtpLoopbackResult run() {
    note(LoopbackLineKind::kConnected, "connected");
    m_contexts.emplace_back("greeting");
    m_server.open(m_now);
    pump_server();
    m_client.open(m_now);
    pump_client();

    std::size_t steps = 0;
    while (true) {
      if (m_client_closed && m_server_closed && m_queue.empty()) break;
      if (++steps > m_config.max_steps) {
        m_result.error =
            "stopped after " + std::to_string(m_config.max_steps) + " steps without finishing";
        break;
      }
      const std::optional<Micros> queued =
          m_queue.empty() ? std::nullopt : std::optional<Micros>(m_queue.top().time);
      const std::optional<Micros> client_deadline =
          m_client_closed ? std::nullopt : m_client.next_deadline();
      const std::optional<Micros> server_deadline =
          m_server_closed ? std::nullopt : m_server.next_deadline();
      if (!queued && !client_deadline && !server_deadline) {
        m_result.error = "nothing left to do but the session is not over";
        break;
      }
      Micros next = Micros::max();
      for (const auto& t : {queued, client_deadline, server_deadline}) {
        if (t) next = std::min(next, *t);
      }
      if (next - m_config.start > m_config.max_duration) {
        m_result.error = "did not finish within the time limit";
        break;
      }
      m_now = std::max(m_now, next);
      // At equal times, bytes and handshakes go first, then the timers.
      if (queued && *queued == next) {
        Scheduled item = m_queue.top();
        m_queue.pop();
        execute(item);
      } else if (client_deadline && *client_deadline == next) {
        m_client.tick(m_now);
        pump_client();
      } else {
        m_server.tick(m_now);
        pump_server();
      }
    }

    m_result.completed =
        m_result.error.empty() && m_client.finished() && m_client_closed && m_server_closed;
    m_result.outcomes = m_client.outcomes();
    m_result.server_extensions = m_client.server_extensions();
    m_result.end_time = m_now;
    return std::move(m_result);
  }

 private:
  void schedule(Micros at, Action action, std::string bytes = {}) {
    m_queue.push(Scheduled{at, m_seq++, action, std::move(bytes)});
  }

  void note(LoopbackLineKind kind, std::string label) {
    TranscriptEntry entry;
    entry.time = m_now;
    entry.arrival = m_now;
    entry.direction = LoopbackDirection::kNote;
    entry.kind = kind;
    entry.text = std::move(label);
    m_result.transcript.push_back(std::move(entry));
  }

  void execute(const Scheduled& item) {
    switch (item.action) {
      case Action::kDeliverToServer:
        if (m_server_closed) return;  // the server has gone: the bytes are lost
        m_server.receive(item.bytes, m_now);
        pump_server();
        return;
      case Action::kDeliverToClient:
        if (m_client_closed) return;
        m_client.receive(item.bytes, m_now);
        pump_client();
        return;
      case Action::kClientTlsUp:
        if (m_client_closed) return;
        m_client_tls = true;
        note(LoopbackLineKind::kTlsEstablished, "TLS established");
        m_client.tls_established(m_now);
        pump_client();
        return;
      case Action::kServerTlsUp:
        if (m_server_closed) return;
        m_server_tls = true;
        m_server.tls_established(m_now);
        pump_server();
        return;
      case Action::kServerPeerClosed:
        if (m_server_closed) return;
        m_server.peer_closed(m_now);
        pump_server();
        close_server();
        return;
      case Action::kClientPeerClosed:
        if (m_client_closed) return;
        m_client.peer_closed(m_now);
        pump_client();
        close_client();
        return;
    }
  }

  // Splits outgoing bytes into lines for the transcript; a partial line waits for its end.
  std::vector<std::string> split_lines(std::string& pending, std::string_view bytes) {
    pending.append(bytes);
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (true) {
      const std::size_t crlf = pending.find("\r\n", start);
      if (crlf == std::string::npos) break;
      lines.push_back(pending.substr(start, crlf - start));
      start = crlf + 2;
    }
    pending.erase(0, start);
    return lines;
  }

  void record_client_line(std::string text) {
    TranscriptEntry entry;
    entry.time = m_now;
    entry.arrival = m_now + m_config.one_way_latency;
    entry.direction = LoopbackDirection::kClientToServer;
    entry.encrypted = m_client_tls;
    if (m_in_data) {
      if (text == ".") {
        entry.kind = LoopbackLineKind::kEndOfData;
        m_in_data = false;
        m_contexts.emplace_back("end_of_data");
      } else if (m_in_header && text.empty()) {
        entry.kind = LoopbackLineKind::kMessageSeparator;
        m_in_header = false;
      } else {
        entry.kind =
            m_in_header ? LoopbackLineKind::kMessageHeader : LoopbackLineKind::kMessageBody;
      }
    } else if (m_data_go_ahead) {
      // The first line after 354 starts the message.
      m_data_go_ahead = false;
      m_in_data = true;
      m_in_header = true;
      record_client_line(std::move(text));
      return;
    } else if (m_auth_challenges > 0) {
      --m_auth_challenges;
      entry.kind = LoopbackLineKind::kAuthData;
      m_contexts.emplace_back("auth_data");
    } else {
      entry.kind = LoopbackLineKind::kCommand;
      const std::size_t end = text.find_first_of(" :");
      m_contexts.push_back(ascii_upper(std::string_view(text).substr(0, end)));
    }
    entry.text = std::move(text);
    m_result.transcript.push_back(std::move(entry));
  }

  void record_server_line(std::string text) {
    TranscriptEntry entry;
    entry.time = m_now;
    entry.arrival = m_now + m_config.one_way_latency;
    entry.direction = LoopbackDirection::kServerToClient;
    entry.kind = LoopbackLineKind::kReply;
    entry.encrypted = m_server_tls;
    if (!m_contexts.empty()) entry.context = m_contexts.front();
    // "ddd " or "ddd" ends a reply; "ddd-" continues it (RFC 5321 4.2.1).
    const bool last = is_reply_code(text) && (text.size() == 3 || text[3] == ' ');
    if (last) {
      if (!m_contexts.empty()) m_contexts.pop_front();
      if (text.compare(0, 3, "354") == 0) m_data_go_ahead = true;
      if (text.compare(0, 3, "334") == 0) ++m_auth_challenges;
    }
    entry.text = std::move(text);
    m_result.transcript.push_back(std::move(entry));
  }

  void pump_client() {
    std::string out = m_client.take_output();
    if (!out.empty()) {
      for (std::string& line : split_lines(m_client_pending, out))
        record_client_line(std::move(line));
      schedule(m_now + m_config.one_way_latency, Action::kDeliverToServer, std::move(out));
    }
    for (SmtpClientEvent& event : m_client.take_events()) {
      if (std::holds_alternative<smtp_client_event::StartTls>(event)) start_tls();
      m_result.events.push_back(LoopbackEvent{m_now, LoopbackSide::kClient, std::move(event)});
    }
    if (m_client.finished()) close_client();
  }

  void pump_server() {
    std::string out = m_server.take_output();
    if (!out.empty()) {
      for (std::string& line : split_lines(m_server_pending, out))
        record_server_line(std::move(line));
      schedule(m_now + m_config.one_way_latency, Action::kDeliverToClient, std::move(out));
    }
    for (SmtpServerEvent& event : m_server.take_events()) {
      if (std::holds_alternative<smtp_server_event::StartTls>(event)) m_server_wants_tls = true;
      if (auto* accepted = std::get_if<smtp_server_event::MessageAccepted>(&event)) {
        m_result.accepted.push_back(*accepted);
      }
      m_result.events.push_back(LoopbackEvent{m_now, LoopbackSide::kServer, std::move(event)});
    }
    if (m_server.wants_close()) close_server();
  }

  // The client has the server's 220 to STARTTLS: ClientHello now; the client is done after
  // one round trip, the server when the client's Finished arrives half a round trip later.
  void start_tls() {
    note(LoopbackLineKind::kTlsStart, "TLS handshake");
    schedule(m_now + 2 * m_config.one_way_latency, Action::kClientTlsUp);
    if (m_server_wants_tls) {
      schedule(m_now + 3 * m_config.one_way_latency, Action::kServerTlsUp);
    }
  }

  void close_client() {
    if (m_client_closed) return;
    m_client_closed = true;
    if (!m_server_closed) {
      note(LoopbackLineKind::kClientClosed, "client closed the connection");
      schedule(m_now + m_config.one_way_latency, Action::kServerPeerClosed);
    }
  }

  void close_server() {
    if (m_server_closed) return;
    m_server_closed = true;
    if (!m_client_closed) {
      note(LoopbackLineKind::kServerClosed, "server closed the connection");
      schedule(m_now + m_config.one_way_latency, Action::kClientPeerClosed);
    }
  }

  SmtpClient m_client;
  SmtpServer m_server;
  SmtpLoopbackConfig m_config;
  Micros m_now;
  std::uint64_t m_seq = 0;
  std::priority_queue<Scheduled, std::vector<Scheduled>, Later> m_queue;
  SmtpLoopbackResult m_result;

  std::string m_client_pending;
  std::string m_server_pending;
  std::deque<std::string> m_contexts;  // what each awaited reply answers, oldest first
  bool m_data_go_ahead = false;        // 354 sent: the next client line starts the message
  bool m_in_data = false;
  bool m_in_header = false;
  int m_auth_challenges = 0;  // 334s not yet answered
  bool m_client_tls = false;
  bool m_server_tls = false;
  bool m_server_wants_tls = false;
  bool m_client_closed = false;
  bool m_server_closed = false;
};

}  // namespace

SmtpLoopbackResult run_smtp_loopback(SmtpClient client, SmtpServer server,
                                     const SmtpLoopbackConfig& config) {
  return Loopback(std::move(client), std::move(server), config).run();
}

std::string_view direction_label(LoopbackDirection direction) {
  switch (direction) {
    case LoopbackDirection::kClientToServer:
      return "C->S";
    case LoopbackDirection::kServerToClient:
      return "S->C";
    case LoopbackDirection::kNote:
      return "--";
  }
  return "--";
}

}  // namespace mailhop::proto
