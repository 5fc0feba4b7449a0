// Tests of LineReader (sim/proto/line_reader.h): CRLF framing with a length limit.

#include "sim/proto/line_reader.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace mailhop::proto {
namespace {

struct Got {
  std::string text;
  bool too_long = false;
  friend bool operator==(const Got&, const Got&) = default;
};

std::ostream& operator<<(std::ostream& os, const Got& g) {
  return os << "{\"" << g.text << "\", " << (g.too_long ? "too long" : "ok") << "}";
}

std::vector<Got> drain(LineReader& reader) {
  std::vector<Got> out;
  while (auto line = reader.next()) out.push_back({line->text, line->too_long});
  return out;
}

// Feeds `input` in pieces of the given sizes (the rest at the end), draining after each piece.
std::vector<Got> feed_in_pieces(std::size_t max, const std::string& input,
                                const std::vector<std::size_t>& sizes) {
  LineReader reader(max);
  std::vector<Got> out;
  std::size_t pos = 0;
  for (std::size_t n : sizes) {
    if (pos >= input.size()) break;
    reader.feed(std::string_view(input).substr(pos, n));
    pos += n;
    for (auto& g : drain(reader)) out.push_back(std::move(g));
  }
  reader.feed(std::string_view(input).substr(std::min(pos, input.size())));
  for (auto& g : drain(reader)) out.push_back(std::move(g));
  return out;
}

// The same with lend() and end_lend(), as the SMTP server reads: each piece is a copy that is
// gone after end_lend(), so a line kept from it after that would be caught by the sanitizers.
std::vector<Got> lend_in_pieces(std::size_t max, const std::string& input,
                                const std::vector<std::size_t>& sizes) {
  LineReader reader(max);
  std::vector<Got> out;
  std::size_t pos = 0;
  const auto lend = [&](std::size_t n) {
    const std::string piece(std::string_view(input).substr(pos, n));
    pos += piece.size();
    reader.lend(piece);
    for (auto& g : drain(reader)) out.push_back(std::move(g));
    reader.end_lend();
  };
  for (std::size_t n : sizes) {
    if (pos >= input.size()) break;
    lend(n);
  }
  lend(input.size() - std::min(pos, input.size()));
  return out;
}

}  // namespace

TEST_CASE("LineReader splits on CRLF only", "[proto][line_reader]") {
  LineReader reader(512);
  reader.feed("HELO a\r\nNOOP\r\n\r\nbare\nLF and bare\rCR\r\nrest");
  CHECK(drain(reader) ==
        std::vector<Got>{
            {"HELO a", false}, {"NOOP", false}, {"", false}, {"bare\nLF and bare\rCR", false}});
  // "rest" waits for its CRLF.
  CHECK(reader.buffered() == 4);
  reader.feed("\r");
  CHECK_FALSE(reader.next());
  reader.feed("\n");
  CHECK(drain(reader) == std::vector<Got>{{"rest", false}});
  CHECK(reader.buffered() == 0);
}

TEST_CASE("LineReader keeps NUL and 8-bit octets", "[proto][line_reader]") {
  LineReader reader(512);
  const std::string line("a\0b\xFF", 4);
  reader.feed(line + "\r\n");
  CHECK(drain(reader) == std::vector<Got>{{line, false}});
}

TEST_CASE("LineReader limit counts the CRLF", "[proto][line_reader]") {
  LineReader reader(10);
  reader.feed(std::string(8, 'a') + "\r\n");   // 10 octets: fits
  reader.feed(std::string(9, 'b') + "\r\n");   // 11 octets: too long, text kept whole
  reader.feed(std::string(30, 'c') + "\r\n");  // truncated to 10 octets of text
  reader.feed("ok\r\n");
  CHECK(drain(reader) == std::vector<Got>{{std::string(8, 'a'), false},
                                          {std::string(9, 'b'), true},
                                          {std::string(10, 'c'), true},
                                          {"ok", false}});
}

TEST_CASE("LineReader bounds the memory of an endless line", "[proto][line_reader]") {
  LineReader reader(100);
  for (int i = 0; i < 1000; ++i) {
    reader.feed(std::string(1000, 'x'));
    CHECK_FALSE(reader.next());
    REQUIRE(reader.buffered() <= 101);
  }
  reader.feed("\r\nnext\r\n");
  CHECK(drain(reader) == std::vector<Got>{{std::string(100, 'x'), true}, {"next", false}});
}

