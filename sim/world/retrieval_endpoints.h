#pragma once
// The POP3 and IMAP engines attached to simulated connections, like smtp_endpoints.h for SMTP:
// bytes cross the network, every command and response line is reported to the trace
// (protocol "POP3" or "IMAP"), except message contents, which show as one "message data"
// event, and deadlines become simulator events.

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "sim/core/simulator.h"
#include "sim/core/trace.h"
#include "sim/mail/mail_store.h"
#include "sim/proto/imap_client.h"
#include "sim/proto/imap_server.h"
#include "sim/proto/pop3_client.h"
#include "sim/proto/pop3_server.h"
#include "sim/world/connection.h"
#include "sim/world/smtp_endpoints.h"

namespace mailhop::world {

// A trace event about a connection carrying `protocol` ("POP3", "IMAP").
core::TraceEvent session_event(const Connection& conn, core::TraceKind kind, Side side,
                               core::SimTime now, const char* protocol);

class Pop3ServerEndpoint : public ServerEndpointBase<Pop3ServerEndpoint> {
 public:
  static constexpr const char* kProtocol = "POP3";
  // `maildrop` belongs to this endpoint. With SessionTls::kImplicit (port 995) the greeting
  // follows the TLS handshake.
  Pop3ServerEndpoint(core::Simulator& sim, core::Trace& trace, Connection& conn,
                     proto::Pop3ServerConfig config, std::unique_ptr<proto::Pop3Maildrop> maildrop,
                     SessionTls tls);

 private:
  friend class ServerEndpointBase<Pop3ServerEndpoint>;
  proto::Pop3Server& engine() { return m_engine; }
  void pump(core::SimTime now);
  void trace_output(const std::string& out, const std::vector<proto::Pop3ServerEvent>& events,
                    core::SimTime now, core::SimTime arrival);

  std::unique_ptr<proto::Pop3Maildrop> m_maildrop;
  proto::Pop3Server m_engine;
};

class Pop3ClientEndpoint : public Endpoint {
 public:
  // Called once when the session is over (finished, refused, cut or timed out).
  using Done = std::function<void(const proto::Pop3Client& engine, core::SimTime now)>;

  Pop3ClientEndpoint(core::Simulator& sim, core::Trace& trace, Connection& conn,
                     proto::Pop3ClientOptions options, Done on_done);

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
  proto::Pop3ClientOptions m_options;
  std::unique_ptr<proto::Pop3Client> m_engine;  // created when the connection is up
  Done m_on_done;
  DeadlineTimer m_timer;
  bool m_done = false;
};

// The mail program's end of an IMAP session. `on_event` sees every engine event as it happens
// (and may add operations with enqueue()); `on_done` runs once when the session is over.
class ImapClientEndpoint : public Endpoint {
 public:
  using OnEvent = std::function<void(ImapClientEndpoint& endpoint, const proto::ImapClientEvent&,
                                     core::SimTime now)>;
  using Done = std::function<void(const proto::ImapClient& engine, core::SimTime now)>;

  ImapClientEndpoint(core::Simulator& sim, core::Trace& trace, Connection& conn,
                     proto::ImapClientOptions options, OnEvent on_event, Done on_done);

  // Adds an operation after the job's (ends an IDLE in progress).
  void enqueue(proto::ImapOperation op);
  bool idling() const { return m_engine.idling(); }

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
  bool m_implicit_tls;
  proto::ImapClient m_engine;
  OnEvent m_on_event;
  Done m_on_done;
  DeadlineTimer m_timer;
  std::vector<proto::ImapOperation> m_added;  // by on_event, given to the engine after it
  bool m_in_pump = false;
  bool m_done = false;
};

// Traces what an IMAP server sent: one event per response line; a literal's octets show as
// one "message data" event between the line that announced it and the rest of the response.
class ImapServerTracer {
 public:
  void trace(const Connection& conn, core::Trace& trace, std::string_view bytes,
             core::SimTime now, core::SimTime arrival);

 private:
  std::string m_partial;           // a line not complete yet
  std::size_t m_literal = 0;       // octets of the literal being sent
  std::size_t m_literal_left = 0;  // of which still to come
};

class ImapServerEndpoint : public ServerEndpointBase<ImapServerEndpoint> {
 public:
  static constexpr const char* kProtocol = "IMAP";
  // Finds the logged-in user's store, to listen to its changes (new mail, other sessions).
  using StoreOf = std::function<mail::MailStore*(const std::string& user)>;

  ImapServerEndpoint(core::Simulator& sim, core::Trace& trace, Connection& conn,
                     proto::ImapServerConfig config, std::unique_ptr<proto::ImapAccounts> accounts,
                     SessionTls tls, StoreOf store_of);
  ~ImapServerEndpoint() override;

 private:
  friend class ServerEndpointBase<ImapServerEndpoint>;
  proto::ImapServer& engine() { return m_engine; }
  void pump(core::SimTime now);
  void stopped() { stop_listening(); }
  void stop_listening();

  std::unique_ptr<proto::ImapAccounts> m_accounts;
  proto::ImapServer m_engine;
  StoreOf m_store_of;
  ImapServerTracer m_tracer;
  mail::MailStore* m_store = nullptr;
  mail::MailStore::ListenerId m_listener = 0;
  // A change of the store waits for its own event: it may come from inside this session.
  std::optional<core::EventId> m_change_event;
};

}  // namespace mailhop::world
