#include "sim/mail/message.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

using mailhop::mail::HeaderField;
using mailhop::mail::Message;
using mailhop::mail::MessageParseError;

namespace {

// Splits text at CRLF; a trailing CRLF gives no extra empty line.
std::vector<std::string> crlf_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < text.size()) {
    const std::size_t crlf = text.find("\r\n", from);
    if (crlf == std::string::npos) {
      out.push_back(text.substr(from));
      break;
    }
    out.push_back(text.substr(from, crlf - from));
    from = crlf + 2;
  }
  return out;
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!word.empty()) out.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) out.push_back(word);
  return out;
}

Message parse_ok(const std::string& text) {
  MessageParseError error;
  auto m = Message::parse(text, &error);
  INFO(error.str());
  REQUIRE(m.has_value());
  return *m;
}

MessageParseError parse_error(const std::string& text) {
  MessageParseError error;
  const auto m = Message::parse(text, &error);
  REQUIRE_FALSE(m.has_value());
  REQUIRE_FALSE(error.reason.empty());
  return error;
}

const std::string kSample =
    "Received: from mail.gmail.example (mail.gmail.example [192.0.2.41])\r\n"
    "\tby mx.yahoo.example with ESMTPS id 4ZkQ2x0Lw3z9sVn\r\n"
    "\tfor <julia@yahoo.example>; Sun, 22 Nov 2026 15:04:05 +0000\r\n"
    "From: Ana <ana@gmail.example>\r\n"
    "To: julia@yahoo.example\r\n"
    "Subject: Class notes for\r\n"
    " tomorrow\r\n"
    "X-Empty:\r\n"
    "X-Tight:no-space\r\n"
    "\r\n"
    "Hi Julia,\r\n"
    "\r\n"
    "the notes are attached.\r\n";

}  // namespace

TEST_CASE("Message::parse splits header fields and body", "[mail][message]") {
  const Message m = parse_ok(kSample);
  REQUIRE(m.headers().size() == 6);
  CHECK(m.headers()[0].name == "Received");
  CHECK(m.headers()[0].value ==
        " from mail.gmail.example (mail.gmail.example [192.0.2.41])\r\n"
        "\tby mx.yahoo.example with ESMTPS id 4ZkQ2x0Lw3z9sVn\r\n"
        "\tfor <julia@yahoo.example>; Sun, 22 Nov 2026 15:04:05 +0000");
  CHECK(m.headers()[3].name == "Subject");
  CHECK(m.headers()[3].value == " Class notes for\r\n tomorrow");
  CHECK(m.headers()[3].unfolded() == " Class notes for tomorrow");
  CHECK(m.headers()[3].text() == "Class notes for tomorrow");
  CHECK(m.headers()[4].value.empty());
  CHECK(m.headers()[5].value == "no-space");
  CHECK(m.body() == "Hi Julia,\r\n\r\nthe notes are attached.\r\n");

  SECTION("serialize gives back CRLF input octet for octet") {
    CHECK(m.serialize() == kSample);
  }
  SECTION("bare LF input is read the same and written with CRLF") {
    std::string lf;
    for (char c : kSample) {
      if (c != '\r') lf += c;
    }
    const Message from_lf = parse_ok(lf);
    CHECK(from_lf == m);
    CHECK(from_lf.serialize() == kSample);
  }
  SECTION("mixed line ends") {
    const Message mixed = parse_ok("A: 1\nB: 2\r\n  more\n\nline\r\nline\n");
    CHECK(mixed.headers()[1].value == " 2\r\n  more");
    CHECK(mixed.body() == "line\r\nline\r\n");
    CHECK(mixed.serialize() == "A: 1\r\nB: 2\r\n  more\r\n\r\nline\r\nline\r\n");
  }
}

