#pragma once
// DMARC (RFC 7489), the subset a class needs: the domain in the From: header the reader sees
// publishes a policy at _dmarc.<domain>; a message passes when SPF (or DKIM) authenticated a
// domain aligned with it. The evaluator asks the caller's TXT lookup, like the SPF one.
//
// Organisational domain: the real rule uses the Public Suffix List. The simulated world's
// domains all end in a one-label suffix (".example"), so here the organisational domain is
// simply the last two labels: "mail.banco.example" -> "banco.example".

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/mail/spf.h"

namespace mailhop::mail {

enum class DmarcPolicy { kNone, kQuarantine, kReject };
enum class DmarcAlignment { kRelaxed, kStrict };
enum class DmarcResult { kNone, kPass, kFail, kTempError, kPermError };

std::string_view dmarc_policy_name(DmarcPolicy policy);  // "none", "quarantine", "reject"
std::string_view dmarc_result_name(DmarcResult result);  // as in Authentication-Results

struct DmarcRecord {
  DmarcPolicy policy = DmarcPolicy::kNone;                   // p=
  std::optional<DmarcPolicy> subdomain_policy;               // sp=
  DmarcAlignment spf_alignment = DmarcAlignment::kRelaxed;   // aspf=
  DmarcAlignment dkim_alignment = DmarcAlignment::kRelaxed;  // adkim=
  int percent = 100;  // pct= (read and checked; every message is treated as sampled)
};

// Parses "v=DMARC1; p=reject; ..." (RFC 7489 6.3); nullopt and `*error` when it is not a
// usable record. Unknown tags are ignored.
std::optional<DmarcRecord> parse_dmarc_record(std::string_view text, std::string* error);

// The last two labels of `domain`, lower case (see the comment at the top).
std::string organizational_domain(std::string_view domain);

// Whether an authenticated domain is aligned with the From: domain.
bool dmarc_aligned(std::string_view authenticated, std::string_view from_domain,
                   DmarcAlignment mode);

// The domain of the one address in the message's From: field, lower case; empty when the
// message has no From:, several From: fields, or no address with a domain in it.
std::string header_from_domain(std::string_view message);

struct DmarcInput {
  std::string from_domain;                // header_from_domain()
  SpfResult spf = SpfResult::kNone;       // the SPF result of the MAIL FROM identity
  std::string spf_domain;                 // the domain SPF checked
  std::vector<std::string> dkim_domains;  // d= of every DKIM signature that verified
};

struct DmarcCheck {
  DmarcResult result = DmarcResult::kNone;
  std::string from_domain;
  std::string record_name;  // the _dmarc name whose record was used
  std::string record;
  DmarcPolicy policy = DmarcPolicy::kNone;  // what the domain asks for a failing message
  bool spf_aligned = false;
  std::string explanation;  // one sentence for the class
};

// RFC 7489 6.6: looks up _dmarc.<From: domain> (then the organisational domain's record),
// and evaluates the identifiers' alignment.
DmarcCheck check_dmarc(const std::function<SpfDnsAnswer(std::string_view name)>& txt,
                       const DmarcInput& input);

}  // namespace mailhop::mail
