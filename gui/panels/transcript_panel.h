#pragma once
// The conversation, one row per revealed line: time, direction, text coloured by reply class.
// Clicking a row selects it; the newest line scrolls into view as lines are revealed.

#include <cstddef>
#include <optional>

#include "gui/ui_context.h"

namespace mailhop::gui {

class TranscriptPanel {
 public:
  // Draws inside a child region of the given height (0: all remaining height).
  void draw(const UiContext& ctx, float height);
  // One line explaining the colours and the shading of encrypted lines.
  void draw_legend(const UiContext& ctx);
  // The width the legend needs on one line.
  float legend_width(const UiContext& ctx) const;

  static constexpr const char* kLegendKeys[] = {"legend.command",      "legend.positive",
                                                "legend.intermediate", "legend.transient",
                                                "legend.permanent",    "legend.note"};

  // How many rows the last draw showed (for tests).
  std::size_t rows_drawn() const { return m_rows_drawn; }

 private:
  std::size_t m_last_revealed = 0;             // to scroll when lines appear
  std::optional<std::size_t> m_last_selected;  // to scroll when the selection moves
  std::size_t m_rows_drawn = 0;
};

}  // namespace mailhop::gui
