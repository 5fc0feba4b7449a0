#include "sim/proto/imap_syntax.h"

#include <algorithm>
#include <limits>

#include "sim/mail/ascii.h"

namespace mailhop::proto {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses "{n}" or "{n+}" at the end of `line`; returns the size and whether it synchronizes.
// A size too large for std::size_t is returned as the maximum (then refused as too big).
std::optional<std::pair<std::size_t, bool>> literal_at_end(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inner = line.substr(open + 1, line.size() - open - 2);
  bool sync = true;
  if (!inner.empty() && inner.back() == '+') {
    sync = false;
    inner.remove_suffix(1);
  }
  if (inner.empty() || inner.size() > 19) {
    if (inner.size() > 19 && std::all_of(inner.begin(), inner.end(), is_digit)) {
      return std::make_pair(std::numeric_limits<std::size_t>::max(), sync);
    }
    return std::nullopt;
  }
  std::size_t n = 0;
  for (char c : inner) {
    if (!is_digit(c)) return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return std::make_pair(n, sync);
}

}  // namespace

// ---- ImapAssembler

void ImapAssembler::clear() {
  m_buffer.clear();
  m_pos = 0;
  m_command.clear();
  m_literal_left = 0;
  m_skip_left = 0;
  m_discard_line = false;
}

void ImapAssembler::compact() {
  if (m_pos > 4096 && m_pos * 2 > m_buffer.size()) {
    m_buffer.erase(0, m_pos);
    m_pos = 0;
  }
}

std::optional<ImapAssembler::Item> ImapAssembler::next() {
  while (true) {
    compact();
    if (m_skip_left > 0) {
      const std::size_t n = std::min(m_skip_left, m_buffer.size() - m_pos);
      m_pos += n;
      m_skip_left -= n;
      if (m_skip_left > 0) return std::nullopt;
      continue;
    }
    if (m_literal_left > 0) {
      const std::size_t n = std::min(m_literal_left, m_buffer.size() - m_pos);
      m_command.append(m_buffer, m_pos, n);
      m_pos += n;
      m_literal_left -= n;
      if (m_literal_left > 0) return std::nullopt;
      continue;
    }
    const std::size_t crlf = m_buffer.find("\r\n", m_pos);
    if (crlf == std::string::npos) {
      // Incomplete line: refuse it as soon as it is known to be too long.
      if (!m_discard_line && m_buffer.size() - m_pos > m_max_line) {
        Item item{Item::Kind::kTooLong, m_command + m_buffer.substr(m_pos, 64), 0, true};
        m_command.clear();
        m_discard_line = true;
        // Keep the last octet: it may be the CR of the CRLF that ends the line.
        m_pos = m_buffer.size() - 1;
        return item;
      }
      if (m_discard_line && m_buffer.size() - m_pos > 1) m_pos = m_buffer.size() - 1;
      return std::nullopt;
    }
    const std::string_view line(m_buffer.data() + m_pos, crlf - m_pos);
    m_pos = crlf + 2;
    if (m_discard_line) {
      // The rest of a dropped command: its literals must be skipped too.
      if (const auto lit = literal_at_end(line); lit && !lit->second) {
        m_skip_left = lit->first;
      } else {
        m_discard_line = false;
      }
      continue;
    }
    if (line.size() + 2 > m_max_line) {
      Item item{Item::Kind::kTooLong, m_command + std::string(line.substr(0, 64)), 0, true};
      m_command.clear();
      if (const auto lit = literal_at_end(line); lit && !lit->second) {
        m_skip_left = lit->first;
        m_discard_line = true;
      }
      return item;
    }
    m_command.append(line);
    const auto lit = literal_at_end(line);
    if (!lit) {
      Item item{Item::Kind::kComplete, std::move(m_command), 0, true};
      m_command.clear();
      return item;
    }
    const auto [size, sync] = *lit;
    if (size > m_max_literal) {
      Item item{Item::Kind::kLiteralTooBig, std::move(m_command), size, sync};
      m_command.clear();
      if (!sync) {
        m_skip_left = size;
        m_discard_line = true;
      }
      return item;
    }
    m_command += "\r\n";
    m_literal_left = size;
    if (sync) return Item{Item::Kind::kLiteralWanted, m_command, size, true};
  }
}

// ---- ImapCursor

bool ImapCursor::is_atom_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']':
      return false;
    default:
      return true;
  }
}

