#pragma once
// IMAP syntax shared by servers and clients (RFC 3501 section 9, RFC 9051 section 9): the
// assembly of a command or response from lines and literals, a cursor that reads atoms,
// quoted strings, literals and numbers, sequence sets, and the formatting of strings.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailhop::proto {

// Collects one complete command (or response) from a byte stream: a line, and when it ends
// with a literal announcement "{n}" or "{n+}" (RFC 7888 LITERAL+), the n octets that follow
// and the rest of the command after them, until a line without a literal ends it.
//
// The text handed out keeps every literal as it was written, "{n}\r\n" followed by the n
// octets, so ImapCursor can read it; only the final CRLF is removed.
class ImapAssembler {
 public:
  struct Item {
    enum class Kind {
      kComplete,      // `text` is a whole command / response
      kLiteralWanted, // a synchronizing literal {n} was announced: the server answers "+"
                      // (the assembler already waits for the octets)
      kTooLong,       // a line exceeded the limit: the command so far is dropped until the
                      // end of its line; `text` holds its start (for the tag)
      kLiteralTooBig, // a literal exceeded the limit; `text` is the command so far.
                      // Synchronizing: nothing more comes, the command is dropped.
                      // Non-synchronizing: its octets and the rest of the command are skipped.
    };
    Kind kind = Kind::kComplete;
    std::string text;
    std::size_t literal_size = 0;  // kLiteralWanted / kLiteralTooBig
    bool synchronizing = true;     // kLiteralWanted / kLiteralTooBig
  };

  ImapAssembler(std::size_t max_line, std::size_t max_literal)
      : m_max_line(max_line), m_max_literal(max_literal) {}

  void feed(std::string_view bytes) { m_buffer.append(bytes); }
  std::optional<Item> next();
  // Forgets everything buffered and the command in progress.
  void clear();
  // A command is partly received (some lines or literal octets).
  bool in_command() const { return !m_command.empty() || m_literal_left > 0; }

 private:
  std::size_t m_max_line;
  std::size_t m_max_literal;
  std::string m_buffer;
  std::size_t m_pos = 0;
  std::string m_command;           // assembled so far
  std::size_t m_literal_left = 0;  // octets of a literal still to copy
  std::size_t m_skip_left = 0;     // octets of a refused literal still to drop
  bool m_discard_line = false;     // dropping the rest of an over-long or refused command
  void compact();
};

// Reads the syntax elements of a command's text one after another. Every reader returns
// nothing and leaves the position unchanged when the element is not there.
class ImapCursor {
 public:
  explicit ImapCursor(std::string_view text) : m_text(text) {}

  bool at_end() const { return m_pos >= m_text.size(); }
  char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
  std::size_t pos() const { return m_pos; }
  std::string_view rest() const { return m_text.substr(m_pos); }

  bool consume(char c);
  // Consumes `word` case-insensitively (used for keywords such as "BODY.PEEK[").
  bool consume_keyword(std::string_view word);
  bool sp() { return consume(' '); }

  // 1*ATOM-CHAR.
  std::optional<std::string> atom();
  // A tag: 1*<ASTRING-CHAR except "+">.
  std::optional<std::string> tag();
  // "quoted" with \" and \\ escapes.
  std::optional<std::string> quoted();
  // {n}CRLF octets, or {n+}CRLF octets.
  std::optional<std::string> literal();
  // quoted or literal.
  std::optional<std::string> string();
  // 1*ASTRING-CHAR (atom chars and "]") or a string.
  std::optional<std::string> astring();
  // NIL (nothing inside) or a string.
  std::optional<std::optional<std::string>> nstring();
  // A list-mailbox: 1*(ATOM-CHAR / "%" / "*" / "]") or a string.
  std::optional<std::string> list_mailbox();
  // A number (up to 2^32-1).
  std::optional<std::uint32_t> number();
  // A flag: "\" atom or an atom (keyword).
  std::optional<std::string> flag();

  // RFC 3501 ATOM-CHAR: any CHAR except atom-specials.
  static bool is_atom_char(char c);

 private:
  std::string_view m_text;
  std::size_t m_pos = 0;
};

// A sequence set, "1,3:5,7:*". 0 stands for "*" (the largest number in use).
class SequenceSet {
 public:
  static std::optional<SequenceSet> parse(std::string_view text);

  // Whether n is in the set, with "*" meaning `largest`. "5:*" with largest 3 means 3:5
  // (RFC 3501 section 9, seq-range).
  bool contains(std::uint32_t n, std::uint32_t largest) const;
  // The largest number written in the set ("*" counts as `largest`).
  std::uint32_t max_number(std::uint32_t largest) const;
  bool uses_star() const;
  const std::vector<std::pair<std::uint32_t, std::uint32_t>>& ranges() const { return m_ranges; }
  std::string str() const;

 private:
  std::vector<std::pair<std::uint32_t, std::uint32_t>> m_ranges;
};

// Formats a string for the wire: an atom when `s` is a non-empty atom and not "NIL" (only for
// astrings), a quoted string when it has no CR, LF, NUL or 8-bit octet, else a literal.
std::string imap_quote(std::string_view s);
std::string imap_astring(std::string_view s);
std::string imap_nstring(const std::optional<std::string>& s);
std::string imap_literal(std::string_view s);

}  // namespace mailhop::proto
