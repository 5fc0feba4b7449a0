#include "sim/world/dns.h"

#include <catch2/catch.hpp>
#include <set>

using namespace mailhop::world;
using mailhop::core::Rng;

namespace {

Dns yahoo_zone() {
  Dns dns;
  dns.add_mx("yahoo.example", 10, "mx1.yahoo.example");
  dns.add_mx("yahoo.example", 20, "backup.yahoo.example");
  dns.add_a("mx1.yahoo.example", "192.0.2.10");
  dns.add_a("backup.yahoo.example", "192.0.2.20");
  dns.add_a("office.example", "198.51.100.7");
  dns.add_txt("yahoo.example", "v=spf1 mx -all");
  return dns;
}

}  // namespace

TEST_CASE("DNS answers by type, case-insensitively, with NXDOMAIN and NODATA", "[dns]") {
  const Dns dns = yahoo_zone();
  auto mx = dns.query_mx("YAHOO.example.");
  REQUIRE(mx.status == DnsStatus::kOk);
  CHECK(mx.records.size() == 2);
  CHECK(dns.query_txt("yahoo.example").records.at(0) == "v=spf1 mx -all");
  CHECK(dns.query_a("yahoo.example").status == DnsStatus::kNoData);
  CHECK(dns.query_mx("hotmail.example").status == DnsStatus::kNxDomain);
  CHECK(dns_status_name(DnsStatus::kServFail) == "SERVFAIL");
}

TEST_CASE("injected DNS failures answer until cleared", "[dns]") {
  Dns dns = yahoo_zone();
  dns.set_failure("Yahoo.Example", DnsStatus::kServFail);
  CHECK(dns.query_mx("yahoo.example").status == DnsStatus::kServFail);
  CHECK(dns_is_temporary(DnsStatus::kServFail));
  CHECK(dns_is_temporary(DnsStatus::kTimeout));
  CHECK_FALSE(dns_is_temporary(DnsStatus::kNxDomain));
  dns.clear_failure("yahoo.example");
  CHECK(dns.query_mx("yahoo.example").status == DnsStatus::kOk);
}

TEST_CASE("routing sorts MX by preference; a backup MX relays only to better ones", "[dns]") {
  const Dns dns = yahoo_zone();
  Rng rng(1);
  MailRouting r = route_mail(dns, "yahoo.example", "smtp.gmail.example", rng);
  REQUIRE(r.status == DnsStatus::kOk);
  REQUIRE(r.routes.size() == 2);
  CHECK(r.routes[0].host == "mx1.yahoo.example");
  CHECK(r.routes[1].host == "backup.yahoo.example");
  CHECK(r.explanation == "MX yahoo.example: 10 mx1.yahoo.example 20 backup.yahoo.example");

  // The backup MX itself only relays to the primary.
  r = route_mail(dns, "yahoo.example", "backup.yahoo.example", rng);
  REQUIRE(r.routes.size() == 1);
  CHECK(r.routes[0].host == "mx1.yahoo.example");
  // The primary has nowhere better to go.
  r = route_mail(dns, "yahoo.example", "mx1.yahoo.example", rng);
  CHECK(r.routes.empty());
  CHECK(r.status == DnsStatus::kNoData);
}

TEST_CASE("no MX falls back to the A record; failures propagate", "[dns]") {
  Dns dns = yahoo_zone();
  Rng rng(1);
  MailRouting r = route_mail(dns, "office.example", "smtp.gmail.example", rng);
  REQUIRE(r.routes.size() == 1);
  CHECK(r.routes[0].host == "office.example");
  CHECK(r.routes[0].implicit_mx);

  CHECK(route_mail(dns, "nowhere.example", "x", rng).status == DnsStatus::kNxDomain);
  dns.set_failure("yahoo.example", DnsStatus::kTimeout);
  CHECK(route_mail(dns, "yahoo.example", "x", rng).status == DnsStatus::kTimeout);
  dns.add_mx("nomail.example", 0, ".");
  r = route_mail(dns, "nomail.example", "x", rng);
  CHECK(r.status == DnsStatus::kNoData);
  CHECK(r.routes.empty());
}

TEST_CASE("equal preferences are shuffled by the seeded stream, reproducibly", "[dns]") {
  Dns dns;
  for (int i = 0; i < 4; ++i) dns.add_mx("big.example", 5, "mx" + std::to_string(i) + ".big.example");
  std::set<std::string> firsts;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    Rng a(seed), b(seed);
    const auto ra = route_mail(dns, "big.example", "x", a);
    const auto rb = route_mail(dns, "big.example", "x", b);
    REQUIRE(ra.routes.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) CHECK(ra.routes[i].host == rb.routes[i].host);
    firsts.insert(ra.routes[0].host);
  }
  CHECK(firsts.size() == 4);  // every host gets to be first for some seed
}