bool ImapCursor::consume(char c) {
  if (peek() != c || at_end()) return false;
  ++m_pos;
  return true;
}

bool ImapCursor::consume_keyword(std::string_view word) {
  if (m_text.size() - m_pos < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (mail::ascii_upper(m_text[m_pos + i]) != mail::ascii_upper(word[i])) return false;
  }
  m_pos += word.size();
  return true;
}

std::optional<std::string> ImapCursor::atom() {
  const std::size_t start = m_pos;
  while (!at_end() && is_atom_char(m_text[m_pos])) ++m_pos;
  if (m_pos == start) return std::nullopt;
  return std::string(m_text.substr(start, m_pos - start));
}

std::optional<std::string> ImapCursor::tag() {
  const std::size_t start = m_pos;
  while (!at_end() && (is_atom_char(m_text[m_pos]) || m_text[m_pos] == ']') && m_text[m_pos] != '+') {
    ++m_pos;
  }
  if (m_pos == start) return std::nullopt;
  return std::string(m_text.substr(start, m_pos - start));
}

std::optional<std::string> ImapCursor::quoted() {
  if (peek() != '"') return std::nullopt;
  std::size_t p = m_pos + 1;
  std::string out;
  while (p < m_text.size()) {
    const char c = m_text[p];
    if (c == '"') {
      m_pos = p + 1;
      return out;
    }
    if (c == '\r' || c == '\n' || c == '\0') return std::nullopt;
    if (c == '\\') {
      if (p + 1 >= m_text.size()) return std::nullopt;
      const char e = m_text[p + 1];
      if (e != '"' && e != '\\') return std::nullopt;
      out += e;
      p += 2;
      continue;
    }
    out += c;
    ++p;
  }
  return std::nullopt;
}

std::optional<std::string> ImapCursor::literal() {
  if (peek() != '{') return std::nullopt;
  std::size_t p = m_pos + 1;
  std::size_t n = 0;
  const std::size_t digits_start = p;
  while (p < m_text.size() && is_digit(m_text[p]) && p - digits_start < 19) {
    n = n * 10 + static_cast<std::size_t>(m_text[p] - '0');
    ++p;
  }
  if (p == digits_start) return std::nullopt;
  if (p < m_text.size() && m_text[p] == '+') ++p;
  if (m_text.substr(p, 3) != "}\r\n") return std::nullopt;
  p += 3;
  if (m_text.size() - p < n) return std::nullopt;
  m_pos = p + n;
  return std::string(m_text.substr(p, n));
}

std::optional<std::string> ImapCursor::string() {
  if (peek() == '"') return quoted();
  return literal();
}

std::optional<std::string> ImapCursor::astring() {
  if (peek() == '"' || peek() == '{') return string();
  const std::size_t start = m_pos;
  while (!at_end() && (is_atom_char(m_text[m_pos]) || m_text[m_pos] == ']')) ++m_pos;
  if (m_pos == start) return std::nullopt;
  return std::string(m_text.substr(start, m_pos - start));
}

std::optional<std::optional<std::string>> ImapCursor::nstring() {
  if (peek() == '"' || peek() == '{') {
    auto s = string();
    if (!s) return std::nullopt;
    return std::optional<std::string>(std::move(*s));
  }
  const std::size_t start = m_pos;
  if (consume_keyword("NIL") && (at_end() || !is_atom_char(peek()))) {
    return std::optional<std::string>();
  }
  m_pos = start;
  return std::nullopt;
}

