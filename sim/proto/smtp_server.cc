#include "sim/proto/smtp_server.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <type_traits>
#include <utility>

#include "sim/mail/address.h"
#include "sim/mail/ascii.h"
#include "sim/mail/base64.h"
#include "sim/proto/line_reader.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mailhop::proto {
namespace {

using mail::ascii_lower;
using mail::ascii_iequal;
using mail::ascii_upper;

namespace ev = smtp_server_event;

// ---------------------------------------------------------------------------------------------
// Limits.
//
// RFC 5321 4.5.3.1.4: a command line is at most 512 octets including the CRLF. RFC 1869 4.1.2
// (kept by RFC 5321 4.5.3.1.4) lets each extension that adds MAIL/RCPT parameters add the
// length of those parameters to that limit, so MAIL and RCPT get 512 plus the longest form of
// every parameter this server understands:
//   MAIL: 26 for SIZE (RFC 1870 section 3 item 5), 500 for AUTH= (RFC 4954 section 3 item 5),
//         and, counted from the longest values, 14 for " BODY=8BITMIME" (RFC 6152), 9 for
//         " RET=HDRS" and 107 for " ENVID=" with its 100 characters (RFC 3461 4.4).
//   RCPT: counted the same way, 29 for " NOTIFY=SUCCESS,FAILURE,DELAY" and 507 for " ORCPT="
//         with its 500 characters (RFC 3461 4.1, 4.2).
constexpr std::size_t kCommandLineMax = 512;
constexpr std::size_t kMailLineMax = kCommandLineMax + 26 + 14 + 9 + 107 + 500;
constexpr std::size_t kRcptLineMax = kCommandLineMax + 29 + 507;
constexpr std::size_t kReaderCommandMax = std::max(kMailLineMax, kRcptLineMax);
// RFC 5321 4.5.3.1.6: a text line is at most 1000 octets including the CRLF, "not counting the
// leading dot duplicated for transparency"; the reader allows that one extra octet.
constexpr std::size_t kTextLineMax = 1000;
// RFC 4954 section 4: 12288 octets is "a sufficient line length limit" for an AUTH response.
constexpr std::size_t kAuthLineMax = 12288;
// RFC 3461 4.2 and 4.4.
constexpr std::size_t kMaxEnvidChars = 100;
constexpr std::size_t kMaxOrcptChars = 500;
// Events made by one pipelined batch of commands (MAIL, RCPT, DATA), for the first reservation.
constexpr std::size_t kEventBatch = 4;
// The first room taken for output that outgrows the string's own: a batch of replies to
// pipelined commands (250, 250, 354) fits in it.
constexpr std::size_t kOutputRoom = 128;
// Keeps every reply line well under the 512-octet reply line limit (RFC 5321 4.5.3.1.5).
constexpr std::size_t kMaxReplyText = 400;
// Room for a one-line reply written on the stack: code, enhanced code, text and CRLF.
constexpr std::size_t kMaxOneLine = 4 + 32 + 1 + kMaxReplyText + 2;

// ---------------------------------------------------------------------------------------------
// Small text helpers.

// `prefix` is upper-case (letters compare case-insensitively).
bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (mail::ascii_upper(s[i]) != prefix[i]) return false;
  }
  return true;
}

constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_ctl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHigh = 0x8080808080808080ULL;

// True when some octet of `s` passes `octet`, read eight at a time: `word(x)` is nonzero when
// one of the eight octets in x passes (it may be wrong about which, never about whether).
// From eight octets on, the last word overlaps the one before it instead of a loop over the
// remaining octets (an octet looked at twice does not change the answer).
template <class Word, class Octet>
bool any_octet(std::string_view s, Word word, Octet octet) {
  const std::size_t n = s.size();
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) {
      if (octet(static_cast<unsigned char>(s[i]))) return true;
    }
    return false;
  }
  std::uint64_t x;
  for (std::size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&x, s.data() + i, 8);
    if ((word(x) & kHigh) != 0) return true;
  }
  std::memcpy(&x, s.data() + n - 8, 8);
  return (word(x) & kHigh) != 0;
}

#if defined(__SSE2__)
// any_octet() sixteen octets at a time with SSE2, for `s` of sixteen octets or more:
// `block(x)` has the bits of an octet of x set where that octet passes. The last sixteen
// overlap the ones before them.
template <class Block>
bool any_octet16(std::string_view s, Block block) {
  const auto passes_in = [&](std::size_t at) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + at));
    return _mm_movemask_epi8(block(x)) != 0;
  };
  for (std::size_t i = 0; i + 16 < s.size(); i += 16) {
    if (passes_in(i)) return true;
  }
  return passes_in(s.size() - 16);
}
#endif

#if defined(__SSE2__)
// The octets of `s`, 4 to 15 of them, in one block for any_octet16()'s tests: the first eight
// and the last eight (or four and four, twice), some of them twice, none from beyond `s`.
__m128i short_block(std::string_view s) {
  std::uint64_t first;
  std::uint64_t last;
  if (s.size() >= 8) {
    std::memcpy(&first, s.data(), 8);
    std::memcpy(&last, s.data() + s.size() - 8, 8);
  } else {
    std::uint32_t a;
    std::uint32_t b;
    std::memcpy(&a, s.data(), 4);
    std::memcpy(&b, s.data() + s.size() - 4, 4);
    first = a | std::uint64_t{b} << 32;
    last = first;
  }
  return _mm_set_epi64x(static_cast<long long>(last), static_cast<long long>(first));
}
#endif

// True when some octet of `s` is a control character (is_ctl).
bool has_ctl(std::string_view s) {
#if defined(__SSE2__)
  // Sixteen at a time from sixteen octets on (every command line is looked at), and shorter
  // lines in one block: an octet at most 0x1F is its own minimum with 0x1F.
  const auto ctl = [](__m128i x) {
    return _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1F)), x),
                        _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F)));
  };
  if (s.size() >= 16) return any_octet16(s, ctl);
  if (s.size() >= 4) return _mm_movemask_epi8(ctl(short_block(s))) != 0;
#endif
  return any_octet(
      s,
      [](std::uint64_t x) {
        // An octet below 0x20, or one equal to 0x7F (a zero octet in x ^ 0x7F7F...).
        const std::uint64_t del = x ^ (kOnes * 0x7F);
        return ((x - kOnes * 0x20) & ~x) | ((del - kOnes) & ~del);
      },
      [](unsigned char u) { return is_ctl(static_cast<char>(u)); });
}

// Reply text must be printable US-ASCII on one line (RFC 5321 4.2: textstring is HT, SP and
// %d33-126). Anything else a policy or a peer might inject is replaced.
// A text longer than kMaxReplyText is cut and ends with "...".
std::string sanitize(std::string_view text) {
  const bool cut = text.size() > kMaxReplyText;
  if (cut) text = text.substr(0, kMaxReplyText - 3);
  std::string out;
  out.reserve(text.size() + 3);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back((u >= 0x20 && u < 0x7F) || c == '\t' ? c : '?');
  }
  if (cut) out += "...";
  return out;
}

// True when every octet is in %x20-7E (then no octet needs replacing).
bool all_printable(std::string_view s) {
#if defined(__SSE2__)
  // As has_ctl(): an octet below 0x20 is its own minimum with 0x1F, one from 0x7F on its own
  // maximum with 0x7F.
  const auto unprintable = [](__m128i x) {
    return _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1F)), x),
                        _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x7F)), x));
  };
  if (s.size() >= 16) return !any_octet16(s, unprintable);
  if (s.size() >= 4) return _mm_movemask_epi8(unprintable(short_block(s))) == 0;
#endif
  return !any_octet(
      s,
      [](std::uint64_t x) {
        // An octet below 0x20, or above 0x7E (adding 1 reaches 0x80), or with its high bit set.
        return ((x - kOnes * 0x20) & ~x) | (x + kOnes) | x;
      },
      [](unsigned char u) { return u < 0x20 || u >= 0x7F; });
}

// sanitize(line) without a new string when nothing needs cutting.
void sanitize_in_place(std::string& line) {
  if (line.size() > kMaxReplyText) {
    line = sanitize(line);
    return;
  }
  if (all_printable(line)) return;
  for (char& c : line) {
    const auto u = static_cast<unsigned char>(c);
    if (!((u >= 0x20 && u < 0x7F) || c == '\t')) c = '?';
  }
}

constexpr std::size_t kMaxTextLines = 20;

// text_lines() as views into `text`, not sanitized: the number of lines.
std::size_t split_text_lines(std::string_view text,
                             std::array<std::string_view, kMaxTextLines>* lines) {
  std::size_t n = 0;
  std::size_t start = 0;
  while (n < kMaxTextLines) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view piece = text.substr(start, end - start);
    if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
    (*lines)[n++] = piece;
    if (end >= text.size()) break;
    start = end + 1;
  }
  return n;
}

// Splits policy text on LF into reply lines (dropping CR), each sanitized; at most 20 lines.
std::vector<std::string> text_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (lines.size() < 20) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view piece = text.substr(start, end - start);
    if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
    lines.push_back(sanitize(piece));
    if (end >= text.size()) break;
    start = end + 1;
  }
  return lines;
}

// A reply text written in the source: checked at compile time to be printable US-ASCII and
// short enough (what sanitize() would otherwise check on every reply).
struct FixedText {
  std::string_view text;
  template <std::size_t N>
  consteval FixedText(const char (&s)[N])  // NOLINT: implicit, for literals
      : text(s, N - 1) {
    if (N - 1 > kMaxReplyText) throw "reply text too long";
    for (std::size_t i = 0; i + 1 < N; ++i) {
      if (s[i] < 0x20 || s[i] > 0x7E) throw "reply text not printable";
    }
  }
};