TEST_CASE("Message lookups ignore case", "[mail][message]") {
  const Message m = parse_ok(kSample);
  CHECK(m.get("subject") == "Class notes for tomorrow");
  CHECK(m.get("SUBJECT") == m.get("Subject"));
  CHECK(m.get("x-empty") == "");
  CHECK_FALSE(m.get("Subjec").has_value());
  CHECK_FALSE(m.get("Subject2").has_value());
  CHECK(m.has("FROM"));
  CHECK_FALSE(m.has("Cc"));
  REQUIRE(m.find("to") != nullptr);
  CHECK(m.find("to") == &m.headers()[2]);
  CHECK(m.find("message-id") == nullptr);

  Message two = m;
  two.prepend("received", "from b by c; Mon, 1 Jan 2024 00:00:00 +0000");
  CHECK(two.count("RECEIVED") == 2);
  const std::vector<std::string> all = two.get_all("Received");
  REQUIRE(all.size() == 2);
  CHECK(all[0] == "from b by c; Mon, 1 Jan 2024 00:00:00 +0000");
  CHECK(all[1].starts_with("from mail.gmail.example (mail.gmail.example [192.0.2.41])\tby "));
  CHECK(two.get("Received") == all[0]);
  CHECK(two.get_all("Cc").empty());
}

TEST_CASE("Message append, prepend and remove_all", "[mail][message]") {
  Message m;
  m.append("Subject", "Hello");
  m.append("To", "julia@yahoo.example");
  m.prepend("Return-Path", "<ana@gmail.example>");
  m.append("X-Blank", "");
  m.append("X-Indented", "\tkept");
  m.set_body("one\ntwo\r\nthree");
  REQUIRE(m.headers().size() == 5);
  CHECK(m.headers()[0] == HeaderField{"Return-Path", " <ana@gmail.example>"});
  CHECK(m.headers()[1] == HeaderField{"Subject", " Hello"});
  CHECK(m.headers()[3] == HeaderField{"X-Blank", ""});
  CHECK(m.headers()[4] == HeaderField{"X-Indented", "\tkept"});
  CHECK(m.body() == "one\r\ntwo\r\nthree");
  CHECK(m.serialize() ==
        "Return-Path: <ana@gmail.example>\r\n"
        "Subject: Hello\r\n"
        "To: julia@yahoo.example\r\n"
        "X-Blank:\r\n"
        "X-Indented:\tkept\r\n"
        "\r\n"
        "one\r\ntwo\r\nthree");
  CHECK(parse_ok(m.serialize()) == m);

  m.append("subject", "Second");
  m.remove_all("SUBJECT");
  CHECK_FALSE(m.has("Subject"));
  CHECK(m.headers().size() == 4);
  m.remove_all("Not-There");
  CHECK(m.headers().size() == 4);
}

TEST_CASE("Message never lets a value end the header section", "[mail][message]") {
  Message m;
  m.append("Subject", "hi\r\nBcc: everyone@example.org\r\n\r\nforged body");
  m.append("X-Trailing", "value\r\n");
  m.append("X-Bare", "a\nb\rc");
  m.append("X-Fold", "a\r\n b");
  m.set_body("real body\r\n");
  CHECK(m.headers()[0].value == " hi\r\n Bcc: everyone@example.org\r\n forged body");
  CHECK(m.headers()[1].value == " value");
  CHECK(m.headers()[2].value == " a\r\n b\r\n c");
  CHECK(m.headers()[3].value == " a\r\n b");  // a real fold is kept as it is

  const Message back = parse_ok(m.serialize());
  CHECK(back == m);
  CHECK_FALSE(back.has("Bcc"));
  CHECK(back.body() == "real body\r\n");

  SECTION("fields changed through headers() are repaired when written") {
    Message raw;
    raw.headers().push_back(HeaderField{"Subject", " x\r\nBcc: y\n\r\n"});
    raw.set_body("b");
    const std::string text = raw.serialize();
    CHECK(text == "Subject: x\r\n Bcc: y\r\n\r\nb");
    const Message parsed = parse_ok(text);
    CHECK(parsed.headers().size() == 1);
    CHECK(parsed.get("Subject") == "x Bcc: y");
  }
}

