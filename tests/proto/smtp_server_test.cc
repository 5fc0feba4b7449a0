// Tests of the SMTP server engine (sim/proto/smtp_server.h): the transcripts in
// tests/data/smtp/server_*.txt, each played whole, byte by byte and split at every offset, plus
// direct tests of what transcripts cannot express (session info, deadlines, policy answers,
// random input).

#include "sim/proto/smtp_server.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/support/smtp_server_harness.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {
namespace {

using proto::Micros;
using proto::SmtpServer;
using proto::SmtpServerConfig;
namespace ev = proto::smtp_server_event;

const char* const kServerTranscripts[] = {
    "server_auth_errors.txt",
    "server_auth_login.txt",
    "server_auth_plain.txt",
    "server_auth_unavailable.txt",
    "server_dsn.txt",
    "server_errors.txt",
    "server_happy_path.txt",
    "server_helo.txt",
    "server_line_limits.txt",
    "server_max_errors.txt",
    "server_message_deferred.txt",
    "server_message_rejected.txt",
    "server_message_shutdown.txt",
    "server_paths.txt",
    "server_peer_close.txt",
    "server_peer_close_transaction.txt",
    "server_pipelining.txt",
    "server_policy.txt",
    "server_refused.txt",
    "server_refused_421.txt",
    "server_robustness.txt",
    "server_size_limits.txt",
    "server_starttls.txt",
    "server_starttls_errors.txt",
    "server_starttls_in_transaction.txt",
    "server_starttls_unavailable.txt",
    "server_text_line_limits.txt",
    "server_timeout.txt",
    "server_timeout_data.txt",
    "server_timeout_tls.txt",
};

// Every reply the server can give, and the transcript that provokes it. The test below checks
// that each row's reply line (its first line, up to the end of the given text) appears as an
// "S:" line in some server transcript, and the list of files above is checked against the
// directory, so no transcript is forgotten.
//
// clang-format off
// | reply                                          | when                                   | transcript               |
// |------------------------------------------------|----------------------------------------|--------------------------|
// | 220 <host> ESMTP mailhop                       | greeting                               | server_happy_path        |
// | 554 <host> ...                                 | policy refuses the session             | server_refused           |
// | 421 <host> Service not available...            | policy answers 421 at connect          | server_refused_421       |
// | 503 Bad sequence ... only QUIT is accepted      | any command after a 554 greeting       | server_refused           |
// | 250-<host> / 250 DSN                           | EHLO (multi-line, extensions)          | server_happy_path        |
// | 250 <host>                                     | HELO (single line)                     | server_helo              |
// | 501 Syntax: EHLO hostname                      | EHLO without (or with a bad) domain    | server_errors            |
// | 550 HELO/EHLO name rejected                    | policy refuses the HELO name           | server_policy            |
// | 250 2.1.0 OK                                   | MAIL accepted                          | server_happy_path        |
// | 503 5.5.1 ... send EHLO or HELO first          | MAIL before EHLO/HELO                  | server_helo              |
// | 503 5.5.1 ... sender already specified         | second MAIL in a transaction           | server_errors            |
// | 501 5.5.2 Syntax: MAIL FROM:                   | no FROM:, or a space after the colon   | server_paths             |
// | 501 5.1.7 Bad sender address syntax            | bad reverse-path, path limits          | server_paths             |
// | 552 5.3.4 Message size exceeds...              | SIZE= over the limit; message too big  | server_size_limits       |
// | 501 5.5.4 SIZE must be...                      | bad parameter value                    | server_size_limits       |
// | 555 5.5.4 MAIL FROM parameter ... not recog.   | unknown MAIL parameter                 | server_errors            |
// | 555 5.5.4 RCPT TO parameter ... not recog.     | unknown RCPT parameter                 | server_errors            |
// | 530 5.7.0 Must issue a STARTTLS command first  | require_tls                            | server_starttls_errors   |
// | 530 5.7.0 Authentication required              | require_auth                           | server_auth_errors       |
// | 250 2.1.5 OK                                   | RCPT accepted (also <Postmaster>)      | server_paths             |
// | 503 5.5.1 ... send MAIL first                  | RCPT or DATA before MAIL               | server_errors            |
// | 501 5.1.3 Bad recipient address syntax         | bad forward-path                       | server_paths             |
// | 452 4.5.3 Too many recipients                  | max_recipients                         | server_errors            |
// | 550 5.1.1 User unknown                         | policy                                 | server_policy            |
// | 452 4.2.2 Mailbox full                         | policy                                 | server_policy            |
// | 554 5.7.1 Relay access denied                  | policy                                 | server_policy            |
// | 550 5.7.1 Sender rejected by policy            | policy                                 | server_policy            |
// | 354 Start mail input                           | DATA                                   | server_happy_path        |
// | 503 5.5.1 No valid recipients                  | DATA without an accepted RCPT          | server_errors            |
// | 501 5.5.4 Syntax: DATA                         | DATA with an argument                  | server_errors            |
// | 554 5.6.0 Message rejected: a text line...     | text line over 1000 octets             | server_text_line_limits  |
// | 250 2.0.0 OK: queued as                        | message accepted                       | server_happy_path        |
// | 554 5.7.1 Message rejected as spam             | policy refuses the message             | server_message_rejected  |
// | 451 Temporary failure                          | policy defers the message (HELO)       | server_message_deferred  |
// | 421 4.3.2 Server shutting down                 | policy answers 421 after DATA          | server_message_shutdown  |
// | 250 2.0.0 OK                                   | RSET, NOOP                             | server_pipelining        |
// | 501 5.5.4 Syntax: RSET                         | RSET with an argument                  | server_errors            |
// | 252 2.5.0 Cannot VRFY user...                  | VRFY                                   | server_errors            |
// | 501 5.5.4 Syntax: VRFY                         | VRFY without an argument               | server_errors            |
// | 502 5.5.1 EXPN is not available                | EXPN                                   | server_errors            |
// | 214-2.0.0 Commands:                            | HELP                                   | server_errors            |
// | 221 2.0.0 <host> Service closing...            | QUIT                                   | server_happy_path        |
// | 501 5.5.4 Syntax: QUIT                         | QUIT with an argument                  | server_errors            |
// | 500 5.5.2 Syntax error, command unrecognized   | unknown verb, empty line               | server_errors            |
// | 500 5.5.2 Line too long                        | command line over its limit            | server_line_limits       |
// | 500 ... control character                      | NUL, bare CR/LF in a command           | server_robustness        |
// | 502 5.5.1 Command not implemented              | TURN, ETRN, BDAT                       | server_errors            |
// | 421 4.7.0 <host> Error: too many errors        | max_errors reached                     | server_max_errors        |
// | 220 2.0.0 Ready to start TLS                   | STARTTLS                               | server_starttls_errors   |
// | 501 5.5.4 Syntax error (no parameters allowed) | STARTTLS with an argument              | server_starttls_errors   |
// | 503 5.5.1 ... TLS already active               | STARTTLS under TLS                     | server_starttls          |
// | 503 5.5.1 ... STARTTLS inside a mail trans.    | STARTTLS after MAIL                    | server_starttls_in_transaction |
// | 502 5.5.1 STARTTLS not available               | no TLS configured                      | server_starttls_unavailable |
// | 334 VXNlcm5hbWU6 / 334 UGFzc3dvcmQ6 / "334 "   | AUTH LOGIN / PLAIN challenges          | server_auth_login, _plain |
// | 235 2.7.0 Authentication successful            | AUTH succeeded                         | server_auth_plain        |
// | 535 5.7.8 Authentication credentials invalid   | AUTH failed                            | server_auth_plain        |
// | 501 5.0.0 Authentication cancelled             | "*"                                    | server_auth_plain        |
// | 501 5.5.2 Cannot decode the base64 response    | bad base64                             | server_auth_plain        |
// | 501 5.5.2 Malformed PLAIN response             | no authzid/authcid/passwd structure    | server_auth_plain        |
// | 501 5.5.4 Syntax: AUTH mechanism               | AUTH without a mechanism               | server_auth_plain        |
// | 504 5.5.4 Unrecognized authentication type     | unknown mechanism                      | server_auth_plain        |
// | 503 5.5.1 ... AUTH not permitted during a...   | AUTH inside a transaction              | server_auth_plain        |
// | 503 5.5.1 ... already authenticated            | second AUTH                            | server_auth_plain        |
// | 503 ... send EHLO first                        | AUTH before EHLO                       | server_auth_errors       |
// | 538 5.7.11 Encryption required...              | AUTH before TLS with after_tls         | server_starttls          |
// | 500 5.5.6 Authentication Exchange line...      | AUTH response over 12288 octets        | server_auth_errors       |
// | 502 5.5.1 AUTH not available                   | AUTH on a server without it            | server_auth_unavailable  |
// | 421 4.4.2 <host> Error: timeout exceeded       | command timeout                        | server_timeout           |
// clang-format on
struct ExpectedReply {
  const char* line;  // the start of an "S:" line
  const char* file;
};
const ExpectedReply kReplyTable[] = {
    {"220 mx.yahoo.example ESMTP mailhop", "server_happy_path.txt"},
    {"554 mx.example No SMTP service here", "server_refused.txt"},
    {"421 mx.example Service not available, closing transmission channel",
     "server_refused_421.txt"},
    {"503 Bad sequence of commands: this server refused the session; only QUIT is accepted",
     "server_refused.txt"},
    {"250-mx.yahoo.example", "server_happy_path.txt"},
    {"250 DSN", "server_happy_path.txt"},
    {"250 mx.example", "server_helo.txt"},
    {"501 Syntax: EHLO hostname", "server_errors.txt"},
    {"550 HELO/EHLO name rejected by policy", "server_policy.txt"},
    {"250 2.1.0 OK", "server_happy_path.txt"},
    {"503 Bad sequence of commands: send EHLO or HELO first", "server_helo.txt"},
    {"503 5.5.1 Bad sequence of commands: sender already specified", "server_errors.txt"},
    {"501 5.5.2 Syntax: MAIL FROM:<address> [parameters]", "server_paths.txt"},
    {"501 5.1.7 Bad sender address syntax:", "server_paths.txt"},
    {"552 5.3.4 Message size exceeds fixed maximum message size", "server_size_limits.txt"},
    {"501 5.5.4 SIZE must be a decimal number of octets", "server_size_limits.txt"},
    {"555 5.5.4 MAIL FROM parameter SMTPUTF8 not recognized", "server_errors.txt"},
    {"555 5.5.4 RCPT TO parameter FOO not recognized", "server_errors.txt"},
    {"530 5.7.0 Must issue a STARTTLS command first", "server_starttls_errors.txt"},
    {"530 5.7.0 Authentication required", "server_auth_errors.txt"},
    {"250 2.1.5 OK", "server_paths.txt"},
    {"503 5.5.1 Bad sequence of commands: send MAIL first", "server_errors.txt"},
    {"501 5.1.3 Bad recipient address syntax:", "server_paths.txt"},
    {"452 4.5.3 Too many recipients", "server_errors.txt"},
    {"550 5.1.1 User unknown", "server_policy.txt"},
    {"452 4.2.2 Mailbox full", "server_policy.txt"},
    {"554 5.7.1 Relay access denied", "server_policy.txt"},
    {"550 5.7.1 Sender rejected by policy", "server_policy.txt"},
    {"354 Start mail input; end with <CRLF>.<CRLF>", "server_happy_path.txt"},
    {"503 5.5.1 No valid recipients", "server_errors.txt"},
    {"501 5.5.4 Syntax: DATA (no parameters)", "server_errors.txt"},
    {"554 5.6.0 Message rejected: a text line is longer than 1000 octets",
     "server_text_line_limits.txt"},
    {"250 2.0.0 OK: queued as Q1", "server_happy_path.txt"},
    {"554 5.7.1 Message rejected as spam", "server_message_rejected.txt"},
    {"451 Temporary failure, try again later", "server_message_deferred.txt"},
    {"421 4.3.2 Server shutting down", "server_message_shutdown.txt"},
    {"250 2.0.0 OK", "server_pipelining.txt"},
    {"501 5.5.4 Syntax: RSET (no parameters)", "server_errors.txt"},
    {"252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery",
     "server_errors.txt"},
    {"501 5.5.4 Syntax: VRFY <user or mailbox>", "server_errors.txt"},
    {"502 5.5.1 EXPN is not available on this server", "server_errors.txt"},
    {"214-2.0.0 Commands:", "server_errors.txt"},
    {"221 2.0.0 mx.yahoo.example Service closing transmission channel", "server_happy_path.txt"},
    {"501 5.5.4 Syntax: QUIT (no parameters)", "server_errors.txt"},
    {"500 5.5.2 Syntax error, command unrecognized", "server_errors.txt"},
    {"500 5.5.2 Line too long: at most 512 octets", "server_line_limits.txt"},
    {"500 Syntax error: control character", "server_robustness.txt"},
    {"502 5.5.1 Command not implemented", "server_errors.txt"},
    {"421 4.7.0 mx.example Error: too many errors", "server_max_errors.txt"},
    {"220 2.0.0 Ready to start TLS", "server_starttls_errors.txt"},
    {"501 5.5.4 Syntax error (no parameters allowed)", "server_starttls_errors.txt"},
    {"503 5.5.1 Bad sequence of commands: TLS already active", "server_starttls.txt"},
    {"503 5.5.1 Bad sequence of commands: STARTTLS inside a mail transaction",
     "server_starttls_in_transaction.txt"},
    {"502 5.5.1 STARTTLS not available on this server", "server_starttls_unavailable.txt"},
    {"334 VXNlcm5hbWU6", "server_auth_login.txt"},
    {"334 UGFzc3dvcmQ6", "server_auth_login.txt"},
    {"334\\x20", "server_auth_plain.txt"},  // "334 ", written "S: 334\x20" in the file
    {"235 2.7.0 Authentication successful", "server_auth_plain.txt"},
    {"535 5.7.8 Authentication credentials invalid", "server_auth_plain.txt"},
    {"501 5.0.0 Authentication cancelled", "server_auth_plain.txt"},
    {"501 5.5.2 Cannot decode the base64 response", "server_auth_plain.txt"},
    {"501 5.5.2 Malformed PLAIN response", "server_auth_plain.txt"},
    {"501 5.5.4 Syntax: AUTH mechanism [initial-response]", "server_auth_plain.txt"},
    {"504 5.5.4 Unrecognized authentication type", "server_auth_plain.txt"},
    {"503 5.5.1 Bad sequence of commands: AUTH not permitted during a mail transaction",
     "server_auth_plain.txt"},
    {"503 5.5.1 Bad sequence of commands: already authenticated", "server_auth_plain.txt"},
    {"503 Bad sequence of commands: send EHLO first", "server_auth_errors.txt"},
    {"538 5.7.11 Encryption required for requested authentication mechanism",
     "server_starttls.txt"},
    {"500 5.5.6 Authentication Exchange line is too long", "server_auth_errors.txt"},
    {"502 5.5.1 AUTH not available on this server", "server_auth_unavailable.txt"},
    {"421 4.4.2 mx.example Error: timeout exceeded", "server_timeout.txt"},
};

std::string check_server_file(const std::string& name) {
  return check_transcript_file(test_data_path("smtp/" + name), Side::kServer,
                               server_engine_factory());
}

// A server with a TestServerPolicy, driven directly.
struct Fixture {
  explicit Fixture(SmtpServerConfig config = default_config())
      : server(std::move(config), policy) {}

