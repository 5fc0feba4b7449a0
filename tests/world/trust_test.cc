// Sender authentication at an MX: SPF at MAIL FROM, DKIM and DMARC after DATA, the replies
// they give and the Authentication-Results field on the messages that are accepted.

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/mail/dkim.h"
#include "sim/world/world.h"
#include "tests/support/world_run.h"

using namespace mailhop;
using core::SimTime;
using scenario::Role;

namespace {

// avisos@banco.example (pc) → smtp.banco.example (192.0.2.80) → mx.yahoo.example; and a
// fraudster (laptop) → smtp.ofertas.example (203.0.113.66) → mx.yahoo.example. The bank
// publishes SPF and DMARC; the fraudster publishes an honest SPF record for his own domain.
scenario::Scenario trust_world() {
  scenario::Scenario s;
  const auto mua = [](const char* name, const char* address, const char* msa) {
    scenario::Node n;
    n.name = name;
    n.roles = {Role::kMua};
    scenario::Account acc;
    acc.address = address;
    acc.password = "secreto";
    acc.submission_host = msa;
    n.accounts.push_back(acc);
    return n;
  };
  const auto server = [](const char* name, const char* address, const char* domain) {
    scenario::Node n;
    n.name = name;
    n.address = address;
    n.roles = {Role::kMsa, Role::kMta, Role::kMx, Role::kMda};
    n.domains = {domain};
    return n;
  };
  scenario::Node pc = mua("pc.banco.example", "avisos@banco.example", "smtp.banco.example");
  pc.address = "192.0.2.40";
  scenario::Node laptop =
      mua("laptop.estafador.example", "ofertas@ofertas.example", "smtp.ofertas.example");
  laptop.address = "203.0.113.7";
  scenario::Account forged = laptop.accounts[0];
  forged.address = "avisos@banco.example";
  forged.user = "ofertas@ofertas.example";
  laptop.accounts.push_back(forged);
  scenario::Node yahoo;
  yahoo.name = "mx.yahoo.example";
  yahoo.address = "198.51.100.20";
  yahoo.roles = {Role::kMx, Role::kMda};
  yahoo.domains = {"yahoo.example"};
  yahoo.policy.spf = scenario::SpfMode::kReject;
  yahoo.policy.dmarc = scenario::DmarcMode::kEnforce;
  s.nodes = {pc, laptop, server("smtp.banco.example", "192.0.2.80", "banco.example"),
             server("smtp.ofertas.example", "203.0.113.66", "ofertas.example"), yahoo};
  const SimTime ms = SimTime::from_millis(10);
  s.links = {{"pc.banco.example", "smtp.banco.example", ms, 0, 0.0, true},
             {"laptop.estafador.example", "smtp.ofertas.example", ms, 0, 0.0, true},
             {"smtp.banco.example", "mx.yahoo.example", ms, 0, 0.0, true},
             {"smtp.ofertas.example", "mx.yahoo.example", ms, 0, 0.0, true},
             {"smtp.ofertas.example", "smtp.banco.example", ms, 0, 0.0, true}};
  s.dns = {{"banco.example", scenario::DnsType::kMx, 10, "smtp.banco.example"},
           {"ofertas.example", scenario::DnsType::kMx, 10, "smtp.ofertas.example"},
           {"yahoo.example", scenario::DnsType::kMx, 10, "mx.yahoo.example"},
           {"banco.example", scenario::DnsType::kTxt, 10, "v=spf1 ip4:192.0.2.80 -all"},
           {"_dmarc.banco.example", scenario::DnsType::kTxt, 10, "v=DMARC1; p=reject"},
           {"ofertas.example", scenario::DnsType::kTxt, 10, "v=spf1 ip4:203.0.113.66 -all"}};
  s.users = {{"avisos@banco.example", "secreto", "", 0},
             {"ofertas@ofertas.example", "secreto", "", 0},
             {"julia@yahoo.example", "clave", "", 0}};
  return s;
}

enum class Sender { kBank, kForgedFrom, kForgedEnvelope };

void send(scenario::Scenario& s, Sender who) {
  scenario::SendAction a;
  a.to = {"julia@yahoo.example"};
  a.subject = "Aviso";
  a.body = "Hola Julia.\n";
  switch (who) {
    case Sender::kBank:
      a.from_node = "pc.banco.example";
      a.from = "avisos@banco.example";
      break;
    case Sender::kForgedFrom:
      a.from_node = "laptop.estafador.example";
      a.from = "ofertas@ofertas.example";
      a.header_from = "Banco Ejemplo <avisos@banco.example>";
      break;
    case Sender::kForgedEnvelope:
      a.from_node = "laptop.estafador.example";
      a.from = "avisos@banco.example";
      break;
  }
  s.script.push_back({SimTime::from_seconds(1), a, {}});
}

using testing::contains;

bool any_starts_with(const std::vector<std::string>& v, const std::string& prefix) {
  return std::any_of(v.begin(), v.end(),
                     [&](const std::string& x) { return x.starts_with(prefix); });
}

// Every run lasts this long: retries and bounces included.
const SimTime kUntil = SimTime::from_minutes(5);

std::unique_ptr<world::World> run(const scenario::Scenario& s, core::Trace& trace) {
  return testing::run_world(s, trace, kUntil);
}

using testing::reply_count;

// The header section of Julia's only message.
std::string julia_header(world::World& w) {
  const mail::Folder& inbox = w.mailbox("julia@yahoo.example")->inbox();
  REQUIRE(inbox.count() == 1);
  const std::string& content = inbox.messages()[0].content;
  return content.substr(0, content.find("\r\n\r\n") + 2);
}

}  // namespace

