#pragma once
// SMTP replies (RFC 5321 4.2) with RFC 3463 enhanced status codes, and a parser for clients.

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

// Builds replies from reply lines (client side). Feed one line (without CRLF) at a time.
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
