#pragma once
// The SMTP engines attached to simulated connections: bytes cross the network, every command
// and reply is reported to the trace, and deadlines become simulator events.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/simulator.h"
#include "sim/core/trace.h"
#include "sim/proto/smtp_client.h"
#include "sim/proto/smtp_server.h"
#include "sim/world/connection.h"

namespace mailhop::world {

// An engine's deadline as a simulator event. Deadlines move on every exchange (last activity
// plus the timeout), so the timer keeps at most one event and moves it lazily: when the event
// fires before the current deadline it just waits again, instead of being cancelled and
// rescheduled on every line.
class DeadlineTimer {
 public:
  DeadlineTimer(core::Simulator& sim, std::function<void()> fire)
      : m_sim(sim), m_fire(std::move(fire)) {}
  ~DeadlineTimer() { cancel(); }
  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;
  // Inline: called after every exchange, and it almost always finds its pending event early
  // enough to wait again.
  void arm(std::optional<proto::Micros> deadline) {
    if (!deadline) {
      cancel();
      return;
    }
    m_deadline = core::SimTime::from_proto(*deadline);
    m_armed = true;
    // A pending event at or before the deadline will notice it and wait again.
    if (m_event != 0 && m_event_at <= m_deadline) return;
    reschedule();
  }
  void cancel() {
    if (m_event != 0) m_sim.cancel(m_event);
    m_event = 0;
    m_armed = false;
  }

 private:
  void reschedule();
  void schedule(core::SimTime at);

  core::Simulator& m_sim;
  std::function<void()> m_fire;
  // Plain fields rather than optionals: this runs on every line of every session.
  core::SimTime m_deadline;   // when the engine wants its tick, if m_armed
  core::SimTime m_event_at;   // when the pending event fires, if m_event is not 0
  core::EventId m_event = 0;  // the pending event (ids start at 1)
  bool m_armed = false;
};

// How the TLS of a session starts: in plain text (STARTTLS or STLS may come later), or with the
// client's handshake before any protocol byte (ports 465, 995, 993).
enum class SessionTls { kPlain, kImplicit };

// The trace's label for a protocol ("SMTP", "POP3", "IMAP"), interned once.
core::Name protocol_name(std::string_view protocol);

// A trace event about a connection with the common fields filled in (protocol "SMTP"; the
// retrieval endpoints relabel it).
core::TraceEvent connection_event(const Connection& conn, core::TraceKind kind, Side side,
                                  core::SimTime now);

// What every server endpoint (SMTP, POP3, IMAP) does the same way around its engine. It opens
// the engine when the connection is up or, with implicit TLS, only once it has answered the
// client's handshake (which it traces, before the greeting). It feeds the bytes in, switches
// to TLS when STARTTLS or STLS asks, and stops on a close or a reset. `Derived` has `engine()`,
// `pump(now)`, `kProtocol` (the trace's label) and `stopped()` (the session is over).
template <typename Derived>
class ServerEndpointBase : public Endpoint {
 public:
  void on_open(core::SimTime now) override {
    if (m_implicit_tls) return;  // the greeting follows the handshake
    m_opened = true;
    self().engine().open(now.to_proto());
    self().pump(now);
  }
  void on_bytes(std::string_view bytes, core::SimTime now) override {
    if (m_done || !m_opened) return;
    self().engine().receive(bytes, now.to_proto());
    self().pump(now);
  }
  void on_tls(core::SimTime now) override {
    if (m_done) return;
    // The client's handshake flight arrived: answer it and switch to TLS (STARTTLS, STLS), or
    // greet inside the new TLS session (implicit TLS).
    m_conn.send_tls(Side::kServer);
    if (!m_opened) {
      if (m_trace.has_observers()) {
        core::TraceEvent e = connection_event(m_conn, core::TraceKind::kTlsHandshake, Side::kClient, now);
        e.protocol = protocol_name(Derived::kProtocol);
        e.text = "TLSv1.3";
        m_trace.emit(std::move(e));
      }
      m_opened = true;
      self().engine().open(now.to_proto());
    } else {
      self().engine().tls_established(now.to_proto());
    }
    self().pump(now);
  }
  void on_peer_closed(core::SimTime now) override {
    if (m_done) return;
    self().engine().peer_closed(now.to_proto());
    self().pump(now);
    m_done = true;
    m_timer.cancel();
    self().stopped();
    m_conn.close(Side::kServer);
  }
  void on_reset(core::SimTime now) override {
    if (m_done) return;
    m_done = true;
    self().engine().peer_closed(now.to_proto());
    self().engine().take_output();
    self().engine().take_events();
    m_timer.cancel();
    self().stopped();
  }

