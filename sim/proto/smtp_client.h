#pragma once
// Sans-I/O SMTP client engine: drives a whole session for one or more transactions and reports
// an outcome per recipient that a queue can act on.
//
// The session (RFC 5321, with RFC 1870 SIZE, 2920 PIPELINING, 3207 STARTTLS, 4954 AUTH with
// 4616 PLAIN or LOGIN, 6152 8BITMIME, 2034/3463 enhanced codes, 3461 DSN parameters):
//   220 greeting -> EHLO (HELO when EHLO gets 5xx) -> [STARTTLS -> handshake -> EHLO again,
//   forgetting the old capabilities] -> [AUTH] -> per transaction: [RSET when the previous one
//   was left open] MAIL, RCPT..., DATA, message -> QUIT -> 221 or close.
// With PIPELINING (offered and options.use_pipelining) RSET, MAIL, every RCPT and DATA go as
// one group; otherwise one command at a time. Both give the same outcomes.
//
// How outcomes are decided (by the reply's first digit: 2xx delivered, 4xx deferred, 5xx
// failed), and the choices the RFCs leave to the client:
//  - A 4xx/5xx greeting, or a failed EHLO+HELO, AUTH (535 fails, 454 defers) or required
//    STARTTLS, decides every recipient of every transaction; then QUIT.
//  - 421 at any point (RFC 5321 3.8): everything unfinished is deferred; no QUIT, the server
//    is closing.
//  - TLS required but STARTTLS not offered or refused, or the driver cannot do TLS: deferred
//    (4.7.4). Opportunistic TLS refused with 4xx/5xx: the session goes on in plaintext.
//  - Credentials configured but no AUTH offered, or no mechanism in common: failed (5.7.4),
//    like a mail client that will not send unauthenticated. AUTH PLAIN is preferred and sent
//    with an initial response unless that line would exceed 512 octets (RFC 4954 4).
//  - Message larger than the server's SIZE limit: failed (5.3.4) without sending (RFC 1870).
//    8-bit octets and no 8BITMIME: failed (5.6.3); the engine does not convert to 7 bit.
//  - 552 to RCPT counts as temporary (RFC 5321 4.5.3.1.10). A refused MAIL decides every
//    recipient of its transaction; with PIPELINING the later 503s are read and ignored.
//  - No recipient accepted: DATA is skipped; if DATA was pipelined and still got 354, a lone
//    "." ends it (RFC 2920 3.1). RSET is sent only before a next transaction, and only when
//    the server still holds a MAIL FROM.
//  - Anything that is not a valid reply (bad line, code change inside a multi-line reply, bare
//    CR or LF, a 3xx or 2xx where it makes no sense, plaintext between 220 to STARTTLS and the
//    handshake, a refused RSET): ProtocolError, everything unfinished deferred (4.5.0), QUIT
//    sent and the session ends without waiting.
//  - Timeout or connection lost: everything unfinished deferred (4.4.2). When that happens
//    after the final ".", the diagnostic warns that a retry may deliver a duplicate.
// Content is sent in canonical form (CRLF line ends only, ending in CRLF) and dot-stuffed.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/mail/ascii.h"
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
  bool tls_capable = true;                     // the driver can run a TLS handshake
  std::optional<SmtpCredentials> credentials;  // AUTH (PLAIN preferred, else LOGIN)
  bool use_pipelining = true;                  // when the server offers PIPELINING
  // RFC 5321 4.5.3.2 timeouts, each measured from the command (or the previous reply, when
  // commands are pipelined) to the complete reply.
  Micros greeting_timeout = std::chrono::minutes(5);
  Micros mail_timeout = std::chrono::minutes(5);
  Micros rcpt_timeout = std::chrono::minutes(5);
  Micros data_init_timeout = std::chrono::minutes(2);
  // The engine hands the whole dot-stuffed message to the driver at once, so it has no data
  // blocks to time; a driver that writes in blocks applies this to each write.
  Micros data_block_timeout = std::chrono::minutes(3);
  Micros data_term_timeout = std::chrono::minutes(10);
  // RFC 5321 names no timeout for EHLO, HELO, STARTTLS, AUTH, RSET and QUIT, nor for the TLS
  // handshake the driver runs; the engine waits this long (as long as for MAIL) for each.
  Micros command_timeout = std::chrono::minutes(5);
  // Whether take_events() reports each command line sent (CommandSent); a driver that shows
  // no commands turns it off.
  bool report_commands = true;
  // Whether take_events() reports each reply received (ReplyReceived); a driver that learns
  // what it needs from the outcomes turns it off and spares the engine a copy of every reply.
  bool report_replies = true;
  // Whether each RecipientOutcome keeps a copy of the reply that decided it (`reply`); a
  // driver that reads only the status, diagnostic and status code turns it off and spares the
  // engine building a reply (its lines' strings) per recipient. The diagnostic still quotes it.
  bool keep_outcome_replies = true;
};

