// Tests of sim/mail/ascii.h's scans of message text.

#include "sim/mail/ascii.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>

namespace mailhop::testing {
namespace {

// The rule written out plainly: every LF after a CR, every CR before an LF, CRLF at the end.
bool crlf_by_hand(const std::string& s) {
  if (s.empty()) return true;
  if (s.size() < 2 || s[s.size() - 2] != '\r' || s.back() != '\n') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
    if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) return false;
  }
  return true;
}

bool eight_bit_by_hand(const std::string& s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("text_shape finds canonical line ends and 8-bit octets", "[mail][ascii]") {
  using mail::text_shape;
  CHECK(text_shape("").crlf);
  CHECK(text_shape("a\r\n").crlf);
  CHECK(text_shape("\r\n\r\n").crlf);
  CHECK_FALSE(text_shape("a").crlf);
  CHECK_FALSE(text_shape("a\n").crlf);
  CHECK_FALSE(text_shape("a\r").crlf);
  CHECK_FALSE(text_shape("\n").crlf);
  CHECK_FALSE(text_shape("a\rb\r\n").crlf);
  CHECK_FALSE(text_shape("a\nb\r\n").crlf);
  // A CR and its LF on either side of a 16-octet boundary, and a bare one there.
  CHECK(text_shape(std::string(15, 'x') + "\r\n" + std::string(15, 'y') + "\r\n").crlf);
  CHECK_FALSE(text_shape(std::string(15, 'x') + "\r" + std::string(16, 'y') + "\r\n").crlf);
  CHECK_FALSE(text_shape(std::string(16, 'x') + "\n" + std::string(15, 'y') + "\r\n").crlf);
  CHECK_FALSE(text_shape("plain ascii\r\n").eight_bit);
  CHECK(text_shape("caf\xC3\xA9\r\n").eight_bit);
  CHECK(text_shape(std::string(40, 'x') + "\xFF").eight_bit);

  // Random texts of every length up to 80 from a few octets, against the rules by hand.
  std::mt19937 rng(20261124);
  const char alphabet[] = {'a', '\r', '\n', '.', '\x80', ' '};
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    const std::size_t n = rng() % 81;
    for (std::size_t i = 0; i < n; ++i) {
      // Mostly CRLF pairs and letters, so that canonical texts come up often.
      const auto r = rng() % 10;
      if (r < 3 && s.size() + 2 <= n) {
        s += "\r\n";
        ++i;
      } else {
        s += r < 8 ? 'a' : alphabet[rng() % sizeof alphabet];
      }
    }
    INFO("round " << round);
    const mail::TextShape shape = text_shape(s);
    CHECK(shape.crlf == crlf_by_hand(s));
    CHECK(shape.eight_bit == eight_bit_by_hand(s));
    CHECK(shape.eight_bit == mail::has_8bit(s));
  }
}

}  // namespace mailhop::testing