TEST_CASE("the bank's own message passes SPF and DMARC and is marked so", "[world][spf]") {
  scenario::Scenario s = trust_world();
  send(s, Sender::kBank);
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  const std::string header = julia_header(*w);
  // On top of what the MX received (below the MDA's Return-Path and Delivered-To), above the
  // MX's own Received field.
  const std::string expected =
      "Authentication-Results: mx.yahoo.example;\r\n"
      " spf=pass smtp.mailfrom=banco.example;\r\n"
      " dkim=none;\r\n"
      " dmarc=pass (p=reject) header.from=banco.example\r\n"
      "Received: from smtp.banco.example";
  CHECK(header.find(expected) != std::string::npos);
  CHECK(header.find("Authentication-Results") < header.find("Received:"));
  const auto queries = r.lines(core::TraceKind::kDnsQuery);
  CHECK(contains(queries, "mx.yahoo.example: banco.example TXT"));
  CHECK(contains(queries, "mx.yahoo.example: _dmarc.banco.example TXT"));
  CHECK(contains(r.lines(core::TraceKind::kDnsAnswer),
                 "mx.yahoo.example: TXT banco.example: \"v=spf1 ip4:192.0.2.80 -all\""));
  const auto notes = r.lines(core::TraceKind::kNote);
  CHECK(any_starts_with(notes, "mx.yahoo.example: SPF pass for banco.example: 192.0.2.80"));
  CHECK(any_starts_with(notes, "mx.yahoo.example: DMARC pass for banco.example"));
  CHECK(w->bounces().empty());
  CHECK(w->audit().empty());
}

TEST_CASE("a forged From: fails DMARC and p=reject refuses it after DATA", "[world][spf]") {
  scenario::Scenario s = trust_world();
  send(s, Sender::kForgedFrom);
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  const std::string refusal =
      "550 5.7.1 Message refused: it fails DMARC for its From: domain banco.example, whose "
      "policy is p=reject";
  CHECK(contains(r.lines(core::TraceKind::kServerLine), "mx.yahoo.example: " + refusal));
  CHECK(reply_count(*w, "mx.yahoo.example", 354, "") == 1);  // read first, then refused
  CHECK(any_starts_with(r.lines(core::TraceKind::kNote),
                        "mx.yahoo.example: SPF pass for ofertas.example"));
  CHECK(any_starts_with(r.lines(core::TraceKind::kNote),
                        "mx.yahoo.example: DMARC fail for banco.example: SPF passed, but for "
                        "ofertas.example, not aligned"));
  CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 0);
  // The bounce goes to the envelope sender, the fraudster, not to the bank.
  REQUIRE(w->bounces().size() == 1);
  CHECK(w->bounces()[0].to == "ofertas@ofertas.example");
  CHECK(w->bounces()[0].status == "5.7.1");
  CHECK(w->mailbox("avisos@banco.example")->inbox().count() == 0);
  CHECK(w->audit().empty());
}

