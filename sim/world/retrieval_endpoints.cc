#include "sim/world/retrieval_endpoints.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "sim/mail/ascii.h"

namespace mailhop::world {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

enum class Body { kNone, kLines, kMessage };

// What follows a +OK to this POP3 command: nothing, listing lines, or message contents.
Body pop3_body(std::string_view command) {
  const std::size_t space = command.find(' ');
  const std::string verb = mail::ascii_upper(std::string(command.substr(0, space)));
  const bool has_argument = space != std::string_view::npos;
  if (verb == "CAPA") return Body::kLines;
  if ((verb == "LIST" || verb == "UIDL") && !has_argument) return Body::kLines;
  if (verb == "RETR" || verb == "TOP") return Body::kMessage;
  return Body::kNone;
}

// The next CRLF-terminated line of `out` from `*pos` (without the CRLF); false at the end.
bool next_line(const std::string& out, std::size_t* pos, std::string_view* line) {
  if (*pos >= out.size()) return false;
  const std::size_t end = out.find("\r\n", *pos);
  if (end == std::string::npos) {
    *line = std::string_view(out).substr(*pos);
    *pos = out.size();
  } else {
    *line = std::string_view(out).substr(*pos, end - *pos);
    *pos = end + 2;
  }
  return true;
}

}  // namespace

core::TraceEvent session_event(const Connection& conn, core::TraceKind kind, Side side,
                               core::SimTime now, const char* protocol) {
  core::TraceEvent e = connection_event(conn, kind, side, now);
  e.protocol = protocol_name(protocol);
  return e;
}

// --- server -----------------------------------------------------------------------------

Pop3ServerEndpoint::Pop3ServerEndpoint(core::Simulator& sim, core::Trace& trace,
                                       Connection& conn, proto::Pop3ServerConfig config,
                                       std::unique_ptr<proto::Pop3Maildrop> maildrop,
                                       SessionTls tls)
    : ServerEndpointBase(sim, trace, conn, tls),
      m_maildrop(std::move(maildrop)),
      m_engine(std::move(config), *m_maildrop) {}

void Pop3ServerEndpoint::trace_output(const std::string& out,
                                      const std::vector<proto::Pop3ServerEvent>& events,
                                      core::SimTime now, core::SimTime arrival) {
  // Status lines are in the output in the order of the ResponseSent events; a multi-line
  // answer's lines follow its status line up to the line ".".
  std::size_t pos = 0;
  std::string command;
  auto emit_line = [&](std::string_view text) {
    core::TraceEvent e = session_event(m_conn, core::TraceKind::kServerLine, Side::kServer, now, "POP3");
    e.arrival = arrival;
    e.text = std::string(text);
    m_trace.emit(std::move(e));
  };
  for (const proto::Pop3ServerEvent& ev : events) {
    if (const auto* c = std::get_if<proto::pop3_server_event::CommandReceived>(&ev)) {
      command = c->line;
      continue;
    }
    const auto* r = std::get_if<proto::pop3_server_event::ResponseSent>(&ev);
    if (!r) continue;
    std::string_view line;
    if (!next_line(out, &pos, &line)) return;
    emit_line(line);
    const Body body = r->ok ? pop3_body(command) : Body::kNone;
    command.clear();
    if (body == Body::kNone) continue;
    std::size_t octets = 0;
    while (next_line(out, &pos, &line) && line != ".") {
      if (body == Body::kLines) emit_line(line);
      else octets += line.size() + 2;
    }
    if (body == Body::kMessage) {
      core::TraceEvent e = session_event(m_conn, core::TraceKind::kDataSent, Side::kServer, now, "POP3");
      e.arrival = arrival;
      e.text = std::to_string(octets);
      m_trace.emit(std::move(e));
    } else {
      emit_line(".");
    }
  }
}