// Appends the one-line reply "ddd" SP [enhanced SP] text CRLF for a three-digit code, the text
// given in parts: the octets append_reply_wire() writes for it, without a string for the text.
// (A template over the parts: the copies are unrolled, and inlined where the code is a constant.)
template <class... Parts>
[[gnu::always_inline]] inline void append_one_line(std::string& out, int code, std::string_view enh,
                                                   std::size_t text_size, const Parts&... parts) {
  const bool space = !enh.empty() && text_size != 0;
  const std::size_t n = 4 + enh.size() + (space ? 1 : 0) + text_size + 2;
  const std::size_t at = out.size();
  // At least kOutputRoom at once: pipelined commands get several replies in one output.
  if (at + n > out.capacity())
    out.reserve(std::max(at + n, std::max(2 * out.capacity(), kOutputRoom)));
  // Written on the stack and appended: resize() would first fill the room with zeros (a reply
  // text is at most kMaxReplyText octets, the enhanced code a few).
  char line[kMaxOneLine];
  char* p = line;
  if (n > sizeof line) {
    out.resize(at + n);  // (not for the replies this engine makes)
    p = out.data() + at;
  }
  char* const start = p;
  p[0] = static_cast<char>('0' + code / 100);
  p[1] = static_cast<char>('0' + code / 10 % 10);
  p[2] = static_cast<char>('0' + code % 10);
  p[3] = ' ';
  p += 4;
  if (!enh.empty()) {
    std::memcpy(p, enh.data(), enh.size());
    p += enh.size();
    if (space) *p++ = ' ';
  }
  const auto put = [&p](std::string_view part) {
    std::memcpy(p, part.data(), part.size());
    p += part.size();
  };
  (put(parts), ...);
  p[0] = '\r';
  p[1] = '\n';
  if (start == line) out.append(line, n);
}

// xtext (RFC 3461 section 4): xchar / "+" HEXDIG HEXDIG, xchar = %x21-2A / %x2C-3C / %x3E-7E.
bool is_xtext(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u == '+') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (u < 0x21 || u > 0x7E || u == '=') return false;
  }
  return true;
}

// RFC 5322 atext, for the ORCPT addr-type.
bool is_atext(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return kSpecials.find(c) != std::string_view::npos;
}

// Default texts for reply codes (RFC 5321 4.2.2 and 4.2.3), used when a policy gives none.
std::string default_text(int code) {
  switch (code) {
    case 421:
      return "Service not available, closing transmission channel";
    case 450:
      return "Requested mail action not taken: mailbox unavailable";
    case 451:
      return "Requested action aborted: local error in processing";
    case 452:
      return "Requested action not taken: insufficient system storage";
    case 455:
      return "Server unable to accommodate parameters";
    case 550:
      return "Requested action not taken: mailbox unavailable";
    case 551:
      return "User not local";
    case 552:
      return "Requested mail action aborted: exceeded storage allocation";
    case 553:
      return "Requested action not taken: mailbox name not allowed";
    case 554:
      return "Transaction failed";
    case 555:
      return "MAIL FROM/RCPT TO parameters not recognized or not implemented";
    default:
      return code >= 500 ? "Requested action not taken"
                         : "Requested action not taken; try again later";
  }
}

// A verb of at most 8 octets, none of them NUL, packed into a number with its letters
// upper-cased: verbs compare as numbers, and a verb differs from every other one, longer or
// shorter. 0 for a longer verb (none is known: STARTTLS is the longest).
constexpr std::uint64_t pack_verb(std::string_view verb) {
  if (verb.size() > 8) return 0;
  std::uint64_t x = 0;
  for (const char c : verb) {
    const char upper = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    x = x << 8 | static_cast<unsigned char>(upper);
  }
  return x;
}

// A parameter keyword written in the source (upper-case, at most 8 octets), packed by
// pack_verb() at compile time.
struct PackedKeyword {
  std::uint64_t packed;
  template <std::size_t N>
  consteval PackedKeyword(const char (&s)[N])  // NOLINT: implicit, for literals
      : packed(pack_verb(std::string_view(s, N - 1))) {
    if (N - 1 == 0 || N - 1 > 8) throw "keyword of 1 to 8 octets expected";
  }
};

// A parsed "KEYWORD[=value]" from MAIL or RCPT (RFC 5321 4.1.2 esmtp-param), as views into the
// command line (no string per parameter).
struct Param {
  std::string_view keyword;  // as sent: keywords compare case-insensitively
  std::string_view value;
  bool has_value = false;
  // pack_verb(keyword): keywords compare as numbers, case already folded (0: over 8 octets).
  std::uint64_t packed = 0;

  bool is(PackedKeyword upper) const { return packed == upper.packed; }
  bool same_keyword(const Param& other) const {
    return packed == other.packed && (packed != 0 || ascii_iequal(keyword, other.keyword));
  }
  std::string name() const { return ascii_upper(keyword); }  // for replies: upper-cased
};

// The parameters of one command: the first few in place (a command has one or two), more in
// a vector.
class ParamList {
 public:
  ParamList() {}  // NOLINT: the first ones are left unconstructed until pushed
  ParamList(const ParamList&) = delete;
  ParamList& operator=(const ParamList&) = delete;
  void push_back(const Param& p) {
    if (m_size < kInPlace) {
      std::construct_at(&m_first.params[m_size], p);
    } else {
      m_more.push_back(p);
    }
    ++m_size;
  }
  std::size_t size() const { return m_size; }
  const Param& operator[](std::size_t i) const {
    return i < kInPlace ? m_first.params[i] : m_more[i - kInPlace];
  }

 private:
  static constexpr std::size_t kInPlace = 6;
  static_assert(std::is_trivially_destructible_v<Param>);
  // Not constructed up front (a command has one or two parameters, not six).
  union InPlace {
    InPlace() {}
    Param params[kInPlace];
  } m_first;
  std::vector<Param> m_more;
  std::size_t m_size = 0;
};

// What an octet may be in a parameter, by table (each octet of MAIL's and RCPT's parameters
// is asked): kKeywordOctet for ALPHA / DIGIT / "-", kValueOctet for %d33-60 / %d62-126.
constexpr std::uint8_t kKeywordOctet = 1;
constexpr std::uint8_t kValueOctet = 2;
constexpr std::array<std::uint8_t, 256> kParamOctet = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    std::uint8_t v = 0;
    if (is_alpha(ch) || is_digit(ch) || ch == '-') v |= kKeywordOctet;
    if (c >= 33 && c <= 126 && c != '=') v |= kValueOctet;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}();
bool param_octet(char c, std::uint8_t kind) {
  return (kParamOctet[static_cast<unsigned char>(c)] & kind) != 0;
}

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-");
// esmtp-value = 1*(%d33-60 / %d62-126). Parameters are separated by spaces.
bool parse_params(std::string_view text, ParamList* out) {
  std::size_t i = 0;
  while (true) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) return true;
    Param p;
    const std::size_t start = i;
    // The keyword is checked and packed as pack_verb() packs it while it is scanned (one pass
    // over it, not three).
    if (!(is_alpha(text[i]) || is_digit(text[i]))) return false;
    std::uint64_t packed = 0;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (!param_octet(c, kKeywordOctet)) {
        if (c == ' ' || c == '=') break;
        return false;
      }
      // An ASCII letter or digit or "-": the lower-case letters (from 0x61 on) lose 0x20.
      const char upper = c >= 'a' ? static_cast<char>(c - 'a' + 'A') : c;
      packed = packed << 8 | static_cast<unsigned char>(upper);
    }
    p.keyword = std::string_view(text.data() + start, i - start);
    p.packed = p.keyword.size() <= 8 ? packed : 0;
    assert(p.packed == pack_verb(p.keyword));
    if (i < text.size() && text[i] == '=') {
      ++i;
      const std::size_t vstart = i;
      while (i < text.size() && text[i] != ' ') {
        if (!param_octet(text[i], kValueOctet)) return false;
        ++i;
      }
      if (i == vstart) return false;
      p.value = std::string_view(text.data() + vstart, i - vstart);  // in bounds: no substr()
      p.has_value = true;
    }
    out->push_back(p);
  }
}

enum class Cmd {
  kUnknown,
  kEhlo,
  kHelo,
  kMail,
  kRcpt,
  kData,
  kRset,
  kNoop,
  kQuit,
  kVrfy,
  kExpn,
  kHelp,
  kStartTls,
  kAuth,
  kNotImplemented,
};

// A command line's verb packed as pack_verb() packs it, and the position of the line's first
// space (npos when none). From eight octets on, the verb is found and upper-cased in one word.
struct VerbAndSpace {
  std::uint64_t verb;
  std::size_t sp;
};
VerbAndSpace split_verb(std::string_view text) {
  if (std::endian::native != std::endian::little || text.size() < 8) {
    const std::size_t sp = text.find(' ');
    // (A view made directly: substr() would be an out-of-line call.)
    return {pack_verb(std::string_view(text.data(), std::min(sp, text.size()))), sp};
  }
  std::uint64_t w;
  std::memcpy(&w, text.data(), 8);  // the first octet is the lowest
  const std::uint64_t not_space = w ^ (kOnes * ' ');
  const std::uint64_t spaces = (not_space - kOnes) & ~not_space & kHigh;  // lowest one exact
  std::size_t len;
  std::size_t sp;
  if (spaces != 0) {
    len = static_cast<std::size_t>(std::countr_zero(spaces)) / 8;
    sp = len;
  } else if (text.size() == 8 || text[8] == ' ') {
    len = 8;
    sp = text.size() == 8 ? std::string_view::npos : 8;
  } else {
    return {0, text.find(' ', 9)};  // longer than any verb
  }
  if (len == 0) return {0, 0};
  // Upper-case the ASCII letters: the octets from 'a' to 'z' lose 0x20.
  const std::uint64_t low7 = w & ~kHigh;
  const std::uint64_t from_a = low7 + kOnes * (0x80 - 'a');  // high bit: at least 'a'
  const std::uint64_t past_z = low7 + kOnes * (0x7F - 'z');  // high bit: beyond 'z'
  w -= ((from_a & ~past_z & ~w & kHigh) >> 2);
  if (len < 8) w &= (std::uint64_t{1} << (8 * len)) - 1;
  // pack_verb() puts the first octet highest.
  return {__builtin_bswap64(w) >> (8 * (8 - len)), sp};
}

