#pragma once
// The conversation ladder: the selected connection as a sequence diagram, client column on the
// left, server column on the right, one arrow per command or reply line (sloped from send time
// to arrival time), coloured by reply class, TLS-protected lines shaded, and rows for the
// connection opening and closing, the TLS handshake and the message body.
//
// How to call it: keep one LadderPanel in the App and, between NewFrame() and Render(), call
//   m_ladder.draw(ctx);                      // fills the remaining space of the current window
//   m_ladder.draw(ctx, ImVec2(0, 300));      // or a region of that size (0: remaining)
// It draws inside its own child region (no top-level window). It shows ctx.selection.connection
// (or the connection of the newest line when none is selected), pushes command::SelectEvent
// when a row is clicked and command::SelectConnection when another connection is chosen.

#include <imgui.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gui/ladder_model.h"
#include "gui/ui_context.h"

namespace mailhop::gui {

class LadderPanel {
 public:
  // With `meaning`, where no explanation panel is in view (the panels are tabs), the line under
  // the rows tells what the selected line means (its explanation's title; the whole text in a
  // tooltip) instead of the colours' legend, so that a click on a line shows something at once.
  void draw(const UiContext& ctx, ImVec2 size = ImVec2(0, 0), bool meaning = false);

  // For tests: the model drawn by the last draw() (its rows and ends).
  const Ladder& last_ladder() const { return m_ladder; }
  std::size_t rows_drawn() const { return m_rows_drawn; }
  // Whether the last draw wrote the send times (not where they would leave the lines too little
  // room between the lifelines).
  bool times_shown() const { return m_times_shown; }
  // The meaning line drawn by the last draw(), or "" (none asked for, or no line selected).
  const std::string& meaning_drawn() const { return m_meaning_drawn; }
  // Where the last draw put the first row (screen position) and how tall a row is.
  ImVec2 rows_origin() const { return m_rows_origin; }
  float row_height() const { return m_row_height; }

 private:
  void draw_legend(const UiContext& ctx);
  // The meaning line in the legend's place; false (nothing drawn) when no line of this
  // connection is selected or it has no explanation.
  bool draw_meaning(const UiContext& ctx);

  Ladder m_ladder;
  std::vector<LadderConnection> m_connections;
  std::optional<std::size_t> m_selected_seen;
  std::size_t m_rows_drawn = 0;
  bool m_times_shown = true;
  ImVec2 m_rows_origin;
  float m_row_height = 0.0f;
  // To rebuild only when something changed and to scroll to new rows.
  std::uint64_t m_generation = 0;
  bool m_reveal_selected = false;  // scroll until the selected row is in view
  std::size_t m_events_seen = 0;
  std::uint64_t m_connection_seen = 0;
  std::size_t m_rows_seen = 0;
  bool m_scroll_to_end = false;
  // The meaning line's explanation, made again only when the selection, the language or the
  // session's run changes.
  std::optional<std::size_t> m_meaning_index;
  text::Language m_meaning_language = text::Language::kEnglish;
  std::uint64_t m_meaning_generation = 0;
  std::string m_meaning_title;
  std::string m_meaning_text;
  std::string m_meaning_drawn;
};

}  // namespace mailhop::gui
