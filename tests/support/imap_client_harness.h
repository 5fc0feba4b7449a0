#pragma once
// Plays transcripts into the IMAP client engine (sim/proto/imap_client.h). In a client
// transcript (tests/data/imap/client_*.txt) the "C:" lines are what the engine must send and
// the "S:" lines what the fake server says.
//
// Directives:
//
//   ! client user=julia password=secret tls=never|if_offered|required|implicit folder=INBOX
//            uidvalidity=N known=1,2,5 timeout=5m idle_renew=29m max_literal=N
//   ! job ops=sync,seen:3,delete:4,idle,idle:5m,logout
//
// (defaults: julia / secret, tls=if_offered, INBOX, nothing known, no operations).
//
// Events in canonical text (CommandSent and ResponseReceived are checked against the bytes
// written and read instead, and a mismatch is reported as "!! ..."):
//
//   connected text="TEXT"            (connected preauth text="TEXT" for PREAUTH)
//   capabilities IMAP4REV1 STARTTLS ...
//   starttls
//   logged_in mechanism=LOGIN|PLAIN|PREAUTH
//   login_failed reason="TEXT"
//   selected folder=INBOX uidvalidity=N exists=N uidnext=N
//   fetched uid=N flags=(\Seen) octets=N content="ESCAPED"   (content only up to 512 octets)
//   flags uid=N flags=(\Seen \Deleted)
//   expunged seq=N
//   exists n=N
//   op_done index=N ok=yes|no detail="TEXT"
//   error reason="TEXT"
//   timed_out
//   closed ok=yes|no

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/proto/imap_client.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {

std::string describe_imap_client_event(const proto::ImapClientEvent& event);

// Parses "sync,seen:3,delete:4,idle,idle:5m,logout".
std::optional<std::vector<proto::ImapOperation>> parse_imap_job(std::string_view text,
                                                                std::string* error);

std::optional<proto::ImapClientOptions> imap_client_options_from(const Transcript& transcript,
                                                                 std::string* error);

class ImapClientTranscriptEngine : public TranscriptEngine {
 public:
  explicit ImapClientTranscriptEngine(proto::ImapClientOptions options);

  void open(proto::Micros now) override { m_client.open(now); }
  void receive(std::string_view bytes, proto::Micros now) override;
  void tls_established(proto::Micros now) override;
  void peer_closed(proto::Micros now) override { m_client.peer_closed(now); }
  void tick(proto::Micros now) override { m_client.tick(now); }
  std::string take_output() override;
  std::vector<std::string> take_events() override;
  std::optional<proto::Micros> next_deadline() const override { return m_client.next_deadline(); }
  bool wants_close() const override { return m_client.wants_close(); }
  bool tls_pending() const override { return m_tls_pending; }

  proto::ImapClient& client() { return m_client; }
  // Every event in canonical text since the engine was made, CommandSent and
  // ResponseReceived included ("C: line" / "S: line"), for tests that look at a whole run.
  const std::vector<std::string>& log() const { return m_log; }

 private:
  void drain();

  proto::ImapClient m_client;
  std::string m_output;
  std::string m_unsent;
  std::size_t m_out_checked = 0;
  std::string m_input;
  std::size_t m_in_checked = 0;
  bool m_tls_pending = false;
  std::vector<std::string> m_log;
};

EngineFactory imap_client_factory();

}  // namespace mailhop::testing