  static SmtpServerConfig default_config() {
    SmtpServerConfig c;
    c.hostname = "mx.example";
    return c;
  }

  // Feeds `bytes` and returns the output.
  std::string send(std::string_view bytes, Micros now = Micros{0}) {
    server.receive(bytes, now);
    return server.take_output();
  }

  std::vector<std::string> events() {
    std::vector<std::string> out;
    for (const auto& e : server.take_events()) out.push_back(describe(e));
    return out;
  }

  TestServerPolicy policy;
  SmtpServer server;
};

std::string ehlo_reply(const std::string& host, const std::string& size = "10485760") {
  return "250-" + host + "\r\n250-PIPELINING\r\n250-SIZE " + size + "\r\n250-8BITMIME\r\n" +
         "250-ENHANCEDSTATUSCODES\r\n250 DSN\r\n";
}

}  // namespace

TEST_CASE("server transcripts", "[smtp][smtp_server][transcript]") {
  for (const char* file : kServerTranscripts) {
    SECTION(file) {
      CHECK(check_server_file(file) == "");
    }
  }
}

TEST_CASE("every server transcript file is in the list", "[smtp][smtp_server][transcript]") {
  std::set<std::string> listed(std::begin(kServerTranscripts), std::end(kServerTranscripts));
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(test_data_path("smtp"))) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("server_", 0) == 0 && entry.path().extension() == ".txt") {
      on_disk.insert(name);
    }
  }
  CHECK(listed == on_disk);
}