// `verb` packed by pack_verb(), from a line without control characters. Known SMTP verbs this
// server does not implement: TURN (RFC 821), ETRN (RFC 1985), ATRN (RFC 2645), BDAT (RFC 3030
// CHUNKING, not advertised), SEND, SOML and SAML (RFC 821, removed by RFC 5321 F.6).
Cmd command_of(std::uint64_t verb) {
  // A switch over the packed verbs: the compiler searches them in a few comparisons instead of
  // a walk down a table on every command.
  switch (verb) {
    case pack_verb("EHLO"):
      return Cmd::kEhlo;
    case pack_verb("HELO"):
      return Cmd::kHelo;
    case pack_verb("MAIL"):
      return Cmd::kMail;
    case pack_verb("RCPT"):
      return Cmd::kRcpt;
    case pack_verb("DATA"):
      return Cmd::kData;
    case pack_verb("RSET"):
      return Cmd::kRset;
    case pack_verb("NOOP"):
      return Cmd::kNoop;
    case pack_verb("QUIT"):
      return Cmd::kQuit;
    case pack_verb("VRFY"):
      return Cmd::kVrfy;
    case pack_verb("EXPN"):
      return Cmd::kExpn;
    case pack_verb("HELP"):
      return Cmd::kHelp;
    case pack_verb("STARTTLS"):
      return Cmd::kStartTls;
    case pack_verb("AUTH"):
      return Cmd::kAuth;
    case pack_verb("TURN"):
    case pack_verb("ETRN"):
    case pack_verb("ATRN"):
    case pack_verb("BDAT"):
    case pack_verb("SEND"):
    case pack_verb("SOML"):
    case pack_verb("SAML"):
      return Cmd::kNotImplemented;
    default:
      return Cmd::kUnknown;  // also 0: no verb, or one longer than 8 octets
  }
}

}  // namespace

// =============================================================================================

struct SmtpServer::Impl {
  enum class State {
    kNotOpen,        // before open()
    kRefused,        // 554 greeting: only QUIT is accepted (RFC 5321 3.1)
    kCommand,        // waiting for a command
    kData,           // reading the message after 354
    kAuthPlain,      // waiting for the PLAIN response after "334 "
    kAuthLoginUser,  // waiting for the LOGIN user name
    kAuthLoginPass,  // waiting for the LOGIN password
    kAwaitTls,       // after "220 Ready to start TLS": input is ignored until tls_established
    kClosed,         // after 221/421 or peer_closed: input is ignored
  };

  Impl(SmtpServerConfig&& c, SmtpServerPolicy& p) : config(std::move(c)), policy(&p) {
    sanitize_in_place(config.hostname);
    if (config.hostname.empty()) config.hostname = "localhost";
    sanitize_in_place(config.greeting_text);
    events.reserve(kEventBatch);
    std::memcpy(size_keyword_text, "SIZE ", 5);
    size_keyword_size = static_cast<std::size_t>(
        std::to_chars(size_keyword_text + 5, std::end(size_keyword_text), config.max_message_size)
            .ptr -
        size_keyword_text);
  }

  SmtpServerConfig config;
  // "SIZE n" in the EHLO reply (in place: no string to build for each session).
  char size_keyword_text[32];
  std::size_t size_keyword_size;
  std::string_view size_keyword() const { return {size_keyword_text, size_keyword_size}; }
  SmtpServerPolicy* policy;
  SmtpSessionInfo session;
  State state = State::kNotOpen;
  LineReader reader{kReaderCommandMax};
  std::string output;
  std::vector<SmtpServerEvent> events;
  Micros last_activity{0};
  bool wants_close = false;
  bool enhanced = false;  // ENHANCEDSTATUSCODES was advertised (EHLO) in the current session
  bool greeted = false;   // HELO or EHLO was accepted
  std::size_t errors = 0;

  // The mail transaction (RFC 5321 3.3): open from an accepted MAIL to the end of DATA/RSET.
  bool in_transaction = false;
  mail::Envelope envelope;

  // DATA.
  std::string content;
  std::size_t data_octets = 0;
  std::size_t data_lines = 0;
  bool data_too_big = false;
  bool data_line_too_long = false;
  // mail::text_shape(content), when config.measure_content_shape (joined line by line).
  mail::TextShape content_shape;

  // AUTH LOGIN: the user name, between the two challenges.
  std::string login_user;

  // The last EHLO/HELO argument found a valid domain (when it fits here): a client sends the
  // same one again after STARTTLS, and whether a text is a valid domain never changes.
  std::array<char, 64> valid_helo;
  std::size_t valid_helo_size = 0;  // 0: none
  bool known_valid_helo(std::string_view name) const {
    return name.size() == valid_helo_size && name.size() != 0 &&
           std::memcmp(name.data(), valid_helo.data(), name.size()) == 0;
  }
  void remember_valid_helo(std::string_view name) {
    if (name.size() > valid_helo.size()) return;
    std::memcpy(valid_helo.data(), name.data(), name.size());
    valid_helo_size = name.size();
  }

  // -------------------------------------------------------------------------------------------
  // Output.

  bool auth_advertised() const {
    return config.auth == AuthAdvertise::kAlways ||
           (config.auth == AuthAdvertise::kAfterTls && session.tls);
  }
  bool starttls_available() const { return config.tls == TlsState::kAvailable && !session.tls; }

  // Sends a reply. Enhanced codes go on 2xx/4xx/5xx replies once EHLO advertised them, never
  // on the greeting, the replies to HELO/EHLO, or 3xx replies (RFC 2034 section 3 item 4).
  enum class Kind { kNormal, kHeloReply };
  bool sends_enhanced(int code, Kind kind) const {
    return enhanced && kind != Kind::kHeloReply && code / 100 != 3;
  }
  void send(SmtpReply reply, Kind kind = Kind::kNormal) {
    if (!sends_enhanced(reply.code, kind)) reply.enhanced.clear();
    // Texts may quote what the client sent (a parse error names the bad part): keep every
    // line printable and short enough for the 512-octet reply line limit.
    for (std::string& line : reply.lines) sanitize_in_place(line);
    reply.append_wire(output);
    if (!config.report_reply_text) reply.lines.clear();
    events.emplace_back(ev::ReplySent{std::move(reply)});
  }
  // The same for a reply given as views: written to the wire from them, and made into an
  // SmtpReply only for the event (with its lines when the driver wants them). kClean lines are
  // known printable and short (fixed texts and the hostname, sanitized at the start).
  enum class Lines { kCheck, kClean };
  void send_lines(int code, std::string_view enh, std::span<const std::string_view> lines,
                  Kind kind = Kind::kNormal, Lines check = Lines::kCheck) {
    for (const std::string_view line : lines) {
      if (check == Lines::kCheck && (line.size() > kMaxReplyText || !all_printable(line))) {
        // Rare: the slow path cuts and replaces.
        SmtpReply r;
        r.code = code;
        r.enhanced = enh;
        r.lines.assign(lines.begin(), lines.end());
        send(std::move(r), kind);
        return;
      }
    }
    if (!sends_enhanced(code, kind)) enh = {};
    append_reply_wire(output, code, enh, lines);
    SmtpReply& r = std::get<ev::ReplySent>(events.emplace_back(ev::ReplySent{})).reply;
    r.code = code;
    r.enhanced.append(enh);  // (into the new, empty string: assign() without its overlap cases)
    if (config.report_reply_text) r.lines.assign(lines.begin(), lines.end());
  }
  // A one-line reply whose text is `parts` joined: written to the wire from the parts, joined
  // into a string only for the event's text (when the driver wants it).
  // kClean parts are known printable (fixed texts, the hostname and greeting sanitized at the
  // start; a TAB these keep is written as the slow path would); their total length still counts.
  template <class... Parts>
  [[gnu::always_inline]] void send_parts(int code, std::string_view enh, Kind kind, Lines check,
                                         const Parts&... parts) {
    const std::size_t size = (std::string_view(parts).size() + ...);
    bool clean = size <= kMaxReplyText && code >= 100 && code <= 999;
    if (check == Lines::kCheck) clean = clean && (all_printable(parts) && ...);
    if (!clean) {
      // Rare: the slow path cuts and replaces.
      std::string text;
      text.reserve(size);
      (text.append(parts), ...);
      const std::string_view view = text;
      send_lines(code, enh, std::span<const std::string_view>(&view, 1), kind);
      return;
    }
    if (!sends_enhanced(code, kind)) enh = {};
    append_one_line(output, code, enh, size, std::string_view(parts)...);
    SmtpReply& r =
        std::get<ev::ReplySent>(events.emplace_back(std::in_place_type<ev::ReplySent>)).reply;
    r.code = code;
    // The new event's string is empty: appended to rather than assigned, which is the same for
    // text not its own without assign()'s cases of overlapping text (most of its cost).
    r.enhanced.append(enh);
    if (config.report_reply_text) {
      std::string& line = r.lines.emplace_back();
      line.reserve(size);
      (line.append(parts), ...);
    }
  }
  void send(int code, std::string_view enh, std::string_view text, Kind kind = Kind::kNormal) {
    send_parts(code, enh, kind, Lines::kCheck, text);
  }
  // A reply with a text fixed at compile time (checked there): no check at run time. Inlined
  // with send_parts() and append_one_line(): the code, enhanced code and text being constants,
  // the reply's length and digits are computed at compile time.
  [[gnu::always_inline]] void send_fixed(int code, std::string_view enh, FixedText text) {
    send_parts(code, enh, Kind::kNormal, Lines::kClean, text.text);
  }

