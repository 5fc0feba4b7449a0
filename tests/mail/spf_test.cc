// SPF (RFC 7208): mechanisms, qualifiers, include/redirect, the lookup limits, and malformed
// records that must end in permerror, never a crash.

#include "sim/mail/spf.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mailhop::mail {
namespace {

// A hand-written DNS: TXT, address and MX records by name, and names that fail for now.
struct FakeDns {
  std::map<std::string, std::vector<std::string>> txt;
  std::map<std::string, std::vector<std::string>> addresses;
  std::map<std::string, std::vector<std::string>> mx;
  std::set<std::string> failing;
  std::vector<std::string> asked;

  SpfDnsAnswer answer(const std::map<std::string, std::vector<std::string>>& zone,
                      std::string_view name, const char* type) {
    asked.push_back(std::string(type) + " " + std::string(name));
    if (failing.count(std::string(name))) return {SpfDnsStatus::kTempFail, {}};
    const auto it = zone.find(std::string(name));
    if (it == zone.end()) return {SpfDnsStatus::kNotFound, {}};
    return {SpfDnsStatus::kOk, it->second};
  }

  SpfResolver resolver() {
    SpfResolver r;
    r.txt = [this](std::string_view n) { return answer(txt, n, "TXT"); };
    r.address = [this](std::string_view n) { return answer(addresses, n, "A"); };
    r.mx = [this](std::string_view n) { return answer(mx, n, "MX"); };
    return r;
  }

  SpfCheck check(std::string_view ip, std::string_view domain = "banco.example") {
    return check_spf(resolver(), ip, domain, "avisos@" + std::string(domain), "mta.client.example");
  }
};

SpfResult result_for(const std::string& record, std::string_view ip = "192.0.2.10") {
  FakeDns dns;
  dns.txt["banco.example"] = {record};
  dns.addresses["banco.example"] = {"192.0.2.10"};
  dns.addresses["mx1.banco.example"] = {"192.0.2.25"};
  dns.mx["banco.example"] = {"mx1.banco.example"};
  return dns.check(ip).result;
}

}  // namespace

TEST_CASE("spf result names are those of Authentication-Results", "[mail][spf]") {
  CHECK(spf_result_name(SpfResult::kPass) == "pass");
  CHECK(spf_result_name(SpfResult::kFail) == "fail");
  CHECK(spf_result_name(SpfResult::kSoftFail) == "softfail");
  CHECK(spf_result_name(SpfResult::kNeutral) == "neutral");
  CHECK(spf_result_name(SpfResult::kNone) == "none");
  CHECK(spf_result_name(SpfResult::kTempError) == "temperror");
  CHECK(spf_result_name(SpfResult::kPermError) == "permerror");
}

TEST_CASE("spf ip4 with and without a prefix length", "[mail][spf]") {
  FakeDns dns;
  dns.txt["banco.example"] = {"v=spf1 ip4:198.51.100.0/24 ip4:192.0.2.7 -all"};
  const SpfCheck in_net = dns.check("198.51.100.77");
  CHECK(in_net.result == SpfResult::kPass);
  CHECK(in_net.mechanism == "ip4:198.51.100.0/24");
  CHECK(in_net.domain == "banco.example");
  CHECK(in_net.record == "v=spf1 ip4:198.51.100.0/24 ip4:192.0.2.7 -all");
  CHECK(in_net.explanation.find("198.51.100.77") != std::string::npos);
  CHECK(dns.check("192.0.2.7").result == SpfResult::kPass);
  const SpfCheck out = dns.check("192.0.2.8");
  CHECK(out.result == SpfResult::kFail);
  CHECK(out.mechanism == "-all");
  CHECK(dns.check("198.51.101.1").result == SpfResult::kFail);
  CHECK(result_for("v=spf1 ip4:0.0.0.0/0 -all", "203.0.113.9") == SpfResult::kPass);
  CHECK(result_for("v=spf1 ip4:192.0.2.128/25 -all", "192.0.2.127") == SpfResult::kFail);
  CHECK(result_for("v=spf1 ip4:192.0.2.128/25 -all", "192.0.2.200") == SpfResult::kPass);
}