TEST_CASE("every server reply in the table is provoked by its transcript",
          "[smtp][smtp_server][transcript]") {
  for (const ExpectedReply& row : kReplyTable) {
    INFO(row.file << ": " << row.line);
    const TranscriptParse parsed = load_transcript(test_data_path(std::string("smtp/") + row.file));
    REQUIRE(parsed.transcript);
    // Compare with the server lines in their escaped form, as written in the file.
    bool found = false;
    for (const auto& item : parsed.transcript->items) {
      if (item.kind != TranscriptItem::Kind::kBytes || item.side != Side::kServer) continue;
      std::string_view bytes = item.bytes;
      if (bytes.size() >= 2 && bytes.substr(bytes.size() - 2) == "\r\n") bytes.remove_suffix(2);
      if (escape_bytes(bytes).rfind(row.line, 0) == 0) found = true;
    }
    CHECK(found);
  }
}

TEST_CASE("server session info follows EHLO, AUTH and STARTTLS", "[smtp][smtp_server]") {
  SmtpServerConfig config = Fixture::default_config();
  config.tls = proto::TlsState::kAvailable;
  config.auth = proto::AuthAdvertise::kAlways;
  Fixture f(config);
  f.policy.users["julia"] = "secret";
  f.server.open(Micros{0});
  CHECK(f.server.take_output() == "220 mx.example ESMTP mailhop\r\n");
  CHECK(f.server.session().helo.empty());
  CHECK_FALSE(f.server.session().tls);

  f.send("EHLO laptop.example\r\n");
  CHECK(f.server.session().helo == "laptop.example");
  CHECK(f.server.session().esmtp);
  CHECK(f.policy.helos == std::vector<std::string>{"laptop.example"});

  CHECK(f.send("AUTH PLAIN AGp1bGlhAHNlY3JldA==\r\n") == "235 2.7.0 Authentication successful\r\n");
  REQUIRE(f.server.session().auth_user);
  CHECK(*f.server.session().auth_user == "julia");

  f.events();
  CHECK(f.send("STARTTLS\r\n") == "220 2.0.0 Ready to start TLS\r\n");
  CHECK(f.events() == std::vector<std::string>{"command \"STARTTLS\"",
                                               "reply 220 2.0.0 Ready to start TLS", "starttls"});
  f.server.tls_established(Micros{5});
  // RFC 3207 4.2: everything learned before TLS is forgotten, AUTH included.
  CHECK(f.server.session().helo.empty());
  CHECK_FALSE(f.server.session().esmtp);
  CHECK_FALSE(f.server.session().auth_user);
  CHECK(f.server.session().tls);
  // A second tls_established without STARTTLS changes nothing.
  f.server.tls_established(Micros{6});
  CHECK(f.server.take_output().empty());
  CHECK(f.send("EHLO laptop.example\r\n") ==
        "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-DSN\r\n250 AUTH PLAIN LOGIN\r\n");
}

