#pragma once
// Stepping through the conversation: Back, Next step, Restart, and where we are.

#include <imgui.h>

#include "gui/ui_context.h"

namespace mailhop::gui {

class ControlsPanel {
 public:
  void draw(const UiContext& ctx);

  // Where the buttons were last drawn (screen coordinates), so tests can click them.
  struct Rects {
    ImVec2 back_min, back_max;
    ImVec2 next_min, next_max;
    ImVec2 restart_min, restart_max;
  };
  const Rects& last_rects() const { return m_rects; }

 private:
  Rects m_rects{};
};

}  // namespace mailhop::gui