TEST_CASE("spf qualifiers give pass, fail, softfail and neutral", "[mail][spf]") {
  CHECK(result_for("v=spf1 +all") == SpfResult::kPass);
  CHECK(result_for("v=spf1 all") == SpfResult::kPass);
  CHECK(result_for("v=spf1 -all") == SpfResult::kFail);
  CHECK(result_for("v=spf1 ~all") == SpfResult::kSoftFail);
  CHECK(result_for("v=spf1 ?all") == SpfResult::kNeutral);
  CHECK(result_for("v=spf1 -ip4:192.0.2.10 +all") == SpfResult::kFail);
  CHECK(result_for("v=spf1 ~ip4:192.0.2.10 -all") == SpfResult::kSoftFail);
  // No "all" and nothing matches: neutral (RFC 7208 4.7).
  CHECK(result_for("v=spf1 ip4:203.0.113.0/24") == SpfResult::kNeutral);
  CHECK(result_for("v=spf1") == SpfResult::kNeutral);
  // Terms are checked from left to right: the first match decides.
  CHECK(result_for("v=spf1 -all ip4:192.0.2.10") == SpfResult::kFail);
  // Case and extra spaces do not matter.
  CHECK(result_for("V=SPF1   IP4:192.0.2.10   -ALL") == SpfResult::kPass);
}

TEST_CASE("spf a and mx look up the domain's own hosts", "[mail][spf]") {
  CHECK(result_for("v=spf1 a -all", "192.0.2.10") == SpfResult::kPass);
  CHECK(result_for("v=spf1 a -all", "192.0.2.25") == SpfResult::kFail);
  CHECK(result_for("v=spf1 mx -all", "192.0.2.25") == SpfResult::kPass);
  CHECK(result_for("v=spf1 mx -all", "192.0.2.10") == SpfResult::kFail);
  CHECK(result_for("v=spf1 a/24 -all", "192.0.2.200") == SpfResult::kPass);
  CHECK(result_for("v=spf1 mx/30 -all", "192.0.2.26") == SpfResult::kPass);
  CHECK(result_for("v=spf1 mx/30 -all", "192.0.2.29") == SpfResult::kFail);
  CHECK(result_for("v=spf1 a:mx1.banco.example -all", "192.0.2.25") == SpfResult::kPass);
  CHECK(result_for("v=spf1 mx:banco.example//64 -all", "192.0.2.25") == SpfResult::kPass);
  CHECK(result_for("v=spf1 a/24//64 -all", "192.0.2.1") == SpfResult::kPass);
  // exists: any A record is a match; ptr never matches here (no reverse zones).
  CHECK(result_for("v=spf1 exists:mx1.banco.example -all") == SpfResult::kPass);
  CHECK(result_for("v=spf1 exists:nothing.banco.example -all") == SpfResult::kFail);
  CHECK(result_for("v=spf1 ptr -all") == SpfResult::kFail);
  CHECK(result_for("v=spf1 ptr:banco.example ?all") == SpfResult::kNeutral);
}

TEST_CASE("spf ip6 matches IPv6 clients only", "[mail][spf]") {
  FakeDns dns;
  dns.txt["banco.example"] = {"v=spf1 ip6:2001:db8::/32 ip4:192.0.2.0/24 -all"};
  CHECK(dns.check("2001:db8:5::25").result == SpfResult::kPass);
  CHECK(dns.check("2001:db9::25").result == SpfResult::kFail);
  CHECK(dns.check("192.0.2.1").result == SpfResult::kPass);
  dns.addresses["banco.example"] = {"2001:db8::10", "192.0.2.10"};
  dns.txt["banco.example"] = {"v=spf1 a -all"};
  CHECK(dns.check("2001:db8::10").result == SpfResult::kPass);
  CHECK(dns.check("2001:db8::11").result == SpfResult::kFail);
  CHECK(dns.check("192.0.2.10").result == SpfResult::kPass);
}

