#include "sim/proto/smtp_client.h"

#include <array>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <span>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MAILHOP_AVX2_DISPATCH 1
#endif

#include "sim/mail/address.h"
#include "sim/mail/ascii.h"
#include "sim/mail/base64.h"

namespace mailhop::proto {

namespace ev = smtp_client_event;

namespace {

using mail::ascii_lower;
using mail::ascii_upper;
using mail::has_8bit;

// RFC 5321 4.5.3.1.5 limits a reply line to 512 octets, but 4.5.3.1 asks implementations to
// avoid limits where they can: the engine accepts much longer lines and only stops a server
// that sends an endless one.
constexpr std::size_t kMaxReplyLineOctets = 16384;
// RFC 5321 4.5.3.1.4: a command line, CRLF included (RFC 4954 section 4 applies it to AUTH).
constexpr std::size_t kMaxCommandLineOctets = 512;
// Added when the session ends between the final "." and its reply.
constexpr std::string_view kMayDuplicate =
    "; the server may have the message already, so a retry may deliver it twice (RFC 1047)";

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::vector<std::string> split_spaces(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// "5 minutes", "1 minute", "30 seconds", "250 ms".
std::string describe_duration(Micros d) {
  const auto us = d.count();
  auto plural = [](long long n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  if (us > 0 && us % 60'000'000 == 0) return plural(us / 60'000'000, "minute");
  if (us > 0 && us % 1'000'000 == 0) return plural(us / 1'000'000, "second");
  if (us % 1000 == 0) return std::to_string(us / 1000) + " ms";
  return std::to_string(us) + " us";
}

char status_class_digit(DeliveryStatus s) {
  switch (s) {
    case DeliveryStatus::kDelivered:
      return '2';
    case DeliveryStatus::kDeferred:
      return '4';
    case DeliveryStatus::kFailed:
      return '5';
  }
  return '4';
}

// The index of the first CR or LF in s[from...], or s.size(): 16 octets a step where SSE2 is
// there (a reply line is usually a few dozen octets, read once).
std::size_t find_cr_or_lf(std::string_view s, std::size_t from) {
  const char* const p = s.data();
  const std::size_t n = s.size();
  std::size_t i = from;
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  const auto mask_at = [&](std::size_t at) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
    return static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(a, cr), _mm_cmpeq_epi8(a, lf))));
  };
  if (n >= 16) {
    for (; i + 16 <= n; i += 16) {
      const unsigned m = mask_at(i);
      if (m != 0) return i + static_cast<std::size_t>(__builtin_ctz(m));
    }
    if (i == n) return n;
    // The last 16 octets, those before i masked off: no octet-by-octet tail.
    const std::size_t last = n - 16;
    const unsigned m = mask_at(last) & (0xFFFFu << (i - last));
    return m != 0 ? last + static_cast<std::size_t>(__builtin_ctz(m)) : n;
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == '\r' || p[i] == '\n') return i;
  }
  return n;
}

struct Capabilities;

// A complete reply as the engine reads it: views of the received octets, valid while the
// reply is handled. An SmtpReply (strings of its own) is made only where one is kept: in a
// recipient's outcome or a ReplyReceived event.

struct Reply {
  int code = 0;
  std::string_view enhanced;
  std::span<const std::string_view> lines;
  // Where what these lines say as an EHLO reply is kept for the next reply with the same lines
  // after the first (null until worked out once); null for a one-line reply.
  std::shared_ptr<const Capabilities>* known_caps = nullptr;

  int reply_class() const { return code / 100; }
  SmtpReply to_reply() const {
    SmtpReply r;
    r.code = code;
    r.enhanced.assign(enhanced);
    r.lines.reserve(lines.size());
    for (const std::string_view line : lines) r.lines.emplace_back(line);
    return r;
  }
};

// The outcome a reply gives a recipient by its first digit (RFC 5321 4.2.1).
DeliveryStatus status_from_reply(const Reply& reply) {
  if (reply.reply_class() == 2) return DeliveryStatus::kDelivered;
  if (reply.reply_class() == 5) return DeliveryStatus::kFailed;
  return DeliveryStatus::kDeferred;
}

// RFC 3463 status for a DSN: the reply's enhanced code when it has one, else "c.0.0"; the
// class follows the decision (a 5xx that only defers reports 4.x.x).
// Written into `code` (an outcome's, whose buffer serves).
void assign_status_code(std::string& code, const Reply& reply, DeliveryStatus status) {
  code.assign(reply.enhanced.empty() ? std::string_view("0.0.0") : reply.enhanced);
  code[0] = status_class_digit(status);
}

// Copies n octets, for the short pieces of command lines: a few moves, where memcpy would be a
// call (its length is not known here).
[[gnu::always_inline]] inline void copy_short(char* d, const char* s, std::size_t n) {
  if (n >= 8) {
    if (n > 16) {
      std::memcpy(d, s, n);
      return;
    }
    // Two 8-octet moves that overlap when n < 16.
    std::uint64_t a, b;
    std::memcpy(&a, s, 8);
    std::memcpy(&b, s + n - 8, 8);
    std::memcpy(d, &a, 8);
    std::memcpy(d + n - 8, &b, 8);
  } else if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + n - 4, 4);
    std::memcpy(d, &a, 4);
    std::memcpy(d + n - 4, &b, 4);
  } else if (n > 0) {
    d[0] = s[0];
    d[n / 2] = s[n / 2];
    d[n - 1] = s[n - 1];
  }
}

// A command line of a fixed shape appended with one growth: a literal piece is copied with its
// length known when compiled (a move or two), a string_view with copy_short.
template <std::size_t N>
constexpr std::size_t piece_size(const char (&)[N]) {
  return N - 1;
}
inline std::size_t piece_size(std::string_view piece) {
  return piece.size();
}
template <std::size_t N>
[[gnu::always_inline]] inline char* put_piece(char* d, const char (&piece)[N]) {
  std::memcpy(d, piece, N - 1);
  return d + (N - 1);
}
[[gnu::always_inline]] inline char* put_piece(char* d, std::string_view piece) {
  copy_short(d, piece.data(), piece.size());
  return d + piece.size();
}
template <class... Pieces>
void append_pieces(std::string& out, const Pieces&... pieces) {
  const std::size_t at = out.size();
  out.resize(at + (piece_size(pieces) + ...));
  char* d = out.data() + at;
  ((d = put_piece(d, pieces)), ...);
}

// The pieces of a command line, appended to a string with one growth: each += would be a call
// of its own (and a literal's another for its length).
class LineParts {
 public:
  // (User-provided, so that LineParts() does not zero the arrays: only pieces given are read.)
  LineParts() {}

  LineParts& operator<<(std::string_view piece) {
    assert(m_count < kMaxParts);
    m_data[m_count] = piece.data();
    m_sizes[m_count++] = piece.size();
    m_size += piece.size();
    return *this;
  }
  // mail::format_path: "<local@domain>", or "<>" for the null path.
  LineParts& path(const mail::Mailbox* mailbox) {
    if (mailbox == nullptr) return *this << "<>";
    return *this << "<" << mailbox->local_part << "@" << mailbox->domain << ">";
  }
  void append_to(std::string& out) const {
    const std::size_t at = out.size();
    out.resize(at + m_size);
    char* d = out.data() + at;
    for (std::size_t i = 0; i < m_count; ++i) {
      copy_short(d, m_data[i], m_sizes[i]);
      d += m_sizes[i];
    }
  }

 private:
  static constexpr std::size_t kMaxParts = 16;  // (the longest line, MAIL, has 14)
  const char* m_data[kMaxParts];
  std::size_t m_sizes[kMaxParts];
  std::size_t m_count = 0;
  std::size_t m_size = 0;
};

enum class Cmd {
  kGreeting,
  kEhlo,
  kHelo,
  kStartTls,
  kAuthPlain,       // AUTH PLAIN with the initial response: 235 expected
  kAuthPlainStart,  // AUTH PLAIN without it (too long for one line): 334 expected
  kAuthLoginStart,  // AUTH LOGIN: 334 (user name prompt) expected
  kAuthLoginUser,   // the user name was sent: 334 (password prompt) expected
  kAuthFinal,       // the last SASL response was sent: 235 expected
  kRset,
  kMail,
  kRcpt,
  kData,
  kDataEnd,         // the message and "." were sent
  kDataEndDiscard,  // only "." was sent (DATA got 354 although no recipient was accepted)
  kQuit,
};

// What "in reply to ..." says in a recipient's diagnostic.
std::string_view command_name(Cmd cmd) {
  switch (cmd) {
    case Cmd::kGreeting:
      return "greeting";
    case Cmd::kEhlo:
      return "EHLO";
    case Cmd::kHelo:
      return "HELO";
    case Cmd::kStartTls:
      return "STARTTLS";
    case Cmd::kAuthPlain:
    case Cmd::kAuthPlainStart:
    case Cmd::kAuthLoginStart:
    case Cmd::kAuthLoginUser:
    case Cmd::kAuthFinal:
      return "AUTH";
    case Cmd::kRset:
      return "RSET";
    case Cmd::kMail:
      return "MAIL FROM";
    case Cmd::kRcpt:
      return "RCPT TO";
    case Cmd::kData:
      return "DATA";
    case Cmd::kDataEnd:
    case Cmd::kDataEndDiscard:
      return "end of DATA";
    case Cmd::kQuit:
      return "QUIT";
  }
  return "command";
}

}  // namespace

