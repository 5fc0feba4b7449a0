#pragma once
// ASCII case mapping for protocol keywords, host names, domains and addresses: never the C
// locale's, so "I" stays "i" whatever the machine's language.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mailhop::mail {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

namespace detail {
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHigh = 0x8080808080808080ULL;

// The eight octets of `x` with their ASCII letters lowered: the octets from 'A' to 'Z' gain
// 0x20 (each octet's sum stays below 0x100, so nothing carries into the next).
constexpr std::uint64_t lower_word(std::uint64_t x) {
  const std::uint64_t low7 = x & ~kHigh;
  const std::uint64_t from_a = low7 + kOnes * (0x80 - 'A');  // high bit: at least 'A'
  const std::uint64_t past_z = low7 + kOnes * (0x7F - 'Z');  // high bit: beyond 'Z'
  return x + ((from_a & ~past_z & ~x & kHigh) >> 2);
}

// Octets p[0, n) for 4 <= n <= 8 as one word: the first four and the last four (which overlap
// when n < 8). Two texts of the same length n are equal when their words are.
inline std::uint64_t word_of_4_to_8(const char* p, std::size_t n) {
  std::uint32_t lo, hi;
  std::memcpy(&lo, p, 4);
  std::memcpy(&hi, p + n - 4, 4);
  return lo | (std::uint64_t{hi} << 32);
}
}  // namespace detail

// Equal but for ASCII case ("Subject" and "SUBJECT", "INBOX" and "inbox"). Eight octets at a
// time (host names, domains and addresses are compared this way for every message), a word
// lowered only when the two differ as they are.
constexpr bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const std::size_t n = a.size();
  if (!std::is_constant_evaluated() && n >= 4) {
    const auto same = [](std::uint64_t x, std::uint64_t y) {
      return x == y || detail::lower_word(x) == detail::lower_word(y);
    };
    if (n <= 8)
      return same(detail::word_of_4_to_8(a.data(), n), detail::word_of_4_to_8(b.data(), n));
    // Words from the start, the last one ending at the end (overlapping the one before).
    for (std::size_t i = 0;; i += 8) {
      if (i + 8 > n) i = n - 8;
      std::uint64_t x, y;
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (!same(x, y)) return false;
      if (i + 8 == n) return true;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Lowers the ASCII letters of p[0, n) in place, eight octets at a time: the octets from 'A' to
// 'Z' gain 0x20 (routing lowers every recipient's address and domain this way).
// The last few octets are done as a word (or two halves) ending at the end, overlapping what
// is done already: lowering is the same done twice.
inline void ascii_lower_in_place(char* p, std::size_t n) {
  const auto lower8 = [p](std::size_t at) {
    std::uint64_t x;
    std::memcpy(&x, p + at, 8);
    x = detail::lower_word(x);
    std::memcpy(p + at, &x, 8);
  };
  const auto lower4 = [p](std::size_t at) {
    std::uint32_t x;
    std::memcpy(&x, p + at, 4);
    x = static_cast<std::uint32_t>(detail::lower_word(x));
    std::memcpy(p + at, &x, 4);
  };
  if (n >= 8) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) lower8(i);
    if (i < n) lower8(n - 8);
  } else if (n >= 4) {
    lower4(0);
    lower4(n - 4);
  } else {
    for (std::size_t i = 0; i < n; ++i) p[i] = ascii_lower(p[i]);
  }
}

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  ascii_lower_in_place(out.data(), out.size());
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
  // The last r < 16 octets: the 16 that end at the end, less those already seen (an octet
  // read twice changes nothing of the high bits), rather than one at a time.
  if (i < n && n >= 16) {
    const std::size_t r = n - i;
    unsigned crs, lfs;
    masks(n - 16, &crs, &lfs);
    crs >>= 16 - r;
    lfs >>= 16 - r;
    mismatch |= lfs ^ (((crs << 1) | carry) & ((1u << r) - 1));
    carry = (crs >> (r - 1)) & 1u;
    i = n;
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
