#pragma once
// Sans-I/O SMTP server engine (RFC 5321 with PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES,
// DSN, STARTTLS and AUTH PLAIN/LOGIN). Bytes and the time go in; bytes, events and the next
// deadline come out. Policy questions go to the owner through SmtpServerPolicy.
//
// Choices where the RFCs leave room (every reply is listed, with the transcript that provokes
// it, in tests/proto/smtp_server_test.cc):
// - Enhanced status codes (RFC 2034) appear once EHLO advertised them in the current session
//   (not after HELO, not before EHLO, not after STARTTLS until the next EHLO), and never on
//   the greeting, on replies to HELO/EHLO, or on 3xx replies.
// - A command line over its limit gets 500 5.5.2 (RFC 5321 4.5.3.1.10 "500 Line too long").
//   The limit is 512 octets, plus the longest parameters this server knows for MAIL (1168)
//   and RCPT (1048), as RFC 1869 4.1.2 allows. 500 5.5.6 is what RFC 4954 defines it for: an
//   AUTH response over 12288 octets.
// - A text line over 1000 octets in DATA: the message is refused with 554 5.6.0 after the
//   final "." (RFC 5321 4.3.2 allows only 552/554/451/452/450/550 there); a message over the
//   size limit with 552 5.3.4 (RFC 1870). Neither is stored beyond the limit.
// - STARTTLS: 502 5.5.1 when TLS is not configured, 501 5.5.4 with a parameter (RFC 3207),
//   503 5.5.1 when TLS is already active or inside a mail transaction.
// - AUTH: 502 5.5.1 when not offered; 538 5.7.11 before TLS with kAfterTls; 503 5.5.1 before
//   EHLO, when authenticated or inside a transaction (RFC 4954).
// - After a 554 greeting every command but QUIT gets 503 (RFC 5321 3.1); no EHLO was accepted,
//   so without an enhanced code.
// - RCPT TO:<Postmaster> (no domain) is accepted without asking the policy (RFC 5321 4.1.1.3
//   says it MUST be) and recorded as Postmaster@<hostname>.
// - EXPN gets 502 5.5.1; VRFY 252 2.5.0 (RFC 5321 3.5.3).
// - Every 500-504 and 555 reply counts as an error; after max_errors of them the server sends
//   421 4.7.0 right after the last error's reply and closes. Policy refusals do not count.
// - No space is accepted after "MAIL FROM:" or "RCPT TO:" (RFC 5321 3.3); a bare CR or LF,
//   NUL or other control character in a command line is a 500 5.5.2 (RFC 5321 2.3.8). In
//   DATA only CRLF "." CRLF ends the message.

#include <cstddef>
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

enum class AuthAdvertise {
  kNever,     // no AUTH in EHLO; AUTH answers 502 (command not implemented)
  kAlways,    // AUTH PLAIN LOGIN whether or not TLS is active
  kAfterTls,  // only once TLS is active (what real submission servers do); before: 538 5.7.11
};

enum class TlsState { kNone, kAvailable, kActive };

struct SmtpServerConfig {
  std::string hostname = "mail.example";       // in the greeting, EHLO reply and 221
  std::string greeting_text = "ESMTP mailhop";
  std::size_t max_message_size = 10 * 1024 * 1024;  // SIZE n; 0 means no limit (SIZE 0)
  std::size_t max_recipients = 100;                 // 452 4.5.3 beyond this (RFC 5321 4.5.3.1.10)
  TlsState tls = TlsState::kNone;  // kAvailable: STARTTLS offered; kActive: implicit TLS (465)
  AuthAdvertise auth = AuthAdvertise::kNever;
  bool require_auth = false;  // MAIL before AUTH gets 530 5.7.0 (submission, RFC 6409)
  bool require_tls = false;   // MAIL before STARTTLS gets 530 5.7.0 (RFC 3207)
  std::size_t max_errors = 10;  // after this many bad commands: 421 4.7.0 and close
  // RFC 5321 4.5.3.2.7: at least 5 minutes waiting for the next command; also applied
  // between data lines.
  Micros command_timeout = std::chrono::minutes(5);
  // Whether take_events() reports each command line (CommandReceived) and each accepted
  // message with its envelope and content (MessageAccepted). A driver that learns of messages
  // from the policy and shows no commands turns them off and spares the engine the copies.
  bool report_commands = true;
  bool report_messages = true;
  // Whether each reply's event (ReplySent) carries its text lines, or only the code and the
  // enhanced code (a driver that shows no replies spares the engine copying them).
  bool report_reply_text = true;
  // Whether the engine measures the content's shape (mail::text_shape) while it reads the
  // data lines, for on_message's `shape`: a few operations per 32 octets it looks at anyway,
  // instead of another pass over the message by a policy that needs it.
  bool measure_content_shape = false;
};

// What the policy answers. A 2xx decision lets the engine send its own success reply (for
// on_message, the decision's text, e.g. "OK: queued as 7F3A9", becomes the 250 text);
// anything else is sent as the reply (with the enhanced code when advertised). Codes outside
// 4xx/5xx become 451; an enhanced code missing or of the wrong class becomes "4.0.0"/"5.0.0";
// the text may hold several lines separated by LF. A 421 ends the session (RFC 5321 3.8).
struct SmtpDecision {
  int code = 250;
  std::string enhanced;  // e.g. "5.1.1"
  std::string text;      // e.g. "User unknown"

