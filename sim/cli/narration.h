#pragma once
// The script's narration in the class's language. The world traces a script step's note in
// English, like the rest of its log; this finds the step the note came from (same time, same
// English text) and gives its text in the chosen language. With a catalog it also words the
// world's own summaries in that language: faults started and ended, messages queued for N
// recipients, bounces sent (the protocol lines themselves stay as they were sent).

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "sim/core/sim_time.h"
#include "sim/core/trace.h"
#include "sim/scenario/scenario.h"
#include "sim/text/catalog.h"
#include "sim/text/language.h"

namespace mailhop::cli {

class Narration {
 public:
  Narration(const scenario::Scenario& scenario, text::Language language,
            const text::Catalog* catalog = nullptr);
  // The text to show for `event`: a script note in the chosen language (its English text when
  // the step has none in that language); a fault, a message queued or a bounce in the
  // catalog's words for the chosen language; any other event's text as it is.
  const std::string& text(const core::TraceEvent& event) const;

 private:
  const std::string& summary(const core::TraceEvent& event) const;

  std::map<std::pair<std::int64_t, std::string>, std::string> m_notes;  // (µs, English) → text
  text::Language m_language;
  const text::Catalog* m_catalog = nullptr;
  mutable std::map<std::string, std::string, std::less<>> m_worded;  // English summary → worded
};

}  // namespace mailhop::cli
