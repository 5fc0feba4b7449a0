#pragma once
// Splits a byte stream into CRLF-terminated lines with a length limit, for the text protocols.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace mailhop::proto {

// The position of the first CRLF in `s` at or after `from`, or npos. One memchr per CR and a
// direct look at the next octet (std::string_view::find("\r\n") also calls memcmp on each CR).
inline std::size_t find_crlf(std::string_view s, std::size_t from) {
  while (from < s.size()) {
    const void* hit = std::memchr(s.data() + from, '\r', s.size() - from);
    if (hit == nullptr) return std::string_view::npos;
    const auto cr = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
    if (cr + 1 < s.size() && s[cr + 1] == '\n') return cr;
    from = cr + 1;
  }
  return std::string_view::npos;
}

class LineReader {
 public:
  struct Line {
    std::string text;       // without the CRLF; truncated to the limit when too_long
    bool too_long = false;  // the line (with CRLF) exceeded the limit
  };

  // `max_octets` counts the CRLF, as RFC 5321 4.5.3.1.4 (512) and 4.5.3.1.6 (1000) do.
  explicit LineReader(std::size_t max_octets) : m_max(max_octets) {}

  void set_max(std::size_t max_octets) { m_max = max_octets; }
  std::size_t max() const { return m_max; }

  // A line as a view into the reader's buffer: valid until the next call to next(), next_view()
  // or feed() (clear() and set_max() leave it valid).
  struct LineView {
    std::string_view text;
    bool too_long = false;
  };

  // Appends received bytes.
  void feed(std::string_view bytes) {
    if (m_lending) own_lent();
    if (m_pos == m_buffer.size()) {
      // Everything was read: start over at the front instead of growing.
      m_buffer.clear();
      m_pos = 0;
      m_scan = 0;
    }
    if (m_buffer.size() + bytes.size() > m_buffer.capacity()) {
      // Room for a whole message of a few kilobytes at the first growth, rather than
      // reallocating for each longer batch of commands and again for the message.
      m_buffer.reserve(
          std::max(m_buffer.size() + bytes.size(), std::max(2 * m_buffer.capacity(), kFirstRoom)));
    }
    m_buffer.append(bytes);
  }

  // Received bytes read in place until end_lend(), for a caller that reads all the lines it can
  // right after they arrive: when nothing is buffered, the complete lines in `bytes` are read
  // from it without being copied (a message of a few kilobytes arrives in one piece); else it is
  // feed(). `bytes` must stay valid until end_lend(), and so do the line views read from it.
  void lend(std::string_view bytes) {
    if (m_pos == m_buffer.size() && !m_discarding && !m_lending) {
      m_lent = bytes;
      m_lent_pos = 0;
      m_lending = true;
      return;
    }
    feed(bytes);
  }
  // Copies what is left unread of the lent bytes (a line not complete yet) into the reader's
  // own buffer, as feed() would have kept it.
  void end_lend() {
    if (m_lending) own_lent();
  }

  // The next complete line, or nothing until more bytes arrive. Only CRLF ends a line;
  // a bare LF or CR is kept in the line's text (RFC 5321 2.3.8).
  std::optional<Line> next();
  // The same without copying the line: false until more bytes arrive.
  bool next_view(LineView* out) {
    // Inline for a line read in place (lend()), the usual case; the rest out of line.
    if (m_lending) {
      const std::size_t crlf = find_crlf(m_lent, m_lent_pos);
      if (crlf != std::string_view::npos) {
        // As next_buffered_view() for a line that began after the last one returned (nothing
        // was discarded of it).
        std::string_view text(m_lent.data() + m_lent_pos, crlf - m_lent_pos);
        out->too_long = text.size() + 2 > m_max;
        if (text.size() > m_max) text = text.substr(0, m_max);
        out->text = text;
        m_lent_pos = crlf + 2;
        return true;
      }
      if (m_lent_pos == m_lent.size()) {
        // Every lent byte was read (the usual end of a batch): nothing to keep, and the buffer,
        // all read too, has no line (its next feed() starts it over).
        m_lending = false;
        m_lent = {};
        m_lent_pos = 0;
        return false;
      }
      // An incomplete line: kept in the buffer (and limited) as fed bytes are.
      own_lent();
    }
    return next_buffered_view(out);
  }

  // Bytes received but not yet returned as lines (pipelined input).
  std::size_t buffered() const {
    return m_lending ? m_lent.size() - m_lent_pos : m_buffer.size() - m_pos;
  }

  // For a caller that reads many lines at once (a message's body): the unread bytes, and
  // skip(n) to mark the first n of them read, n ending just after a CRLF. While an over-long
  // line is being dropped, only next() and next_view() know where it ends: unread() is empty.
  std::string_view unread() const {
    // (Views made directly: the positions never pass the ends, substr() would check again.)
    if (m_lending) return std::string_view(m_lent.data() + m_lent_pos, m_lent.size() - m_lent_pos);
    if (m_discarding) return {};
    return std::string_view(m_buffer.data() + m_pos, m_buffer.size() - m_pos);
  }
  void skip(std::size_t n) {
    if (m_lending) {
      m_lent_pos += n;
      return;
    }
    m_pos += n;
    m_scan = m_pos;
  }

  // Forgets everything buffered (RFC 3207: input after STARTTLS is discarded).
  void clear();

 private:
  // Under the 4 KB the allocator serves from its own classes (with the string's terminator).
  static constexpr std::size_t kFirstRoom = 4000;

  // Moves the unread rest of the lent bytes into m_buffer (all of which was read) and stops
  // lending.
  void own_lent();
  // next_view() from m_buffer.
  bool next_buffered_view(LineView* out);

  std::size_t m_max;
  std::string m_buffer;
  std::size_t m_pos = 0;      // start of the unread part of m_buffer
  std::size_t m_scan = 0;     // where to resume searching for CRLF
  bool m_discarding = false;  // inside an over-long line: drop until CRLF
  std::size_t m_discarded = 0;
  // lend(): the bytes read in place, and the start of their unread part. While lending,
  // m_buffer holds nothing unread.
  bool m_lending = false;
  std::string_view m_lent;
  std::size_t m_lent_pos = 0;
};

}  // namespace mailhop::proto
