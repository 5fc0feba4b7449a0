#include "sim/proto/smtp_loopback.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "gui/demo_scenario.h"
#include "sim/mail/address.h"

namespace {

using mailhop::proto::LoopbackDirection;
using mailhop::proto::LoopbackLineKind;
using mailhop::proto::TranscriptEntry;
namespace proto = mailhop::proto;
using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::vector<TranscriptEntry>& transcript,
                                  LoopbackLineKind kind) {
  std::vector<std::string> out;
  for (const auto& e : transcript) {
    if (e.kind == kind) out.push_back(e.text);
  }
  return out;
}

std::ptrdiff_t index_of(const std::vector<TranscriptEntry>& transcript, LoopbackLineKind kind) {
  const auto it = std::find_if(transcript.begin(), transcript.end(),
                               [&](const TranscriptEntry& e) { return e.kind == kind; });
  return it == transcript.end() ? -1 : it - transcript.begin();
}

mailhop::mail::Mailbox mailbox(const char* text) {
  auto parsed = mailhop::mail::parse_mailbox(text);
  REQUIRE(parsed);
  return *parsed;
}

class RejectingPolicy : public proto::SmtpServerPolicy {
 public:
  proto::SmtpDecision on_rcpt_to(const proto::SmtpSessionInfo&, const mailhop::mail::Envelope&,
                                 const mailhop::mail::EnvelopeRecipient& rcpt) override {
    if (rcpt.mailbox.local_part == "nobody") {
      return proto::SmtpDecision::reject(550, "5.1.1", "User unknown");
    }
    return proto::SmtpDecision::accept();
  }
};

proto::SmtpLoopbackResult run_plain(proto::SmtpServerPolicy& policy,
                                    std::vector<const char*> recipients,
                                    proto::TlsState tls = proto::TlsState::kNone,
                                    proto::Micros latency = 10ms) {
  proto::SmtpServerConfig config;
  config.hostname = "mx.b.example";
  config.tls = tls;
  proto::SmtpClientOptions options;
  options.helo_domain = "a.example";
  options.use_pipelining = false;
  proto::SmtpTransaction transaction;
  transaction.envelope.mail_from = mailbox("x@a.example");
  for (const char* rcpt : recipients) {
    transaction.envelope.rcpt_to.push_back({mailbox(rcpt), {}, {}});
  }
  transaction.content = "Subject: hi\r\n\r\n.leading dot\r\nbye\r\n";
  proto::SmtpLoopbackConfig loopback;
  loopback.one_way_latency = latency;
  return proto::run_smtp_loopback(proto::SmtpClient(options, {transaction}),
                                  proto::SmtpServer(config, policy), loopback);
}

}  // namespace

TEST_CASE("the demo conversation completes and the message is delivered", "[smtp][loopback]") {
  const mailhop::gui::ConversationRun run = mailhop::gui::run_demo_conversation();
  const proto::SmtpLoopbackResult& r = run.result;
  INFO(r.error);
  REQUIRE(r.completed);
  CHECK(r.error.empty());

  REQUIRE(r.accepted.size() == 1);
  CHECK(r.accepted[0].content == mailhop::gui::demo_message_text());
  REQUIRE(r.accepted[0].envelope.mail_from);
  CHECK(r.accepted[0].envelope.mail_from->str() == "marcos@gmail.example");
  REQUIRE(r.outcomes.size() == 1);
  REQUIRE(r.outcomes[0].recipients.size() == 1);
  CHECK(r.outcomes[0].recipients[0].recipient.str() == "julia@yahoo.example");
  CHECK(r.outcomes[0].recipients[0].status == proto::DeliveryStatus::kDelivered);

  const auto& t = r.transcript;
  REQUIRE(t.size() > 20);
  CHECK(t.front().kind == LoopbackLineKind::kConnected);
  CHECK(t[1].direction == LoopbackDirection::kServerToClient);
  CHECK(t[1].text == "220 mx.yahoo.example ESMTP mailhop");
  CHECK(t[1].context == "greeting");

  // The client says EHLO twice: before STARTTLS and again inside TLS (RFC 3207 4.2).
  const auto commands = lines_of(t, LoopbackLineKind::kCommand);
  REQUIRE(commands.size() >= 7);
  CHECK(commands[0] == "EHLO smtp.gmail.example");
  CHECK(commands[1] == "STARTTLS");
  CHECK(commands[2] == "EHLO smtp.gmail.example");
  CHECK(commands[3].rfind("MAIL FROM:<marcos@gmail.example>", 0) == 0);
  CHECK(commands[4] == "RCPT TO:<julia@yahoo.example>");
  CHECK(commands[5] == "DATA");
  CHECK(commands.back() == "QUIT");

  // STARTTLS is offered before TLS and not after it.
  const auto replies = lines_of(t, LoopbackLineKind::kReply);
  CHECK(std::count(replies.begin(), replies.end(), "250 STARTTLS") == 1);

  // Everything after the handshake is encrypted, nothing before it.
  const std::ptrdiff_t tls_start = index_of(t, LoopbackLineKind::kTlsStart);
  const std::ptrdiff_t tls_up = index_of(t, LoopbackLineKind::kTlsEstablished);
  REQUIRE(tls_start > 0);
  REQUIRE(tls_up > tls_start);
  for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(t.size()); ++i) {
    const auto& e = t[static_cast<std::size_t>(i)];
    if (e.direction == LoopbackDirection::kNote) continue;
    INFO(i << ": " << e.text);
    CHECK(e.encrypted == (i > tls_up));
  }

  // The message: header lines, the empty line, the body, the final dot, then 250 for it.
  const auto headers = lines_of(t, LoopbackLineKind::kMessageHeader);
  REQUIRE(headers.size() == 8);
  CHECK(headers[2] == "Subject: =?UTF-8?Q?=C2=BFQuedamos_el_s=C3=A1bado=3F?=");
  CHECK(lines_of(t, LoopbackLineKind::kMessageSeparator).size() == 1);
  const auto body = lines_of(t, LoopbackLineKind::kMessageBody);
  CHECK(std::find(body.begin(), body.end(), "Marcos") != body.end());
  CHECK(lines_of(t, LoopbackLineKind::kEndOfData) == std::vector<std::string>{"."});
  const auto end_reply = std::find_if(t.begin(), t.end(), [](const TranscriptEntry& e) {
    return e.kind == LoopbackLineKind::kReply && e.context == "end_of_data";
  });
  REQUIRE(end_reply != t.end());
  CHECK(end_reply->text.rfind("250 ", 0) == 0);

  // Times never go backwards; each line arrives one latency after it was sent.
  for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i - 1].time <= t[i].time);
  for (const auto& e : t) {
    if (e.direction != LoopbackDirection::kNote) CHECK(e.arrival - e.time == 25ms);
  }
  // The client answers the greeting as soon as it arrives.
  CHECK(t[2].time == 25ms);
  CHECK(t[2].text == "EHLO smtp.gmail.example");
  CHECK(t.back().kind == LoopbackLineKind::kServerClosed);
}

