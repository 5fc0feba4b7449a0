#include "sim/mail/address.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "sim/mail/ascii.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mailhop::mail {

namespace {

// RFC 1035 2.3.4: a DNS label holds at most 63 octets.
constexpr std::size_t kMaxLabelOctets = 63;

constexpr bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_let_dig(char c) {
  return is_alpha(c) || is_digit(c);
}
// Let-dig or "-" (RFC 5321 4.1.2's Ldh-str), by table: every octet of every domain is asked.
constexpr std::array<bool, 256> make_ldh_table() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[static_cast<std::size_t>(c)] = is_let_dig(static_cast<char>(c)) || c == '-';
  }
  return t;
}
constexpr std::array<bool, 256> kLdh = make_ldh_table();
constexpr bool is_ldh(char c) {
  return kLdh[static_cast<unsigned char>(c)];
}
constexpr bool is_hex(char c) {
  return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

// RFC 5322 3.2.3 atext.
constexpr std::array<bool, 256> make_atext_table() {
  std::array<bool, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (char c : std::string_view("!#$%&'*+-/=?^_`{|}~")) {
    t[static_cast<unsigned char>(c)] = true;
  }
  return t;
}
constexpr std::array<bool, 256> kAtext = make_atext_table();
constexpr bool is_atext(char c) {
  return kAtext[static_cast<unsigned char>(c)];
}

#if defined(__SSE2__)
// The octets of a short domain classified sixteen at a time: bit k of each mask stands for
// octet k. Domains are checked on every EHLO and every address, and most are under 64 octets.
constexpr std::size_t kMaskedMax = 64;
struct DomainMasks {
  std::uint64_t ldh_or_dot = 0;  // Let-dig, "-" or "."
  std::uint64_t dot = 0;
  std::uint64_t hyphen = 0;
};

// The first min(n, 16) octets at `s` in a block, zeros after them, without reading past them.
inline __m128i load_up_to_16(const char* s, std::size_t n) {
  if (n >= 16) return _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  // Overlapping loads of 8, 4 or single octets (an octet read twice lands on its own place).
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  if (n >= 8) {
    std::memcpy(&lo, s, 8);
    if (n > 8) {
      std::memcpy(&hi, s + n - 8, 8);
      hi >>= 8 * (16 - n);
    }
  } else if (n >= 4) {
    std::uint32_t a;
    std::uint32_t b;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + n - 4, 4);
    lo = a | std::uint64_t{b} << (8 * (n - 4));
  } else if (n > 0) {
    const auto at = [s](std::size_t i) {
      return std::uint64_t{static_cast<unsigned char>(s[i])} << (8 * i);
    };
    lo = at(0) | at(n / 2) | at(n - 1);
  }
  return _mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo));
}

// Adds the sixteen octets of `x` at octet `k` to the masks; true when one of them is neither
// Let-dig, "-" nor "." (a zero octet is not).
inline bool add_block(__m128i x, std::size_t k, DomainMasks* masks) {
  // A letter: with its case bit set, from 'a' to 'z'. '-', '.' and the digits lie from 0x2D to
  // 0x39, with '/' (0x2F) among them. (Signed compares: octets from 0x80 on are below all.)
  const __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
  const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                       _mm_cmpgt_epi8(_mm_set1_epi8('z' + 1), lower));
  const __m128i in_range = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('-' - 1)),
                                         _mm_cmpgt_epi8(_mm_set1_epi8('9' + 1), x));
  const __m128i slash = _mm_cmpeq_epi8(x, _mm_set1_epi8('/'));
  const __m128i ok = _mm_or_si128(letter, _mm_andnot_si128(slash, in_range));
  const auto bits = [](__m128i v) {
    return static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm_movemask_epi8(v)));
  };
  const std::uint64_t ok_bits = bits(ok);
  masks->ldh_or_dot |= ok_bits << k;
  masks->dot |= bits(_mm_cmpeq_epi8(x, _mm_set1_epi8('.'))) << k;
  masks->hyphen |= bits(_mm_cmpeq_epi8(x, _mm_set1_epi8('-'))) << k;
  return ok_bits != 0xFFFF;
}

