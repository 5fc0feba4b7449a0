#include "sim/mail/ascii.h"
#include "sim/mail/message.h"

#include <algorithm>

namespace mailhop::mail {

namespace {

// RFC 5322 2.1.1: a line must not exceed 998 octets, excluding the CRLF.
constexpr std::size_t kHardLineLimit = 998;

constexpr bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

// ftext = %d33-57 / %d59-126
constexpr bool is_ftext(char c) {
  return c >= 33 && c <= 126 && c != ':';
}

std::string describe_char(char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const auto u = static_cast<unsigned char>(c);
  if (u == ' ') return "' ' (space)";
  if (u == '\t') return "0x09 (tab)";
  if (u > 32 && u < 127) return std::string("'") + c + "'";
  std::string out = "0x";
  out += kHex[u >> 4];
  out += kHex[u & 0xF];
  return out;
}

// Appends `text` with every bare LF turned into CRLF.
void append_crlf(std::string& out, std::string_view text) {
  std::size_t from = 0;
  while (true) {
    const std::size_t lf = text.find('\n', from);
    if (lf == std::string_view::npos) {
      out.append(text.substr(from));
      return;
    }
    if (lf > 0 && text[lf - 1] == '\r') {
      out.append(text.substr(from, lf + 1 - from));
    } else {
      out.append(text.substr(from, lf - from));
      out += "\r\n";
    }
    from = lf + 1;
  }
}

// True when every CR or LF in `value` belongs to a CRLF followed by WSP (a fold).
bool value_is_well_formed(std::string_view value) {
  for (std::size_t i = value.find_first_of("\r\n"); i != std::string_view::npos;
       i = value.find_first_of("\r\n", i + 1)) {
    if (value[i] != '\r' || i + 2 >= value.size() || value[i + 1] != '\n' ||
        !is_wsp(value[i + 2])) {
      return false;
    }
    ++i;
  }
  return true;
}

// Appends `value` so that every line break in it is a fold: CRLF, LF and CR alone all become
// CRLF, followed by a space when the next line would not start with WSP; breaks at the end
// are dropped (an empty line would end the header section).
void append_repaired_value(std::string& out, std::string_view value) {
  std::size_t i = 0;
  while (i < value.size()) {
    const char c = value[i];
    if (c != '\r' && c != '\n') {
      out += c;
      ++i;
      continue;
    }
    // Consecutive breaks collapse into one: an empty or blank line would end the header.
    i = value.find_first_not_of("\r\n", i);
    if (i == std::string_view::npos) return;  // only line breaks left
    out += "\r\n";
    if (!is_wsp(value[i])) out += ' ';
  }
}

std::string trim_wsp(std::string s) {
  std::size_t b = 0;
  while (b < s.size() && is_wsp(s[b])) ++b;
  std::size_t e = s.size();
  while (e > b && is_wsp(s[e - 1])) --e;
  if (b == 0 && e == s.size()) return s;
  return s.substr(b, e - b);
}

std::string make_value(std::string value) {
  if (!value_is_well_formed(value)) {
    std::string repaired;
    repaired.reserve(value.size() + 8);
    append_repaired_value(repaired, value);
    value = std::move(repaired);
  }
  if (!value.empty() && !is_wsp(value.front()) && value.front() != '\r') {
    value.insert(value.begin(), ' ');
  }
  return value;
}

}  // namespace

std::string HeaderField::unfolded() const {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\r' && i + 2 < value.size() && value[i + 1] == '\n' && is_wsp(value[i + 2])) {
      ++i;  // drop the CRLF, keep the WSP
      continue;
    }
    out += value[i];
  }
  return out;
}

std::string HeaderField::text() const {
  return trim_wsp(unfolded());
}

std::string MessageParseError::str() const {
  return "line " + std::to_string(line) + ": " + reason;
}

std::optional<Message> Message::parse(std::string_view text, MessageParseError* error) {
  Message m;
  m.m_headers.reserve(16);
  std::size_t pos = 0;
  std::size_t line_no = 0;
  auto fail = [&](std::string reason) -> std::optional<Message> {
    if (error != nullptr) {
      error->line = line_no;
      error->reason = std::move(reason);
    }
    return std::nullopt;
  };

  while (pos < text.size()) {
    ++line_no;
    const std::size_t lf = text.find('\n', pos);
    const std::size_t next = lf == std::string_view::npos ? text.size() : lf + 1;
    std::size_t end = lf == std::string_view::npos ? text.size() : lf;
    if (end > pos && lf != std::string_view::npos && text[end - 1] == '\r') --end;
    const std::string_view line = text.substr(pos, end - pos);
    pos = next;

    if (line.empty()) {
      // The blank line that ends the header section; the rest is the body.
      m.m_body.reserve(text.size() - pos + 16);
      append_crlf(m.m_body, text.substr(pos));
      return m;
    }
    if (is_wsp(line.front())) {
      // RFC 5322 2.2.3: a continuation of the previous field (a fold).
      if (m.m_headers.empty()) {
        return fail(
            "the first line starts with whitespace, but there is no header field before it "
            "to continue");
      }
      std::string& value = m.m_headers.back().value;
      value += "\r\n";
      value += line;
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return fail(
          "header line has no ':' (a field is \"Name: value\", and an empty line must "
          "separate the header from the body)");
    }
    std::string_view name = line.substr(0, colon);
    // RFC 5322 4.5 (obs-optional): whitespace is allowed between the name and the colon.
    while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
    if (name.empty()) return fail("empty field name before ':'");
    for (char c : name) {
      if (!is_ftext(c)) {
        return fail("invalid character " + describe_char(c) + " in field name \"" +
                    std::string(name) + "\" (RFC 5322 3.6.8 allows printable ASCII except ':')");
      }
    }
    m.m_headers.push_back(HeaderField{std::string(name), std::string(line.substr(colon + 1))});
  }
  return m;  // no body: the text ended inside the header section
}