  static SmtpDecision accept() { return {}; }
  // Accepts a message after DATA with the conventional "250 2.0.0 OK: queued as <id>".
  static SmtpDecision queued(const std::string& queue_id) {
    return {250, "2.0.0", "OK: queued as " + queue_id};
  }
  static SmtpDecision reject(int code, std::string enhanced, std::string text) {
    return {code, std::move(enhanced), std::move(text)};
  }
  bool accepted() const { return code >= 200 && code < 300; }
};

// What the server knows about the session, passed to every policy call.
struct SmtpSessionInfo {
  std::string helo;                     // EHLO/HELO argument; empty before it
  bool esmtp = false;                   // EHLO (not HELO) was used
  bool tls = false;                     // TLS is active
  std::optional<std::string> auth_user; // set after a successful AUTH
};

class SmtpServerPolicy {
 public:
  virtual ~SmtpServerPolicy() = default;
  // At connection: 2xx for the 220 greeting; 421/554 refuse the session.
  virtual SmtpDecision on_connect(const SmtpSessionInfo&) { return SmtpDecision::accept(); }
  virtual SmtpDecision on_helo(const SmtpSessionInfo&, std::string_view /*domain*/) {
    return SmtpDecision::accept();
  }
  virtual SmtpDecision on_mail_from(const SmtpSessionInfo&, const mail::Envelope& /*so_far*/) {
    return SmtpDecision::accept();
  }
  // `so_far` holds the recipients already accepted; `rcpt` is the one asked about.
  virtual SmtpDecision on_rcpt_to(const SmtpSessionInfo&, const mail::Envelope& /*so_far*/,
                                  const mail::EnvelopeRecipient& /*rcpt*/) {
    return SmtpDecision::accept();
  }
  // The whole message after DATA, dot-unstuffed, CRLF line ends, without the final ".".
  // Accepting (2xx) means the owner has taken responsibility for it: it must not be lost.
  virtual SmtpDecision on_message(const SmtpSessionInfo&, const mail::Envelope&,
                                  std::string_view /*content*/) {
    return SmtpDecision::accept();
  }
  // What the engine calls with the message: `shape` is mail::text_shape(content) when the
  // engine measured it (SmtpServerConfig::measure_content_shape), else empty. By default it
  // calls on_message.
  virtual SmtpDecision on_message_with_shape(const SmtpSessionInfo& session,
                                             const mail::Envelope& envelope,
                                             std::string_view content,
                                             std::optional<mail::TextShape> /*shape*/) {
    return on_message(session, envelope, content);
  }
  // AUTH: true when the credentials are right.
  virtual bool check_credentials(const SmtpSessionInfo&, std::string_view /*authzid*/,
                                 std::string_view /*user*/, std::string_view /*password*/) {
    return false;
  }
};

// Events, in the order they happened.
namespace smtp_server_event {
struct CommandReceived { std::string line; };     // a command line (AUTH secrets included)
struct ReplySent { SmtpReply reply; };
struct DataLineCount { std::size_t lines; std::size_t octets; };  // at end of DATA
struct MessageAccepted { mail::Envelope envelope; std::string content; };
struct MessageRejected { mail::Envelope envelope; SmtpReply reply; };
struct StartTls {};        // the driver must now run the TLS handshake, then call tls_established
struct Authenticated { std::string user; std::string mechanism; };
struct AuthFailed { std::string user; std::string mechanism; };
struct TimedOut {};
// The session is over: after output the connection must be closed (wants_close()), or the
// client already closed it (peer_closed; wants_close() stays false). `reason` says why.
struct Closing { std::string reason; };
}  // namespace smtp_server_event

using SmtpServerEvent =
    std::variant<smtp_server_event::CommandReceived, smtp_server_event::ReplySent,
                 smtp_server_event::DataLineCount, smtp_server_event::MessageAccepted,
                 smtp_server_event::MessageRejected, smtp_server_event::StartTls,
                 smtp_server_event::Authenticated, smtp_server_event::AuthFailed,
                 smtp_server_event::TimedOut, smtp_server_event::Closing>;

class SmtpServer {
 public:
  SmtpServer(SmtpServerConfig config, SmtpServerPolicy& policy);
  ~SmtpServer();
  SmtpServer(SmtpServer&&) noexcept;
  SmtpServer& operator=(SmtpServer&&) noexcept;

  // The TCP connection is up: queue the greeting (220, or the policy's 421/554).
  void open(Micros now);
  // Bytes from the client (plaintext; after STARTTLS, the decrypted stream).
  void receive(std::string_view bytes, Micros now);
  // The TLS handshake that followed a StartTls event has completed.
  void tls_established(Micros now);
  // The client closed or reset the connection.
  void peer_closed(Micros now);
  // Call when now >= next_deadline(): expires the command timeout (421 4.4.2, close).
  void tick(Micros now);

  std::string take_output();
  std::vector<SmtpServerEvent> take_events();
  // The same into `out` (cleared first), swapping buffers so that neither side allocates
  // again once both have grown: for drivers that pump often.
  void take_events(std::vector<SmtpServerEvent>* out);
  std::optional<Micros> next_deadline() const;
  // After 221 or 421: flush take_output(), then close the connection.
  bool wants_close() const;

  const SmtpServerConfig& config() const;
  const SmtpSessionInfo& session() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace mailhop::proto
