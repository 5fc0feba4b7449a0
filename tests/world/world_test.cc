#include "sim/world/world.h"
#include "tests/support/world_run.h"

#include <catch2/catch.hpp>

#include "sim/mail/message.h"

using namespace mailhop;
using core::SimTime;
using scenario::Role;

namespace {

// The seeds' story: marcos@gmail.example (laptop) → smtp.gmail.example (MSA+MTA+MDA) →
// mx.yahoo.example (MX+MDA, backup MX at backup.yahoo.example) → julia's mailbox.
scenario::Scenario journey() {
  scenario::Scenario s;
  s.seed = 7;
  scenario::Node laptop;
  laptop.name = "laptop.marcos.example";
  laptop.roles = {Role::kMua};
  scenario::Account acc;
  acc.address = "marcos@gmail.example";
  acc.password = "secreto";
  acc.submission_host = "smtp.gmail.example";
  laptop.accounts.push_back(acc);
  scenario::Node gmail;
  gmail.name = "smtp.gmail.example";
  gmail.address = "192.0.2.10";
  gmail.roles = {Role::kMsa, Role::kMta, Role::kMx, Role::kMda};
  gmail.domains = {"gmail.example"};
  scenario::Node yahoo;
  yahoo.name = "mx.yahoo.example";
  yahoo.address = "198.51.100.20";
  yahoo.roles = {Role::kMx, Role::kMda};
  yahoo.domains = {"yahoo.example"};
  scenario::Node backup;
  backup.name = "backup.yahoo.example";
  backup.address = "198.51.100.30";
  backup.roles = {Role::kMx, Role::kMta};
  s.nodes = {laptop, gmail, yahoo, backup};
  s.links = {{"laptop.marcos.example", "smtp.gmail.example", SimTime::from_millis(20), 0, 0.0, true},
             {"smtp.gmail.example", "mx.yahoo.example", SimTime::from_millis(40), 0, 0.0, true},
             {"smtp.gmail.example", "backup.yahoo.example", SimTime::from_millis(50), 0, 0.0, true},
             {"backup.yahoo.example", "mx.yahoo.example", SimTime::from_millis(5), 0, 0.0, true}};
  s.dns = {{"gmail.example", scenario::DnsType::kMx, 10, "smtp.gmail.example"},
           {"yahoo.example", scenario::DnsType::kMx, 10, "mx.yahoo.example"},
           {"yahoo.example", scenario::DnsType::kMx, 20, "backup.yahoo.example"}};
  s.users = {{"marcos@gmail.example", "secreto", "", 0}, {"julia@yahoo.example", "clave", "", 0}};
  scenario::SendAction send;
  send.from_node = "laptop.marcos.example";
  send.from = "marcos@gmail.example";
  send.to = {"julia@yahoo.example"};
  send.subject = "¿Quedamos mañana?";
  send.body = "Hola Julia,\n.una línea con punto\n¡Hasta pronto!\n";
  s.script.push_back({SimTime::from_seconds(1), send, {}});
  return s;
}

std::vector<std::string> kinds(const core::TraceRecorder& rec, core::TraceKind kind) {
  std::vector<std::string> out;
  for (const auto& e : rec.events())
    if (e.kind == kind) out.push_back(e.node + ": " + e.text);
  return out;
}

std::unique_ptr<world::World> run(const scenario::Scenario& s, core::Trace& trace, SimTime until) {
  return testing::run_world(s, trace, until);
}

}  // namespace

