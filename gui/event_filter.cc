#include "gui/event_filter.h"

#include <algorithm>
#include <set>

#include "sim/mail/ascii.h"

namespace mailhop::gui {

using core::TraceEvent;
using core::TraceKind;

namespace {

// Case-insensitive (ASCII) substring search; `needle_lower` is already lower case.
bool contains_lower(std::string_view haystack, std::string_view needle_lower) {
  if (needle_lower.empty()) return true;
  if (haystack.size() < needle_lower.size()) return false;
  const auto it = std::search(haystack.begin(), haystack.end(), needle_lower.begin(),
                              needle_lower.end(), [](char a, char b) {
                                return mail::ascii_lower(a) == b;
                              });
  return it != haystack.end();
}

}  // namespace

EventCategory category_of(const TraceEvent& event) {
  switch (event.kind) {
    case TraceKind::kDnsQuery:
    case TraceKind::kDnsAnswer:
      return EventCategory::kDns;
    case TraceKind::kQueued:
    case TraceKind::kRetryScheduled:
    case TraceKind::kDelivered:
    case TraceKind::kRelayed:
    case TraceKind::kSendFailed:
    case TraceKind::kDeferred:
    case TraceKind::kBounced:
    case TraceKind::kDropped:
      return EventCategory::kMail;
    case TraceKind::kFaultStarted:
    case TraceKind::kFaultEnded:
      return EventCategory::kFault;
    case TraceKind::kNote:
      return EventCategory::kNote;
    case TraceKind::kConnectionOpened:
    case TraceKind::kConnectionRefused:
    case TraceKind::kConnectionClosed:
    case TraceKind::kConnectionReset:
    case TraceKind::kClientLine:
    case TraceKind::kServerLine:
    case TraceKind::kDataSent:
    case TraceKind::kTlsHandshake:
    case TraceKind::kAuthenticated:
      break;
  }
  if (event.protocol == "POP3") return EventCategory::kPop3;
  if (event.protocol == "IMAP") return EventCategory::kImap;
  if (event.protocol == "DNS") return EventCategory::kDns;
  return EventCategory::kSmtp;  // connections without a protocol are SMTP ones (refusals)
}

std::string_view category_key(EventCategory category) {
  switch (category) {
    case EventCategory::kSmtp:
      return "log.category.smtp";
    case EventCategory::kPop3:
      return "log.category.pop3";
    case EventCategory::kImap:
      return "log.category.imap";
    case EventCategory::kDns:
      return "log.category.dns";
    case EventCategory::kMail:
      return "log.category.mail";
    case EventCategory::kFault:
      return "log.category.fault";
    case EventCategory::kNote:
      return "log.category.note";
  }
  return "log.category.note";
}

std::string kind_key(TraceKind kind) {
  return "trace.kind." + std::string(core::trace_kind_name(kind));
}

bool EventFilter::accepts(const TraceEvent& event) const {
  if (!shows(category_of(event))) return false;
  if (!node.empty() && event.node != node && event.peer != node) return false;
  if (search.empty()) return true;
  std::string needle;
  needle.reserve(search.size());
  for (char c : search) needle.push_back(mail::ascii_lower(c));
  return contains_lower(event.text, needle) || contains_lower(event.node, needle) ||
         contains_lower(event.peer, needle) || contains_lower(event.message, needle) ||
         contains_lower(event.protocol, needle) ||
         contains_lower(core::trace_kind_name(event.kind), needle);
}

bool FilteredEvents::update(core::TraceEvents events, const EventFilter& filter) {
  // Start again when the filter changed, or the events were cut (a step back) or replaced (a
  // live change re-runs the world: the event last looked at is then not the same).
  const auto same = [](const TraceEvent& a, const TraceEvent& b) {
    return a.time == b.time && a.kind == b.kind && a.connection == b.connection &&
           a.node == b.node && a.text == b.text;
  };
  const bool restart = !m_valid || !(filter == m_filter) || events.size() < m_seen ||
                       (m_seen > 0 && !same(events[m_seen - 1], m_last));
  bool changed = false;
  if (restart) {
    changed = !m_indices.empty() || !m_valid;
    m_indices.clear();
    m_filter = filter;
    m_seen = 0;
    m_valid = true;
  }
  for (std::size_t i = m_seen; i < events.size(); ++i) {
    if (m_filter.accepts(events[i])) {
      m_indices.push_back(i);
      changed = true;
    }
  }
  m_seen = events.size();
  if (m_seen > 0) m_last = events[m_seen - 1];
  return changed;
}

std::vector<std::string> nodes_in(core::TraceEvents events) {
  std::set<std::string> names;
  for (const TraceEvent& e : events) {
    if (!e.node.empty()) names.insert(e.node);
    if (!e.peer.empty()) names.insert(e.peer);
  }
  return {names.begin(), names.end()};
}

}  // namespace mailhop::gui
