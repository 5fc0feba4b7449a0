#pragma once
// ASCII case mapping for protocol keywords, host names, domains and addresses: never the C
// locale's, so "I" stays "i" whatever the machine's language.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mailhop::mail {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Equal but for ASCII case ("Subject" and "SUBJECT", "INBOX" and "inbox").
constexpr bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Lowers the ASCII letters of p[0, n) in place, eight octets at a time: the octets from 'A' to
// 'Z' gain 0x20 (routing lowers every recipient's address and domain this way).
inline void ascii_lower_in_place(char* p, std::size_t n) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x;
    std::memcpy(&x, p + i, 8);
    const std::uint64_t low7 = x & ~kHigh;
    const std::uint64_t from_a = low7 + kOnes * (0x80 - 'A');  // high bit: at least 'A'
    const std::uint64_t past_z = low7 + kOnes * (0x7F - 'Z');  // high bit: beyond 'Z'
    x += (from_a & ~past_z & ~x & kHigh) >> 2;
    std::memcpy(p + i, &x, 8);
  }
  for (; i < n; ++i) p[i] = ascii_lower(p[i]);
}

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

inline std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_upper(c);
  return out;
}

// Whether any octet has its high bit set (8-bit content: SMTP needs 8BITMIME for it). Eight
// octets at a time: the high bits of the OR of them all. (Four independent ORs per 32 octets
// keep the loop short: every message is checked at each hop.)
inline bool has_8bit(std::string_view s) {
  std::uint64_t any = 0;
  std::size_t i = 0;
  if (s.size() >= 32) {
    std::uint64_t a = 0, b = 0, c = 0, d = 0;
    for (; i + 32 <= s.size(); i += 32) {
      std::uint64_t w[4];
      std::memcpy(w, s.data() + i, 32);
      a |= w[0];
      b |= w[1];
      c |= w[2];
      d |= w[3];
    }
    any = a | b | c | d;
  }
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    any |= word;
  }
  for (; i < s.size(); ++i) any |= static_cast<unsigned char>(s[i]);
  return (any & 0x8080808080808080ULL) != 0;
}

// What one pass over a message's text tells: whether its line ends are canonical (every LF
// follows a CR and every CR precedes an LF, and the text is empty or ends with CRLF, as SMTP
// sends it) and whether any octet has its high bit set. Where the processor has SSE2, 32 octets
// at a time: the LFs' positions must be the CRs' moved by one.
struct TextShape {
  bool crlf = true;
  bool eight_bit = false;
  friend bool operator==(const TextShape&, const TextShape&) = default;
};

// The shape of two texts of whole lines (each empty or ending with CRLF), one after the other.
constexpr TextShape joined(TextShape first, TextShape second) {
  return {first.crlf && second.crlf, first.eight_bit || second.eight_bit};
}

inline TextShape text_shape(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  unsigned mismatch = 0;  // nonzero once an LF without its CR (or a CR without its LF) is seen
  unsigned carry = 0;     // 1 when the octet before was a CR
  unsigned high = 0;
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  // 32 octets a turn as two halves; the high bits OR-ed as vectors, moved out once at the end.
  __m128i any = _mm_setzero_si128();
  const auto masks = [&](std::size_t at, unsigned* crs, unsigned* lfs) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
    any = _mm_or_si128(any, v);
    *crs = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, cr)));
    *lfs = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)));
  };
  for (; i + 32 <= n; i += 32) {
    unsigned cr0, lf0, cr1, lf1;
    masks(i, &cr0, &lf0);
    masks(i + 16, &cr1, &lf1);
    const unsigned crs = cr0 | cr1 << 16;
    const unsigned lfs = lf0 | lf1 << 16;
    mismatch |= lfs ^ ((crs << 1) | carry);
    carry = crs >> 31;
  }
  for (; i + 16 <= n; i += 16) {
    unsigned crs, lfs;
    masks(i, &crs, &lfs);
    mismatch |= lfs ^ (((crs << 1) | carry) & 0xFFFFu);
    carry = crs >> 15;
  }
  high |= static_cast<unsigned>(_mm_movemask_epi8(any));
#endif
  for (; i < n; ++i) {
    const unsigned c = p[i];
    mismatch |= static_cast<unsigned>(c == '\n') ^ carry;
    carry = c == '\r' ? 1u : 0u;
    high |= c & 0x80u;
  }
  TextShape shape;
  shape.crlf = n == 0 || (mismatch == 0 && carry == 0 && p[n - 1] == '\n');
  shape.eight_bit = high != 0;
  return shape;
}

}  // namespace mailhop::mail
