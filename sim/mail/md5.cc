#include "sim/mail/md5.h"

#include <cmath>

namespace mailhop::mail {
namespace {

// Per-round shift amounts (RFC 1321 section 3.4).
constexpr std::array<std::uint32_t, 64> kShift = {
    7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 5,  9,  14, 20, 5,  9,
    14, 20, 5,  9,  14, 20, 5,  9,  14, 20, 4,  11, 16, 23, 4,  11, 16, 23, 4,  11, 16, 23,
    4,  11, 16, 23, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21};

// T[i] = floor(2^32 * |sin(i + 1)|) (RFC 1321 section 3.4).
std::array<std::uint32_t, 64> make_table() {
  std::array<std::uint32_t, 64> t{};
  for (std::size_t i = 0; i < t.size(); ++i) {
    t[i] = static_cast<std::uint32_t>(
        std::floor(4294967296.0 * std::fabs(std::sin(static_cast<double>(i + 1)))));
  }
  return t;
}

constexpr std::uint32_t rotl(std::uint32_t x, std::uint32_t n) {
  return (x << n) | (x >> (32U - n));
}

}  // namespace

std::array<std::uint8_t, 16> md5(std::string_view data) {
  static const std::array<std::uint32_t, 64> k = make_table();
  std::uint32_t a0 = 0x67452301U, b0 = 0xefcdab89U, c0 = 0x98badcfeU, d0 = 0x10325476U;

  // Padding: a 1 bit, zeros to 56 mod 64 octets, then the bit length little-endian.
  std::string msg(data);
  const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8U;
  msg += '\x80';
  while (msg.size() % 64 != 56) msg += '\0';
  for (int i = 0; i < 8; ++i) msg += static_cast<char>((bits >> (8 * i)) & 0xffU);

  for (std::size_t block = 0; block < msg.size(); block += 64) {
    std::array<std::uint32_t, 16> m{};
    for (std::size_t i = 0; i < 16; ++i) {
      for (std::size_t j = 0; j < 4; ++j) {
        m[i] |= std::uint32_t{static_cast<unsigned char>(msg[block + i * 4 + j])} << (8 * j);
      }
    }
    std::uint32_t a = a0, b = b0, c = c0, d = d0;
    for (std::size_t i = 0; i < 64; ++i) {
      std::uint32_t f = 0;
      std::size_t g = 0;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) % 16;
      }
      const std::uint32_t next = b + rotl(a + f + k[i] + m[g], kShift[i]);
      a = d;
      d = c;
      c = b;
      b = next;
    }
    a0 += a;
    b0 += b;
    c0 += c;
    d0 += d;
  }
  std::array<std::uint8_t, 16> out{};
  const std::array<std::uint32_t, 4> words = {a0, b0, c0, d0};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) {
      out[i * 4 + j] = static_cast<std::uint8_t>((words[i] >> (8 * j)) & 0xffU);
    }
  }
  return out;
}

std::string md5_hex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t byte : md5(data)) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0f];
  }
  return out;
}

}  // namespace mailhop::mail
