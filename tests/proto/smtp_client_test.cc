// The SMTP client engine: transcripts from tests/data/smtp/client_*.txt (each fed whole, byte
// by byte and split at every offset) and hand-driven checks of what transcripts cannot show.

#include "sim/proto/smtp_client.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sim/mail/address.h"
#include "sim/mail/base64.h"
#include "tests/support/smtp_client_harness.h"
#include "tests/support/transcript.h"

namespace mailhop {
namespace {

using proto::DeliveryStatus;
using proto::Micros;
using proto::SmtpClient;
using proto::SmtpClientEvent;
namespace ev = proto::smtp_client_event;

// Every client transcript, so that a file is never silently skipped.
const std::vector<std::string>& client_transcripts() {
  static const std::vector<std::string> names = {
      "client_421_mid_session.txt",
      "client_8bit_without_8bitmime.txt",
      "client_8bitmime.txt",
      "client_all_rejected_data_354.txt",
      "client_all_rejected_no_pipelining.txt",
      "client_all_rejected_pipelined.txt",
      "client_auth_454.txt",
      "client_auth_535.txt",
      "client_auth_login.txt",
      "client_auth_no_mechanism.txt",
      "client_auth_not_offered.txt",
      "client_auth_plain.txt",
      "client_data_451.txt",
      "client_data_552.txt",
      "client_data_rejected.txt",
      "client_drop_before_354.txt",
      "client_drop_in_reply.txt",
      "client_drop_mid_data.txt",
      "client_dsn.txt",
      "client_dsn_not_offered.txt",
      "client_greeting_421.txt",
      "client_greeting_554.txt",
      "client_helo_fallback.txt",
      "client_helo_only.txt",
      "client_mail_rejected.txt",
      "client_mail_rejected_no_pipelining.txt",
      "client_malformed_3xx.txt",
      "client_malformed_after_data.txt",
      "client_malformed_bare_lf.txt",
      "client_malformed_garbage.txt",
      "client_malformed_multiline.txt",
      "client_mixed_recipients.txt",
      "client_mixed_recipients_no_pipelining.txt",
      "client_no_pipelining.txt",
      "client_pipelining.txt",
      "client_rcpt_552.txt",
      "client_rset_refused.txt",
      "client_size_exceeded.txt",
      "client_starttls.txt",
      "client_starttls_injection.txt",
      "client_starttls_refused.txt",
      "client_starttls_required_missing.txt",
      "client_starttls_required_refused.txt",
      "client_timeout_data.txt",
      "client_timeout_data_init.txt",
      "client_timeout_greeting.txt",
      "client_too_many_recipients.txt",
  };
  return names;
}

// Drives a client by hand: feeds server text, returns what the client wrote.
struct Driver {
  SmtpClient client;
  Micros now{0};
  std::vector<SmtpClientEvent> events;

  Driver(proto::SmtpClientOptions options, std::vector<proto::SmtpTransaction> txns)
      : client(std::move(options), std::move(txns)) {}

  std::string open() {
    client.open(now);
    return take();
  }
  std::string say(std::string_view server_text) {
    client.receive(server_text, now);
    return take();
  }
  std::string take() {
    for (auto& e : client.take_events()) events.push_back(std::move(e));
    return client.take_output();
  }
  template <typename T>
  std::size_t count() const {
    std::size_t n = 0;
    for (const auto& e : events) n += std::holds_alternative<T>(e) ? 1U : 0U;
    return n;
  }
};

proto::SmtpTransaction txn(std::vector<std::string> to, std::string content = "Hi\r\n") {
  proto::SmtpTransaction t;
  t.envelope.mail_from = mail::parse_mailbox("alice@a.example");
  for (const auto& r : to) {
    t.envelope.rcpt_to.push_back({*mail::parse_mailbox(r), std::nullopt, std::nullopt});
  }
  t.content = std::move(content);
  return t;
}

proto::SmtpClientOptions plain_options() {
  proto::SmtpClientOptions o;
  o.tls = proto::ClientTls::kNever;
  return o;
}

}  // namespace

TEST_CASE("every client transcript file is listed", "[smtp][client]") {
  std::vector<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(testing::test_data_path("smtp"))) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("client_") && name.ends_with(".txt")) on_disk.push_back(name);
  }
  std::sort(on_disk.begin(), on_disk.end());
  std::vector<std::string> listed = client_transcripts();
  std::sort(listed.begin(), listed.end());
  CHECK(on_disk == listed);
}