// The labels of a domain of n octets (1 to 63) that are all Let-dig, "-" or ".", from its
// masks: what the label loop of is_valid_domain() decides (no empty label, none starting or
// ending with "-"; none can be over 63 octets).
bool masked_labels_ok(const DomainMasks& masks, std::size_t n) {
  const std::uint64_t last = std::uint64_t{1} << (n - 1);
  const std::uint64_t all = last | (last - 1);
  const std::uint64_t dot = masks.dot & all;
  const std::uint64_t hyphen = masks.hyphen & all;
  // An empty label: a dot first, last, or right after another dot.
  if ((dot & (1 | last)) != 0 || (dot & (dot >> 1)) != 0) return false;
  // A label's first octet follows a dot (or is the first), its last precedes one (or is last).
  return (hyphen & ((dot << 1) | 1)) == 0 && (hyphen & ((dot >> 1) | last)) == 0;
}
#endif

// Names one octet for an error message: 'x', ' ' (space) or 0x0A.
std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u == ' ') return "' ' (space)";
  if (u > 32 && u < 127) return std::string("'") + c + "'";
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "0x%02X", static_cast<unsigned>(u));
  return buf.data();
}

std::string non_ascii_or(char c, std::string_view where) {
  if (static_cast<unsigned char>(c) >= 0x80) {
    return std::string("non-ASCII octet in ") + std::string(where) +
           " (internationalised addresses need SMTPUTF8, RFC 6531, which is not supported)";
  }
  return "invalid character " + describe_char(c) + " in " + std::string(where);
}

// IPv4-address-literal = Snum 3("." Snum), Snum = 1*3DIGIT of value 0..255; in one pass (no
// search for each dot).
bool is_ipv4_literal(std::string_view s) {
  int dots = 0;
  int digits = 0;  // of the current Snum
  int value = 0;
  for (const char c : s) {
    if (c == '.') {
      if (digits == 0 || ++dots == 4) return false;
      digits = 0;
      value = 0;
      continue;
    }
    if (!is_digit(c) || ++digits > 3) return false;
    value = value * 10 + (c - '0');
    if (value > 255) return false;
  }
  return digits > 0 && dots == 3;
}

// A colon-separated list of IPv6-hex groups, possibly empty; when `allow_ipv4_last` the last
// element may be an IPv4 dotted quad. Counts hex groups in *groups and sets *ipv4.
bool parse_ipv6_groups(std::string_view s, bool allow_ipv4_last, int* groups, bool* ipv4) {
  *groups = 0;
  *ipv4 = false;
  if (s.empty()) return true;
  while (true) {
    const std::size_t colon = s.find(':');
    const std::string_view part = s.substr(0, colon);
    if (colon == std::string_view::npos && allow_ipv4_last &&
        part.find('.') != std::string_view::npos) {
      if (!is_ipv4_literal(part)) return false;
      *ipv4 = true;
      return true;
    }
    if (part.empty() || part.size() > 4) return false;
    for (char c : part) {
      if (!is_hex(c)) return false;
    }
    ++*groups;
    if (colon == std::string_view::npos) return true;
    s.remove_prefix(colon + 1);
  }
}

// IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp (RFC 5321 4.1.3). "::" stands
// for at least two zero groups, so at most 6 (or 4 before an IPv4 part) groups may surround it.
bool is_ipv6_addr(std::string_view s) {
  const std::size_t dc = s.find("::");
  int groups = 0;
  bool ipv4 = false;
  if (dc == std::string_view::npos) {
    if (!parse_ipv6_groups(s, true, &groups, &ipv4)) return false;
    return ipv4 ? groups == 6 : groups == 8;
  }
  int left = 0;
  bool left_v4 = false;
  if (!parse_ipv6_groups(s.substr(0, dc), false, &left, &left_v4)) return false;
  const std::string_view rest = s.substr(dc + 2);
  if (!parse_ipv6_groups(rest, true, &groups, &ipv4)) return false;  // rejects a second "::"
  return ipv4 ? left + groups <= 4 : left + groups <= 6;
}

// Checks the text between '[' and ']' of an address literal; empty result means valid.
std::string check_address_literal_body(std::string_view body) {
  if (body.empty()) return "empty address literal []";
  if (is_digit(body[0]) && body.find(':') == std::string_view::npos) {
    if (is_ipv4_literal(body)) return {};
    return "invalid IPv4 address literal [" + std::string(body) +
           "]: expected four numbers 0-255 separated by dots";
  }
  const std::size_t colon = body.find(':');
  if (colon == std::string_view::npos) {
    return "invalid address literal [" + std::string(body) +
           "]: expected an IPv4 address or IPv6:address";
  }
  const std::string_view tag = body.substr(0, colon);
  if (ascii_iequal(tag, "IPv6")) {
    if (is_ipv6_addr(body.substr(colon + 1))) return {};
    return "invalid IPv6 address literal [" + std::string(body) + "]";
  }
  // General-address-literal: the tag must be registered with IANA, and only IPv6 is.
  return "unknown address literal tag '" + std::string(tag) +
         "': only IPv4 and IPv6: literals are defined (RFC 5321 4.1.3)";
}

