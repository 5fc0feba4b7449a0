#pragma once
// Plays transcripts into the POP3 engines (sim/proto/pop3_server.h, pop3_client.h): the
// TranscriptEngine adapters, the fake maildrop, and the canonical text of the events.
//
// Server transcripts (tests/data/pop3/server_*.txt):
//
//   ! server hostname=mail.example tls=none|available|active apop=<1.2@mail.example>
//            sasl=never|always|after_tls autologout=10m
//   ! store commit=fail
//
// The fake maildrop has three accounts: julia:secret (two messages, below; APOP secret
// "secret"), ana:x (empty) and pedro:pw (locked by another session: [IN-USE]).
//
// Client transcripts (tests/data/pop3/client_*.txt):
//
//   ! client user=julia password=secret tls=never|if_offered|required|implicit delete=yes|no
//            login=best|user|apop timeout=10m
//
// Events in canonical text (commands and responses are the C:/S: lines; the adapters check
// that the reported ones add up to the bytes and report a mismatch as "!! ..."):
//
//   server: starttls | authenticated user=U mechanism=USER|APOP|PLAIN |
//           auth_failed user=U reason=AUTH|IN-USE mechanism=M | deleted uid=X | timed_out |
//           closing reason="TEXT"
//   client: starttls | logged_in mechanism=M | retrieved number=N uid=X octets=N |
//           failed reason="TEXT" | timed_out | finished retrieved=N ok=yes|no

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sim/proto/pop3_client.h"
#include "sim/proto/pop3_server.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {

// julia's messages: message 1 has lines starting with "." (byte-stuffing), message 2 is plain.
// 75 + 37 octets.
extern const std::string kPop3Message1;
extern const std::string kPop3Message2;

class FakeMaildrop : public proto::Pop3Maildrop {
 public:
  std::map<std::string, std::string> passwords{{"julia", "secret"}, {"ana", "x"}, {"pedro", "pw"}};
  std::set<std::string> locked{"pedro"};
  std::vector<std::vector<std::string>> commits;
  std::vector<std::string> unlocks;
  bool commit_fails = false;

  bool check_credentials(std::string_view user, std::string_view password) override;
  std::optional<std::string> apop_secret(std::string_view user) override;
  bool lock(std::string_view user) override;
  void unlock(std::string_view user) override;
  std::vector<proto::Pop3Message> messages(std::string_view user) override;
  bool commit_deletions(std::string_view user, const std::vector<std::string>& uids) override;
};

std::string describe_pop3_server_event(const proto::Pop3ServerEvent& event);
std::string describe_pop3_client_event(const proto::Pop3ClientEvent& event);

class Pop3ServerTranscriptEngine : public TranscriptEngine {
 public:
  Pop3ServerTranscriptEngine(proto::Pop3ServerConfig config, std::shared_ptr<FakeMaildrop> store);

  void open(proto::Micros now) override { m_server.open(now); }
  void receive(std::string_view bytes, proto::Micros now) override { m_server.receive(bytes, now); }
  void tls_established(proto::Micros now) override;
  void peer_closed(proto::Micros now) override { m_server.peer_closed(now); }
  void tick(proto::Micros now) override { m_server.tick(now); }
  std::string take_output() override;
  std::vector<std::string> take_events() override;
  std::optional<proto::Micros> next_deadline() const override { return m_server.next_deadline(); }
  bool wants_close() const override { return m_server.wants_close(); }
  bool tls_pending() const override { return m_tls_pending; }

  proto::Pop3Server& server() { return m_server; }

 private:
  std::shared_ptr<FakeMaildrop> m_store;
  proto::Pop3Server m_server;
  // Takes the engine's output into m_output (everything, for the checks) and m_unsent.
  void drain();

  std::string m_output;
  std::string m_unsent;
  std::size_t m_checked = 0;
  bool m_tls_pending = false;
};

class Pop3ClientTranscriptEngine : public TranscriptEngine {
 public:
  explicit Pop3ClientTranscriptEngine(proto::Pop3ClientOptions options);

  void open(proto::Micros) override {}
  void receive(std::string_view bytes, proto::Micros now) override { m_client.receive(bytes, now); }
  void tls_established(proto::Micros now) override;
  void peer_closed(proto::Micros now) override { m_client.peer_closed(now); }
  void tick(proto::Micros now) override { m_client.tick(now); }
  std::string take_output() override;
  std::vector<std::string> take_events() override;
  std::optional<proto::Micros> next_deadline() const override { return m_client.next_deadline(); }
  bool wants_close() const override { return m_client.wants_close(); }
  bool tls_pending() const override { return m_tls_pending; }

  proto::Pop3Client& client() { return m_client; }

 private:
  proto::Pop3Client m_client;
  // Takes the engine's output into m_output (everything, for the checks) and m_unsent.
  void drain();

  std::string m_output;
  std::string m_unsent;
  std::size_t m_checked = 0;
  bool m_tls_pending = false;
};

// Builds server engines from "! server" / "! store" and keeps every store it made, so a test
// can check what reached the maildrop in each of the runs.
struct Pop3ServerFactory {
  std::vector<std::shared_ptr<FakeMaildrop>> stores;
  EngineFactory make();
};

// Client options from "! client" (defaults: julia / secret, tls=if_offered, keep, best).
std::optional<proto::Pop3ClientOptions> pop3_client_options_from(const Transcript& transcript,
                                                                 std::string* error);
EngineFactory pop3_client_factory();

}  // namespace mailhop::testing