TEST_CASE("client transcripts", "[smtp][client][transcript]") {
  const std::string name = GENERATE(from_range(client_transcripts()));
  INFO(name);
  const std::string failure = testing::check_transcript_file(
      testing::test_data_path("smtp/" + name), testing::Side::kClient, testing::make_client_engine);
  CHECK(failure.empty());
  if (!failure.empty()) FAIL_CHECK(failure);
}

TEST_CASE("the transcript driver reports a wrong expectation", "[smtp][client][transcript]") {
  // The machinery itself: a transcript expecting the wrong outcome must fail, in every mode.
  const char* text =
      "! client tls=never\n"
      "! message from=alice@a.example\n"
      "! rcpt to=bob@b.example\n"
      "! line text=Hi\n"
      "S: 220 mx ESMTP\n"
      "C: EHLO client.example\n"
      "S: 250 mx\n"
      "C: MAIL FROM:<alice@a.example>\n"
      "S: 550 no\n"
      "C: QUIT\n"
      "E: outcome 0 bob@b.example deferred 4.0.0: 550 no (in reply to MAIL FROM)\n"
      "E: transaction 0 done\n";
  const auto parsed = testing::parse_transcript(text, "wrong.txt");
  REQUIRE(parsed.transcript);
  const std::string failure = testing::check_transcript(*parsed.transcript, testing::Side::kClient,
                                                        testing::make_client_engine);
  CHECK(failure.find("actual events:") != std::string::npos);
  CHECK(failure.find("failed 5.0.0: 550 no (in reply to MAIL FROM)") != std::string::npos);
}

TEST_CASE("base64 follows RFC 4648", "[smtp][client][base64]") {
  // RFC 4648 section 10 test vectors.
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CHECK(mail::base64_encode(plain) == encoded);
    CHECK(mail::base64_decode(encoded) == std::optional<std::string>(plain));
  }
  // All 256 octet values survive a round trip.
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  CHECK(mail::base64_decode(mail::base64_encode(all)) == std::optional<std::string>(all));
  // Strict decoding.
  CHECK_FALSE(mail::base64_decode("Zg="));       // length not a multiple of 4
  CHECK_FALSE(mail::base64_decode("Z==="));      // too much padding
  CHECK_FALSE(mail::base64_decode("Zg==Zg=="));  // padding in the middle
  CHECK_FALSE(mail::base64_decode("Zm 9v"));     // whitespace
  CHECK_FALSE(mail::base64_decode("Zm9*"));      // not in the alphabet
  CHECK_FALSE(mail::base64_decode("Zh=="));      // non-zero padding bits (RFC 4648 3.5)
  // Each octet outside the alphabet is refused in every place; each inside it decodes.
  const std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int octet = 0; octet < 256; ++octet) {
    const char c = static_cast<char>(octet);
    const bool valid = alphabet.find(c) != std::string_view::npos;
    for (std::size_t at = 0; at < 4; ++at) {
      std::string text = "AAAA";
      text[at] = c;
      INFO("octet " << octet << " at " << at);
      if (c == '=') continue;  // padding, checked above
      CHECK(mail::base64_decode(text).has_value() == valid);
      if (valid) CHECK(mail::base64_encode(*mail::base64_decode(text)) == text);
    }
  }
}

TEST_CASE("canonical content and dot-stuffing", "[smtp][client]") {
  using proto::smtp_canonical_content;
  using proto::smtp_dot_stuff;
  CHECK(smtp_canonical_content("") == "");
  CHECK(smtp_canonical_content("a") == "a\r\n");
  CHECK(smtp_canonical_content("a\r\n") == "a\r\n");
  CHECK(smtp_canonical_content("a\nb\rc\r\n\n") == "a\r\nb\r\nc\r\n\r\n");
  CHECK(smtp_canonical_content("a\r") == "a\r\n");
  // RFC 5321 4.5.2: a leading "." is doubled; the end is CRLF "." CRLF.
  CHECK(smtp_dot_stuff("") == ".\r\n");
  CHECK(smtp_dot_stuff("a\r\n") == "a\r\n.\r\n");
  CHECK(smtp_dot_stuff(".\r\n") == "..\r\n.\r\n");
  CHECK(smtp_dot_stuff("x\r\n.y\r\n..\r\nz.\r\n") == "x\r\n..y\r\n...\r\nz.\r\n.\r\n");
  CHECK(smtp_dot_stuff(" .\r\n") == " .\r\n.\r\n");
}