// One message to send: the envelope and the message text (CRLF lines, not dot-stuffed).
struct SmtpTransaction {
  mail::Envelope envelope;
  // The message text, owned by the transaction (and moved into the client with it).
  std::string content;
  // mail::text_shape(text()), when the caller already knows it (a server that took the
  // message and looked at it): the client then does not read the whole message again for it.
  std::optional<mail::TextShape> shape;
  // Instead of `content` (which then stays empty): the message text borrowed from the caller,
  // not copied. A driver that keeps the message anyway (a queue entry) lends it to spare a
  // copy per attempt. Lifetime rule: the octets must stay alive and unchanged until the client
  // is finished() or destroyed, or the driver stops calling it (the client reads the text
  // while it sends DATA, never after the session is over).
  std::optional<std::string_view> borrowed_content;

  // The text the client sends: the borrowed one when there is one, `content` otherwise.
  std::string_view text() const { return borrowed_content ? *borrowed_content : content; }
};

enum class DeliveryStatus {
  kDelivered,  // the server took responsibility (250 after DATA)
  kDeferred,   // try again later (4xx, connection lost, timeout, TLS required but missing)
  kFailed,     // permanent failure (5xx): bounce
};

struct RecipientOutcome {
  // (User-provided, so that the engine's emplace_back() does not zero it before initializing.)
  RecipientOutcome() {}

  mail::Mailbox recipient;
  DeliveryStatus status = DeliveryStatus::kDeferred;
  std::optional<SmtpReply> reply;  // the reply that decided it, when there was one
  std::string diagnostic;          // always set: the reply summary or what went wrong
  // RFC 3463 status for a DSN (RFC 3464 "Status:"), always set: the reply's enhanced code
  // when the server sent one, "4.0.0"/"5.0.0" from the reply's class otherwise, or the
  // engine's own code for local decisions (4.4.2 connection lost or timed out, 4.5.0 protocol
  // error, 4.7.4 STARTTLS required but unavailable, 5.7.4 AUTH unavailable, 5.3.4 too big,
  // 5.6.3 8-bit content without 8BITMIME). Its class always matches `status`.
  std::string status_code;
};

struct TransactionOutcome {
  std::vector<RecipientOutcome> recipients;  // in envelope order
};

// One line of the server's EHLO reply (RFC 5321 4.1.1.1 ehlo-line): the keyword upper-cased,
// the parameters as sent.
struct SmtpExtension {
  std::string keyword;
  std::vector<std::string> params;
};

// RFC 5321 2.3.8: every bare CR and bare LF becomes CRLF, and non-empty text ends with CRLF.
// This is the form the engine sends and the size it declares with SIZE= (RFC 1870).
std::string smtp_canonical_content(std::string_view content);
// RFC 5321 4.5.2: doubles a "." that starts a line and appends the end-of-data line ".".
// `canonical` must come from smtp_canonical_content.
std::string smtp_dot_stuff(std::string_view canonical);

namespace smtp_client_event {
struct CommandSent {
  std::string line;
};  // each command line as sent (no CRLF)
struct DataSent {
  std::size_t octets;
};  // the dot-stuffed message and final "."
struct ReplyReceived {
  SmtpReply reply;
};
struct StartTls {};  // the driver must run the TLS handshake, then call tls_established
struct Authenticated {
  std::string mechanism;
};
struct TransactionDone {
  std::size_t index;
};
struct ProtocolError {
  std::string reason;
};  // the server said something unparseable
struct TimedOut {
  std::string waiting_for;
};
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
  // (The options by reference, copied or moved once, straight into the engine.)
  SmtpClient(const SmtpClientOptions& options, std::vector<SmtpTransaction> transactions);
  SmtpClient(SmtpClientOptions&& options, std::vector<SmtpTransaction> transactions);
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
  // The same into `out` (cleared first), swapping buffers so that neither side allocates
  // again once both have grown: for drivers that pump often.
  void take_events(std::vector<SmtpClientEvent>* out);
  std::optional<Micros> next_deadline() const;
  bool finished() const;

  // One outcome per transaction, complete once finished().
  const std::vector<TransactionOutcome>& outcomes() const;
  // The capabilities the server advertised in its EHLO reply (keywords upper-cased).
  const std::vector<std::string>& server_extensions() const;
  // The same with their parameters, e.g. {"SIZE", {"10240000"}}, {"AUTH", {"PLAIN", "LOGIN"}}.
  const std::vector<SmtpExtension>& server_capabilities() const;
  bool tls_active() const;
  bool authenticated() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace mailhop::proto
