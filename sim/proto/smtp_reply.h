#pragma once
// SMTP replies (RFC 5321 4.2) with RFC 3463 enhanced status codes, and a parser for clients.

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mailhop::proto {

struct SmtpReply {
  int code = 0;                    // three digits, 200..599
  std::string enhanced;            // "2.1.0"; empty when not used
  std::vector<std::string> lines;  // text of each line, without the code and enhanced code

  SmtpReply() = default;
  SmtpReply(int c, std::string enh, std::string text)
      : code(c), enhanced(std::move(enh)) {
    lines.reserve(1);
    lines.push_back(std::move(text));  // moved: a braced list would copy it
  }

  int reply_class() const { return code / 100; }  // 2, 3, 4 or 5
  bool is_positive() const { return code >= 200 && code < 400; }
  bool is_transient() const { return code >= 400 && code < 500; }
  bool is_permanent() const { return code >= 500 && code < 600; }

  // "250-first\r\n250 last\r\n"; the enhanced code, when set, starts every line's text.
  std::string to_wire() const;
  // The same appended to `out`.
  void append_wire(std::string& out) const;
  // The number of lines on the wire (one even when `lines` is empty).
  std::size_t wire_line_count() const { return lines.empty() ? 1 : lines.size(); }
  // Wire line `i` (< wire_line_count()) without its CRLF, appended to `out`: "250-first".
  void append_wire_line(std::string& out, std::size_t i) const;
  // All lines joined with " / ", prefixed by code and enhanced code: for logs and outcomes.
  std::string summary() const;

  friend bool operator==(const SmtpReply&, const SmtpReply&) = default;
};

// The wire form of a reply given as views, appended to `out`: the octets SmtpReply::append_wire
// writes for a reply with these fields (no lines sends one empty line). The caller keeps the
// lines free of CR and LF.
void append_reply_wire(std::string& out, int code, std::string_view enhanced,
                       std::span<const std::string_view> lines);

// True when `text` starts with an RFC 3463 enhanced status code "c.sss.ddd" followed by a
// space or the end; `out` receives the code.
bool parse_enhanced_code(std::string_view text, std::string* out, std::size_t* length);
// The length of the RFC 3463 code that `text` starts with (followed by a space or the end), or
// 0 when it does not start with one.
inline std::size_t enhanced_code_length(std::string_view text) {
  // class "." subject "." detail: class 2/4/5, subject 1-3 digits, detail 1-3 digits (so at
  // least five octets: most texts fail the first test).
  const std::size_t n = text.size();
  if (n < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') return 0;
  const auto is_digit = [](char c) { return static_cast<unsigned char>(c) - unsigned{'0'} <= 9; };
  // The usual shape, a one-digit subject and detail ("2.1.0"), looked at directly.
  if (is_digit(text[2]) && text[3] == '.' && is_digit(text[4]) && (n == 5 || text[5] == ' ')) {
    return 5;
  }
  std::size_t i = 2;
  for (int part = 0; part < 2; ++part) {
    const std::size_t start = i;
    while (i < n && i - start < 3 && is_digit(text[i])) ++i;
    if (i == start) return 0;
    if (part == 0) {
      if (i >= n || text[i] != '.') return 0;
      ++i;
    }
  }
  if (i < n && text[i] != ' ') return 0;
  return i;
}

// One reply line (without its CRLF) read by RFC 5321 section 4.2's rules: "ddd-text" (more
// lines follow), "ddd text" or "ddd" (the last line), ddd from 200 to 559.
struct SmtpReplyLine {
  int code = 0;
  bool last = false;
  std::string_view enhanced;  // the leading enhanced code, when asked for and present
  std::string_view text;      // the rest of the line: views into it
};
// Reads `line` into `out`; false when it is not a reply line. With `enhanced`
// (ENHANCEDSTATUSCODES was advertised) a leading enhanced code of the reply's class is split
// from the text (RFC 3463: a code of another class is text).
// (Inlined: a client reads every line of every reply through it, and the checks below are a
// few comparisons of unsigned differences, cheaper than the call.)
[[gnu::always_inline]] inline bool parse_reply_line(std::string_view line, bool enhanced,
                                                    SmtpReplyLine& out) {
  const std::size_t n = line.size();
  if (n < 3) return false;
  // Each digit's distance from the lowest it may be, compared unsigned: one test per range.
  const unsigned d0 = static_cast<unsigned char>(line[0]) - unsigned{'2'};  // '2'..'5'
  const unsigned d1 = static_cast<unsigned char>(line[1]) - unsigned{'0'};  // '0'..'5'
  const unsigned d2 = static_cast<unsigned char>(line[2]) - unsigned{'0'};  // '0'..'9'
  const char sep = n > 3 ? line[3] : ' ';                                   // "ddd" is a last line
  if (d0 > 3 || d1 > 5 || d2 > 9 || (sep != ' ' && sep != '-')) return false;
  out.code = static_cast<int>(200 + d0 * 100 + d1 * 10 + d2);
  out.last = sep == ' ';
  out.enhanced = {};
  const std::size_t text_at = n > 3 ? 4 : 3;  // (empty: at the line's end)
  out.text = std::string_view(line.data() + text_at, n - text_at);
  if (enhanced) {
    const std::size_t len = enhanced_code_length(out.text);
    if (len > 0 && out.text[0] == line[0]) {
      out.enhanced = out.text.substr(0, len);
      out.text.remove_prefix(len);
      if (!out.text.empty() && out.text[0] == ' ') out.text.remove_prefix(1);
    }
  }
  return true;
}

// The reasons a client gives when a reply cannot be read: a line that parse_reply_line refuses,
// and a line of a multi-line reply whose code is not the first line's.
std::string malformed_reply_line_error(std::string_view line);
std::string reply_code_changed_error(int first, int then);

// Builds replies from reply lines (client side) by parse_reply_line's rules. Feed one line
// (without CRLF) at a time.
class SmtpReplyParser {
 public:
  enum class Status { kNeedMore, kComplete, kError };

  // When `enhanced` is true (ENHANCEDSTATUSCODES was advertised), a leading enhanced code
  // is split from each line's text into SmtpReply::enhanced.
  Status feed_line(std::string_view line, bool enhanced);
  // The finished reply after kComplete; resets the parser for the next reply.
  SmtpReply take();
  // The finished reply after kComplete, in place: valid until reset() or the next line.
  const SmtpReply& reply() const { return m_reply; }
  // Forgets the finished reply, keeping its buffers for the next one (no new allocations for
  // a reply of as many lines as the last).
  void reset();
  // The reason after kError (a line that is not "ddd-", "ddd " or "ddd").
  const std::string& error() const { return m_error; }

 private:
  SmtpReply m_reply;
  bool m_started = false;
  std::string m_error;
};

}  // namespace mailhop::proto
