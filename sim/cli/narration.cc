#include "sim/cli/narration.h"

namespace mailhop::cli {

Narration::Narration(const scenario::Scenario& scenario, text::Language language) {
  for (const scenario::ScriptStep& step : scenario.script) {
    if (step.note.en.empty() && step.note.es.empty()) continue;
    const std::string& chosen = language == text::Language::kSpanish ? step.note.es : step.note.en;
    m_notes[{step.at.micros(), step.note.en}] = chosen.empty() ? step.note.en : chosen;
  }
}

const std::string& Narration::text(const core::TraceEvent& event) const {
  if (event.kind != core::TraceKind::kNote || !event.node.empty()) return event.text;
  const auto found = m_notes.find({event.time.micros(), event.text});
  return found == m_notes.end() ? event.text : found->second;
}

}  // namespace mailhop::cli