TEST_CASE("server events carry the envelope and the raw command lines", "[smtp][smtp_server]") {
  Fixture f;
  f.server.open(Micros{0});
  f.server.take_output();
  f.send(
      "EHLO c.example\r\nMAIL FROM:<a@b.example> SIZE=5 BODY=8BITMIME\r\n"
      "RCPT TO:<c@d.example> NOTIFY=FAILURE\r\nDATA\r\nhi\r\n.\r\n");
  std::vector<proto::SmtpServerEvent> events = f.server.take_events();
  std::vector<std::string> commands;
  const ev::MessageAccepted* accepted = nullptr;
  std::size_t accepted_index = 0;
  std::size_t last_reply_index = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (const auto* c = std::get_if<ev::CommandReceived>(&events[i])) commands.push_back(c->line);
    if (const auto* m = std::get_if<ev::MessageAccepted>(&events[i])) {
      accepted = m;
      accepted_index = i;
    }
    if (std::holds_alternative<ev::ReplySent>(events[i])) last_reply_index = i;
  }
  // Data lines are not commands.
  CHECK(commands == std::vector<std::string>{"EHLO c.example",
                                             "MAIL FROM:<a@b.example> SIZE=5 BODY=8BITMIME",
                                             "RCPT TO:<c@d.example> NOTIFY=FAILURE", "DATA"});
  REQUIRE(accepted != nullptr);
  // The message is accepted, then the 250 is sent.
  CHECK(accepted_index < last_reply_index);
  CHECK(accepted->content == "hi\r\n");
  REQUIRE(accepted->envelope.mail_from);
  CHECK(accepted->envelope.mail_from->str() == "a@b.example");
  CHECK(accepted->envelope.declared_size == std::optional<std::size_t>(5));
  CHECK(accepted->envelope.body == mail::BodyType::k8BitMime);
  REQUIRE(accepted->envelope.rcpt_to.size() == 1);
  CHECK(accepted->envelope.rcpt_to[0].notify == std::optional<std::string>("FAILURE"));
  CHECK(f.policy.messages == std::vector<std::string>{"hi\r\n"});
  REQUIRE(f.policy.mail_froms.size() == 1);
  CHECK(f.policy.mail_froms[0].declared_size == std::optional<std::size_t>(5));
}

