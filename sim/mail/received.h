#pragma once
// Trace fields: the Received header (RFC 5321 4.4) and RFC 5322 dates.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailhop::mail {

// Formats an RFC 5322 date-time, e.g. "Sun, 22 Nov 2026 15:04:05 +0000" (RFC 5322 3.3):
// the local time at `utc_offset_minutes` east of UTC, day of week included, day without a
// leading zero, proleptic Gregorian calendar. Offsets beyond +-99:59 are clamped. Years
// outside 0..9999 (beyond what RFC 5322 can express) come out with more digits or a sign.
std::string format_rfc5322_date(std::int64_t unix_seconds, int utc_offset_minutes = 0);
// The same written at the end of `out`.
void append_rfc5322_date(std::string& out, std::int64_t unix_seconds, int utc_offset_minutes = 0);
// The same without the one-entry cache format_rfc5322_date keeps.
std::string format_rfc5322_date_uncached(std::int64_t unix_seconds, int utc_offset_minutes = 0);

// A calendar date and time of day (proleptic Gregorian), as used by format_rfc5322_date.
struct CivilTime {
  std::int64_t year = 1970;
  int month = 1;    // 1..12
  int day = 1;      // 1..31
  int weekday = 4;  // 0 = Sunday .. 6 = Saturday
  int hour = 0;
  int minute = 0;
  int second = 0;
  friend bool operator==(const CivilTime&, const CivilTime&) = default;
};

// Splits seconds since 1970-01-01T00:00:00 (any sign) into a civil date and time.
CivilTime civil_from_unix(std::int64_t seconds);

struct ReceivedInfo {
  std::string from_helo;                     // what the client said in EHLO/HELO
  std::string from_host;                     // reverse DNS name of the client, if known
  std::string from_address;                  // client IP address, e.g. "192.0.2.10"
  std::string by_host;                       // the receiving server's name
  std::string with_protocol;                 // RFC 3848: SMTP, ESMTP, ESMTPSA, ... or LMTP
  std::string id;                            // the receiving server's queue id
  std::optional<std::string> for_recipient;  // "<julia@yahoo.example>" when one recipient
  std::int64_t unix_seconds = 0;
  int utc_offset_minutes = 0;  // zone of the receiving server's clock, e.g. 60 for +0100
};

// The field value (without "Received: "), folded like real MTAs do, following the
// Time-stamp-line grammar of RFC 5321 4.4:
//   from HELO (HOST [ADDR])
//   \tby BY with PROTO id ID
//   \tfor <rcpt>; DATE
// A bare IPv6 address is written as the literal [IPv6:...]. A HELO argument that is not a
// valid Domain or address literal is not placed in the from-domain (which must be one): the
// client's address literal takes its place and the HELO text follows in a comment, as in
// "from [192.0.2.10] ([192.0.2.10]) (helo=bad_name)"; a by_host that is not a Domain is
// written as "by unknown (bad_name)". A from_address that is not an IP address, a protocol
// or an id that is not an Atom (an id may also be a msg-id), and a recipient that is not a
// Path or Mailbox are left out, so the result always follows the grammar.
std::string format_received(const ReceivedInfo& info);
// The same fields, viewed: for a caller whose values are already in strings of its own.
struct ReceivedFields {
  std::string_view from_helo;
  std::string_view from_host;
  std::string_view from_address;
  std::string_view by_host;
  std::string_view with_protocol;
  std::string_view id;
  std::optional<std::string_view> for_recipient;
  std::int64_t unix_seconds = 0;
  int utc_offset_minutes = 0;
  // What the caller already knows of the fields' syntax (each a function of a field's text
  // alone, e.g. kept with a host whose name and address do not change), so that it is not
  // checked again for every message. When set, each must be what is said: is_valid_domain of
  // the field, and received_address_literal(from_address).
  std::optional<bool> from_helo_valid;
  std::optional<bool> from_host_valid;
  std::optional<bool> by_host_valid;
  std::optional<std::string_view> from_literal;
  // Likewise whether with_protocol and id are each an Atom (RFC 5322 3.2.3): a protocol
  // name from with_protocol_name() and a queue id of letters and digits are.
  std::optional<bool> with_protocol_atom;
  std::optional<bool> id_atom;
};
// The client address as the RFC 5321 address-literal a Received field writes ("[192.0.2.1]"
// or "[IPv6:2001:db8::1]"), or "" when it is not an IP address.
std::string received_address_literal(std::string_view address);
// format_received's value written at the end of `out`.
void append_received(std::string& out, const ReceivedFields& fields);

// RFC 3848 "with" keyword from the session's state.
std::string with_protocol(bool esmtp, bool tls, bool authenticated);
std::string_view with_protocol_name(bool esmtp, bool tls, bool authenticated);

}  // namespace mailhop::mail
