#include "sim/mail/received.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "sim/mail/address.h"
#include "sim/mail/message.h"

using mailhop::mail::civil_from_unix;
using mailhop::mail::CivilTime;
using mailhop::mail::format_received;
using mailhop::mail::format_rfc5322_date;
using mailhop::mail::HeaderField;
using mailhop::mail::ReceivedInfo;
using mailhop::mail::with_protocol;

namespace {

// Splits a folded field value into its lines.
std::vector<std::string> lines_of(const std::string& value) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (true) {
    const std::size_t crlf = value.find("\r\n", from);
    out.push_back(value.substr(from, crlf == std::string::npos ? std::string::npos : crlf - from));
    if (crlf == std::string::npos) return out;
    from = crlf + 2;
  }
}

// A small recursive-descent check of the Stamp of RFC 5321 4.4 after unfolding, limited to
// the clauses this code can write:
//   From-domain By-domain [With] [ID] [For] ";" FWS date-time
// It is written independently of the code under test (no address.h helpers).
class StampChecker {
 public:
  explicit StampChecker(std::string_view s) : m_s(s) {}

  bool stamp() {
    if (!word("from") || !wsp() || !extended_domain()) return false;
    comments();
    if (!wsp() || !word("by") || !wsp() || !extended_domain()) return false;
    comments();
    clause("with", [this] { return atom(); });
    clause("id", [this] { return atom() || msg_id(); });
    clause("for", [this] { return path(); });
    return eat(';') && wsp() && date_time() && m_pos == m_s.size();
  }