TEST_CASE("Message::parse edge cases", "[mail][message]") {
  SECTION("empty text") {
    const Message m = parse_ok("");
    CHECK(m.headers().empty());
    CHECK(m.body().empty());
    CHECK(m.serialize() == "\r\n");
    CHECK(parse_ok(m.serialize()) == m);
  }
  SECTION("no header fields, only a body") {
    const Message m = parse_ok("\r\nJust a body\r\n");
    CHECK(m.headers().empty());
    CHECK(m.body() == "Just a body\r\n");
    CHECK(m.serialize() == "\r\nJust a body\r\n");
  }
  SECTION("the text ends inside the header section") {
    const Message m = parse_ok("Subject: no body\r\nX-Last: unterminated");
    REQUIRE(m.headers().size() == 2);
    CHECK(m.headers()[1].value == " unterminated");
    CHECK(m.body().empty());
    CHECK(parse_ok(m.serialize()) == m);
  }
  SECTION("an empty body after the blank line") {
    const Message m = parse_ok("Subject: x\r\n\r\n");
    CHECK(m.body().empty());
    CHECK(m.serialize() == "Subject: x\r\n\r\n");
  }
  SECTION("the body is kept exactly, blank lines and lone CR included") {
    const std::string body = "\r\n\r\nline with : colon\r\n line with leading space\rCR\r\n.\r\n";
    const Message m = parse_ok("A: b\r\n\r\n" + body);
    CHECK(m.body() == body);
  }
  SECTION("obsolete whitespace between the field name and the colon") {
    const Message m = parse_ok("Subject \t: spaced\r\n\r\n");
    REQUIRE(m.headers().size() == 1);
    CHECK(m.headers()[0].name == "Subject");
    CHECK(m.get("subject") == "spaced");
  }
  SECTION("a whitespace-only continuation line (obsolete) is kept") {
    const Message m = parse_ok("Subject: a\r\n   \r\n b\r\n\r\n");
    CHECK(m.headers()[0].value == " a\r\n   \r\n b");
    CHECK(m.get("Subject") == "a    b");
    CHECK(parse_ok(m.serialize()) == m);
  }
  SECTION("every printable character but the colon may appear in a field name") {
    std::string name;
    for (char c = '!'; c <= '~'; ++c) {
      if (c != ':') name += c;
    }
    const Message m = parse_ok(name + ": v\r\n\r\n");
    CHECK(m.headers()[0].name == name);
    CHECK(Message::is_valid_field_name(name));
  }
  SECTION("the colon after the first one belongs to the value") {
    const Message m = parse_ok("X-Time: 12:30:00\r\n\r\n");
    CHECK(m.headers()[0].name == "X-Time");
    CHECK(m.get("x-time") == "12:30:00");
  }
}

TEST_CASE("Message::parse reports malformed header sections with the line", "[mail][message]") {
  SECTION("a line without a colon") {
    const MessageParseError e =
        parse_error("Subject: hi\r\nTo: a@b.example\r\nHello there\r\n\r\n");
    CHECK(e.line == 3);
    CHECK(e.reason.find("no ':'") != std::string::npos);
    CHECK(e.str().starts_with("line 3: "));
  }
  SECTION("line numbers count continuation lines and bare LF ends") {
    CHECK(parse_error("A: 1\n 2\n\t3\nB: 4\nbroken\n\nbody").line == 5);
    CHECK(parse_error("A: 1\r\n 2\r\nbroken").line == 3);
  }
  SECTION("a body without a blank line before it") {
    const MessageParseError e = parse_error("Hi Julia,\r\nthe notes are attached.\r\n");
    CHECK(e.line == 1);
  }
  SECTION("an empty field name") {
    const MessageParseError e = parse_error("Subject: a\r\n: no name\r\n\r\n");
    CHECK(e.line == 2);
    CHECK(e.reason.find("empty field name") != std::string::npos);
    CHECK(parse_error(":\r\n").line == 1);
  }
  SECTION("illegal characters in a field name") {
    const MessageParseError space = parse_error("Subject: a\r\nX Bad: 1\r\n\r\n");
    CHECK(space.line == 2);
    CHECK(space.reason.find("' ' (space)") != std::string::npos);
    CHECK(space.reason.find("\"X Bad\"") != std::string::npos);
    const MessageParseError high = parse_error("Subj\xC3\xA9t: 1\r\n\r\n");
    CHECK(high.line == 1);
    CHECK(high.reason.find("0xC3") != std::string::npos);
    CHECK(parse_error(std::string("X\0Y: 1\r\n\r\n", 10)).reason.find("0x00") != std::string::npos);
    // An mbox "From " separator is not a header field.
    CHECK(parse_error("From ana@gmail.example Sun Nov 22 15:04:05 2026\r\n").line == 1);
  }
  SECTION("a continuation line with nothing to continue") {
    const MessageParseError e = parse_error(" Subject: folded too early\r\n\r\n");
    CHECK(e.line == 1);
    CHECK(e.reason.find("whitespace") != std::string::npos);
  }
  SECTION("the error out-parameter is optional") {
    CHECK_FALSE(Message::parse("no colon\r\n\r\n").has_value());
  }
}