void Pop3ServerEndpoint::pump(core::SimTime now) {
  std::string out = m_engine.take_output();
  std::vector<proto::Pop3ServerEvent> events = m_engine.take_events();
  const std::string copy = m_trace.has_observers() ? out : std::string();
  const core::SimTime arrival = out.empty() ? now : m_conn.send(Side::kServer, std::move(out));
  if (m_trace.has_observers()) {
    trace_output(copy, events, now, arrival);
    for (const proto::Pop3ServerEvent& ev : events) {
      if (const auto* a = std::get_if<proto::pop3_server_event::Authenticated>(&ev)) {
        core::TraceEvent e =
            session_event(m_conn, core::TraceKind::kAuthenticated, Side::kServer, now, "POP3");
        e.text = a->user + " (" + a->mechanism + ")";
        m_trace.emit(std::move(e));
      }
    }
  }
  if (m_engine.wants_close() && !m_conn.closed(Side::kServer)) {
    m_done = true;
    m_timer.cancel();
    m_conn.close(Side::kServer);
    return;
  }
  if (!m_done) m_timer.arm(m_engine.next_deadline());
}

// --- client -----------------------------------------------------------------------------

Pop3ClientEndpoint::Pop3ClientEndpoint(core::Simulator& sim, core::Trace& trace,
                                       Connection& conn, proto::Pop3ClientOptions options,
                                       Done on_done)
    : m_sim(sim),
      m_trace(trace),
      m_conn(conn),
      m_options(std::move(options)),
      m_on_done(std::move(on_done)),
      m_timer(sim, [this] {
        const core::SimTime t = m_sim.now();
        if (!m_engine) return;
        m_engine->tick(t.to_proto());
        pump(t);
      }) {}

void Pop3ClientEndpoint::on_open(core::SimTime now) {
  m_engine = std::make_unique<proto::Pop3Client>(m_options, now.to_proto());
  // Implicit TLS (port 995): the handshake comes first, before the greeting.
  if (m_options.tls == proto::Pop3ClientTls::kImplicit) m_conn.send_tls(Side::kClient);
  pump(now);
}

void Pop3ClientEndpoint::on_bytes(std::string_view bytes, core::SimTime now) {
  if (m_done || !m_engine) return;
  m_engine->receive(bytes, now.to_proto());
  pump(now);
}

void Pop3ClientEndpoint::on_tls(core::SimTime now) {
  if (m_done || !m_engine) return;
  // With implicit TLS the server side reported the handshake.
  if (m_trace.has_observers() && m_options.tls != proto::Pop3ClientTls::kImplicit) {
    core::TraceEvent e = session_event(m_conn, core::TraceKind::kTlsHandshake, Side::kClient, now, "POP3");
    e.text = "TLSv1.3";
    m_trace.emit(std::move(e));
  }
  m_engine->tls_established(now.to_proto());
  pump(now);
}

void Pop3ClientEndpoint::on_peer_closed(core::SimTime now) {
  if (m_done) return;
  if (m_engine) {
    m_engine->peer_closed(now.to_proto());
    pump(now);
  }
  m_conn.close(Side::kClient);
  finish(now);
}

void Pop3ClientEndpoint::on_reset(core::SimTime now) {
  if (m_done) return;
  if (m_engine) {
    m_engine->peer_closed(now.to_proto());
    m_engine->take_output();
    m_engine->take_events();
  }
  finish(now);
}

void Pop3ClientEndpoint::finish(core::SimTime now) {
  if (m_done) return;
  m_done = true;
  m_timer.cancel();
  if (m_on_done && m_engine) {
    Done done = std::move(m_on_done);
    done(*m_engine, now);
  }
}

void Pop3ClientEndpoint::pump(core::SimTime now) {
  std::string out = m_engine->take_output();
  const core::SimTime arrival = out.empty() ? now : m_conn.send(Side::kClient, std::move(out));
  for (proto::Pop3ClientEvent& ev : m_engine->take_events()) {
    std::visit(Overloaded{
                   [&](proto::pop3_client_event::CommandSent& c) {
                     if (!m_trace.has_observers()) return;
                     core::TraceEvent e = session_event(m_conn, core::TraceKind::kClientLine,
                                                        Side::kClient, now, "POP3");
                     e.arrival = arrival;
                     e.text = c.line;
                     m_trace.emit(std::move(e));
                   },
                   [&](proto::pop3_client_event::StartTls&) { m_conn.send_tls(Side::kClient); },
                   [&](auto&) {},
               },
               ev);
  }
  if (m_engine->finished()) {
    if (!m_conn.closed(Side::kClient)) m_conn.close(Side::kClient);
    finish(now);
    return;
  }
  if (!m_done) m_timer.arm(m_engine->next_deadline());
}