TEST_CASE("one message travels MUA → MSA → MX → mailbox over real SMTP", "[world]") {
  core::Trace trace;
  core::TraceRecorder rec;
  trace.add_observer(&rec);
  auto w = run(journey(), trace, SimTime::from_minutes(5));
  const world::MailboxState* box = w->mailbox("julia@yahoo.example");
  REQUIRE(box);
  REQUIRE(box->inbox().count() == 1);
  auto msg = mail::Message::parse(box->inbox().messages()[0].content);
  REQUIRE(msg);
  CHECK(msg->get("Return-Path") == "<marcos@gmail.example>");
  CHECK(msg->get_all("Received").size() == 2);         // MSA hop and MX hop
  CHECK(msg->has("Message-ID"));                        // added by the MSA (RFC 6409)
  CHECK(msg->get("Subject").value_or("").find("=?UTF-8?B?") == 0);
  CHECK(msg->body() == "Hola Julia,\r\n.una línea con punto\r\n¡Hasta pronto!\r\n");

  // Every hop was a real conversation: the MSA asked for AUTH after STARTTLS.
  const auto client_lines = kinds(rec, core::TraceKind::kClientLine);
  auto has = [&](const std::string& line) {
    return std::find(client_lines.begin(), client_lines.end(), line) != client_lines.end();
  };
  CHECK(has("laptop.marcos.example: STARTTLS"));
  bool auth = false, mail_from = false;
  for (const auto& l : client_lines) {
    if (l.rfind("laptop.marcos.example: AUTH PLAIN ", 0) == 0) auth = true;
    if (l.rfind("smtp.gmail.example: MAIL FROM:<marcos@gmail.example>", 0) == 0) mail_from = true;
  }
  CHECK(auth);
  CHECK(mail_from);
  CHECK(kinds(rec, core::TraceKind::kDelivered) ==
        std::vector<std::string>{"mx.yahoo.example: julia@yahoo.example"});
  CHECK(kinds(rec, core::TraceKind::kRelayed) ==
        std::vector<std::string>{"smtp.gmail.example: julia@yahoo.example → mx.yahoo.example"});
  CHECK(w->audit().empty());
  CHECK(w->ledger().accepted == 2);
  CHECK(w->ledger().delivered == 1);
  CHECK(w->ledger().relayed == 1);
}

namespace {
// The last line `client` sent that starts with `command` ("MAIL FROM:"), as "client: line",
// or "".
std::string client_line(const core::TraceRecorder& rec, const std::string& client,
                        const std::string& command) {
  std::string found;
  for (const auto& l : kinds(rec, core::TraceKind::kClientLine))
    if (l.rfind(client + ": " + command, 0) == 0) found = l;
  return found;
}
}  // namespace

TEST_CASE("the MSA relays a message with the BODY its octets call for", "[world]") {
  // 8-bit octets in the body make it BODY=8BITMIME on the way on too; none leave BODY= out.
  // (The MSA's client is told the message's shape instead of reading it again; builds with
  // assertions check on every message relayed that it was told right.)
  auto relay_mail_from = [](const scenario::Scenario& s) {
    core::Trace trace;
    core::TraceRecorder rec;
    trace.add_observer(&rec);
    auto w = run(s, trace, SimTime::from_minutes(5));
    CHECK(w->audit().empty());
    CHECK(w->ledger().delivered == 1);
    return client_line(rec, "smtp.gmail.example", "MAIL FROM:");
  };
  scenario::Scenario s = journey();
  const std::string eight = relay_mail_from(s);
  CHECK(eight.find(" BODY=8BITMIME") != std::string::npos);
  CHECK(eight.find(" SIZE=") != std::string::npos);

  std::get<scenario::SendAction>(s.script[0].action).body = "Hola Julia,\nhasta pronto\n";
  const std::string seven = relay_mail_from(s);
  CHECK(seven.rfind("smtp.gmail.example: MAIL FROM:<marcos@gmail.example> SIZE=", 0) == 0);
  CHECK(seven.find("BODY=") == std::string::npos);
}