TEST_CASE("Message::fold folds at whitespace within 78 octets", "[mail][message]") {
  const std::string subject =
      "Notes for tomorrow's class on SMTP: the envelope, the header section, Received "
      "fields, bounces and how a message travels from one server to the next";
  const std::string folded = Message::fold("Subject", subject);
  CHECK(folded ==
        " Notes for tomorrow's class on SMTP: the envelope, the header section,\r\n"
        " Received fields, bounces and how a message travels from one server to the\r\n"
        " next");
  const std::vector<std::string> lines = crlf_lines("Subject:" + folded);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].size() == 78);  // filled up to the limit exactly
  for (const std::string& line : lines) CHECK(line.size() <= 78);
  CHECK(HeaderField{"Subject", folded}.unfolded() == " " + subject);

  SECTION("a folded value round-trips through a message") {
    Message m;
    m.append("Subject", folded);
    CHECK(m.headers()[0].value == folded);
    const Message back = parse_ok(m.serialize());
    CHECK(back == m);
    CHECK(back.get("Subject") == subject);
  }
  SECTION("short values are left alone") {
    CHECK(Message::fold("Subject", "hi") == " hi");
    CHECK(Message::fold("Subject", "") == "");
    CHECK(Message::fold("Subject", "  two spaces") == "  two spaces");
  }
  SECTION("existing folds are undone first, and stray line breaks become spaces") {
    CHECK(Message::fold("X", "a\r\n b") == " a b");
    CHECK(Message::fold("X", "a\r\nb\nc") == " a  b c");
    CHECK(Message::fold("Subject", Message::fold("Subject", subject)) == folded);
  }
  SECTION("runs of whitespace move to the next line whole") {
    const std::string v = std::string(72, 'a') + "   \tb";
    CHECK(Message::fold("X", v) == " " + std::string(72, 'a') + "\r\n   \tb");
  }
  SECTION("trailing whitespace never makes a whitespace-only line") {
    const std::string v = std::string(70, 'a') + std::string(20, ' ');
    const std::string f = Message::fold("X", v);
    CHECK(f.find("\r\n") == std::string::npos);
    CHECK(f == " " + v);
  }
  SECTION("a smaller limit") {
    const std::string f = Message::fold("To", "aa bb cc dd ee ff gg", 9);
    CHECK(f == " aa bb\r\n cc dd ee\r\n ff gg");
  }
}