  // A protocol error (500-504, 555). After config.max_errors of them the session ends with
  // 421 4.7.0 right after the error's own reply, as Postfix does (smtpd_hard_error_limit).
  void send_error(int code, std::string_view enh, std::string_view text,
                  Kind kind = Kind::kNormal) {
    send(code, enh, text, kind);
    ++errors;
    if (config.max_errors > 0 && errors >= config.max_errors && state != State::kClosed) {
      send_parts(421, "4.7.0", Kind::kNormal, Lines::kClean, config.hostname,
                 " Error: too many errors");
      close("too many errors (" + std::to_string(errors) + ")");
    }
  }

  // The reply for a policy decision that is not a 2xx. Codes outside 4xx/5xx become 451; a
  // missing or mismatched enhanced code becomes "class.0.0".
  SmtpReply decision_reply(const SmtpDecision& d) const {
    SmtpReply r;
    r.code = (d.code >= 400 && d.code <= 599) ? d.code : 451;
    std::string enh;
    std::size_t len = 0;
    if (parse_enhanced_code(d.enhanced, &enh, &len) && len == d.enhanced.size() &&
        enh[0] == static_cast<char>('0' + r.code / 100)) {
      r.enhanced = enh;
    } else {
      r.enhanced = std::to_string(r.code / 100) + ".0.0";
    }
    r.lines = text_lines(d.text.empty() ? default_text(r.code) : d.text);
    return r;
  }
  // Sends a policy rejection; a 421 ends the session (RFC 5321 3.8).
  void send_decision(const SmtpDecision& d) {
    SmtpReply r = decision_reply(d);
    const bool shutdown = r.code == 421;
    send(std::move(r));
    if (shutdown) close("the policy answered 421");
  }

  void close(std::string reason) {
    state = State::kClosed;
    wants_close = true;
    reader.clear();
    content.clear();
    events.emplace_back(std::in_place_type<ev::Closing>, ev::Closing{std::move(reason)});
  }

  // envelope = mail::Envelope{}, field by field: no envelope is made and moved from, and the
  // recipients' vector keeps its room for the next transaction.
  void clear_envelope() {
    envelope.mail_from.reset();
    envelope.rcpt_to.clear();
    envelope.declared_size.reset();
    envelope.body = mail::BodyType::kUnspecified;
    envelope.ret.reset();
    envelope.envid.reset();
    assert(envelope == mail::Envelope{});
  }

  void reset_transaction() {
    // The envelope is only filled together with in_transaction (on_mail): outside a
    // transaction it is already empty.
    if (in_transaction) clear_envelope();
    in_transaction = false;
    content.clear();
    if (content.capacity() > std::string().capacity()) content.shrink_to_fit();
    data_octets = 0;
    data_lines = 0;
    data_too_big = false;
    data_line_too_long = false;
    content_shape = {};
  }

  // -------------------------------------------------------------------------------------------
  // Driver entry points.

  void open(Micros now) {
    if (state != State::kNotOpen) return;
    last_activity = now;
    session.tls = config.tls == TlsState::kActive;
    const SmtpDecision d = policy->on_connect(session);
    if (d.accepted()) {
      state = State::kCommand;
      send_parts(220, "", Kind::kNormal, Lines::kClean, config.hostname,
                 std::string_view(config.greeting_text.empty() ? "" : " "), config.greeting_text);
      return;
    }
    // RFC 5321 3.1: 421 closes at once; 554 keeps the connection until QUIT.
    const bool temporary = d.code >= 400 && d.code <= 499;
    const int code = temporary ? 421 : 554;
    std::vector<std::string> lines = text_lines(
        d.text.empty() ? (temporary ? default_text(421) : "No SMTP service here") : d.text);
    lines.front() = sanitize(config.hostname + " " + lines.front());
    SmtpReply r;
    r.code = code;
    r.lines = std::move(lines);
    if (temporary) {
      send(std::move(r));
      close("connection refused by policy (421)");
    } else {
      state = State::kRefused;
      send(std::move(r));
    }
  }

  void receive(std::string_view bytes, Micros now) {
    if (bytes.empty()) return;
    if (state == State::kNotOpen || state == State::kClosed || state == State::kAwaitTls) {
      return;  // RFC 3207 4.2: bytes after STARTTLS and before the handshake are discarded
    }
    last_activity = now;
    // Lines that arrive whole are read where they are (the message's octets are copied once,
    // into the content, not first into the reader); the views do not outlive this call.
    reader.lend(bytes);
    process();
    reader.end_lend();
  }

  void tls_established(Micros now) {
    if (state != State::kAwaitTls) return;
    // RFC 3207 4.2: forget everything learned from the client before TLS.
    last_activity = now;
    reader.clear();
    reader.set_max(kReaderCommandMax);
    reset_transaction();
    // session = SmtpSessionInfo{} with TLS, field by field (no SmtpSessionInfo made and moved).
    session.helo.clear();
    session.esmtp = false;
    session.tls = true;
    session.auth_user.reset();
    greeted = false;
    enhanced = false;
    login_user.clear();
    state = State::kCommand;
  }

  void peer_closed(Micros) {
    if (state == State::kClosed || state == State::kNotOpen) return;
    std::string reason = "the client closed the connection";
    if (state == State::kData) {
      reason += " during DATA; the message is discarded";
    } else if (in_transaction) {
      reason += "; the unfinished mail transaction is abandoned";
    }
    reset_transaction();
    state = State::kClosed;
    reader.clear();
    events.emplace_back(std::in_place_type<ev::Closing>, ev::Closing{std::move(reason)});
  }

  std::optional<Micros> deadline() const {
    if (state == State::kNotOpen || state == State::kClosed) return std::nullopt;
    return last_activity + config.command_timeout;
  }

  void tick(Micros now) {
    const auto d = deadline();
    if (!d || now < *d) return;
    events.emplace_back(ev::TimedOut{});
    if (state == State::kAwaitTls) {
      // No plaintext reply can be sent in the middle of a TLS handshake.
      close("timeout waiting for the TLS handshake");
      return;
    }
    // RFC 5321 4.5.3.2: the server gives up; 421 is the reply for a closing channel.
    send_parts(421, "4.4.2", Kind::kNormal, Lines::kClean, config.hostname,
               " Error: timeout exceeded");
    close(state == State::kData ? "timeout during DATA; the message is discarded" : "timeout");
  }

  // -------------------------------------------------------------------------------------------
  // Line processing.

  void process() {
    while (true) {
      switch (state) {
        case State::kCommand:
        case State::kRefused:
        case State::kData:
        case State::kAuthPlain:
        case State::kAuthLoginUser:
        case State::kAuthLoginPass:
          break;
        case State::kNotOpen:
        case State::kAwaitTls:
        case State::kClosed:
          return;
      }
      if (state == State::kData) take_data_lines();
      LineReader::LineView line;
      if (!reader.next_view(&line)) return;
      switch (state) {
        case State::kData:
          on_data_line(line);
          break;
        case State::kAuthPlain:
        case State::kAuthLoginUser:
        case State::kAuthLoginPass:
          on_auth_line(line);
          break;
        default:
          on_command(line);
          break;
      }
    }
  }

  void on_command(const LineReader::LineView& line) {
    if (config.report_commands) events.emplace_back(ev::CommandReceived{std::string(line.text)});
    const std::string_view text = line.text;
    const auto [verb, sp] = split_verb(text);
    // (A view made directly: substr() checks a bound that is known here.)
    const std::string_view args =
        sp == std::string_view::npos ? std::string_view{}
                                     : std::string_view(text.data() + sp + 1, text.size() - sp - 1);

    // RFC 5321 3.1: after a 554 greeting, 503 to everything but QUIT.
    if (state == State::kRefused) {
      if (!line.too_long && ascii_iequal(text, "QUIT")) {
        on_quit(args);
      } else {
        send_error(503, "5.5.1",
                   "Bad sequence of commands: this server refused the session; only QUIT is "
                   "accepted");
      }
      return;
    }
    // RFC 5321 4.5.3.1.4 (and the extensions' additions, see kMailLineMax).
    // (constexpr: pack_verb() of a literal is otherwise computed on every command)
    static constexpr std::uint64_t kMailVerb = pack_verb("MAIL");
    static constexpr std::uint64_t kRcptVerb = pack_verb("RCPT");
    const std::size_t limit = verb == kMailVerb   ? kMailLineMax
                              : verb == kRcptVerb ? kRcptLineMax
                                                  : kCommandLineMax;
    if (line.too_long || text.size() + 2 > limit) {
      // RFC 5321 4.2.2: 500 "may include errors such as command line too long". X.5.2 (syntax
      // error) rather than X.5.6, which RFC 4954 defines for over-long AUTH responses only.
      send_error(500, "5.5.2",
                 "Line too long: at most " + std::to_string(limit) +
                     " octets including CRLF (RFC 5321 4.5.3.1.4)");
      return;
    }
    // RFC 5321 2.3.8 / 4.1.1: commands are printable US-ASCII ending in CRLF; a bare CR or LF or
    // another control character is a syntax error.
    if (has_ctl(text)) {
      send_error(500, "5.5.2",
                 "Syntax error: control character (NUL, TAB, bare CR or LF) in command line");
      return;
    }

    const Cmd cmd = command_of(verb);
    if (cmd == Cmd::kUnknown) {
      send_error(500, "5.5.2", "Syntax error, command unrecognized");
      return;
    }
    if (cmd == Cmd::kNotImplemented) {
      send_error(502, "5.5.1", "Command not implemented");
      return;
    }
    // RFC 3207 section 4: with TLS required, everything but NOOP, EHLO, STARTTLS and QUIT waits
    // for STARTTLS.
    if (config.require_tls && !session.tls && cmd != Cmd::kNoop && cmd != Cmd::kEhlo &&
        cmd != Cmd::kStartTls && cmd != Cmd::kQuit) {
      send_fixed(530, "5.7.0", "Must issue a STARTTLS command first");
      return;
    }
    // RFC 4954 section 6: with authentication required, 530 for every command other than AUTH,
    // EHLO, HELO, NOOP, RSET and QUIT (and STARTTLS and HELP, which lead to authenticating).
    if (config.require_auth && !session.auth_user &&
        (cmd == Cmd::kMail || cmd == Cmd::kRcpt || cmd == Cmd::kData || cmd == Cmd::kVrfy ||
         cmd == Cmd::kExpn)) {
      send_fixed(530, "5.7.0", "Authentication required");
      return;
    }
    switch (cmd) {
      case Cmd::kEhlo:
        on_helo(args, true);
        break;
      case Cmd::kHelo:
        on_helo(args, false);
        break;
      case Cmd::kMail:
        on_mail(args);
        break;
      case Cmd::kRcpt:
        on_rcpt(args);
        break;
      case Cmd::kData:
        on_data(args);
        break;
      case Cmd::kRset:
        on_rset(args);
        break;
      case Cmd::kNoop:
        send_fixed(250, "2.0.0", "OK");
        break;  // RFC 5321 4.1.1.9: ignore arguments
      case Cmd::kQuit:
        on_quit(args);
        break;
      case Cmd::kVrfy:
        on_vrfy(args);
        break;
      case Cmd::kExpn:
        // RFC 5321 3.5.2 and 7.3: EXPN may be disabled; 502 says so.
        send_error(502, "5.5.1", "EXPN is not available on this server");
        break;
      case Cmd::kHelp:
        on_help();
        break;
      case Cmd::kStartTls:
        on_starttls(args);
        break;
      case Cmd::kAuth:
        on_auth(args);
        break;
      case Cmd::kUnknown:
      case Cmd::kNotImplemented:
        break;
    }
  }