// --- IMAP client ------------------------------------------------------------------------

ImapClientEndpoint::ImapClientEndpoint(core::Simulator& sim, core::Trace& trace,
                                       Connection& conn, proto::ImapClientOptions options,
                                       OnEvent on_event, Done on_done)
    : m_sim(sim),
      m_trace(trace),
      m_conn(conn),
      m_implicit_tls(options.tls == proto::ImapClientTls::kImplicit),
      m_engine(std::move(options)),
      m_on_event(std::move(on_event)),
      m_on_done(std::move(on_done)),
      m_timer(sim, [this] {
        const core::SimTime t = m_sim.now();
        m_engine.tick(t.to_proto());
        pump(t);
      }) {}

void ImapClientEndpoint::enqueue(proto::ImapOperation op) {
  if (m_done) return;
  m_added.push_back(std::move(op));
  if (!m_in_pump) pump(m_sim.now());
}

void ImapClientEndpoint::on_open(core::SimTime now) {
  m_engine.open(now.to_proto());
  // Implicit TLS (port 993): the handshake comes first, before the greeting.
  if (m_implicit_tls) m_conn.send_tls(Side::kClient);
  pump(now);
}

void ImapClientEndpoint::on_bytes(std::string_view bytes, core::SimTime now) {
  if (m_done) return;
  m_engine.receive(bytes, now.to_proto());
  pump(now);
}

void ImapClientEndpoint::on_tls(core::SimTime now) {
  if (m_done) return;
  // With implicit TLS the server side reported the handshake.
  if (m_trace.has_observers() && !m_implicit_tls) {
    core::TraceEvent e = session_event(m_conn, core::TraceKind::kTlsHandshake, Side::kClient, now, "IMAP");
    e.text = "TLSv1.3";
    m_trace.emit(std::move(e));
  }
  m_engine.tls_established(now.to_proto());
  pump(now);
}

void ImapClientEndpoint::on_peer_closed(core::SimTime now) {
  if (m_done) return;
  m_engine.peer_closed(now.to_proto());
  pump(now);
  if (!m_conn.closed(Side::kClient)) m_conn.close(Side::kClient);
  finish(now);
}

void ImapClientEndpoint::on_reset(core::SimTime now) {
  if (m_done) return;
  m_engine.peer_closed(now.to_proto());
  m_engine.take_output();
  for (const proto::ImapClientEvent& ev : m_engine.take_events())
    if (m_on_event) m_on_event(*this, ev, now);
  finish(now);
}

void ImapClientEndpoint::finish(core::SimTime now) {
  if (m_done) return;
  m_done = true;
  m_timer.cancel();
  if (m_on_done) {
    Done done = std::move(m_on_done);
    done(m_engine, now);
  }
}

void ImapClientEndpoint::pump(core::SimTime now) {
  m_in_pump = true;
  for (bool again = true; again && !m_done;) {
    for (proto::ImapOperation& op : m_added) m_engine.enqueue(std::move(op), now.to_proto());
    m_added.clear();
    std::string out = m_engine.take_output();
    const core::SimTime arrival = out.empty() ? now : m_conn.send(Side::kClient, std::move(out));
    for (const proto::ImapClientEvent& ev : m_engine.take_events()) {
      if (const auto* c = std::get_if<proto::imap_client_event::CommandSent>(&ev)) {
        if (m_trace.has_observers()) {
          core::TraceEvent e =
              session_event(m_conn, core::TraceKind::kClientLine, Side::kClient, now, "IMAP");
          e.arrival = arrival;
          e.text = c->line;
          m_trace.emit(std::move(e));
        }
      } else if (std::holds_alternative<proto::imap_client_event::StartTls>(ev)) {
        m_conn.send_tls(Side::kClient);
      }
      if (m_on_event) m_on_event(*this, ev, now);
    }
    again = !m_added.empty();
  }
  m_in_pump = false;
  if (m_done) return;
  if (m_engine.finished() || m_engine.wants_close()) {
    if (!m_conn.closed(Side::kClient)) m_conn.close(Side::kClient);
    finish(now);
    return;
  }
  m_timer.arm(m_engine.next_deadline());
}

// --- IMAP server trace -------------------------------------------------------------------