std::string Message::serialize() const {
  std::size_t size = 2 + m_body.size();
  for (const HeaderField& f : m_headers) size += f.name.size() + f.value.size() + 3;
  std::string out;
  out.reserve(size + 16);
  for (const HeaderField& f : m_headers) {
    out += f.name;
    out += ':';
    if (value_is_well_formed(f.value)) {
      out += f.value;
    } else {
      append_repaired_value(out, f.value);
    }
    out += "\r\n";
  }
  out += "\r\n";
  out += m_body;
  return out;
}

void Message::set_body(std::string body) {
  if (body.find('\n') == std::string::npos) {
    m_body = std::move(body);
    return;
  }
  std::string out;
  out.reserve(body.size() + body.size() / 32 + 2);
  append_crlf(out, body);
  m_body = std::move(out);
}

const HeaderField* Message::find(std::string_view name) const {
  for (const HeaderField& f : m_headers) {
    if (ascii_iequal(f.name, name)) return &f;
  }
  return nullptr;
}

std::size_t Message::count(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(m_headers.begin(), m_headers.end(),
                    [&](const HeaderField& f) { return ascii_iequal(f.name, name); }));
}

std::optional<std::string> Message::get(std::string_view name) const {
  const HeaderField* f = find(name);
  if (f == nullptr) return std::nullopt;
  return f->text();
}

std::vector<std::string> Message::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const HeaderField& f : m_headers) {
    if (ascii_iequal(f.name, name)) out.push_back(f.text());
  }
  return out;
}

bool Message::has(std::string_view name) const {
  return find(name) != nullptr;
}

void Message::append(std::string name, std::string value) {
  m_headers.push_back(HeaderField{std::move(name), make_value(std::move(value))});
}

void Message::prepend(std::string name, std::string value) {
  m_headers.insert(m_headers.begin(), HeaderField{std::move(name), make_value(std::move(value))});
}

void Message::remove_all(std::string_view name) {
  std::erase_if(m_headers, [&](const HeaderField& f) { return ascii_iequal(f.name, name); });
}

bool Message::is_valid_field_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), is_ftext);
}

std::string Message::fold(std::string_view name, std::string_view value, std::size_t limit) {
  limit = std::clamp<std::size_t>(limit, 1, kHardLineLimit);

  // Undo existing folds; any other CR or LF becomes a space.
  std::string flat;
  flat.reserve(value.size() + 1);
  if (!value.empty() && !is_wsp(value.front())) flat += ' ';
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\r' && i + 2 < value.size() && value[i + 1] == '\n' && is_wsp(value[i + 2])) {
      ++i;
      continue;
    }
    flat += (c == '\r' || c == '\n') ? ' ' : c;
  }

  std::string out;
  out.reserve(flat.size() + flat.size() / 32 + 4);
  std::size_t line = name.size() + 1;  // "Name:"
  bool first = true;
  std::size_t i = 0;
  while (i < flat.size()) {
    // A segment is a run of whitespace and the word after it.
    std::size_t j = i;
    while (j < flat.size() && is_wsp(flat[j])) ++j;
    const bool has_word = j < flat.size();
    while (j < flat.size() && !is_wsp(flat[j])) ++j;
    const std::string_view seg = std::string_view(flat).substr(i, j - i);
    i = j;

    bool fold_here = false;
    if (line + seg.size() > limit && has_word) {
      if (!first) {
        fold_here = true;
      } else {
        // Folding right after "Name:" only helps when the word then fits, or when it keeps
        // the line within the hard limit.
        fold_here = seg.size() <= limit ||
                    (line + seg.size() > kHardLineLimit && seg.size() <= kHardLineLimit);
      }
    }
    if (fold_here) {
      out += "\r\n";
      line = 0;
    }
    out += seg;
    line += seg.size();
    first = false;
  }
  return out;
}

}  // namespace mailhop::mail
