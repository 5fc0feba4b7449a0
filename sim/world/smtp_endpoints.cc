#include "sim/world/smtp_endpoints.h"

namespace mailhop::world {

namespace {
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
// The endpoints read only some of their engines' events: the others are not made.
// (Changed in place and passed on: the config moves once, into the engine.)
proto::SmtpServerConfig&& without_unread_events(proto::SmtpServerConfig& config, bool tracing) {
  config.report_commands = false;  // the client's side traces the command lines
  config.report_messages = false;  // the world takes messages from the policy
  config.report_reply_text = tracing;
  return std::move(config);
}
// (Changed in place and passed on: the options move once, into the engine.)
proto::SmtpClientOptions&& with_command_events_if(proto::SmtpClientOptions& options, bool tracing) {
  options.report_commands = tracing;
  options.report_replies = false;  // the server's side traces the reply lines
  options.keep_outcome_replies = false;  // the world reads status and diagnostic only
  return std::move(options);
}
}  // namespace

void DeadlineTimer::reschedule() {
  if (m_event != 0) m_sim.cancel(m_event);
  schedule(m_deadline);
}

void DeadlineTimer::schedule(core::SimTime at) {
  m_event_at = at;
  m_event = m_sim.schedule(at, [this] {
    m_event = 0;
    if (!m_armed) return;
    if (m_deadline > m_sim.now()) {
      schedule(m_deadline);
      return;
    }
    m_armed = false;
    m_fire();
  });
}

core::Name protocol_name(std::string_view protocol) {
  static const core::Name smtp("SMTP");
  static const core::Name pop3("POP3");
  static const core::Name imap("IMAP");
  if (protocol == "SMTP") return smtp;
  if (protocol == "POP3") return pop3;
  if (protocol == "IMAP") return imap;
  return core::Name(protocol);
}

core::TraceEvent connection_event(const Connection& conn, core::TraceKind kind, Side side,
                                  core::SimTime now) {
  static const core::Name smtp = protocol_name("SMTP");
  // Every field at once: no empty Name is made only to be overwritten (one event per line).
  return core::TraceEvent{
      .time = now,
      .arrival = now,
      .kind = kind,
      .code = 0,
      .node = side == Side::kClient ? conn.client_name() : conn.server_name(),
      .peer = side == Side::kClient ? conn.server_name() : conn.client_name(),
      .connection = conn.id(),
      .protocol = smtp,
      .message = {},
      .text = {},
  };
}

// --- server -----------------------------------------------------------------------------

SmtpServerEndpoint::SmtpServerEndpoint(core::Simulator& sim, core::Trace& trace, Connection& conn,
                                       proto::SmtpServerConfig&& config,
                                       std::unique_ptr<proto::SmtpServerPolicy> policy,
                                       SmtpReplyObserver* on_reply)
    : ServerEndpointBase(sim, trace, conn, SessionTls::kPlain),
      m_policy(std::move(policy)),
      m_engine(without_unread_events(config, trace.has_observers()), *m_policy),
      m_on_reply(on_reply) {}

void SmtpServerEndpoint::pump(core::SimTime now) {
  std::string out = m_engine.take_output();
  const core::SimTime arrival = out.empty() ? now : m_conn.send(Side::kServer, std::move(out));
  // The events go to a reused buffer, m_events, unless a callback pumps again while it is in
  // use: then to a vector of their own.
  if (!m_pumping) [[likely]] {
    m_pumping = true;
    m_engine.take_events(&m_events);
    handle_events(m_events, now, arrival);
    m_events.clear();
    m_pumping = false;
  } else {
    std::vector<proto::SmtpServerEvent> events;
    m_engine.take_events(&events);
    handle_events(events, now, arrival);
  }
  if (m_engine.wants_close() && !m_conn.closed(Side::kServer)) {
    m_done = true;
    m_timer.cancel();
    m_conn.close(Side::kServer);
    return;
  }
  if (!m_done) m_timer.arm(m_engine.next_deadline());
}

[[gnu::always_inline]] inline void SmtpServerEndpoint::handle_events(
    std::vector<proto::SmtpServerEvent>& events, core::SimTime now, core::SimTime arrival) {
  for (proto::SmtpServerEvent& ev : events) {
    std::visit(Overloaded{
                   [&](proto::smtp_server_event::ReplySent& r) {
                     if (m_on_reply) m_on_reply->on_reply(r.reply);
                     if (!m_trace.has_observers()) return;
                     // One trace line per wire line, so the ladder shows what was sent (the
                     // engine sends no CR or LF inside a line, so these are the wire's lines).
                     const std::size_t lines = r.reply.wire_line_count();
                     for (std::size_t i = 0; i < lines; ++i) {
                       core::TraceEvent e =
                           connection_event(m_conn, core::TraceKind::kServerLine, Side::kServer, now);
                       e.arrival = arrival;
                       e.code = r.reply.code;
                       r.reply.append_wire_line(e.text, i);  // written in place, sized to the line
                       m_trace.emit(std::move(e));
                     }
                   },
                   [&](proto::smtp_server_event::Authenticated& a) {
                     if (!m_trace.has_observers()) return;
                     core::TraceEvent e = connection_event(m_conn, core::TraceKind::kAuthenticated,
                                                           Side::kServer, now);
                     e.text = a.user + " (" + a.mechanism + ")";
                     m_trace.emit(std::move(e));
                   },
                   [&](auto&) {},
               },
               ev);
  }
}

// --- client -----------------------------------------------------------------------------

SmtpClientEndpoint::SmtpClientEndpoint(core::Simulator& sim, core::Trace& trace, Connection& conn,
                                       proto::SmtpClientOptions options,
                                       std::vector<proto::SmtpTransaction> transactions,
                                       std::string message_ref, Done on_done)
    : m_sim(sim),
      m_trace(trace),
      m_conn(conn),
      m_implicit_tls(options.tls == proto::ClientTls::kImplicit),
      m_engine(with_command_events_if(options, trace.has_observers()), std::move(transactions)),
      m_message_ref(std::move(message_ref)),
      m_on_done(std::move(on_done)),
      m_timer(sim, [this] {
        const core::SimTime t = m_sim.now();
        m_engine.tick(t.to_proto());
        pump(t);
      }) {}

void SmtpClientEndpoint::on_open(core::SimTime now) {
  if (m_implicit_tls) {
    // Port 465: TLS from the first byte; the engine starts once the handshake is done.
    m_conn.send_tls(Side::kClient);
    return;
  }
  m_opened = true;
  m_engine.open(now.to_proto());
  pump(now);
}

void SmtpClientEndpoint::on_bytes(std::string_view bytes, core::SimTime now) {
  if (m_done) return;
  m_engine.receive(bytes, now.to_proto());
  pump(now);
}

void SmtpClientEndpoint::on_tls(core::SimTime now) {
  if (m_done) return;
  // With implicit TLS the server side reported the handshake, before its greeting.
  if (m_trace.has_observers() && m_opened) {
    core::TraceEvent e = connection_event(m_conn, core::TraceKind::kTlsHandshake, Side::kClient, now);
    e.text = "TLSv1.3";
    m_trace.emit(std::move(e));
  }
  if (!m_opened) {
    m_opened = true;
    m_engine.open(now.to_proto());
  } else {
    m_engine.tls_established(now.to_proto());
  }
  pump(now);
}

void SmtpClientEndpoint::on_peer_closed(core::SimTime now) {
  if (m_done) return;
  m_engine.peer_closed(now.to_proto());
  pump(now);
  m_conn.close(Side::kClient);
  finish(now);
}

void SmtpClientEndpoint::on_reset(core::SimTime now) {
  if (m_done) return;
  m_engine.peer_closed(now.to_proto());
  m_engine.take_output();
  m_engine.take_events();
  finish(now);
}

void SmtpClientEndpoint::finish(core::SimTime now) {
  if (m_done) return;
  m_done = true;
  m_timer.cancel();
  if (m_on_done) {
    Done done = std::move(m_on_done);
    done(m_engine.outcomes(), now);
  }
}

void SmtpClientEndpoint::pump(core::SimTime now) {
  std::string out = m_engine.take_output();
  const core::SimTime arrival = out.empty() ? now : m_conn.send(Side::kClient, std::move(out));
  // As the server's: m_events unless a callback pumps again while it is in use.
  if (!m_pumping) [[likely]] {
    m_pumping = true;
    m_engine.take_events(&m_events);
    handle_events(m_events, now, arrival);
    m_events.clear();
    m_pumping = false;
  } else {
    std::vector<proto::SmtpClientEvent> events;
    m_engine.take_events(&events);
    handle_events(events, now, arrival);
  }
  if (m_engine.finished()) {
    m_conn.close(Side::kClient);
    finish(now);
    return;
  }
  if (!m_done) m_timer.arm(m_engine.next_deadline());
}

[[gnu::always_inline]] inline void SmtpClientEndpoint::handle_events(
    std::vector<proto::SmtpClientEvent>& events, core::SimTime now, core::SimTime arrival) {
  for (proto::SmtpClientEvent& ev : events) {
    std::visit(Overloaded{
                   [&](proto::smtp_client_event::CommandSent& c) {
                     if (!m_trace.has_observers()) return;
                     core::TraceEvent e =
                         connection_event(m_conn, core::TraceKind::kClientLine, Side::kClient, now);
                     e.arrival = arrival;
                     e.text = std::move(c.line);  // the event is dropped after
                     e.message = m_message_ref;
                     m_trace.emit(std::move(e));
                   },
                   [&](proto::smtp_client_event::DataSent& d) {
                     if (!m_trace.has_observers()) return;
                     core::TraceEvent e =
                         connection_event(m_conn, core::TraceKind::kDataSent, Side::kClient, now);
                     e.arrival = arrival;
                     e.text = std::to_string(d.octets);
                     e.message = m_message_ref;
                     m_trace.emit(std::move(e));
                   },
                   [&](proto::smtp_client_event::StartTls&) {
                     // Our handshake flight goes out; TLS is up when the server's answers.
                     m_conn.send_tls(Side::kClient);
                   },
                   [&](proto::smtp_client_event::TransactionDone& d) {
                     const auto& outcomes = m_engine.outcomes();
                     if (m_on_transaction && d.index < outcomes.size())
                       m_on_transaction(d.index, outcomes[d.index], now);
                   },
                   [&](auto&) {},
               },
               ev);
  }
}

}  // namespace mailhop::world