TEST_CASE("LineReader gives the same lines however the input is split", "[proto][line_reader]") {
  const std::string input = "EHLO a.example\r\n" + std::string(40, 'z') + "\r\nx\ry\r\n\r\n" +
                            std::string(25, 'q') + "\r\r\n" + std::string(19, 'w') +
                            "\rAB\nCD\r\nend\r\n";
  const std::size_t max = 20;
  const std::vector<Got> whole = feed_in_pieces(max, input, {});
  REQUIRE(whole == std::vector<Got>{{"EHLO a.example", false},
                                    {std::string(20, 'z'), true},
                                    {"x\ry", false},
                                    {"", false},
                                    {std::string(20, 'q'), true},
                                    {std::string(19, 'w') + "\r", true},
                                    {"end", false}});
  // One byte at a time.
  CHECK(feed_in_pieces(max, input, std::vector<std::size_t>(input.size(), 1)) == whole);
  CHECK(lend_in_pieces(max, input, {}) == whole);
  CHECK(lend_in_pieces(max, input, std::vector<std::size_t>(input.size(), 1)) == whole);
  // Split in two at every offset, and in three at every pair of offsets.
  for (std::size_t a = 1; a < input.size(); ++a) {
    INFO("split at " << a);
    CHECK(feed_in_pieces(max, input, {a}) == whole);
    CHECK(lend_in_pieces(max, input, {a}) == whole);
    for (std::size_t b = 1; a + b < input.size(); b += 7) {
      INFO("and after " << b << " more");
      CHECK(feed_in_pieces(max, input, {a, b}) == whole);
      CHECK(lend_in_pieces(max, input, {a, b}) == whole);
    }
  }
}

TEST_CASE("LineReader lend() reads whole lines in place and keeps the rest",
          "[proto][line_reader]") {
  LineReader reader(512);
  const std::string first = "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDA";
  reader.lend(first);
  auto line = reader.next();
  REQUIRE(line);
  CHECK(line->text == "MAIL FROM:<a@b.example>");
  CHECK(reader.unread() == std::string_view(first).substr(25));
  CHECK(reader.buffered() == first.size() - 25);
  reader.skip(23);  // the RCPT line
  CHECK(reader.unread() == "DA");
  CHECK_FALSE(reader.next());
  reader.end_lend();
  CHECK(reader.buffered() == 2);
  // Bytes buffered before: lend() appends as feed() does.
  reader.lend("TA\r\nQUIT\r\n");
  CHECK(drain(reader) == std::vector<Got>{{"DATA", false}, {"QUIT", false}});
  reader.end_lend();
  CHECK(reader.buffered() == 0);
  // clear() while lending drops the lent bytes.
  reader.lend("STARTTLS\r\nEHLO x\r\n");
  REQUIRE(reader.next());
  reader.clear();
  CHECK_FALSE(reader.next());
  reader.end_lend();
  CHECK(reader.buffered() == 0);
}

TEST_CASE("LineReader does not pair a CR inside a dropped run with a later LF",
          "[proto][line_reader]") {
  // "abcde\rXYZ\nrest\r\n" is one line (a CR then X is not a line end). Fed in two pieces,
  // the reader keeps "abcde\r" (the limit) of the first and drops "XYZ"; the LF that comes
  // next must not end the line with that CR.
  const std::string input = "abcde\rXYZ\nrest\r\nnok\r\n";
  const std::vector<Got> expected = {{"abcde\r", true}, {"nok", false}};
  CHECK(feed_in_pieces(6, input, {}) == expected);
  CHECK(feed_in_pieces(6, input, {9}) == expected);
  CHECK(feed_in_pieces(6, input, std::vector<std::size_t>(input.size(), 1)) == expected);
  for (std::size_t a = 1; a < input.size(); ++a) CHECK(feed_in_pieces(6, input, {a}) == expected);
  CHECK(lend_in_pieces(6, input, std::vector<std::size_t>(input.size(), 1)) == expected);
  for (std::size_t a = 1; a < input.size(); ++a) CHECK(lend_in_pieces(6, input, {a}) == expected);
}

TEST_CASE("LineReader clear() drops buffered input", "[proto][line_reader]") {
  LineReader reader(512);
  reader.feed("STARTTLS\r\nMAIL FROM:<a@b.example>\r\nRCPT");
  REQUIRE(reader.next());
  CHECK(reader.buffered() > 0);
  reader.clear();
  CHECK(reader.buffered() == 0);
  CHECK_FALSE(reader.next());
  reader.feed("EHLO x\r\n");
  CHECK(drain(reader) == std::vector<Got>{{"EHLO x", false}});
}

TEST_CASE("LineReader clear() ends an over-long line", "[proto][line_reader]") {
  LineReader reader(5);
  reader.feed("0123456789");
  CHECK_FALSE(reader.next());
  reader.clear();
  reader.feed("ab\r\n");
  CHECK(drain(reader) == std::vector<Got>{{"ab", false}});
}

TEST_CASE("LineReader set_max applies to lines not yet returned", "[proto][line_reader]") {
  LineReader reader(10);
  reader.feed("DATA\r\n" + std::string(15, 'a') + "\r\n");
  REQUIRE(reader.next()->text == "DATA");
  reader.set_max(100);
  CHECK(reader.max() == 100);
  CHECK(drain(reader) == std::vector<Got>{{std::string(15, 'a'), false}});
}

TEST_CASE("LineReader handles many lines in one feed", "[proto][line_reader]") {
  LineReader reader(512);
  std::string input;
  for (int i = 0; i < 10000; ++i) input += "NOOP " + std::to_string(i) + "\r\n";
  reader.feed(input);
  int count = 0;
  while (auto line = reader.next()) {
    REQUIRE(line->text == "NOOP " + std::to_string(count));
    ++count;
  }
  CHECK(count == 10000);
  CHECK(reader.buffered() == 0);
}

}  // namespace mailhop::proto
