#pragma once
// Plays transcripts into the SMTP client engine: the TranscriptEngine adapter for SmtpClient.
// In a client transcript the "C:" lines are what the engine must send and the "S:" lines are
// what the fake server says (they are fed in).
//
// Directives (tests/data/smtp/client_*.txt):
//
//   ! client helo=client.example tls=never|opportunistic|required|implicit tls_capable=yes|no
//            pipelining=yes|no user=NAME password=SECRET
//            greeting_timeout=5m mail_timeout=5m rcpt_timeout=5m data_init_timeout=2m
//            data_term_timeout=10m command_timeout=5m
//   ! message from=alice@a.example        (from=<> for the null reverse-path of a bounce)
//             body=7bit|8bitmime ret=FULL|HDRS envid=XTEXT raw=TEXT
//   ! rcpt to=bob@b.example notify=SUCCESS,FAILURE orcpt=rfc822;bob@b.example
//   ! line text=TEXT repeat=N
//
// Every "! message" starts a transaction; the "! rcpt" and "! line" directives that follow it
// belong to it. The content is the "! line" texts, each followed by CRLF (a line with
// repeat=N is N lines), or, when raw= is given, exactly that text. TEXT values go through the
// transcript escapes (\r \n \xHH \{N*TEXT}) after the directive's own quoting, so write them
// unquoted (text=caf\xC3\xA9) or quoted without backslashes (text="Subject: Lunch").
//
// Events, in canonical text (CommandSent, DataSent and ReplyReceived are not rendered: they are
// checked against the bytes written and read, and a mismatch is reported as "!! ..."; so are
// broken invariants: an event after Finished, a transaction done twice or never, an outcome
// without diagnostic or with a status code whose class does not match its status):
//
//   E: starttls
//   E: authenticated PLAIN
//   E: protocol error: REASON
//   E: timed out waiting for WHAT
//   E: outcome T ADDRESS delivered|deferred|failed STATUS: DIAGNOSTIC   (one per recipient,
//      when transaction T is done, in envelope order)
//   E: transaction T done
//   E: finished

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/proto/smtp_client.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {

// Builds the client's options and transactions from a transcript's directives.
struct ClientSetup {
  proto::SmtpClientOptions options;
  std::vector<proto::SmtpTransaction> transactions;
};
std::optional<ClientSetup> client_setup_from(const Transcript& transcript, std::string* error);

// What is wrong with the outcomes of a finished client (empty when nothing): every recipient
// has a diagnostic and an RFC 3463 status code whose class matches its status.
std::string check_outcomes(const std::vector<proto::TransactionOutcome>& outcomes);

// Renders one event in the canonical text above; empty for CommandSent/DataSent/ReplyReceived.
// TransactionDone needs the outcomes to list the recipients.
std::vector<std::string> render_client_event(
    const proto::SmtpClientEvent& event, const std::vector<proto::TransactionOutcome>& outcomes);

class SmtpClientTranscriptEngine : public TranscriptEngine {
 public:
  explicit SmtpClientTranscriptEngine(ClientSetup setup);

  void open(proto::Micros now) override;
  void receive(std::string_view bytes, proto::Micros now) override;
  void tls_established(proto::Micros now) override;
  void peer_closed(proto::Micros now) override;
  void tick(proto::Micros now) override;
  std::string take_output() override;
  std::vector<std::string> take_events() override;
  std::optional<proto::Micros> next_deadline() const override;
  bool wants_close() const override;
  bool tls_pending() const override;

  proto::SmtpClient& client() { return m_client; }

 private:
  // Moves the engine's output and events into the pending buffers and cross-checks them.
  void drain();

  proto::SmtpClient m_client;
  std::string m_output;               // output not yet taken
  std::vector<std::string> m_events;  // rendered events not yet taken
  std::string m_unchecked_output;     // output not yet matched with CommandSent/DataSent
  std::vector<int> m_expected_codes;  // reply codes read from the input, not yet reported
  std::vector<int> m_done_count;      // TransactionDone events per transaction
  bool m_finished = false;            // a Finished event was seen
  std::string m_input_line;           // partial input line
  proto::SmtpReplyParser m_input_parser;
  bool m_tls_pending = false;
};

// The factory for check_transcript.
std::unique_ptr<TranscriptEngine> make_client_engine(const Transcript& transcript,
                                                     std::string* error);

}  // namespace mailhop::testing