// The scanners below work on a string_view with an index and record the first error.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : m_s(s) {}

  std::size_t pos() const { return m_pos; }
  bool at_end() const { return m_pos >= m_s.size(); }
  char peek() const { return at_end() ? '\0' : m_s[m_pos]; }
  bool failed() const { return m_error != PathError::kNone; }
  PathError error() const { return m_error; }
  std::string& message() { return m_message; }
  std::size_t max_label() const { return m_max_label; }
  std::string_view longest_label() const { return m_longest_label; }

  bool fail(std::string message, PathError e = PathError::kSyntax) {
    if (!failed()) {
      m_error = e;
      m_message = std::move(message);
    }
    return false;
  }

  bool eat(char c) {
    if (peek() == c && !at_end()) {
      ++m_pos;
      return true;
    }
    return false;
  }

  // Local-part = Dot-string / Quoted-string
  bool local_part() {
    if (at_end()) return fail("empty local part (nothing before '@')");
    if (peek() == '"') return quoted_string();
    return dot_string();
  }

  // Dot-string = Atom *("." Atom)
  bool dot_string() {
    const std::size_t begin = m_pos;
    while (true) {
      const std::size_t start = m_pos;
      m_pos = skip(start, is_atext);
      if (m_pos == start) {
        if (start == begin && (at_end() || peek() == '@' || peek() == '>')) {
          return fail("empty local part (nothing before '@')");
        }
        if (peek() == '.' || start > begin) {
          return fail(
              "a '.' at the start or end of the local part, or two dots in a row, is only "
              "allowed inside a quoted string");
        }
        return fail(non_ascii_or(peek(), "the local part"));
      }
      if (!eat('.')) return true;
    }
  }

  // Quoted-string = DQUOTE *QcontentSMTP DQUOTE
  bool quoted_string() {
    ++m_pos;  // opening quote
    while (!at_end()) {
      const char c = m_s[m_pos];
      if (c == '"') {
        ++m_pos;
        return true;
      }
      if (c == '\\') {
        // quoted-pairSMTP = %d92 %d32-126
        if (m_pos + 1 >= m_s.size()) break;
        const char q = m_s[m_pos + 1];
        if (q < 32 || q > 126) return fail(non_ascii_or(q, "a quoted pair of the local part"));
        m_pos += 2;
        continue;
      }
      // qtextSMTP = %d32-33 / %d35-91 / %d93-126
      if (c < 32 || c > 126) return fail(non_ascii_or(c, "the quoted local part"));
      ++m_pos;
    }
    return fail("unterminated quoted string in the local part (missing closing '\"')");
  }

  // Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str]
  // (The position kept in a local from label to label, m_pos set on the way out.)
  bool domain(std::string_view what) {
    const char* const s = m_s.data();
    const std::size_t n = m_s.size();
    std::size_t pos = m_pos;
    while (true) {
      const std::size_t start = pos;
      pos = skip(start, is_ldh);
      m_pos = pos;
      if (pos == start) {
        if (at_end() || peek() == '>' || peek() == ',' || peek() == ':') {
          if (start > 0 && s[start - 1] == '.') {
            return fail(std::string(what) + " ends with '.'");
          }
          return fail("missing " + std::string(what));
        }
        if (peek() == '.')
          return fail(std::string(what) + " has an empty label ('..' or a leading '.')");
        return fail(non_ascii_or(peek(), what));
      }
      const std::string_view label(s + start, pos - start);
      if (s[start] == '-' || s[pos - 1] == '-') {
        return fail("label '" + std::string(label) + "' of the " + std::string(what) +
                    " must start and end with a letter or digit");
      }
      if (label.size() > m_max_label) {
        m_max_label = label.size();
        m_longest_label = label;
      }
      if (pos == n || s[pos] != '.') return true;
      ++pos;
    }
  }

  // address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
  //                         General-address-literal ) "]"
  bool address_literal() {
    ++m_pos;  // '['
    const std::size_t start = m_pos;
    while (!at_end() && m_s[m_pos] != ']') {
      const char c = m_s[m_pos];
      // dcontent = %d33-90 / %d94-126
      if (c < 33 || c > 126 || c == '[' || c == '\\') {
        return fail(non_ascii_or(c, "the address literal"));
      }
      ++m_pos;
    }
    if (at_end()) return fail("unterminated address literal (missing ']')");
    std::string problem = check_address_literal_body(m_s.substr(start, m_pos - start));
    if (!problem.empty()) return fail(std::move(problem));
    ++m_pos;  // ']'
    return true;
  }

  // Mailbox = Local-part "@" ( Domain / address-literal ); fills the two spans.
  bool mailbox(std::string_view* local, std::string_view* dom) {
    const std::size_t local_start = m_pos;
    if (!local_part()) return false;
    *local = m_s.substr(local_start, m_pos - local_start);
    if (!eat('@')) {
      if (at_end() || peek() == '>') {
        return fail("missing '@domain' after the local part '" + std::string(*local) + "'");
      }
      return fail(non_ascii_or(peek(), "the local part"));
    }
    const std::size_t domain_start = m_pos;
    if (peek() == '[') {
      if (!address_literal()) return false;
    } else if (!domain("domain")) {
      return false;
    }
    *dom = m_s.substr(domain_start, m_pos - domain_start);
    return true;
  }

  // A-d-l = At-domain *( "," At-domain ); At-domain = "@" Domain
  bool source_route() {
    while (true) {
      if (!eat('@')) return fail("source route: expected '@' before each domain");
      if (!domain("source route domain")) return false;
      if (eat(':')) return true;
      if (!eat(',')) {
        if (at_end() || peek() == '>') {
          return fail(
              "source route must end with ':' and the mailbox, e.g. "
              "<@relay.example:user@example.org>");
        }
        return fail("source route: expected ',' or ':' but found " + describe_char(peek()));
      }
    }
  }

  // Size limits of RFC 5321 4.5.3.1, checked once the syntax is known to be right.
  bool check_sizes(std::string_view local, std::string_view dom) {
    if (local.size() > kMaxLocalPartOctets) {
      return fail("local part is " + std::to_string(local.size()) +
                      " octets long; at most 64 are allowed (RFC 5321 4.5.3.1.1)",
                  PathError::kLocalPartTooLong);
    }
    if (dom.size() > kMaxDomainOctets) {
      return fail("domain is " + std::to_string(dom.size()) +
                      " octets long; at most 255 are allowed (RFC 5321 4.5.3.1.2)",
                  PathError::kDomainTooLong);
    }
    if (m_max_label > kMaxLabelOctets) {
      return fail("domain label '" + std::string(m_longest_label.substr(0, 16)) + "...' is " +
                      std::to_string(m_max_label) +
                      " octets long; DNS allows at most 63 (RFC 1035 2.3.4)",
                  PathError::kDomainTooLong);
    }
    return true;
  }

 private:
  // The position of the first octet from `i` on that `in_class` refuses (or the end), in
  // locals rather than m_pos on every octet.
  template <class Class>
  std::size_t skip(std::size_t i, Class in_class) const {
    const char* const s = m_s.data();
    const std::size_t n = m_s.size();
    while (i < n && in_class(s[i])) ++i;
    return i;
  }

  std::string_view m_s;
  std::size_t m_pos = 0;
  PathError m_error = PathError::kNone;
  std::string m_message;
  std::size_t m_max_label = 0;
  std::string_view m_longest_label;
};

}  // namespace

