#include "sim/mail/address.h"

#include <catch2/catch.hpp>
#include <string>

using mailhop::mail::format_path;
using mailhop::mail::is_valid_domain;
using mailhop::mail::kMaxDomainOctets;
using mailhop::mail::kMaxLocalPartOctets;
using mailhop::mail::kMaxPathOctets;
using mailhop::mail::Mailbox;
using mailhop::mail::match_bare_postmaster;
using mailhop::mail::parse_mailbox;
using mailhop::mail::parse_path;
using mailhop::mail::PathError;
using mailhop::mail::PathParse;

namespace {

constexpr bool kReverse = true;   // MAIL FROM: "<>" allowed
constexpr bool kForward = false;  // RCPT TO

// A domain of exactly `n` octets made of 63-octet labels ("aaa...a.bbb...b.c").
std::string domain_of_length(std::size_t n) {
  std::string d;
  char letter = 'a';
  while (d.size() < n) {
    if (!d.empty()) d += '.';
    const std::size_t room = n - d.size();
    std::size_t label = room < 63 ? room : 63;
    if (room - label == 1) --label;  // leave room for ".x": a label cannot be empty
    d.append(label, letter);
    letter = static_cast<char>(letter == 'z' ? 'a' : letter + 1);
  }
  return d;
}

void require_ok(const PathParse& r, const std::string& local, const std::string& domain) {
  INFO(r.message);
  REQUIRE(r.error == PathError::kNone);
  REQUIRE(r.message.empty());
  REQUIRE_FALSE(r.null_path);
  REQUIRE(r.mailbox.has_value());
  CHECK(r.mailbox->local_part == local);
  CHECK(r.mailbox->domain == domain);
}

}  // namespace

TEST_CASE("parse_path accepts ordinary paths and reports what it consumed", "[mail][address]") {
  const PathParse r = parse_path("<julia@yahoo.example>", kForward);
  require_ok(r, "julia", "yahoo.example");
  CHECK(r.consumed == 21);

  SECTION("ESMTP parameters after the path are left to the caller") {
    const std::string line = "<a@b.example> SIZE=1000 BODY=8BITMIME";
    const PathParse p = parse_path(line, kReverse);
    require_ok(p, "a", "b.example");
    REQUIRE(p.consumed == 13);
    CHECK(line.substr(p.consumed) == " SIZE=1000 BODY=8BITMIME");
  }
  SECTION("case is kept as written; domain_lower folds only the domain") {
    const PathParse p = parse_path("<John.Doe@Mail.EXAMPLE.org>", kForward);
    require_ok(p, "John.Doe", "Mail.EXAMPLE.org");
    CHECK(p.mailbox->domain_lower() == "mail.example.org");
    CHECK(p.mailbox->str() == "John.Doe@Mail.EXAMPLE.org");
  }
  SECTION("all atext characters are allowed in a dot-string") {
    require_ok(parse_path("<!#$%&'*+-/=?^_`{|}~.x@d.example>", kForward), "!#$%&'*+-/=?^_`{|}~.x",
               "d.example");
  }
  SECTION("a numeric or single-label domain is syntactically a Domain") {
    require_ok(parse_path("<a@localhost>", kForward), "a", "localhost");
    require_ok(parse_path("<a@123.example>", kForward), "a", "123.example");
    require_ok(parse_path("<a@x-y--z.example>", kForward), "a", "x-y--z.example");
  }
}

TEST_CASE("parse_path handles the null reverse-path", "[mail][address]") {
  const PathParse mail_from = parse_path("<> SIZE=10", kReverse);
  CHECK(mail_from.error == PathError::kNone);
  CHECK(mail_from.null_path);
  CHECK_FALSE(mail_from.mailbox.has_value());
  CHECK(mail_from.consumed == 2);

  const PathParse rcpt_to = parse_path("<>", kForward);
  CHECK(rcpt_to.error == PathError::kSyntax);
  CHECK_FALSE(rcpt_to.null_path);
  CHECK(rcpt_to.message.find("reverse-path") != std::string::npos);
}

