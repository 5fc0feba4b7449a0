// The inspector's model: queues, mailboxes, messages taken apart, from runs of shipped scenarios.

#include "gui/inspector_model.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "gui/session.h"

namespace {

using mailhop::core::SimTime;
using mailhop::gui::Session;
using mailhop::world::QueueState;

const std::filesystem::path kAssets = MAILHOP_ASSETS_DIR;

std::unique_ptr<Session> open_scenario(const char* name) {
  std::string error;
  auto session = Session::open(kAssets / ".." / "scenarios" / name, &error);
  INFO(error);
  REQUIRE(session);
  return session;
}

mailhop::text::Catalog catalog() {
  mailhop::text::LoadError error;
  auto c = mailhop::text::Catalog::load(kAssets / "i18n", &error);
  REQUIRE(c);
  return std::move(*c);
}

const mailhop::world::NodeState& node(const Session& s, const std::string& name) {
  for (const auto& n : s.world().nodes()) {
    if (n->spec.name == name) return *n;
  }
  FAIL("no node " << name);
  throw 0;
}

}  // namespace

TEST_CASE("a deferred message waits in the queue while every MX is down", "[gui][inspector]") {
  auto session = open_scenario("04-retry-until-back.json");
  // Both MX hosts are down for 40 minutes; by 15 minutes three attempts have failed.
  session->seek_time(SimTime::from_seconds(15 * 60));
  const auto rows = mailhop::gui::queue_rows(node(*session, "smtp.gmail.example"));
  REQUIRE(rows.size() == 1);
  const auto& row = rows[0];
  CHECK(row.state == QueueState::kDeferred);
  CHECK(row.attempts == 3);
  REQUIRE(row.next_attempt);
  CHECK(*row.next_attempt > session->now());
  CHECK(row.sender == "<marcos@gmail.example>");
  REQUIRE(row.recipients.size() == 1);
  CHECK(row.recipients[0] == "julia@yahoo.example");
  CHECK(row.pending == 1);
  CHECK(row.diagnostic.rfind("4.4.1", 0) == 0);
  CHECK(row.subject == "¿Quedamos el jueves?");
  CHECK(row.arrival < SimTime::from_seconds(2));

  // The message can be opened from its queue id: envelope from the queue entry.
  const auto view = mailhop::gui::find_message(session->world(), row.id, "");
  REQUIRE(view);
  CHECK(view->place == mailhop::gui::MessagePlace::kQueue);
  CHECK(view->node == "smtp.gmail.example");
  CHECK(view->envelope_from == std::string("marcos@gmail.example"));
  CHECK(view->envelope_to == std::vector<std::string>{"julia@yahoo.example"});
  CHECK(view->hops.size() == 1);  // only the submission so far

  // At the end the MX is back and the queue is empty.
  session->seek_time(session->end());
  CHECK(mailhop::gui::queue_rows(node(*session, "smtp.gmail.example")).empty());
}

TEST_CASE("the Received chain of a delivered message, from the sender", "[gui][inspector]") {
  auto session = open_scenario("01-journey.json");
  session->seek_time(session->end());
  const auto box = mailhop::gui::read_mailbox(session->world(), "julia@yahoo.example",
                                              mailhop::gui::WithMessages::kYes);
  REQUIRE(box);
  CHECK(box->host == "mx.yahoo.example");
  REQUIRE(box->count == 1);
  REQUIRE(box->messages.size() == 1);
  CHECK(box->used == box->messages[0].content.size());
  const auto on_mx = mailhop::gui::mailboxes_on(session->world(), "mx.yahoo.example");
  REQUIRE(on_mx.size() == 1);
  CHECK(on_mx[0].address == "julia@yahoo.example");

  const std::string key = mailhop::gui::message_key(box->address, box->messages[0].uid,
                                                    box->messages[0].content);
  const auto view = mailhop::gui::find_message(session->world(), key, box->address);
  REQUIRE(view);
  CHECK(view->place == mailhop::gui::MessagePlace::kMailbox);
  CHECK(view->mailbox == "julia@yahoo.example");
  REQUIRE(view->hops.size() == 2);
  // First the submission: the laptop to gmail's server, authenticated over TLS.
  CHECK(view->hops[0].parsed);
  CHECK(view->hops[0].from_helo == "laptop.marcos.example");
  CHECK(view->hops[0].from_address == "203.0.113.5");
  CHECK(view->hops[0].by == "smtp.gmail.example");
  CHECK(view->hops[0].with == "ESMTPSA");
  CHECK_FALSE(view->hops[0].date.empty());
  // Then the relay: gmail's server to yahoo's MX, over TLS without AUTH.
  CHECK(view->hops[1].from_helo == "smtp.gmail.example");
  CHECK(view->hops[1].by == "mx.yahoo.example");
  CHECK(view->hops[1].with == "ESMTPS");
  CHECK(view->hops[1].id == "CB60000001");
  // The envelope survives as Return-Path and Delivered-To.
  CHECK(view->envelope_from == std::string("marcos@gmail.example"));
  CHECK(view->envelope_to == std::vector<std::string>{"julia@yahoo.example"});
  CHECK(mailhop::gui::bare_address(view->header_from) == "marcos@gmail.example");
  CHECK(view->body.find("Quedamos el jueves") != std::string::npos);
  CHECK_FALSE(view->dsn);

  // The same message found by a queue id it had on the way.
  const auto by_id = mailhop::gui::find_message(session->world(), "CB60000001", "");
  REQUIRE(by_id);
  CHECK(by_id->mailbox == "julia@yahoo.example");
  CHECK_FALSE(mailhop::gui::find_message(session->world(), "NOSUCHID", ""));
}