 private:
  static bool is_alnum(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  static bool is_atext(char c) {
    return is_alnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string::npos;
  }
  char peek() const { return m_pos < m_s.size() ? m_s[m_pos] : '\0'; }
  bool eat(char c) {
    if (m_pos >= m_s.size() || m_s[m_pos] != c) return false;
    ++m_pos;
    return true;
  }
  bool word(std::string_view w) {
    if (m_s.substr(m_pos, w.size()) != w) return false;
    m_pos += w.size();
    return true;
  }
  bool wsp() {
    const std::size_t start = m_pos;
    while (peek() == ' ' || peek() == '\t') ++m_pos;
    return m_pos > start;
  }
  // sub-domain = Let-dig [Ldh-str], dot-separated.
  bool domain() {
    while (true) {
      if (!is_alnum(peek())) return false;
      while (is_alnum(peek()) || peek() == '-') ++m_pos;
      if (m_s[m_pos - 1] == '-') return false;
      if (peek() != '.') return true;
      ++m_pos;
    }
  }
  // "[" 1*dcontent "]", dcontent = %d33-90 / %d94-126
  bool address_literal() {
    if (!eat('[')) return false;
    const std::size_t start = m_pos;
    while (peek() >= 33 && peek() <= 126 && peek() != '[' && peek() != '\\' && peek() != ']') {
      ++m_pos;
    }
    return m_pos > start && eat(']');
  }
  // "(" TCP-info ")", TCP-info = address-literal / ( Domain FWS address-literal )
  bool tcp_info() {
    const std::size_t start = m_pos;
    if (eat('(') && (address_literal() || (domain() && wsp() && address_literal())) && eat(')')) {
      return true;
    }
    m_pos = start;
    return false;
  }
  bool extended_domain() {
    if (peek() == '[') return address_literal() && wsp() && tcp_info();
    if (!domain()) return false;
    const std::size_t after = m_pos;
    if (!(wsp() && tcp_info())) m_pos = after;
    return true;
  }
  // *( FWS comment ), a comment holding ctext or quoted-pairs, not nested.
  void comments() {
    while (true) {
      const std::size_t start = m_pos;
      if (!wsp() || !eat('(')) {
        m_pos = start;
        return;
      }
      while (peek() != ')' && peek() != '(' && m_pos < m_s.size()) {
        m_pos += peek() == '\\' ? std::size_t{2} : std::size_t{1};
      }
      if (!eat(')')) {
        m_pos = start;
        return;
      }
    }
  }
  template <typename F>
  void clause(std::string_view keyword, F value) {
    const std::size_t start = m_pos;
    if (!(wsp() && word(keyword) && wsp() && value())) m_pos = start;
  }
  bool atom() {
    const std::size_t start = m_pos;
    while (is_atext(peek())) ++m_pos;
    return m_pos > start;
  }
  bool msg_id() {
    const std::size_t start = m_pos;
    if (eat('<') && atom_with_dots() && eat('@') && atom_with_dots() && eat('>')) return true;
    m_pos = start;
    return false;
  }
  bool atom_with_dots() {
    const std::size_t start = m_pos;
    while (is_atext(peek()) || peek() == '.') ++m_pos;
    return m_pos > start;
  }
  // Path = "<" Mailbox ">" (dot-string local parts), or a bare Mailbox.
  bool path() {
    const bool bracket = eat('<');
    if (!atom_with_dots() || !eat('@') || !(peek() == '[' ? address_literal() : domain())) {
      return false;
    }
    return !bracket || eat('>');
  }
  bool digits(std::size_t min, std::size_t max) {
    const std::size_t start = m_pos;
    while (is_digit(peek()) && m_pos - start < max) ++m_pos;
    return m_pos - start >= min;
  }
  bool one_of(std::initializer_list<std::string_view> names) {
    for (std::string_view n : names) {
      if (word(n)) return true;
    }
    return false;
  }
  // RFC 5322 3.3 date-time as this code writes it (no comments, no obsolete forms).
  bool date_time() {
    if (!one_of({"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}) || !word(", ")) return false;
    const std::size_t day_start = m_pos;
    if (!digits(1, 2)) return false;
    const int day = std::stoi(std::string(m_s.substr(day_start, m_pos - day_start)));
    if (day < 1 || day > 31 || !eat(' ')) return false;
    if (!one_of(
            {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}) ||
        !eat(' ') || !digits(4, 4) || !eat(' ')) {
      return false;
    }
    const std::size_t time_start = m_pos;
    if (!digits(2, 2) || !eat(':') || !digits(2, 2) || !eat(':') || !digits(2, 2)) return false;
    const std::string_view time = m_s.substr(time_start, 8);
    if (time.substr(0, 2) > "23" || time.substr(3, 2) > "59" || time.substr(6, 2) > "60") {
      return false;
    }
    return eat(' ') && (eat('+') || eat('-')) && digits(4, 4);
  }

  std::string_view m_s;
  std::size_t m_pos = 0;
};

bool matches_stamp(const std::string& unfolded) {
  return StampChecker(unfolded).stamp();
}

ReceivedInfo sample() {
  ReceivedInfo r;
  r.from_helo = "mail.gmail.example";
  r.from_host = "mail-sor-f41.gmail.example";
  r.from_address = "192.0.2.41";
  r.by_host = "mx.yahoo.example";
  r.with_protocol = "ESMTPS";
  r.id = "4ZkQ2x0Lw3z9sVn";
  r.for_recipient = "<julia@yahoo.example>";
  r.unix_seconds = 1795359845;  // Sun, 22 Nov 2026 15:04:05 UTC
  return r;
}

}  // namespace

TEST_CASE("format_rfc5322_date gives the right date for known instants", "[mail][received]") {
  struct Case {
    std::int64_t seconds;
    int offset;
    const char* text;
  };
  // Checked against GNU date (TZ=UTC, or the zone with that offset).
  const Case cases[] = {
      {0, 0, "Thu, 1 Jan 1970 00:00:00 +0000"},
      {-1, 0, "Wed, 31 Dec 1969 23:59:59 +0000"},
      {951782400, 0, "Tue, 29 Feb 2000 00:00:00 +0000"},   // 2000: divisible by 400, leap
      {978307199, 0, "Sun, 31 Dec 2000 23:59:59 +0000"},   // day 366 of a leap year
      {1709208000, 0, "Thu, 29 Feb 2024 12:00:00 +0000"},  // ordinary leap year
      {4107542399, 0, "Sun, 28 Feb 2100 23:59:59 +0000"},  // 2100: divisible by 100, not leap
      {4107542400, 0, "Mon, 1 Mar 2100 00:00:00 +0000"},
      {-2203891200, 0, "Thu, 1 Mar 1900 00:00:00 +0000"},  // 1900 is not a leap year either
      {-2208988800, 0, "Mon, 1 Jan 1900 00:00:00 +0000"},
      {-12219292800, 0, "Fri, 15 Oct 1582 00:00:00 +0000"},  // first Gregorian day
      {2147483648, 0, "Tue, 19 Jan 2038 03:14:08 +0000"},    // past 32-bit time_t
      {253402300799, 0, "Fri, 31 Dec 9999 23:59:59 +0000"},
      {1795359845, 0, "Sun, 22 Nov 2026 15:04:05 +0000"},
      {880127706, -360, "Fri, 21 Nov 1997 09:55:06 -0600"},  // RFC 5322 Appendix A.1.1
      {1709245800, 330, "Fri, 1 Mar 2024 04:00:00 +0530"},   // crosses into March (leap year)
      {1709245800, -210, "Thu, 29 Feb 2024 19:00:00 -0330"},
      {1709245800, 840, "Fri, 1 Mar 2024 12:30:00 +1400"},
      {1704080000, -210, "Mon, 1 Jan 2024 00:03:20 -0330"},
      {1704080000, -240, "Sun, 31 Dec 2023 23:33:20 -0400"},  // crosses back into last year
  };
  for (const Case& c : cases) {
    INFO(c.seconds << " at " << c.offset);
    CHECK(format_rfc5322_date(c.seconds, c.offset) == c.text);
  }
  CHECK(format_rfc5322_date(0) == "Thu, 1 Jan 1970 00:00:00 +0000");
}

TEST_CASE("format_rfc5322_date clamps impossible zone offsets", "[mail][received]") {
  CHECK(format_rfc5322_date(0, 100 * 60) == "Mon, 5 Jan 1970 03:59:00 +9959");
  CHECK(format_rfc5322_date(0, -100 * 60) == "Sat, 27 Dec 1969 20:01:00 -9959");
  // Extreme inputs do not overflow.
  CHECK_FALSE(format_rfc5322_date(INT64_MAX, 60).empty());
  CHECK_FALSE(format_rfc5322_date(INT64_MIN, -60).empty());
}

TEST_CASE("civil_from_unix walks the proleptic Gregorian calendar day by day", "[mail][received]") {
  // From 1 Mar 1600 to 1 Mar 2400: every day follows the one before it.
  const std::int64_t start = -11670912000;  // Wed, 1 Mar 1600 00:00:00 UTC
  CivilTime prev = civil_from_unix(start);
  REQUIRE(prev == CivilTime{1600, 3, 1, 3, 0, 0, 0});
  const int days_in_month[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::int64_t leap_days = 0;
  std::int64_t days = 0;
  bool consistent = true;
  for (std::int64_t s = start + 86400; prev.year < 2400 || prev.month < 3; s += 86400) {
    const CivilTime t = civil_from_unix(s + 86399);  // the last second of the day
    const bool leap = (t.year % 4 == 0 && t.year % 100 != 0) || t.year % 400 == 0;
    const int month_len = t.month == 2 && leap ? 29 : days_in_month[t.month - 1];
    bool ok = t.weekday == (prev.weekday + 1) % 7 && t.hour == 23 && t.minute == 59 &&
              t.second == 59 && t.day >= 1 && t.day <= month_len;
    if (t.day == 1) {
      ok = ok && (t.month == prev.month % 12 + 1) && (t.year == prev.year + (t.month == 1 ? 1 : 0));
    } else {
      ok = ok && t.day == prev.day + 1 && t.month == prev.month && t.year == prev.year;
    }
    if (t.month == 2 && t.day == 29) ++leap_days;
    if (!ok) {
      consistent = false;
      INFO("at " << s);
      FAIL_CHECK("calendar step broken at " << t.year << "-" << t.month << "-" << t.day);
      break;
    }
    prev = t;
    ++days;
  }
  CHECK(consistent);
  CHECK(days == 2 * 146097);  // two 400-year cycles
  CHECK(leap_days == 2 * 97);
}

TEST_CASE("with_protocol follows RFC 3848", "[mail][received]") {
  CHECK(with_protocol(false, false, false) == "SMTP");
  CHECK(with_protocol(true, false, false) == "ESMTP");
  CHECK(with_protocol(true, true, false) == "ESMTPS");
  CHECK(with_protocol(true, false, true) == "ESMTPA");
  CHECK(with_protocol(true, true, true) == "ESMTPSA");
  // TLS and AUTH are ESMTP extensions: after HELO neither can be active.
  CHECK(with_protocol(false, true, true) == "SMTP");
}

TEST_CASE("the Stamp grammar check used below rejects broken stamps", "[mail][received]") {
  const std::string date = "Sun, 22 Nov 2026 15:04:05 +0000";
  CHECK(matches_stamp("from a.example ([192.0.2.1])\tby b.example with ESMTP id X; " + date));
  CHECK_FALSE(matches_stamp("from bad_helo\tby b.example; " + date));
  CHECK_FALSE(matches_stamp("from [192.0.2.1]\tby b.example; " + date));  // no TCP-info
  CHECK_FALSE(matches_stamp("from a.example ([192.0.2.1]\tby b.example; " + date));
  CHECK_FALSE(matches_stamp("from a.example\tby b.example with E SMTP; " + date));
  CHECK_FALSE(matches_stamp("from a.example\tby b.example; Sun, 32 Nov 2026 15:04:05 +0000"));
  CHECK_FALSE(matches_stamp("from a.example\tby b.example " + date));  // no ';'
}

TEST_CASE("format_received writes a Time-stamp-line like real MTAs", "[mail][received]") {
  const ReceivedInfo r = sample();
  const std::string value = format_received(r);
  CHECK(value ==
        "from mail.gmail.example (mail-sor-f41.gmail.example [192.0.2.41])\r\n"
        "\tby mx.yahoo.example with ESMTPS id 4ZkQ2x0Lw3z9sVn\r\n"
        "\tfor <julia@yahoo.example>; Sun, 22 Nov 2026 15:04:05 +0000");
  const HeaderField field{"Received", " " + value};
  CHECK(matches_stamp(field.text()));
  for (const std::string& line : lines_of("Received: " + value)) {
    INFO(line);
    CHECK(line.size() <= 78);
  }

  SECTION("the zone offset of the receiving server") {
    ReceivedInfo z = r;
    z.utc_offset_minutes = 60;
    CHECK(format_received(z).ends_with("; Sun, 22 Nov 2026 16:04:05 +0100"));
  }
  SECTION("without a recipient the date ends the by line") {
    ReceivedInfo n = r;
    n.for_recipient.reset();
    const std::string v = format_received(n);
    CHECK(v ==
          "from mail.gmail.example (mail-sor-f41.gmail.example [192.0.2.41])\r\n"
          "\tby mx.yahoo.example with ESMTPS id 4ZkQ2x0Lw3z9sVn;\r\n"
          "\tSun, 22 Nov 2026 15:04:05 +0000");
    CHECK(matches_stamp(HeaderField{"Received", v}.text()));

    n.id = "Q1";
    CHECK(format_received(n).ends_with(
        "\tby mx.yahoo.example with ESMTPS id Q1; Sun, 22 Nov 2026 15:04:05 +0000"));
  }
  SECTION("without reverse DNS the TCP-info is the address literal alone") {
    ReceivedInfo n = r;
    n.from_host.clear();
    const std::string v = format_received(n);
    CHECK(v.starts_with("from mail.gmail.example ([192.0.2.41])\r\n"));
    CHECK(matches_stamp(HeaderField{"Received", v}.text()));
  }
  SECTION("an IPv6 client is written as an IPv6 address literal") {
    ReceivedInfo n = r;
    n.from_address = "2001:db8::41";
    const std::string v = format_received(n);
    CHECK(v.starts_with(
        "from mail.gmail.example (mail-sor-f41.gmail.example [IPv6:2001:db8::41])\r\n"));
    CHECK(matches_stamp(HeaderField{"Received", v}.text()));
  }
  SECTION("an address literal in HELO is a valid from-domain") {
    ReceivedInfo n = r;
    n.from_helo = "[192.0.2.41]";
    CHECK(format_received(n).starts_with(
        "from [192.0.2.41] (mail-sor-f41.gmail.example [192.0.2.41])\r\n"));
  }
  SECTION("an invalid HELO goes into a comment, never into the from-domain") {
    ReceivedInfo n = r;
    n.from_helo = "my laptop (home)";
    const std::string v = format_received(n);
    CHECK(
        v.starts_with("from [192.0.2.41] (mail-sor-f41.gmail.example [192.0.2.41]) "
                      "(helo=my laptop \\(home\\))\r\n"));
    CHECK(matches_stamp(HeaderField{"Received", v}.text()));

    n.from_helo = "bad\r\nInjected: yes";
    const std::string w = format_received(n);
    CHECK(w.find("Injected: yes") != std::string::npos);
    CHECK(w.find("\r\nInjected") == std::string::npos);
    CHECK(matches_stamp(HeaderField{"Received", w}.text()));
  }
  SECTION("local submission without a client address") {
    ReceivedInfo n = r;
    n.from_address.clear();
    n.from_host.clear();
    n.with_protocol = with_protocol(true, false, true);
    CHECK(format_received(n).starts_with(
        "from mail.gmail.example\r\n\tby mx.yahoo.example with ESMTPA id"));
    n.from_helo.clear();
    CHECK(format_received(n).starts_with("from unknown\r\n"));
  }
  SECTION("an id that is neither an Atom nor a msg-id is left out") {
    ReceivedInfo n = r;
    n.id = "has space";
    CHECK(format_received(n).find(" id ") == std::string::npos);
    n.id = "<20261122150405.1@mx.yahoo.example>";
    CHECK(format_received(n).find(" id <20261122150405.1@mx.yahoo.example>\r\n") !=
          std::string::npos);
    n.id.clear();
    CHECK(format_received(n).find(" id ") == std::string::npos);
  }
  SECTION("an address literal HELO without a client address cannot stand alone") {
    ReceivedInfo n = r;
    n.from_helo = "[192.0.2.41]";
    n.from_address.clear();
    n.from_host.clear();
    const std::string v = format_received(n);
    CHECK(v.starts_with("from unknown (helo=[192.0.2.41])\r\n"));
    CHECK(matches_stamp(HeaderField{"Received", v}.text()));
  }
  SECTION("values that would break the grammar are kept out of it") {
    ReceivedInfo n = r;
    n.by_host = "mx_1 (main)";
    n.from_address = "not-an-address";
    n.with_protocol = "E SMTP";
    n.for_recipient = "julia at yahoo";
    const std::string v = format_received(n);
    CHECK(v ==
          "from mail.gmail.example\r\n"
          "\tby unknown (mx_1 \\(main\\)) id 4ZkQ2x0Lw3z9sVn;\r\n"
          "\tSun, 22 Nov 2026 15:04:05 +0000");
    CHECK(matches_stamp(HeaderField{"Received", v}.text()));

    n.for_recipient = "julia@yahoo.example";  // a bare Mailbox is allowed too
    CHECK(format_received(n).find("\r\n\tfor julia@yahoo.example; ") != std::string::npos);
  }
  SECTION("a recipient is written exactly when it is a path or a mailbox") {
    // Paths near the limits and the forms of a Dot-string: what parse_path says decides.
    const std::vector<std::string> paths = {"<a@b>",
                                            "<" + std::string(64, 'j') + "@yahoo.example>",
                                            "<" + std::string(65, 'j') + "@yahoo.example>",
                                            "<.a@b.example>",
                                            "<a.@b.example>",
                                            "<a..b@b.example>",
                                            "<a.b@b.example>",
                                            "<@b.example>",
                                            "<a@>",
                                            "<a@[192.0.2.1]>",
                                            "<a@b_c.example>",
                                            "<a@-b.example>",
                                            "<\"a b\"@b.example>",
                                            "<a b@b.example>",
                                            "<@x.example:a@b.example>",
                                            "<a@b.example",
                                            "<a@" + std::string(64, 'x') + ".example>",
                                            "<j@" + std::string(245, 'y') + ".example>",
                                            "<a@b.example.>",
                                            "<a\x80@b.example>"};
    for (const std::string& p : paths) {
      ReceivedInfo n = r;
      n.for_recipient = p;
      const mailhop::mail::PathParse parsed = mailhop::mail::parse_path(p, false);
      const bool valid =
          parsed.error == mailhop::mail::PathError::kNone && parsed.consumed == p.size();
      INFO(p);
      CHECK((format_received(n).find("\tfor " + p + ";") != std::string::npos) == valid);
    }
  }
  SECTION("what the caller knows of the fields gives the same field") {
    mailhop::mail::ReceivedFields f;
    f.from_helo = r.from_helo;
    f.from_host = r.from_host;
    f.from_address = r.from_address;
    f.by_host = r.by_host;
    f.with_protocol = r.with_protocol;
    f.id = r.id;
    f.for_recipient = *r.for_recipient;
    f.unix_seconds = r.unix_seconds;
    std::string unknown;
    mailhop::mail::append_received(unknown, f);
    const std::string literal = mailhop::mail::received_address_literal(r.from_address);
    f.from_helo_valid = mailhop::mail::is_valid_domain(r.from_helo);
    f.from_host_valid = mailhop::mail::is_valid_domain(r.from_host);
    f.by_host_valid = mailhop::mail::is_valid_domain(r.by_host);
    f.from_literal = literal;
    std::string known;
    mailhop::mail::append_received(known, f);
    CHECK(known == unknown);
    CHECK(known == value);
    CHECK(mailhop::mail::received_address_literal("not-an-address").empty());
    CHECK(mailhop::mail::received_address_literal("2001:db8::1") == "[IPv6:2001:db8::1]");
  }
  SECTION("a long recipient pushes the date onto its own line") {
    ReceivedInfo n = r;
    n.for_recipient = "<" + std::string(60, 'j') + "@yahoo.example>";
    const std::string v = format_received(n);
    CHECK(v.ends_with("@yahoo.example>;\r\n\tSun, 22 Nov 2026 15:04:05 +0000"));
    CHECK(matches_stamp(HeaderField{"Received", v}.text()));
  }
  SECTION("the field survives a message round trip") {
    mailhop::mail::Message m;
    m.append("Subject", "hi");
    m.prepend("Received", value);
    const auto back = mailhop::mail::Message::parse(m.serialize());
    REQUIRE(back.has_value());
    CHECK(back->headers().front().value == " " + value);
    CHECK(back->get("Received") == field.text());
  }
}
