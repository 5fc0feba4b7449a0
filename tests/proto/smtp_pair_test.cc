// The SMTP client engine against the real server engine, in memory: a small pump moves bytes
// both ways and simulates TLS by calling tls_established on both sides once both asked for it.
// Checks that the server receives exactly the client's message (dot-stuffing round trip), that
// the envelope arrives intact, and that each recipient's outcome is the policy's decision.

#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

#include "sim/mail/address.h"
#include "sim/proto/smtp_client.h"
#include "sim/proto/smtp_server.h"
#include "tests/support/smtp_server_harness.h"
#include "tests/support/transcript.h"

namespace mailhop {
namespace {

using proto::DeliveryStatus;
using proto::Micros;
namespace cev = proto::smtp_client_event;
namespace sev = proto::smtp_server_event;

struct PairResult {
  std::vector<proto::TransactionOutcome> outcomes;
  std::vector<sev::MessageAccepted> accepted;
  std::vector<proto::SmtpClientEvent> client_events;
  std::vector<proto::SmtpServerEvent> server_events;
  std::string wire;  // the conversation as transcript lines, for failure messages
  bool client_finished = false;
  bool tls = false;  // a TLS handshake took place
};

// Runs the session to its end: the server speaks first; bytes go back and forth until both
// are quiet; then whoever wants the connection closed closes it and the other is told.
PairResult run_pair(proto::SmtpClient& client, proto::SmtpServer& server) {
  PairResult result;
  Micros now{0};
  bool client_wants_tls = false;
  bool server_wants_tls = false;
  bool closed = false;
  auto drain_server = [&] {
    for (auto& e : server.take_events()) {
      if (std::holds_alternative<sev::StartTls>(e)) server_wants_tls = true;
      if (const auto* m = std::get_if<sev::MessageAccepted>(&e)) result.accepted.push_back(*m);
      result.server_events.push_back(std::move(e));
    }
  };
  auto drain_client = [&] {
    for (auto& e : client.take_events()) {
      if (std::holds_alternative<cev::StartTls>(e)) client_wants_tls = true;
      result.client_events.push_back(std::move(e));
    }
  };
  server.open(now);
  client.open(now);
  for (int round = 0; round < 10000; ++round) {
    now += std::chrono::milliseconds(10);
    bool progress = false;
    drain_server();
    const std::string to_client = server.take_output();
    if (!to_client.empty() && !closed) {
      result.wire += testing::render_wire(testing::Side::kServer, to_client);
      client.receive(to_client, now);
      progress = true;
    }
    drain_client();
    const std::string to_server = client.take_output();
    if (!to_server.empty() && !closed) {
      result.wire += testing::render_wire(testing::Side::kClient, to_server);
      server.receive(to_server, now);
      progress = true;
    }
    drain_server();
    if (client_wants_tls && server_wants_tls) {
      result.wire += "= tls\n";
      client_wants_tls = server_wants_tls = false;
      result.tls = true;
      server.tls_established(now);
      client.tls_established(now);
      progress = true;
    }
    if (progress) continue;
    if (!closed && client.finished()) {
      result.wire += "C! close\n";
      closed = true;
      server.peer_closed(now);
      continue;
    }
    if (!closed && server.wants_close()) {
      result.wire += "S! close\n";
      closed = true;
      client.peer_closed(now);
      continue;
    }
    break;
  }
  drain_client();
  drain_server();
  result.client_finished = client.finished();
  result.outcomes = client.outcomes();
  return result;
}

mail::Mailbox mbox(const std::string& text) {
  auto m = mail::parse_mailbox(text);
  REQUIRE(m);
  return *m;
}

proto::SmtpTransaction message(const std::string& from, const std::vector<std::string>& to,
                               std::string content) {
  proto::SmtpTransaction t;
  if (from != "<>") t.envelope.mail_from = mbox(from);
  for (const auto& r : to) t.envelope.rcpt_to.push_back({mbox(r), std::nullopt, std::nullopt});
  t.content = std::move(content);
  return t;
}

// A policy for b.example with mailboxes bob, carol and dave, where dave's mailbox is full.
std::unique_ptr<testing::TestServerPolicy> mx_policy() {
  auto p = std::make_unique<testing::TestServerPolicy>();
  p->local_domains = {"b.example"};
  p->mailboxes = {"bob", "carol", "dave"};
  p->full_mailboxes = {"dave"};
  p->relay = "deny";
  return p;
}

// A message whose lines start with dots, to check dot-stuffing both ways.
const std::string kDottyMessage =
    "Subject: dots\r\n"
    "\r\n"
    ".\r\n"
    "..\r\n"
    ".leading dot\r\n"
    "trailing dot.\r\n"
    "..two\r\n"
    " .\r\n"
    "last line\r\n";

std::string status_name(DeliveryStatus s) {
  switch (s) {
    case DeliveryStatus::kDelivered:
      return "delivered";
    case DeliveryStatus::kDeferred:
      return "deferred";
    case DeliveryStatus::kFailed:
      return "failed";
  }
  return "?";
}

// "bob@b.example delivered 2.0.0" for each recipient of transaction t.
std::vector<std::string> summary(const PairResult& r, std::size_t t) {
  std::vector<std::string> out;
  for (const auto& o : r.outcomes.at(t).recipients) {
    out.push_back(o.recipient.str() + " " + status_name(o.status) + " " + o.status_code);
  }
  return out;
}

}  // namespace

TEST_CASE("pair: plain MX session, pipelining on and off give the same result",
          "[smtp][client][pair]") {
  const bool pipelining = GENERATE(true, false);
  auto policy = mx_policy();
  proto::SmtpServerConfig config;
  config.hostname = "mx.b.example";
  proto::SmtpServer server(config, *policy);
  proto::SmtpClientOptions options;
  options.tls = proto::ClientTls::kNever;
  options.use_pipelining = pipelining;
  proto::SmtpClient client(
      options, {message("alice@a.example",
                        {"bob@b.example", "nobody@b.example", "dave@b.example", "carol@b.example"},
                        kDottyMessage)});
  const PairResult r = run_pair(client, server);
  INFO("pipelining " << pipelining << "\n" << r.wire);
  REQUIRE(r.client_finished);
  CHECK_FALSE(r.tls);
  CHECK(summary(r, 0) == std::vector<std::string>{
                             "bob@b.example delivered 2.0.0",
                             "nobody@b.example failed 5.1.1",
                             "dave@b.example deferred 4.2.2",
                             "carol@b.example delivered 2.0.0",
                         });
  REQUIRE(r.accepted.size() == 1);
  // Byte for byte what the client was given: dot-stuffed on the way, unstuffed on arrival.
  CHECK(r.accepted[0].content == kDottyMessage);
  CHECK(r.accepted[0].envelope.mail_from == mbox("alice@a.example"));
  REQUIRE(r.accepted[0].envelope.rcpt_to.size() == 2);
  CHECK(r.accepted[0].envelope.rcpt_to[0].mailbox == mbox("bob@b.example"));
  CHECK(r.accepted[0].envelope.rcpt_to[1].mailbox == mbox("carol@b.example"));
  // The wire shows the stuffing.
  CHECK(r.wire.find("C: ..leading dot\n") != std::string::npos);
  CHECK(r.wire.find("C: ...two\n") != std::string::npos);
  CHECK(r.wire.find("C:  .\n") != std::string::npos);
  // The policy saw exactly the four RCPTs and one message.
  CHECK(policy->rcpts.size() == 4);
  CHECK(policy->messages == std::vector<std::string>{kDottyMessage});
  // With PIPELINING, MAIL, the RCPTs and DATA went in one group.
  const bool grouped = r.wire.find("C: MAIL FROM:<alice@a.example> SIZE=") != std::string::npos &&
                       r.wire.find("C: RCPT TO:<carol@b.example>\nC: DATA\n") != std::string::npos;
  CHECK(grouped == pipelining);
}

TEST_CASE("pair: messages that need canonical line ends arrive in canonical form",
          "[smtp][client][pair]") {
  auto policy = mx_policy();
  proto::SmtpServer server(proto::SmtpServerConfig{}, *policy);
  proto::SmtpClientOptions options;
  options.tls = proto::ClientTls::kNever;
  // No final CRLF, a bare LF and a bare CR: RFC 5321 2.3.8 lets only CRLF end a line.
  const std::string raw = "Subject: x\r\n\r\nline one\nline two\r.three\r\n.";
  proto::SmtpClient client(options, {message("alice@a.example", {"bob@b.example"}, raw)});
  const PairResult r = run_pair(client, server);
  INFO(r.wire);
  REQUIRE(r.accepted.size() == 1);
  CHECK(r.accepted[0].content == "Subject: x\r\n\r\nline one\r\nline two\r\n.three\r\n.\r\n");
  CHECK(r.accepted[0].content == proto::smtp_canonical_content(raw));
  CHECK(summary(r, 0) == std::vector<std::string>{"bob@b.example delivered 2.0.0"});
}

TEST_CASE("pair: submission with STARTTLS and AUTH", "[smtp][client][pair]") {
  auto policy = std::make_unique<testing::TestServerPolicy>();
  policy->local_domains = {"a.example"};
  policy->mailboxes = {"alice"};
  policy->users = {{"alice", "wonderland"}};
  policy->relay = "auth";
  proto::SmtpServerConfig config;
  config.hostname = "smtp.a.example";
  config.tls = proto::TlsState::kAvailable;
  config.auth = proto::AuthAdvertise::kAfterTls;
  config.require_auth = true;
  config.require_tls = true;
  proto::SmtpServer server(config, *policy);

  proto::SmtpClientOptions options;
  options.helo_domain = "laptop.a.example";
  options.tls = proto::ClientTls::kOpportunistic;
  const std::string password = GENERATE(std::string("wonderland"), std::string("guess"));
  options.credentials = proto::SmtpCredentials{"alice", password};
  proto::SmtpClient client(
      options, {message("alice@a.example", {"julia@yahoo.example", "bob@b.example"},
                        "Subject: hi\r\n\r\nHello from the laptop.\r\n"),
                message("alice@a.example", {"carol@c.example"}, "Subject: 2\r\n\r\nSecond.\r\n")});
  const PairResult r = run_pair(client, server);
  INFO("password " << password << "\n" << r.wire);
  REQUIRE(r.client_finished);
  CHECK(r.tls);
  CHECK(client.tls_active());
  CHECK(server.session().tls);
  if (password == "wonderland") {
    CHECK(client.authenticated());
    CHECK(server.session().auth_user == std::optional<std::string>("alice"));
    // AUTH PLAIN was offered only inside TLS, and the client used it there.
    CHECK(r.wire.find("= tls\nC: EHLO laptop.a.example\n") != std::string::npos);
    CHECK(r.wire.find("C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\n") != std::string::npos);
    CHECK(summary(r, 0) == std::vector<std::string>{"julia@yahoo.example delivered 2.0.0",
                                                    "bob@b.example delivered 2.0.0"});
    CHECK(summary(r, 1) == std::vector<std::string>{"carol@c.example delivered 2.0.0"});
    REQUIRE(r.accepted.size() == 2);
    CHECK(r.accepted[0].content == "Subject: hi\r\n\r\nHello from the laptop.\r\n");
    CHECK(r.accepted[1].content == "Subject: 2\r\n\r\nSecond.\r\n");
  } else {
    // 535 5.7.8: every recipient of both messages fails, nothing is sent.
    CHECK_FALSE(client.authenticated());
    CHECK(summary(r, 0) == std::vector<std::string>{"julia@yahoo.example failed 5.7.8",
                                                    "bob@b.example failed 5.7.8"});
    CHECK(summary(r, 1) == std::vector<std::string>{"carol@c.example failed 5.7.8"});
    CHECK(r.accepted.empty());
    CHECK(policy->mail_froms.empty());
  }
}

TEST_CASE("pair: AUTH PLAIN without an initial response when the credentials are long",
          "[smtp][client][pair]") {
  auto policy = mx_policy();
  const std::string long_password(400, 'p');
  policy->users = {{"alice", long_password}};
  policy->relay = "auth";
  proto::SmtpServerConfig config;
  config.tls = proto::TlsState::kActive;  // implicit TLS (port 465)
  config.auth = proto::AuthAdvertise::kAlways;
  proto::SmtpServer server(config, *policy);
  proto::SmtpClientOptions options;
  options.tls = proto::ClientTls::kImplicit;
  options.credentials = proto::SmtpCredentials{"alice", long_password};
  proto::SmtpClient client(options, {message("alice@a.example", {"zed@z.example"}, "Hi\r\n")});
  const PairResult r = run_pair(client, server);
  INFO(r.wire);
  // "AUTH PLAIN <base64>" would exceed 512 octets: RFC 4954 section 4 says send it after 334.
  CHECK(r.wire.find("C: AUTH PLAIN\nS: 334") != std::string::npos);
  CHECK(client.authenticated());
  CHECK(summary(r, 0) == std::vector<std::string>{"zed@z.example delivered 2.0.0"});
}

TEST_CASE("pair: a message over the server's SIZE limit is not sent", "[smtp][client][pair]") {
  auto policy = mx_policy();
  proto::SmtpServerConfig config;
  config.max_message_size = 1000;
  proto::SmtpServer server(config, *policy);
  proto::SmtpClientOptions options;
  options.tls = proto::ClientTls::kNever;
  std::string big = "Subject: big\r\n\r\n";
  for (int i = 0; i < 30; ++i) big += std::string(40, 'x') + "\r\n";
  proto::SmtpClient client(options, {message("alice@a.example", {"bob@b.example"}, big),
                                     message("alice@a.example", {"carol@b.example"}, "small\r\n")});
  const PairResult r = run_pair(client, server);
  INFO(r.wire);
  CHECK(summary(r, 0) == std::vector<std::string>{"bob@b.example failed 5.3.4"});
  CHECK(summary(r, 1) == std::vector<std::string>{"carol@b.example delivered 2.0.0"});
  // The big one never reached the server: one MAIL FROM, with the small message's size.
  REQUIRE(policy->mail_froms.size() == 1);
  CHECK(r.wire.find("C: MAIL FROM:<alice@a.example> SIZE=7 BODY=") == std::string::npos);
  CHECK(r.wire.find("C: MAIL FROM:<alice@a.example> SIZE=7\n") != std::string::npos);
  REQUIRE(r.accepted.size() == 1);
  CHECK(r.accepted[0].content == "small\r\n");
}

TEST_CASE("pair: too many recipients, the rest deferred with 452", "[smtp][client][pair]") {
  const bool pipelining = GENERATE(true, false);
  auto policy = std::make_unique<testing::TestServerPolicy>();
  proto::SmtpServerConfig config;
  config.max_recipients = 2;
  proto::SmtpServer server(config, *policy);
  proto::SmtpClientOptions options;
  options.tls = proto::ClientTls::kNever;
  options.use_pipelining = pipelining;
  proto::SmtpClient client(
      options,
      {message("alice@a.example", {"r1@b.example", "r2@b.example", "r3@b.example", "r4@b.example"},
               "Hi\r\n")});
  const PairResult r = run_pair(client, server);
  INFO("pipelining " << pipelining << "\n" << r.wire);
  CHECK(summary(r, 0) == std::vector<std::string>{
                             "r1@b.example delivered 2.0.0",
                             "r2@b.example delivered 2.0.0",
                             "r3@b.example deferred 4.5.3",
                             "r4@b.example deferred 4.5.3",
                         });
  REQUIRE(r.accepted.size() == 1);
  CHECK(r.accepted[0].envelope.rcpt_to.size() == 2);
  const auto& d = r.outcomes[0].recipients[2];
  REQUIRE(d.reply);
  CHECK(d.reply->code == 452);
}

TEST_CASE("pair: the message policy decides the accepted recipients", "[smtp][client][pair]") {
  const std::string decision = GENERATE(std::string("reject"), std::string("defer"));
  auto policy = mx_policy();
  policy->message = decision;
  proto::SmtpServer server(proto::SmtpServerConfig{}, *policy);
  proto::SmtpClientOptions options;
  options.tls = proto::ClientTls::kNever;
  proto::SmtpClient client(
      options, {message("alice@a.example", {"bob@b.example", "nobody@b.example"}, "spam?\r\n"),
                message("alice@a.example", {"carol@b.example"}, "second\r\n")});
  const PairResult r = run_pair(client, server);
  INFO(decision << "\n" << r.wire);
  REQUIRE(r.client_finished);
  CHECK(r.accepted.empty());
  if (decision == "reject") {
    CHECK(summary(r, 0) ==
          std::vector<std::string>{"bob@b.example failed 5.7.1", "nobody@b.example failed 5.1.1"});
    CHECK(summary(r, 1) == std::vector<std::string>{"carol@b.example failed 5.7.1"});
  } else {
    CHECK(summary(r, 0) == std::vector<std::string>{"bob@b.example deferred 4.3.0",
                                                    "nobody@b.example failed 5.1.1"});
    CHECK(summary(r, 1) == std::vector<std::string>{"carol@b.example deferred 4.3.0"});
  }
  CHECK(policy->messages == std::vector<std::string>{"spam?\r\n", "second\r\n"});
}

TEST_CASE("pair: RSET between messages after every recipient was refused", "[smtp][client][pair]") {
  const bool pipelining = GENERATE(true, false);
  auto policy = mx_policy();
  proto::SmtpServer server(proto::SmtpServerConfig{}, *policy);
  proto::SmtpClientOptions options;
  options.tls = proto::ClientTls::kNever;
  options.use_pipelining = pipelining;
  proto::SmtpClient client(
      options, {message("alice@a.example", {"nobody@b.example", "ghost@b.example"}, "one\r\n"),
                message("alice@a.example", {"bob@b.example"}, "two\r\n"),
                message("alice@a.example", {"carol@b.example"}, "three\r\n")});
  const PairResult r = run_pair(client, server);
  INFO("pipelining " << pipelining << "\n" << r.wire);
  CHECK(summary(r, 0) ==
        std::vector<std::string>{"nobody@b.example failed 5.1.1", "ghost@b.example failed 5.1.1"});
  CHECK(summary(r, 1) == std::vector<std::string>{"bob@b.example delivered 2.0.0"});
  CHECK(summary(r, 2) == std::vector<std::string>{"carol@b.example delivered 2.0.0"});
  REQUIRE(r.accepted.size() == 2);
  CHECK(r.accepted[0].content == "two\r\n");
  CHECK(r.accepted[1].content == "three\r\n");
  // One RSET: after the refused transaction, none after a completed one.
  std::size_t rsets = 0;
  for (std::size_t at = r.wire.find("C: RSET\n"); at != std::string::npos;
       at = r.wire.find("C: RSET\n", at + 1)) {
    ++rsets;
  }
  CHECK(rsets == 1);
}

TEST_CASE("pair: a bounce with DSN parameters keeps its envelope", "[smtp][client][pair]") {
  auto policy = mx_policy();
  proto::SmtpServer server(proto::SmtpServerConfig{}, *policy);
  proto::SmtpClientOptions options;
  options.tls = proto::ClientTls::kNever;
  proto::SmtpTransaction t = message("<>", {"bob@b.example"}, "Subject: bounce\r\n\r\nSorry.\r\n");
  t.envelope.ret = "HDRS";
  t.envelope.envid = "QQ314159";
  t.envelope.rcpt_to[0].notify = "FAILURE,DELAY";
  t.envelope.rcpt_to[0].orcpt = "rfc822;bob@b.example";
  proto::SmtpClient client(options, {t});
  const PairResult r = run_pair(client, server);
  INFO(r.wire);
  REQUIRE(r.accepted.size() == 1);
  const mail::Envelope& got = r.accepted[0].envelope;
  CHECK(got.is_bounce());
  CHECK(got.ret == std::optional<std::string>("HDRS"));
  CHECK(got.envid == std::optional<std::string>("QQ314159"));
  REQUIRE(got.rcpt_to.size() == 1);
  CHECK(got.rcpt_to[0].notify == std::optional<std::string>("FAILURE,DELAY"));
  CHECK(got.rcpt_to[0].orcpt == std::optional<std::string>("rfc822;bob@b.example"));
  CHECK(got.declared_size == std::optional<std::size_t>(t.content.size()));
  CHECK(summary(r, 0) == std::vector<std::string>{"bob@b.example delivered 2.0.0"});
}

TEST_CASE("pair: 8-bit content goes with BODY=8BITMIME", "[smtp][client][pair]") {
  auto policy = mx_policy();
  proto::SmtpServer server(proto::SmtpServerConfig{}, *policy);
  proto::SmtpClientOptions options;
  options.tls = proto::ClientTls::kNever;
  const std::string content = "Subject: caf\xC3\xA9\r\n\r\nna\xC3\xAFve\r\n";
  proto::SmtpClient client(options, {message("alice@a.example", {"bob@b.example"}, content)});
  const PairResult r = run_pair(client, server);
  INFO(r.wire);
  REQUIRE(r.accepted.size() == 1);
  CHECK(r.accepted[0].envelope.body == mail::BodyType::k8BitMime);
  CHECK(r.accepted[0].content == content);
}

TEST_CASE("pair: TLS required by the client, not offered by the server", "[smtp][client][pair]") {
  auto policy = mx_policy();
  proto::SmtpServer server(proto::SmtpServerConfig{}, *policy);
  proto::SmtpClientOptions options;
  options.tls = proto::ClientTls::kRequired;
  proto::SmtpClient client(options, {message("alice@a.example", {"bob@b.example"}, "x\r\n")});
  const PairResult r = run_pair(client, server);
  INFO(r.wire);
  REQUIRE(r.client_finished);
  CHECK(summary(r, 0) == std::vector<std::string>{"bob@b.example deferred 4.7.4"});
  CHECK(r.outcomes[0].recipients[0].diagnostic.find("STARTTLS required but not offered") == 0);
  CHECK(policy->mail_froms.empty());
  CHECK(r.wire.find("C: QUIT\nS: 221") != std::string::npos);
}

TEST_CASE("pair: the server refuses the connection", "[smtp][client][pair]") {
  const std::string refusal = GENERATE(std::string("421"), std::string("554"));
  auto policy = mx_policy();
  policy->connect = refusal;
  policy->connect_text = "Go away";
  proto::SmtpServer server(proto::SmtpServerConfig{}, *policy);
  proto::SmtpClientOptions options;
  options.tls = proto::ClientTls::kNever;
  proto::SmtpClient client(options, {message("alice@a.example", {"bob@b.example"}, "x\r\n")});
  const PairResult r = run_pair(client, server);
  INFO(r.wire);
  REQUIRE(r.client_finished);
  const auto& o = r.outcomes[0].recipients[0];
  REQUIRE(o.reply);
  CHECK(o.reply->code == std::stoi(refusal));
  CHECK(o.status == (refusal == "421" ? DeliveryStatus::kDeferred : DeliveryStatus::kFailed));
  // A 554 greeting still gets a QUIT (RFC 5321 3.1); after 421 the server has hung up.
  CHECK((r.wire.find("C: QUIT") != std::string::npos) == (refusal == "554"));
}

}  // namespace mailhop