TEST_CASE("server leaves out the command and message events it is told to", "[smtp][smtp_server]") {
  const std::string session =
      "EHLO c.example\r\nAUTH PLAIN\r\nAGp1bGlhAHNlY3JldA==\r\nMAIL FROM:<a@b.example>\r\n"
      "RCPT TO:<c@d.example>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n";
  SmtpServerConfig config = Fixture::default_config();
  config.auth = proto::AuthAdvertise::kAlways;
  Fixture full(config);
  config.report_commands = false;
  config.report_messages = false;
  Fixture quiet(config);
  std::vector<std::string> expected;
  for (Fixture* f : {&full, &quiet}) {
    f->policy.users["julia"] = "secret";
    f->server.open(Micros{0});
  }
  const std::string out = full.send(session);
  CHECK(quiet.send(session) == out);
  CHECK(out.find("235 2.7.0") != std::string::npos);
  CHECK(out.find("250 2.0.0 OK: queued as Q1") != std::string::npos);
  const std::vector<std::string> all = full.events();
  for (const std::string& e : all) {
    if (e.rfind("command ", 0) != 0 && e.rfind("message_accepted ", 0) != 0) expected.push_back(e);
  }
  // Seven command lines (the AUTH response among them) and one message are left out, nothing
  // else.
  CHECK(all.size() == expected.size() + 8);
  CHECK(quiet.events() == expected);
  CHECK(quiet.policy.messages == std::vector<std::string>{"hi\r\n"});
}

TEST_CASE("server leaves the reply texts out of its events when told to", "[smtp][smtp_server]") {
  // EHLO's lines, a syntax error that quotes a control character (the slow path that cleans
  // the text), a policy's rejection, and the usual replies.
  const std::string session =
      "EHLO c.example\r\nMAIL FROM:<a\x01@b.example>\r\nMAIL FROM:<a@b.example>\r\n"
      "RCPT TO:<nobody@d.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n";
  SmtpServerConfig config = Fixture::default_config();
  Fixture full(config);
  config.report_reply_text = false;
  Fixture quiet(config);
  for (Fixture* f : {&full, &quiet}) {
    f->policy.local_domains = {"d.example"};
    f->policy.mailboxes = {"c"};
    f->server.open(Micros{0});
  }
  const std::string out = full.send(session);
  CHECK(quiet.send(session) == out);
  CHECK(validate_reply_stream(out) == "");
  CHECK(out.find("550 5.1.1 ") != std::string::npos);
  CHECK(out.find("250-PIPELINING\r\n") != std::string::npos);
  const std::vector<proto::SmtpServerEvent> with_text = full.server.take_events();
  const std::vector<proto::SmtpServerEvent> without = quiet.server.take_events();
  REQUIRE(with_text.size() == without.size());
  std::size_t replies = 0;
  std::string rewritten;
  for (std::size_t i = 0; i < with_text.size(); ++i) {
    const auto* a = std::get_if<proto::smtp_server_event::ReplySent>(&with_text[i]);
    const auto* b = std::get_if<proto::smtp_server_event::ReplySent>(&without[i]);
    REQUIRE((a == nullptr) == (b == nullptr));
    if (a == nullptr) continue;
    ++replies;
    CHECK(b->reply.code == a->reply.code);
    CHECK(b->reply.enhanced == a->reply.enhanced);
    CHECK(b->reply.lines.empty());
    CHECK_FALSE(a->reply.lines.empty());
    rewritten += a->reply.to_wire();
  }
  CHECK(replies == 9);  // greeting, EHLO, two MAIL, two RCPT, DATA, end of data, QUIT
  // The events with their texts say exactly what went on the wire.
  CHECK(rewritten == out);
}