TEST_CASE("EHLO keywords are case-insensitive and forgotten after STARTTLS", "[smtp][client]") {
  proto::SmtpClientOptions o;
  o.tls = proto::ClientTls::kOpportunistic;
  Driver d(o, {txn({"bob@b.example"})});
  CHECK(d.open().empty());
  CHECK(d.say("220 mx ESMTP\r\n") == "EHLO client.example\r\n");
  CHECK(d.say("250-mx\r\n250-pipelining\r\n250-Size 5000\r\n250-AUTH LOGIN\r\n"
              "250-auth=PLAIN login\r\n250-x-weird param\r\n250-=bad\r\n250 starttls\r\n") ==
        "STARTTLS\r\n");
  CHECK(d.client.server_extensions() ==
        std::vector<std::string>{"PIPELINING", "SIZE", "AUTH", "X-WEIRD", "STARTTLS"});
  const auto& caps = d.client.server_capabilities();
  REQUIRE(caps.size() == 5);
  CHECK(caps[1].params == std::vector<std::string>{"5000"});
  // "AUTH LOGIN" and "AUTH=PLAIN login" merge; a mechanism already listed is not repeated.
  CHECK(caps[2].params == std::vector<std::string>{"LOGIN", "PLAIN"});
  CHECK(d.say("220 go ahead\r\n").empty());
  CHECK(d.count<ev::StartTls>() == 1);
  d.client.tls_established(d.now);
  CHECK(d.take() == "EHLO client.example\r\n");
  CHECK(d.client.server_extensions().empty());  // RFC 3207 4.2
  CHECK(d.client.tls_active());
  // Inside TLS: no PIPELINING any more, so MAIL goes alone; STARTTLS is not used again.
  CHECK(d.say("250-mx\r\n250 STARTTLS\r\n") == "MAIL FROM:<alice@a.example>\r\n");
}

TEST_CASE("enhanced status codes are parsed only when advertised", "[smtp][client]") {
  for (const bool advertised : {true, false}) {
    Driver d(plain_options(), {txn({"bob@b.example"})});
    d.open();
    d.say("220 mx ESMTP\r\n");
    d.say(advertised ? "250-mx\r\n250 ENHANCEDSTATUSCODES\r\n" : "250 mx\r\n");
    d.say("550 5.1.1 User unknown\r\n");
    const auto& o = d.client.outcomes().at(0).recipients.at(0);
    REQUIRE(o.reply);
    CHECK(o.status == DeliveryStatus::kFailed);
    if (advertised) {
      CHECK(o.reply->enhanced == "5.1.1");
      CHECK(o.reply->lines == std::vector<std::string>{"User unknown"});
      CHECK(o.status_code == "5.1.1");
    } else {
      CHECK(o.reply->enhanced.empty());
      CHECK(o.reply->lines == std::vector<std::string>{"5.1.1 User unknown"});
      CHECK(o.status_code == "5.0.0");
    }
  }
}

