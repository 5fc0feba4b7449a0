#include "sim/mail/received.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>

#include "sim/mail/address.h"

namespace mailhop::mail {

namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr std::int64_t kSecondsPerDay = 86400;

// Division rounding towards minus infinity.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// RFC 5322 3.2.3 atext, as a table of the 256 octets.
constexpr std::array<bool, 256> kAtext = [] {
  std::array<bool, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view("!#$%&'*+-/=?^_`{|}~"))
    t[static_cast<unsigned char>(c)] = true;
  return t;
}();

// An Atom of atext, for the ID clause.
bool is_atom(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (!kAtext[static_cast<unsigned char>(c)]) return false;
  return true;
}

// msg-id = "<" id-left "@" id-right ">" (checked loosely: brackets, one '@', no spaces).
bool is_msg_id(std::string_view s) {
  if (s.size() < 5 || s.front() != '<' || s.back() != '>') return false;
  const std::string_view inner = s.substr(1, s.size() - 2);
  const std::size_t at = inner.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == inner.size()) return false;
  for (char c : inner) {
    if (c <= ' ' || c >= 127 || c == '<' || c == '>') return false;
  }
  return true;
}

// Let-dig and "-" (RFC 5321 4.1.2), the octets of a sub-domain.
constexpr std::array<bool, 256> kLdh = [] {
  std::array<bool, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  t[static_cast<unsigned char>('-')] = true;
  return t;
}();

// "<" Dot-string "@" Domain ">" within the size limits of RFC 5321 4.5.3.1: the usual
// recipient, which parse_path accepts, told without making its result (its error texts).
// False says nothing: the path may still be valid in a form this does not look at.
// One pass over the octets, each looked up in a table (no search for the "@" first, and no
// call to is_valid_domain, which is made for domains of any form and length).
bool is_plain_path(std::string_view s) {
  if (s.size() < 5 || s.size() > kMaxPathOctets || s.front() != '<' || s.back() != '>')
    return false;
  const char* p = s.data() + 1;
  const char* const end = s.data() + s.size() - 1;  // the ">"
  const auto octet = [](const char* q) { return static_cast<unsigned char>(*q); };
  // Dot-string = Atom *("." Atom); "@" and "." are not atext, so each Atom ends at either.
  for (;;) {
    const char* const atom = p;
    while (p != end && kAtext[octet(p)]) ++p;
    if (p == atom) return false;  // empty local part, or a dot first, last or doubled
    if (p != end && *p == '.') {
      ++p;
      continue;
    }
    break;
  }
  if (p == end || *p != '@' || static_cast<std::size_t>(p - (s.data() + 1)) > kMaxLocalPartOctets)
    return false;
  ++p;
  // Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str], at most 63 octets
  // (the whole is at most 255 octets, as the path is at most 256). An address literal's "["
  // is no Let-dig: it is left to parse_path.
  for (;;) {
    const char* const label = p;
    while (p != end && kLdh[octet(p)]) ++p;
    if (p == label || p - label > 63 || *label == '-' || p[-1] == '-') return false;
    if (p == end) return true;
    if (*p != '.') return false;
    ++p;
  }
}

bool is_path_or_mailbox(std::string_view s) {
  if (is_plain_path(s)) return true;
  if (!s.empty() && s.front() == '<') {
    const PathParse p = parse_path(s, false);
    return p.error == PathError::kNone && p.consumed == s.size();
  }
  return parse_mailbox(s).has_value();
}

// The client address as an RFC 5321 address-literal: "[192.0.2.1]" or "[IPv6:2001:db8::1]".
std::string address_literal(std::string_view addr) {
  if (addr.empty()) return {};
  if (addr.front() == '[') return std::string(addr);
  std::string out;
  out.reserve(addr.size() + 7);
  out += '[';
  if (addr.find(':') != std::string_view::npos) out += "IPv6:";
  out += addr;
  out += ']';
  return out;
}

// Writes text inside an RFC 5322 comment, quoting '(', ')' and '\' and dropping controls.
template <typename Out>
void append_comment_text(Out& out, std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) continue;
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += c;
  }
}

// Where a Received field is written when its longest possible text fits: a buffer on the
// stack, appended to the string at once, rather than a string appended to piece by piece.
struct BufferOut {
  char* begin;
  char* end;
  std::size_t size() const { return static_cast<std::size_t>(end - begin); }
  BufferOut& operator+=(std::string_view text) {
    std::memcpy(end, text.data(), text.size());
    end += text.size();
    return *this;
  }
  BufferOut& operator+=(char c) {
    *end++ = c;
    return *this;
  }
};

}  // namespace

