// Tests of SmtpReply, parse_enhanced_code, parse_reply_line and SmtpReplyParser
// (sim/proto/smtp_reply.h).

#include "sim/proto/smtp_reply.h"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mailhop::proto {

TEST_CASE("SmtpReply::to_wire writes single and multi-line replies", "[proto][smtp_reply]") {
  CHECK(SmtpReply(250, "", "OK").to_wire() == "250 OK\r\n");
  CHECK(SmtpReply(250, "2.1.0", "OK").to_wire() == "250 2.1.0 OK\r\n");
  // RFC 4954: an empty challenge is "334 " with the space.
  CHECK(SmtpReply(334, "", "").to_wire() == "334 \r\n");
  SmtpReply no_lines;
  no_lines.code = 250;
  CHECK(no_lines.to_wire() == "250 \r\n");
  no_lines.enhanced = "2.0.0";
  CHECK(no_lines.to_wire() == "250 2.0.0\r\n");

  SmtpReply multi(250, "", "mx.example");
  multi.lines.emplace_back("PIPELINING");
  multi.lines.emplace_back("DSN");
  CHECK(multi.to_wire() == "250-mx.example\r\n250-PIPELINING\r\n250 DSN\r\n");
  SmtpReply help(214, "2.0.0", "Commands: ...");
  help.lines.emplace_back("See RFC 5321");
  // RFC 2034: the enhanced code starts the text of every line.
  CHECK(help.to_wire() == "214-2.0.0 Commands: ...\r\n214 2.0.0 See RFC 5321\r\n");
}

TEST_CASE("SmtpReply::append_wire_line gives each wire line without its CRLF", "[proto][smtp_reply]") {
  SmtpReply help(214, "2.0.0", "Commands: ...");
  help.lines.emplace_back("");
  help.lines.emplace_back("See RFC 5321");
  SmtpReply no_lines;
  no_lines.code = 250;
  no_lines.enhanced = "2.0.0";
  SmtpReply odd_code(42, "", "out of range");  // not three digits: written as it is
  SmtpReply empty_text(334, "", "");
  CHECK(odd_code.to_wire() == "42 out of range\r\n");
  for (const SmtpReply* r : {&help, &no_lines, &odd_code, &empty_text}) {
    std::string joined;
    for (std::size_t i = 0; i < r->wire_line_count(); ++i) {
      std::string line = "kept:";  // appended to, not replaced
      r->append_wire_line(line, i);
      REQUIRE(line.starts_with("kept:"));
      joined += line.substr(5) + "\r\n";
    }
    CHECK(joined == r->to_wire());
  }
  CHECK(help.wire_line_count() == 3);
  CHECK(no_lines.wire_line_count() == 1);
  std::string second;
  help.append_wire_line(second, 1);
  CHECK(second == "214-2.0.0");
  // Appending to a reply already in the buffer (pipelined replies share one output).
  std::string out = "250 OK\r\n";
  help.append_wire(out);
  CHECK(out == "250 OK\r\n" + help.to_wire());
}

TEST_CASE("append_reply_wire writes what SmtpReply::append_wire writes", "[proto][smtp_reply]") {
  std::vector<SmtpReply> replies = {SmtpReply(250, "", "OK"),
                                    SmtpReply(550, "5.1.1", "User unknown"), SmtpReply(334, "", ""),
                                    SmtpReply(250, "2.0.0", "")};
  SmtpReply multi;
  multi.code = 250;
  multi.lines = {"mx.example", "PIPELINING", "SIZE 100"};
  replies.push_back(multi);
  multi.enhanced = "2.0.0";
  replies.push_back(multi);
  SmtpReply none;
  none.code = 421;
  replies.push_back(none);
  SmtpReply odd_code(1000, "", "out of range");
  replies.push_back(odd_code);
  for (const SmtpReply& r : replies) {
    std::vector<std::string_view> views(r.lines.begin(), r.lines.end());
    std::string out = "prefix\r\n";
    append_reply_wire(out, r.code, r.enhanced, views);
    CHECK(out == "prefix\r\n" + r.to_wire());
  }
}