TEST_CASE("the lines of a reply seen before are read as if new", "[smtp][client]") {
  // The engine remembers the lines after the first of multi-line replies and takes them at once
  // when they come again: what it reads must not depend on that.
  const std::string tail = "250-PIPELINING\r\n250-SIZE 5000\r\n250 8BITMIME\r\n";
  const auto ehlo = [&](const std::string& first_lines, std::size_t split) {
    auto d = std::make_unique<Driver>(plain_options(), std::vector{txn({"bob@b.example"})});
    d->open();
    d->say("220 mx ESMTP\r\n");
    const std::string reply = first_lines + tail;
    std::string out = d->say(reply.substr(0, split));
    out += d->say(reply.substr(split));
    return std::make_pair(std::move(d), out);
  };
  const std::vector<std::string> extensions = {"PIPELINING", "SIZE", "8BITMIME"};
  std::string expected;                      // what the client sends after the first reading
  for (int round = 0; round < 2; ++round) {  // (the second round reads lines known already)
    for (const std::string first : {"250-mx.example\r\n", "250-other.example greets you\r\n"}) {
      for (const std::size_t split : {first.size() + tail.size(), first.size(), first.size() + 5}) {
        auto [d, out] = ehlo(first, split);
        CHECK(d->client.server_extensions() == extensions);
        if (expected.empty()) expected = out;
        CHECK(out == expected);
        CHECK(out.starts_with("MAIL FROM:<alice@a.example> SIZE=4"));
        CHECK(d->count<ev::ProtocolError>() == 0);
      }
      // A first line of another code: the known lines are a code change, an error.
      auto [d, out] = ehlo("550-" + first.substr(4), first.size() + tail.size());
      CHECK(out == "QUIT\r\n");
      CHECK(d->count<ev::ProtocolError>() == 1);
    }
  }
  // The same octets read with and without ENHANCEDSTATUSCODES are different lines.
  for (int round = 0; round < 2; ++round) {
    for (const bool advertised : {true, false}) {
      Driver d(plain_options(), {txn({"bob@b.example"})});
      d.open();
      d.say("220 mx ESMTP\r\n");
      d.say(advertised ? "250-mx\r\n250 ENHANCEDSTATUSCODES\r\n" : "250 mx\r\n");
      d.say("550-5.1.1 User unknown\r\n550-5.1.1 here\r\n550 5.1.1 or there\r\n");
      const auto& o = d.client.outcomes().at(0).recipients.at(0);
      REQUIRE(o.reply);
      if (advertised) {
        CHECK(o.reply->lines == std::vector<std::string>{"User unknown", "here", "or there"});
      } else {
        CHECK(o.reply->lines ==
              std::vector<std::string>{"5.1.1 User unknown", "5.1.1 here", "5.1.1 or there"});
      }
    }
  }
}

TEST_CASE("events report every command and the data as sent", "[smtp][client]") {
  const std::string content = "Subject: x\r\n\r\n.dot\r\n";
  Driver d(plain_options(), {txn({"bob@b.example", "carol@b.example"}, content)});
  d.open();
  d.say("220 mx ESMTP\r\n");
  CHECK(d.say("250-mx\r\n250 PIPELINING\r\n") ==
        "MAIL FROM:<alice@a.example>\r\nRCPT TO:<bob@b.example>\r\n"
        "RCPT TO:<carol@b.example>\r\nDATA\r\n");
  CHECK(d.say("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n") == "Subject: x\r\n\r\n..dot\r\n.\r\n");
  d.say("250 queued\r\n");
  CHECK(d.say("221 bye\r\n").empty());
  CHECK(d.client.finished());
  std::vector<std::string> commands;
  std::size_t data_octets = 0;
  std::vector<int> replies;
  for (const auto& e : d.events) {
    if (const auto* c = std::get_if<ev::CommandSent>(&e)) commands.push_back(c->line);
    if (const auto* s = std::get_if<ev::DataSent>(&e)) data_octets += s->octets;
    if (const auto* r = std::get_if<ev::ReplyReceived>(&e)) replies.push_back(r->reply.code);
  }
  CHECK(commands == std::vector<std::string>{"EHLO client.example", "MAIL FROM:<alice@a.example>",
                                             "RCPT TO:<bob@b.example>", "RCPT TO:<carol@b.example>",
                                             "DATA", "QUIT"});
  CHECK(data_octets == proto::smtp_dot_stuff(content).size());
  CHECK(replies == std::vector<int>{220, 250, 250, 250, 250, 354, 250, 221});
  CHECK(d.count<ev::TransactionDone>() == 1);
  CHECK(std::holds_alternative<ev::Finished>(d.events.back()));
  // Nothing happens after the end.
  d.client.receive("250 more\r\n", d.now);
  d.client.peer_closed(d.now);
  d.client.tick(d.now + std::chrono::hours(1));
  CHECK(d.take().empty());
  CHECK(d.client.take_events().empty());
  CHECK(d.client.next_deadline() == std::nullopt);
}

