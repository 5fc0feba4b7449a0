#include "sim/proto/smtp_reply.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <cctype>

namespace mailhop::proto {
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
  const std::size_t n = enhanced_code_length(text);
  if (n == 0) return false;
  if (out) out->assign(text.substr(0, n));
  if (length) *length = n;
  return true;
}

std::string malformed_reply_line_error(std::string_view line) {
  return "malformed reply line: \"" + std::string(line.substr(0, 80)) + "\"";
}

std::string reply_code_changed_error(int first, int then) {
  return "reply code changed inside a multi-line reply: " + std::to_string(first) + " then " +
         std::to_string(then);
}

SmtpReplyParser::Status SmtpReplyParser::feed_line(std::string_view line, bool enhanced) {
  SmtpReplyLine parsed;
  if (!parse_reply_line(line, enhanced, parsed)) {
    m_error = malformed_reply_line_error(line);
    m_reply = {};
    m_started = false;
    return Status::kError;
  }
  if (m_started && parsed.code != m_reply.code) {
    m_error = reply_code_changed_error(m_reply.code, parsed.code);
    m_reply = {};
    m_started = false;
    return Status::kError;
  }
  m_reply.code = parsed.code;
  if (!m_started && !parsed.enhanced.empty()) m_reply.enhanced.assign(parsed.enhanced);
  // A multi-line reply (EHLO's) gets room for its usual length at once.
  if (!m_started && m_reply.lines.capacity() == 0) m_reply.lines.reserve(parsed.last ? 1 : 8);
  m_reply.lines.emplace_back(parsed.text);
  m_started = true;
  return parsed.last ? Status::kComplete : Status::kNeedMore;
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