  // RFC 5321 4.1.1.1: "EHLO" SP ( Domain / address-literal ).
  void on_helo(std::string_view args, bool ehlo) {
    const char* name = ehlo ? "EHLO" : "HELO";
    if (args.empty()) {
      send_error(501, "", std::string("Syntax: ") + name + " hostname", Kind::kHeloReply);
      return;
    }
    if (!known_valid_helo(args)) {
      if (!mail::is_valid_domain(args)) {
        send_error(501, "",
                   std::string("Syntax: ") + name +
                       " hostname (the argument must be a domain name or an address literal "
                       "such as [192.0.2.1])",
                   Kind::kHeloReply);
        return;
      }
      remember_valid_helo(args);
    }
    const SmtpDecision d = policy->on_helo(session, args);
    if (!d.accepted()) {
      SmtpReply r = decision_reply(d);
      const bool shutdown = r.code == 421;
      send(std::move(r), Kind::kHeloReply);
      if (shutdown) close("the policy answered 421");
      return;
    }
    // RFC 5321 4.1.4: an accepted EHLO/HELO resets the state as RSET does.
    reset_transaction();
    session.helo.clear();  // then appended: as assign() (`args` is the command line's)
    session.helo.append(args);
    session.esmtp = ehlo;
    greeted = true;
    enhanced = ehlo;
    send_helo_reply(ehlo);
  }

  // 250 with the hostname and, for EHLO, the extensions. The wire form is written at once: but
  // for the hostname (sanitized at construction) and the SIZE keyword, it is fixed text.
  void send_helo_reply(bool ehlo) {
    const bool starttls = ehlo && starttls_available();
    const bool auth = ehlo && auth_advertised();
    static constexpr std::string_view kAfterHost = "\r\n250-PIPELINING\r\n250-";  // RFC 2920
    // RFC 1870 (the SIZE keyword), RFC 6152, RFC 2034, RFC 3461.
    static constexpr std::string_view kAfterSize =
        "\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-DSN\r\n";
    static constexpr std::string_view kStartTls = "250-STARTTLS\r\n";      // RFC 3207
    static constexpr std::string_view kAuth = "250-AUTH PLAIN LOGIN\r\n";  // RFC 4954
    if (!ehlo) {
      append_one_line(output, 250, {}, config.hostname.size(), std::string_view(config.hostname));
    } else {
      const std::size_t n = 4 + config.hostname.size() + kAfterHost.size() + size_keyword().size() +
                            kAfterSize.size() + (starttls ? kStartTls.size() : 0) +
                            (auth ? kAuth.size() : 0);
      const std::size_t at = output.size();
      if (at + n > output.capacity()) {
        output.reserve(std::max(at + n, std::max(2 * output.capacity(), kOutputRoom)));
      }
      output.resize(at + n);
      // Copies of fixed sizes, but for the hostname and the SIZE keyword.
      char* p = output.data() + at;
      const auto put = [&p](std::string_view piece) {
        std::memcpy(p, piece.data(), piece.size());
        p += piece.size();
      };
      put("250-");
      put(config.hostname);
      put(kAfterHost);
      put(size_keyword());
      put(kAfterSize);
      if (starttls) put(kStartTls);
      if (auth) put(kAuth);
      // The last line's "-" becomes " ".
      const std::size_t last = auth ? kAuth.size() : starttls ? kStartTls.size() : 9;  // "250-DSN"
      output[output.size() - last + 3] = ' ';
    }
    SmtpReply& r =
        std::get<ev::ReplySent>(events.emplace_back(std::in_place_type<ev::ReplySent>)).reply;
    r.code = 250;
    if (config.report_reply_text) {
      r.lines.reserve(ehlo ? 8 : 1);
      r.lines.emplace_back(config.hostname);
      if (ehlo) {
        r.lines.emplace_back("PIPELINING");
        r.lines.emplace_back(size_keyword());
        r.lines.emplace_back("8BITMIME");
        r.lines.emplace_back("ENHANCEDSTATUSCODES");
        r.lines.emplace_back("DSN");
        if (starttls) r.lines.emplace_back("STARTTLS");
        if (auth) r.lines.emplace_back("AUTH PLAIN LOGIN");
      }
    }
  }

  // Checks "FROM:" / "TO:" and returns what follows, or sends the syntax error. (A template over
  // the keyword: with its length a constant, the comparison is unrolled in place.)
  template <std::size_t N>
  std::optional<std::string_view> after_keyword(std::string_view args, const char (&keyword)[N],
                                                std::string_view usage) {
    constexpr std::size_t n = N - 1;
    if (args.size() >= n && istarts_with(args, std::string_view(keyword, n)) &&
        (args.size() == n || args[n] != ' ')) {
      return std::string_view(args.data() + n, args.size() - n);
    }
    keyword_error(args, std::string_view(keyword, n), usage);
    return std::nullopt;
  }
  [[gnu::cold]] void keyword_error(std::string_view args, std::string_view keyword,
                                   std::string_view usage) {
    if (!istarts_with(args, keyword)) {
      send_error(501, "5.5.2", "Syntax: " + std::string(usage));
    } else {
      send_error(501, "5.5.2",
                 "Syntax: " + std::string(usage) + " (no space after the colon, RFC 5321 3.3)");
    }
  }

