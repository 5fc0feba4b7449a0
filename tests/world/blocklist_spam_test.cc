// DNS blocklists (RFC 5782) and the content filter: the replies a listed client and a spammy
// message get, and the bounce that brings the news back to the sender.

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/mail/message.h"
#include "sim/world/dns.h"
#include "sim/world/world.h"
#include "tests/support/world_run.h"

using namespace mailhop;
using core::SimTime;
using scenario::Role;

namespace {

constexpr const char* kBlocked =
    "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using bl.example; "
    "Listed for spam";
constexpr const char* kSpam = "550 5.7.1 Message content rejected: looks like spam";

// marcos@gmail.example (laptop) → smtp.gmail.example (MSA+MTA, 192.0.2.10) → mx.yahoo.example,
// which consults bl.example and filters content.
scenario::Scenario world_with_filters() {
  scenario::Scenario s;
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
  yahoo.policy.dnsbl = {"bl.example"};
  yahoo.policy.spam_words = {"free money", "Viagra"};
  s.nodes = {laptop, gmail, yahoo};
  s.links = {
      {"laptop.marcos.example", "smtp.gmail.example", SimTime::from_millis(20), 0, 0.0, true},
      {"smtp.gmail.example", "mx.yahoo.example", SimTime::from_millis(40), 0, 0.0, true}};
  s.dns = {{"gmail.example", scenario::DnsType::kMx, 10, "smtp.gmail.example"},
           {"yahoo.example", scenario::DnsType::kMx, 10, "mx.yahoo.example"}};
  s.users = {{"marcos@gmail.example", "secreto", "", 0}, {"julia@yahoo.example", "clave", "", 0}};
  scenario::SendAction send;
  send.from_node = "laptop.marcos.example";
  send.from = "marcos@gmail.example";
  send.to = {"julia@yahoo.example"};
  send.subject = "Apuntes";
  send.body = "Hola Julia:\n\nTe paso los apuntes.\n\nMarcos\n";
  s.script.push_back({SimTime::from_seconds(1), send, {}});
  return s;
}

void list_gmail(scenario::Scenario& s) {
  s.dns.push_back({"10.2.0.192.bl.example", scenario::DnsType::kA, 10, "127.0.0.2"});
  s.dns.push_back({"10.2.0.192.bl.example", scenario::DnsType::kTxt, 10, "Listed for spam"});
}

using testing::contains;

// Every run lasts this long: retries and bounces included.
const SimTime kUntil = SimTime::from_minutes(5);

std::unique_ptr<world::World> run(const scenario::Scenario& s, core::Trace& trace) {
  return testing::run_world(s, trace, kUntil);
}

using testing::reply_count;

}  // namespace

TEST_CASE("a blocklist query name is the IPv4 address reversed under the zone", "[world][dns]") {
  CHECK(world::dnsbl_query_name("198.51.100.10", "bl.example") == "10.100.51.198.bl.example");
  CHECK(world::dnsbl_query_name("192.0.2.1", "BL.Example.") == "1.2.0.192.bl.example");
  CHECK(world::dnsbl_query_name("2001:db8::25", "bl.example").empty());
  CHECK(world::dnsbl_query_name("", "bl.example").empty());
  CHECK(world::dnsbl_query_name("192.0.2", "bl.example").empty());
  CHECK(world::dnsbl_query_name("192.0.2.1.5", "bl.example").empty());
  CHECK(world::dnsbl_query_name("192.0.2.256", "bl.example").empty());
  CHECK(world::dnsbl_query_name("192.0.02.1", "bl.example").empty());
}