TEST_CASE("a mail client sends the BODY and the line ends its message calls for", "[world]") {
  // The client is told the shape of the message the mail program wrote (from its parts)
  // instead of reading it again; builds with assertions check it was told right.
  struct Sent {
    std::string mail_from;  // the mail program's MAIL FROM line
    std::string content;    // as delivered
  };
  auto send = [](const scenario::Scenario& s) {
    core::Trace trace;
    core::TraceRecorder rec;
    trace.add_observer(&rec);
    auto w = run(s, trace, SimTime::from_minutes(5));
    CHECK(w->audit().empty());
    Sent out;
    out.mail_from = client_line(rec, "laptop.marcos.example", "MAIL FROM:");
    const auto& inbox = w->mailbox("julia@yahoo.example")->inbox().messages();
    REQUIRE(inbox.size() == 1);
    out.content = inbox[0].content;
    return out;
  };
  scenario::Scenario s = journey();
  auto& action = std::get<scenario::SendAction>(s.script[0].action);
  action.body = "Hola Julia,\nhasta pronto\n";
  CHECK(send(s).mail_from.find("BODY=") == std::string::npos);  // all ASCII

  action.header_from = "Jos\xc3\xa9 <marcos@gmail.example>";  // 8-bit in the header only
  const Sent header_8bit = send(s);
  CHECK(header_8bit.mail_from.find(" BODY=8BITMIME") != std::string::npos);

  action.header_from.reset();
  action.body = "uno\rdos\r\ntres\n";  // a CR alone, a CRLF and an LF
  const Sent lone_cr = send(s);
  CHECK(lone_cr.mail_from.find("BODY=") == std::string::npos);
  CHECK(lone_cr.content.find("\r\n\r\nuno\r\ndos\r\ntres\r\n") != std::string::npos);
  CHECK(mail::text_shape(lone_cr.content).crlf);
  // The client sent it with the CR made a line end: as many octets (SIZE=) as the same lines
  // written with CRLF.
  action.body = "uno\r\ndos\r\ntres\r\n";
  CHECK(send(s).mail_from == lone_cr.mail_from);
}

TEST_CASE("same domain: delivered by the MSA host itself, no other hop", "[world]") {
  scenario::Scenario s = journey();
  std::get<scenario::SendAction>(s.script[0].action).to = {"marcos@gmail.example"};
  core::Trace trace;
  core::TraceRecorder rec;
  trace.add_observer(&rec);
  auto w = run(s, trace, SimTime::from_minutes(5));
  CHECK(w->mailbox("marcos@gmail.example")->inbox().count() == 1);
  CHECK(kinds(rec, core::TraceKind::kDelivered) ==
        std::vector<std::string>{"smtp.gmail.example: marcos@gmail.example"});
  CHECK(w->stats().connections == 1);
  CHECK(w->audit().empty());
}

TEST_CASE("primary MX down: the backup takes it and relays when the primary returns", "[world]") {
  scenario::Scenario s = journey();
  scenario::FaultAction down{scenario::FaultKind::kHostDown, "mx.yahoo.example", "",
                             SimTime::from_minutes(20)};
  s.script.insert(s.script.begin(), {SimTime{}, down, {}});
  core::Trace trace;
  core::TraceRecorder rec;
  trace.add_observer(&rec);
  auto w = run(s, trace, SimTime::from_minutes(10));
  CHECK(w->mailbox("julia@yahoo.example")->inbox().messages().empty());
  CHECK(w->node("backup.yahoo.example")->queue.size() == 1);  // waiting at the backup
  CHECK(w->audit().empty());
  w->run_until(SimTime::from_hours(2));
  CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 1);
  CHECK(w->node("backup.yahoo.example")->queue.size() == 0);
  CHECK(w->audit().empty());
  auto msg = mail::Message::parse(w->mailbox("julia@yahoo.example")->inbox().messages()[0].content);
  REQUIRE(msg);
  CHECK(msg->get_all("Received").size() == 3);
}