TEST_CASE("a bounce's DSN decoded", "[gui][inspector]") {
  auto session = open_scenario("06-unknown-user.json");
  session->seek_time(session->end());
  const auto box = mailhop::gui::read_mailbox(session->world(), "marcos@gmail.example",
                                              mailhop::gui::WithMessages::kYes);
  REQUIRE(box);
  REQUIRE(box->messages.size() == 1);
  const auto& m = box->messages[0];
  const auto view = mailhop::gui::find_message(
      session->world(), mailhop::gui::message_key(box->address, m.uid, m.content), box->address);
  REQUIRE(view);
  // A bounce has the null sender.
  CHECK(view->envelope_from == std::string(""));
  REQUIRE(view->dsn);
  CHECK(view->dsn->reporting_mta == "smtp.gmail.example");
  CHECK_FALSE(view->dsn->arrival_date.empty());
  REQUIRE(view->dsn->recipients.size() == 1);
  const auto& r = view->dsn->recipients[0];
  CHECK(r.final_recipient == "julai@yahoo.example");
  CHECK(r.action == "failed");
  CHECK(r.status == "5.1.1");
  CHECK(r.remote_mta == "mx.yahoo.example");
  CHECK(r.diagnostic.rfind("550", 0) == 0);
}

TEST_CASE("Received fields and DSNs parsed by hand", "[gui][inspector]") {
  const auto hop = mailhop::gui::parse_received(
      "from smtp.a.example (smtp.a.example [192.0.2.10])\r\n\tby mx.b.example with ESMTPS id "
      "AB12\r\n\tfor <julia@b.example>; Sun, 22 Nov 2026 15:04:05 +0000");
  CHECK(hop.parsed);
  CHECK(hop.from_helo == "smtp.a.example");
  CHECK(hop.from_address == "192.0.2.10");
  CHECK(hop.by == "mx.b.example");
  CHECK(hop.with == "ESMTPS");
  CHECK(hop.id == "AB12");
  CHECK(hop.for_recipient == "<julia@b.example>");
  CHECK(hop.date == "Sun, 22 Nov 2026 15:04:05 +0000");
  CHECK_FALSE(mailhop::gui::parse_received("garbage without clauses").parsed);

  CHECK_FALSE(mailhop::gui::decode_dsn("Subject: hi\r\n\r\nno report here\r\n"));
  CHECK(mailhop::gui::bare_address("Marcos <Marcos@Gmail.example>") == "marcos@gmail.example");
}

TEST_CASE("a node's settings in the current language", "[gui][inspector]") {
  auto session = open_scenario("01-journey.json");
  auto t = catalog();
  t.set_language(mailhop::text::Language::kSpanish);
  const auto rows = mailhop::gui::node_settings(node(*session, "smtp.gmail.example"), t);
  const auto value = [&](const char* key) {
    const auto it = std::find_if(rows.begin(), rows.end(),
                                 [&](const auto& r) { return r.label_key == key; });
    return it == rows.end() ? std::string("(missing)") : it->value;
  };
  CHECK(value("inspector.setting.name") == "smtp.gmail.example");
  CHECK(value("inspector.setting.label") == "Servidor de gmail.example");
  CHECK(value("inspector.setting.domains") == "gmail.example");
  CHECK(value("inspector.setting.ports").find("submission 587") != std::string::npos);
  CHECK(value("inspector.setting.roles").find("envío (MSA)") != std::string::npos);
  CHECK(value("inspector.setting.tls") == "sí");
  CHECK(value("inspector.setting.backoff") == "5 min, que se duplica hasta 4000 s");
  for (const auto& r : rows) CHECK(t.has(mailhop::text::Language::kSpanish, r.label_key));
}

TEST_CASE("a receiving server's blocklists and refused words are among its settings",
          "[gui][inspector]") {
  auto session = open_scenario("17-blocklist-and-spam.json");
  auto t = catalog();
  t.set_language(mailhop::text::Language::kSpanish);
  const auto rows = mailhop::gui::node_settings(node(*session, "mx.yahoo.example"), t);
  const auto value = [&](const char* key) {
    const auto it = std::find_if(rows.begin(), rows.end(),
                                 [&](const auto& r) { return r.label_key == key; });
    return it == rows.end() ? std::string("(missing)") : it->value;
  };
  const mailhop::scenario::ServerPolicy& policy = node(*session, "mx.yahoo.example").spec.policy;
  REQUIRE_FALSE(policy.dnsbl.empty());
  REQUIRE_FALSE(policy.spam_words.empty());
  CHECK(value("inspector.setting.dnsbl").find(policy.dnsbl.front()) != std::string::npos);
  CHECK(value("inspector.setting.spam_words").find("“" + policy.spam_words.front() + "”") !=
        std::string::npos);
  for (const auto& r : rows) CHECK(t.has(mailhop::text::Language::kSpanish, r.label_key));
  // A server without them does not list them.
  const auto plain = mailhop::gui::node_settings(node(*session, "smtp.gmail.example"), t);
  for (const auto& r : plain) {
    CHECK(r.label_key != "inspector.setting.dnsbl");
    CHECK(r.label_key != "inspector.setting.spam_words");
  }
}