void ImapServerTracer::trace(const Connection& conn, core::Trace& trace, std::string_view bytes,
                             core::SimTime now, core::SimTime arrival) {
  auto emit = [&](core::TraceKind kind, std::string text) {
    core::TraceEvent e = session_event(conn, kind, Side::kServer, now, "IMAP");
    e.arrival = arrival;
    e.text = std::move(text);
    trace.emit(std::move(e));
  };
  while (!bytes.empty()) {
    if (m_literal_left > 0) {
      const std::size_t n = std::min(m_literal_left, bytes.size());
      m_literal_left -= n;
      bytes.remove_prefix(n);
      if (m_literal_left == 0) emit(core::TraceKind::kDataSent, std::to_string(m_literal));
      continue;
    }
    const std::size_t end = bytes.find("\r\n");
    if (end == std::string_view::npos) {
      m_partial.append(bytes);
      return;
    }
    std::string line = m_partial + std::string(bytes.substr(0, end));
    m_partial.clear();
    bytes.remove_prefix(end + 2);
    // A line ending in "{n}" announces n octets of literal data (RFC 3501 section 4.3).
    std::size_t literal = 0;
    if (!line.empty() && line.back() == '}') {
      const std::size_t open = line.rfind('{');
      if (open != std::string::npos && open + 2 < line.size()) {
        const std::string_view digits = std::string_view(line).substr(open + 1, line.size() - open - 2);
        std::size_t value = 0;
        const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec == std::errc() && p == digits.data() + digits.size()) literal = value;
      }
    }
    emit(core::TraceKind::kServerLine, std::move(line));
    if (literal > 0) {
      m_literal = literal;
      m_literal_left = literal;
    }
  }
}

// --- IMAP server ------------------------------------------------------------------------

ImapServerEndpoint::ImapServerEndpoint(core::Simulator& sim, core::Trace& trace,
                                       Connection& conn, proto::ImapServerConfig config,
                                       std::unique_ptr<proto::ImapAccounts> accounts,
                                       SessionTls tls, StoreOf store_of)
    : ServerEndpointBase(sim, trace, conn, tls),
      m_accounts(std::move(accounts)),
      m_engine(std::move(config), *m_accounts),
      m_store_of(std::move(store_of)) {}

ImapServerEndpoint::~ImapServerEndpoint() { stop_listening(); }

void ImapServerEndpoint::stop_listening() {
  if (m_store && m_listener) m_store->remove_listener(m_listener);
  m_store = nullptr;
  m_listener = 0;
  if (m_change_event) m_sim.cancel(*m_change_event);
  m_change_event.reset();
}

void ImapServerEndpoint::pump(core::SimTime now) {
  std::string out = m_engine.take_output();
  const bool tracing = m_trace.has_observers() && !out.empty();
  const std::string copy = tracing ? out : std::string();
  const core::SimTime arrival = out.empty() ? now : m_conn.send(Side::kServer, std::move(out));
  if (tracing) m_tracer.trace(m_conn, m_trace, copy, now, arrival);
  for (const proto::ImapServerEvent& ev : m_engine.take_events()) {
    if (const auto* a = std::get_if<proto::imap_server_event::Authenticated>(&ev)) {
      if (m_trace.has_observers()) {
        core::TraceEvent e =
            session_event(m_conn, core::TraceKind::kAuthenticated, Side::kServer, now, "IMAP");
        e.text = a->user + " (" + a->mechanism + ")";
        m_trace.emit(std::move(e));
      }
      stop_listening();
      m_store = m_store_of ? m_store_of(a->user) : nullptr;
      if (m_store) {
        m_listener = m_store->add_listener([this](const mail::StoreChange&) {
          if (m_change_event || m_done) return;
          m_change_event = m_sim.schedule(m_sim.now(), [this] {
            m_change_event.reset();
            if (m_done) return;
            const core::SimTime t = m_sim.now();
            m_engine.mailbox_changed(t.to_proto());
            pump(t);
          });
        });
      }
    }
  }
  if (m_engine.wants_close() && !m_conn.closed(Side::kServer)) {
    m_done = true;
    m_timer.cancel();
    stop_listening();
    m_conn.close(Side::kServer);
    return;
  }
  if (!m_done) m_timer.arm(m_engine.next_deadline());
}

}  // namespace mailhop::world