TEST_CASE("a forged envelope fails SPF and is refused at MAIL FROM", "[world][spf]") {
  scenario::Scenario s = trust_world();
  send(s, Sender::kForgedEnvelope);
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  CHECK(contains(r.lines(core::TraceKind::kServerLine),
                 "mx.yahoo.example: 550 5.7.23 SPF validation failed: 203.0.113.66 is not "
                 "allowed to send mail for banco.example"));
  CHECK(reply_count(*w, "mx.yahoo.example", 354, "") == 0);  // the message never travelled
  CHECK_FALSE(contains(r.lines(core::TraceKind::kDnsQuery),
                       "mx.yahoo.example: _dmarc.banco.example TXT"));
  CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 0);
  // The bounce goes to the forged envelope sender: the bank, for mail it never sent.
  REQUIRE(w->bounces().size() == 1);
  CHECK(w->bounces()[0].to == "avisos@banco.example");
  CHECK(w->bounces()[0].status == "5.7.23");
  CHECK(w->mailbox("avisos@banco.example")->inbox().count() == 1);
  CHECK(w->audit().empty());
}

TEST_CASE("with mark the MX only records what it found", "[world][spf]") {
  scenario::Scenario s = trust_world();
  s.nodes[4].policy.spf = scenario::SpfMode::kMark;
  s.nodes[4].policy.dmarc = scenario::DmarcMode::kMark;
  send(s, Sender::kForgedEnvelope);
  core::Trace trace;
  auto w = run(s, trace);
  const std::string header = julia_header(*w);
  CHECK(header.find("Authentication-Results: mx.yahoo.example;\r\n"
                    " spf=fail smtp.mailfrom=banco.example;\r\n"
                    " dkim=none;\r\n"
                    " dmarc=fail (p=reject) header.from=banco.example\r\n") != std::string::npos);
  CHECK(w->bounces().empty());
  CHECK(w->audit().empty());
}

TEST_CASE("SPF alone, and DMARC alone", "[world][spf]") {
  SECTION("spf without dmarc: no _dmarc lookup, no dmarc= in the field") {
    scenario::Scenario s = trust_world();
    s.nodes[4].policy.dmarc = scenario::DmarcMode::kOff;
    send(s, Sender::kForgedFrom);
    testing::RecordedRun r(s, kUntil);
    auto& w = r.world;
    CHECK_FALSE(contains(r.lines(core::TraceKind::kDnsQuery),
                         "mx.yahoo.example: _dmarc.banco.example TXT"));
    const std::string header = julia_header(*w);
    CHECK(header.find("Authentication-Results: mx.yahoo.example;\r\n"
                      " spf=pass smtp.mailfrom=ofertas.example\r\nReceived:") != std::string::npos);
  }
  SECTION("dmarc without spf refusals still evaluates SPF for alignment") {
    scenario::Scenario s = trust_world();
    s.nodes[4].policy.spf = scenario::SpfMode::kOff;
    send(s, Sender::kForgedEnvelope);
    core::Trace trace;
    auto w = run(s, trace);
    CHECK(reply_count(*w, "mx.yahoo.example", 550, "5.7.23") == 0);
    CHECK(reply_count(*w, "mx.yahoo.example", 550, "5.7.1") == 1);  // DMARC p=reject
    CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 0);
  }
}

TEST_CASE("p=quarantine accepts the message and marks it", "[world][spf]") {
  scenario::Scenario s = trust_world();
  for (scenario::DnsRecord& r : s.dns)
    if (r.name == "_dmarc.banco.example") r.value = "v=DMARC1; p=quarantine";
  send(s, Sender::kForgedFrom);
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  const std::string header = julia_header(*w);
  CHECK(header.find(" dmarc=fail (p=quarantine: to the spam folder) header.from=banco.example") !=
        std::string::npos);
  const auto notes = r.lines(core::TraceKind::kNote);
  CHECK(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
    return n.find("DMARC fail for banco.example") != std::string::npos &&
           n.find("spam folder") != std::string::npos;
  }));
  CHECK(w->bounces().empty());
}