TEST_CASE("spf include passes only on the included domain's pass", "[mail][spf]") {
  FakeDns dns;
  dns.txt["banco.example"] = {"v=spf1 include:_spf.correo.example -all"};
  dns.txt["_spf.correo.example"] = {"v=spf1 ip4:203.0.113.0/24 ~all"};
  CHECK(dns.check("203.0.113.5").result == SpfResult::kPass);
  // The included domain's softfail is just "no match": the outer -all decides.
  const SpfCheck outside = dns.check("198.51.100.5");
  CHECK(outside.result == SpfResult::kFail);
  CHECK(outside.mechanism == "-all");
  // include of a domain without a record is a permerror (RFC 7208 5.2).
  dns.txt["banco.example"] = {"v=spf1 include:nada.example -all"};
  CHECK(dns.check("203.0.113.5").result == SpfResult::kPermError);
  // A temporary failure inside an include is a temperror.
  dns.txt["banco.example"] = {"v=spf1 include:_spf.correo.example -all"};
  dns.failing.insert("_spf.correo.example");
  CHECK(dns.check("203.0.113.5").result == SpfResult::kTempError);
}

TEST_CASE("spf redirect hands the check to another domain", "[mail][spf]") {
  FakeDns dns;
  dns.txt["banco.example"] = {"v=spf1 redirect=_spf.banco.example"};
  dns.txt["_spf.banco.example"] = {"v=spf1 ip4:192.0.2.0/24 -all"};
  CHECK(dns.check("192.0.2.9").result == SpfResult::kPass);
  CHECK(dns.check("198.51.100.9").result == SpfResult::kFail);
  // A matching mechanism comes before redirect.
  dns.txt["banco.example"] = {"v=spf1 ip4:198.51.100.9 redirect=_spf.banco.example"};
  CHECK(dns.check("198.51.100.9").result == SpfResult::kPass);
  // redirect to a domain with no record: permerror.
  dns.txt["banco.example"] = {"v=spf1 redirect=nada.example"};
  CHECK(dns.check("192.0.2.9").result == SpfResult::kPermError);
}

TEST_CASE("spf none, temperror and the identity checked", "[mail][spf]") {
  FakeDns dns;
  dns.txt["banco.example"] = {"some other text", "google-site-verification=abc"};
  CHECK(dns.check("192.0.2.1").result == SpfResult::kNone);
  CHECK(dns.check("192.0.2.1", "nada.example").result == SpfResult::kNone);
  CHECK(dns.check("192.0.2.1", "localhost").result == SpfResult::kNone);
  CHECK(dns.check("192.0.2.1", "[192.0.2.1]").result == SpfResult::kNone);
  // "v=spf10" is not an SPF record.
  dns.txt["banco.example"] = {"v=spf10 -all"};
  CHECK(dns.check("192.0.2.1").result == SpfResult::kNone);
  dns.failing.insert("banco.example");
  CHECK(dns.check("192.0.2.1").result == SpfResult::kTempError);
  CHECK(dns.check("not an address").result == SpfResult::kNone);

  std::string sender;
  CHECK(spf_identity_domain(parse_mailbox("avisos@Banco.Example"), "mta.x.example", &sender) ==
        "banco.example");
  CHECK(sender == "avisos@Banco.Example");
  CHECK(spf_identity_domain(std::nullopt, "MTA.x.example", &sender) == "mta.x.example");
  CHECK(sender == "postmaster@mta.x.example");
}

TEST_CASE("spf macros expand the sender, the domain and the IP", "[mail][spf]") {
  FakeDns dns;
  dns.txt["banco.example"] = {"v=spf1 exists:%{i}.%{l}._spf.%{d} -all"};
  dns.addresses["192.0.2.10.avisos._spf.banco.example"] = {"127.0.0.2"};
  CHECK(dns.check("192.0.2.10").result == SpfResult::kPass);
  CHECK(dns.check("192.0.2.11").result == SpfResult::kFail);
  dns.txt["banco.example"] = {"v=spf1 exists:%{ir}.%{v}._spf.%{d2} -all"};
  dns.addresses["10.2.0.192.in-addr._spf.banco.example"] = {"127.0.0.2"};
  CHECK(dns.check("192.0.2.10").result == SpfResult::kPass);
  dns.txt["banco.example"] = {"v=spf1 exists:%{o}.%%x%{h1r-}.example -all"};
  // "%%" is a literal '%', and %{h1r-} keeps the last part of the EHLO name split at '-'.
  dns.asked.clear();
  CHECK(dns.check("192.0.2.10").result == SpfResult::kFail);
  CHECK(std::find(dns.asked.begin(), dns.asked.end(),
                  "A banco.example.%xmta.client.example.example") != dns.asked.end());
}