  // The ESMTP parameters after a path (RFC 5321 4.1.2): " KEYWORD[=value]..." each at most
  // once. Sends the 501 and returns false when they are malformed.
  bool read_params(std::string_view tail, ParamList* params) {
    if (!tail.empty() && tail.front() != ' ') {
      send_error(501, "5.5.2", "Syntax: expected a space between the address and the parameters");
      return false;
    }
    if (!parse_params(tail, params)) {
      send_error(501, "5.5.4", "Syntax error in parameters (KEYWORD or KEYWORD=value expected)");
      return false;
    }
    for (std::size_t i = 0; i < params->size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if ((*params)[j].same_keyword((*params)[i])) {
          send_error(501, "5.5.4", "Duplicate " + (*params)[i].name() + " parameter");
          return false;
        }
      }
    }
    return true;
  }

  void on_mail(std::string_view args) {
    if (!greeted) {
      send_error(503, "5.5.1", "Bad sequence of commands: send EHLO or HELO first");
      return;
    }
    if (in_transaction) {
      send_error(503, "5.5.1", "Bad sequence of commands: sender already specified");
      return;
    }
    const auto rest = after_keyword(args, "FROM:", "MAIL FROM:<address> [parameters]");
    if (!rest) return;
    // Filled in place: outside a transaction the envelope is empty, and it is emptied again
    // when this MAIL is not accepted.
    struct EmptyUnlessAccepted {
      Impl* self;
      ~EmptyUnlessAccepted() {
        if (!self->in_transaction) self->clear_envelope();
      }
    } undo{this};
    mail::Envelope& env = envelope;
    std::size_t path_size = 0;
    // The usual <local@domain> straight into the envelope; anything else through parse_path().
    if (!mail::parse_plain_path(*rest, &env.mail_from.emplace(), &path_size)) {
      env.mail_from.reset();
      mail::PathParse path = mail::parse_path(*rest, true);
      if (path.error != mail::PathError::kNone) {
        // RFC 3463 X.1.7: bad sender's mailbox address syntax. RFC 5321 4.5.3.1.10: an
        // over-long path is "501 Path too long".
        send_error(501, "5.1.7", "Bad sender address syntax: " + path.message);
        return;
      }
      if (!path.null_path) env.mail_from = std::move(path.mailbox);
      path_size = path.consumed;
    }
    // (A view made directly: the parsers' lengths are within `rest`, substr() checks again.)
    assert(path_size <= rest->size());
    std::string_view tail(rest->data() + path_size, rest->size() - path_size);
    ParamList params;
    if (!read_params(tail, &params)) return;
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      // RFC 5321 4.1.1.11 and 4.1.2: parameters exist only with EHLO.
      const bool known = session.esmtp && (p.is("SIZE") || p.is("BODY") || p.is("RET") ||
                                           p.is("ENVID") || (p.is("AUTH") && auth_advertised()));
      if (!known) {
        send_error(555, "5.5.4", "MAIL FROM parameter " + sanitize(p.name()) + " not recognized");
        return;
      }
      if (!p.has_value) {
        send_error(501, "5.5.4", p.name() + " needs a value (" + p.name() + "=...)");
        return;
      }
      if (p.is("SIZE")) {
        // RFC 1870 section 5: size-value ::= 1*20DIGIT. Checked and summed in one pass (a
        // non-digit after an overflow is still the syntax error).
        bool digits = p.value.size() <= 20;
        std::size_t n = 0;
        bool overflow = false;
        for (std::size_t k = 0; digits && k < p.value.size(); ++k) {
          const char c = p.value[k];
          if (!is_digit(c)) {
            digits = false;
          } else if (!overflow) {
            const std::size_t digit = static_cast<std::size_t>(c - '0');
            overflow = __builtin_mul_overflow(n, std::size_t{10}, &n) ||
                       __builtin_add_overflow(n, digit, &n);
          }
        }
        if (!digits) {
          send_error(501, "5.5.4", "SIZE must be a decimal number of octets");
          return;
        }
        if (overflow || (config.max_message_size != 0 && n > config.max_message_size)) {
          // RFC 1870 section 6.1.
          send_fixed(552, "5.3.4", "Message size exceeds fixed maximum message size");
          return;
        }
        env.declared_size = n;
      } else if (p.is("BODY")) {
        if (ascii_iequal(p.value, "7BIT")) {
          env.body = mail::BodyType::k7Bit;
        } else if (ascii_iequal(p.value, "8BITMIME")) {
          env.body = mail::BodyType::k8BitMime;
        } else if (ascii_iequal(p.value, "BINARYMIME")) {
          // RFC 3030 BINARYMIME needs CHUNKING, which this server does not offer.
          send_error(555, "5.5.4", "BODY=BINARYMIME is not supported (no CHUNKING)");
          return;
        } else {
          send_error(501, "5.5.4", "BODY must be 7BIT or 8BITMIME (RFC 6152)");
          return;
        }
      } else if (p.is("RET")) {
        if (!ascii_iequal(p.value, "FULL") && !ascii_iequal(p.value, "HDRS")) {
          send_error(501, "5.5.4", "RET must be FULL or HDRS (RFC 3461 4.3)");
          return;
        }
        env.ret = ascii_upper(p.value);
      } else if (p.is("ENVID")) {
        if (p.value.size() > kMaxEnvidChars || !is_xtext(p.value)) {
          send_error(501, "5.5.4", "ENVID must be xtext of at most 100 characters (RFC 3461 4.4)");
          return;
        }
        env.envid.emplace(p.value);
      } else if (p.is("AUTH")) {
        // RFC 4954 section 5: parsed and discarded, as a server that trusts no one may do.
        if (!is_xtext(p.value)) {
          send_error(501, "5.5.4", "AUTH= must be xtext (RFC 4954 section 5)");
          return;
        }
      }
    }
    const SmtpDecision d = policy->on_mail_from(session, env);
    if (!d.accepted()) {
      send_decision(d);
      return;
    }
    in_transaction = true;
    send_fixed(250, "2.1.0", "OK");
  }

  void on_rcpt(std::string_view args) {
    if (!in_transaction) {
      send_error(503, "5.5.1", "Bad sequence of commands: send MAIL first");
      return;
    }
    const auto rest = after_keyword(args, "TO:", "RCPT TO:<address> [parameters]");
    if (!rest) return;
    mail::EnvelopeRecipient rcpt;
    std::size_t consumed = 0;
    bool postmaster = false;
    // RFC 5321 4.1.1.3: "<Postmaster>" without a domain names this server's postmaster and
    // MUST be accepted (4.5.1); it is recorded as postmaster@<hostname>.
    if (const std::size_t n = mail::match_bare_postmaster(*rest); n > 0) {
      postmaster = true;
      consumed = n;
      rcpt.mailbox.local_part = std::string(rest->substr(1, n - 2));
      rcpt.mailbox.domain = config.hostname;
    } else if (!mail::parse_plain_path(*rest, &rcpt.mailbox, &consumed)) {
      // Not the usual <local@domain>: parse_path() says what it is.
      mail::PathParse path = mail::parse_path(*rest, false);
      if (path.error != mail::PathError::kNone) {
        // RFC 3463 X.1.3: bad destination mailbox address syntax.
        send_error(501, "5.1.3", "Bad recipient address syntax: " + path.message);
        return;
      }
      rcpt.mailbox = std::move(*path.mailbox);
      consumed = path.consumed;
    }
    assert(consumed <= rest->size());
    const std::string_view tail(rest->data() + consumed, rest->size() - consumed);
    ParamList params;
    if (!read_params(tail, &params)) return;
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      const bool known = session.esmtp && (p.is("NOTIFY") || p.is("ORCPT"));
      if (!known) {
        send_error(555, "5.5.4", "RCPT TO parameter " + sanitize(p.name()) + " not recognized");
        return;
      }
      if (!p.has_value) {
        send_error(501, "5.5.4", p.name() + " needs a value (" + p.name() + "=...)");
        return;
      }
      if (p.is("NOTIFY")) {
        if (!valid_notify(p.value)) {
          send_error(501, "5.5.4",
                     "NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY (RFC 3461 4.1)");
          return;
        }
        rcpt.notify.emplace(p.value);
      } else {
        if (!valid_orcpt(p.value)) {
          send_error(501, "5.5.4",
                     "ORCPT must be addr-type;xtext, at most 500 characters (RFC 3461 4.2)");
          return;
        }
        rcpt.orcpt.emplace(p.value);
      }
    }
    // RFC 5321 4.5.3.1.10.
    if (config.max_recipients > 0 && envelope.rcpt_to.size() >= config.max_recipients) {
      send_fixed(452, "4.5.3", "Too many recipients");
      return;
    }
    if (!postmaster) {
      const SmtpDecision d = policy->on_rcpt_to(session, envelope, rcpt);
      if (!d.accepted()) {
        send_decision(d);
        return;
      }
    }
    envelope.rcpt_to.push_back(std::move(rcpt));
    send_fixed(250, "2.1.5", "OK");
  }

  static bool valid_notify(std::string_view v) {
    if (ascii_iequal(v, "NEVER")) return true;
    std::array<bool, 3> seen{};
    std::size_t start = 0;
    while (true) {
      std::size_t comma = v.find(',', start);
      if (comma == std::string_view::npos) comma = v.size();
      const std::string_view item = v.substr(start, comma - start);
      std::size_t index = 0;
      if (ascii_iequal(item, "SUCCESS"))
        index = 0;
      else if (ascii_iequal(item, "FAILURE"))
        index = 1;
      else if (ascii_iequal(item, "DELAY"))
        index = 2;
      else
        return false;
      if (seen[index]) return false;
      seen[index] = true;
      if (comma == v.size()) return true;
      start = comma + 1;
    }
  }

  static bool valid_orcpt(std::string_view v) {
    if (v.size() > kMaxOrcptChars) return false;
    const std::size_t semi = v.find(';');
    if (semi == std::string_view::npos || semi == 0) return false;
    const std::string_view type = v.substr(0, semi);
    if (!std::all_of(type.begin(), type.end(), is_atext)) return false;
    return is_xtext(v.substr(semi + 1)) && semi + 1 < v.size();
  }

  void on_data(std::string_view args) {
    if (!args.empty()) {
      send_error(501, "5.5.4", "Syntax: DATA (no parameters)");
      return;
    }
    if (!in_transaction) {
      send_error(503, "5.5.1", "Bad sequence of commands: send MAIL first");
      return;
    }
    if (envelope.rcpt_to.empty()) {
      // RFC 5321 3.3: 503 (or 554) when no RCPT was accepted.
      send_error(503, "5.5.1", "No valid recipients");
      return;
    }
    state = State::kData;
    reader.set_max(kTextLineMax + 1);
    content.clear();
    // SIZE= announced the size (RFC 1870): room for it at once, within the server's limit.
    if (envelope.declared_size) {
      const std::size_t cap = config.max_message_size != 0 ? config.max_message_size : std::size_t{1} << 20;
      content.reserve(std::min(*envelope.declared_size, cap));
    }
    data_octets = 0;
    data_lines = 0;
    data_too_big = false;
    data_line_too_long = false;
    content_shape = {};
    send_fixed(354, "", "Start mail input; end with <CRLF>.<CRLF>");
  }

  void on_data_line(const LineReader::LineView& line) {
    if (!line.too_long && line.text == ".") {
      end_data();
      return;
    }
    std::string_view t = line.text;
    // RFC 5321 4.5.2: a line starting with "." has that dot removed.
    if (!t.empty() && t.front() == '.') t.remove_prefix(1);
    if (!count_data_line(t.size(), line.too_long)) return;
    if (config.measure_content_shape) {
      // The line with its CRLF: a CR or LF in its text is one without its pair.
      if (t.find_first_of("\r\n") != std::string_view::npos) content_shape.crlf = false;
      if (mail::has_8bit(t)) content_shape.eight_bit = true;
    }
    content.append(t);
    content.append("\r\n", 2);
  }

  // Counts a data line of `text` octets (without its CRLF and transparency dot). False once the
  // message will be refused: it is still counted, but no longer kept (bounded memory).
  bool count_data_line(std::size_t text, bool too_long) {
    ++data_lines;
    // RFC 1870 section 4: the size counts CRLFs but not the transparency dots. An over-long
    // line counts with the length the reader kept (a lower bound); it is rejected anyway.
    data_octets += text + 2;
    if (too_long || text + 2 > kTextLineMax) data_line_too_long = true;
    if (config.max_message_size != 0 && data_octets > config.max_message_size) {
      data_too_big = true;
    }
    if (!data_too_big && !data_line_too_long) return true;
    if (!content.empty()) {
      content.clear();
      content.shrink_to_fit();
    }
    return false;
  }

  // The message's lines in bulk: takes the complete lines the reader holds, each as
  // on_data_line would, up to the final "." or a line the reader must judge (one longer than
  // its limit), which on_data_line then gets. Consecutive lines are copied at once, and the
  // counts and limits are settled once for all of them (the outcome is the same as line by
  // line: a message over a limit keeps no content).
  void take_data_lines() {
    if (config.measure_content_shape) {
      take_data_lines_impl<true>();
    } else {
      take_data_lines_impl<false>();
    }
  }

  // With kShape, also joins the shape of the octets taken (mail::text_shape) to content_shape.
  // That of the lines as received is that of the content: a transparency dot removed is
  // neither a CR, an LF nor 8-bit, and it follows an LF, so removing it makes no CRLF.
  template <bool kShape>
  void take_data_lines_impl() {
    const std::string_view buf = reader.unread();
    const std::size_t max = reader.max();
    const bool keep = !(data_too_big || data_line_too_long);
    std::size_t p = 0;    // the next line
    std::size_t run = 0;  // start of the octets to copy as they are (when keep)
    std::size_t lines = 0;
    std::size_t dots = 0;  // lines that start with a transparency dot
    bool long_line = false;
    // Lines this long need a closer look (the reader's limit, or the 1000 octets of text).
    const std::size_t look = std::min(max, kTextLineMax);
    // Takes the line from p to the CRLF at `crlf`; false (p unchanged) where the bulk stops.
    const auto take = [&](std::size_t crlf) {
      const std::size_t len = crlf - p;
      // (buf[p] is the line's first octet, or the CR of its CRLF when it is empty.)
      const bool dot = buf[p] == '.';
      if (len + 2 > look) {
        if (len + 2 > max) return false;
        // RFC 5321 4.5.3.1.6: the limit does not count a transparency dot.
        if (len + 2 - (dot ? 1 : 0) > kTextLineMax) long_line = true;
      }
      if (dot) {
        if (len == 1) return false;  // the final "."
        // RFC 5321 4.5.2: a line starting with "." has that dot removed.
        ++dots;
        if (keep) {
          content.append(buf.data() + run, p - run);  // run <= p < buf.size()
          run = p + 1;
        }
      }
      ++lines;
      p = crlf + 2;
      return true;
    };
    // Only CRLF ends a line; a bare CR or LF belongs to the line (as in LineReader).
    std::size_t from = p;
    // (kShape) Whether an octet taken is a CR without its LF or an LF without its CR, or has
    // its high bit set. The octets looked at beyond the last line taken belong to a line not
    // complete yet (looked at again when it is), or to a final "." line that is cut off.
    bool odd = false;
    bool eight_bit = false;
#if defined(__SSE2__)
    // The LFs of 32 octets at a time (lines of tens of octets cost less so than with a memchr
    // each); a LF ends a line when a CR of the same line precedes it.
    bool stopped = false;
    std::size_t block = 0;
    const __m128i lf_octets = _mm_set1_epi8('\n');
    const __m128i cr_octets = _mm_set1_epi8('\r');
    [[maybe_unused]] __m128i high = _mm_setzero_si128();  // the blocks' octets OR-ed
    [[maybe_unused]] std::uint32_t unpaired = 0;  // bit k: a CR/LF mismatch at an LF's place
    [[maybe_unused]] std::uint32_t cr_carry = 0;  // 1 when the block before ended with a CR
    for (; block + 32 <= buf.size(); block += 32) {
      const auto* at = reinterpret_cast<const __m128i*>(buf.data() + block);
      const __m128i a0 = _mm_loadu_si128(at);
      const __m128i a1 = _mm_loadu_si128(at + 1);
      std::uint32_t lfs =
          static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a0, lf_octets))) |
          static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a1, lf_octets))) << 16;
      std::uint32_t block_unpaired = 0;
      if constexpr (kShape) {
        const std::uint32_t crs =
            static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a0, cr_octets))) |
            static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a1, cr_octets))) << 16;
        // As in mail::text_shape: the LFs must be where the CRs are, moved by one.
        block_unpaired = lfs ^ ((crs << 1) | cr_carry);
        cr_carry = crs >> 31;
      }
      while (lfs != 0) {
        const std::size_t lf = block + static_cast<std::size_t>(std::countr_zero(lfs));
        lfs &= lfs - 1;
        if (lf > p && buf[lf - 1] == '\r' && !take(lf - 1)) {
          stopped = true;
          break;
        }
      }
      if constexpr (kShape) {
        if (stopped) {
          // Only the octets before the line not taken (p is at most 31 octets into the block,
          // or before it when that line began in an earlier block).
          const std::uint32_t before =
              p > block ? (std::uint32_t{1} << (p - block)) - 1 : std::uint32_t{0};
          const std::uint32_t highs = static_cast<std::uint32_t>(_mm_movemask_epi8(a0)) |
                                      static_cast<std::uint32_t>(_mm_movemask_epi8(a1)) << 16;
          unpaired |= block_unpaired & before;
          eight_bit = (highs & before) != 0;
        } else {
          unpaired |= block_unpaired;
          high = _mm_or_si128(high, _mm_or_si128(a0, a1));
        }
      }
      if (stopped) break;
    }
    if constexpr (kShape) {
      odd = unpaired != 0;
      eight_bit = eight_bit || _mm_movemask_epi8(high) != 0;
    }
    const std::size_t looked = block;  // octets looked at 32 at a time (if not stopped)
    // The rest: a CRLF may also straddle the last block's end.
    from = stopped ? std::string_view::npos : block == 0 ? p : std::max(p, block - 1);
