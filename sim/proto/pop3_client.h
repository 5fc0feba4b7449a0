#pragma once
// Sans-I/O POP3 client engine (RFC 1939 with APOP, CAPA from RFC 2449, STLS from RFC 2595,
// SASL AUTH PLAIN from RFC 5034): logs in, runs STAT and UIDL, retrieves every message with
// RETR, deletes each one after retrieving it when asked, and ends with QUIT. One command at a
// time (no pipelining).
//
// Order of the session:
//   greeting -> [CAPA] -> [STLS -> TLS handshake -> [CAPA]] -> login -> STAT -> UIDL ->
//   (RETR n [-> DELE n]) for n = 1..count -> QUIT
// CAPA is sent when the TLS policy may use STLS or the login method depends on it (kBest);
// after TLS it is sent again, since what was learnt before must be forgotten (RFC 2595
// section 4). The login is:
//   - kBest: "AUTH PLAIN <initial response>" when CAPA lists "SASL" with PLAIN, else
//     USER/PASS;
//   - kUserPass: USER/PASS;
//   - kApop: "APOP user digest" with the timestamp of the greeting; a greeting without one
//     ends the session before any secret is sent.
// A -ERR to UIDL is not fatal (the server may not implement it); any other -ERR ends the
// session with QUIT and an error. A "+ " challenge to AUTH PLAIN (which already carried its
// response) is answered with "*" and the login fails.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/proto/time.h"

namespace mailhop::proto {

enum class Pop3ClientTls {
  kNever,      // plaintext only: no CAPA, no STLS
  kIfOffered,  // STLS when CAPA lists it, else plaintext
  kRequired,   // STLS or give up (QUIT before sending the password)
  kImplicit,   // the connection is already TLS (port 995)
};

enum class Pop3Delete { kKeep, kDeleteAfterRetrieve };

enum class Pop3Login {
  kBest,      // AUTH PLAIN when CAPA offers SASL PLAIN, else USER/PASS
  kUserPass,  // USER/PASS only
  kApop,      // APOP (RFC 1939 section 7); the greeting must carry a timestamp
};

struct Pop3ClientOptions {
  std::string user;
  std::string password;
  Pop3ClientTls tls = Pop3ClientTls::kIfOffered;
  Pop3Delete delete_after_retrieve = Pop3Delete::kKeep;
  Pop3Login login = Pop3Login::kBest;
  Micros response_timeout = std::chrono::minutes(10);
  // Unique-ids (UIDL) of messages the device already has ("leave a copy on the server"):
  // they are neither retrieved again nor deleted. Ignored when the server refuses UIDL.
  std::vector<std::string> known_uids;
};

struct Pop3RetrievedMessage {
  std::size_t number = 0;
  std::string uid;      // empty when UIDL was refused
  std::string content;  // dot-unstuffed, CRLF line ends
};

namespace pop3_client_event {
struct CommandSent { std::string line; };  // without CRLF (PASS secrets included)
struct ResponseReceived { bool ok = true; std::string line; };  // status line
// The lines of a multi-line answer that is a list (CAPA, UIDL), unstuffed, without the ".".
struct ListReceived {
  std::vector<std::string> lines;
};
struct StartTls {};  // the driver must now run the TLS handshake, then call tls_established
struct LoggedIn { std::string mechanism; };  // "USER", "APOP" or "PLAIN"
struct MessageRetrieved { std::size_t number = 0; std::string uid; std::size_t octets = 0; };
struct Failed { std::string reason; };
struct TimedOut {};
struct Finished { std::size_t retrieved = 0; bool ok = true; };  // the session is over
}  // namespace pop3_client_event

using Pop3ClientEvent =
    std::variant<pop3_client_event::CommandSent, pop3_client_event::ResponseReceived,
                 pop3_client_event::ListReceived, pop3_client_event::StartTls,
                 pop3_client_event::LoggedIn, pop3_client_event::MessageRetrieved,
                 pop3_client_event::Failed, pop3_client_event::TimedOut,
                 pop3_client_event::Finished>;

class Pop3Client {
 public:
  // The TCP connection is up at `now`; the client waits for the greeting.
  Pop3Client(Pop3ClientOptions options, Micros now);
  ~Pop3Client();
  Pop3Client(Pop3Client&&) noexcept;
  Pop3Client& operator=(Pop3Client&&) noexcept;

  void receive(std::string_view bytes, Micros now);
  void tls_established(Micros now);
  void peer_closed(Micros now);
  void tick(Micros now);

  std::string take_output();
  std::vector<Pop3ClientEvent> take_events();
  std::optional<Micros> next_deadline() const;
  bool wants_close() const;

  bool finished() const;
  // Finished without an error (every message retrieved, QUIT answered +OK).
  bool succeeded() const;
  const std::string& error() const;
  const std::vector<Pop3RetrievedMessage>& messages() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace mailhop::proto
