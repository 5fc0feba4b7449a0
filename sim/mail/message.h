#pragma once
// RFC 5322 Internet Message Format: header fields (folded and unfolded) and body.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailhop::mail {

struct HeaderField {
  std::string name;   // as written, e.g. "Subject"
  std::string value;  // raw value after the colon, folding kept (CRLF + WSP), no final CRLF
  std::string unfolded() const;  // RFC 5322 3.2.2: CRLF removed before WSP
  friend bool operator==(const HeaderField&, const HeaderField&) = default;
};

struct MessageParseError {
  std::size_t line = 0;  // 1-based line number of the problem
  std::string reason;
};

class Message {
 public:
  Message() = default;

  // Parses CRLF (or bare LF) text into header fields and body. Lenient where RFC 5322
  // obsolete syntax allows; an error names the line when the header section is malformed.
  static std::optional<Message> parse(std::string_view text, MessageParseError* error = nullptr);

  // Serialises with CRLF line ends. parse(serialize()) gives back the same fields and body.
  std::string serialize() const;

  const std::vector<HeaderField>& headers() const { return m_headers; }
  std::vector<HeaderField>& headers() { return m_headers; }
  const std::string& body() const { return m_body; }
  void set_body(std::string body) { m_body = std::move(body); }

  // Case-insensitive lookups; `get` returns the first field's unfolded value.
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> get_all(std::string_view name) const;
  bool has(std::string_view name) const;

  void append(std::string name, std::string value);   // at the end of the header section
  void prepend(std::string name, std::string value);   // at the top (Received, Return-Path)
  void remove_all(std::string_view name);

  // Folds a long unstructured value at whitespace so no line exceeds `limit` octets
  // (RFC 5322 2.1.1: 78 recommended, 998 required).
  static std::string fold(std::string_view name, std::string_view value, std::size_t limit = 78);

 private:
  std::vector<HeaderField> m_headers;
  std::string m_body;  // everything after the blank line, CRLF line ends
};

}  // namespace mailhop::mail