TEST_CASE("SmtpReply classes and summary", "[proto][smtp_reply]") {
  const SmtpReply ok(250, "2.0.0", "OK");
  CHECK(ok.reply_class() == 2);
  CHECK(ok.is_positive());
  CHECK_FALSE(ok.is_transient());
  CHECK(SmtpReply(354, "", "go").is_positive());
  CHECK(SmtpReply(452, "4.5.3", "x").is_transient());
  CHECK(SmtpReply(550, "5.1.1", "x").is_permanent());
  CHECK(ok.summary() == "250 2.0.0 OK");
  SmtpReply multi(250, "", "a");
  multi.lines.emplace_back("b");
  CHECK(multi.summary() == "250 a / b");
}

TEST_CASE("parse_enhanced_code follows RFC 3463", "[proto][smtp_reply]") {
  std::string code;
  std::size_t length = 0;
  CHECK(parse_enhanced_code("2.1.5 OK", &code, &length));
  CHECK(code == "2.1.5");
  CHECK(length == 5);
  CHECK(parse_enhanced_code("5.7.11", &code, &length));
  CHECK(code == "5.7.11");
  CHECK(parse_enhanced_code("4.123.456", &code, nullptr));
  CHECK(code == "4.123.456");
  CHECK_FALSE(parse_enhanced_code("3.1.1 x", nullptr, nullptr));   // class 2, 4 or 5 only
  CHECK_FALSE(parse_enhanced_code("2.1", nullptr, nullptr));       // three parts
  CHECK_FALSE(parse_enhanced_code("2.1234.5", nullptr, nullptr));  // at most 3 digits
  CHECK_FALSE(parse_enhanced_code("2.1.5555", nullptr, nullptr));
  CHECK_FALSE(parse_enhanced_code("2.1.5x", nullptr, nullptr));  // followed by space or end
  CHECK_FALSE(parse_enhanced_code("2..5", nullptr, nullptr));
  CHECK_FALSE(parse_enhanced_code("", nullptr, nullptr));
  CHECK_FALSE(parse_enhanced_code("OK", nullptr, nullptr));
}

TEST_CASE("parse_reply_line reads a line as views into it", "[proto][smtp_reply]") {
  SmtpReplyLine l;
  const std::string_view line = "550 5.1.1 User unknown";
  REQUIRE(parse_reply_line(line, true, l));
  CHECK(l.code == 550);
  CHECK(l.last);
  CHECK(l.enhanced == "5.1.1");
  CHECK(l.enhanced.data() == line.data() + 4);
  CHECK(l.text == "User unknown");
  CHECK(l.text.data() == line.data() + 10);
  REQUIRE(parse_reply_line("250-PIPELINING", true, l));
  CHECK(l.code == 250);
  CHECK_FALSE(l.last);
  CHECK(l.enhanced.empty());
  CHECK(l.text == "PIPELINING");
  // A bare code and a code with a space: empty text, placed at the line's end.
  const std::string_view bare = "354";
  REQUIRE(parse_reply_line(bare, false, l));
  CHECK(l.last);
  CHECK(l.text.empty());
  CHECK(l.text.data() == bare.data() + 3);
  REQUIRE(parse_reply_line("334 ", false, l));
  CHECK(l.text.empty());
  CHECK_FALSE(parse_reply_line("25", false, l));
  CHECK_FALSE(parse_reply_line("560 x", false, l));
  CHECK_FALSE(parse_reply_line("250x", false, l));
  CHECK(enhanced_code_length("4.7.1 greylisted") == 5);
  CHECK(enhanced_code_length("4.7.1x") == 0);
  CHECK(malformed_reply_line_error("hello") == "malformed reply line: \"hello\"");
  CHECK(reply_code_changed_error(250, 251) ==
        "reply code changed inside a multi-line reply: 250 then 251");
}

TEST_CASE("SmtpReplyParser assembles multi-line replies", "[proto][smtp_reply]") {
  SmtpReplyParser parser;
  CHECK(parser.feed_line("250-mx.example", false) == SmtpReplyParser::Status::kNeedMore);
  CHECK(parser.feed_line("250-PIPELINING", false) == SmtpReplyParser::Status::kNeedMore);
  CHECK(parser.feed_line("250 DSN", false) == SmtpReplyParser::Status::kComplete);
  const SmtpReply r = parser.take();
  CHECK(r.code == 250);
  CHECK(r.enhanced.empty());
  CHECK(r.lines == std::vector<std::string>{"mx.example", "PIPELINING", "DSN"});
  // take() resets the parser.
  CHECK(parser.feed_line("221 bye", false) == SmtpReplyParser::Status::kComplete);
  CHECK(parser.take().lines == std::vector<std::string>{"bye"});
}

