#include "sim/scenario/scenario_format.h"

#include <cstdio>
#include <limits>
#include <utility>
#include <vector>

#include "sim/mail/address.h"
#include "sim/mail/ascii.h"
#include "sim/scenario/scenario_json.h"

namespace mailhop::scenario {
namespace detail {

std::string join(std::span<const std::string_view> items) {
  std::string out;
  for (std::string_view item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Small text helpers
// ---------------------------------------------------------------------------------------

bool iequals(std::string_view a, std::string_view b) { return mail::ascii_iequal(a, b); }

// A string as JSON writes it, quotes and escapes included.
std::string quote(std::string_view s) {
  return Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// ---------------------------------------------------------------------------------------
// Syntax of values
// ---------------------------------------------------------------------------------------

// A host name: an RFC 5321 domain (letters, digits, hyphens; no address literal).
bool is_host_name(std::string_view s) {
  return !s.empty() && s.front() != '[' && mail::is_valid_domain(s);
}

// A DNS owner name: like a host name, but labels may hold '_' ("_dmarc.yahoo.example").
bool is_dns_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char ch : label) {
      const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
      if (!ok) return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool only_chars(std::string_view s, std::string_view allowed) {
  return s.find_first_not_of(allowed) == std::string_view::npos;
}

// IPv4 dotted quad, with the grammar of RFC 5321 4.1.3.
bool is_ipv4(std::string_view s) {
  return !s.empty() && only_chars(s, "0123456789.") &&
         mail::is_valid_domain("[" + std::string(s) + "]");
}

// IPv6 text form, with the grammar of RFC 5321 4.1.3.
bool is_ipv6(std::string_view s) {
  return s.find(':') != std::string_view::npos && only_chars(s, "0123456789abcdefABCDEF:.") &&
         mail::is_valid_domain("[IPv6:" + std::string(s) + "]");
}

// A mail address key for comparisons: the local part as written, the domain lower-cased.
std::string address_key(std::string_view address) {
  if (std::optional<mail::Mailbox> m = mail::parse_mailbox(address)) {
    return m->local_part + "@" + m->domain_lower();
  }
  return std::string(address);
}

// RFC 3463 enhanced status code: class "." subject "." detail.
bool is_enhanced_code(std::string_view s) {
  if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
  const std::string_view rest = s.substr(2);
  const std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view subject = rest.substr(0, dot);
  const std::string_view detail = rest.substr(dot + 1);
  auto number = [](std::string_view n) {
    return !n.empty() && n.size() <= 3 && only_chars(n, "0123456789") &&
           (n.size() == 1 || n.front() != '0');
  };
  return number(subject) && number(detail);
}

// RFC 5322 field name: printable US-ASCII except ':'.
bool is_field_name(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    if (ch < 33 || ch > 126 || ch == ':') return false;
  }
  return true;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  std::int64_t year, month, day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// "2026-11-18T09:20:00Z" (RFC 3339 without fractions; "Z" or a "+hh:mm"/"-hh:mm" offset).
std::optional<std::int64_t> parse_date_time(std::string_view s) {
  if (s.size() < 20) return std::nullopt;
  auto digits = [&](std::size_t pos, std::size_t count, std::int64_t* out) {
    std::int64_t value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      value = value * 10 + (s[i] - '0');
    }
    *out = value;
    return true;
  };
  std::int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(0, 4, &year) || s[4] != '-' || !digits(5, 2, &month) || s[7] != '-' ||
      !digits(8, 2, &day) || (s[10] != 'T' && s[10] != 't') || !digits(11, 2, &hour) ||
      s[13] != ':' || !digits(14, 2, &minute) || s[16] != ':' || !digits(17, 2, &second)) {
    return std::nullopt;
  }
  static constexpr std::int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  const std::int64_t month_days =
      kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && is_leap(year) ? 1 : 0);
  if (day > month_days) return std::nullopt;
  std::int64_t offset = 0;
  const std::string_view zone = s.substr(19);
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    std::int64_t oh = 0, om = 0;
    if (!digits(20, 2, &oh) || !digits(23, 2, &om) || oh > 23 || om > 59) return std::nullopt;
    offset = (oh * 60 + om) * 60 * (zone[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
}

std::string format_date_time(std::int64_t unix_seconds) {
  const std::int64_t days = (unix_seconds >= 0 ? unix_seconds : unix_seconds - 86399) / 86400;
  const std::int64_t secs = unix_seconds - days * 86400;
  const Civil c = civil_from_days(days);
  char buf[160];  // room for any int64 fields; real dates need 20
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                static_cast<long long>(c.year), static_cast<long long>(c.month),
                static_cast<long long>(c.day), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

// A number as the files write it: integral values without a fraction.
Json number_json(double d) {
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.0e15) {
    return Json(static_cast<std::int64_t>(d));
  }
  return Json(d);
}

}  // namespace detail

using namespace detail;

std::string format_scenario_time(SimTime t) {
  std::int64_t us = t.micros();
  std::string sign;
  if (us < 0) {
    sign = "-";
    us = us == std::numeric_limits<std::int64_t>::min() ? std::numeric_limits<std::int64_t>::max()
                                                        : -us;
  }
  if (us == 0) return "0s";
  struct Unit {
    std::int64_t micros;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {{86'400'000'000LL, "d"}, {3'600'000'000LL, "h"},
                                    {60'000'000LL, "m"},     {1'000'000LL, "s"},
                                    {1'000LL, "ms"},         {1LL, "us"}};
  for (const Unit& u : kUnits) {
    if (us % u.micros == 0) return sign + std::to_string(us / u.micros) + u.suffix;
  }
  return sign + std::to_string(us) + "us";
}

std::string_view role_name(Role role) {
  return name_of(kRoles, role);
}
std::string_view tls_mode_name(TlsMode mode) {
  return name_of(kTlsModes, mode);
}
std::string_view fault_kind_name(FaultKind kind) {
  return name_of(kFaultKinds, kind);
}
std::optional<Role> parse_role(std::string_view name) {
  return value_of(kRoles, name);
}
std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  return value_of(kFaultKinds, name);
}

namespace {

template <std::size_t N>
std::vector<std::string> key_list(const std::string_view (&keys)[N]) {
  return std::vector<std::string>(std::begin(keys), std::end(keys));
}

}  // namespace

std::vector<std::pair<std::string, std::vector<std::string>>> scenario_object_keys() {
  return {
      {"", key_list(kTopKeys)},
      {"localizedText", key_list(kTextKeys)},
      {"node", key_list(kNodeKeys)},
      {"ports", key_list(kPortsKeys)},
      {"policy", key_list(kPolicyKeys)},
      {"queue", key_list(kQueueKeys)},
      {"account", key_list(kAccountKeys)},
      {"dkimSigning", key_list(kDkimKeys)},
      {"position", key_list(kPositionKeys)},
      {"link", key_list(kLinkKeys)},
      {"dnsRecord", key_list(kDnsKeys)},
      {"user", key_list(kUserKeys)},
      {"step", key_list(kStepKeys)},
      {"send", key_list(kSendKeys)},
      {"fault", key_list(kFaultKeys)},
      {"clearFault", key_list(kClearFaultKeys)},
      {"fetch", key_list(kFetchKeys)},
      {"clientSession", key_list(kClientSessionKeys)},
      {"clientInput", key_list(kClientInputKeys)},
      {"expectations", key_list(kExpectKeys)},
      {"mailboxExpectation", key_list(kMailboxExpectKeys)},
      {"bounceExpectation", key_list(kBounceExpectKeys)},
      {"replyExpectation", key_list(kReplyExpectKeys)},
      {"queueExpectation", key_list(kQueueExpectKeys)},
      {"deviceExpectation", key_list(kDeviceExpectKeys)},
      {"traffic", key_list(kTrafficKeys)},
  };
}

}  // namespace mailhop::scenario