TEST_CASE("sender checks leave submission and unchecked servers alone", "[world][spf]") {
  SECTION("the submission port is not checked") {
    scenario::Scenario s = trust_world();
    // The bank's own MSA checks SPF; the PC (192.0.2.40) is not in the SPF record.
    s.nodes[2].policy.spf = scenario::SpfMode::kReject;
    s.nodes[2].policy.dmarc = scenario::DmarcMode::kEnforce;
    send(s, Sender::kBank);
    core::Trace trace;
    auto w = run(s, trace);
    CHECK(reply_count(*w, "smtp.banco.example", 550, "5.7.23") == 0);
    CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 1);
  }
  SECTION("off by default: no lookups and no Authentication-Results") {
    scenario::Scenario s = trust_world();
    s.nodes[4].policy = scenario::ServerPolicy{};
    send(s, Sender::kForgedEnvelope);
    testing::RecordedRun r(s, kUntil);
    auto& w = r.world;
    CHECK_FALSE(
        contains(r.lines(core::TraceKind::kDnsQuery), "mx.yahoo.example: banco.example TXT"));
    CHECK(julia_header(*w).find("Authentication-Results") == std::string::npos);
  }
}

TEST_CASE("a bounce's null sender is checked by its HELO name", "[world][spf]") {
  scenario::Scenario s = trust_world();
  // The bank's server checks too: the bounce of the forged envelope arrives there from
  // smtp.ofertas.example with MAIL FROM:<>.
  s.nodes[2].policy.spf = scenario::SpfMode::kMark;
  s.dns.push_back({"smtp.ofertas.example", scenario::DnsType::kTxt, 10, "v=spf1 a -all"});
  s.dns.push_back({"smtp.ofertas.example", scenario::DnsType::kA, 10, "203.0.113.66"});
  send(s, Sender::kForgedEnvelope);
  core::Trace trace;
  auto w = run(s, trace);
  const mail::Folder& inbox = w->mailbox("avisos@banco.example")->inbox();
  REQUIRE(inbox.count() == 1);
  CHECK(inbox.messages()[0].content.find("Authentication-Results: smtp.banco.example;\r\n"
                                         " spf=pass smtp.helo=smtp.ofertas.example\r\n") !=
        std::string::npos);
}

TEST_CASE("SPF that cannot be looked up defers with 451 4.7.24", "[world][spf]") {
  scenario::Scenario s = trust_world();
  scenario::Node ns;
  ns.name = "ns.example";
  ns.address = "192.0.2.53";
  ns.roles = {Role::kDns};
  s.nodes.push_back(ns);  // linked to nobody: no answer
  s.nodes[3].relay_host = "mx.yahoo.example";
  send(s, Sender::kForgedFrom);
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  CHECK(contains(r.lines(core::TraceKind::kDnsAnswer),
                 "mx.yahoo.example: TXT ofertas.example: no answer from ns.example (timeout)"));
  CHECK(reply_count(*w, "mx.yahoo.example", 451, "4.7.24") >= 1);
  CHECK(w->mailbox("julia@yahoo.example")->inbox().count() == 0);
  CHECK(w->bounces().empty());
  CHECK(w->pending_recipients() == 1);  // still queued at the sender, to be retried
  CHECK(w->audit().empty());
}

TEST_CASE("a forged Authentication-Results in the MX's name is removed", "[world][spf]") {
  scenario::Scenario s = trust_world();
  s.nodes[4].policy.dmarc = scenario::DmarcMode::kMark;
  send(s, Sender::kForgedFrom);
  auto& a = std::get<scenario::SendAction>(s.script[0].action);
  a.headers["Authentication-Results"] =
      "MX.yahoo.example; spf=pass smtp.mailfrom=banco.example; dmarc=pass "
      "header.from=banco.example";
  a.headers["X-Other"] = "kept";
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  const std::string header = julia_header(*w);
  CHECK(header.find("dmarc=pass") == std::string::npos);
  CHECK(header.find(" dmarc=fail (p=reject) header.from=banco.example") != std::string::npos);
  CHECK(header.find("Authentication-Results") == header.rfind("Authentication-Results"));
  CHECK(header.find("X-Other: kept\r\n") != std::string::npos);
  CHECK(contains(r.lines(core::TraceKind::kNote),
                 "mx.yahoo.example: removed an Authentication-Results field in mx.yahoo.example's "
                 "name that the sender wrote itself"));
}

