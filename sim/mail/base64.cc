#include "sim/mail/base64.h"

#include <array>
#include <cstdint>

namespace mailhop::mail {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of each octet as a base64 character, or -1.
constexpr std::array<std::int8_t, 256> kValues = [] {
  std::array<std::int8_t, 256> t{};
  t.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return t;
}();

int decode_char(char c) {
  return kValues[static_cast<unsigned char>(c)];
}

}  // namespace

std::string base64_encode(std::string_view data) {
  // Written in place into a string of the final size: four characters per three octets.
  std::string out((data.size() + 2) / 3 * 4, '=');
  char* p = out.data();
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(data[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(data[i + 1])} << 8) |
                            std::uint32_t{static_cast<unsigned char>(data[i + 2])};
    *p++ = kAlphabet[(v >> 18) & 63U];
    *p++ = kAlphabet[(v >> 12) & 63U];
    *p++ = kAlphabet[(v >> 6) & 63U];
    *p++ = kAlphabet[v & 63U];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    // One octet left: two characters and "=="; two: three characters and "=".
    std::uint32_t v = std::uint32_t{static_cast<unsigned char>(data[i])} << 16;
    if (rest == 2) v |= std::uint32_t{static_cast<unsigned char>(data[i + 1])} << 8;
    *p++ = kAlphabet[(v >> 18) & 63U];
    *p++ = kAlphabet[(v >> 12) & 63U];
    if (rest == 2) *p = kAlphabet[(v >> 6) & 63U];
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  std::size_t n = 0;  // octets written
  // Every group but the last has four alphabet characters ('=' is not one of them): decoded
  // without looking at each character apart.
  const std::size_t whole = text.empty() ? 0 : text.size() - 4;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < whole; i += 4) {
    const int a = kValues[in[i]], b = kValues[in[i + 1]], c = kValues[in[i + 2]],
              d = kValues[in[i + 3]];
    if ((a | b | c | d) < 0) return std::nullopt;
    const auto bits = (static_cast<std::uint32_t>(a) << 18) |
                      (static_cast<std::uint32_t>(b) << 12) | (static_cast<std::uint32_t>(c) << 6) |
                      static_cast<std::uint32_t>(d);
    out[n++] = static_cast<char>((bits >> 16) & 0xFFU);
    out[n++] = static_cast<char>((bits >> 8) & 0xFFU);
    out[n++] = static_cast<char>(bits & 0xFFU);
  }
  for (std::size_t i = whole; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::array<int, 4> v{};
    int padding = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=') {
        // Padding: only in the last group, only in its last two places, and only at the end.
        if (!last || k < 2) return std::nullopt;
        ++padding;
        v[k] = 0;
        continue;
      }
      if (padding > 0) return std::nullopt;  // a character after "="
      v[k] = decode_char(c);
      if (v[k] < 0) return std::nullopt;
    }
    // RFC 4648 section 3.5: the bits dropped by padding must be zero (canonical encoding).
    if ((padding == 1 && (v[2] & 3) != 0) || (padding == 2 && (v[1] & 15) != 0)) {
      return std::nullopt;
    }
    const auto bits = (static_cast<std::uint32_t>(v[0]) << 18) |
                      (static_cast<std::uint32_t>(v[1]) << 12) |
                      (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    out[n++] = static_cast<char>((bits >> 16) & 0xFFU);
    if (padding < 2) out[n++] = static_cast<char>((bits >> 8) & 0xFFU);
    if (padding < 1) out[n++] = static_cast<char>(bits & 0xFFU);
  }
  out.resize(n);
  return out;
}

}  // namespace mailhop::mail