CivilTime civil_from_unix(std::int64_t seconds) {
  CivilTime t;
  const std::int64_t days = floor_div(seconds, kSecondsPerDay);
  std::int64_t secs = seconds % kSecondsPerDay;  // 0 .. 86399 (days * 86400 may overflow)
  if (secs < 0) secs += kSecondsPerDay;
  t.hour = static_cast<int>(secs / 3600);
  t.minute = static_cast<int>(secs / 60 % 60);
  t.second = static_cast<int>(secs % 60);
  // 1970-01-01 was a Thursday (4).
  t.weekday = static_cast<int>(days + 4 - floor_div(days + 4, 7) * 7);

  // Count from 0000-03-01 so that the leap day is the last day of each year; 400-year eras
  // of 146097 days repeat exactly in the proleptic Gregorian calendar.
  const std::int64_t z = days + 719468;  // days from 0000-03-01 to 1970-01-01
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;  // month from March = 0, [0, 11]
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2 ? 1 : 0);
  return t;
}

namespace {
// Many messages pass within the same second: the last result is kept.
const std::string& cached_rfc5322_date(std::int64_t unix_seconds, int utc_offset_minutes) {
  struct Last {
    std::int64_t seconds = 0;
    int offset = 0;
    std::string text;
  };
  thread_local Last last;
  if (last.text.empty() || last.seconds != unix_seconds || last.offset != utc_offset_minutes) {
    last.text = format_rfc5322_date_uncached(unix_seconds, utc_offset_minutes);
    last.seconds = unix_seconds;
    last.offset = utc_offset_minutes;
  }
  return last.text;
}
}  // namespace

std::string format_rfc5322_date(std::int64_t unix_seconds, int utc_offset_minutes) {
  return cached_rfc5322_date(unix_seconds, utc_offset_minutes);
}

void append_rfc5322_date(std::string& out, std::int64_t unix_seconds, int utc_offset_minutes) {
  out += cached_rfc5322_date(unix_seconds, utc_offset_minutes);
}