TEST_CASE("another server's Authentication-Results is kept", "[world][spf]") {
  scenario::Scenario s = trust_world();
  send(s, Sender::kBank);
  std::get<scenario::SendAction>(s.script[0].action).headers["Authentication-Results"] =
      "mx.otro.example; spf=none";
  core::Trace trace;
  auto w = run(s, trace);
  const std::string header = julia_header(*w);
  CHECK(header.find("Authentication-Results: mx.otro.example; spf=none\r\n") != std::string::npos);
  CHECK(header.find("Authentication-Results: mx.yahoo.example;\r\n spf=pass") != std::string::npos);
}

namespace {

std::string test_key(const char* name) {
  std::ifstream in(std::string(MAILHOP_TEST_DATA_DIR) + "/dkim/" + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The bank's MSA signs with the demo key; the zone publishes `published`'s public half.
void sign_for_bank(scenario::Scenario& s, const char* published = "demo-2048.pem") {
  s.nodes[2].dkim = scenario::DkimSigning{"banco.example", "s1", test_key("demo-2048.pem")};
  std::string error;
  const std::string record = mail::dkim_key_record(test_key(published), &error);
  REQUIRE(error.empty());
  s.dns.push_back({"s1._domainkey.banco.example", scenario::DnsType::kTxt, 10, record});
}

}  // namespace

TEST_CASE("the bank's MSA signs with DKIM and the MX verifies the signature", "[world][dkim]") {
  scenario::Scenario s = trust_world();
  sign_for_bank(s);
  send(s, Sender::kBank);
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  const std::string header = julia_header(*w);
  CHECK(header.find("Authentication-Results: mx.yahoo.example;\r\n"
                    " spf=pass smtp.mailfrom=banco.example;\r\n"
                    " dkim=pass header.d=banco.example header.s=s1;\r\n"
                    " dmarc=pass (p=reject) header.from=banco.example\r\n") != std::string::npos);
  // Signed at submission, after Date and Message-ID were added: both are in h=.
  CHECK(header.find("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=banco.example; "
                    "s=s1;\r\n\th=from:to:subject:date:message-id") != std::string::npos);
  const auto notes = r.lines(core::TraceKind::kNote);
  CHECK(any_starts_with(notes, "smtp.banco.example: DKIM: signed for banco.example with selector s1"));
  CHECK(any_starts_with(notes, "mx.yahoo.example: DKIM pass for banco.example"));
  CHECK(contains(r.lines(core::TraceKind::kDnsQuery),
                 "mx.yahoo.example: s1._domainkey.banco.example TXT"));
  // The message in Julia's mailbox still verifies: the hops after the MSA added only fields
  // that are not signed.
  const std::vector<mail::DkimCheck> again = mail::verify_dkim(
      w->mailbox("julia@yahoo.example")->inbox().messages()[0].content,
      [&s](std::string_view name) {
        mail::SpfDnsAnswer a{mail::SpfDnsStatus::kNotFound, {}};
        for (const scenario::DnsRecord& record : s.dns)
          if (record.type == scenario::DnsType::kTxt && record.name == name) {
            a.status = mail::SpfDnsStatus::kOk;
            a.records.push_back(record.value);
          }
        return a;
      });
  REQUIRE(again.size() == 1);
  CHECK(again[0].result == mail::DkimResult::kPass);
  CHECK(w->audit().empty());
}

TEST_CASE("signing is deterministic: two runs store the same octets", "[world][dkim]") {
  std::string first;
  for (int run_number = 0; run_number < 2; ++run_number) {
    scenario::Scenario s = trust_world();
    sign_for_bank(s);
    send(s, Sender::kBank);
    core::Trace trace;
    auto w = run(s, trace);
    const std::string content = w->mailbox("julia@yahoo.example")->inbox().messages()[0].content;
    if (run_number == 0)
      first = content;
    else
      CHECK(content == first);
  }
}

TEST_CASE("an aligned DKIM pass makes DMARC pass when SPF is not aligned", "[world][dkim]") {
  // The bank's newsletter provider: its own envelope domain, the bank's signing key.
  scenario::Scenario s = trust_world();
  sign_for_bank(s);
  s.nodes[3].dkim = s.nodes[2].dkim;
  send(s, Sender::kForgedFrom);
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  CHECK(reply_count(*w, "mx.yahoo.example", 550, "5.7.1") == 0);
  const std::string header = julia_header(*w);
  CHECK(header.find(" spf=pass smtp.mailfrom=ofertas.example;\r\n"
                    " dkim=pass header.d=banco.example header.s=s1;\r\n"
                    " dmarc=pass (p=reject) header.from=banco.example\r\n") != std::string::npos);
  CHECK(any_starts_with(r.lines(core::TraceKind::kNote),
                        "mx.yahoo.example: DMARC pass for banco.example: the DKIM signature of "
                        "banco.example verified"));
}

TEST_CASE("a signature that does not verify is a DKIM fail and does not help DMARC",
          "[world][dkim]") {
  SECTION("the zone publishes another key: SPF still carries DMARC") {
    scenario::Scenario s = trust_world();
    sign_for_bank(s, "other-1024.pem");
    send(s, Sender::kBank);
    core::Trace trace;
    auto w = run(s, trace);
    const std::string header = julia_header(*w);
    CHECK(header.find(" dkim=fail (signature did not verify) header.d=banco.example "
                      "header.s=s1;\r\n dmarc=pass") != std::string::npos);
  }
  SECTION("no key published: permerror") {
    scenario::Scenario s = trust_world();
    sign_for_bank(s);
    s.dns.pop_back();
    send(s, Sender::kBank);
    core::Trace trace;
    auto w = run(s, trace);
    CHECK(julia_header(*w).find(" dkim=permerror header.d=banco.example header.s=s1;") !=
          std::string::npos);
  }
  SECTION("a forged From: with a made-up signature is still refused") {
    scenario::Scenario s = trust_world();
    sign_for_bank(s);
    send(s, Sender::kForgedFrom);
    std::get<scenario::SendAction>(s.script[0].action).headers["DKIM-Signature"] =
        "v=1; a=rsa-sha256; d=banco.example; s=s1; h=from; "
        "bh=vzKxlhKzZZM0uEJibvq3JB5dqn7Jvs4TPu5q8lXLoJw=; b=ZmFsc2lmaWNhZGE=";
    testing::RecordedRun r(s, kUntil);
    auto& w = r.world;
    CHECK(reply_count(*w, "mx.yahoo.example", 550, "5.7.1") == 1);
    CHECK(any_starts_with(r.lines(core::TraceKind::kNote),
                          "mx.yahoo.example: DKIM fail for banco.example: body hash did not verify"));
  }
}

TEST_CASE("dkim mark alone verifies without SPF or DMARC", "[world][dkim]") {
  scenario::Scenario s = trust_world();
  sign_for_bank(s);
  s.nodes[4].policy.spf = scenario::SpfMode::kOff;
  s.nodes[4].policy.dmarc = scenario::DmarcMode::kOff;
  s.nodes[4].policy.dkim = scenario::DkimMode::kMark;
  send(s, Sender::kBank);
  testing::RecordedRun r(s, kUntil);
  auto& w = r.world;
  CHECK(julia_header(*w).find("Authentication-Results: mx.yahoo.example;\r\n"
                              " dkim=pass header.d=banco.example header.s=s1\r\nReceived:") !=
        std::string::npos);
  const auto queries = r.lines(core::TraceKind::kDnsQuery);
  CHECK_FALSE(contains(queries, "mx.yahoo.example: banco.example TXT"));
  CHECK_FALSE(contains(queries, "mx.yahoo.example: _dmarc.banco.example TXT"));
}
