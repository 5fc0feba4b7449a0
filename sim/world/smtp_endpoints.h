#pragma once
// The SMTP engines attached to simulated connections: bytes cross the network, every command
// and reply is reported to the trace, and deadlines become simulator events.

#include <functional>
#include <memory>
#include <string>
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
  void arm(std::optional<proto::Micros> deadline);
  void cancel();

 private:
  void schedule(core::SimTime at);

  core::Simulator& m_sim;
  std::function<void()> m_fire;
  std::optional<core::SimTime> m_deadline;   // when the engine wants its tick
  std::optional<core::SimTime> m_event_at;   // when the pending event fires
  std::optional<core::EventId> m_event;
};

class SmtpServerEndpoint : public Endpoint {
 public:
  // `policy` belongs to this endpoint (it knows the peer); `on_reply` sees every reply.
  SmtpServerEndpoint(core::Simulator& sim, core::Trace& trace, Connection& conn,
                     proto::SmtpServerConfig config,
                     std::unique_ptr<proto::SmtpServerPolicy> policy,
                     std::function<void(const proto::SmtpReply&)> on_reply);

  // Port 465: the client's TLS handshake comes first, the greeting only after it.
  void expect_implicit_tls() { m_implicit_tls = true; }

  void on_open(core::SimTime now) override;
  void on_bytes(std::string_view bytes, core::SimTime now) override;
  void on_tls(core::SimTime now) override;
  void on_peer_closed(core::SimTime now) override;
  void on_reset(core::SimTime now) override;

 private:
  void pump(core::SimTime now);

  core::Simulator& m_sim;
  core::Trace& m_trace;
  Connection& m_conn;
  bool m_implicit_tls = false;
  bool m_opened = false;  // the engine has started (greeted)
  std::unique_ptr<proto::SmtpServerPolicy> m_policy;
  proto::SmtpServer m_engine;
  std::vector<proto::SmtpServerEvent> m_events;  // reused by pump()
  std::function<void(const proto::SmtpReply&)> m_on_reply;
  DeadlineTimer m_timer;
  bool m_done = false;
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
  void finish(core::SimTime now);

  core::Simulator& m_sim;
  core::Trace& m_trace;
  Connection& m_conn;
  bool m_implicit_tls = false;  // port 465: the handshake before anything else
  bool m_opened = false;        // the engine has started
  proto::SmtpClient m_engine;
  std::vector<proto::SmtpClientEvent> m_events;  // reused by pump()
  std::string m_message_ref;
  Done m_on_done;
  TransactionFinished m_on_transaction;
  DeadlineTimer m_timer;
  bool m_done = false;
};

// Emits a trace event about a connection with the common fields filled in.
core::TraceEvent connection_event(const Connection& conn, core::TraceKind kind, Side side,
                                  core::SimTime now);

}  // namespace mailhop::world
