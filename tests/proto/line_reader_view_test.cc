// Tests of LineReader::next_view (sim/proto/line_reader.h): the same lines as next(), without
// copies, valid until the next read or feed.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim/proto/line_reader.h"

namespace mailhop::proto {
namespace {

TEST_CASE("LineReader next_view gives the lines next() gives, split anywhere",
          "[proto][line_reader]") {
  const std::string input =
      "EHLO a.example\r\nMAIL FROM:<a@b>\r\n\r\nbare\nLF and bare\rCR\r\n" + std::string(40, 'x') +
      "\r\n.\r\n";
  for (std::size_t split = 0; split <= input.size(); ++split) {
    LineReader copies(32);
    LineReader views(32);
    std::vector<std::string> a, b;
    std::vector<bool> a_long, b_long;
    for (const std::string_view part :
         {std::string_view(input).substr(0, split), std::string_view(input).substr(split)}) {
      copies.feed(part);
      views.feed(part);
      while (auto line = copies.next()) {
        a.push_back(line->text);
        a_long.push_back(line->too_long);
      }
      LineReader::LineView v;
      while (views.next_view(&v)) {
        b.emplace_back(v.text);
        b_long.push_back(v.too_long);
      }
    }
    INFO("split at " << split);
    CHECK(a == b);
    CHECK(a_long == b_long);
    CHECK(copies.buffered() == views.buffered());
  }
}

TEST_CASE("LineReader views survive clear() and set_max() until the next feed",
          "[proto][line_reader]") {
  LineReader reader(512);
  reader.feed("STARTTLS\r\nEHLO injected\r\n");
  LineReader::LineView v;
  REQUIRE(reader.next_view(&v));
  CHECK(v.text == "STARTTLS");
  reader.clear();  // RFC 3207: what was pipelined after STARTTLS is dropped
  reader.set_max(1001);
  CHECK(v.text == "STARTTLS");
  CHECK(reader.buffered() == 0);
  CHECK_FALSE(reader.next_view(&v));
  reader.feed("EHLO c.example\r\n");
  REQUIRE(reader.next_view(&v));
  CHECK(v.text == "EHLO c.example");
  CHECK_FALSE(v.too_long);
}

}  // namespace
}  // namespace mailhop::proto
