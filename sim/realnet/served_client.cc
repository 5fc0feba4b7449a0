#include "sim/realnet/served_client.h"

#include <algorithm>
#include <string_view>

#include "sim/mail/ascii.h"

namespace mailhop::realnet {

ServedClient::ServedClient(TcpStream stream, std::shared_ptr<const TlsIdentity> identity)
    : m_stream(std::move(stream)), m_identity(std::move(identity)) {}

bool ServedClient::start_tls(std::string* why) {
  m_tls = m_identity ? TlsSession::server(m_identity, why) : nullptr;
  return m_tls != nullptr;
}

bool ServedClient::incoming(const std::string& bytes, std::string* plain, bool* tls_up,
                            std::string* why) {
  plain->clear();
  *tls_up = false;
  // After STARTTLS or STLS, a TLS handshake record (0x16) is the client starting TLS.
  if (!m_tls && m_expect_tls && !bytes.empty() && bytes[0] == 0x16 && !start_tls(why)) {
    return false;
  }
  if (!m_tls) {
    *plain = bytes;
    watch_for_starttls(bytes);
    return true;
  }
  const bool first = !m_tls_fed && !bytes.empty();
  m_tls_fed = m_tls_fed || first;
  const bool ok = m_tls->feed(bytes);
  flush();
  if (!ok) {
    *why = m_tls->error();
    // A client that speaks plain text where TLS comes first: say so, with what it said.
    const std::string_view line = std::string_view(bytes).substr(0, bytes.find_first_of("\r\n"));
    const bool text = !line.empty() && std::all_of(line.begin(), line.end(), [](char c) {
      return (c >= 0x20 && c < 0x7f) || c == '\t';
    });
    if (first && text) {
      const bool cut = line.size() > 40;
      *why += "; the client began in plain text (\"" + std::string(line.substr(0, 40)) +
              (cut ? "...\"" : "\"") +
              ") where TLS comes first: it should use implicit TLS on this port, or STARTTLS "
              "(STLS) on the plain one";
    } else if (first && bytes[0] != 0x16) {
      *why += "; the client's first octets are not a TLS handshake";
    }
    return false;
  }
  if (m_tls->established() && !m_reported_up) {
    m_reported_up = true;
    *tls_up = true;
  }
  *plain = m_tls->read();
  return true;
}

void ServedClient::send(std::string_view bytes) {
  if (m_tls) {
    m_tls->write(bytes);
    flush();
  } else if (!m_stream.write(bytes)) {
    m_server_closed = true;
  }
}

void ServedClient::flush() {
  const std::string out = m_tls->take_ciphertext();
  if (!out.empty() && !m_stream.write(out)) m_server_closed = true;
}

void ServedClient::watch_for_starttls(const std::string& bytes) {
  m_line += bytes;
  for (std::size_t end; (end = m_line.find('\n')) != std::string::npos;) {
    std::string line = m_line.substr(0, end);
    m_line.erase(0, end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    line = mail::ascii_upper(line);
    const std::size_t space = line.rfind(' ');
    const std::string verb = space == std::string::npos ? line : line.substr(space + 1);
    m_expect_tls =
        line == "STARTTLS" || line == "STLS" || (verb == "STARTTLS" && space != std::string::npos);
  }
  if (m_line.size() > 4096) m_line.clear();
}

}  // namespace mailhop::realnet
