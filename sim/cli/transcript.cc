#include "sim/cli/transcript.h"

namespace mailhop::cli {

using core::TraceKind;

TranscriptPrinter::TranscriptPrinter(std::ostream& out, const text::Catalog& catalog,
                                     Explain explain)
    : m_out(out), m_catalog(catalog), m_explain(std::move(explain)) {}

bool TranscriptPrinter::from_server(const core::TraceEvent& e) const {
  // Message data comes from the client in SMTP (DATA) and from the server in POP3 (RETR) and
  // IMAP (FETCH): the side is the node that sent it.
  const auto it = m_clients.find(e.connection);
  return it != m_clients.end() && it->second != e.node;
}

void TranscriptPrinter::header(const core::TraceEvent& e) {
  if (e.connection == 0 || e.connection == m_current_connection) return;
  m_current_connection = e.connection;
  const bool client = e.kind == TraceKind::kClientLine ||
                      (e.kind == TraceKind::kDataSent && !from_server(e)) ||
                      e.kind == TraceKind::kTlsHandshake || e.kind == TraceKind::kConnectionOpened ||
                      e.kind == TraceKind::kConnectionClosed || e.kind == TraceKind::kConnectionReset;
  const std::string& from = client ? e.node : e.peer;
  const std::string& to = client ? e.peer : e.node;
  m_out << "             ── #" << e.connection << " " << from << " → " << to << " (" << e.protocol
        << ") ──\n";
}

void TranscriptPrinter::on_trace(const core::TraceEvent& e) {
  const std::string t = core::format_sim_time(e.time);
  auto explained = [&] {
    if (!m_explain) return;
    const std::string meaning = m_explain(e);
    if (!meaning.empty()) m_out << "                   ↳ " << meaning << "\n";
  };
  switch (e.kind) {
    case TraceKind::kConnectionOpened:
      m_clients[e.connection] = e.node;
      m_current_connection = 0;
      header(e);
      m_out << t << "  " << m_catalog.format("cli.transcript.connect", e.text) << "\n";
      return;
    case TraceKind::kClientLine:
      header(e);
      m_out << t << "  C: " << e.text << "\n";
      explained();
      return;
    case TraceKind::kServerLine:
      header(e);
      m_out << t << "  S: " << e.text << "\n";
      explained();
      return;
    case TraceKind::kDataSent:
      header(e);
      m_out << t << (from_server(e) ? "  S: " : "  C: ")
            << m_catalog.format(e.protocol == "IMAP" ? "cli.transcript.literal" : "cli.transcript.data",
                                e.text)
            << "\n";
      return;
    case TraceKind::kTlsHandshake:
      header(e);
      m_out << t << "  == " << m_catalog.format("cli.transcript.tls", e.text) << " ==\n";
      return;
    case TraceKind::kAuthenticated:
      return;  // the 235 reply already says it
    case TraceKind::kConnectionClosed:
    case TraceKind::kConnectionReset:
      header(e);
      m_out << t << "  "
            << m_catalog.get(e.kind == TraceKind::kConnectionReset ? "cli.transcript.reset"
                                                                   : "cli.transcript.closed")
            << "\n";
      m_current_connection = 0;
      m_clients.erase(e.connection);
      return;
    default:
      break;
  }
  m_current_connection = 0;
  m_out << t << "  [" << m_catalog.get("trace.kind." + std::string(core::trace_kind_name(e.kind)))
        << "]";
  if (!e.node.empty()) m_out << " " << e.node;
  if (!e.message.empty()) m_out << " (" << e.message << ")";
  const std::string& text = m_narration ? m_narration->text(e) : e.text;
  if (!text.empty()) m_out << ": " << text;
  m_out << "\n";
}

}  // namespace mailhop::cli