std::string smtp_canonical_content(std::string_view content) {
  // Every line already ends with CR LF and no other CR or LF occurs: nothing to change.
  if (mail::text_shape(content).crlf) return std::string(content);
  std::string out;
  out.reserve(content.size() + 2);
  // Copies runs without CR or LF whole; only the line ends are looked at one by one.
  const char* p = content.data();
  const char* const end = p + content.size();
  while (p < end) {
    const char* q = p;
    while (q < end && *q != '\r' && *q != '\n') ++q;
    out.append(p, q);
    if (q == end) break;
    out += "\r\n";
    // CR LF stays one line end; a bare CR or a bare LF becomes one.
    p = (*q == '\r' && q + 1 < end && q[1] == '\n') ? q + 2 : q + 1;
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

namespace {
#if defined(MAILHOP_AVX2_DISPATCH)
// find_lf_dot with AVX2, 128 octets a step while 129 remain, then 64 while 65 remain: the index
// found, or npos with `*at` where the rest is to be looked at.
__attribute__((target("avx2"))) std::size_t find_lf_dot_avx2(const char* p, std::size_t n,
                                                             std::size_t* at) {
  std::size_t i = *at;
  const __m256i lf = _mm256_set1_epi8('\n');
  const __m256i dot = _mm256_set1_epi8('.');
  // Bit k of the mask: p[at + k] is a LF and p[at + k + 1] a "." (p[at + 32] must exist). (Macros:
  // a lambda would not have the function's target.)
#define MAILHOP_LF_DOT_MASK256(at)                                                           \
  _mm256_and_si256(                                                                          \
      _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + (at))), lf), \
      _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + (at) + 1)), dot))
#define MAILHOP_FIRST_IN(at, m) \
  ((at) + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(_mm256_movemask_epi8(m)))))
  // (Bounds as `i < end` with the end worked out once: fewer instructions a step.)
  if (n >= 129) {
    for (const std::size_t end = n - 128; i < end; i += 128) {
      const __m256i m0 = MAILHOP_LF_DOT_MASK256(i);
      const __m256i m1 = MAILHOP_LF_DOT_MASK256(i + 32);
      const __m256i m2 = MAILHOP_LF_DOT_MASK256(i + 64);
      const __m256i m3 = MAILHOP_LF_DOT_MASK256(i + 96);
      const __m256i any = _mm256_or_si256(_mm256_or_si256(m0, m1), _mm256_or_si256(m2, m3));
      if (!_mm256_testz_si256(any, any)) {
        if (!_mm256_testz_si256(m0, m0)) return MAILHOP_FIRST_IN(i, m0);
        if (!_mm256_testz_si256(m1, m1)) return MAILHOP_FIRST_IN(i + 32, m1);
        if (!_mm256_testz_si256(m2, m2)) return MAILHOP_FIRST_IN(i + 64, m2);
        return MAILHOP_FIRST_IN(i + 96, m3);
      }
    }
  }
  if (i + 65 <= n) {
    const __m256i m0 = MAILHOP_LF_DOT_MASK256(i);
    const __m256i m1 = MAILHOP_LF_DOT_MASK256(i + 32);
    if (!_mm256_testz_si256(m0, m0)) return MAILHOP_FIRST_IN(i, m0);
    if (!_mm256_testz_si256(m1, m1)) return MAILHOP_FIRST_IN(i + 32, m1);
    i += 64;
  }
#undef MAILHOP_FIRST_IN
#undef MAILHOP_LF_DOT_MASK256
  *at = i;
  return std::string_view::npos;
}

bool have_avx2() {
  static const bool kHave = __builtin_cpu_supports("avx2");
  return kHave;
}
#endif

// The index of the next LF at or after `from` that a "." follows, or npos. Messages have
// about as many dots as line ends, so looking at each line start (memchr per line) costs more
// than looking for the pair: 64 octets a step with AVX2, 32 with SSE2 (every x86-64).
std::size_t find_lf_dot(std::string_view s, std::size_t from) {
  const char* const p = s.data();
  const std::size_t n = s.size();
  std::size_t i = from;
#if defined(MAILHOP_AVX2_DISPATCH)
  if (n >= 65 && have_avx2()) {
    const std::size_t found = find_lf_dot_avx2(p, n, &i);
    if (found != std::string_view::npos) return found;
  }
#endif
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i dot = _mm_set1_epi8('.');
  // Bit k of the mask: p[at + k] is a LF and p[at + k + 1] a "." (p[at + 16] must exist).
#define MAILHOP_LF_DOT_MASK(at)                                                        \
  static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(                               \
      _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + (at))), lf), \
      _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + (at) + 1)), dot))))
  for (; i + 33 <= n; i += 32) {
    const unsigned m = MAILHOP_LF_DOT_MASK(i) | (MAILHOP_LF_DOT_MASK(i + 16) << 16);
    if (m != 0) return i + static_cast<std::size_t>(__builtin_ctz(m));
  }
  if (i + 17 <= n) {
    const unsigned m = MAILHOP_LF_DOT_MASK(i);
    if (m != 0) return i + static_cast<std::size_t>(__builtin_ctz(m));
    i += 16;
  }
#undef MAILHOP_LF_DOT_MASK
#endif
  for (; i + 1 < n; ++i) {
    if (p[i] == '\n' && p[i + 1] == '.') return i;
  }
  return std::string_view::npos;
}

void append_dot_stuffed(std::string& out, std::string_view canonical) {
  out.reserve(out.size() + canonical.size() + canonical.size() / 64 + 3);
  // A line starts at the beginning and after every CR LF; only there can a dot need doubling.
  std::size_t copied = 0;
  if (!canonical.empty() && canonical.front() == '.') out += '.';
  for (std::size_t lf = find_lf_dot(canonical, 0); lf != std::string_view::npos;
       lf = find_lf_dot(canonical, lf + 1)) {
    if (lf > 0 && canonical[lf - 1] == '\r') {  // a "." after a line end: doubled
      out.append(canonical.data() + copied, lf + 1 - copied);
      out += '.';
      copied = lf + 1;
    }
  }
  out.append(canonical.data() + copied, canonical.size() - copied);
  out.append(".\r\n", 3);
}
}  // namespace

std::string smtp_dot_stuff(std::string_view canonical) {
  std::string out;
  append_dot_stuffed(out, canonical);
  return out;
}

namespace {
// The extensions the engine acts on, as bits of Capabilities::known.
enum Known : unsigned {
  kStartTlsExt = 1u << 0,
  kPipeliningExt = 1u << 1,
  kEnhancedCodesExt = 1u << 2,
  k8BitMimeExt = 1u << 3,
  kDsnExt = 1u << 4,
  kSizeExt = 1u << 5,
  kAuthExt = 1u << 6,
  kAuthPlain = 1u << 7,  // AUTH offers PLAIN
  kAuthLogin = 1u << 8,  // AUTH offers LOGIN
};

// What a server's EHLO reply said about itself.
struct Capabilities {
  std::vector<std::string> keywords;
  std::vector<SmtpExtension> capabilities;
  // Looked up once when parsed (the session asks for these at every step): Known bits, and
  // SIZE's fixed limit (RFC 1870: "SIZE n" with n > 0; "SIZE 0" or a bare "SIZE" declares none).
  unsigned known = 0;
  std::optional<std::size_t> size_limit;
};

// What a server that said nothing about itself offers (constant-initialized: no guard to test).
constinit const Capabilities kNoCapabilities{};
}  // namespace

struct SmtpClient::Impl {
  struct Pending {
    Cmd cmd = Cmd::kGreeting;
    std::size_t txn = 0;
    std::size_t rcpt = 0;
    // What is awaited, for diagnostics ("the reply to RCPT TO:<bob@example.org>"): a constant
    // text, or (null) "the reply to " and the command line built again (EHLO, HELO, RCPT),
    // so that sending a command costs no description.
    const char* fixed = nullptr;
  };

  // The commands whose replies are awaited, in order: a vector read from `head`, emptied
  // whenever everything was answered (so its buffer serves the whole session).
  struct PendingQueue {
    // items[head, count) are awaited; the vector's elements are only room (its size never
    // shrinks), so that adding one is a store, not a call of vector::push_back.
    std::vector<Pending> items;
    std::size_t head = 0;
    std::size_t count = 0;

    bool empty() const { return head == count; }
    const Pending& front() const { return items[head]; }
    void pop_front() {
      if (++head == count) clear();
    }
    // Inline: every command line ends here.
    [[gnu::always_inline]] void push_back(const Pending& p) {
      if (count == items.size()) [[unlikely]]
        grow();
      items[count++] = p;
    }
    [[gnu::noinline]] void grow() { items.resize(items.size() < 4 ? 8 : 2 * items.size()); }
    void clear() {
      head = 0;
      count = 0;
    }
  };

  // What the session knows of each transaction: one vector of these (and one of flags per
  // recipient), not a vector per field.
  struct TxnState {
    // (User-provided, so that emplace_back() does not zero the object before initializing it.)
    TxnState() {}

    bool done = false;         // TransactionDone was emitted
    bool mail_failed = false;  // MAIL FROM got 4xx/5xx: the recipients have its reply
    bool eight_bit = false;    // has_8bit(canonical)
    std::size_t accepted_count = 0;
    // smtp_canonical_content(content) when that differs from the content (a message from a
    // queue is usually canonical already, and is then not copied).
    std::optional<std::string> canonical_copy;
    // Per recipient: kDecided, and kAccepted when RCPT got 2xx (decided by the end of DATA).
    // A string of flags, not a vector: no allocation for up to 15 recipients (its inline
    // buffer), which is most transactions.
    static constexpr char kDecided = 1;
    static constexpr char kAccepted = 2;
    std::string rcpt;

