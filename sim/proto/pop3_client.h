#pragma once
// Sans-I/O POP3 client engine (RFC 1939, CAPA from RFC 2449, STLS from RFC 2595): logs in
// with USER/PASS, runs STAT and UIDL, retrieves every message with RETR, deletes each one
// after retrieving it when asked, and ends with QUIT. One command at a time (no pipelining).
//
// Order of the session:
//   greeting -> [CAPA -> STLS -> TLS handshake] -> USER -> PASS -> STAT -> UIDL ->
//   (RETR n [-> DELE n]) for n = 1..count -> QUIT
// CAPA is sent only when the TLS policy may use STLS. A -ERR to UIDL is not fatal (the server
// may not implement it); any other -ERR ends the session with QUIT and an error.

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

struct Pop3ClientOptions {
  std::string user;
  std::string password;
  Pop3ClientTls tls = Pop3ClientTls::kIfOffered;
  Pop3Delete delete_after_retrieve = Pop3Delete::kKeep;
  Micros response_timeout = std::chrono::minutes(10);
};

struct Pop3RetrievedMessage {
  std::size_t number = 0;
  std::string uid;      // empty when UIDL was refused
  std::string content;  // dot-unstuffed, CRLF line ends
};

namespace pop3_client_event {
struct CommandSent { std::string line; };  // without CRLF (PASS secrets included)
struct ResponseReceived { bool ok = true; std::string line; };  // status line
struct StartTls {};  // the driver must now run the TLS handshake, then call tls_established
struct MessageRetrieved { std::size_t number = 0; std::string uid; std::size_t octets = 0; };
struct Failed { std::string reason; };
struct TimedOut {};
struct Finished { std::size_t retrieved = 0; bool ok = true; };  // the session is over
}  // namespace pop3_client_event

using Pop3ClientEvent =
    std::variant<pop3_client_event::CommandSent, pop3_client_event::ResponseReceived,
                 pop3_client_event::StartTls, pop3_client_event::MessageRetrieved,
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