TEST_CASE("unknown user: 550 5.1.1 at RCPT and a DSN back to the sender", "[world]") {
  scenario::Scenario s = journey();
  std::get<scenario::SendAction>(s.script[0].action).to = {"nadie@yahoo.example"};
  core::Trace trace;
  auto w = run(s, trace, SimTime::from_minutes(5));
  REQUIRE(w->bounces().size() == 1);
  CHECK(w->bounces()[0].to == "marcos@gmail.example");
  CHECK(w->bounces()[0].recipient == "nadie@yahoo.example");
  CHECK(w->bounces()[0].status == "5.1.1");
  REQUIRE(w->mailbox("marcos@gmail.example")->inbox().count() == 1);
  auto dsn = mail::Message::parse(w->mailbox("marcos@gmail.example")->inbox().messages()[0].content);
  REQUIRE(dsn);
  CHECK(dsn->get("Return-Path") == "<>");
  CHECK(dsn->body().find("Status: 5.1.1") != std::string::npos);
  bool saw_550 = false;
  for (const auto& r : w->replies()) saw_550 |= r.code == 550 && r.enhanced == "5.1.1";
  CHECK(saw_550);
  CHECK(w->audit().empty());
}

TEST_CASE("every MX down past the queue lifetime: retries, then a bounce", "[world]") {
  scenario::Scenario s = journey();
  for (auto& n : s.nodes) n.queue.lifetime = SimTime::from_hours(1);
  s.script.insert(s.script.begin(), {SimTime{}, scenario::FaultAction{scenario::FaultKind::kHostDown, "mx.yahoo.example", "", {}}, {}});
  s.script.insert(s.script.begin(), {SimTime{}, scenario::FaultAction{scenario::FaultKind::kHostDown, "backup.yahoo.example", "", {}}, {}});
  core::Trace trace;
  core::TraceRecorder rec;
  trace.add_observer(&rec);
  auto w = run(s, trace, SimTime::from_hours(3));
  CHECK(kinds(rec, core::TraceKind::kRetryScheduled).size() >= 4);
  REQUIRE(w->bounces().size() == 1);
  CHECK(w->bounces()[0].status == "4.4.7");
  CHECK(w->mailbox("marcos@gmail.example")->inbox().count() == 1);
  CHECK(w->audit().empty());
}

TEST_CASE("the same scenario and seed give the same trace", "[world][determinism]") {
  auto trace_text = [] {
    core::Trace trace;
    core::TraceRecorder rec;
    trace.add_observer(&rec);
    run(journey(), trace, SimTime::from_minutes(5));
    std::string out;
    for (const auto& e : rec.events())
      out += std::to_string(e.time.micros()) + " " + std::string(core::trace_kind_name(e.kind)) +
             " " + e.node + " " + e.text + "\n";
    return out;
  };
  const std::string a = trace_text();
  CHECK(a.size() > 1000);
  CHECK(a == trace_text());
}

#include "sim/world/expectations.h"

TEST_CASE("every world has a serial of its own, even where an earlier one stood", "[world]") {
  core::Trace trace;
  std::string error;
  auto first = world::World::build(journey(), trace, &error);
  REQUIRE(first);
  auto second = world::World::build(journey(), trace, &error);
  REQUIRE(second);
  CHECK(first->serial() != 0);
  CHECK(second->serial() > first->serial());
  const std::uint64_t last = second->serial();
  first.reset();
  second.reset();
  // The allocator may well hand the new world an old one's address: its serial is still new.
  auto third = world::World::build(journey(), trace, &error);
  REQUIRE(third);
  CHECK(third->serial() > last);
}