TEST_CASE("server finds a control character anywhere in a command line", "[smtp][smtp_server]") {
  // The check reads eight octets at a time: every position, in the first word, a later one
  // and the tail, with each kind of octet at the edges of the control ranges.
  const std::string base = "NOOP abcdefghijklmnopqrstu";
  const std::string refused =
      "500 5.5.2 Syntax error: control character (NUL, TAB, bare CR or LF) in command line\r\n";
  SmtpServerConfig config = Fixture::default_config();
  config.max_errors = 0;  // no limit: every refusal leaves the session open
  Fixture f(config);
  f.server.open(Micros{0});
  f.send("EHLO c.example\r\n");
  for (std::size_t at = 5; at < base.size(); ++at) {
    for (const int octet : {0x00, 0x01, 0x09, 0x1F, 0x7F}) {
      std::string line = base;
      line[at] = static_cast<char>(octet);
      INFO("octet " << octet << " at " << at);
      CHECK(f.send(line + "\r\n") == refused);
    }
    for (const int octet : {0x20, 0x21, 0x7E, 0x80, 0xA0, 0xFF}) {
      std::string line = base;
      line[at] = static_cast<char>(octet);
      INFO("octet " << octet << " at " << at);
      CHECK(f.send(line + "\r\n") == "250 2.0.0 OK\r\n");
    }
  }
}

TEST_CASE("server deadline follows activity", "[smtp][smtp_server]") {
  SmtpServerConfig config = Fixture::default_config();
  config.command_timeout = std::chrono::seconds(300);
  Fixture f(config);
  CHECK_FALSE(f.server.next_deadline());  // not open yet
  f.server.open(Micros{1'000'000});
  CHECK(f.server.next_deadline() == Micros{301'000'000});
  f.send("NO", Micros{2'000'000});  // a partial line is activity too
  CHECK(f.server.next_deadline() == Micros{302'000'000});
  f.server.tick(Micros{301'999'999});
  CHECK(f.server.take_output().empty());
  CHECK_FALSE(f.server.wants_close());
  f.server.tick(Micros{302'000'000});
  CHECK(f.server.take_output() == "421 mx.example Error: timeout exceeded\r\n");
  CHECK(f.server.wants_close());
  CHECK_FALSE(f.server.next_deadline());
}