std::string Mailbox::str() const {
  std::string out;
  out.reserve(local_part.size() + 1 + domain.size());
  out += local_part;
  out += '@';
  out += domain;
  return out;
}

bool Mailbox::is_address_literal() const {
  return !domain.empty() && domain.front() == '[';
}

std::string Mailbox::domain_lower() const {
  std::string out(domain);
  ascii_lower_in_place(out.data(), out.size());
  return out;
}

namespace {

// The usual path, "<" Dot-string "@" Domain ">" within the size limits, in one pass without a
// Scanner: true with the two parts and the octets consumed when `text` starts with one. Else
// (a quoted local part, a source route, an address literal, a syntax error, a size over a
// limit) false, and the Scanner decides, with its words for what is wrong. What this accepts,
// parse_path() below accepts too, with the same parts.
bool parse_plain_path(std::string_view text, std::string_view* local, std::string_view* dom,
                      std::size_t* consumed) {
  const char* const s = text.data();
  const std::size_t n = text.size();
  if (n < 2 || s[0] != '<') return false;
  std::size_t i = 1;
  // Dot-string = Atom *("." Atom)
  while (true) {
    const std::size_t start = i;
    while (i < n && is_atext(s[i])) ++i;
    if (i == start) return false;
    if (i < n && s[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
  if (i >= n || s[i] != '@') return false;
  const std::size_t local_size = i - 1;
  const std::size_t dom_start = ++i;
  // Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str], at most 63 octets.
#if defined(__SSE2__)
  // The domain ends at the first octet that is neither Let-dig, "-" nor ".": found and checked
  // in the masks of up to 64 octets. (A longer domain, or one the masks do not reach the end
  // of, goes through the loop below.)
  {
    DomainMasks masks;
    const std::size_t rest = n - dom_start;  // (at least 0: dom_start <= n)
    for (std::size_t k = 0; k < kMaskedMax && k < rest; k += 16) {
      if (!add_block(load_up_to_16(s + dom_start + k, rest - k), k, &masks)) continue;
      // The first octet that ends the domain (a zero octet past the text ends it too: then
      // no ">" follows).
      const auto size = static_cast<std::size_t>(std::countr_zero(~masks.ldh_or_dot));
      if (size == 0 || !masked_labels_ok(masks, size)) return false;
      i = dom_start + size;
      goto domain_done;
    }
    if (rest < kMaskedMax) return false;  // the text ends inside the domain: no ">"
  }
#endif
  while (true) {
    const std::size_t start = i;
    while (i < n && is_ldh(s[i])) ++i;
    const std::size_t label = i - start;
    if (label == 0 || label > kMaxLabelOctets || s[start] == '-' || s[i - 1] == '-') return false;
    if (i < n && s[i] == '.') {
      ++i;
      continue;
    }
    break;
  }
#if defined(__SSE2__)
domain_done:
#endif
  if (i >= n || s[i] != '>') return false;
  const std::size_t dom_size = i - dom_start;
  if (local_size > kMaxLocalPartOctets || dom_size > kMaxDomainOctets || i + 1 > kMaxPathOctets)
    return false;
  *local = std::string_view(s + 1, local_size);
  *dom = std::string_view(s + dom_start, dom_size);
  *consumed = i + 1;
  return true;
}

}  // namespace

bool parse_plain_path(std::string_view text, Mailbox* out, std::size_t* consumed) {
  std::string_view local;
  std::string_view dom;
  if (!parse_plain_path(text, &local, &dom, consumed)) return false;
  // Appended to the emptied strings: the same as assign() for text that is not theirs (it is a
  // command line), without assign()'s handling of overlapping text, its dearest part here.
  out->local_part.clear();
  out->local_part.append(local);
  out->domain.clear();
  out->domain.append(dom);
  return true;
}

PathParse parse_path(std::string_view text, bool allow_null) {
  PathParse result;
  {
    std::string_view local;
    std::string_view dom;
    if (parse_plain_path(text, &local, &dom, &result.consumed)) {
      result.mailbox.emplace(Mailbox{std::string(local), std::string(dom)});
      return result;
    }
  }
  Scanner sc(text);
  auto fail = [&](PathError e, std::string message) {
    result.error = e;
    result.message = std::move(message);
    return result;
  };
  if (!sc.eat('<')) {
    if (sc.at_end()) return fail(PathError::kSyntax, "missing path: expected <mailbox>");
    return fail(PathError::kSyntax,
                "a path must be written in angle brackets, e.g. <user@example.org>");
  }
  if (sc.eat('>')) {
    if (!allow_null) {
      return fail(PathError::kSyntax,
                  "the null path <> is only allowed as a reverse-path (MAIL FROM)");
    }
    result.null_path = true;
    result.consumed = 2;
    return result;
  }
  // Source route: accepted and ignored (RFC 5321 4.1.2 and Appendix C).
  if (sc.peek() == '@' && !sc.source_route()) return fail(sc.error(), std::move(sc.message()));
  std::string_view local;
  std::string_view dom;
  if (!sc.mailbox(&local, &dom)) return fail(sc.error(), std::move(sc.message()));
  if (!sc.eat('>')) {
    if (sc.at_end()) return fail(PathError::kSyntax, "missing '>' at the end of the path");
    if (dom.front() == '[') {
      return fail(PathError::kSyntax,
                  "expected '>' after the address literal but found " + describe_char(sc.peek()));
    }
    return fail(PathError::kSyntax, non_ascii_or(sc.peek(), "the domain"));
  }
  if (!sc.check_sizes(local, dom)) return fail(sc.error(), std::move(sc.message()));
  if (sc.pos() > kMaxPathOctets) {
    return fail(PathError::kPathTooLong,
                "path is " + std::to_string(sc.pos()) +
                    " octets long including '<' and '>'; at most 256 are allowed "
                    "(RFC 5321 4.5.3.1.3)");
  }
  result.mailbox.emplace(Mailbox{std::string(local), std::string(dom)});
  result.consumed = sc.pos();
  return result;
}

std::optional<Mailbox> parse_mailbox(std::string_view text, std::string* error) {
  Scanner sc(text);
  std::string_view local;
  std::string_view dom;
  bool ok = sc.mailbox(&local, &dom);
  if (ok && !sc.at_end()) {
    ok = sc.fail(dom.front() == '['
                     ? "unexpected " + describe_char(sc.peek()) + " after the address literal"
                     : non_ascii_or(sc.peek(), "the domain"));
  }
  if (ok) ok = sc.check_sizes(local, dom);
  if (ok && text.size() + 2 > kMaxPathOctets) {
    ok = sc.fail("mailbox is " + std::to_string(text.size()) +
                     " octets long; with '<' and '>' it must fit in a path of 256 octets "
                     "(RFC 5321 4.5.3.1.3)",
                 PathError::kPathTooLong);
  }
  if (!ok) {
    if (error != nullptr) *error = std::move(sc.message());
    return std::nullopt;
  }
  return Mailbox{std::string(local), std::string(dom)};
}

bool is_valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > kMaxDomainOctets) return false;
  if (domain.front() == '[') {
    // The usual IPv4 literal without a Scanner (what check_address_literal_body() decides for
    // it: such a body holds only digits and dots, so no other ']' and nothing to refuse).
    const std::string_view body = domain.substr(1, domain.size() - 1 - (domain.back() == ']'));
    if (domain.back() == ']' && !body.empty() && is_digit(body[0]) &&
        body.find(':') == std::string_view::npos) {
      return is_ipv4_literal(body);
    }
    Scanner sc(domain);
    return sc.address_literal() && sc.at_end();
  }
  // Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str], at most 63 octets
  // (what Scanner::domain accepts, without the words it keeps for an error).
  const std::size_t n = domain.size();
#if defined(__SSE2__)
  if (n < kMaskedMax) {
    DomainMasks masks;
    for (std::size_t k = 0; k < n; k += 16) {
      add_block(load_up_to_16(domain.data() + k, n - k), k, &masks);
    }
    const std::uint64_t all = (std::uint64_t{1} << n) - 1;
    return (masks.ldh_or_dot & all) == all && masked_labels_ok(masks, n);
  }
#endif
  for (std::size_t i = 0;;) {
    const std::size_t start = i;
    while (i < n && is_ldh(domain[i])) ++i;
    const std::size_t label = i - start;
    if (label == 0 || label > kMaxLabelOctets || domain[start] == '-' || domain[i - 1] == '-')
      return false;
    if (i == n) return true;
    if (domain[i] != '.') return false;
    ++i;
  }
}

std::string format_path(const std::optional<Mailbox>& mailbox) {
  if (!mailbox) return "<>";
  std::string out;
  out.reserve(mailbox->local_part.size() + mailbox->domain.size() + 3);
  out += '<';
  out += mailbox->local_part;
  out += '@';
  out += mailbox->domain;
  out += '>';
  return out;
}

std::size_t match_bare_postmaster(std::string_view text) {
  constexpr std::string_view kPostmaster = "<postmaster>";
  // (The closing ">" first: it rejects the usual "<local@domain>" at one octet.)
  if (text.size() < kPostmaster.size() || text[kPostmaster.size() - 1] != '>') return 0;
  return ascii_iequal(text.substr(0, kPostmaster.size()), kPostmaster) ? kPostmaster.size() : 0;
}

}  // namespace mailhop::mail