TEST_CASE("spf malformed records are permerrors", "[mail][spf]") {
  const char* const bad[] = {
      "v=spf1 ip4:192.0.2.300 -all",
      "v=spf1 ip4:192.0.2.1/33 -all",
      "v=spf1 ip4:192.0.2.1/ -all",
      "v=spf1 ip4 -all",
      "v=spf1 ip4:2001:db8::1 -all",
      "v=spf1 ip6:192.0.2.1 -all",
      "v=spf1 ip6:2001:db8::/129 -all",
      "v=spf1 include -all",
      "v=spf1 include: -all",
      "v=spf1 all:banco.example",
      "v=spf1 -alll",
      "v=spf1 frobnicate:banco.example -all",
      "v=spf1 a/40 -all",
      "v=spf1 mx//200 -all",
      "v=spf1 a:bad..name -all",
      "v=spf1 a:%{z}.example -all",
      "v=spf1 a:%{d0}.example -all",
      "v=spf1 a:%{d -all",
      "v=spf1 a:x% -all",
      "v=spf1 redirect=a.example redirect=b.example",
      "v=spf1 exp=a.example exp=b.example -all",
      "v=spf1 redirect= -all",
      "v=spf1 *all",
      "v=spf1 a:foo.123 -all",
      "v=spf1 exists -all",
      "v=spf1 ip4:192.0.2.01 -all",
  };
  for (const char* record : bad) {
    INFO(record);
    FakeDns dns;
    dns.txt["banco.example"] = {record};
    dns.txt["a.example"] = {"v=spf1 -all"};
    const SpfCheck c = dns.check("192.0.2.10");
    CHECK(c.result == SpfResult::kPermError);
    CHECK_FALSE(c.explanation.empty());
  }
  // Two SPF records for one name.
  FakeDns two;
  two.txt["banco.example"] = {"v=spf1 -all", "v=spf1 +all"};
  CHECK(two.check("192.0.2.10").result == SpfResult::kPermError);
  // Unknown modifiers are ignored; an unknown mechanism is not.
  CHECK(result_for("v=spf1 foo=bar ip4:192.0.2.10 -all") == SpfResult::kPass);
  CHECK(result_for("v=spf1 exp=explain._spf.%{d} -all") == SpfResult::kFail);
}