TEST_CASE("the loopback is deterministic", "[smtp][loopback]") {
  const auto a = mailhop::gui::run_demo_conversation().result;
  const auto b = mailhop::gui::run_demo_conversation().result;
  REQUIRE(a.transcript.size() == b.transcript.size());
  for (std::size_t i = 0; i < a.transcript.size(); ++i) {
    const auto& x = a.transcript[i];
    const auto& y = b.transcript[i];
    CHECK(x.time == y.time);
    CHECK(x.arrival == y.arrival);
    CHECK(x.direction == y.direction);
    CHECK(x.kind == y.kind);
    CHECK(x.text == y.text);
    CHECK(x.encrypted == y.encrypted);
    CHECK(x.context == y.context);
  }
  CHECK(a.events.size() == b.events.size());
  CHECK(a.end_time == b.end_time);
}

TEST_CASE("the loopback reports a refused recipient and keeps the accepted one",
          "[smtp][loopback]") {
  RejectingPolicy policy;
  const auto r = run_plain(policy, {"nobody@b.example", "julia@b.example"});
  INFO(r.error);
  REQUIRE(r.completed);
  REQUIRE(r.outcomes.size() == 1);
  REQUIRE(r.outcomes[0].recipients.size() == 2);
  CHECK(r.outcomes[0].recipients[0].status == proto::DeliveryStatus::kFailed);
  REQUIRE(r.outcomes[0].recipients[0].reply);
  CHECK(r.outcomes[0].recipients[0].reply->code == 550);
  CHECK(r.outcomes[0].recipients[1].status == proto::DeliveryStatus::kDelivered);
  const auto refused = std::find_if(r.transcript.begin(), r.transcript.end(), [](const auto& e) {
    return e.kind == LoopbackLineKind::kReply && e.text.rfind("550", 0) == 0;
  });
  REQUIRE(refused != r.transcript.end());
  CHECK(refused->context == "RCPT");
  // No TLS offered, none used.
  CHECK(index_of(r.transcript, LoopbackLineKind::kTlsStart) == -1);
  // The body line that starts with a dot travels dot-stuffed and arrives unstuffed.
  const auto body = lines_of(r.transcript, LoopbackLineKind::kMessageBody);
  CHECK(std::find(body.begin(), body.end(), "..leading dot") != body.end());
  REQUIRE(r.accepted.size() == 1);
  CHECK(r.accepted[0].content == "Subject: hi\r\n\r\n.leading dot\r\nbye\r\n");
}

TEST_CASE("the loopback follows the configured latency", "[smtp][loopback]") {
  proto::SmtpServerPolicy policy;
  const auto fast = run_plain(policy, {"julia@b.example"}, proto::TlsState::kNone, 0ms);
  const auto slow = run_plain(policy, {"julia@b.example"}, proto::TlsState::kNone, 100ms);
  REQUIRE(fast.completed);
  REQUIRE(slow.completed);
  REQUIRE(fast.transcript.size() == slow.transcript.size());
  CHECK(fast.end_time == 0ms);
  // Without pipelining every command waits for a reply: the session lasts a whole number of
  // round trips.
  CHECK(slow.end_time > 0ms);
  CHECK(slow.end_time.count() % 100'000 == 0);
  for (std::size_t i = 0; i < slow.transcript.size(); ++i) {
    CHECK(slow.transcript[i].text == fast.transcript[i].text);
  }
}

TEST_CASE("a server that refuses the session closes it and the client defers", "[smtp][loopback]") {
  class Busy : public proto::SmtpServerPolicy {
   public:
    proto::SmtpDecision on_connect(const proto::SmtpSessionInfo&) override {
      return proto::SmtpDecision::reject(421, "4.3.2", "Too busy, try later");
    }
  } policy;
  const auto r = run_plain(policy, {"julia@b.example"});
  INFO(r.error);
  CHECK(r.completed);
  REQUIRE(r.outcomes.size() == 1);
  REQUIRE(r.outcomes[0].recipients.size() == 1);
  CHECK(r.outcomes[0].recipients[0].status == proto::DeliveryStatus::kDeferred);
  CHECK(r.accepted.empty());
  const auto replies = lines_of(r.transcript, LoopbackLineKind::kReply);
  REQUIRE_FALSE(replies.empty());
  CHECK(replies[0].rfind("421", 0) == 0);
  CHECK(r.transcript.back().kind == LoopbackLineKind::kServerClosed);
}