TEST_CASE("a blocklist lookup: listed with a reason, not listed, or failed", "[world][dns]") {
  world::Dns dns;
  dns.add_a("10.100.51.198.bl.example", "127.0.0.2");
  dns.add_txt("10.100.51.198.bl.example", "Listed for spam");
  dns.add_a("11.100.51.198.bl.example", "127.0.0.2");

  const world::DnsblLookup listed = world::lookup_dnsbl(dns, "198.51.100.10", "bl.example");
  CHECK(listed.query == "10.100.51.198.bl.example");
  CHECK(listed.listed);
  CHECK(listed.reason == "Listed for spam");
  CHECK(listed.explanation ==
        "A 10.100.51.198.bl.example: 127.0.0.2 (listed on bl.example); TXT \"Listed for spam\"");

  const world::DnsblLookup no_reason = world::lookup_dnsbl(dns, "198.51.100.11", "bl.example");
  CHECK(no_reason.listed);
  CHECK(no_reason.reason.empty());

  const world::DnsblLookup clean = world::lookup_dnsbl(dns, "198.51.100.12", "bl.example");
  CHECK_FALSE(clean.listed);
  CHECK(clean.explanation == "A 12.100.51.198.bl.example: NXDOMAIN (not listed)");

  dns.set_failure("10.100.51.198.bl.example", world::DnsStatus::kServFail);
  const world::DnsblLookup failed = world::lookup_dnsbl(dns, "198.51.100.10", "bl.example");
  CHECK_FALSE(failed.listed);
  CHECK(failed.explanation ==
        "A 10.100.51.198.bl.example: SERVFAIL (lookup failed: treated as not listed)");

  CHECK(world::lookup_dnsbl(dns, "2001:db8::1", "bl.example").query.empty());
}

TEST_CASE("a client listed on a blocklist gets 554 5.7.1 at RCPT TO and the sender a bounce",
          "[world][dns]") {
  scenario::Scenario s = world_with_filters();
  list_gmail(s);
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;

  // The MX asked the blocklist about its client, as it asks DNS anything else.
  CHECK(contains(r.lines(core::TraceKind::kDnsQuery),
                 "mx.yahoo.example: 10.2.0.192.bl.example A"));
  CHECK(contains(r.lines(core::TraceKind::kDnsAnswer),
                 "mx.yahoo.example: A 10.2.0.192.bl.example: 127.0.0.2 (listed on bl.example); "
                 "TXT \"Listed for spam\""));
  // The refusal comes right after RCPT TO; the message never crossed.
  const std::vector<std::string> server = r.lines(core::TraceKind::kServerLine);
  const auto refused = std::find_if(server.begin(), server.end(), [](const std::string& l) {
    return l.find(kBlocked) != std::string::npos;
  });
  REQUIRE(refused != server.end());
  CHECK(reply_count(*w, "mx.yahoo.example", 554, "5.7.1") == 1);
  CHECK(reply_count(*w, "mx.yahoo.example", 354, "") == 0);

  CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 0);
  REQUIRE(w->bounces().size() == 1);
  const world::BounceRecord& b = w->bounces()[0];
  CHECK(b.node == "smtp.gmail.example");  // the server that held the message
  CHECK(b.to == "marcos@gmail.example");
  CHECK(b.recipient == "julia@yahoo.example");
  CHECK(b.status == "5.7.1");
  CHECK(b.diagnostic == std::string(kBlocked) + " (in reply to RCPT TO)");
  REQUIRE(w->mailbox("marcos@gmail.example")->inbox().count() == 1);
  const auto& bounced = w->mailbox("marcos@gmail.example")->inbox().messages();
  auto dsn = mail::Message::parse(bounced[0].content);
  REQUIRE(dsn);
  CHECK(dsn->body().find("Status: 5.7.1") != std::string::npos);
  CHECK(dsn->body().find("blocked using bl.example") != std::string::npos);
  CHECK(w->audit().empty());
}

TEST_CASE("a client that is not listed is looked up and its mail delivered", "[world][dns]") {
  testing::RecordedRun r(world_with_filters(), kUntil);
  auto& w = r.world;
  CHECK(contains(r.lines(core::TraceKind::kDnsAnswer),
                 "mx.yahoo.example: A 10.2.0.192.bl.example: NXDOMAIN (not listed)"));
  CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 1);
  CHECK(w->bounces().empty());
  CHECK(w->audit().empty());
}

TEST_CASE("the blocklist is consulted once per session and not on the submission port",
          "[world][dns]") {
  scenario::Scenario s = world_with_filters();
  // The laptop's own address is listed too: submission with AUTH is not checked.
  s.nodes[0].address = "203.0.113.5";
  s.dns.push_back({"5.113.0.203.bl.example", scenario::DnsType::kA, 10, "127.0.0.2"});
  s.nodes[1].policy.dnsbl = {"bl.example"};
  list_gmail(s);
  auto& send = std::get<scenario::SendAction>(s.script[0].action);
  send.to = {"julia@yahoo.example", "ana@yahoo.example"};
  s.users.push_back({"ana@yahoo.example", "clave", "", 0});
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  const std::vector<std::string> queries = r.lines(core::TraceKind::kDnsQuery);
  const std::string query = "mx.yahoo.example: 10.2.0.192.bl.example A";
  CHECK(std::count(queries.begin(), queries.end(), query) == 1);
  CHECK_FALSE(contains(queries, "smtp.gmail.example: 5.113.0.203.bl.example A"));
  CHECK(reply_count(*w, "mx.yahoo.example", 554, "5.7.1") == 2);  // one per recipient
  REQUIRE(w->bounces().size() == 2);
  CHECK(w->audit().empty());
}