TEST_CASE("a client told not to report its commands sends the same", "[smtp][client]") {
  const std::string content = "Subject: x\r\n\r\n.dot\r\n";
  proto::SmtpClientOptions quiet_options = plain_options();
  quiet_options.report_commands = false;
  Driver full(plain_options(), {txn({"bob@b.example"}, content)});
  Driver quiet(quiet_options, {txn({"bob@b.example"}, content)});
  for (Driver* d : {&full, &quiet}) d->open();
  for (const char* reply : {"220 mx ESMTP\r\n", "250-mx\r\n250 PIPELINING\r\n",
                            "250 ok\r\n250 ok\r\n354 go\r\n", "250 queued\r\n", "221 bye\r\n"}) {
    CHECK(quiet.say(reply) == full.say(reply));
  }
  CHECK(quiet.client.finished());
  CHECK(full.count<ev::CommandSent>() == 5);
  CHECK(quiet.count<ev::CommandSent>() == 0);
  CHECK(quiet.events.size() == full.events.size() - 5);
  CHECK(quiet.count<ev::TransactionDone>() == 1);
}

TEST_CASE("a client told not to report its replies acts the same", "[smtp][client]") {
  // Multi-line replies, a rejected recipient and a second transaction: the replies are read
  // in the parser's reused buffers, so a shorter reply after a longer one must not keep lines.
  proto::SmtpClientOptions quiet_options = plain_options();
  quiet_options.report_replies = false;
  const std::vector<proto::SmtpTransaction> txns = {txn({"bob@b.example", "eve@b.example"}),
                                                    txn({"carol@b.example"})};
  Driver full(plain_options(), txns);
  Driver quiet(quiet_options, txns);
  for (Driver* d : {&full, &quiet}) d->open();
  for (const char* reply :
       {"220-mx ESMTP\r\n220 welcome\r\n",
        "250-mx\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n",
        "250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 no such user\r\n354 go\r\n",
        "250 2.0.0 queued as A\r\n", "250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go\r\n",
        "451-4.3.0 try\r\n451 4.3.0 later\r\n", "221 2.0.0 bye\r\n"}) {
    CHECK(quiet.say(reply) == full.say(reply));
  }
  CHECK(quiet.client.finished());
  CHECK(full.count<ev::ReplyReceived>() == 12);
  CHECK(quiet.count<ev::ReplyReceived>() == 0);
  CHECK(quiet.events.size() == full.events.size() - 12);
  REQUIRE(quiet.client.outcomes().size() == 2);
  for (std::size_t t = 0; t < 2; ++t) {
    const auto& a = full.client.outcomes()[t].recipients;
    const auto& b = quiet.client.outcomes()[t].recipients;
    REQUIRE(a.size() == b.size());
    for (std::size_t r = 0; r < a.size(); ++r) {
      CHECK(b[r].recipient.str() == a[r].recipient.str());
      CHECK(b[r].status == a[r].status);
      CHECK(b[r].reply == a[r].reply);
      CHECK(b[r].diagnostic == a[r].diagnostic);
      CHECK(b[r].status_code == a[r].status_code);
    }
  }
  REQUIRE(quiet.client.outcomes()[1].recipients.size() == 1);
  const std::optional<proto::SmtpReply>& last = quiet.client.outcomes()[1].recipients[0].reply;
  REQUIRE(last.has_value());
  CHECK(last->lines == std::vector<std::string>{"try", "later"});
  CHECK(last->enhanced == "4.3.0");
  CHECK(quiet.client.outcomes()[0].recipients[1].diagnostic ==
        "550 5.1.1 no such user (in reply to RCPT TO)");
}