TEST_CASE("Message::fold keeps long words whole", "[mail][message]") {
  const std::string long_word(100, 'w');
  SECTION("a long word in the middle stays alone on its line") {
    const std::string f = Message::fold("Subject", "short " + long_word + " tail words");
    CHECK(f == " short\r\n " + long_word + "\r\n tail words");
  }
  SECTION("a first word that fits a line by itself moves below the name") {
    const std::string word(77, 'x');
    const std::string f = Message::fold("Subject", word + " and more");
    CHECK(f == "\r\n " + word + "\r\n and more");
    CHECK(HeaderField{"Subject", f}.text() == word + " and more");
  }
  SECTION("a first word longer than any line stays next to the name") {
    CHECK(Message::fold("Subject", long_word + " end") == " " + long_word + "\r\n end");
  }
  SECTION("the hard limit of 998 octets is kept whenever a fold can keep it") {
    const std::string huge(990, 'h');  // "Subject: " + 990 = 999 > 998
    const std::string f = Message::fold("Subject", huge);
    CHECK(f == "\r\n " + huge);
    for (const std::string& line : crlf_lines("Subject:" + f)) CHECK(line.size() <= 998);

    // A limit above 998 is treated as 998.
    const std::string words = std::string(600, 'a') + " " + std::string(600, 'b');
    const std::string g = Message::fold("X", words, 5000);
    CHECK(g == " " + std::string(600, 'a') + "\r\n " + std::string(600, 'b'));

    // A single word of more than 997 octets cannot fit any line; it is not cut.
    const std::string giant(1200, 'g');
    CHECK(Message::fold("X", giant) == " " + giant);
  }
}

TEST_CASE("Message::fold invariants over many generated values", "[mail][message]") {
  std::uint32_t seed = 12345;
  auto next = [&seed](std::uint32_t n) {
    seed = seed * 1664525u + 1013904223u;  // a fixed LCG: the same values on every run
    return (seed >> 8) % n;
  };
  for (int round = 0; round < 300; ++round) {
    std::string value;
    const std::uint32_t words = 1 + next(40);
    for (std::uint32_t w = 0; w < words; ++w) {
      if (w > 0) value.append(1 + next(2), next(4) == 0 ? '\t' : ' ');
      const std::uint32_t len = next(10) == 0 ? 60 + next(60) : 1 + next(12);
      for (std::uint32_t k = 0; k < len; ++k) value += static_cast<char>('a' + next(26));
    }
    const std::string name = next(2) == 0 ? "Subject" : "X-Generated-Field-Name";
    const std::size_t limit = next(3) == 0 ? 40 : 78;
    const std::string f = Message::fold(name, value, limit);
    INFO(value);
    INFO(f);
    // Lossless: unfolding gives back the value.
    REQUIRE(HeaderField{name, f}.unfolded() == " " + value);
    // Words are never split.
    REQUIRE(words_of(f) == words_of(value));
    // Each line obeys the limit unless it holds a single word that is too long by itself.
    const std::vector<std::string> lines = crlf_lines(name + ":" + f);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      if (line.size() > limit) {
        const std::vector<std::string> in_line =
            words_of(i == 0 ? line.substr(name.size() + 1) : line);
        CHECK(in_line.size() == 1);
      }
      if (i > 0) {
        REQUIRE_FALSE(line.empty());
        CHECK((line[0] == ' ' || line[0] == '\t'));
        CHECK(line.find_first_not_of(" \t") != std::string::npos);
      }
    }
    // A message holding the folded field gives it back.
    Message m;
    m.append(name, f);
    REQUIRE(parse_ok(m.serialize()) == m);
  }
}

TEST_CASE("Message round trip: parse(serialize(m)) == m", "[mail][message]") {
  Message m;
  m.append("Received",
           "from a (b [192.0.2.1])\r\n\tby c with ESMTP id X\r\n\tfor <d@e>; "
           "Mon, 1 Jan 2024 00:00:00 +0000");
  m.append("From", "\"Ana, teacher\" <ana@gmail.example>");
  m.append("Subject", Message::fold("Subject", std::string(50, 's') + " " + std::string(50, 't')));
  m.append("X-Empty", "");
  m.append("Tight", "\tx");
  m.set_body("line 1\r\n\r\n.leading dot\r\nno final line end");
  const std::string text = m.serialize();
  const Message back = parse_ok(text);
  CHECK(back == m);
  CHECK(back.serialize() == text);
}