TEST_CASE("expectations pass and fail with what was found instead", "[world][expect]") {
  scenario::Scenario s = journey();
  s.expect.mailboxes.push_back(
      {"julia@yahoo.example", 1, {"¿Quedamos mañana?"}, std::nullopt, std::nullopt});
  s.expect.replies.push_back({250, std::string("2.0.0"), std::string("mx.yahoo.example"), {}});
  s.expect.queues.push_back({"smtp.gmail.example", 0});
  s.expect.bounce_count = 0;
  core::Trace trace;
  auto w = run(s, trace, SimTime::from_minutes(5));
  for (const auto& r : world::check_expectations(*w, s.expect)) {
    INFO(r.what.key);
    CHECK(r.passed);
  }
  scenario::Expectations wrong;
  wrong.mailboxes.push_back({"julia@yahoo.example", 2, {"Otra cosa"}, std::nullopt, std::nullopt});
  wrong.bounces.push_back({"marcos@gmail.example", "julia@yahoo.example", {}});
  const auto results = world::check_expectations(*w, wrong);
  REQUIRE(results.size() == 4);
  CHECK_FALSE(results[0].passed);
  CHECK(results[0].what.key == "expect.mailbox_count");
  CHECK(results[0].what.args == std::vector<std::string>{"julia@yahoo.example", "2"});
  CHECK(results[0].detail.key == "expect.found_count");
  CHECK(results[0].detail.args == std::vector<std::string>{"1"});
  CHECK_FALSE(results[1].passed);
  CHECK(results[1].detail.key == "expect.found_subjects");
  CHECK(results[1].detail.args == std::vector<std::string>{"\"¿Quedamos mañana?\""});
  CHECK_FALSE(results[2].passed);
  CHECK(results[2].detail.key == "expect.no_bounce");
  CHECK(results[3].passed);  // nothing lost
}

TEST_CASE("decoded_subject undoes RFC 2047 B and Q encoded-words", "[world][expect]") {
  CHECK(world::decoded_subject("Subject: =?UTF-8?B?wr9RdWVkYW1vcyBtYcOxYW5hPw==?=\r\n\r\n") ==
        "¿Quedamos mañana?");
  CHECK(world::decoded_subject("Subject: =?utf-8?q?caf=C3=A9_con?= =?utf-8?q?_leche?=\r\n\r\n") ==
        "café con leche");
  CHECK(world::decoded_subject("Subject: plain text\r\n\r\n") == "plain text");
  CHECK(world::decoded_subject("Subject: =?broken\r\n\r\n") == "=?broken");
}

#include "sim/scenario/scenario_json.h"

TEST_CASE("DNS answers take a round trip; a name server that is down defers mail", "[world][dns]") {
  scenario::LoadResult loaded =
      scenario::load_scenario_file(std::string(MAILHOP_SCENARIOS_DIR) + "/01-journey.json");
  REQUIRE(loaded.ok());
  scenario::Scenario s = *loaded.scenario;
  s.until = SimTime::from_hours(1);
  s.script.insert(s.script.begin(),
                  {SimTime{}, scenario::FaultAction{scenario::FaultKind::kHostDown, "ns.example", "",
                                                    SimTime::from_minutes(3)},
                   {}});
  core::Trace trace;
  core::TraceRecorder rec;
  trace.add_observer(&rec);
  auto w = run(s, trace, SimTime::from_minutes(4));
  std::vector<std::pair<SimTime, std::string>> answers;
  for (const auto& e : rec.events())
    if (e.kind == core::TraceKind::kDnsAnswer) answers.emplace_back(e.time, e.text);
  REQUIRE_FALSE(answers.empty());
  CHECK(answers[0].second == "MX yahoo.example: no answer from ns.example (timeout)");
  CHECK(kinds(rec, core::TraceKind::kDeferred).at(0).find("4.4.3 Host or domain name not found") !=
        std::string::npos);
  CHECK(w->mailbox("julia@yahoo.example")->inbox().messages().empty());
  w->run_until(SimTime::from_hours(1));  // the next retry finds the name server back
  CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 1);
  std::vector<std::pair<SimTime, std::string>> later;
  for (const auto& e : rec.events())
    if (e.kind == core::TraceKind::kDnsQuery || e.kind == core::TraceKind::kDnsAnswer)
      later.emplace_back(e.time, e.text);
  REQUIRE(later.size() >= 4);
  // The successful lookup: the answer comes one round trip (2 × 5 ms) after the query.
  const auto& q = later[later.size() - 2];
  const auto& a = later[later.size() - 1];
  CHECK(a.first - q.first == SimTime::from_millis(10));
  CHECK(a.second == "MX yahoo.example: 10 mx.yahoo.example");
  CHECK(w->audit().empty());
}
