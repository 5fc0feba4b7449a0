#pragma once
// The simulated DNS: zones with MX, A and TXT records, failures that can be injected per name,
// and mail routing as RFC 5321 section 5.1 describes it.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/core/rng.h"
#include "sim/core/string_hash.h"

namespace mailhop::world {

enum class DnsStatus {
  kOk,        // NOERROR with records
  kNoData,    // NOERROR, the name exists but has no record of that type
  kNxDomain,  // the name does not exist (permanent)
  kServFail,  // the server failed (temporary)
  kTimeout,   // no answer (temporary)
};

std::string_view dns_status_name(DnsStatus status);
// True for the statuses a mail server treats as "try again later".
inline bool dns_is_temporary(DnsStatus s) {
  return s == DnsStatus::kServFail || s == DnsStatus::kTimeout;
}

struct MxRecord {
  int preference = 10;
  std::string exchange;
  friend bool operator==(const MxRecord&, const MxRecord&) = default;
};

template <typename T>
struct DnsAnswer {
  DnsStatus status = DnsStatus::kOk;
  std::vector<T> records;
};

class Dns {
 public:
  // Names are case-insensitive and stored lower-case; a trailing dot is ignored.
  void add_mx(std::string_view name, int preference, std::string_view exchange);
  void add_a(std::string_view name, std::string_view address);
  void add_txt(std::string_view name, std::string_view text);

  // Fault injection: every query for `name` answers `status` until cleared.
  void set_failure(std::string_view name, DnsStatus status);
  void clear_failure(std::string_view name);

  DnsAnswer<MxRecord> query_mx(std::string_view name) const;
  DnsAnswer<std::string> query_a(std::string_view name) const;
  DnsAnswer<std::string> query_txt(std::string_view name) const;

  // Every name that has a record, sorted, for the GUI and for saving.
  std::vector<std::string> names() const;

  static std::string normalize(std::string_view name);

  // query_mx without the copy: the records stay in the table (valid until it changes). `name`
  // must be normalized already. `*records` is set when the status is kOk.
  DnsStatus find_mx(std::string_view normalized_name, const std::vector<MxRecord>** records) const;

 private:
  struct Entry {
    std::vector<MxRecord> mx;
    std::vector<std::string> a;
    std::vector<std::string> txt;
  };
  template <typename T>
  DnsAnswer<T> answer(std::string_view name, std::vector<T> Entry::*field) const;

  // Hashed (every message's MX lookup is one find): names() sorts when asked, so the order
  // does not matter and the word-at-a-time hash serves. Looked up by string_view as well,
  // without making a string.
  std::unordered_map<std::string, Entry, core::WordStringHash, std::equal_to<>> m_entries;
  std::map<std::string, DnsStatus, std::less<>> m_failures;
};

// One host to try, in order.
struct MailRoute {
  std::string host;
  int preference = 0;
  bool implicit_mx = false;  // no MX: the domain's own A record (RFC 5321 5.1)
};

struct MailRouting {
  DnsStatus status = DnsStatus::kOk;  // kOk, or why no route could be found
  std::vector<MailRoute> routes;      // in the order to try
  std::string explanation;            // for the class: what was looked up and why
};

// RFC 5321 5.1: look up MX; sort by preference (equal preferences shuffled with `rng`); with no
// MX, use the domain itself when it has an A record (implicit MX); a null MX (RFC 7505,
// "0 .") means the domain accepts no mail. If `self` (the sending host) is in the list, it
// and every record of equal or larger preference are dropped, so backups relay only upwards.
MailRouting route_mail(const Dns& dns, std::string_view domain, std::string_view self,
                       core::Rng& rng);

// A DNS blocklist lookup (RFC 5782): the client's IPv4 address with its four octets reversed,
// under the list's zone ("10.100.51.198.bl.example" for 198.51.100.10 on "bl.example").
struct DnsblLookup {
  std::string query;        // the name looked up; empty when the address is not IPv4
  bool listed = false;      // the name has an A record (127.0.0.2 by convention, RFC 5782 2.1)
  std::string reason;       // the TXT record's text, when listed and the zone publishes one
  std::string explanation;  // for the trace: what the answer was and what it means
};

// The RFC 5782 query name, or an empty string when `address` is not a dotted-quad IPv4.
std::string dnsbl_query_name(std::string_view address, std::string_view zone);
// Looks `address` up on `zone`. A failed lookup (SERVFAIL, timeout) counts as not listed, as
// mail servers do so that a broken list cannot stop all mail.
DnsblLookup lookup_dnsbl(const Dns& dns, std::string_view address, std::string_view zone);

}  // namespace mailhop::world