#else
    const std::size_t looked = 0;
    const bool stopped = false;
#endif
    for (std::size_t crlf; from != std::string_view::npos &&
                           (crlf = find_crlf(buf, from)) != std::string_view::npos && take(crlf);) {
      from = p;
    }
    if constexpr (kShape) {
      if (!stopped && p > looked) {
        // The lines taken past the blocks, from the CR before them if the last block ended
        // with one (it pairs with an LF there, or is unpaired).
        const std::size_t start = looked > 0 && buf[looked - 1] == '\r' ? looked - 1 : looked;
        const mail::TextShape rest =
            mail::text_shape(std::string_view(buf.data() + start, p - start));
        odd = odd || !rest.crlf;
        eight_bit = eight_bit || rest.eight_bit;
      }
      if (odd) content_shape.crlf = false;
      if (eight_bit) content_shape.eight_bit = true;
    }
    if (lines > 0) {
      // As count_data_line() for each line: the octets are those of the lines taken (CRLFs
      // included) but their transparency dots.
      data_lines += lines;
      data_octets += p - dots;
      if (long_line) data_line_too_long = true;
      if (config.max_message_size != 0 && data_octets > config.max_message_size) {
        data_too_big = true;
      }
    }
    if (data_too_big || data_line_too_long) {
      if (!content.empty()) {
        content.clear();
        content.shrink_to_fit();
      }
    } else if (p != run) {
      content.append(buf.data() + run, p - run);  // run < p <= buf.size()
    }
    reader.skip(p);
  }

  void end_data() {
    state = State::kCommand;
    reader.set_max(kReaderCommandMax);
    events.emplace_back(std::in_place_type<ev::DataLineCount>,
                        ev::DataLineCount{data_lines, data_octets});
    if (data_too_big) {
      // RFC 1870 section 6.3 (and RFC 5321 4.5.3.1.10 "552 Too much mail data").
      reject_message(SmtpReply(552, "5.3.4", "Message size exceeds fixed maximum message size"));
    } else if (data_line_too_long) {
      // RFC 5321 4.5.3.1.6 limits text lines to 1000 octets. The reply can only come after the
      // final "." (the client sends the whole message first), and RFC 5321 4.3.2 allows only
      // 552, 554, 451, 452, 450 and 550 there, so the "500 Line too long" of 4.5.3.1.10 does
      // not fit: the message is refused with 554 and X.6.0 (RFC 3463: a problem with the
      // message content).
      reject_message(SmtpReply(554, "5.6.0",
                               "Message rejected: a text line is longer than 1000 octets "
                               "(RFC 5321 4.5.3.1.6)"));
    } else {
      assert(!config.measure_content_shape || mail::text_shape(content) == content_shape);
      const SmtpDecision d = policy->on_message_with_shape(
          session, envelope, content,
          config.measure_content_shape ? std::optional<mail::TextShape>(content_shape)
                                       : std::nullopt);
      if (d.accepted()) {
        std::string_view enh = d.enhanced;
        std::size_t len = 0;
        if (!(parse_enhanced_code(d.enhanced, nullptr, &len) && len == d.enhanced.size() &&
              enh[0] == '2')) {
          enh = "2.0.0";
        }
        if (config.report_messages) {
          // reset_transaction() follows: the envelope is not needed after.
          events.emplace_back(ev::MessageAccepted{std::move(envelope), std::move(content)});
        }
        content.clear();
        std::string_view text = d.text.empty() ? std::string_view("OK") : std::string_view(d.text);
        if (text.find('\n') == std::string_view::npos) {
          // The usual one line (what split_text_lines() gives for it), without the multi-line
          // writer.
          if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
          send(250, enh, text);
        } else {
          // The decision's text as views (send_lines() sanitizes them as text_lines() would).
          std::array<std::string_view, kMaxTextLines> lines;
          const std::size_t n = split_text_lines(text, &lines);
          send_lines(250, enh, std::span<const std::string_view>(lines.data(), n));
        }
      } else {
        SmtpReply r = decision_reply(d);
        const bool shutdown = r.code == 421;
        reject_message(std::move(r));
        if (shutdown) {
          close("the policy answered 421");
          return;
        }
      }
    }
    reset_transaction();
  }

  void reject_message(SmtpReply reply) {
    if (!enhanced) reply.enhanced.clear();
    events.emplace_back(ev::MessageRejected{envelope, reply});
    send(std::move(reply));
  }

  void on_rset(std::string_view args) {
    if (!args.empty()) {
      send_error(501, "5.5.4", "Syntax: RSET (no parameters)");
      return;
    }
    reset_transaction();
    send_fixed(250, "2.0.0", "OK");
  }

  void on_quit(std::string_view args) {
    if (!args.empty()) {
      send_error(501, "5.5.4", "Syntax: QUIT (no parameters)");
      return;
    }
    const bool abandoned = in_transaction;
    send_parts(221, "2.0.0", Kind::kNormal, Lines::kClean, config.hostname,
               " Service closing transmission channel");
    // (From views: the reason's length is known, no strlen().)
    static constexpr std::string_view kQuit = "QUIT";
    static constexpr std::string_view kAbandoned =
        "QUIT; the unfinished mail transaction is abandoned";
    close(std::string(abandoned ? kAbandoned : kQuit));
  }

  void on_vrfy(std::string_view args) {
    if (args.empty()) {
      send_error(501, "5.5.4", "Syntax: VRFY <user or mailbox>");
      return;
    }
    // RFC 5321 3.5.3: 252 when the server will not verify but will still try to deliver.
    send_fixed(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
  }

  void on_help() {
    std::string commands = "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP";
    if (starttls_available()) commands += " STARTTLS";
    if (auth_advertised()) commands += " AUTH";
    SmtpReply r(214, "2.0.0", commands);
    r.lines.emplace_back("See RFC 5321: https://www.rfc-editor.org/rfc/rfc5321");
    send(std::move(r));
  }

  // RFC 3207 section 4.
  void on_starttls(std::string_view args) {
    if (config.tls == TlsState::kNone) {
      send_error(502, "5.5.1", "STARTTLS not available on this server");
      return;
    }
    if (!args.empty()) {
      send_error(501, "5.5.4", "Syntax error (no parameters allowed)");
      return;
    }
    if (session.tls) {
      send_error(503, "5.5.1", "Bad sequence of commands: TLS already active");
      return;
    }
    if (in_transaction) {
      send_error(503, "5.5.1", "Bad sequence of commands: STARTTLS inside a mail transaction");
      return;
    }
    send_fixed(220, "2.0.0", "Ready to start TLS");
    events.emplace_back(std::in_place_type<ev::StartTls>);
    // RFC 3207 4.2: anything the client pipelined after STARTTLS is discarded.
    reader.clear();
    state = State::kAwaitTls;
  }

  // RFC 4954 section 4.
  void on_auth(std::string_view args) {
    if (config.auth == AuthAdvertise::kNever) {
      send_error(502, "5.5.1", "AUTH not available on this server");
      return;
    }
    if (!session.esmtp) {
      send_error(503, "5.5.1", "Bad sequence of commands: send EHLO first");
      return;
    }
    if (session.auth_user) {
      send_error(503, "5.5.1", "Bad sequence of commands: already authenticated");
      return;
    }
    if (in_transaction) {
      send_error(503, "5.5.1",
                 "Bad sequence of commands: AUTH not permitted during a mail transaction");
      return;
    }
    std::string_view mech_text = args;
    std::optional<std::string_view> initial;
    if (const std::size_t sp = args.find(' '); sp != std::string_view::npos) {
      // (Views made directly: sp is within args.)
      mech_text = std::string_view(args.data(), sp);
      initial = std::string_view(args.data() + sp + 1, args.size() - sp - 1);
      if (initial->empty() || initial->find(' ') != std::string_view::npos) {
        send_error(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
        return;
      }
    }
    if (mech_text.empty()) {
      send_error(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
      return;
    }
    // Compared without case as packed verbs are (the line has no NUL: no two texts of at most
    // eight octets pack the same, and a longer one packs as 0).
    static constexpr std::uint64_t kPlain = pack_verb("PLAIN");
    static constexpr std::uint64_t kLogin = pack_verb("LOGIN");
    const std::uint64_t mech = pack_verb(mech_text);
    const bool plain = mech == kPlain;
    if (!plain && mech != kLogin) {
      send_error(504, "5.5.4", "Unrecognized authentication type");
      return;
    }
    if (config.auth == AuthAdvertise::kAfterTls && !session.tls) {
      send_fixed(538, "5.7.11", "Encryption required for requested authentication mechanism");
      return;
    }
    if (plain) {
      if (initial) {
        finish_plain(*initial);
      } else {
        // RFC 4954 section 4: an empty challenge is "334 " (code, space, nothing).
        start_auth_line(State::kAuthPlain);
        send_fixed(334, "", "");
      }
      return;
    }
    // LOGIN (draft-murchison-sasl-login): "Username:" then "Password:", both base64.
    if (initial) {
      const auto user = decode_response(*initial);
      if (!user) {
        send_error(501, "5.5.2", "Cannot decode the base64 response");
        return;
      }
      login_user = *user;
      start_auth_line(State::kAuthLoginPass);
      send_fixed(334, "", "UGFzc3dvcmQ6");
      return;
    }
    start_auth_line(State::kAuthLoginUser);
    send_fixed(334, "", "VXNlcm5hbWU6");
  }

  void start_auth_line(State s) {
    state = s;
    reader.set_max(kAuthLineMax);
  }

  void end_auth_line() {
    state = State::kCommand;
    reader.set_max(kReaderCommandMax);
  }

  // "=" is an empty initial response (RFC 4954 section 4).
  static std::optional<std::string> decode_response(std::string_view text) {
    if (text == "=") return std::string();
    return mail::base64_decode(text);
  }

  void on_auth_line(const LineReader::LineView& line) {
    if (config.report_commands) events.emplace_back(ev::CommandReceived{std::string(line.text)});
    const State s = state;
    end_auth_line();
    const std::string_view mech = s == State::kAuthPlain ? "PLAIN" : "LOGIN";
    if (line.too_long) {
      send_error(500, "5.5.6", "Authentication Exchange line is too long");
      return;
    }
    if (line.text == "*") {
      login_user.clear();
      send_error(501, "5.0.0", "Authentication cancelled");
      return;
    }
    // A response line is plain base64 ("=" is only for the initial response).
    const auto decoded = mail::base64_decode(line.text);
    if (!decoded) {
      login_user.clear();
      send_error(501, "5.5.2", "Cannot decode the base64 response");
      return;
    }
    if (s == State::kAuthPlain) {
      check_plain(*decoded);
    } else if (s == State::kAuthLoginUser) {
      login_user = *decoded;
      start_auth_line(State::kAuthLoginPass);
      send_fixed(334, "", "UGFzc3dvcmQ6");
    } else {
      const std::string user = std::move(login_user);
      login_user.clear();
      check(mech, "", user, *decoded);
    }
  }

  void finish_plain(std::string_view initial) {
    const auto decoded = decode_response(initial);
    if (!decoded) {
      send_error(501, "5.5.2", "Cannot decode the base64 response");
      return;
    }
    check_plain(*decoded);
  }

  // RFC 4616 section 2: message = [authzid] NUL authcid NUL passwd.
  void check_plain(const std::string& message) {
    const std::size_t first = message.find('\0');
    const std::size_t second =
        first == std::string::npos ? std::string::npos : message.find('\0', first + 1);
    if (second == std::string::npos || message.find('\0', second + 1) != std::string::npos ||
        second == first + 1 || second + 1 == message.size()) {
      send_error(501, "5.5.2",
                 "Malformed PLAIN response: expected authzid NUL authcid NUL password (RFC 4616)");
      return;
    }
    // (Views made directly: first < second < message.size().)
    const char* const m = message.data();
    check("PLAIN", std::string_view(m, first), std::string_view(m + first + 1, second - first - 1),
          std::string_view(m + second + 1, message.size() - second - 1));
  }

  void check(std::string_view mech, std::string_view authzid, std::string_view user,
             std::string_view password) {
    if (policy->check_credentials(session, authzid, user, password)) {
      session.auth_user.emplace(authzid.empty() ? user : authzid);
      events.emplace_back(std::in_place_type<ev::Authenticated>,
                          ev::Authenticated{std::string(user), std::string(mech)});
      send_fixed(235, "2.7.0", "Authentication successful");
    } else {
      events.emplace_back(ev::AuthFailed{std::string(user), std::string(mech)});
      send_fixed(535, "5.7.8", "Authentication credentials invalid");
    }
  }
};

// =============================================================================================

SmtpServer::SmtpServer(SmtpServerConfig config, SmtpServerPolicy& policy)
    : m_impl(std::make_unique<Impl>(std::move(config), policy)) {}
SmtpServer::~SmtpServer() = default;
SmtpServer::SmtpServer(SmtpServer&&) noexcept = default;
SmtpServer& SmtpServer::operator=(SmtpServer&&) noexcept = default;

void SmtpServer::open(Micros now) {
  m_impl->open(now);
}
void SmtpServer::receive(std::string_view bytes, Micros now) {
  m_impl->receive(bytes, now);
}
void SmtpServer::tls_established(Micros now) {
  m_impl->tls_established(now);
}
void SmtpServer::peer_closed(Micros now) {
  m_impl->peer_closed(now);
}
void SmtpServer::tick(Micros now) {
  m_impl->tick(now);
}

std::string SmtpServer::take_output() {
  return std::exchange(m_impl->output, {});
}
std::vector<SmtpServerEvent> SmtpServer::take_events() {
  return std::exchange(m_impl->events, {});
}
void SmtpServer::take_events(std::vector<SmtpServerEvent>* out) {
  out->clear();
  out->swap(m_impl->events);
  // The buffer given back grows at once to what a pipelined batch of commands needs, instead
  // of one reallocation per event at the start of a session.
  m_impl->events.reserve(kEventBatch);
}
std::optional<Micros> SmtpServer::next_deadline() const {
  return m_impl->deadline();
}
bool SmtpServer::wants_close() const {
  return m_impl->wants_close;
}
const SmtpServerConfig& SmtpServer::config() const {
  return m_impl->config;
}
const SmtpSessionInfo& SmtpServer::session() const {
  return m_impl->session;
}

}  // namespace mailhop::proto