TEST_CASE("deadlines follow RFC 5321 4.5.3.2", "[smtp][client]") {
  using std::chrono::minutes;
  proto::SmtpClientOptions o;
  o.tls = proto::ClientTls::kOpportunistic;
  Driver d(o, {txn({"bob@b.example"})});
  CHECK(d.client.next_deadline() == std::nullopt);  // not open yet
  d.open();
  CHECK(d.client.next_deadline() == Micros(minutes(5)));
  d.now = Micros(std::chrono::seconds(10));
  d.say("220 mx\r\n");
  CHECK(d.client.next_deadline() == d.now + o.command_timeout);  // EHLO
  d.say("250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
  d.now += minutes(1);
  d.say("220 go\r\n");
  // Waiting for the driver's TLS handshake.
  CHECK(d.client.next_deadline() == d.now + o.command_timeout);
  d.client.tls_established(d.now);
  d.take();
  d.say("250-mx\r\n250 PIPELINING\r\n");  // MAIL, RCPT, DATA sent together
  CHECK(d.client.next_deadline() == d.now + o.mail_timeout);
  d.now += minutes(1);
  d.say("250 ok\r\n");
  CHECK(d.client.next_deadline() == d.now + o.rcpt_timeout);
  d.now += minutes(1);
  d.say("250 ok\r\n");
  CHECK(d.client.next_deadline() == d.now + o.data_init_timeout);
  d.say("354 go\r\n");
  CHECK(d.client.next_deadline() == d.now + o.data_term_timeout);
  // An early tick changes nothing.
  d.client.tick(d.now + minutes(9));
  CHECK(d.take().empty());
  CHECK(d.client.take_events().empty());
  CHECK_FALSE(d.client.finished());
}

TEST_CASE("a TLS handshake that never completes times out", "[smtp][client]") {
  proto::SmtpClientOptions o;
  o.tls = proto::ClientTls::kRequired;
  Driver d(o, {txn({"bob@b.example"})});
  d.open();
  d.say("220 mx\r\n");
  CHECK(d.say("250-mx\r\n250 STARTTLS\r\n") == "STARTTLS\r\n");
  d.say("220 go\r\n");
  d.client.tick(d.now + o.command_timeout);
  d.take();
  CHECK(d.client.finished());
  REQUIRE(d.count<ev::TimedOut>() == 1);
  const auto& out = d.client.outcomes()[0].recipients[0];
  CHECK(out.status == DeliveryStatus::kDeferred);
  CHECK(out.diagnostic ==
        "timeout waiting for the TLS handshake (5 minutes, RFC 5321 section 4.5.3.2)");
  // A late tls_established is ignored.
  d.client.tls_established(d.now);
  CHECK(d.take().empty());
}

TEST_CASE("TLS required but the client cannot do TLS", "[smtp][client]") {
  proto::SmtpClientOptions o;
  o.tls = proto::ClientTls::kRequired;
  o.tls_capable = false;
  Driver d(o, {txn({"bob@b.example"})});
  d.open();
  d.say("220 mx\r\n");
  CHECK(d.say("250-mx\r\n250 STARTTLS\r\n") == "QUIT\r\n");
  const auto& out = d.client.outcomes()[0].recipients[0];
  CHECK(out.status == DeliveryStatus::kDeferred);
  CHECK(out.status_code == "4.7.4");
  CHECK(out.diagnostic == "STARTTLS required, but this client cannot run TLS");
}

TEST_CASE("opportunistic TLS without the driver's TLS stays in plaintext", "[smtp][client]") {
  proto::SmtpClientOptions o;
  o.tls = proto::ClientTls::kOpportunistic;
  o.tls_capable = false;
  Driver d(o, {txn({"bob@b.example"})});
  d.open();
  d.say("220 mx\r\n");
  CHECK(d.say("250-mx\r\n250 STARTTLS\r\n") == "MAIL FROM:<alice@a.example>\r\n");
  CHECK_FALSE(d.client.tls_active());
}

TEST_CASE("a transaction without recipients sends nothing", "[smtp][client]") {
  Driver d(plain_options(), {txn({}), txn({"bob@b.example"})});
  d.open();
  d.say("220 mx\r\n");
  CHECK(d.say("250 mx\r\n") == "MAIL FROM:<alice@a.example>\r\n");
  REQUIRE(d.count<ev::TransactionDone>() == 1);
  // Transaction 0 was done before anything was sent for transaction 1.
  const auto done = std::find_if(d.events.begin(), d.events.end(), [](const auto& e) {
    return std::holds_alternative<ev::TransactionDone>(e);
  });
  CHECK(std::get<ev::TransactionDone>(*done).index == 0);
  CHECK(std::holds_alternative<ev::CommandSent>(*(done + 1)));
  CHECK(d.client.outcomes()[0].recipients.empty());
}

TEST_CASE("driver calls out of order are harmless", "[smtp][client]") {
  Driver d(plain_options(), {txn({"bob@b.example"})});
  d.client.receive("220 mx\r\n", d.now);  // before open: ignored
  d.client.tls_established(d.now);        // never asked for
  d.client.tick(d.now + std::chrono::hours(2));
  CHECK(d.take().empty());
  CHECK(d.events.empty());
  d.open();
  d.client.tls_established(d.now);
  CHECK(d.take().empty());
  CHECK(d.say("220 mx\r\n") == "EHLO client.example\r\n");
}

TEST_CASE("an endless reply line is a protocol error", "[smtp][client]") {
  Driver d(plain_options(), {txn({"bob@b.example"})});
  d.open();
  d.say("220 ");
  CHECK_FALSE(d.client.finished());
  CHECK(d.say(std::string(20000, 'x')) == "QUIT\r\n");
  CHECK(d.client.finished());
  REQUIRE(d.count<ev::ProtocolError>() == 1);
  CHECK(d.client.outcomes()[0].recipients[0].status_code == "4.5.0");
}

TEST_CASE("a reply of just the code is a reply", "[smtp][client]") {
  Driver d(plain_options(), {txn({"bob@b.example"})});
  d.open();
  CHECK(d.say("220\r\n") == "EHLO client.example\r\n");
  CHECK(d.say("250\r\n") == "MAIL FROM:<alice@a.example>\r\n");
}

TEST_CASE("QUIT is answered or the server hangs up: either ends the session", "[smtp][client]") {
  for (const bool hang_up : {false, true}) {
    Driver d(plain_options(), {txn({"bob@b.example"})});
    d.open();
    d.say("220 mx\r\n");
    d.say("250 mx\r\n");
    d.say("250 ok\r\n");
    d.say("250 ok\r\n");
    d.say("354 go\r\n");
    CHECK(d.say("250 queued\r\n") == "QUIT\r\n");
    if (hang_up) {
      d.client.peer_closed(d.now);
    } else {
      d.say("221 bye\r\n");
    }
    d.take();
    CHECK(d.client.finished());
    CHECK(d.client.outcomes()[0].recipients[0].status == DeliveryStatus::kDelivered);
  }
}

TEST_CASE("a lying server never crashes the client", "[smtp][client][robustness]") {
  // Deterministic noise built from pieces of real replies, fed in random chunks: whatever
  // happens, the session ends properly or keeps waiting, and every outcome is consistent.
  const std::vector<std::string> pieces = {
      "220 mx\r\n",
      "250-mx\r\n",
      "250 PIPELINING\r\n",
      "250-STARTTLS\r\n",
      "250 AUTH PLAIN\r\n",
      "334 \r\n",
      "354 go\r\n",
      "235 ok\r\n",
      "421 bye\r\n",
      "550 no\r\n",
      "451 later\r\n",
      "250 ok\r\n",
      "221 bye\r\n",
      "\r\n",
      "\n",
      "\r",
      "999 x\r\n",
      "25",
      "0-",
      "\x00\xff",
      "250-a\r\n251 b\r\n",
      "220 ready\r\n",
  };
  std::mt19937 rng(20240611);
  for (int run = 0; run < 300; ++run) {
    proto::SmtpClientOptions o;
    o.tls = static_cast<proto::ClientTls>(rng() % 4);
    o.use_pipelining = rng() % 2 == 0;
    if (rng() % 2 == 0) o.credentials = proto::SmtpCredentials{"u", "p"};
    SmtpClient c(o, {txn({"a@b.example", "c@d.example"}), txn({"e@f.example"})});
    Micros now{0};
    c.open(now);
    for (int step = 0; step < 40 && !c.finished(); ++step) {
      const std::string& piece = pieces[rng() % pieces.size()];
      const std::size_t cut = rng() % (piece.size() + 1);
      c.receive(std::string_view(piece).substr(0, cut), now);
      c.receive(std::string_view(piece).substr(cut), now);
      if (rng() % 8 == 0) c.tls_established(now);
      c.take_output();
      c.take_events();
    }
    c.peer_closed(now);
    const auto events = c.take_events();
    INFO("run " << run);
    REQUIRE(c.finished());
    CHECK(testing::check_outcomes(c.outcomes()).empty());
  }
}

}  // namespace mailhop
