#include "sim/mail/dsn.h"

#include <catch2/catch.hpp>

#include "sim/mail/message.h"

using namespace mailhop::mail;

namespace {

DsnReport unknown_user_report() {
  DsnReport r;
  r.reporting_mta = "smtp.gmail.example";
  r.original_sender = "marcos@gmail.example";
  r.arrival_unix = 1'795'000'000;
  r.created_unix = 1'795'000'005;
  r.queue_id = "4A70000001";
  DsnRecipient rcpt;
  rcpt.final_recipient = "nadie@yahoo.example";
  rcpt.original_recipient = "rfc822;nadie@yahoo.example";
  rcpt.status = dsn_status_for(550, "5.1.1");
  rcpt.remote_mta = "mx.yahoo.example";
  rcpt.diagnostic = "550 5.1.1 <nadie@yahoo.example>: User unknown";
  rcpt.last_attempt_unix = 1'795'000'004;
  r.recipients.push_back(rcpt);
  r.original_message = "From: marcos@gmail.example\r\nSubject: Hola\r\n\r\n\xc2\xbfQu\xc3\xa9 tal?\r\n";
  return r;
}

}  // namespace

TEST_CASE("a failure DSN is a multipart/report with the RFC 3464 fields", "[mail][dsn]") {
  const std::string dsn = make_dsn(unknown_user_report());
  auto msg = Message::parse(dsn);
  REQUIRE(msg);
  CHECK(msg->get("Subject") == "Undelivered Mail Returned to Sender");
  CHECK(msg->get("To") == "<marcos@gmail.example>");
  CHECK(msg->get("Auto-Submitted") == "auto-replied");
  const std::string type = msg->get("Content-Type").value_or("");
  CHECK(type.find("multipart/report; report-type=delivery-status;") == 0);
  const std::string& body = msg->body();
  for (const char* field :
       {"Reporting-MTA: dns; smtp.gmail.example\r\n", "Final-Recipient: rfc822; nadie@yahoo.example\r\n",
        "Original-Recipient: rfc822;nadie@yahoo.example\r\n", "Action: failed\r\n",
        "Status: 5.1.1\r\n", "Remote-MTA: dns; mx.yahoo.example\r\n",
        "Diagnostic-Code: smtp; 550 5.1.1 <nadie@yahoo.example>: User unknown\r\n",
        "Content-Type: message/delivery-status\r\n", "Content-Type: message/rfc822\r\n",
        "Subject: Hola\r\n"}) {
    INFO(field);
    CHECK(body.find(field) != std::string::npos);
  }
  // The closing boundary ends the message, and it is deterministic.
  CHECK(body.find("--4A70000001.1795000005/smtp.gmail.example--\r\n") != std::string::npos);
  CHECK(make_dsn(unknown_user_report()) == dsn);
}

TEST_CASE("RET=HDRS returns only the header section; delayed DSNs say so", "[mail][dsn]") {
  DsnReport r = unknown_user_report();
  r.headers_only = true;
  r.recipients[0].action = DsnAction::kDelayed;
  r.recipients[0].status = dsn_status_for(451, "");
  r.recipients[0].will_retry_until_unix = 1'795'432'000;
  const std::string dsn = make_dsn(r);
  CHECK(dsn.find("Content-Type: text/rfc822-headers\r\n") != std::string::npos);
  CHECK(dsn.find("Subject: Hola\r\n") != std::string::npos);
  CHECK(dsn.find("tal?") == std::string::npos);  // no body
  CHECK(dsn.find("Action: delayed\r\n") != std::string::npos);
  CHECK(dsn.find("Status: 4.0.0\r\n") != std::string::npos);
  CHECK(dsn.find("Will-Retry-Until: ") != std::string::npos);
  CHECK(dsn.find("Subject: Delayed Mail (still being retried)\r\n") != std::string::npos);
}

TEST_CASE("dsn_status_for falls back on the reply class", "[mail][dsn]") {
  CHECK(dsn_status_for(550, "") == "5.0.0");
  CHECK(dsn_status_for(421, "") == "4.0.0");
  CHECK(dsn_status_for(552, "5.2.2") == "5.2.2");
}
