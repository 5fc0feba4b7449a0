#include "sim/cli/narration.h"

#include <cstddef>
#include <string_view>
#include <utility>

namespace mailhop::cli {
namespace {

// The fault names the world traces (sim/world: fault_name) and their catalog keys.
constexpr std::pair<std::string_view, std::string_view> kFaults[] = {
    {"host down", "trace.fault.host_down"},
    {"host crash", "trace.fault.host_crash"},
    {"link down", "trace.fault.link_down"},
    {"link slow", "trace.fault.link_slow"},
    {"link lossy", "trace.fault.link_lossy"},
    {"DNS failure", "trace.fault.dns_failure"},
    {"temporary refusal", "trace.fault.temp_refusal"},
    {"greylisting", "trace.fault.greylisting"},
    {"mailbox full", "trace.fault.mailbox_full"},
    {"unknown user", "trace.fault.unknown_user"},
    {"size limit", "trace.fault.too_large"},
    {"relay denied", "trace.fault.relay_denied"},
    {"authentication failure", "trace.fault.auth_failure"},
    {"rate limit", "trace.fault.rate_limit"},
};

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

Narration::Narration(const scenario::Scenario& scenario, text::Language language,
                     const text::Catalog* catalog)
    : m_language(language), m_catalog(catalog) {
  for (const scenario::ScriptStep& step : scenario.script) {
    if (step.note.en.empty() && step.note.es.empty()) continue;
    const std::string& chosen = language == text::Language::kSpanish ? step.note.es : step.note.en;
    m_notes[{step.at.micros(), step.note.en}] = chosen.empty() ? step.note.en : chosen;
  }
}

const std::string& Narration::text(const core::TraceEvent& event) const {
  if (event.kind == core::TraceKind::kNote && event.node.empty()) {
    const auto found = m_notes.find({event.time.micros(), event.text});
    return found == m_notes.end() ? event.text : found->second;
  }
  if (m_catalog == nullptr) return event.text;
  switch (event.kind) {
    case core::TraceKind::kFaultStarted:
    case core::TraceKind::kFaultEnded:
    case core::TraceKind::kQueued:
    case core::TraceKind::kBounced:
      return summary(event);
    default:
      return event.text;
  }
}

const std::string& Narration::summary(const core::TraceEvent& event) const {
  if (const auto found = m_worded.find(event.text); found != m_worded.end()) return found->second;
  const std::string_view t = event.text;
  std::string worded;
  if (event.kind == core::TraceKind::kFaultStarted || event.kind == core::TraceKind::kFaultEnded) {
    // "rate limit (2)": the name, then the value as it was given.
    for (const auto& [name, key] : kFaults) {
      if (t.substr(0, name.size()) != name) continue;
      const std::string_view rest = t.substr(name.size());
      if (!rest.empty() && rest.substr(0, 2) != " (") continue;
      worded = m_catalog->get(m_language, key) + std::string(rest);
      break;
    }
  } else if (event.kind == core::TraceKind::kQueued) {
    // "3 recipient(s)"
    constexpr std::string_view kTail = " recipient(s)";
    if (t.size() > kTail.size() && t.substr(t.size() - kTail.size()) == kTail &&
        all_digits(t.substr(0, t.size() - kTail.size()))) {
      worded = m_catalog->format_in(m_language, "trace.summary.queued",
                                    std::string(t.substr(0, t.size() - kTail.size())));
    }
  } else if (event.kind == core::TraceKind::kBounced) {
    // "DSN to marcos@gmail.example for 1 recipient(s)"
    constexpr std::string_view kHead = "DSN to ";
    constexpr std::string_view kTail = " recipient(s)";
    const std::size_t for_at = t.rfind(" for ");
    if (t.substr(0, kHead.size()) == kHead && for_at != std::string_view::npos &&
        for_at > kHead.size() && t.size() > kTail.size() &&
        t.substr(t.size() - kTail.size()) == kTail) {
      const std::string_view count = t.substr(for_at + 5, t.size() - kTail.size() - for_at - 5);
      if (all_digits(count)) {
        worded = m_catalog->format_in(m_language, "trace.summary.bounced",
                                      std::string(t.substr(kHead.size(), for_at - kHead.size())),
                                      std::string(count));
      }
    }
  }
  if (worded.empty()) worded = event.text;  // a text of another shape: as it is
  return m_worded.emplace(event.text, std::move(worded)).first->second;
}

}  // namespace mailhop::cli