std::string format_rfc5322_date_uncached(std::int64_t unix_seconds, int utc_offset_minutes) {
  constexpr int kMaxOffset = 99 * 60 + 59;
  if (utc_offset_minutes > kMaxOffset) utc_offset_minutes = kMaxOffset;
  if (utc_offset_minutes < -kMaxOffset) utc_offset_minutes = -kMaxOffset;
  const std::int64_t shift = std::int64_t{utc_offset_minutes} * 60;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  std::int64_t local = unix_seconds;
  if (shift > 0 && local > kMax - shift) {
    local = kMax;
  } else if (shift < 0 && local < kMin - shift) {
    local = kMin;
  } else {
    local += shift;
  }
  const CivilTime t = civil_from_unix(local);
  const int abs_offset = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  std::array<char, 64> buf{};
  const int n = std::snprintf(
      buf.data(), buf.size(), "%.3s, %d %.3s %04lld %02d:%02d:%02d %c%02d%02d",
      kWeekdays[static_cast<std::size_t>(t.weekday)].data(), t.day,
      kMonths[static_cast<std::size_t>(t.month - 1)].data(), static_cast<long long>(t.year), t.hour,
      t.minute, t.second, utc_offset_minutes < 0 ? '-' : '+', abs_offset / 60, abs_offset % 60);
  return std::string(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::string format_received(const ReceivedInfo& info) {
  ReceivedFields fields;
  fields.from_helo = info.from_helo;
  fields.from_host = info.from_host;
  fields.from_address = info.from_address;
  fields.by_host = info.by_host;
  fields.with_protocol = info.with_protocol;
  fields.id = info.id;
  if (info.for_recipient) fields.for_recipient = *info.for_recipient;
  fields.unix_seconds = info.unix_seconds;
  fields.utc_offset_minutes = info.utc_offset_minutes;
  std::string out;
  append_received(out, fields);
  return out;
}

std::string received_address_literal(std::string_view address) {
  std::string literal = address_literal(address);
  if (!literal.empty() && !is_valid_domain(literal)) literal.clear();  // not an IP address
  return literal;
}

namespace {
// append_received's writing, once what is valid is known.
template <typename Out>
void write_received(Out& out, const ReceivedFields& info, std::string_view literal, bool helo_ok,
                    bool host_ok, bool by_ok, bool with_ok, bool id_ok);
}  // namespace

void append_received(std::string& out, const ReceivedFields& info) {
  // What the caller knows already is not checked again.
  std::string literal_text;
  std::string_view literal;
  if (info.from_literal) {
    literal = *info.from_literal;
  } else {
    literal_text = received_address_literal(info.from_address);
    literal = literal_text;
  }
  const auto valid = [](const std::optional<bool>& known, std::string_view field) {
    return known ? *known : is_valid_domain(field);
  };
  // An address literal is an Extended-Domain only when TCP-info follows it.
  const bool helo_ok = valid(info.from_helo_valid, info.from_helo) &&
                       (info.from_helo.front() != '[' || !literal.empty());
  const bool host_ok = valid(info.from_host_valid, info.from_host) && info.from_host.front() != '[';
  const bool by_ok = valid(info.by_host_valid, info.by_host) && info.by_host.front() != '[';
  const bool with_ok =
      info.with_protocol_atom ? *info.with_protocol_atom : is_atom(info.with_protocol);
  const bool id_ok = info.id_atom ? *info.id_atom : is_atom(info.id) || is_msg_id(info.id);

  // The longest the field can be: every part once (the comments' quoting may double the
  // names they quote), the date, and the fixed words.
  const std::size_t longest = 96 + 2 * info.from_helo.size() + info.from_host.size() +
                              literal.size() + 2 * info.by_host.size() + info.with_protocol.size() +
                              info.id.size() +
                              (info.for_recipient ? info.for_recipient->size() : 0) + 64;
  char buffer[1024];
  if (longest <= sizeof buffer) {
    BufferOut sink{buffer, buffer};
    write_received(sink, info, literal, helo_ok, host_ok, by_ok, with_ok, id_ok);
    out.append(buffer, sink.size());
    return;
  }
  out.reserve(out.size() + longest);
  write_received(out, info, literal, helo_ok, host_ok, by_ok, with_ok, id_ok);
}

namespace {
template <typename Out>
void write_received(Out& out, const ReceivedFields& info, std::string_view literal, bool helo_ok,
                    bool host_ok, bool by_ok, bool with_ok, bool id_ok) {
  // From-domain = "FROM" FWS Extended-Domain
  out += "from ";
  if (helo_ok) {
    out += info.from_helo;
  } else if (!literal.empty()) {
    out += literal;
  } else if (host_ok) {
    out += info.from_host;
  } else {
    out += "unknown";
  }
  // TCP-info = address-literal / ( Domain FWS address-literal )
  if (!literal.empty()) {
    out += " (";
    if (host_ok) {
      out += info.from_host;
      out += ' ';
    }
    out += literal;
    out += ')';
  }
  if (!helo_ok && !info.from_helo.empty()) {
    out += " (helo=";
    append_comment_text(out, info.from_helo);
    out += ')';
  }

  // By-domain = CFWS "BY" FWS Extended-Domain
  out += "\r\n";
  std::size_t line_start = out.size();
  out += "\tby ";
  if (by_ok) {
    out += info.by_host;
  } else {
    out += "unknown";
    if (!info.by_host.empty()) {
      out += " (";
      append_comment_text(out, info.by_host);
      out += ')';
    }
  }
  // With = CFWS "WITH" FWS Protocol; ID = CFWS "ID" FWS ( Atom / msg-id )
  if (with_ok) {
    out += " with ";
    out += info.with_protocol;
  }
  if (id_ok) {
    out += " id ";
    out += info.id;
  }
  const std::string& date = cached_rfc5322_date(info.unix_seconds, info.utc_offset_minutes);
  // For = CFWS "FOR" FWS ( Path / Mailbox )
  if (info.for_recipient && is_path_or_mailbox(*info.for_recipient)) {
    out += "\r\n";
    line_start = out.size();
    out += "\tfor ";
    out += *info.for_recipient;
  }
  // [CFWS] ";" FWS date-time: fold before the date when the line would pass 78 octets.
  if (out.size() - line_start + 2 + date.size() > 78) {
    out += ";\r\n\t";
  } else {
    out += "; ";
  }
  out += date;
}
}  // namespace

std::string with_protocol(bool esmtp, bool tls, bool authenticated) {
  return std::string(with_protocol_name(esmtp, tls, authenticated));
}

std::string_view with_protocol_name(bool esmtp, bool tls, bool authenticated) {
  // RFC 3848 section 1: without EHLO there is neither STARTTLS nor AUTH.
  if (!esmtp) return "SMTP";
  if (tls && authenticated) return "ESMTPSA";
  if (tls) return "ESMTPS";
  if (authenticated) return "ESMTPA";
  return "ESMTP";
}

}  // namespace mailhop::mail