    std::size_t recipients() const { return rcpt.size(); }
    bool decided(std::size_t r) const { return (rcpt[r] & kDecided) != 0; }
    bool accepted(std::size_t r) const { return (rcpt[r] & kAccepted) != 0; }
  };

  enum class Phase { kIdle, kActive, kTlsHandshake, kFinished };

  SmtpClientOptions opt;
  std::vector<SmtpTransaction> txns;
  std::vector<TransactionOutcome> outcomes;
  std::vector<TxnState> state;

  Phase phase = Phase::kIdle;
  PendingQueue pending;  // commands sent whose replies are awaited, in order
  Micros now{0};
  Micros wait_since{0};  // when the head of `pending` started waiting

  // Input. Replies are read where they arrived (the bytes given to receive, usually whole
  // replies) and handled as views; only an unfinished reply is kept, in `in`, from its first
  // line on, until the rest arrives.
  std::string in;
  std::size_t parsed = 0;   // octets of `in` read as complete lines of the unfinished reply
  std::size_t scanned = 0;  // octets of `in` already checked for line ends
  // The reply being read (SmtpReplyParser's rules): where its pieces are in the input.
  struct Span {
    std::size_t at = 0;
    std::size_t size = 0;
  };
  int reply_code = 0;
  bool reply_started = false;
  Span reply_enhanced;
  // Each line's text, as views of the input they were read from; when an unfinished reply is
  // kept in `in`, they are moved with it (rebase_lines). The last complete reply's lines stay
  // here while it is handled, until the next reply's first line.
  std::vector<std::string_view> reply_lines;
  std::size_t tail_at = 0;  // where the second line of the reply being read starts in the input

  // The lines after the first of multi-line replies read before, as received. A server answers
  // EHLO with the same extension lines every time (only the first line names the client), so
  // when they come again they need not be split and checked line by line: equal octets read
  // with the same first line's code and ENHANCEDSTATUSCODES setting are the same lines, and
  // they say the same capabilities. Shared by the sessions of a thread, a few at a time.
  struct KnownTail {
    int code = 0;
    bool enhanced = false;
    std::string octets;  // from the second line to the last line's CRLF
    // The reply's lines as handle_line reads them: [0] the first line's text, set for each
    // reply read with this tail, then each further line's text within `octets` (equal to the
    // received one). A reply read with the tail is handled with these views, valid while it is
    // handled: no entry changes then (and entries never move, see remember_tail).
    std::vector<std::string_view> lines;
    std::shared_ptr<const Capabilities> caps;  // what they say in an EHLO reply, once asked
  };
  struct KnownTails {
    static constexpr std::size_t kEntries = 8;
    std::vector<KnownTail> entries;
    std::size_t next_slot = 0;
  };
  static KnownTails& known_tails() {
    thread_local KnownTails tails;
    return tails;
  }
  static KnownTail* find_tail(KnownTails& tails, int code, bool enhanced, std::string_view rest) {
    for (KnownTail& t : tails.entries) {
      if (t.code == code && t.enhanced == enhanced && t.octets.size() <= rest.size() &&
          std::memcmp(t.octets.data(), rest.data(), t.octets.size()) == 0) {
        return &t;
      }
    }
    return nullptr;
  }

  std::string out;
  std::vector<SmtpClientEvent> events;

  // What the server said about itself; forgotten after STARTTLS (RFC 3207 section 4.2).
  bool esmtp = false;
  // (Null when the server offered nothing: kNoCapabilities, with no reference to count.)
  std::shared_ptr<const Capabilities> caps;
  const Capabilities& capabilities() const { return caps ? *caps : kNoCapabilities; }
  bool enhanced_codes = false;

  bool tls = false;
  bool starttls_refused = false;  // opportunistic STARTTLS got 4xx/5xx: go on in plaintext
  bool authenticated = false;
  std::string_view auth_mechanism;  // "PLAIN" or "LOGIN" (literals)
  bool need_rset = false;  // MAIL FROM was accepted and the transaction was not completed
  bool pipelining = false;
  std::size_t current = 0;      // the transaction being sent
  std::optional<Cmd> handling;  // the command whose reply is being handled

  // Buffers that serve a whole session, passed on from an engine that ended to the next one of
  // the thread: a simulation runs sessions by the thousand, and each would allocate them anew.
  // Only their room is passed on, never their contents (they are cleared first).
  struct Buffers {
    std::vector<Pending> pending;
    std::vector<TxnState> state;
    std::vector<std::string_view> reply_lines;
    std::vector<SmtpClientEvent> events;
    std::vector<TransactionOutcome> outcomes;
    std::vector<RecipientOutcome> recipients;  // the first transaction's outcomes'
  };
  // Set when the thread's spares are destroyed (at thread or program exit): an engine that
  // outlives them keeps and frees its own buffers. (A trivially destructible flag, readable
  // to the end.)
  static bool& spare_buffers_gone() {
    thread_local bool gone = false;
    return gone;
  }
  struct SpareBuffers {
    static constexpr std::size_t kSlots = 8;
    static constexpr std::size_t kMaxRoom = 64;  // (larger buffers are freed, not kept)
    std::array<Buffers, kSlots> slots;           // [0, count) hold buffers, the rest are empty
    std::size_t count = 0;
    SpareBuffers() = default;
    SpareBuffers(const SpareBuffers&) = delete;
    SpareBuffers& operator=(const SpareBuffers&) = delete;
    ~SpareBuffers() { spare_buffers_gone() = true; }
  };
  // The thread's spares, or null once they are gone.
  static SpareBuffers* spare_buffers() {
    if (spare_buffers_gone()) return nullptr;
    thread_local SpareBuffers spares;
    return &spares;
  }
  void swap_buffers(Buffers& b) {
    pending.items.swap(b.pending);
    state.swap(b.state);
    reply_lines.swap(b.reply_lines);
    events.swap(b.events);
    outcomes.swap(b.outcomes);
  }

  // (By reference: the options are copied or moved once and the transactions moved once,
  // straight into place.)
  template <class Options>
  Impl(Options&& o, std::vector<SmtpTransaction>&& t)
      : opt(std::forward<Options>(o)), txns(std::move(t)) {
    tls = opt.tls == ClientTls::kImplicit;
    Buffers* spare = nullptr;
    if (SpareBuffers* spares = spare_buffers(); spares != nullptr && spares->count > 0) {
      spare = &spares->slots[--spares->count];
      swap_buffers(*spare);  // (the slot receives empty ones)
    }
    // (reserve and emplace_back: inline, where resize() calls its general growth; and reserve
    // only called when the buffers passed on lack the room.)
    if (outcomes.capacity() < txns.size()) outcomes.reserve(txns.size());
    if (state.capacity() < txns.size()) state.reserve(txns.size());
    for (std::size_t i = 0; i < txns.size(); ++i) {
      outcomes.emplace_back();
      state.emplace_back();
    }
    if (spare != nullptr && !outcomes.empty()) outcomes[0].recipients.swap(spare->recipients);
    for (std::size_t i = 0; i < txns.size(); ++i) {
      const mail::TextShape shape =
          txns[i].shape ? *txns[i].shape : mail::text_shape(txns[i].text());
      assert(!txns[i].shape || mail::text_shape(txns[i].text()) == shape);
      assert(!txns[i].borrowed_content || txns[i].content.empty());
      if (shape.crlf) {
        state[i].eight_bit = shape.eight_bit;
      } else {
        state[i].canonical_copy.emplace(smtp_canonical_content(txns[i].text()));
        state[i].eight_bit = has_8bit(canonical(i));
      }
      const auto& rcpts = txns[i].envelope.rcpt_to;
      if (outcomes[i].recipients.capacity() < rcpts.size()) {
        outcomes[i].recipients.reserve(rcpts.size());
      }
      for (const auto& r : rcpts) {
        RecipientOutcome& outcome = outcomes[i].recipients.emplace_back();
        outcome.recipient = r.mailbox;
      }
      state[i].rcpt.assign(rcpts.size(), '\0');
    }
  }

