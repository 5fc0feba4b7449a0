#include "sim/proto/line_reader.h"

namespace mailhop::proto {

std::optional<LineReader::Line> LineReader::next() {
  LineView view;
  if (!next_view(&view)) return std::nullopt;
  return Line{std::string(view.text), view.too_long};
}

bool LineReader::next_buffered_view(LineView* out) {
  while (true) {
    if (m_scan < m_pos) m_scan = m_pos;
    const std::size_t crlf = find_crlf(m_buffer, m_scan);
    if (crlf == std::string::npos) {
      const std::size_t have = m_buffer.size() - m_pos;
      if (have > m_max) {
        // Over-long line without CRLF yet: keep the first m_max octets, drop the rest
        // (but keep a trailing CR that may start the CRLF).
        if (!m_discarding) {
          m_discarding = true;
          m_discarded = 0;
        }
        const bool trailing_cr = m_buffer.back() == '\r';
        const std::size_t keep = m_max + (trailing_cr ? 1 : 0);
        if (have > keep) {
          m_discarded += have - keep;
          // Drop the excess in place (no copy of the kept part on every feed).
          m_buffer.resize(m_pos + m_max);
          if (trailing_cr) m_buffer.push_back('\r');
        }
      }
      // Keep one byte back: it may be a CR whose LF has not arrived yet.
      m_scan = m_buffer.empty() ? 0 : m_buffer.size() - 1;
      // While discarding, the kept part ends where octets were dropped: the search resumes
      // after it (a CR at its very end was followed by dropped octets and must not pair with
      // an LF that arrives later). Only a trailing CR, really the last octet received, may.
      if (m_discarding && m_scan < m_pos + m_max) m_scan = m_pos + m_max;
      if (m_pos > 4096 && m_pos * 2 > m_buffer.size()) {
        m_buffer.erase(0, m_pos);
        m_scan -= m_pos;
        m_pos = 0;
      }
      return false;
    }
    std::string_view text(m_buffer.data() + m_pos, crlf - m_pos);
    const std::size_t octets = crlf - m_pos + 2 + m_discarded;
    out->too_long = m_discarding || octets > m_max;
    if (text.size() > m_max) text = text.substr(0, m_max);
    out->text = text;
    m_discarding = false;
    m_discarded = 0;
    // The buffer is emptied by the next feed(), so that `text` stays valid until then.
    m_pos = crlf + 2;
    m_scan = m_pos;
    return true;
  }
}

void LineReader::own_lent() {
  const std::string_view rest = m_lent.substr(m_lent_pos);
  m_lending = false;
  m_lent = {};
  m_lent_pos = 0;
  if (!rest.empty()) feed(rest);
}

void LineReader::clear() {
  if (m_lending) m_lent_pos = m_lent.size();
  // Forget the unread bytes without touching the buffer: a line view handed out stays valid.
  m_pos = m_buffer.size();
  m_scan = m_pos;
  m_discarding = false;
  m_discarded = 0;
}

}  // namespace mailhop::proto