 protected:
  ServerEndpointBase(core::Simulator& sim, core::Trace& trace, Connection& conn, SessionTls tls)
      : m_sim(sim),
        m_trace(trace),
        m_conn(conn),
        m_implicit_tls(tls == SessionTls::kImplicit),
        m_timer(sim, [this] {
          const core::SimTime t = m_sim.now();
          self().engine().tick(t.to_proto());
          self().pump(t);
        }) {}
  void stopped() {}

  core::Simulator& m_sim;
  core::Trace& m_trace;
  Connection& m_conn;
  bool m_implicit_tls;
  DeadlineTimer m_timer;
  bool m_opened = false;  // the engine has started (greeted)
  bool m_done = false;

 private:
  Derived& self() { return static_cast<Derived&>(*this); }
};

// Sees every reply a server endpoint sends (an interface rather than a std::function: one is
// made per connection, and the world's session policy is one already).
class SmtpReplyObserver {
 public:
  virtual void on_reply(const proto::SmtpReply& reply) = 0;

 protected:
  ~SmtpReplyObserver() = default;
};

class SmtpServerEndpoint : public ServerEndpointBase<SmtpServerEndpoint> {
 public:
  static constexpr const char* kProtocol = "SMTP";

  // `policy` belongs to this endpoint (it knows the peer); `on_reply`, if not null, sees every
  // reply (it may be the policy). (The config is an rvalue: it moves once, into the engine.)
  SmtpServerEndpoint(core::Simulator& sim, core::Trace& trace, Connection& conn,
                     proto::SmtpServerConfig&& config,
                     std::unique_ptr<proto::SmtpServerPolicy> policy, SmtpReplyObserver* on_reply);

  // Port 465: the client's TLS handshake comes first, the greeting only after it.
  void expect_implicit_tls() { m_implicit_tls = true; }

 private:
  friend class ServerEndpointBase<SmtpServerEndpoint>;
  proto::SmtpServer& engine() { return m_engine; }
  void pump(core::SimTime now);
  void handle_events(std::vector<proto::SmtpServerEvent>& events, core::SimTime now,
                     core::SimTime arrival);

  std::unique_ptr<proto::SmtpServerPolicy> m_policy;
  proto::SmtpServer m_engine;
  std::vector<proto::SmtpServerEvent> m_events;  // reused by pump()
  bool m_pumping = false;                        // m_events is in use
  SmtpReplyObserver* m_on_reply;                 // may be null; outlives this endpoint
};

class SmtpClientEndpoint : public Endpoint {
 public:
  using Done = std::function<void(const std::vector<proto::TransactionOutcome>&, core::SimTime)>;
  // Called when a transaction's outcome is known (the reply to the final "." or the refusal of
  // every recipient), before the session ends: a queue acts on it then, as Postfix logs
  // "status=sent" on the 250 and not at QUIT.
  using TransactionFinished =
      std::function<void(std::size_t index, const proto::TransactionOutcome&, core::SimTime)>;

  SmtpClientEndpoint(core::Simulator& sim, core::Trace& trace, Connection& conn,
                     proto::SmtpClientOptions options,
                     std::vector<proto::SmtpTransaction> transactions, std::string message_ref,
                     Done on_done);

  void set_on_transaction(TransactionFinished fn) { m_on_transaction = std::move(fn); }

  void on_open(core::SimTime now) override;
  void on_bytes(std::string_view bytes, core::SimTime now) override;
  void on_tls(core::SimTime now) override;
  void on_peer_closed(core::SimTime now) override;
  void on_reset(core::SimTime now) override;

 private:
  void pump(core::SimTime now);
  void handle_events(std::vector<proto::SmtpClientEvent>& events, core::SimTime now,
                     core::SimTime arrival);
  void finish(core::SimTime now);

  core::Simulator& m_sim;
  core::Trace& m_trace;
  Connection& m_conn;
  bool m_implicit_tls = false;  // port 465: the handshake before anything else
  bool m_opened = false;        // the engine has started
  proto::SmtpClient m_engine;
  std::vector<proto::SmtpClientEvent> m_events;  // reused by pump()
  bool m_pumping = false;                        // m_events is in use
  std::string m_message_ref;
  Done m_on_done;
  TransactionFinished m_on_transaction;
  DeadlineTimer m_timer;
  bool m_done = false;
};

}  // namespace mailhop::world
