#pragma once
// Sans-I/O IMAP client engine (IMAP4rev1, RFC 3501; IDLE from RFC 2177; SASL-IR from RFC
// 4959), the mail user agent's side: bytes and the time go in; commands, typed events and the
// next deadline come out. The owner gives it a job, a list of operations run in order, and
// may add more while the session is open.
//
// The session:
//   greeting (OK, PREAUTH or BYE) -> [CAPABILITY] -> [STARTTLS -> handshake -> CAPABILITY]
//   -> AUTHENTICATE PLAIN (when AUTH=PLAIN is offered; with the initial response when SASL-IR
//   is) or LOGIN -> the operations -> LOGOUT when the job says so.
// Choices where the RFCs leave room:
//  - One command at a time, tags "A1", "A2", ...; untagged responses are taken whenever they
//    come (EXISTS, EXPUNGE and FETCH FLAGS are reported at once).
//  - The capabilities are taken from the greeting's [CAPABILITY] code when present, else
//    asked; after STARTTLS they are forgotten and asked again (RFC 3501 6.2.1); the tagged OK
//    of the login may update them.
//  - No password leaves the client in clear when the server says LOGINDISABLED (RFC 3501
//    6.2.3) or when TLS is required and not active.
//  - Sync selects the folder (unless it is selected already), learns every message's UID and
//    flags with "UID FETCH 1:* (UID FLAGS RFC822.SIZE)", reports the flags of the messages it
//    knew, then fetches the new ones with "UID FETCH set (UID FLAGS BODY.PEEK[])" so that
//    fetching does not mark them \Seen. A UIDVALIDITY different from the known one discards
//    the known UIDs (RFC 3501 2.3.1.1): every message is new again.
//  - Delete is "UID STORE uid +FLAGS (\Deleted)" then EXPUNGE.
//  - Idle needs the IDLE capability; it ends with DONE after its duration, on stop_idle(), or
//    when an operation is added; every 29 minutes it is renewed (DONE, then IDLE again) so the
//    server's 30-minute autologout never fires (RFC 2177 section 3).
//  - A tagged NO or BAD to an operation's command ends that operation (OperationDone with
//    ok = false) and the job goes on. Anything the client cannot trust (a response it cannot
//    parse, a tag it never sent, a continuation nobody asked for, a literal over the limit,
//    BYE outside LOGOUT, a timeout, the connection lost) ends the session: Error, then Closed.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/proto/time.h"

namespace mailhop::proto {

enum class ImapClientTls {
  kNever,      // never STARTTLS
  kIfOffered,  // STARTTLS when the server offers it
  kRequired,   // STARTTLS or give up before any password
  kImplicit,   // the connection is already TLS (port 993)
};

namespace imap_op {
struct Sync {};  // learn what is new, fetch it, report flags
struct MarkSeen {
  std::uint32_t uid = 0;
};
struct Delete {
  std::uint32_t uid = 0;
};  // \Deleted, then EXPUNGE
// IDLE for `duration` (nothing: until stop_idle() or a new operation).
struct Idle {
  std::optional<Micros> duration;
};
struct Logout {};
}  // namespace imap_op

using ImapOperation =
    std::variant<imap_op::Sync, imap_op::MarkSeen, imap_op::Delete, imap_op::Idle, imap_op::Logout>;

struct ImapClientOptions {
  std::string user;
  std::string password;
  ImapClientTls tls = ImapClientTls::kIfOffered;
  std::string folder = "INBOX";
  // What the device already holds: the folder's UIDVALIDITY (0: nothing) and the UIDs it has
  // fetched under it. Sync fetches only the others.
  std::uint32_t known_uidvalidity = 0;
  std::vector<std::uint32_t> known_uids;
  std::vector<ImapOperation> job;
  // How long to wait for the greeting and for each command's tagged response.
  Micros response_timeout = std::chrono::minutes(5);
  Micros idle_renew = std::chrono::minutes(29);
  std::size_t max_line = 64 * 1024;            // a response line, CRLF included
  std::size_t max_literal = 64 * 1024 * 1024;  // one literal
};

namespace imap_client_event {
struct CommandSent {
  std::string line;
};  // every line sent, without CRLF (secrets included)
// Every response line received, without CRLF and without literal data; `literal` is the
// number of literal octets that followed the line.
struct ResponseReceived {
  std::string line;
  std::size_t literal = 0;
};
struct StartTls {};  // the driver must run the TLS handshake, then call tls_established
struct Connected {
  bool preauth = false;
  std::string text;
};  // the greeting
struct Capabilities {
  std::vector<std::string> capabilities;
};  // upper-cased
struct LoggedIn {
  std::string mechanism;
};  // "LOGIN", "PLAIN" or "PREAUTH"
struct LoginFailed {
  std::string reason;
};
struct Selected {
  std::string folder;
  std::uint32_t uidvalidity = 0;
  std::uint32_t exists = 0;
  std::uint32_t uidnext = 0;  // 0 when the server did not say
};
struct MessageFetched {
  std::uint32_t uid = 0;
  std::vector<std::string> flags;
  std::string content;
};
struct FlagsUpdated {
  std::uint32_t uid = 0;
  std::vector<std::string> flags;
};
struct Expunged {
  std::uint32_t seq = 0;
};
struct Exists {
  std::uint32_t count = 0;
};
// An operation of the job has ended; `index` counts every operation given, from 0.
struct OperationDone {
  std::size_t index = 0;
  bool ok = true;
  std::string detail;
};
struct Error {
  std::string reason;
};
struct TimedOut {};
struct Closed {
  bool ok = true;
};  // the session is over; close the connection after output
}  // namespace imap_client_event

using ImapClientEvent = std::variant<
    imap_client_event::CommandSent, imap_client_event::ResponseReceived,
    imap_client_event::StartTls, imap_client_event::Connected, imap_client_event::Capabilities,
    imap_client_event::LoggedIn, imap_client_event::LoginFailed, imap_client_event::Selected,
    imap_client_event::MessageFetched, imap_client_event::FlagsUpdated, imap_client_event::Expunged,
    imap_client_event::Exists, imap_client_event::OperationDone, imap_client_event::Error,
    imap_client_event::TimedOut, imap_client_event::Closed>;

class ImapClient {
 public:
  explicit ImapClient(ImapClientOptions options);
  ~ImapClient();
  ImapClient(ImapClient&&) noexcept;
  ImapClient& operator=(ImapClient&&) noexcept;

  // The TCP connection is up: wait for the greeting.
  void open(Micros now);
  void receive(std::string_view bytes, Micros now);
  void tls_established(Micros now);
  void peer_closed(Micros now);
  void tick(Micros now);

  // Adds an operation after the job's; ends an IDLE in progress.
  void enqueue(ImapOperation op, Micros now);
  // Ends an IDLE in progress (DONE); the job goes on.
  void stop_idle(Micros now);

  std::string take_output();
  std::vector<ImapClientEvent> take_events();
  std::optional<Micros> next_deadline() const;
  bool wants_close() const;

  bool finished() const;
  bool logged_in() const;
  bool tls_active() const;
  bool idling() const;
  const std::string& error() const;
  // The UIDVALIDITY and the UIDs the client holds now (the known ones plus those fetched).
  std::uint32_t uidvalidity() const;
  const std::vector<std::uint32_t>& known_uids() const;
  const std::vector<std::string>& capabilities() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace mailhop::proto
