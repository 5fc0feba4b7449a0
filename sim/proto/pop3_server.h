#pragma once
// Sans-I/O POP3 server engine (RFC 1939 with APOP, CAPA and response codes from RFC 2449, the
// AUTH-RESP-CODE codes of RFC 3206, STLS from RFC 2595 and SASL AUTH PLAIN from RFC 5034 and
// RFC 4616). Bytes and the time go in; bytes,
// events and the next deadline come out. The maildrops live with the owner, behind
// Pop3Maildrop.
//
// Choices where the RFCs leave room (each reply is exercised in tests/proto/pop3_server_test.cc):
// - A command line over 255 octets including the CRLF (RFC 2449 section 4) gets
//   "-ERR line too long" and is otherwise ignored.
// - Arguments are separated by single spaces (RFC 1939 section 3); USER and PASS take the rest
//   of the line, so a password may contain spaces (RFC 1939 section 7, PASS discussion).
// - APOP (RFC 1939 section 7) is offered only when the configuration gives a timestamp; the
//   greeting then ends with it. The timestamp comes from the configuration, not a clock, so a
//   run is reproducible. The digest is compared case-insensitively.
// - AUTH PLAIN (RFC 5034): with an initial response ("=" for an empty one) or after the "+ "
//   continuation; "*" cancels. The authorization identity must be empty or the user. The
//   response line obeys the same 255-octet limit as commands. "AUTH" without a mechanism is
//   refused (RFC 5034 defines no listing form; CAPA's SASL line lists the mechanisms).
// - PASS, APOP and AUTH failures carry RFC 2449/3206 response codes: "-ERR [AUTH] ..." for
//   wrong credentials, "-ERR [IN-USE] ..." when the maildrop is already locked. Either way the server returns to
//   the start of the AUTHORIZATION state (a new USER is needed).
// - CAPA is valid in both AUTHORIZATION and TRANSACTION; STLS is listed only in AUTHORIZATION
//   while TLS is available and not yet active.
// - The autologout timer (RFC 1939 section 3: at least 10 minutes) restarts whenever bytes
//   arrive; when it expires the connection is closed without a response and without entering
//   the UPDATE state, so nothing is deleted. A client closing without QUIT deletes nothing.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/proto/time.h"

namespace mailhop::proto {

enum class Pop3Tls {
  kNone,       // no STLS
  kAvailable,  // STLS offered in CAPA and accepted
  kActive,     // implicit TLS (port 995): STLS is not offered
};

// When SASL PLAIN (RFC 5034 AUTH) is offered. RFC 2595 section 6 advises against plaintext
// passwords without TLS; kAfterTls follows that advice.
enum class Pop3SaslPlain { kNever, kAlways, kAfterTls };

struct Pop3ServerConfig {
  std::string hostname = "mail.example";  // in the greeting and the QUIT reply
  Pop3Tls tls = Pop3Tls::kNone;
  // RFC 1939 section 3: "at least 10 minutes".
  Micros autologout = std::chrono::minutes(10);
  // RFC 1939 section 7: the timestamp of the greeting, in msg-id form with the angle brackets,
  // e.g. "<1896.697170952@mail.example>". Empty (or not of that form): no APOP.
  std::string apop_timestamp;
  Pop3SaslPlain sasl_plain = Pop3SaslPlain::kAlways;
};

// One message of a maildrop as the owner stores it.
struct Pop3Message {
  std::string uid;      // unique-id for UIDL: 1 to 70 characters 0x21-0x7E (RFC 1939 section 7)
  std::size_t size = 0; // exact size in octets, CRLF line ends (RFC 1939 section 11)
  std::string content;  // the message, CRLF line ends, not byte-stuffed
};

// The owner's maildrops and accounts.
class Pop3Maildrop {
 public:
  virtual ~Pop3Maildrop() = default;
  virtual bool check_credentials(std::string_view user, std::string_view password) = 0;
  // The shared secret APOP digests (RFC 1939 section 7), or nothing when the user has none
  // (then APOP fails for that user).
  virtual std::optional<std::string> apop_secret(std::string_view /*user*/) { return std::nullopt; }
  // Exclusive access (RFC 1939 section 4). False when the maildrop is already locked.
  virtual bool lock(std::string_view user) = 0;
  virtual void unlock(std::string_view user) = 0;
  // The maildrop's messages, in order (message 1 first). Asked once, after the lock.
  virtual std::vector<Pop3Message> messages(std::string_view user) = 0;
  // Called only in the UPDATE state (after QUIT in TRANSACTION), with the unique-ids of the
  // messages marked as deleted. False when some could not be removed.
  virtual bool commit_deletions(std::string_view user, const std::vector<std::string>& uids) = 0;
};

enum class Pop3State { kAuthorization, kTransaction, kUpdate, kClosed };

// Events, in the order they happened.
namespace pop3_server_event {
struct CommandReceived { std::string line; };     // a command line (PASS secrets included)
// A status line without CRLF; the SASL continuation "+ " is reported with ok = true.
struct ResponseSent { bool ok = true; std::string line; };
struct StartTls {};  // the driver must now run the TLS handshake, then call tls_established
// mechanism: "USER" (USER/PASS), "APOP" or "PLAIN" (AUTH PLAIN).
struct Authenticated { std::string user; std::string mechanism = "USER"; };
struct AuthFailed {
  std::string user;
  std::string reason;  // "AUTH" or "IN-USE"
  std::string mechanism = "USER";
};
struct Deleted { std::string uid; };  // removed in the UPDATE state
struct TimedOut {};
// The session is over: after output the connection must be closed (wants_close()), or the
// client already closed it (peer_closed; wants_close() stays false).
struct Closing { std::string reason; };
}  // namespace pop3_server_event

using Pop3ServerEvent =
    std::variant<pop3_server_event::CommandReceived, pop3_server_event::ResponseSent,
                 pop3_server_event::StartTls, pop3_server_event::Authenticated,
                 pop3_server_event::AuthFailed, pop3_server_event::Deleted,
                 pop3_server_event::TimedOut, pop3_server_event::Closing>;

class Pop3Server {
 public:
  Pop3Server(Pop3ServerConfig config, Pop3Maildrop& store);
  ~Pop3Server();
  Pop3Server(Pop3Server&&) noexcept;
  Pop3Server& operator=(Pop3Server&&) noexcept;

  // The TCP connection is up: queue the greeting.
  void open(Micros now);
  // Bytes from the client (plaintext; after STLS, the decrypted stream).
  void receive(std::string_view bytes, Micros now);
  // The TLS handshake that followed a StartTls event has completed.
  void tls_established(Micros now);
  // The client closed or reset the connection: nothing is deleted.
  void peer_closed(Micros now);
  // Call when now >= next_deadline(); earlier calls are ignored.
  void tick(Micros now);

  std::string take_output();
  std::vector<Pop3ServerEvent> take_events();
  std::optional<Micros> next_deadline() const;
  // After QUIT or the autologout: flush take_output(), then close the connection.
  bool wants_close() const;

  Pop3State state() const;
  bool tls_active() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace mailhop::proto
