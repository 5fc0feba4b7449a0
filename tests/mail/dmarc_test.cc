// DMARC (RFC 7489): records, the From: domain, alignment, and the policy that applies.

#include "sim/mail/dmarc.h"
#include "tests/support/fake_txt.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mailhop::mail {
namespace {

using testing::FakeTxt;

DmarcInput spf_input(std::string from, SpfResult spf, std::string spf_domain) {
  DmarcInput in;
  in.from_domain = std::move(from);
  in.spf = spf;
  in.spf_domain = std::move(spf_domain);
  return in;
}

}  // namespace

TEST_CASE("dmarc records are parsed tag by tag", "[mail][dmarc]") {
  std::string why;
  const auto r = parse_dmarc_record(
      "v=DMARC1; p=reject; sp=quarantine; aspf=s; pct=50; "
      "rua=mailto:dmarc@banco.example",
      &why);
  REQUIRE(r);
  CHECK(r->policy == DmarcPolicy::kReject);
  CHECK(r->subdomain_policy == DmarcPolicy::kQuarantine);
  CHECK(r->spf_alignment == DmarcAlignment::kStrict);
  CHECK(r->dkim_alignment == DmarcAlignment::kRelaxed);
  CHECK(r->percent == 50);
  const auto spaced = parse_dmarc_record("v=DMARC1 ;p = Quarantine ;", &why);
  REQUIRE(spaced);
  CHECK(spaced->policy == DmarcPolicy::kQuarantine);

  const char* const bad[] = {"v=DMARC2; p=reject",
                             "p=reject; v=DMARC1",
                             "v=DMARC1",
                             "v=DMARC1; p=delete",
                             "v=DMARC1; p=none; aspf=x",
                             "v=DMARC1; p=none; pct=101",
                             "v=DMARC1; p=none; pct=abc",
                             "v=DMARC1; p=none; sp=maybe",
                             "v=DMARC1; p=none; junk",
                             ""};
  for (const char* text : bad) {
    INFO(text);
    why.clear();
    CHECK_FALSE(parse_dmarc_record(text, &why));
    CHECK_FALSE(why.empty());
  }
  CHECK(dmarc_policy_name(DmarcPolicy::kQuarantine) == "quarantine");
  CHECK(dmarc_result_name(DmarcResult::kFail) == "fail");
}

TEST_CASE("dmarc organisational domain and relaxed or strict alignment", "[mail][dmarc]") {
  CHECK(organizational_domain("mail.banco.example") == "banco.example");
  CHECK(organizational_domain("Banco.Example.") == "banco.example");
  CHECK(organizational_domain("a.b.c.banco.example") == "banco.example");
  CHECK(organizational_domain("example") == "example");
  CHECK(dmarc_aligned("mail.banco.example", "banco.example", DmarcAlignment::kRelaxed));
  CHECK_FALSE(dmarc_aligned("mail.banco.example", "banco.example", DmarcAlignment::kStrict));
  CHECK(dmarc_aligned("BANCO.example", "banco.example", DmarcAlignment::kStrict));
  CHECK_FALSE(dmarc_aligned("ofertas.example", "banco.example", DmarcAlignment::kRelaxed));
  CHECK_FALSE(dmarc_aligned("", "banco.example", DmarcAlignment::kRelaxed));
}

TEST_CASE("dmarc reads the domain of the From: field", "[mail][dmarc]") {
  CHECK(header_from_domain("From: avisos@banco.example\r\nTo: x@y.example\r\n\r\nBody") ==
        "banco.example");
  CHECK(header_from_domain("Date: x\r\nfrom: \"Banco, S.A.\" <Avisos@Banco.Example>\r\n\r\n") ==
        "banco.example");
  CHECK(header_from_domain("From: Banco\r\n <avisos@banco.example>\r\n\r\n") == "banco.example");
  CHECK(header_from_domain("From: avisos@banco.example (Banco)\n\n") == "banco.example");
  // A From: in the body is not the header's.
  CHECK(header_from_domain("To: x@y.example\r\n\r\nFrom: avisos@banco.example\r\n").empty());
  CHECK(header_from_domain("From: a@banco.example\r\nFrom: b@ofertas.example\r\n\r\n").empty());
  CHECK(header_from_domain("From: Banco\r\n\r\n").empty());
  CHECK(header_from_domain("").empty());
}