TEST_CASE("spf stops after 10 DNS lookups and after 2 void lookups", "[mail][spf]") {
  FakeDns dns;
  // A chain of includes: each costs one lookup.
  for (int i = 0; i < 12; ++i) {
    dns.txt["l" + std::to_string(i) + ".example"] = {"v=spf1 include:l" + std::to_string(i + 1) +
                                                     ".example -all"};
  }
  dns.txt["l12.example"] = {"v=spf1 +all"};
  dns.txt["banco.example"] = {"v=spf1 include:l3.example -all"};  // 10 includes to l12: ok
  CHECK(dns.check("192.0.2.1").result == SpfResult::kPass);
  dns.txt["banco.example"] = {"v=spf1 include:l2.example -all"};  // 11: too many
  const SpfCheck over = dns.check("192.0.2.1");
  CHECK(over.result == SpfResult::kPermError);
  CHECK(over.explanation.find("10 DNS lookups") != std::string::npos);
  CHECK(over.dns_lookups == 10);
  // a, mx, exists count too; ip4 and all do not.
  dns.txt["banco.example"] = {
      "v=spf1 a:a1.example a:a2.example a:a3.example a:a4.example a:a5.example a:a6.example "
      "a:a7.example a:a8.example a:a9.example a:a10.example a:a11.example ip4:192.0.2.1 -all"};
  for (int i = 1; i <= 11; ++i) dns.addresses["a" + std::to_string(i) + ".example"] = {"10.0.0.1"};
  CHECK(dns.check("192.0.2.1").result == SpfResult::kPermError);
  dns.txt["banco.example"] = {
      "v=spf1 ip4:192.0.2.1 a:a1.example a:a2.example a:a3.example "
      "a:a4.example a:a5.example a:a6.example a:a7.example a:a8.example "
      "a:a9.example a:a10.example a:a11.example -all"};
  CHECK(dns.check("192.0.2.1").result == SpfResult::kPass);  // decided before the limit
  // Three lookups that find nothing.
  dns.txt["banco.example"] = {"v=spf1 a:n1.example a:n2.example a:n3.example -all"};
  CHECK(dns.check("192.0.2.1").result == SpfResult::kPermError);
  dns.txt["banco.example"] = {"v=spf1 a:n1.example a:n2.example -all"};
  CHECK(dns.check("192.0.2.1").result == SpfResult::kFail);
  // An include loop ends at the limit, not in an endless recursion.
  dns.txt["loop.example"] = {"v=spf1 include:loop.example -all"};
  CHECK(dns.check("192.0.2.1", "loop.example").result == SpfResult::kPermError);
  // More than 10 MX names.
  dns.txt["banco.example"] = {"v=spf1 mx -all"};
  for (int i = 0; i < 11; ++i)
    dns.mx["banco.example"].push_back("mx" + std::to_string(i) + ".example");
  CHECK(dns.check("192.0.2.1").result == SpfResult::kPermError);
}

TEST_CASE("spf parse_ip reads IPv4 and IPv6 literals", "[mail][spf]") {
  CHECK(parse_ip("192.0.2.1") == std::vector<std::uint8_t>{192, 0, 2, 1});
  CHECK(parse_ip("2001:db8::1").value().size() == 16);
  CHECK_FALSE(parse_ip("192.0.2"));
  CHECK_FALSE(parse_ip("192.0.2.1.1"));
  CHECK_FALSE(parse_ip("192.0.2.256"));
  CHECK_FALSE(parse_ip(""));
  CHECK_FALSE(parse_ip("mx.example"));
  CHECK_FALSE(parse_ip("2001:db8:::1"));
}

TEST_CASE("spf random records never crash and always give a result", "[mail][spf]") {
  // Pieces of real and broken terms, glued at random (fixed seed: the same records each run).
  const std::vector<std::string> pieces = {
      "v=spf1",    " ",
      "  ",        "-",
      "~",         "?",
      "+",         "all",
      "a",         "mx",
      "ip4:",      "ip6:",
      "include:",  "exists:",
      "ptr",       "redirect=",
      "exp=",      "/",
      "//",        "24",
      "0",         "129",
      "33",        ":",
      "=",         "%{",
      "%{d}",      "%{i}",
      "%{ir}",     "%{l1r-}",
      "}",         "%",
      "%%",        "banco.example",
      "x.example", ".",
      "192.0.2.",  "10",
      "255",       "2001:db8::",
      "::",        "\t",
      "\"",        "é",
      "..",        "a.b.c.d.e",
  };
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  const auto next = [&state](std::size_t n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<std::size_t>(state % n);
  };
  int results[7] = {};
  for (int i = 0; i < 2000; ++i) {
    std::string record = i % 3 ? "v=spf1 " : "";
    const std::size_t n = next(12);
    for (std::size_t k = 0; k < n; ++k) record += pieces[next(pieces.size())];
    FakeDns dns;
    dns.txt["banco.example"] = {record};
    dns.txt["x.example"] = {"v=spf1 redirect=banco.example"};
    dns.addresses["banco.example"] = {"192.0.2.10"};
    dns.mx["banco.example"] = {"banco.example"};
    const SpfCheck c = dns.check(i % 2 ? "192.0.2.10" : "2001:db8::1");
    CHECK(c.dns_lookups <= 10);
    ++results[static_cast<int>(c.result)];
  }
  CHECK(results[static_cast<int>(SpfResult::kPermError)] > 0);
  CHECK(results[static_cast<int>(SpfResult::kNone)] > 0);
}

}  // namespace mailhop::mail