TEST_CASE("parse_path accepts quoted-string local parts", "[mail][address]") {
  require_ok(parse_path(R"(<"john doe"@example.org>)", kForward), R"("john doe")", "example.org");
  require_ok(parse_path(R"(<"a\"b\\c"@example.org>)", kForward), R"("a\"b\\c")", "example.org");
  require_ok(parse_path(R"(<"a@b>c"@example.org>)", kForward), R"("a@b>c")", "example.org");
  require_ok(parse_path(R"(<".leading..dots."@example.org>)", kForward), R"(".leading..dots.")",
             "example.org");
  require_ok(parse_path(R"(<""@example.org>)", kForward), R"("")", "example.org");

  SECTION("broken quoted strings") {
    CHECK(parse_path(R"(<"unterminated@example.org>)", kForward).error == PathError::kSyntax);
    CHECK(parse_path(R"(<"tab	inside"@example.org>)", kForward).error == PathError::kSyntax);
    CHECK(parse_path(std::string("<\"a\\\x01\"@example.org>"), kForward).error ==
          PathError::kSyntax);
    CHECK(parse_path(R"(<"a"b@example.org>)", kForward).error == PathError::kSyntax);
    CHECK(parse_path(R"(<a"b"@example.org>)", kForward).error == PathError::kSyntax);
  }
}

TEST_CASE("parse_path accepts and ignores a source route", "[mail][address]") {
  const PathParse r =
      parse_path("<@relay1.example,@relay2.example:joe@x.example> NOTIFY=NEVER", kForward);
  require_ok(r, "joe", "x.example");
  CHECK(r.consumed == 47);
  require_ok(parse_path("<@one.example:joe@x.example>", kForward), "joe", "x.example");

  for (const char* bad : {"<@:joe@x.example>", "<@relay.example>", "<@relay.example,joe@x.example>",
                          "<@relay.example,:joe@x.example>", "<@[192.0.2.1]:joe@x.example>",
                          "<@-relay.example:joe@x.example>"}) {
    INFO(bad);
    const PathParse p = parse_path(bad, kForward);
    CHECK(p.error == PathError::kSyntax);
    CHECK_FALSE(p.message.empty());
    CHECK(p.consumed == 0);
  }
}

TEST_CASE("parse_path accepts address literals", "[mail][address]") {
  const PathParse v4 = parse_path("<postmaster@[192.0.2.1]>", kForward);
  require_ok(v4, "postmaster", "[192.0.2.1]");
  CHECK(v4.mailbox->is_address_literal());
  CHECK_FALSE(parse_path("<a@example.org>", kForward).mailbox->is_address_literal());

  for (const char* good :
       {"<a@[0.0.0.0]>", "<a@[255.255.255.255]>", "<a@[IPv6:2001:db8::1]>", "<a@[ipv6:::1]>",
        "<a@[IPv6:::]>", "<a@[IPv6:2001:DB8:0:0:8:800:200C:417A]>", "<a@[IPv6:1::]>",
        "<a@[IPv6:1:2:3::6:7]>", "<a@[IPv6:1:2:3:4:5:6:192.0.2.1]>", "<a@[IPv6:::ffff:192.0.2.1]>",
        "<a@[IPv6:1:2:3::4:192.0.2.1]>"}) {
    INFO(good);
    const PathParse p = parse_path(good, kForward);
    INFO(p.message);
    CHECK(p.error == PathError::kNone);
  }
  for (const char* bad :
       {"<a@[192.0.2.256]>",
        "<a@[192.0.2]>",
        "<a@[192.0.2.1.5]>",
        "<a@[1920.0.2.1]>",
        "<a@[192..2.1]>",
        "<a@[]>",
        "<a@[192.0.2.1>",
        "<a@[IPv6:2001:db8::1::2]>",
        "<a@[IPv6:1:2:3:4:5:6:7]>",
        "<a@[IPv6:1:2:3:4:5:6:7:8:9]>",
        "<a@[IPv6:12345::]>",
        "<a@[IPv6:1:2:3:4:5:6:7::]>",  // "::" must stand for at least two groups (RFC 5321)
        "<a@[IPv6:1:2:3:4:5::192.0.2.1]>",
        "<a@[IPv6:192.0.2.1::]>",
        "<a@[IPv6:g::1]>",
        "<a@[IPv6::1]>",
        "<a@[IPv6::]>",
        "<a@[IPv6:]>",
        "<a@[2001:db8::1]>",
        "<a@[x400:whatever]>",
        "<a@[1.2.3.4]x>",
        "<a@[1.2.3.4]"}) {
    INFO(bad);
    const PathParse p = parse_path(bad, kForward);
    CHECK(p.error == PathError::kSyntax);
    CHECK_FALSE(p.message.empty());
  }
}

TEST_CASE("parse_path rejects malformed paths with a reason", "[mail][address]") {
  struct Case {
    const char* text;
    const char* reason_part;
  };
  const Case cases[] = {
      {"", "missing path"},
      {"julia@yahoo.example", "angle brackets"},
      {" <julia@yahoo.example>", "angle brackets"},
      {"<julia@yahoo.example", "missing '>'"},
      {"<julia>", "missing '@domain'"},
      {"<@>", "missing source route domain"},
      {"<a@>", "missing domain"},
      {"<@yahoo.example>", "source route"},
      {"<a b@yahoo.example>", "' ' (space) in the local part"},
      {"<.a@yahoo.example>", "'.'"},
      {"<a.@yahoo.example>", "'.'"},
      {"<a..b@yahoo.example>", "'.'"},
      {"<a@yahoo.example.>", "ends with '.'"},
      {"<a@.yahoo.example>", "empty label"},
      {"<a@yahoo..example>", "empty label"},
      {"<a@-yahoo.example>", "start and end with a letter or digit"},
      {"<a@yahoo-.example>", "start and end with a letter or digit"},
      {"<a@yahoo_mail.example>", "'_' in the domain"},
      {"<a@yahoo.example >", "' ' (space) in the domain"},
      {"<a@b@yahoo.example>", "'@' in the domain"},
      {"<a(comment)@yahoo.example>", "'(' in the local part"},
      {"<\xC3\xB1@yahoo.example>", "SMTPUTF8"},
      {"<a@yahoo.example\r\n>", "0x0D in the domain"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const PathParse r = parse_path(c.text, kReverse);
    CHECK(r.error == PathError::kSyntax);
    CHECK_FALSE(r.mailbox.has_value());
    CHECK_FALSE(r.null_path);
    CHECK(r.consumed == 0);
    INFO(r.message);
    CHECK(r.message.find(c.reason_part) != std::string::npos);
  }
}

TEST_CASE("parse_path enforces the size limits of RFC 5321 4.5.3.1", "[mail][address]") {
  SECTION("local part: 64 octets at most") {
    const std::string at_limit(kMaxLocalPartOctets, 'l');
    require_ok(parse_path("<" + at_limit + "@example.org>", kForward), at_limit, "example.org");
    const PathParse r = parse_path("<" + at_limit + "l@example.org>", kForward);
    CHECK(r.error == PathError::kLocalPartTooLong);
    CHECK(r.message.find("65 octets") != std::string::npos);
    CHECK_FALSE(r.mailbox.has_value());

    // The quotes of a quoted-string count.
    const std::string quoted = "\"" + std::string(62, 'q') + "\"";
    require_ok(parse_path("<" + quoted + "@example.org>", kForward), quoted, "example.org");
    CHECK(parse_path("<\"" + std::string(63, 'q') + "\"@example.org>", kForward).error ==
          PathError::kLocalPartTooLong);
  }
  SECTION("a syntax error is reported before a size error") {
    CHECK(parse_path("<" + std::string(70, 'l') + "@bad_domain>", kForward).error ==
          PathError::kSyntax);
  }
  SECTION("domain: 255 octets at most") {
    const std::string at_limit = domain_of_length(kMaxDomainOctets);
    REQUIRE(at_limit.size() == 255);
    REQUIRE(is_valid_domain(at_limit));
    const std::string over = domain_of_length(kMaxDomainOctets + 1);
    REQUIRE(over.size() == 256);
    CHECK_FALSE(is_valid_domain(over));

    // 1 + 1 + 1 + 255 + 1 = 259 octets: the domain limit is named, not the path limit.
    const PathParse r = parse_path("<a@" + over + ">", kForward);
    CHECK(r.error == PathError::kDomainTooLong);
    CHECK(r.message.find("256 octets") != std::string::npos);
  }
  SECTION("a DNS label holds 63 octets at most") {
    const std::string label63(63, 'x');
    require_ok(parse_path("<a@" + label63 + ".example>", kForward), "a", label63 + ".example");
    const PathParse r = parse_path("<a@" + label63 + "x.example>", kForward);
    CHECK(r.error == PathError::kDomainTooLong);
    CHECK(r.message.find("63") != std::string::npos);
  }
  SECTION("path: 256 octets at most, brackets and source route included") {
    // "<" + 64 + "@" + domain + ">" == 256 needs a domain of 189 octets.
    const std::string local(64, 'l');
    const std::string domain = domain_of_length(kMaxPathOctets - 67);
    const PathParse ok = parse_path("<" + local + "@" + domain + ">", kForward);
    require_ok(ok, local, domain);
    CHECK(ok.consumed == 256);

    const std::string longer = domain_of_length(kMaxPathOctets - 66);
    const PathParse r = parse_path("<" + local + "@" + longer + ">", kForward);
    CHECK(r.error == PathError::kPathTooLong);
    CHECK(r.message.find("257 octets") != std::string::npos);

    // A source route makes an otherwise short enough path too long.
    const std::string route = "@" + domain_of_length(60) + ":";
    const std::string short_domain = domain_of_length(kMaxPathOctets - 67 - route.size());
    CHECK(parse_path("<" + route + local + "@" + short_domain + ">", kForward).consumed == 256);
    const std::string longer_route = "@" + domain_of_length(61) + ":";
    CHECK(parse_path("<" + longer_route + local + "@" + short_domain + ">", kForward).error ==
          PathError::kPathTooLong);
  }
  SECTION("each error kind is distinct") {
    CHECK(PathError::kLocalPartTooLong != PathError::kDomainTooLong);
    CHECK(PathError::kDomainTooLong != PathError::kPathTooLong);
    CHECK(PathError::kPathTooLong != PathError::kSyntax);
  }
}

TEST_CASE("parse_mailbox parses a bare mailbox", "[mail][address]") {
  std::string error;
  const auto m = parse_mailbox("julia@yahoo.example", &error);
  REQUIRE(m.has_value());
  CHECK(error.empty());
  CHECK(*m == Mailbox{"julia", "yahoo.example"});

  CHECK(parse_mailbox(R"("a b"@[IPv6:2001:db8::25])") ==
        Mailbox{R"("a b")", "[IPv6:2001:db8::25]"});

  struct Case {
    const char* text;
    const char* reason_part;
  };
  const Case cases[] = {
      {"", "empty local part"},
      {"julia", "missing '@domain'"},
      {"<julia@yahoo.example>", "'<' in the local part"},
      {"julia@yahoo.example ", "' ' (space) in the domain"},
      {"julia@yahoo.example>", "'>' in the domain"},
      {"julia@[192.0.2.1] ", "after the address literal"},
      {"julia@", "missing domain"},
      {"@yahoo.example", "empty local part"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    error.clear();
    CHECK_FALSE(parse_mailbox(c.text, &error).has_value());
    INFO(error);
    CHECK(error.find(c.reason_part) != std::string::npos);
  }
  CHECK_FALSE(parse_mailbox("a@b_c"));  // the error pointer is optional

  SECTION("size limits") {
    CHECK(parse_mailbox(std::string(64, 'l') + "@example.org"));
    error.clear();
    CHECK_FALSE(parse_mailbox(std::string(65, 'l') + "@example.org", &error));
    CHECK(error.find("64") != std::string::npos);
    // 64 + 1 + 189 = 254 octets fits a 256-octet path; one more does not.
    CHECK(parse_mailbox(std::string(64, 'l') + "@" + domain_of_length(189)));
    error.clear();
    CHECK_FALSE(parse_mailbox(std::string(64, 'l') + "@" + domain_of_length(190), &error));
    CHECK(error.find("256") != std::string::npos);
  }
}

TEST_CASE("is_valid_domain", "[mail][address]") {
  for (const char* good : {"example.org", "a", "A1-b2.example", "xn--bcher-kva.example", "1.2.3",
                           "[192.0.2.1]", "[IPv6:::1]"}) {
    INFO(good);
    CHECK(is_valid_domain(good));
  }
  for (const char* bad : {"", ".", "example.org.", ".example.org", "a..b", "-a.example",
                          "a-.example", "a_b.example", "a b", "[192.0.2.300]", "[IPv6:zz::1]",
                          "[192.0.2.1", "exa\xC3\xA9mple.org", "example.org\n"}) {
    INFO(bad);
    CHECK_FALSE(is_valid_domain(bad));
  }
  CHECK(is_valid_domain(std::string(63, 'a') + ".example"));
  CHECK_FALSE(is_valid_domain(std::string(64, 'a') + ".example"));
  // Every string of up to 6 octets from letters, digits, '-', '.', '_' and a space: valid
  // exactly when the path parser takes it as the domain of an address.
  const std::string alphabet = "aZ1-._ ";
  std::vector<std::string> level{""};
  std::size_t tried = 0;
  for (int len = 1; len <= 6; ++len) {
    std::vector<std::string> next;
    for (const std::string& prefix : level) {
      for (const char c : alphabet) {
        const std::string d = prefix + c;
        const std::string path = "<x@" + d + ">";
        const mailhop::mail::PathParse p = mailhop::mail::parse_path(path, false);
        const bool parsed = p.error == mailhop::mail::PathError::kNone && p.consumed == path.size();
        if (is_valid_domain(d) != parsed)
          FAIL("'" << d << "': is_valid_domain disagrees with parse_path");
        next.push_back(d);
        ++tried;
      }
    }
    level = std::move(next);
  }
  CHECK(tried == 137'256);  // 7 + 49 + ... + 7^6
}

TEST_CASE("format_path renders paths and round-trips through parse_path", "[mail][address]") {
  CHECK(format_path(std::nullopt) == "<>");
  const Mailbox m{"julia", "yahoo.example"};
  CHECK(format_path(m) == "<julia@yahoo.example>");
  for (const char* text : {"<julia@yahoo.example>", R"(<"a\"b c"@x.example>)",
                           "<a@[IPv6:2001:db8::1]>", "<x.y+tag@Sub.Example.ORG>"}) {
    const PathParse p = parse_path(text, kForward);
    REQUIRE(p.mailbox.has_value());
    CHECK(format_path(p.mailbox) == text);
  }
  CHECK(format_path(parse_path("<@relay.example:joe@x.example>", kForward).mailbox) ==
        "<joe@x.example>");
}

TEST_CASE("match_bare_postmaster recognises RCPT TO:<Postmaster>", "[mail][address]") {
  CHECK(match_bare_postmaster("<Postmaster>") == 12);
  CHECK(match_bare_postmaster("<POSTMASTER> NOTIFY=NEVER") == 12);
  CHECK(match_bare_postmaster("<postmaster@example.org>") == 0);
  CHECK(match_bare_postmaster("<postmaste>") == 0);
  CHECK(match_bare_postmaster("") == 0);
  // Not a Mailbox on its own: it has no domain.
  CHECK(parse_path("<Postmaster>", kForward).error == PathError::kSyntax);
}

TEST_CASE("parse_path never reads past the input", "[mail][address]") {
  // Every prefix of valid paths is either a clean syntax error or the full path.
  for (const std::string& full : {std::string("<@r.example:\"q\\\"x\"@[IPv6:2001:db8::192.0.2.1]>"),
                                  std::string("<a.b@c.example>")}) {
    for (std::size_t n = 0; n < full.size(); ++n) {
      const PathParse p = parse_path(std::string_view(full).substr(0, n), kForward);
      INFO(full.substr(0, n));
      CHECK(p.error == PathError::kSyntax);
      CHECK_FALSE(p.message.empty());
    }
    CHECK(parse_path(full, kForward).consumed == full.size());
  }
}

TEST_CASE("parse_plain_path takes the usual paths as parse_path does, and leaves the rest to it",
          "[mail][address]") {
  using mailhop::mail::parse_plain_path;
  const std::string long_local(kMaxLocalPartOctets, 'l');
  const std::string long_domain = domain_of_length(246) + ".org";  // the path: 254 octets
  // Accepted by both, with the same parts and length.
  for (const std::string& text :
       {std::string("<julia@yahoo.example>"), std::string("<a.b+tag@x-1.example> SIZE=10"),
        std::string("<A!#$%&'*+-/=?^_`{|}~@EXAMPLE.ORG>"), "<" + long_local + "@example.org>",
        "<x@" + long_domain + ">", "<x@" + std::string(63, 'd') + ".example>"}) {
    INFO(text);
    const PathParse full = parse_path(text, kForward);
    REQUIRE(full.error == PathError::kNone);
    Mailbox box;
    std::size_t consumed = 0;
    REQUIRE(parse_plain_path(text, &box, &consumed));
    CHECK(box == *full.mailbox);
    CHECK(consumed == full.consumed);
  }
  // Anything else is left to parse_path, with the mailbox untouched.
  for (const std::string& text :
       {std::string("<>"), std::string("<\"q\"@example.org>"),
        std::string("<@r.example:a@b.example>"), std::string("<a@[192.0.2.1]>"),
        std::string("<a@b.example"), std::string("<a..b@c.example>"), std::string("<a@b.example.>"),
        std::string("<a@-b.example>"), std::string("<a@b_c.example>"),
        "<" + long_local + "l@example.org>", "<x@" + std::string(64, 'd') + ".example>",
        "<x@" + domain_of_length(kMaxDomainOctets + 1) + ">", std::string("julia@yahoo.example"),
        std::string("<a@b.example >"), std::string("")}) {
    INFO(text);
    Mailbox box{"keep", "me"};
    std::size_t consumed = 7;
    CHECK_FALSE(parse_plain_path(text, &box, &consumed));
    CHECK(box == Mailbox{"keep", "me"});
    CHECK(consumed == 7);
  }
}
