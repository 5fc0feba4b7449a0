#include "sim/core/trace.h"

#include <algorithm>

namespace mailhop::core {

std::string_view trace_kind_name(TraceKind kind) {
  switch (kind) {
    case TraceKind::kConnectionOpened: return "connection_opened";
    case TraceKind::kConnectionRefused: return "connection_refused";
    case TraceKind::kConnectionClosed: return "connection_closed";
    case TraceKind::kConnectionReset: return "connection_reset";
    case TraceKind::kClientLine: return "client_line";
    case TraceKind::kServerLine: return "server_line";
    case TraceKind::kDataSent: return "data_sent";
    case TraceKind::kTlsHandshake: return "tls_handshake";
    case TraceKind::kAuthenticated: return "authenticated";
    case TraceKind::kDnsQuery: return "dns_query";
    case TraceKind::kDnsAnswer: return "dns_answer";
    case TraceKind::kQueued: return "queued";
    case TraceKind::kRetryScheduled: return "retry_scheduled";
    case TraceKind::kDelivered: return "delivered";
    case TraceKind::kRelayed: return "relayed";
    case TraceKind::kSendFailed: return "send_failed";
    case TraceKind::kDeferred: return "deferred";
    case TraceKind::kBounced: return "bounced";
    case TraceKind::kDropped: return "dropped";
    case TraceKind::kFaultStarted: return "fault_started";
    case TraceKind::kFaultEnded: return "fault_ended";
    case TraceKind::kNote: return "note";
  }
  return "unknown";
}

void Trace::remove_observer(TraceObserver* observer) {
  m_observers.erase(std::remove(m_observers.begin(), m_observers.end(), observer),
                    m_observers.end());
}

void Trace::emit(const TraceEvent& event) {
  ++m_emitted;
  for (TraceObserver* o : m_observers) o->on_trace(event);
}

void Trace::emit(TraceEvent&& event) {
  ++m_emitted;
  const std::size_t n = m_observers.size();
  if (n == 0) return;
  for (std::size_t i = 0; i + 1 < n; ++i) m_observers[i]->on_trace(event);
  m_observers[n - 1]->on_trace_owned(std::move(event));
}

}  // namespace mailhop::core
