#include "sim/proto/imap_client_parse.h"

#include <algorithm>

#include "sim/mail/ascii.h"

namespace mailhop::proto {
namespace {

constexpr int kMaxDepth = 32;

// "{123}" or "{123+}" at the end of a line (RFC 3501 literal, RFC 7888 non-synchronizing):
// the octet count, or nothing.
std::optional<std::size_t> literal_at_end(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  std::size_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

bool atom_end(char c) {
  return c == ' ' || c == '(' || c == ')' || c == '"' || c == '{' || c == '\r' || c == '\n' ||
         c == '\0';
}

}  // namespace

bool ImapValue::is_atom(std::string_view upper) const {
  return kind == Kind::kAtom && mail::ascii_upper(text) == upper;
}

std::optional<std::uint32_t> ImapValue::number() const {
  if (kind != Kind::kAtom || text.empty() || text.size() > 10) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (n > 0xffffffffULL) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

// ---------------------------------------------------------------------------------------------

std::optional<ImapRawResponse> ImapResponseReader::next() {
  if (!m_error.empty()) return std::nullopt;
  while (true) {
    const std::size_t crlf = m_buffer.find("\r\n", m_scan);
    if (crlf == std::string::npos) {
      if (m_buffer.size() - m_line_start > m_max_line) {
        m_error = "response line longer than " + std::to_string(m_max_line) + " octets";
        return std::nullopt;
      }
      m_scan = std::max(m_line_start, m_buffer.empty() ? 0 : m_buffer.size() - 1);
      return std::nullopt;
    }
    const std::string_view line =
        std::string_view(m_buffer).substr(m_line_start, crlf - m_line_start);
    if (line.size() + 2 > m_max_line) {
      m_error = "response line longer than " + std::to_string(m_max_line) + " octets";
      return std::nullopt;
    }
    if (const auto n = literal_at_end(line)) {
      if (*n > m_max_literal) {
        m_error = "literal of " + std::to_string(*n) + " octets is larger than the limit of " +
                  std::to_string(m_max_literal);
        return std::nullopt;
      }
      const std::size_t end = crlf + 2 + *n;
      if (m_buffer.size() < end) {
        m_scan = crlf;  // wait for the literal's data
        return std::nullopt;
      }
      m_lines.push_back({std::string(line), *n});
      m_line_start = end;
      m_scan = end;
      continue;
    }
    m_lines.push_back({std::string(line), 0});
    ImapRawResponse out;
    out.bytes = m_buffer.substr(m_start, crlf + 2 - m_start);
    out.lines = std::move(m_lines);
    m_lines.clear();
    m_start = m_line_start = m_scan = crlf + 2;
    if (m_start == m_buffer.size() || m_start > 65536) {
      m_buffer.erase(0, m_start);
      m_start = m_line_start = m_scan = 0;
    }
    return out;
  }
}

void ImapResponseReader::clear() {
  m_buffer.clear();
  m_lines.clear();
  m_start = m_scan = m_line_start = 0;
}

// ---------------------------------------------------------------------------------------------

bool ImapTokenizer::at_end() const {
  return m_pos >= m_bytes.size() || m_bytes.substr(m_pos) == "\r\n";
}

bool ImapTokenizer::space() {
  if (peek() != ' ') return false;
  ++m_pos;
  return true;
}

char ImapTokenizer::peek() const {
  return m_pos < m_bytes.size() ? m_bytes[m_pos] : '\0';
}

std::optional<ImapValue> ImapTokenizer::fail(std::string reason) {
  if (m_error.empty()) m_error = std::move(reason) + " at octet " + std::to_string(m_pos);
  return std::nullopt;
}

std::optional<ImapValue> ImapTokenizer::value() {
  return value_at(0);
}

std::optional<std::string> ImapTokenizer::atom() {
  if (atom_end(peek())) {
    fail("expected an atom");
    return std::nullopt;
  }
  auto v = value_at(0);
  if (!v) return std::nullopt;
  return v->text;
}

std::string ImapTokenizer::rest() {
  std::size_t end = m_bytes.size();
  if (end >= 2 && m_bytes.substr(end - 2) == "\r\n") end -= 2;
  std::string out(m_bytes.substr(std::min(m_pos, end), end - std::min(m_pos, end)));
  m_pos = m_bytes.size();
  return out;
}

std::optional<ImapValue> ImapTokenizer::list(int depth) {
  ++m_pos;  // "("
  ImapValue out;
  out.kind = ImapValue::Kind::kList;
  while (true) {
    while (peek() == ' ') ++m_pos;
    if (peek() == ')') {
      ++m_pos;
      return out;
    }
    if (at_end()) return fail("unterminated list");
    auto v = value_at(depth + 1);
    if (!v) return std::nullopt;
    out.items.push_back(std::move(*v));
    const char next = peek();
    if (next != ' ' && next != ')') return fail("expected a space or \")\" in a list");
  }
}

std::optional<ImapValue> ImapTokenizer::value_at(int depth) {
  if (depth > kMaxDepth) return fail("lists nested too deeply");
  const char c = peek();
  if (c == '(') return list(depth);
  if (c == '"') {
    ++m_pos;
    ImapValue out;
    out.kind = ImapValue::Kind::kString;
    while (true) {
      if (m_pos >= m_bytes.size()) return fail("unterminated quoted string");
      const char q = m_bytes[m_pos++];
      if (q == '"') return out;
      if (q == '\r' || q == '\n') return fail("line end inside a quoted string");
      if (q == '\\') {
        if (m_pos >= m_bytes.size()) return fail("unterminated quoted string");
        const char e = m_bytes[m_pos++];
        if (e != '\\' && e != '"') return fail("bad escape in a quoted string");
        out.text += e;
      } else {
        out.text += q;
      }
    }
  }
  if (c == '{') {
    const std::size_t close = m_bytes.find('}', m_pos);
    if (close == std::string_view::npos || m_bytes.substr(close + 1, 2) != "\r\n") {
      return fail("malformed literal");
    }
    const auto n = literal_at_end(m_bytes.substr(m_pos, close - m_pos + 1));
    if (!n) return fail("malformed literal");
    const std::size_t start = close + 3;
    if (m_bytes.size() < start || m_bytes.size() - start < *n) {
      return fail("literal longer than the response");
    }
    ImapValue out;
    out.kind = ImapValue::Kind::kString;
    out.text = std::string(m_bytes.substr(start, *n));
    m_pos = start + *n;
    return out;
  }
  if (atom_end(c)) return fail(c == '\0' ? "unexpected end of response" : "unexpected character");
  ImapValue out;
  while (!atom_end(peek())) {
    const char a = m_bytes[m_pos];
    if (a == '[') {
      // A section: everything up to the matching "]" belongs to the atom.
      const std::size_t close = m_bytes.find(']', m_pos);
      const std::size_t eol = m_bytes.find('\r', m_pos);
      if (close == std::string_view::npos || (eol != std::string_view::npos && eol < close)) {
        return fail("unterminated \"[\"");
      }
      out.text.append(m_bytes.substr(m_pos, close - m_pos + 1));
      m_pos = close + 1;
      continue;
    }
    out.text += a;
    ++m_pos;
  }
  if (mail::ascii_upper(out.text) == "NIL") {
    out.kind = ImapValue::Kind::kNil;
    out.text.clear();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

std::optional<ImapStatusText> parse_imap_status(std::string_view s) {
  ImapStatusText out;
  const std::size_t space = s.find(' ');
  out.status = mail::ascii_upper(s.substr(0, space));
  if (out.status != "OK" && out.status != "NO" && out.status != "BAD" && out.status != "BYE" &&
      out.status != "PREAUTH") {
    return std::nullopt;
  }
  if (space == std::string_view::npos) return out;
  std::string_view rest = s.substr(space + 1);
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view inside = rest.substr(1, close - 1);
    const std::size_t sp = inside.find(' ');
    out.code = mail::ascii_upper(inside.substr(0, sp));
    if (out.code.empty()) return std::nullopt;
    if (sp != std::string_view::npos) out.code_args = std::string(inside.substr(sp + 1));
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  out.text = std::string(rest);
  return out;
}

std::optional<std::string> imap_quote_checked(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return std::nullopt;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string imap_uid_set(std::vector<std::uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  std::string out;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(uids[i]);
    if (j > i) out += ':' + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace mailhop::proto
