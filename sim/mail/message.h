#pragma once
// RFC 5322 Internet Message Format: header fields (folded and unfolded) and body.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailhop::mail {

// One header field. `value` is exactly what follows the colon, so "Subject: Hi" has the value
// " Hi" (with its leading space) and serialising gives back the same octets.
struct HeaderField {
  std::string name;   // as written, e.g. "Subject"
  std::string value;  // raw value after the colon, folding kept (CRLF + WSP), no final CRLF
  std::string unfolded() const;  // RFC 5322 3.2.2: CRLF removed before WSP
  std::string text() const;      // unfolded, leading and trailing WSP removed: "Hi"
  friend bool operator==(const HeaderField&, const HeaderField&) = default;
};

struct MessageParseError {
  std::size_t line = 0;  // 1-based line number of the problem
  std::string reason;
  std::string str() const;  // "line 3: ..."
};

class Message {
 public:
  Message() = default;

  // Parses CRLF (or bare LF) text into header fields and body. Lenient where RFC 5322
  // obsolete syntax allows; an error names the line when the header section is malformed.
  // The header section ends at the first empty line (or at the end of the text); a line in
  // it that starts with SP or HTAB continues the previous field. Bare LF line ends become
  // CRLF in values and body; everything else is kept as written, so serialize() gives back
  // CRLF input octet for octet (except obsolete whitespace between a name and its colon).
  static std::optional<Message> parse(std::string_view text, MessageParseError* error = nullptr);

  // Serialises with CRLF line ends. parse(serialize()) gives back the same fields and body.
  // A value holding a line break that is not a fold (CRLF + WSP), or a trailing one, is
  // repaired so the header section can never be cut short (no header injection).
  std::string serialize() const;

  const std::vector<HeaderField>& headers() const { return m_headers; }
  std::vector<HeaderField>& headers() { return m_headers; }
  const std::string& body() const { return m_body; }
  void set_body(std::string body);  // bare LF line ends become CRLF

  // Case-insensitive lookups; `get` returns the first field's text(): unfolded, with the
  // surrounding whitespace removed. `find` gives the field itself without copying.
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> get_all(std::string_view name) const;
  bool has(std::string_view name) const;
  const HeaderField* find(std::string_view name) const;
  std::size_t count(std::string_view name) const;

  // `value` is the field value; a single SP is put after the colon unless the value is empty
  // or already starts with whitespace or a fold (so `fold()` results go in unchanged). Line
  // breaks that are not folds are repaired as in serialize().
  void append(std::string name, std::string value);   // at the end of the header section
  void prepend(std::string name, std::string value);  // at the top (Received, Return-Path)
  void remove_all(std::string_view name);

  // Folds a long unstructured value at whitespace so no line exceeds `limit` octets
  // (RFC 5322 2.1.1: 78 recommended, 998 required). The result is a raw field value: it
  // starts with the SP after the colon, and "name:" + result obeys the limit where words
  // allow. Folds are CRLF inserted before existing whitespace, never inside a word; a word
  // longer than the limit stays alone on its line. Existing folds are undone first and any
  // other CR or LF becomes a space. Unfolding the result gives " " + value back.
  static std::string fold(std::string_view name, std::string_view value, std::size_t limit = 78);

  // RFC 5322 3.6.8: 1*ftext, printable US-ASCII except ':'.
  static bool is_valid_field_name(std::string_view name);

  friend bool operator==(const Message&, const Message&) = default;

 private:
  std::vector<HeaderField> m_headers;
  std::string m_body;  // everything after the blank line, CRLF line ends
};

}  // namespace mailhop::mail
