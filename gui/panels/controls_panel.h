#pragma once
// Playback: the scenario's title and the time shown, then restart, step back, play/pause, step
// to the next event / line / hop / message, and the speed (0.1× to 1000×, logarithmic slider
// and slower/faster buttons). Every button has a tooltip. Draws two rows in the current window.

#include <imgui.h>

#include "gui/ui_context.h"

namespace mailhop::gui {

class ControlsPanel {
 public:
  void draw(const UiContext& ctx);

  // Where the buttons were last drawn (screen coordinates), so tests can click them.
  struct Rects {
    ImVec2 back_min, back_max;
    ImVec2 play_min, play_max;
    ImVec2 step_min, step_max;
    ImVec2 restart_min, restart_max;
  };
  const Rects& last_rects() const { return m_rects; }

 private:
  void draw_speed(const UiContext& ctx);
  Rects m_rects{};
};

// "×10", "×0.25" / "×0,25": a speed as the controls show it.
std::string speed_label(float speed, const text::Catalog& catalog);

}  // namespace mailhop::gui