TEST_CASE("dmarc passes with aligned SPF and fails a forged From:", "[mail][dmarc]") {
  FakeTxt dns;
  dns.zone["_dmarc.banco.example"] = {"v=DMARC1; p=reject"};
  const DmarcCheck genuine =
      check_dmarc(dns.lookup(), spf_input("banco.example", SpfResult::kPass, "banco.example"));
  CHECK(genuine.result == DmarcResult::kPass);
  CHECK(genuine.spf_aligned);
  CHECK(genuine.policy == DmarcPolicy::kReject);
  CHECK(genuine.record_name == "_dmarc.banco.example");

  // The forged-From case: SPF passes for the sender's own domain, not for the bank's.
  const DmarcCheck forged =
      check_dmarc(dns.lookup(), spf_input("banco.example", SpfResult::kPass, "ofertas.example"));
  CHECK(forged.result == DmarcResult::kFail);
  CHECK_FALSE(forged.spf_aligned);
  CHECK(forged.policy == DmarcPolicy::kReject);
  CHECK(forged.explanation.find("not aligned") != std::string::npos);

  const DmarcCheck spf_failed =
      check_dmarc(dns.lookup(), spf_input("banco.example", SpfResult::kFail, "banco.example"));
  CHECK(spf_failed.result == DmarcResult::kFail);

  // A subdomain in MAIL FROM is aligned in relaxed mode, not in strict mode.
  const DmarcInput sub = spf_input("banco.example", SpfResult::kPass, "envios.banco.example");
  CHECK(check_dmarc(dns.lookup(), sub).result == DmarcResult::kPass);
  dns.zone["_dmarc.banco.example"] = {"v=DMARC1; p=quarantine; aspf=s"};
  const DmarcCheck strict = check_dmarc(dns.lookup(), sub);
  CHECK(strict.result == DmarcResult::kFail);
  CHECK(strict.policy == DmarcPolicy::kQuarantine);

  // A verified DKIM signature of an aligned domain is enough.
  DmarcInput dkim = spf_input("banco.example", SpfResult::kSoftFail, "ofertas.example");
  dkim.dkim_domains = {"banco.example"};
  CHECK(check_dmarc(dns.lookup(), dkim).result == DmarcResult::kPass);
}

TEST_CASE("dmarc policy discovery: organisational domain, none, errors", "[mail][dmarc]") {
  FakeTxt dns;
  dns.zone["_dmarc.banco.example"] = {"v=DMARC1; p=reject; sp=quarantine"};
  const DmarcCheck sub = check_dmarc(
      dns.lookup(), spf_input("avisos.banco.example", SpfResult::kPass, "ofertas.example"));
  CHECK(dns.asked ==
        std::vector<std::string>{"_dmarc.avisos.banco.example", "_dmarc.banco.example"});
  CHECK(sub.result == DmarcResult::kFail);
  CHECK(sub.policy == DmarcPolicy::kQuarantine);  // sp= for a subdomain

  const DmarcCheck none =
      check_dmarc(dns.lookup(), spf_input("ofertas.example", SpfResult::kPass, "ofertas.example"));
  CHECK(none.result == DmarcResult::kNone);
  CHECK(none.explanation.find("no DMARC policy") != std::string::npos);

  dns.zone["_dmarc.dos.example"] = {"v=DMARC1; p=reject", "v=DMARC1; p=none"};
  CHECK(
      check_dmarc(dns.lookup(), spf_input("dos.example", SpfResult::kFail, "dos.example")).result ==
      DmarcResult::kNone);
  dns.zone["_dmarc.mal.example"] = {"v=DMARC1; p=everything"};
  CHECK(
      check_dmarc(dns.lookup(), spf_input("mal.example", SpfResult::kFail, "mal.example")).result ==
      DmarcResult::kPermError);
  dns.failing.insert("_dmarc.caido.example");
  CHECK(check_dmarc(dns.lookup(), spf_input("caido.example", SpfResult::kPass, "caido.example"))
            .result == DmarcResult::kTempError);
  CHECK(check_dmarc(dns.lookup(), spf_input("", SpfResult::kPass, "x.example")).result ==
        DmarcResult::kNone);
  // Other TXT records beside the policy do not count.
  dns.zone["_dmarc.otro.example"] = {"hello", "v=DMARC1; p=none"};
  const DmarcCheck other =
      check_dmarc(dns.lookup(), spf_input("otro.example", SpfResult::kNone, ""));
  CHECK(other.result == DmarcResult::kFail);
  CHECK(other.policy == DmarcPolicy::kNone);
}

}  // namespace mailhop::mail