TEST_CASE("SmtpReplyParser splits enhanced codes when asked", "[proto][smtp_reply]") {
  SmtpReplyParser parser;
  REQUIRE(parser.feed_line("550 5.1.1 User unknown", true) == SmtpReplyParser::Status::kComplete);
  SmtpReply r = parser.take();
  CHECK(r.enhanced == "5.1.1");
  CHECK(r.lines == std::vector<std::string>{"User unknown"});
  // Not split when ENHANCEDSTATUSCODES was not advertised.
  REQUIRE(parser.feed_line("550 5.1.1 User unknown", false) == SmtpReplyParser::Status::kComplete);
  r = parser.take();
  CHECK(r.enhanced.empty());
  CHECK(r.lines == std::vector<std::string>{"5.1.1 User unknown"});
  // A code of another class than the reply is text (RFC 3463: classes must agree).
  REQUIRE(parser.feed_line("250 5.1.1 odd", true) == SmtpReplyParser::Status::kComplete);
  r = parser.take();
  CHECK(r.enhanced.empty());
  CHECK(r.lines == std::vector<std::string>{"5.1.1 odd"});
  // Multi-line: every line's code is removed from its text.
  CHECK(parser.feed_line("214-2.0.0 a", true) == SmtpReplyParser::Status::kNeedMore);
  CHECK(parser.feed_line("214 2.0.0 b", true) == SmtpReplyParser::Status::kComplete);
  r = parser.take();
  CHECK(r.enhanced == "2.0.0");
  CHECK(r.lines == std::vector<std::string>{"a", "b"});
}

TEST_CASE("SmtpReplyParser accepts bare codes and empty text", "[proto][smtp_reply]") {
  SmtpReplyParser parser;
  CHECK(parser.feed_line("250", false) == SmtpReplyParser::Status::kComplete);
  SmtpReply r = parser.take();
  CHECK(r.code == 250);
  CHECK(r.lines == std::vector<std::string>{""});
  CHECK(parser.feed_line("334 ", false) == SmtpReplyParser::Status::kComplete);
  r = parser.take();
  CHECK(r.code == 334);
  CHECK(r.lines == std::vector<std::string>{""});
}

TEST_CASE("SmtpReplyParser rejects malformed lines", "[proto][smtp_reply]") {
  SmtpReplyParser parser;
  CHECK(parser.feed_line("25", false) == SmtpReplyParser::Status::kError);
  CHECK(parser.error().find("malformed reply line") != std::string::npos);
  CHECK(parser.feed_line("hello", false) == SmtpReplyParser::Status::kError);
  CHECK(parser.feed_line("199 x", false) == SmtpReplyParser::Status::kError);
  CHECK(parser.feed_line("600 x", false) == SmtpReplyParser::Status::kError);
  CHECK(parser.feed_line("260 x", false) == SmtpReplyParser::Status::kError);  // 2nd digit 0-5
  CHECK(parser.feed_line("250x", false) == SmtpReplyParser::Status::kError);
  // A code change inside a multi-line reply.
  CHECK(parser.feed_line("250-a", false) == SmtpReplyParser::Status::kNeedMore);
  CHECK(parser.feed_line("251 b", false) == SmtpReplyParser::Status::kError);
  CHECK(parser.error() == "reply code changed inside a multi-line reply: 250 then 251");
  // The parser is usable again after an error.
  CHECK(parser.feed_line("250 ok", false) == SmtpReplyParser::Status::kComplete);
  CHECK(parser.take().lines == std::vector<std::string>{"ok"});
}

TEST_CASE("SmtpReply round-trips through the parser", "[proto][smtp_reply]") {
  SmtpReply original(250, "2.0.0", "first");
  original.lines.emplace_back("second");
  const std::string wire = original.to_wire();
  SmtpReplyParser parser;
  std::size_t start = 0;
  SmtpReplyParser::Status status = SmtpReplyParser::Status::kNeedMore;
  while (start < wire.size()) {
    const std::size_t crlf = wire.find("\r\n", start);
    status = parser.feed_line(std::string_view(wire).substr(start, crlf - start), true);
    start = crlf + 2;
  }
  REQUIRE(status == SmtpReplyParser::Status::kComplete);
  CHECK(parser.take() == original);
}

}  // namespace mailhop::proto
