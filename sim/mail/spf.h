#pragma once
// SPF (RFC 7208), the subset a class needs: may this client IP send mail for this domain?
// The evaluator knows no DNS of its own: it asks the caller's lookup functions, so the same
// code runs over the simulated DNS and over hand-written tables in the tests.
//
// Supported: the record "v=spf1 ..." with the mechanisms all, include, a, mx, ip4, ip6,
// exists and ptr (ptr never matches: the simulated DNS has no reverse zones), the qualifiers
// + - ~ ?, the modifiers redirect= and exp= (exp is read but not fetched), CIDR lengths
// ("a/24", "mx//64"), the macros %{s} %{l} %{o} %{d} %{i} %{h} with digit and 'r'
// transformers and delimiters, the limit of 10 DNS-querying terms and of 2 void lookups
// (section 4.6.4). A record that cannot be read is a permerror, never a crash.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/mail/address.h"

namespace mailhop::mail {

enum class SpfResult { kNone, kNeutral, kPass, kFail, kSoftFail, kTempError, kPermError };

// "pass", "fail", ... as in Authentication-Results (RFC 8601 2.7.2).
std::string_view spf_result_name(SpfResult result);

// The answer of one lookup the evaluator asks for.
enum class SpfDnsStatus {
  kOk,        // records follow (may still be empty)
  kNotFound,  // NXDOMAIN or no record of that type: a "void lookup"
  kTempFail,  // SERVFAIL or timeout
};

struct SpfDnsAnswer {
  SpfDnsStatus status = SpfDnsStatus::kOk;
  std::vector<std::string> records;  // TXT strings, addresses, or MX exchange names
};

// The caller's DNS: TXT, address (A, and AAAA where the caller has it) and MX lookups of a
// name. `mx` returns the exchanges' names in preference order.
struct SpfResolver {
  std::function<SpfDnsAnswer(std::string_view name)> txt;
  std::function<SpfDnsAnswer(std::string_view name)> address;
  std::function<SpfDnsAnswer(std::string_view name)> mx;
};

struct SpfCheck {
  SpfResult result = SpfResult::kNone;
  std::string domain;       // the domain whose record was checked (lower case)
  std::string record;       // the top-level record, when one was found
  std::string mechanism;    // the term that decided ("ip4:192.0.2.0/24", "-all", "default")
  std::string explanation;  // one sentence for the class: why this result
  int dns_lookups = 0;      // DNS-querying terms used (at most 10)
};

// Which identity SPF checks (RFC 7208 2.4): the MAIL FROM domain, or "postmaster@<HELO>"
// when the reverse path is null (a bounce). Sets `*sender` to the address checked.
std::string spf_identity_domain(const std::optional<Mailbox>& mail_from, std::string_view helo,
                                std::string* sender);

// check_host() (RFC 7208 section 4): `client_ip` is the connecting client's address (IPv4
// dotted quad or IPv6), `domain` the domain to check, `sender` the address checked (for
// macros), `helo` the client's EHLO name (for %{h}).
SpfCheck check_spf(const SpfResolver& dns, std::string_view client_ip, std::string_view domain,
                   std::string_view sender, std::string_view helo);

// Parses an IPv4 or IPv6 literal into 4 or 16 bytes; nullopt when it is neither.
std::optional<std::vector<std::uint8_t>> parse_ip(std::string_view text);

}  // namespace mailhop::mail