TEST_CASE("a message with a spam phrase gets 550 5.7.1 after DATA and bounces", "[world]") {
  scenario::Scenario s = world_with_filters();
  std::get<scenario::SendAction>(s.script[0].action).body =
      "Hola Julia:\n\nHaz clic aqui y gana FREE MONEY hoy.\n";
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  CHECK(contains(r.lines(core::TraceKind::kServerLine),
                 std::string("mx.yahoo.example: ") + kSpam));
  CHECK(contains(r.lines(core::TraceKind::kNote),
                 "mx.yahoo.example: content filter: the message contains \"free money\""));
  CHECK(reply_count(*w, "mx.yahoo.example", 354, "") == 1);  // it was read, then refused
  CHECK(reply_count(*w, "mx.yahoo.example", 550, "5.7.1") == 1);
  CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 0);
  REQUIRE(w->bounces().size() == 1);
  CHECK(w->bounces()[0].node == "smtp.gmail.example");
  CHECK(w->bounces()[0].to == "marcos@gmail.example");
  CHECK(w->bounces()[0].status == "5.7.1");
  CHECK(w->bounces()[0].diagnostic == std::string(kSpam) + " (in reply to end of DATA)");
  CHECK(w->mailbox("marcos@gmail.example")->inbox().count() == 1);
  CHECK(w->audit().empty());
}

TEST_CASE("the content filter reads the header too, and passes clean mail", "[world]") {
  SECTION("a phrase in the subject") {
    scenario::Scenario s = world_with_filters();
    std::get<scenario::SendAction>(s.script[0].action).subject = "Cheap viagra";
    core::Trace trace;
    auto w = run(s, trace);
    CHECK(reply_count(*w, "mx.yahoo.example", 550, "5.7.1") == 1);
    CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 0);
    CHECK(w->bounces().size() == 1);
  }
  SECTION("no phrase") {
    core::Trace trace;
    auto w = run(world_with_filters(), trace);
    CHECK(reply_count(*w, "mx.yahoo.example", 550, "5.7.1") == 0);
    CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 1);
  }
}

TEST_CASE("a submission server's content filter leaves the message in the outbox", "[world]") {
  scenario::Scenario s = world_with_filters();
  s.nodes[1].policy.spam_words = {"free money"};
  std::get<scenario::SendAction>(s.script[0].action).body = "Free money!\n";
  core::Trace trace;
  auto w = run(s, trace);
  CHECK(reply_count(*w, "smtp.gmail.example", 550, "5.7.1") == 1);
  const world::NodeState* laptop = w->node("laptop.marcos.example");
  REQUIRE(laptop->outbox.size() == 1);
  CHECK(laptop->outbox[0].diagnostic.find(kSpam) != std::string::npos);
  CHECK(w->bounces().empty());
  CHECK(w->ledger().accepted == 0);
  CHECK(w->audit().empty());
}

TEST_CASE("a blocklist that cannot be asked does not block", "[world][dns]") {
  scenario::Scenario s = world_with_filters();
  list_gmail(s);
  scenario::Node ns;
  ns.name = "ns.example";
  ns.address = "192.0.2.53";
  ns.roles = {Role::kDns};
  s.nodes.push_back(ns);
  // Nothing reaches the name server; the sending server needs no MX lookup with a relay host.
  s.nodes[1].relay_host = "mx.yahoo.example";
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  CHECK(contains(r.lines(core::TraceKind::kDnsAnswer),
                 "mx.yahoo.example: A 10.2.0.192.bl.example: no answer from ns.example (timeout): "
                 "treated as not listed"));
  CHECK(reply_count(*w, "mx.yahoo.example", 554, "5.7.1") == 0);
  CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 1);
  CHECK(w->audit().empty());
}
