#include "sim/proto/line_reader.h"

namespace mailhop::proto {

std::optional<LineReader::Line> LineReader::next() {
  while (true) {
    if (m_scan < m_pos) m_scan = m_pos;
    const std::size_t crlf = m_buffer.find("\r\n", m_scan);
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
      return std::nullopt;
    }
    Line line;
    line.text.assign(m_buffer, m_pos, crlf - m_pos);
    const std::size_t octets = crlf - m_pos + 2 + m_discarded;
    line.too_long = m_discarding || octets > m_max;
    if (line.text.size() > m_max) line.text.resize(m_max);
    m_discarding = false;
    m_discarded = 0;
    m_pos = crlf + 2;
    m_scan = m_pos;
    if (m_pos == m_buffer.size()) {
      m_buffer.clear();
      m_pos = 0;
      m_scan = 0;
    }
    return line;
  }
}

void LineReader::clear() {
  m_buffer.clear();
  m_pos = 0;
  m_scan = 0;
  m_discarding = false;
  m_discarded = 0;
}

}  // namespace mailhop::proto
