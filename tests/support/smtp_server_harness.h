#pragma once
// Test support for the SMTP server engine: a configurable fake policy, canonical event text,
// and the TranscriptEngine adapter that lets tests/support/transcript.h drive an SmtpServer.
// The "! server" and "! policy" directives are documented in tests/data/README.md.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/proto/smtp_server.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {

// Canonical one-line text of an event, as written after "E:" in transcripts.
std::string describe(const proto::SmtpServerEvent& event);
// "from=<a@b.example> to=<c@d.example>,<e@f.example>" plus the envelope's parameters.
std::string describe_envelope(const mail::Envelope& envelope);

// Checks that `output` (everything a server wrote, from the start) is a sequence of complete
// RFC 5321 4.2 reply lines: CRLF-terminated, at most 512 octets, "ddd" with a first digit 2-5
// and a second 0-5, then "-" (more lines follow, same code) or " " (last line), text of
// printable US-ASCII, and an enhanced code, when present, of the reply's class. Returns an
// empty string when valid, else the first problem.
std::string validate_reply_stream(std::string_view output);

// A fake policy whose behaviour the tests set (directly or from "! policy key=value ...").
class TestServerPolicy : public proto::SmtpServerPolicy {
 public:
  // on_connect: "accept", "421" or "554".
  std::string connect = "accept";
  std::string connect_text;
  // HELO/EHLO domains answered 550 5.7.1.
  std::set<std::string> reject_helo;
  // user -> password for check_credentials (authzid must be empty or equal the user).
  std::map<std::string, std::string> users;
  // Senders (local@domain) answered 550 5.7.1.
  std::set<std::string> reject_senders;
  // When non-empty, recipients in these domains must be in `mailboxes` (550 5.1.1), and
  // recipients elsewhere are relayed per `relay`.
  std::set<std::string> local_domains;
  std::set<std::string> mailboxes;       // local parts
  std::set<std::string> full_mailboxes;  // local parts answered 452 4.2.2
  // "auth" (relay only for authenticated sessions, else 554 5.7.1), "allow" or "deny".
  std::string relay = "auth";
  // on_message: "accept", "reject" (554 5.7.1), "defer" (451 4.3.0) or "shutdown" (421).
  std::string message = "accept";
  // Queue ids: "<prefix><n>" with n counting accepted messages from 1.
  std::string queue_prefix = "Q";

  // What the policy saw, for tests that look at it.
  std::vector<std::string> helos;
  std::vector<mail::Envelope> mail_froms;
  std::vector<std::string> rcpts;  // local@domain
  std::vector<std::string> messages;
  int accepted = 0;

  // Applies "key=value" settings; returns an error message for an unknown key or bad value.
  std::optional<std::string> configure(const std::map<std::string, std::string>& params);

  proto::SmtpDecision on_connect(const proto::SmtpSessionInfo&) override;
  proto::SmtpDecision on_helo(const proto::SmtpSessionInfo&, std::string_view domain) override;
  proto::SmtpDecision on_mail_from(const proto::SmtpSessionInfo&,
                                   const mail::Envelope& so_far) override;
  proto::SmtpDecision on_rcpt_to(const proto::SmtpSessionInfo&, const mail::Envelope& so_far,
                                 const mail::EnvelopeRecipient& rcpt) override;
  proto::SmtpDecision on_message(const proto::SmtpSessionInfo&, const mail::Envelope&,
                                 std::string_view content) override;
  bool check_credentials(const proto::SmtpSessionInfo&, std::string_view authzid,
                         std::string_view user, std::string_view password) override;
};

// Applies "! server key=value ..." to a config (starting from `base`).
std::optional<std::string> configure_server(const std::map<std::string, std::string>& params,
                                            proto::SmtpServerConfig* config);

// The adapter. Leaves CommandReceived and ReplySent out of take_events() but checks that the
// ReplySent events add up to exactly the bytes written (else reports "!! ...").
class ServerTranscriptEngine : public TranscriptEngine {
 public:
  ServerTranscriptEngine(proto::SmtpServerConfig config, std::unique_ptr<TestServerPolicy> policy);

  void open(proto::Micros now) override { m_server.open(now); }
  void receive(std::string_view bytes, proto::Micros now) override { m_server.receive(bytes, now); }
  void tls_established(proto::Micros now) override {
    m_tls_pending = false;
    m_server.tls_established(now);
  }
  void peer_closed(proto::Micros now) override { m_server.peer_closed(now); }
  void tick(proto::Micros now) override { m_server.tick(now); }
  std::string take_output() override;
  std::vector<std::string> take_events() override;
  std::optional<proto::Micros> next_deadline() const override { return m_server.next_deadline(); }
  bool wants_close() const override { return m_server.wants_close(); }
  bool tls_pending() const override { return m_tls_pending; }

  proto::SmtpServer& server() { return m_server; }
  TestServerPolicy& policy() { return *m_policy; }
  // Every event so far, in canonical text, including commands and replies.
  const std::vector<std::string>& all_events() const { return m_all_events; }

 private:
  std::unique_ptr<TestServerPolicy> m_policy;
  proto::SmtpServer m_server;
  std::string m_pending_output;    // taken from the server by take_events(), not yet returned
  std::string m_unmatched_output;  // output not yet matched against ReplySent events
  bool m_tls_pending = false;
  std::vector<std::string> m_all_events;
};

// Builds a ServerTranscriptEngine from the transcript's "! server" and "! policy" directives.
std::unique_ptr<TranscriptEngine> make_server_engine(const Transcript& transcript,
                                                     std::string* error);
// The same, as an EngineFactory for check_transcript().
EngineFactory server_engine_factory();

}  // namespace mailhop::testing
