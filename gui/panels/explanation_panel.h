#pragma once
// What the selected line means, in the current language, with the RFC section it comes from.

#include <cstddef>
#include <optional>
#include <vector>

#include "gui/ui_context.h"

namespace mailhop::gui {

class ExplanationPanel {
 public:
  void draw(const UiContext& ctx, float height);

  // The sections shown by the last draw (for tests): empty when nothing is selected.
  const std::vector<text::ExplanationSection>& last_sections() const { return m_sections; }

 private:
  // Explaining is cheap, but only redo it when the line or the language changes.
  std::optional<std::size_t> m_cached_index;
  std::optional<text::Language> m_cached_language;
  std::vector<text::ExplanationSection> m_sections;
};

}  // namespace mailhop::gui
