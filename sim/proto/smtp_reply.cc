#include "sim/proto/smtp_reply.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <cctype>

namespace mailhop::proto {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string SmtpReply::to_wire() const {
  std::string out;
  append_wire(out);
  return out;
}

namespace {

// What every wire line of a reply starts with: the code as sent (three digits, or the decimal
// form of a code out of range) and the enhanced code. Lines are written with one resize and
// plain copies, which is what makes replies cheap to send.
struct WirePrefix {
  char code[16];
  std::size_t code_size;
  std::string_view enhanced;

  explicit WirePrefix(const SmtpReply& r) : WirePrefix(r.code, r.enhanced) {}
  WirePrefix(int reply_code, std::string_view enh) : enhanced(enh) {
    if (reply_code >= 100 && reply_code <= 999) {
      code[0] = static_cast<char>('0' + reply_code / 100 % 10);
      code[1] = static_cast<char>('0' + reply_code / 10 % 10);
      code[2] = static_cast<char>('0' + reply_code % 10);
      code_size = 3;
    } else {
      code_size =
          static_cast<std::size_t>(std::to_chars(code, code + sizeof code, reply_code).ptr - code);
    }
  }
  // Code, "-" or " ", enhanced code, a space when text follows it, text.
  std::size_t line_size(std::string_view text) const {
    return code_size + 1 + enhanced.size() + (!enhanced.empty() && !text.empty() ? 1 : 0) + text.size();
  }
  char* write(char* p, std::string_view text, bool last) const {
    std::memcpy(p, code, code_size);
    p += code_size;
    *p++ = last ? ' ' : '-';
    if (!enhanced.empty()) {
      std::memcpy(p, enhanced.data(), enhanced.size());
      p += enhanced.size();
      if (!text.empty()) *p++ = ' ';
    }
    if (!text.empty()) std::memcpy(p, text.data(), text.size());
    return p + text.size();
  }
};

std::string_view line_text(const SmtpReply& r, std::size_t i) {
  return r.lines.empty() ? std::string_view{} : std::string_view(r.lines[i]);
}

// Every line of a reply, each with its CRLF; `text(i)` is line i's text.
template <class Text>
void append_lines(std::string& out, const WirePrefix& prefix, std::size_t n, Text text) {
  std::size_t size = 0;
  for (std::size_t i = 0; i < n; ++i) size += prefix.line_size(text(i)) + 2;
  const std::size_t at = out.size();
  if (at + size > out.capacity()) out.reserve(std::max(at + size, 2 * out.capacity()));
  out.resize(at + size);
  char* p = out.data() + at;
  for (std::size_t i = 0; i < n; ++i) {
    p = prefix.write(p, text(i), i + 1 == n);
    *p++ = '\r';
    *p++ = '\n';
  }
}

}  // namespace

void SmtpReply::append_wire(std::string& out) const {
  append_lines(out, WirePrefix(*this), wire_line_count(),
               [this](std::size_t i) { return line_text(*this, i); });
}

void append_reply_wire(std::string& out, int code, std::string_view enhanced,
                       std::span<const std::string_view> lines) {
  append_lines(out, WirePrefix(code, enhanced), lines.empty() ? 1 : lines.size(),
               [lines](std::size_t i) { return lines.empty() ? std::string_view{} : lines[i]; });
}

void SmtpReply::append_wire_line(std::string& out, std::size_t i) const {
  const WirePrefix prefix(*this);
  const std::string_view text = line_text(*this, i);
  const std::size_t at = out.size();
  out.resize(at + prefix.line_size(text));
  prefix.write(out.data() + at, text, i + 1 == wire_line_count());
}

std::string SmtpReply::summary() const {
  std::string out = std::to_string(code);
  if (!enhanced.empty()) out += " " + enhanced;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += i == 0 ? " " : " / ";
    out += lines[i];
  }
  return out;
}

bool parse_enhanced_code(std::string_view text, std::string* out, std::size_t* length) {
  // class "." subject "." detail: class 2/4/5, subject 1-3 digits, detail 1-3 digits.
  std::size_t i = 0;
  if (text.empty() || (text[0] != '2' && text[0] != '4' && text[0] != '5')) return false;
  i = 1;
  for (int part = 0; part < 2; ++part) {
    if (i >= text.size() || text[i] != '.') return false;
    ++i;
    const std::size_t start = i;
    while (i < text.size() && is_digit(text[i]) && i - start < 3) ++i;
    if (i == start) return false;
  }
  if (i < text.size() && text[i] != ' ') return false;
  if (out) out->assign(text.substr(0, i));
  if (length) *length = i;
  return true;
}

SmtpReplyParser::Status SmtpReplyParser::feed_line(std::string_view line, bool enhanced) {
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) ||
      line[0] < '2' || line[0] > '5' || line[1] > '5' ||
      (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
    m_error = "malformed reply line: \"" + std::string(line.substr(0, 80)) + "\"";
    m_reply = {};
    m_started = false;
    return Status::kError;
  }
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (m_started && code != m_reply.code) {
    m_error = "reply code changed inside a multi-line reply: " + std::to_string(m_reply.code) +
              " then " + std::to_string(code);
    m_reply = {};
    m_started = false;
    return Status::kError;
  }
  m_reply.code = code;
  std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
  if (enhanced) {
    std::size_t len = 0;
    // RFC 3463: the enhanced code's class must match the reply's class.
    if (parse_enhanced_code(text, nullptr, &len) && text[0] == line[0]) {
      if (!m_started) m_reply.enhanced.assign(text.substr(0, len));
      text.remove_prefix(len);
      if (!text.empty() && text[0] == ' ') text.remove_prefix(1);
    }
  }
  const bool last = line.size() == 3 || line[3] == ' ';
  // A multi-line reply (EHLO's) gets room for its usual length at once.
  if (!m_started && m_reply.lines.capacity() == 0) m_reply.lines.reserve(last ? 1 : 8);
  m_reply.lines.emplace_back(text);
  m_started = true;
  return last ? Status::kComplete : Status::kNeedMore;
}

void SmtpReplyParser::reset() {
  m_reply.code = 0;
  m_reply.enhanced.clear();
  m_reply.lines.clear();
  m_started = false;
}

SmtpReply SmtpReplyParser::take() {
  SmtpReply out = std::move(m_reply);
  m_reply = {};
  m_started = false;
  return out;
}

}  // namespace mailhop::proto
