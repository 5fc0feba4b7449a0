#pragma once
// The client side of IMAP's response syntax (RFC 3501 section 7 and the grammar of section
// 9): cutting a byte stream into whole responses, with literals "{n}" that may be split
// anywhere across reads, and reading the values inside them (atoms, numbers, quoted strings,
// literals, NIL, parenthesized lists).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailhop::proto {

// One value of a response. Atoms keep bracketed parts whole: "BODY[HEADER.FIELDS (FROM)]"
// and "BODY[]<0>" are single atoms.
struct ImapValue {
  enum class Kind { kAtom, kString, kNil, kList };
  Kind kind = Kind::kAtom;
  std::string text;              // kAtom, kString
  std::vector<ImapValue> items;  // kList

  bool is_atom(std::string_view upper) const;   // an atom equal to `upper`, case-insensitively
  std::optional<std::uint32_t> number() const;  // an atom of digits that fits 32 bits
};

// A whole response: everything up to the CRLF that ends it, literals included.
struct ImapRawResponse {
  std::string bytes;  // the response as received, CRLFs and literal data included
  // The lines as they appeared, without CRLF and without literal data; `literal` is the
  // number of literal octets that followed that line (0 when none).
  struct Line {
    std::string text;
    std::size_t literal = 0;
  };
  std::vector<Line> lines;
};

// Cuts the stream into responses.
class ImapResponseReader {
 public:
  ImapResponseReader(std::size_t max_line, std::size_t max_literal)
      : m_max_line(max_line), m_max_literal(max_literal) {}

  void feed(std::string_view bytes) { m_buffer.append(bytes); }
  // The next complete response, or nothing until more bytes arrive (or after an error).
  std::optional<ImapRawResponse> next();
  // Set when a line or a literal exceeds the limits; nothing more is returned after that.
  const std::string& error() const { return m_error; }
  void clear();
  std::size_t buffered() const { return m_buffer.size() - m_start; }

 private:
  std::size_t m_max_line;
  std::size_t m_max_literal;
  std::string m_buffer;
  std::size_t m_start = 0;  // start of the response being assembled
  std::size_t m_scan = 0;   // where to resume looking for CRLF
  std::size_t m_line_start = 0;
  std::vector<ImapRawResponse::Line> m_lines;
  std::string m_error;
};

// Reads values from a whole response.
class ImapTokenizer {
 public:
  explicit ImapTokenizer(std::string_view bytes) : m_bytes(bytes) {}

  // At the final CRLF (or the end).
  bool at_end() const;
  // Skips exactly one space; false when the next octet is not a space.
  bool space();
  // The next octet, or '\0' at the end.
  char peek() const;
  // The next value; nothing (and error()) on a syntax error.
  std::optional<ImapValue> value();
  // The next atom (no strings, no lists).
  std::optional<std::string> atom();
  // Everything up to the final CRLF, as text (resp-text).
  std::string rest();
  std::size_t position() const { return m_pos; }
  const std::string& error() const { return m_error; }

 private:
  std::optional<ImapValue> fail(std::string reason);
  std::optional<ImapValue> list(int depth);
  std::optional<ImapValue> value_at(int depth);

  std::string_view m_bytes;
  std::size_t m_pos = 0;
  std::string m_error;
};

// A status response's parts: "OK [UIDVALIDITY 3857529045] UIDs valid" gives status "OK", code
// "UIDVALIDITY", code_args "3857529045", text "UIDs valid".
struct ImapStatusText {
  std::string status;     // OK, NO, BAD, BYE, PREAUTH (upper-cased)
  std::string code;       // upper-cased; empty without a [code]
  std::string code_args;  // the rest inside the brackets
  std::string text;
};
// Parses the resp-text after the tag (or "*"), e.g. "OK [ALERT] hi". Nothing when malformed.
std::optional<ImapStatusText> parse_imap_status(std::string_view after_tag);

// Quotes a string for a command (RFC 3501 quoted), or nothing when it cannot be quoted (CR,
// LF or NUL inside).
std::optional<std::string> imap_quote_checked(std::string_view s);

// "1:3,5,7:8" for the sorted, de-duplicated UIDs.
std::string imap_uid_set(std::vector<std::uint32_t> uids);

}  // namespace mailhop::proto
