#pragma once
// Sans-I/O IMAP server engine: IMAP4rev1 (RFC 3501) with the IMAP4rev2 (RFC 9051) changes
// where they matter, LITERAL+ (RFC 7888), SASL-IR (RFC 4959), IDLE (RFC 2177), UNSELECT
// (RFC 3691), response codes of RFC 5530 and the special-use attributes of RFC 6154. Bytes
// and the time go in; bytes, events and the next deadline come out. The accounts and their
// mail stores live with the owner, behind ImapAccounts.
//
// Choices where the RFCs leave room (each is exercised in tests/proto/imap_server_test.cc):
// - A command valid in another state gets "BAD Command not valid in this state"; an unknown
//   command "BAD Unknown command"; a syntax error "BAD" with the reason.
// - LOGIN and AUTHENTICATE before TLS, when `login_disabled_without_tls` is set, get
//   "NO [PRIVACYREQUIRED]"; CAPABILITY then lists LOGINDISABLED and no AUTH=PLAIN.
// - Wrong credentials get "NO [AUTHENTICATIONFAILED]"; an account without a store
//   "NO [UNAVAILABLE]".
// - \Recent: the session that first selects a folder read-write after a message arrived
//   claims it (MailStore::claim_recent); EXAMINE claims nothing.
// - Changes made by other sessions are reported (EXISTS, RECENT, EXPUNGE, FETCH FLAGS) before
//   the tagged response of every command in the Selected state, except that EXPUNGE is held
//   back during FETCH, STORE and SEARCH (RFC 3501 section 7.4.1); during IDLE they are pushed
//   when the owner calls mailbox_changed().
// - FETCH of a message another session expunged (not yet reported) returns the others and
//   "NO [EXPUNGEISSUED]".
// - The autologout timer (RFC 3501 section 5.4: at least 30 minutes) restarts whenever bytes
//   arrive; when it expires the server sends "* BYE" and closes. IDLE does not stop it (clients
//   re-issue IDLE every 29 minutes, RFC 2177).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/mail/mail_store.h"
#include "sim/proto/time.h"

namespace mailhop::proto {

enum class ImapTls {
  kNone,       // no STARTTLS
  kAvailable,  // STARTTLS offered and accepted
  kActive,     // implicit TLS (port 993)
};

enum class ImapLoginPolicy {
  kAlways,             // LOGIN and AUTHENTICATE PLAIN also over plaintext
  kDisabledWithoutTls, // LOGINDISABLED until TLS is active
};

struct ImapServerConfig {
  std::string hostname = "mail.example";  // in the greeting and the BYE
  ImapTls tls = ImapTls::kNone;
  ImapLoginPolicy login = ImapLoginPolicy::kAlways;
  // RFC 3501 section 5.4: "at least 30 minutes".
  Micros autologout = std::chrono::minutes(30);
  std::size_t max_line = 8192;          // octets of one line, CRLF included
  std::size_t max_literal = 1 << 20;    // octets of one literal
  // Unix time of the driver's epoch (Micros 0): APPEND without a date stamps the message with
  // this plus the current time.
  std::int64_t epoch_unix_seconds = 0;
};

// The owner's accounts.
class ImapAccounts {
 public:
  virtual ~ImapAccounts() = default;
  virtual bool check_credentials(std::string_view user, std::string_view password) = 0;
  // The user's store (after successful credentials); nullptr when it cannot be opened.
  virtual mail::MailStore* mail_store(std::string_view user) = 0;
};

enum class ImapState { kNotAuthenticated, kAuthenticated, kSelected, kLogout };

enum class ImapResponseKind { kTagged, kUntagged, kContinuation };

// Events, in the order they happened.
namespace imap_server_event {
// A complete command, literals included as received ("a1 LOGIN {5}\r\njulia secret").
// `tag` and `name` (upper case) are empty when they could not be read. For an AUTHENTICATE
// response line, `name` is empty and `line` is the line.
struct CommandReceived { std::string tag; std::string name; std::string line; };
// One response as written, without the final CRLF (literals included).
// `status` is "OK", "NO", "BAD" or "BYE"/"PREAUTH" for status responses, else empty.
struct ResponseSent { ImapResponseKind kind = ImapResponseKind::kUntagged; std::string status; std::string text; };
struct StartTls {};  // the driver must now run the TLS handshake, then call tls_established
struct Authenticated { std::string user; std::string mechanism; };  // "LOGIN" or "PLAIN"
// reason: "AUTHENTICATIONFAILED", "UNAVAILABLE", "PRIVACYREQUIRED", "CANCELLED", "AUTHZ"
struct AuthFailed { std::string user; std::string mechanism; std::string reason; };
struct Selected { std::string mailbox; bool read_only = false; std::size_t exists = 0; };
struct Deselected { std::string mailbox; };
// This session changed a message's flags (STORE, or \Seen set by a FETCH of a body).
struct FlagsChanged { std::string mailbox; std::uint32_t uid = 0; std::string flags; };
// This session removed a message (EXPUNGE, CLOSE).
struct Expunged { std::string mailbox; std::uint32_t uid = 0; };
struct IdleStarted {};
struct IdleEnded {};
struct TimedOut {};
// The session is over: after output the connection must be closed (wants_close()), or the
// client already closed it (peer_closed; wants_close() stays false).
struct Closing { std::string reason; };
}  // namespace imap_server_event

using ImapServerEvent =
    std::variant<imap_server_event::CommandReceived, imap_server_event::ResponseSent,
                 imap_server_event::StartTls, imap_server_event::Authenticated,
                 imap_server_event::AuthFailed, imap_server_event::Selected,
                 imap_server_event::Deselected, imap_server_event::FlagsChanged,
                 imap_server_event::Expunged, imap_server_event::IdleStarted,
                 imap_server_event::IdleEnded, imap_server_event::TimedOut,
                 imap_server_event::Closing>;

class ImapServer {
 public:
  ImapServer(ImapServerConfig config, ImapAccounts& accounts);
  ~ImapServer();
  ImapServer(ImapServer&&) noexcept;
  ImapServer& operator=(ImapServer&&) noexcept;

  // The TCP connection is up: queue the greeting.
  void open(Micros now);
  // Bytes from the client (plaintext; after STARTTLS, the decrypted stream).
  void receive(std::string_view bytes, Micros now);
  // The TLS handshake that followed a StartTls event has completed.
  void tls_established(Micros now);
  // The client closed or reset the connection.
  void peer_closed(Micros now);
  // Call when now >= next_deadline(); earlier calls are ignored.
  void tick(Micros now);
  // The selected folder's store changed (another session, a delivery). During IDLE the
  // changes are pushed at once; otherwise they are reported with the next command.
  void mailbox_changed(Micros now);

  std::string take_output();
  std::vector<ImapServerEvent> take_events();
  std::optional<Micros> next_deadline() const;
  // After LOGOUT or the autologout: flush take_output(), then close the connection.
  bool wants_close() const;

  ImapState state() const;
  bool tls_active() const;
  bool idling() const;
  // The logged-in user and the selected folder ("" when none).
  std::string user() const;
  std::string selected_mailbox() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace mailhop::proto