std::optional<std::string> ImapCursor::list_mailbox() {
  if (peek() == '"' || peek() == '{') return string();
  const std::size_t start = m_pos;
  while (!at_end()) {
    const char c = m_text[m_pos];
    if (!is_atom_char(c) && c != '%' && c != '*' && c != ']') break;
    ++m_pos;
  }
  if (m_pos == start) return std::nullopt;
  return std::string(m_text.substr(start, m_pos - start));
}

std::optional<std::uint32_t> ImapCursor::number() {
  const std::size_t start = m_pos;
  std::uint64_t n = 0;
  while (!at_end() && is_digit(m_text[m_pos])) {
    n = n * 10 + static_cast<std::uint64_t>(m_text[m_pos] - '0');
    ++m_pos;
    if (n > std::numeric_limits<std::uint32_t>::max()) {
      m_pos = start;
      return std::nullopt;
    }
  }
  if (m_pos == start) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

std::optional<std::string> ImapCursor::flag() {
  const std::size_t start = m_pos;
  if (consume('\\')) {
    if (consume('*')) return std::string("\\*");
    auto a = atom();
    if (!a) {
      m_pos = start;
      return std::nullopt;
    }
    return "\\" + *a;
  }
  return atom();
}

// ---- SequenceSet

std::optional<SequenceSet> SequenceSet::parse(std::string_view text) {
  SequenceSet set;
  ImapCursor c(text);
  auto value = [&]() -> std::optional<std::uint32_t> {
    if (c.consume('*')) return 0u;
    const char first = c.peek();
    if (first < '1' || first > '9') return std::nullopt;
    return c.number();
  };
  while (true) {
    const auto a = value();
    if (!a) return std::nullopt;
    std::uint32_t b = *a;
    if (c.consume(':')) {
      const auto v = value();
      if (!v) return std::nullopt;
      b = *v;
    }
    set.m_ranges.emplace_back(*a, b);
    if (c.at_end()) return set;
    if (!c.consume(',')) return std::nullopt;
  }
}

bool SequenceSet::contains(std::uint32_t n, std::uint32_t largest) const {
  for (const auto& [a0, b0] : m_ranges) {
    const std::uint32_t a = a0 == 0 ? largest : a0;
    const std::uint32_t b = b0 == 0 ? largest : b0;
    if (n >= std::min(a, b) && n <= std::max(a, b)) return true;
  }
  return false;
}

std::uint32_t SequenceSet::max_number(std::uint32_t largest) const {
  std::uint32_t m = 0;
  for (const auto& [a, b] : m_ranges) {
    m = std::max({m, a == 0 ? largest : a, b == 0 ? largest : b});
  }
  return m;
}

bool SequenceSet::uses_star() const {
  return std::any_of(m_ranges.begin(), m_ranges.end(),
                     [](const auto& r) { return r.first == 0 || r.second == 0; });
}

std::string SequenceSet::str() const {
  std::string out;
  auto num = [](std::uint32_t n) { return n == 0 ? std::string("*") : std::to_string(n); };
  for (const auto& [a, b] : m_ranges) {
    if (!out.empty()) out += ',';
    out += num(a);
    if (a != b) out += ":" + num(b);
  }
  return out;
}

// ---- formatting

std::string imap_literal(std::string_view s) {
  return "{" + std::to_string(s.size()) + "}\r\n" + std::string(s);
}

std::string imap_quote(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\0' || u >= 0x80) return imap_literal(s);
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string imap_astring(std::string_view s) {
  const bool atom = !s.empty() && std::all_of(s.begin(), s.end(), ImapCursor::is_atom_char) &&
                    mail::ascii_upper(s) != "NIL";
  return atom ? std::string(s) : imap_quote(s);
}

std::string imap_nstring(const std::optional<std::string>& s) {
  return s ? imap_quote(*s) : std::string("NIL");
}

}  // namespace mailhop::proto