TEST_CASE("server deadline ends with peer_closed and QUIT", "[smtp][smtp_server]") {
  Fixture a;
  a.server.open(Micros{0});
  a.server.peer_closed(Micros{1});
  CHECK_FALSE(a.server.next_deadline());
  CHECK_FALSE(a.server.wants_close());  // the client closed; nothing for the driver to do
  CHECK(a.events() ==
        std::vector<std::string>{"reply 220 mx.example ESMTP mailhop",
                                 "closing reason=\"the client closed the connection\""});
  Fixture b;
  b.server.open(Micros{0});
  b.send("QUIT\r\n");
  CHECK(b.server.wants_close());
  CHECK_FALSE(b.server.next_deadline());
  // Later calls are ignored.
  b.server.tick(Micros{3'600'000'000});
  b.server.peer_closed(Micros{3'600'000'001});
  CHECK(b.send("NOOP\r\n").empty());
}

TEST_CASE("server ignores input before open and a second open", "[smtp][smtp_server]") {
  Fixture f;
  CHECK(f.send("EHLO x.example\r\n").empty());
  CHECK(f.events().empty());
  f.server.open(Micros{0});
  f.server.open(Micros{0});
  CHECK(f.server.take_output() == "220 mx.example ESMTP mailhop\r\n");
  CHECK(f.send("EHLO x.example\r\n") == ehlo_reply("mx.example"));
}

// A policy that answers with odd decisions, to check how the engine turns them into replies.
class OddPolicy : public proto::SmtpServerPolicy {
 public:
  proto::SmtpDecision rcpt;
  proto::SmtpDecision message;
  proto::SmtpDecision on_rcpt_to(const proto::SmtpSessionInfo&, const mail::Envelope&,
                                 const mail::EnvelopeRecipient&) override {
    return rcpt;
  }
  proto::SmtpDecision on_message(const proto::SmtpSessionInfo&, const mail::Envelope&,
                                 std::string_view) override {
    return message;
  }
};

TEST_CASE("server turns policy decisions into valid replies", "[smtp][smtp_server]") {
  OddPolicy policy;
  SmtpServer server(Fixture::default_config(), policy);
  server.open(Micros{0});
  server.receive("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n", Micros{0});
  server.take_output();

  SECTION("a code outside 4xx/5xx becomes 451, a wrong-class enhanced code X.0.0") {
    policy.rcpt = {399, "2.1.5", "odd"};
    server.receive("RCPT TO:<c@d.example>\r\n", Micros{0});
    CHECK(server.take_output() == "451 4.0.0 odd\r\n");
  }
  SECTION("an empty text gets the RFC 5321 text for the code") {
    policy.rcpt = {550, "5.1.1", ""};
    server.receive("RCPT TO:<c@d.example>\r\n", Micros{0});
    CHECK(server.take_output() == "550 5.1.1 Requested action not taken: mailbox unavailable\r\n");
  }
  SECTION("text with LF becomes several lines; control characters are replaced") {
    policy.rcpt = {550, "5.7.1", "first\r\nsecond\x01line"};
    server.receive("RCPT TO:<c@d.example>\r\n", Micros{0});
    CHECK(server.take_output() == "550-5.7.1 first\r\n550 5.7.1 second?line\r\n");
  }
  SECTION("421 from a policy ends the session") {
    policy.rcpt = {421, "4.3.2", "going down"};
    server.receive("RCPT TO:<c@d.example>\r\nNOOP\r\n", Micros{0});
    CHECK(server.take_output() == "421 4.3.2 going down\r\n");
    CHECK(server.wants_close());
  }
  SECTION("an accepted message without text gets 250 2.0.0 OK") {
    policy.message = {250, "", ""};
    server.receive("RCPT TO:<c@d.example>\r\nDATA\r\n.\r\n", Micros{0});
    CHECK(server.take_output() ==
          "250 2.1.5 OK\r\n354 Start mail input; end with <CRLF>.<CRLF>\r\n250 2.0.0 OK\r\n");
  }
}

TEST_CASE("server sanitizes its configured texts", "[smtp][smtp_server]") {
  TestServerPolicy policy;
  SmtpServerConfig config;
  config.hostname = "mx\r\n.example";
  config.greeting_text = "hello\x7F";
  SmtpServer server(config, policy);
  server.open(Micros{0});
  CHECK(server.take_output() == "220 mx??.example hello?\r\n");
}

TEST_CASE("server stays well-formed under random input", "[smtp][smtp_server]") {
  // Deterministic pseudo-random sessions mixing real commands, garbage, NULs, bare LFs,
  // STARTTLS/AUTH and time jumps. Every byte written must form valid reply lines, and the
  // ReplySent events must match the bytes.
  const std::vector<std::string> pieces = {"EHLO c.example\r\n",
                                           "HELO c.example\r\n",
                                           "MAIL FROM:<a@b.example>\r\n",
                                           "MAIL FROM:<> SIZE=10\r\n",
                                           "RCPT TO:<c@d.example>\r\n",
                                           "RCPT TO:<postmaster>\r\n",
                                           "DATA\r\n",
                                           "hello\r\n",
                                           ".\r\n",
                                           "..x\r\n",
                                           "RSET\r\n",
                                           "NOOP\r\n",
                                           "VRFY x\r\n",
                                           "STARTTLS\r\n",
                                           "AUTH PLAIN\r\n",
                                           "AUTH LOGIN\r\n",
                                           "AGp1bGlhAHNlY3JldA==\r\n",
                                           "*\r\n",
                                           "QUIT\r\n",
                                           "\r\n",
                                           "\n",
                                           "\r",
                                           std::string("\0", 1),
                                           "\xFF\xFE",
                                           "garbage",
                                           std::string(700, 'x'),
                                           std::string(1200, '.') + "\r\n"};
  std::mt19937 rng(20240601);
  for (int session = 0; session < 200; ++session) {
    SmtpServerConfig config = Fixture::default_config();
    config.tls = proto::TlsState::kAvailable;
    config.auth = proto::AuthAdvertise::kAlways;
    config.max_message_size = 500;
    config.max_errors = static_cast<std::size_t>(rng() % 30);
    TestServerPolicy policy;
    policy.users["julia"] = "secret";
    ServerTranscriptEngine engine(config, std::make_unique<TestServerPolicy>(policy));
    Micros now{0};
    engine.open(now);
    std::string all_output = engine.take_output();
    std::vector<std::string> problems;
    for (const auto& e : engine.take_events()) {
      if (e.rfind("!!", 0) == 0) problems.push_back(e);
    }
    for (int step = 0; step < 60; ++step) {
      const auto r = rng() % 100;
      if (r < 85) {
        std::string chunk;
        const auto n = 1 + rng() % 4;
        for (std::size_t k = 0; k < n; ++k) chunk += pieces[rng() % pieces.size()];
        engine.receive(chunk, now);
      } else if (r < 92) {
        if (engine.tls_pending()) engine.tls_established(now);
      } else if (r < 98) {
        now += Micros{static_cast<std::int64_t>(rng() % 400) * 1'000'000};
        engine.tick(now);
      } else {
        engine.peer_closed(now);
      }
      all_output += engine.take_output();
      for (const auto& e : engine.take_events()) {
        if (e.rfind("!!", 0) == 0) problems.push_back(e);
      }
    }
    INFO("session " << session);
    CHECK(validate_reply_stream(all_output) == "");
    CHECK(problems.empty());
  }
}

TEST_CASE("server survives huge input without line ends or over the size limit",
          "[smtp][smtp_server]") {
  SmtpServerConfig config = Fixture::default_config();
  config.max_message_size = 1'000'000;
  Fixture f(config);
  f.server.open(Micros{0});
  f.server.take_output();
  // 16 MiB without a CRLF: one over-long line, answered once it ends.
  const std::string junk(64 * 1024, 'x');
  for (int i = 0; i < 256; ++i) CHECK(f.send(junk).empty());
  CHECK(f.send("\r\nEHLO c.example\r\n") ==
        "500 Line too long: at most 512 octets including CRLF (RFC 5321 4.5.3.1.4)\r\n" +
            ehlo_reply("mx.example", "1000000"));
  // A 16 MiB message against a 1 MB limit: counted, not kept, refused after the final ".".
  f.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
  std::string lines;
  for (int i = 0; i < 64; ++i) lines += std::string(998, 'm') + "\r\n";
  for (int i = 0; i < 256; ++i) CHECK(f.send(lines).empty());
  CHECK(f.send(".\r\n") == "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
  const std::vector<std::string> events = f.events();
  CHECK(std::find(events.begin(), events.end(), "data lines=16384 octets=16384000") !=
        events.end());
  CHECK(f.policy.messages.empty());
}

TEST_CASE("server takes a message's lines as RFC 5321 says, however the bytes arrive",
          "[smtp][smtp_server]") {
  // Random messages (dot lines, bare CR and LF, NULs, lines around the 1000-octet limit and past
  // the reader's) sent in random pieces, checked against the rules written out plainly:
  // RFC 5321 4.5.2 (a leading dot removed), 4.5.3.1.6 (1000 octets a line) and RFC 1870 (size
  // counted without the dots).
  const std::vector<std::string> kinds = {"Subject: x",
                                          "",
                                          ".",
                                          "..",
                                          ".leading dot",
                                          "...two",
                                          "bare\rcr",
                                          "bare\nlf",
                                          std::string("nul\0in", 7),
                                          "\r",
                                          std::string(997, 'a'),
                                          std::string(998, 'b'),
                                          "." + std::string(998, 'c'),
                                          std::string(999, 'd'),
                                          std::string(1200, 'e'),
                                          std::string(5000, 'f')};
  std::mt19937 rng(20261124);
  for (int round = 0; round < 300; ++round) {
    SmtpServerConfig config = Fixture::default_config();
    config.max_message_size = rng() % 4 == 0 ? 3000 : 0;
    Fixture f(config);
    f.server.open(Micros{0});
    f.send("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n");
    std::string wire;
    std::string expected;
    std::size_t lines = 0;
    std::size_t octets = 0;
    bool too_long = false;
    const std::size_t count = rng() % 40;
    for (std::size_t i = 0; i < count; ++i) {
      std::string line = kinds[rng() % kinds.size()];
      if (line == ".") line = "..";  // a lone "." would end the message
      wire += line + "\r\n";
      // The line as the server keeps it: at most the reader's 1001 octets (an over-long line
      // is refused anyway, and counted with what was kept), then without a leading dot.
      std::string text = line.substr(0, 1001);
      if (!text.empty() && text.front() == '.') text.erase(0, 1);
      ++lines;
      octets += text.size() + 2;
      if (line.size() + 2 > 1001 || text.size() + 2 > 1000) too_long = true;
      expected += text + "\r\n";
    }
    wire += ".\r\n";
    const bool too_big = config.max_message_size != 0 && octets > config.max_message_size;
    std::string out;
    for (std::size_t at = 0; at < wire.size();) {
      const std::size_t n = std::min<std::size_t>(wire.size() - at, 1 + rng() % 3000);
      out += f.send(std::string_view(wire).substr(at, n));
      at += n;
    }
    INFO("round " << round);
    std::string reply;
    if (too_big) {
      reply = "552 5.3.4";
    } else if (too_long) {
      reply = "554 5.6.0";
    } else {
      reply = "250 2.0.0";
    }
    CHECK(out.rfind("354 ", 0) == std::string::npos);  // DATA's reply was taken before
    CHECK(out.rfind(reply, 0) == 0);
    if (!too_big && !too_long) {
      REQUIRE(f.policy.messages.size() == 1);
      CHECK(f.policy.messages[0] == expected);
    } else {
      CHECK(f.policy.messages.empty());
    }
    const std::vector<std::string> events = f.events();
    const std::string counted =
        "data lines=" + std::to_string(lines) + " octets=" + std::to_string(octets);
    CHECK(std::find(events.begin(), events.end(), counted) != events.end());
  }
}

TEST_CASE("validate_reply_stream catches malformed replies", "[smtp][smtp_server]") {
  CHECK(validate_reply_stream("250 OK\r\n250-a\r\n250 b\r\n") == "");
  CHECK(validate_reply_stream("334 \r\n") == "");
  CHECK(validate_reply_stream("250 OK") == "reply line 1: not terminated by CRLF");
  CHECK(validate_reply_stream("250-a\r\n251 b\r\n") ==
        "reply line 2: code 251 inside a multi-line 250 reply");
  CHECK(validate_reply_stream("250-a\r\n") ==
        "unfinished multi-line reply at the end of the output");
  CHECK(validate_reply_stream("199 x\r\n").rfind("reply line 1: does not start", 0) == 0);
  CHECK(validate_reply_stream("250x\r\n") ==
        "reply line 1: the code is not followed by a space or a hyphen");
  CHECK(validate_reply_stream("550 4.1.1 x\r\n").rfind("reply line 1: enhanced code class", 0) ==
        0);
  CHECK(validate_reply_stream("250 a\x01\r\n").rfind("reply line 1: text with a control", 0) == 0);
  CHECK(validate_reply_stream("250 " + std::string(507, 'a') + "\r\n") ==
        "reply line 1: longer than 512 octets (RFC 5321 4.5.3.1.5)");
}

}  // namespace mailhop::testing