  ~Impl() {
    SpareBuffers* const spares = spare_buffers();
    if (spares == nullptr || spares->count == SpareBuffers::kSlots ||
        pending.items.capacity() > SpareBuffers::kMaxRoom ||
        state.capacity() > SpareBuffers::kMaxRoom ||
        reply_lines.capacity() > SpareBuffers::kMaxRoom ||
        events.capacity() > SpareBuffers::kMaxRoom ||
        outcomes.capacity() > SpareBuffers::kMaxRoom ||
        (!outcomes.empty() && outcomes[0].recipients.capacity() > SpareBuffers::kMaxRoom)) {
      return;
    }
    Buffers& spare = spares->slots[spares->count++];
    if (!outcomes.empty()) {
      outcomes[0].recipients.clear();
      spare.recipients.swap(outcomes[0].recipients);
    }
    pending.clear();
    state.clear();
    reply_lines.clear();
    events.clear();
    outcomes.clear();
    swap_buffers(spare);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  std::string_view canonical(std::size_t t) const {
    const std::optional<std::string>& copy = state[t].canonical_copy;
    return copy ? std::string_view(*copy) : txns[t].text();
  }

  // ---- capabilities -------------------------------------------------------------------

  const SmtpExtension* find_ext(std::string_view keyword) const {
    for (const auto& e : capabilities().capabilities) {
      if (e.keyword == keyword) return &e;
    }
    return nullptr;
  }
  bool offers(unsigned known) const { return (capabilities().known & known) != 0; }

  void forget_capabilities() {
    esmtp = false;
    caps.reset();
    enhanced_codes = false;
    pipelining = false;
  }

  // RFC 5321 4.1.1.1: the first line is the server's domain and greeting; each further line
  // is ehlo-keyword *(SP ehlo-param). Lines that are not valid ehlo-lines are ignored.
  void parse_ehlo(const Reply& reply) {
    forget_capabilities();
    esmtp = true;
    if (reply.known_caps == nullptr) {
      caps.reset();  // (a one-line reply: no extensions)
    } else {
      std::shared_ptr<const Capabilities>& known = *reply.known_caps;
      if (!known)
        known = std::make_shared<Capabilities>(parse_capabilities(reply.lines.subspan(1)));
      caps = known;
    }
    enhanced_codes = offers(kEnhancedCodesExt);
    pipelining = opt.use_pipelining && offers(kPipeliningExt);
  }

  static Capabilities parse_capabilities(std::span<const std::string_view> lines) {
    Capabilities result;
    std::vector<std::string>& keywords = result.keywords;
    std::vector<SmtpExtension>& capabilities = result.capabilities;
    for (const std::string_view line : lines) {
      std::vector<std::string> words = split_spaces(line);
      if (words.empty()) continue;
      std::string keyword = ascii_upper(words[0]);
      std::vector<std::string> params(words.begin() + 1, words.end());
      // Old servers (following a draft of RFC 2554) also say "AUTH=PLAIN LOGIN".
      if (keyword.starts_with("AUTH=")) {
        if (words[0].size() > 5) params.insert(params.begin(), words[0].substr(5));
        keyword = "AUTH";
      }
      bool valid = is_alnum(keyword[0]);
      for (const char c : keyword) valid = valid && (is_alnum(c) || c == '-');
      if (!valid) continue;
      bool merged = false;
      for (auto& e : capabilities) {
        if (e.keyword != keyword) continue;
        for (auto& p : params) {
          bool seen = false;
          for (const auto& q : e.params) seen = seen || ascii_upper(q) == ascii_upper(p);
          if (!seen) e.params.push_back(std::move(p));
        }
        merged = true;
      }
      if (merged) continue;
      keywords.push_back(keyword);
      capabilities.push_back({std::move(keyword), std::move(params)});
    }
    for (const SmtpExtension& e : capabilities) {
      if (e.keyword == "STARTTLS") result.known |= kStartTlsExt;
      if (e.keyword == "PIPELINING") result.known |= kPipeliningExt;
      if (e.keyword == "ENHANCEDSTATUSCODES") result.known |= kEnhancedCodesExt;
      if (e.keyword == "8BITMIME") result.known |= k8BitMimeExt;
      if (e.keyword == "DSN") result.known |= kDsnExt;
      if (e.keyword == "SIZE") {
        result.known |= kSizeExt;
        result.size_limit = size_limit_of(e);
      }
      if (e.keyword == "AUTH") {
        result.known |= kAuthExt;
        for (const auto& p : e.params) {
          const std::string mech = ascii_upper(p);
          if (mech == "PLAIN") result.known |= kAuthPlain;
          if (mech == "LOGIN") result.known |= kAuthLogin;
        }
      }
    }
    return result;
  }

  // RFC 1870: "SIZE n" with n > 0 is a fixed limit; "SIZE 0" or a bare "SIZE" declares none.
  static std::optional<std::size_t> size_limit_of(const SmtpExtension& e) {
    if (e.params.empty()) return std::nullopt;
    const std::string& p = e.params[0];
    std::size_t value = 0;
    const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (ec != std::errc() || ptr != p.data() + p.size() || value == 0) return std::nullopt;
    return value;
  }

  // ---- output -------------------------------------------------------------------------

  // What the diagnostics say is awaited after `cmd` (null: "the reply to " and the line).
  static const char* fixed_waiting_text(Cmd cmd) {
    // The commands with a fixed line ("STARTTLS", "RSET", "DATA", "QUIT", "AUTH LOGIN") are
    // known by `cmd`, which saves comparing the line with each.
    switch (cmd) {
      case Cmd::kMail:
        return "the reply to MAIL FROM";
      case Cmd::kAuthPlain:
      case Cmd::kAuthPlainStart:
        return "the reply to AUTH PLAIN";
      case Cmd::kStartTls:
        return "the reply to STARTTLS";
      case Cmd::kRset:
        return "the reply to RSET";
      case Cmd::kData:
        return "the reply to DATA";
      case Cmd::kQuit:
        return "the reply to QUIT";
      case Cmd::kAuthLoginStart:
        return "the reply to AUTH LOGIN";
      default:
        // (RCPT, EHLO and HELO lines are always rcpt_line() and hello_line(): built again.)
        return nullptr;
    }
  }

  // A command line and its CRLF are written straight into `out` from `start` on; this notes it.
  [[gnu::always_inline]] void end_line(std::size_t start, Pending p) {
    if (opt.report_commands) {
      events.emplace_back(ev::CommandSent{std::string(out, start, out.size() - 2 - start)});
    }
    if (pending.empty()) wait_since = now;
    pending.push_back(p);
  }

  void send_line(std::string_view line, Pending p) {
    const std::size_t start = out.size();
    (LineParts() << line << "\r\n").append_to(out);
    end_line(start, p);
  }

  // A fixed command line, given with its CRLF ("QUIT\r\n"): appended as it is.
  // (A literal: its length is known when compiled, so the copy is a move or two.)
  template <std::size_t N>
  void send_command(const char (&wire_line)[N], Cmd cmd, std::size_t txn = 0,
                    std::size_t rcpt = 0) {
    assert(std::string_view(wire_line, N - 1).ends_with("\r\n"));
    const std::size_t start = out.size();
    out.append(wire_line, N - 1);
    end_line(start, Pending{cmd, txn, rcpt, fixed_waiting_text(cmd)});
  }

  std::string hello_line(std::string_view verb) const {
    std::string line;
    (LineParts() << verb << opt.helo_domain).append_to(line);
    return line;
  }
  void send_hello(std::string_view verb, Cmd cmd) {
    const std::size_t start = out.size();
    append_pieces(out, verb, std::string_view(opt.helo_domain), "\r\n");
    end_line(start, Pending{cmd, 0, 0, nullptr});
  }

  std::string waiting_text(const Pending& p) const {
    if (p.fixed != nullptr) return p.fixed;
    switch (p.cmd) {
      case Cmd::kRcpt:
        return "the reply to " + rcpt_line(p.txn, p.rcpt);
      case Cmd::kEhlo:
        return "the reply to " + hello_line("EHLO ");
      default:
        return "the reply to " + hello_line("HELO ");
    }
  }

  void send_data(std::string_view bytes, Cmd cmd, std::size_t txn) {
    events.emplace_back(ev::DataSent{bytes.size()});
    out += bytes;
    if (pending.empty()) wait_since = now;
    pending.push_back(Pending{cmd, txn, 0, "the reply to the end of the message data"});
  }

  // The message of transaction t, dot-stuffed, straight into the output.
  void send_dot_stuffed(std::size_t t) {
    const std::size_t before = out.size();
    append_dot_stuffed(out, canonical(t));
    events.emplace_back(ev::DataSent{out.size() - before});
    if (pending.empty()) wait_since = now;
    pending.push_back(Pending{Cmd::kDataEnd, t, 0, "the reply to the end of the message data"});
  }

  Micros timeout_for(Cmd cmd) const {
    switch (cmd) {
      case Cmd::kGreeting:
        return opt.greeting_timeout;
      case Cmd::kMail:
        return opt.mail_timeout;
      case Cmd::kRcpt:
        return opt.rcpt_timeout;
      case Cmd::kData:
        return opt.data_init_timeout;
      case Cmd::kDataEnd:
      case Cmd::kDataEndDiscard:
        return opt.data_term_timeout;
      default:
        return opt.command_timeout;
    }
  }

  // ---- outcomes -----------------------------------------------------------------------

  void decide(std::size_t t, std::size_t r, DeliveryStatus status, std::optional<SmtpReply> reply,
              std::string diagnostic, std::string code) {
    if (state[t].decided(r)) return;
    state[t].rcpt[r] |= TxnState::kDecided;
    RecipientOutcome& o = outcomes[t].recipients[r];
    o.status = status;
    o.reply = std::move(reply);
    o.diagnostic = std::move(diagnostic);
    o.status_code = std::move(code);
  }

  // `forced` overrides the status the reply's class gives, `code` the RFC 3463 status.
  void decide_by_reply(std::size_t t, std::size_t r, const Reply& reply, Cmd cmd,
                       std::optional<DeliveryStatus> forced = std::nullopt,
                       std::string_view note = {}, std::string_view code = {}) {
    if (state[t].decided(r)) return;
    state[t].rcpt[r] |= TxnState::kDecided;
    const DeliveryStatus status = forced ? *forced : status_from_reply(reply);
    // Written in place into the outcome (as decide() would store them).
    RecipientOutcome& o = outcomes[t].recipients[r];
    o.status = status;
    // summary() + " (in the greeting)" or " (in reply to CMD)", then "; " and the note: its
    // size counted first, then the pieces copied in (one growth; each += would be a call).
    constexpr std::string_view kGreeting = " (in the greeting)";
    constexpr std::string_view kInReplyTo = " (in reply to ";
    const std::string_view name = cmd == Cmd::kGreeting ? std::string_view() : command_name(cmd);
    std::size_t size = 3 + (reply.enhanced.empty() ? 0 : 1 + reply.enhanced.size());
    for (std::size_t i = 0; i < reply.lines.size(); ++i) {
      size += (i == 0 ? 1 : 3) + reply.lines[i].size();
    }
    size += cmd == Cmd::kGreeting ? kGreeting.size() : kInReplyTo.size() + name.size() + 1;
    if (!note.empty()) size += 2 + note.size();
    std::string& diag = o.diagnostic;
    diag.resize(size);
    char* d = diag.data();
    const auto put = [&d](std::string_view piece) {
      std::memcpy(d, piece.data(), piece.size());
      d += piece.size();
    };
    // (SmtpReply::summary(): a reply's code has three digits, 200..559.)
    *d++ = static_cast<char>('0' + reply.code / 100);
    *d++ = static_cast<char>('0' + reply.code / 10 % 10);
    *d++ = static_cast<char>('0' + reply.code % 10);
    if (!reply.enhanced.empty()) {
      *d++ = ' ';
      put(reply.enhanced);
    }
    for (std::size_t i = 0; i < reply.lines.size(); ++i) {
      put(i == 0 ? std::string_view(" ") : std::string_view(" / "));
      put(reply.lines[i]);
    }
    if (cmd == Cmd::kGreeting) {
      put(kGreeting);
    } else {
      put(kInReplyTo);
      put(name);
      *d++ = ')';
    }
    if (!note.empty()) {
      put("; ");
      put(note);
    }
    assert(d == diag.data() + diag.size());
    if (opt.keep_outcome_replies) {
      SmtpReply& kept = o.reply.emplace();
      kept.code = reply.code;
      kept.enhanced.assign(reply.enhanced);
      kept.lines.reserve(reply.lines.size());
      for (const std::string_view line : reply.lines) kept.lines.emplace_back(line);
    }
    if (code.empty()) {
      assign_status_code(o.status_code, reply, status);
    } else {
      o.status_code.assign(code);
    }
  }

  void complete_txn(std::size_t t) {
    if (state[t].done) return;
    state[t].done = true;
    events.emplace_back(ev::TransactionDone{t});
  }

  // Every recipient not yet decided gets this outcome; every open transaction completes.
  void settle_all(DeliveryStatus status, std::string_view diagnostic, std::string_view code) {
    for (std::size_t t = 0; t < txns.size(); ++t) {
      if (state[t].done) continue;
      for (std::size_t r = 0; r < state[t].recipients(); ++r) {
        if (state[t].decided(r)) continue;
        decide(t, r, status, std::nullopt, std::string(diagnostic), std::string(code));
      }
      complete_txn(t);
    }
  }

  void settle_all_by_reply(const Reply& reply, Cmd cmd,
                           std::optional<DeliveryStatus> forced = std::nullopt,
                           std::string_view note = {}, std::string_view code = {}) {
    for (std::size_t t = 0; t < txns.size(); ++t) {
      if (state[t].done) continue;
      for (std::size_t r = 0; r < state[t].recipients(); ++r) {
        decide_by_reply(t, r, reply, cmd, forced, note, code);
      }
      complete_txn(t);
    }
  }

  // ---- session end --------------------------------------------------------------------

  void finish() {
    if (phase == Phase::kFinished) return;
    settle_all(DeliveryStatus::kDeferred, "the session ended before this message was sent",
               "4.4.2");
    phase = Phase::kFinished;
    pending.clear();
    events.emplace_back(ev::Finished{});
  }

  void send_quit() {
    settle_all(DeliveryStatus::kDeferred, "the session ended before this message was sent",
               "4.4.2");
    send_command("QUIT\r\n", Cmd::kQuit);
  }

  // Something the server sent cannot be understood: nothing it says can be trusted any more.
  void protocol_error(std::string reason) {
    const bool in_tls_handshake = phase == Phase::kTlsHandshake;
    const bool after_data =
        handling == Cmd::kDataEnd || (!pending.empty() && pending.front().cmd == Cmd::kDataEnd);
    events.emplace_back(ev::ProtocolError{reason});
    std::string diag = "protocol error: " + reason;
    if (after_data) diag += kMayDuplicate;
    settle_all(DeliveryStatus::kDeferred, diag, "4.5.0");
    pending.clear();
    // Say goodbye, but do not wait for an answer from a server that is out of step. During the
    // TLS handshake the server expects TLS records, not a plaintext QUIT.
    if (!in_tls_handshake) send_command("QUIT\r\n", Cmd::kQuit);
    finish();
  }

  // RFC 5321 3.8: 421 may answer any command; the server is closing the channel.
  void service_closing(const Reply& reply, Cmd cmd) {
    settle_all_by_reply(reply, cmd, DeliveryStatus::kDeferred,
                        "the server is closing the connection");
    finish();
  }

  // A reply that ends the whole session before any transaction (greeting, EHLO, AUTH...).
  void end_session_by_reply(const Reply& reply, Cmd cmd,
                            std::optional<DeliveryStatus> forced = std::nullopt,
                            std::string_view note = {}, std::string_view code = {}) {
    settle_all_by_reply(reply, cmd, forced, note, code);
    send_quit();
  }

  void unexpected_reply(const Reply& reply, const Pending& p, std::string_view expected) {
    protocol_error("unexpected reply " + std::to_string(reply.code) + " to " +
                   std::string(command_name(p.cmd)) + " (expected " + std::string(expected) + ")");
  }

  // ---- session flow -------------------------------------------------------------------

  void open(Micros t) {
    if (phase != Phase::kIdle) return;
    now = t;
    phase = Phase::kActive;
    pending.push_back(Pending{Cmd::kGreeting, 0, 0, "the 220 greeting"});
    wait_since = now;
  }

  void send_ehlo() { send_hello("EHLO ", Cmd::kEhlo); }

  // After a successful EHLO or HELO: STARTTLS, then AUTH, then the transactions.
  void after_hello() {
    if (!tls && opt.tls != ClientTls::kNever && opt.tls != ClientTls::kImplicit &&
        !starttls_refused) {
      const bool offered = offers(kStartTlsExt);
      if (opt.tls == ClientTls::kRequired && !opt.tls_capable) {
        settle_all(DeliveryStatus::kDeferred, "STARTTLS required, but this client cannot run TLS",
                   "4.7.4");
        send_quit();
        return;
      }
      if (opt.tls == ClientTls::kRequired && !offered) {
        settle_all(DeliveryStatus::kDeferred,
                   esmtp ? "STARTTLS required but not offered by the server (RFC 3207)"
                         : "STARTTLS required but not offered: the server only answered HELO, "
                           "so it has no extensions (RFC 3207)",
                   "4.7.4");
        send_quit();
        return;
      }
      if (offered && opt.tls_capable) {
        send_command("STARTTLS\r\n", Cmd::kStartTls);
        return;
      }
    }
    if (opt.credentials && !authenticated) {
      start_auth();
      return;
    }
    start_next_transaction();
  }

  // RFC 4616: [authzid] NUL authcid NUL passwd, no authzid; in base64 (RFC 4954). The
  // message is put together on the stack when it is short, as it nearly always is.
  static std::string plain_response(const SmtpCredentials& cred) {
    const std::size_t size = 2 + cred.user.size() + cred.password.size();
    std::array<char, 256> small;
    std::string large;
    char* m = small.data();
    if (size > small.size()) {
      large.resize(size);
      m = large.data();
    }
    m[0] = '\0';
    std::memcpy(m + 1, cred.user.data(), cred.user.size());
    m[1 + cred.user.size()] = '\0';
    std::memcpy(m + 2 + cred.user.size(), cred.password.data(), cred.password.size());
    return mail::base64_encode(std::string_view(m, size));
  }

  void start_auth() {
    const SmtpCredentials& cred = *opt.credentials;
    if (!offers(kAuthExt)) {
      std::string diag =
          "credentials are configured but the server did not offer AUTH "
          "(RFC 4954); the message was not sent unauthenticated";
      if (!tls) diag += " (many servers offer AUTH only after STARTTLS)";
      settle_all(DeliveryStatus::kFailed, diag, "5.7.4");
      send_quit();
      return;
    }
    if (offers(kAuthPlain)) {
      auth_mechanism = "PLAIN";
      std::string response = plain_response(cred);
      if (response.empty()) response = "=";  // RFC 4954 section 4: an empty initial response
      constexpr std::string_view kVerb = "AUTH PLAIN ";
      if (kVerb.size() + response.size() + 2 <= kMaxCommandLineOctets) {
        const std::size_t start = out.size();
        append_pieces(out, "AUTH PLAIN ", std::string_view(response), "\r\n");
        end_line(start, Pending{Cmd::kAuthPlain, 0, 0, fixed_waiting_text(Cmd::kAuthPlain)});
      } else {
        // RFC 4954 section 4: too long for one command line, so no initial response.
        send_command("AUTH PLAIN\r\n", Cmd::kAuthPlainStart);
      }
      return;
    }
    if (offers(kAuthLogin)) {
      auth_mechanism = "LOGIN";
      send_command("AUTH LOGIN\r\n", Cmd::kAuthLoginStart);
      return;
    }
    std::string offered;
    if (const SmtpExtension* e = find_ext("AUTH")) {  // (offered: kAuthExt is set)
      for (const auto& p : e->params) offered += (offered.empty() ? "" : " ") + p;
    }
    settle_all(DeliveryStatus::kFailed,
               "the server offers no AUTH mechanism this client supports (offered: " +
                   (offered.empty() ? std::string("none") : offered) + "; supported: PLAIN, LOGIN)",
               "5.7.4");
    send_quit();
  }

  // Local checks that need the server's capabilities; true when the transaction was decided
  // without sending anything.
  bool decided_locally(std::size_t t) {
    const auto& rcpts = txns[t].envelope.rcpt_to;
    if (rcpts.empty()) {
      complete_txn(t);
      return true;
    }
    const std::string_view content = canonical(t);
    if (const auto& limit = capabilities().size_limit; limit && content.size() > *limit) {
      const std::string diag = "message too big for the server: " + std::to_string(content.size()) +
                               " octets, but its EHLO reply says SIZE " + std::to_string(*limit) +
                               " (RFC 1870); not sent";
      for (std::size_t r = 0; r < rcpts.size(); ++r) {
        decide(t, r, DeliveryStatus::kFailed, std::nullopt, diag, "5.3.4");
      }
      complete_txn(t);
      return true;
    }
    if (state[t].eight_bit && !offers(k8BitMimeExt)) {
      const std::string diag =
          "the message has 8-bit octets but the server does not offer 8BITMIME, and this "
          "client does not convert messages to 7 bit (RFC 6152 section 3); not sent";
      for (std::size_t r = 0; r < rcpts.size(); ++r) {
        decide(t, r, DeliveryStatus::kFailed, std::nullopt, diag, "5.6.3");
      }
      complete_txn(t);
      return true;
    }
    return false;
  }

  // The MAIL command line (with its CRLF when `crlf`) appended to `out`.
  void append_mail_line(std::string& out_line, std::size_t t, bool crlf) const {
    const mail::Envelope& env = txns[t].envelope;
    std::string_view size_param;  // " SIZE=n" when SIZE was offered
    char size_buf[32] = " SIZE=";
    if (offers(kSizeExt)) {
      const auto res = std::to_chars(size_buf + 6, size_buf + sizeof size_buf, canonical(t).size());
      size_param = std::string_view(size_buf, static_cast<std::size_t>(res.ptr - size_buf));
    }
    std::string_view body_param;
    if (offers(k8BitMimeExt)) {
      if (state[t].eight_bit || env.body == mail::BodyType::k8BitMime) {
        body_param = " BODY=8BITMIME";
      } else if (env.body == mail::BodyType::k7Bit) {
        body_param = " BODY=7BIT";
      }
    }
    const std::string_view end = crlf ? std::string_view("\r\n") : std::string_view();
    if (env.mail_from && (!offers(kDsnExt) || (!env.ret && !env.envid))) {  // (the usual line)
      append_pieces(out_line, "MAIL FROM:<", std::string_view(env.mail_from->local_part), "@",
                    std::string_view(env.mail_from->domain), ">", size_param, body_param, end);
      return;
    }
    LineParts parts;
    parts << "MAIL FROM:";
    parts.path(env.mail_from ? &*env.mail_from : nullptr);
    parts << size_param << body_param;
    if (offers(kDsnExt)) {
      if (env.ret) parts << " RET=" << *env.ret;
      if (env.envid) parts << " ENVID=" << *env.envid;
    }
    parts << end;
    parts.append_to(out_line);
  }

  // The RCPT command line for recipient r of transaction t (with its CRLF when `crlf`)
  // appended to `out`.
  void append_rcpt_line(std::string& out_line, std::size_t t, std::size_t r, bool crlf) const {
    const mail::EnvelopeRecipient& rcpt = txns[t].envelope.rcpt_to[r];
    if (!offers(kDsnExt) || (!rcpt.notify && !rcpt.orcpt)) {  // (the usual line, at once)
      const std::string_view local = rcpt.mailbox.local_part;
      const std::string_view domain = rcpt.mailbox.domain;
      if (crlf) {
        append_pieces(out_line, "RCPT TO:<", local, "@", domain, ">\r\n");
      } else {
        append_pieces(out_line, "RCPT TO:<", local, "@", domain, ">");
      }
      return;
    }
    LineParts parts;
    parts << "RCPT TO:";
    parts.path(&rcpt.mailbox);
    if (offers(kDsnExt)) {
      if (rcpt.notify) parts << " NOTIFY=" << *rcpt.notify;
      if (rcpt.orcpt) parts << " ORCPT=" << *rcpt.orcpt;
    }
    if (crlf) parts << "\r\n";
    parts.append_to(out_line);
  }

  std::string rcpt_line(std::size_t t, std::size_t r) const {
    std::string line;
    append_rcpt_line(line, t, r, false);
    return line;
  }

  void send_rcpt(std::size_t t, std::size_t r) {
    const std::size_t start = out.size();
    append_rcpt_line(out, t, r, true);
    end_line(start, Pending{Cmd::kRcpt, t, r, nullptr});
  }

  void send_mail(std::size_t t) {
    const std::size_t start = out.size();
    append_mail_line(out, t, true);
    end_line(start, Pending{Cmd::kMail, t, 0, fixed_waiting_text(Cmd::kMail)});
  }

  // Sends the next transaction (RSET first when one was left open), or QUIT after the last.
  // With PIPELINING, RSET, MAIL, every RCPT and DATA go as one group (RFC 2920 section 3.1:
  // DATA must end the group); without it, one command at a time.
  void start_next_transaction() {
    while (current < txns.size() && decided_locally(current)) ++current;
    if (current == txns.size()) {
      send_quit();
      return;
    }
    const std::size_t t = current;
    // Room for the lines about to be written, at once (longer addresses just grow it).
    out.reserve(out.size() + 160 + (pipelining ? 96 * txns[t].envelope.rcpt_to.size() : 0));
    if (need_rset) {
      send_command("RSET\r\n", Cmd::kRset, t);
      if (!pipelining) return;
    }
    send_mail(t);
    if (!pipelining) return;
    for (std::size_t r = 0; r < txns[t].envelope.rcpt_to.size(); ++r) send_rcpt(t, r);
    send_command("DATA\r\n", Cmd::kData, t);
  }

  void next_transaction(std::size_t t) {
    complete_txn(t);
    current = t + 1;
    start_next_transaction();
  }

  // ---- input --------------------------------------------------------------------------

  void receive(std::string_view bytes, Micros t) {
    if (phase == Phase::kIdle || phase == Phase::kFinished) return;
    now = t;
    if (in.empty()) {
      process_input(bytes, false);
    } else {
      const char* const was = in.data();
      in.append(bytes);
      if (reply_started) rebase_lines(was, in.data());
      process_input(in, true);
    }
  }

  void forget_input() {
    in.clear();
    parsed = 0;
    scanned = 0;
    reset_reply();
  }

  // `data` is `in` (buffered) or the bytes just received, which have no unfinished reply
  // before them.
  void process_input(std::string_view data, bool buffered) {
    std::size_t pos = buffered ? parsed : 0;    // start of the current line
    std::size_t scan = buffered ? scanned : 0;  // data before it has no line end to find
    std::size_t keep = 0;                       // start of the unfinished reply
    while (phase == Phase::kActive) {
      // The line ends at the first CR or LF, which must be a CR followed by LF: a CR followed
      // by anything else is a bare CR, an LF first a bare LF; a CR at the very end waits for
      // what follows it.
      std::size_t i = find_cr_or_lf(data, scan > pos ? scan : pos);
      if (i < data.size() && data[i] == '\r') {
        if (i + 1 == data.size()) {
          i = data.size();  // no complete line yet
        } else if (data[i + 1] == '\n') {
          ++i;  // the LF of CRLF
        } else {
          protocol_error("the server sent a bare CR inside a reply line (RFC 5321 section 2.3.8)");
          break;
        }
      }
      if (i == data.size()) {
        // No complete line yet; a CR at the very end may still be followed by its LF.
        scan = (!data.empty() && data.back() == '\r') ? data.size() - 1 : data.size();
        if (data.size() - pos > kMaxReplyLineOctets) {
          protocol_error("reply line longer than " + std::to_string(kMaxReplyLineOctets) +
                         " octets");
        }
        break;
      }
      const std::size_t lf = i;
      if (lf == pos || data[lf - 1] != '\r') {
        protocol_error(
            "the server ended a reply line with a bare LF instead of CRLF (RFC 5321 section "
            "2.3.8)");
        break;
      }
      const std::size_t line_at = pos;
      const std::size_t line_size = lf - 1 - pos;
      pos = lf + 1;
      scan = pos;
      if (line_size + 2 > kMaxReplyLineOctets) {
        protocol_error("reply line longer than " + std::to_string(kMaxReplyLineOctets) + " octets");
        break;
      }
      if (handle_line(data, line_at, line_size)) {
        keep = pos;
        // Replies usually end where the bytes received end: nothing more to look for.
        if (pos == data.size()) break;
      } else if (reply_started && reply_lines.size() == 1) {
        // The first line of a multi-line reply: the rest may be lines known already.
        std::size_t end = 0;
        if (read_known_tail(data, pos, &end)) {
          pos = end;
          scan = pos;
          keep = pos;
          if (pos == data.size()) break;
        }
      }
    }
    if (phase == Phase::kFinished) {
      forget_input();
      return;
    }
    if (keep == data.size() && !reply_started) {
      // Everything was read, as usual: nothing to keep, no places to move.
      if (buffered) in.clear();
      parsed = 0;
      scanned = 0;
      return;
    }
    // Keep the unfinished reply; the places of its lines move with it.
    if (buffered) {
      in.erase(0, keep);
    } else if (keep < data.size()) {  // (`in` is empty)
      in.assign(data.substr(keep));
    }
    parsed = pos - keep;
    scanned = scan - keep;
    reply_enhanced.at -= std::min(reply_enhanced.at, keep);
    tail_at -= std::min(tail_at, keep);
    if (reply_started) rebase_lines(data.data() + keep, in.data());
    if (phase == Phase::kTlsHandshake && !in.empty()) {
      // Anything after the 220 reply to STARTTLS arrived in plaintext, where a TLS handshake
      // must begin: an attacker may have injected it (it would be read as the reply to the
      // EHLO sent inside TLS). RFC 3207 section 4.2 has the client trust nothing from before
      // the handshake.
      protocol_error(
          "the server sent plaintext after its reply to STARTTLS, before the TLS handshake "
          "(possible STARTTLS response injection)");
    }
  }

  void reset_reply() {
    reply_code = 0;
    reply_started = false;
    reply_enhanced = {};
  }

  // The unfinished reply's lines were read at `from` and are now at `to`.
  void rebase_lines(const char* from, const char* to) {
    for (std::string_view& line : reply_lines) {
      line = std::string_view(to + (line.data() - from), line.size());
    }
  }

  // One reply line (without CRLF) at data[at, at + size), read by parse_reply_line's rules
  // (smtp_reply.h) as SmtpReplyParser reads it; true when it completed a reply, which is then
  // handled.
  bool handle_line(std::string_view data, std::size_t at, std::size_t size) {
    const std::string_view line(data.data() + at, size);
    SmtpReplyLine read;
    if (!parse_reply_line(line, enhanced_codes, read)) {
      reset_reply();
      line_error(malformed_reply_line_error(line));
      return false;
    }
    const int code = read.code;
    if (reply_started && code != reply_code) {
      const int was = reply_code;
      reset_reply();
      line_error(reply_code_changed_error(was, code));
      return false;
    }
    reply_code = code;
    if (!reply_started && !read.enhanced.empty()) {
      reply_enhanced = {static_cast<std::size_t>(read.enhanced.data() - data.data()),
                        read.enhanced.size()};
    }
    if (!reply_started) {
      // (Room for a multi-line reply of the usual length, EHLO's, at once.)
      if (reply_lines.capacity() == 0) reply_lines.reserve(16);
      reply_lines.clear();
    }
    reply_lines.push_back(read.text);
    if (!read.last) {
      if (!reply_started) tail_at = at + size + 2;
      reply_started = true;
      return false;
    }
    std::shared_ptr<const Capabilities>* known_caps = nullptr;
    if (reply_lines.size() > 1) known_caps = &remember_tail(data, at + size + 2);
    complete_reply(data, reply_lines, known_caps);
    return true;
  }

  // The lines after the first of the reply just read (data[tail_at, end)), kept for the next
  // reply that has them (KnownTail); their capabilities slot.
  std::shared_ptr<const Capabilities>& remember_tail(std::string_view data, std::size_t end) {
    KnownTails& tails = known_tails();
    const std::string_view octets(data.data() + tail_at, end - tail_at);
    if (KnownTail* t = find_tail(tails, reply_code, enhanced_codes, octets);
        t != nullptr && t->octets.size() == octets.size()) {
      return t->caps;
    }
    KnownTail* t;
    if (tails.entries.size() < KnownTails::kEntries) {
      // (All the room at once: the entries never move, nor do the octets their views see.)
      tails.entries.reserve(KnownTails::kEntries);
      t = &tails.entries.emplace_back();
    } else {
      t = &tails.entries[tails.next_slot];
      tails.next_slot = (tails.next_slot + 1) % KnownTails::kEntries;
    }
    t->code = reply_code;
    t->enhanced = enhanced_codes;
    t->octets.assign(octets);
    t->lines.assign(reply_lines.size(), std::string_view());
    for (std::size_t i = 1; i < reply_lines.size(); ++i) {
      t->lines[i] = std::string_view(t->octets.data() + (reply_lines[i].data() - octets.data()),
                                     reply_lines[i].size());
    }
    t->caps.reset();
    return t->caps;
  }

  // The reply whose first line was just read goes on with known lines at data[at...]: they are
  // read at once. True when they were (the reply is then handled), false when they are not
  // known (read them line by line).
  bool read_known_tail(std::string_view data, std::size_t at, std::size_t* end) {
    KnownTails& tails = known_tails();
    if (tails.entries.empty()) return false;
    const std::string_view rest(data.data() + at, data.size() - at);
    KnownTail* const t = find_tail(tails, reply_code, enhanced_codes, rest);
    if (t == nullptr) return false;
    // The further lines are the tail's own views (equal octets): only the first is set.
    assert(reply_lines.size() == 1);
    t->lines[0] = reply_lines[0];
    *end = at + t->octets.size();
    complete_reply(data, t->lines, &t->caps);
    return true;
  }

  // The reply whose lines are `lines` (reply_lines, or a known tail's) is complete: handled
  // (after its event, when reported). (Inline: it runs once per reply.)
  [[gnu::always_inline]] void complete_reply(std::string_view data,
                                             std::span<const std::string_view> lines,
                                             std::shared_ptr<const Capabilities>* known_caps) {
    const Reply reply{reply_code,
                      std::string_view(data.data() + reply_enhanced.at, reply_enhanced.size), lines,
                      known_caps};
    reset_reply();
    if (!opt.report_replies) {
      on_reply(reply);
      return;
    }
    // The event comes first, as the reply came before what the engine does about it.
    const std::size_t event_index = events.size();
    events.emplace_back(ev::ReplyReceived{});
    on_reply(reply);
    std::get<ev::ReplyReceived>(events[event_index]).reply = reply.to_reply();
  }

  void line_error(const std::string& error) {
    const std::string waiting =
        pending.empty() ? std::string("nothing") : waiting_text(pending.front());
    protocol_error(error + " while waiting for " + waiting);
  }

  void on_reply(const Reply& reply) {
    if (pending.empty()) {
      protocol_error("reply " + std::to_string(reply.code) + " to no command");
      return;
    }
    const Pending p = pending.front();
    pending.pop_front();
    wait_since = now;
    if (reply.code == 421 && p.cmd != Cmd::kQuit) {
      service_closing(reply, p.cmd);
      return;
    }
    handling = p.cmd;
    handle_reply(reply, p);
    handling.reset();
  }

  void handle_reply(const Reply& reply, const Pending& p) {
    const int cls = reply.reply_class();
    switch (p.cmd) {
      case Cmd::kGreeting:
        if (cls == 2) return send_ehlo();
        if (cls == 3) return unexpected_reply(reply, p, "220");
        // RFC 5321 3.1: a 554 (or 4xx) greeting refuses the session; the client still QUITs.
        return end_session_by_reply(reply, p.cmd);

      case Cmd::kEhlo:
        if (cls == 2) {
          parse_ehlo(reply);
          return after_hello();
        }
        if (cls == 3) return unexpected_reply(reply, p, "250");
        // RFC 5321 3.2 / 4.1.4: a server without extensions rejects EHLO with 5xx; use HELO.
        if (cls == 5) return send_hello("HELO ", Cmd::kHelo);
        return end_session_by_reply(reply, p.cmd);

      case Cmd::kHelo:
        if (cls == 2) {
          forget_capabilities();
          return after_hello();
        }
        if (cls == 3) return unexpected_reply(reply, p, "250");
        return end_session_by_reply(reply, p.cmd);

      case Cmd::kStartTls:
        if (cls == 2) {
          phase = Phase::kTlsHandshake;
          wait_since = now;
          events.emplace_back(ev::StartTls{});
          return;
        }
        if (cls == 3) return unexpected_reply(reply, p, "220");
        if (opt.tls == ClientTls::kRequired) {
          return end_session_by_reply(reply, p.cmd, DeliveryStatus::kDeferred,
                                      "STARTTLS is required but the server refused it", "4.7.4");
        }
        // RFC 3207 section 4: the client decides whether to go on; opportunistic TLS does, in
        // plaintext, in the state after EHLO.
        starttls_refused = true;
        return after_hello();

      case Cmd::kAuthPlain:
      case Cmd::kAuthFinal:
        if (cls == 2) return auth_succeeded();
        if (cls == 3) return unexpected_reply(reply, p, "235 after the last SASL response");
        return end_session_by_reply(reply, p.cmd);

      case Cmd::kAuthPlainStart:
      case Cmd::kAuthLoginStart:
      case Cmd::kAuthLoginUser:
        if (reply.code == 334) return auth_continue(p.cmd);
        if (cls == 2 || cls == 3) return unexpected_reply(reply, p, "334");
        return end_session_by_reply(reply, p.cmd);

      case Cmd::kRset:
        if (cls == 2) {
          need_rset = false;
          if (!pipelining) start_next_transaction();
          return;
        }
        // RFC 5321 4.1.1.5: RSET must get 250; the server's state is now unknown.
        return protocol_error("the server refused RSET with " + std::to_string(reply.code) +
                              " (RFC 5321 section 4.1.1.5 requires 250)");

      case Cmd::kMail:
        return on_mail_reply(reply, p);
      case Cmd::kRcpt:
        return on_rcpt_reply(reply, p);
      case Cmd::kData:
        return on_data_reply(reply, p);
      case Cmd::kDataEnd:
        return on_data_end_reply(reply, p);
      case Cmd::kDataEndDiscard:
        if (cls == 3) return unexpected_reply(reply, p, "a 2xx, 4xx or 5xx final reply");
        need_rset = false;
        return next_transaction(p.txn);

      case Cmd::kQuit:
        return finish();
    }
  }

  void auth_continue(Cmd cmd) {
    const SmtpCredentials& cred = *opt.credentials;
    switch (cmd) {
      case Cmd::kAuthPlainStart: {
        send_line(plain_response(cred),
                  Pending{Cmd::kAuthFinal, 0, 0, "the reply to the AUTH PLAIN response"});
        return;
      }
      case Cmd::kAuthLoginStart:
        send_line(mail::base64_encode(cred.user),
                  Pending{Cmd::kAuthLoginUser, 0, 0, "the reply to the AUTH LOGIN user name"});
        return;
      case Cmd::kAuthLoginUser:
        send_line(mail::base64_encode(cred.password),
                  Pending{Cmd::kAuthFinal, 0, 0, "the reply to the AUTH LOGIN password"});
        return;
      default:
        return;
    }
  }

  void auth_succeeded() {
    authenticated = true;
    events.emplace_back(ev::Authenticated{std::string(auth_mechanism)});
    start_next_transaction();
  }

  void on_mail_reply(const Reply& reply, const Pending& p) {
    const std::size_t t = p.txn;
    const int cls = reply.reply_class();
    if (cls == 3) return unexpected_reply(reply, p, "250");
    if (cls == 2) {
      need_rset = true;
      if (!pipelining) send_rcpt(t, 0);
      return;
    }
    // No transaction was started: every recipient shares the reply (with PIPELINING their
    // RCPT replies, most likely 503, are read and ignored).
    state[t].mail_failed = true;
    for (std::size_t r = 0; r < state[t].recipients(); ++r) {
      decide_by_reply(t, r, reply, Cmd::kMail);
    }
    if (!pipelining) next_transaction(t);
  }

  void on_rcpt_reply(const Reply& reply, const Pending& p) {
    const std::size_t t = p.txn;
    const std::size_t r = p.rcpt;
    const int cls = reply.reply_class();
    if (cls == 3) return unexpected_reply(reply, p, "250");
    TxnState& st = state[t];
    if (!st.mail_failed) {
      if (cls == 2) {
        st.rcpt[r] |= TxnState::kAccepted;
        ++st.accepted_count;
      } else if (reply.code == 552) {
        // RFC 5321 4.5.3.1.10: 552 for "too many recipients" is RFC 821's mistake for 452;
        // clients should treat it as temporary.
        decide_by_reply(t, r, reply, Cmd::kRcpt, DeliveryStatus::kDeferred,
                        "552 to RCPT is treated as temporary (RFC 5321 section 4.5.3.1.10)");
      } else {
        decide_by_reply(t, r, reply, Cmd::kRcpt);
      }
    }
    if (pipelining) return;
    if (r + 1 < st.recipients()) return send_rcpt(t, r + 1);
    if (st.accepted_count > 0) return send_command("DATA\r\n", Cmd::kData, t);
    // Nobody to send to: skip DATA; the open transaction is reset before the next one.
    next_transaction(t);
  }

  void on_data_reply(const Reply& reply, const Pending& p) {
    const std::size_t t = p.txn;
    const int cls = reply.reply_class();
    TxnState& st = state[t];
    const bool nobody = st.mail_failed || st.accepted_count == 0;
    if (reply.code == 354) {
      if (nobody) {
        // RFC 2920 section 3.1: DATA was accepted although no recipient was: end it with a
        // lone "." so that no message is sent.
        send_data(".\r\n", Cmd::kDataEndDiscard, t);
        return;
      }
      send_dot_stuffed(t);
      return;
    }
    if (cls == 2 || cls == 3) return unexpected_reply(reply, p, "354");
    if (!nobody) {
      for (std::size_t r = 0; r < st.recipients(); ++r) {
        if (st.accepted(r)) decide_by_reply(t, r, reply, Cmd::kData);
      }
    }
    // MAIL FROM and the RCPTs, if accepted, are still in the server's buffers: need_rset stays.
    next_transaction(t);
  }

  void on_data_end_reply(const Reply& reply, const Pending& p) {
    const std::size_t t = p.txn;
    if (reply.reply_class() == 3) return unexpected_reply(reply, p, "250");
    TxnState& st = state[t];
    for (std::size_t r = 0; r < st.recipients(); ++r) {
      if (st.accepted(r)) decide_by_reply(t, r, reply, Cmd::kDataEnd);
    }
    // The final reply ends the transaction whatever it says (RFC 5321 4.1.1.4).
    need_rset = false;
    next_transaction(t);
  }

  // ---- driver events ------------------------------------------------------------------

  void tls_established(Micros t) {
    if (phase != Phase::kTlsHandshake) return;
    now = t;
    phase = Phase::kActive;
    tls = true;
    // RFC 3207 section 4.2: forget what the server said before TLS, and say EHLO again.
    forget_capabilities();
    forget_input();
    send_ehlo();
  }

  std::string waiting_for() const {
    if (phase == Phase::kTlsHandshake) return "the TLS handshake";
    if (pending.empty()) return "nothing";
    return waiting_text(pending.front());
  }

  void peer_closed(Micros t) {
    if (phase == Phase::kIdle || phase == Phase::kFinished) return;
    now = t;
    const bool quitting = !pending.empty() && pending.front().cmd == Cmd::kQuit;
    if (!quitting) {
      std::string diag = "connection lost while waiting for " + waiting_for();
      if (!pending.empty() && pending.front().cmd == Cmd::kDataEnd) {
        diag += kMayDuplicate;
      }
      settle_all(DeliveryStatus::kDeferred, diag, "4.4.2");
    }
    finish();
  }

  std::optional<Micros> deadline() const {
    if (phase == Phase::kTlsHandshake) return wait_since + opt.command_timeout;
    if (phase != Phase::kActive || pending.empty()) return std::nullopt;
    return wait_since + timeout_for(pending.front().cmd);
  }

  void tick(Micros t) {
    const auto d = deadline();
    if (!d || t < *d) return;
    now = t;
    const std::string what = waiting_for();
    const Micros limit =
        phase == Phase::kTlsHandshake ? opt.command_timeout : timeout_for(pending.front().cmd);
    std::string diag = "timeout waiting for " + what + " (" + describe_duration(limit) +
                       ", RFC 5321 section 4.5.3.2)";
    if (phase == Phase::kActive && pending.front().cmd == Cmd::kDataEnd) diag += kMayDuplicate;
    events.emplace_back(ev::TimedOut{what});
    settle_all(DeliveryStatus::kDeferred, diag, "4.4.2");
    finish();
  }
};

SmtpClient::SmtpClient(const SmtpClientOptions& options, std::vector<SmtpTransaction> transactions)
    : m_impl(std::make_unique<Impl>(options, std::move(transactions))) {}
SmtpClient::SmtpClient(SmtpClientOptions&& options, std::vector<SmtpTransaction> transactions)
    : m_impl(std::make_unique<Impl>(std::move(options), std::move(transactions))) {}
SmtpClient::~SmtpClient() = default;
SmtpClient::SmtpClient(SmtpClient&&) noexcept = default;
SmtpClient& SmtpClient::operator=(SmtpClient&&) noexcept = default;

void SmtpClient::open(Micros now) {
  m_impl->open(now);
}
void SmtpClient::receive(std::string_view bytes, Micros now) {
  m_impl->receive(bytes, now);
}
void SmtpClient::tls_established(Micros now) {
  m_impl->tls_established(now);
}
void SmtpClient::peer_closed(Micros now) {
  m_impl->peer_closed(now);
}
void SmtpClient::tick(Micros now) {
  m_impl->tick(now);
}

std::string SmtpClient::take_output() {
  std::string taken;
  if (!m_impl->out.empty()) taken.swap(m_impl->out);
  return taken;
}
std::vector<SmtpClientEvent> SmtpClient::take_events() {
  return std::exchange(m_impl->events, {});
}
namespace {
[[gnu::noinline]] void clear_events(std::vector<SmtpClientEvent>* events) {
  events->clear();
}
}  // namespace
void SmtpClient::take_events(std::vector<SmtpClientEvent>* out) {
  // (A driver usually hands back the vector it emptied: then nothing is destroyed, and the
  // call is a few moves.)
  if (!out->empty()) clear_events(out);
  out->swap(m_impl->events);
}
std::optional<Micros> SmtpClient::next_deadline() const {
  return m_impl->deadline();
}
bool SmtpClient::finished() const {
  return m_impl->phase == Impl::Phase::kFinished;
}

const std::vector<TransactionOutcome>& SmtpClient::outcomes() const {
  return m_impl->outcomes;
}
const std::vector<std::string>& SmtpClient::server_extensions() const {
  return m_impl->capabilities().keywords;
}
const std::vector<SmtpExtension>& SmtpClient::server_capabilities() const {
  return m_impl->capabilities().capabilities;
}
bool SmtpClient::tls_active() const {
  return m_impl->tls;
}
bool SmtpClient::authenticated() const {
  return m_impl->authenticated;
}

}  // namespace mailhop::proto
