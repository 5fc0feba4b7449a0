#pragma once
// Sans-I/O SMTP client engine: drives a whole session for one or more transactions and reports
// an outcome per recipient that a queue can act on.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/mail/envelope.h"
#include "sim/proto/smtp_reply.h"
#include "sim/proto/time.h"

namespace mailhop::proto {

enum class ClientTls {
  kNever,          // never STARTTLS
  kOpportunistic,  // STARTTLS when offered and the driver can do TLS
  kRequired,       // fail (deferred) when STARTTLS is not offered
  kImplicit,       // TLS is already on (port 465): no STARTTLS
};

struct SmtpCredentials {
  std::string user;
  std::string password;
};

struct SmtpClientOptions {
  std::string helo_domain = "client.example";
  ClientTls tls = ClientTls::kOpportunistic;
  bool tls_capable = true;  // the driver can run a TLS handshake
  std::optional<SmtpCredentials> credentials;  // AUTH (PLAIN preferred, else LOGIN)
  bool use_pipelining = true;                  // when the server offers PIPELINING
  // RFC 5321 4.5.3.2 timeouts.
  Micros greeting_timeout = std::chrono::minutes(5);
  Micros mail_timeout = std::chrono::minutes(5);
  Micros rcpt_timeout = std::chrono::minutes(5);
  Micros data_init_timeout = std::chrono::minutes(2);
  Micros data_block_timeout = std::chrono::minutes(3);
  Micros data_term_timeout = std::chrono::minutes(10);
};

// One message to send: the envelope and the message text (CRLF lines, not dot-stuffed).
struct SmtpTransaction {
  mail::Envelope envelope;
  std::string content;
};

enum class DeliveryStatus {
  kDelivered,  // the server took responsibility (250 after DATA)
  kDeferred,   // try again later (4xx, connection lost, timeout, TLS required but missing)
  kFailed,     // permanent failure (5xx): bounce
};

struct RecipientOutcome {
  mail::Mailbox recipient;
  DeliveryStatus status = DeliveryStatus::kDeferred;
  std::optional<SmtpReply> reply;  // the reply that decided it, when there was one
  std::string diagnostic;          // always set: the reply summary or what went wrong
};

struct TransactionOutcome {
  std::vector<RecipientOutcome> recipients;  // in envelope order
};

namespace smtp_client_event {
struct CommandSent { std::string line; };   // each command line as sent (no CRLF)
struct DataSent { std::size_t octets; };    // the dot-stuffed message and final "."
struct ReplyReceived { SmtpReply reply; };
struct StartTls {};  // the driver must run the TLS handshake, then call tls_established
struct Authenticated { std::string mechanism; };
struct TransactionDone { std::size_t index; };
struct ProtocolError { std::string reason; };  // the server said something unparseable
struct TimedOut { std::string waiting_for; };
struct Finished {};  // the session is over; close the connection after output
}  // namespace smtp_client_event

using SmtpClientEvent =
    std::variant<smtp_client_event::CommandSent, smtp_client_event::DataSent,
                 smtp_client_event::ReplyReceived, smtp_client_event::StartTls,
                 smtp_client_event::Authenticated, smtp_client_event::TransactionDone,
                 smtp_client_event::ProtocolError, smtp_client_event::TimedOut,
                 smtp_client_event::Finished>;

class SmtpClient {
 public:
  SmtpClient(SmtpClientOptions options, std::vector<SmtpTransaction> transactions);
  ~SmtpClient();
  SmtpClient(SmtpClient&&) noexcept;
  SmtpClient& operator=(SmtpClient&&) noexcept;

  // The TCP connection is up: wait for the greeting.
  void open(Micros now);
  void receive(std::string_view bytes, Micros now);
  void tls_established(Micros now);
  // The server closed or reset the connection: unfinished recipients become deferred.
  void peer_closed(Micros now);
  void tick(Micros now);

  std::string take_output();
  std::vector<SmtpClientEvent> take_events();
  std::optional<Micros> next_deadline() const;
  bool finished() const;

  // One outcome per transaction, complete once finished().
  const std::vector<TransactionOutcome>& outcomes() const;
  // The capabilities the server advertised in its EHLO reply (keywords upper-cased).
  const std::vector<std::string>& server_extensions() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace mailhop::proto
