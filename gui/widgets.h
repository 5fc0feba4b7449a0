#pragma once
// Small drawing helpers shared by the panels.

#include <imgui.h>

#include <span>
#include <string>
#include <string_view>

#include "gui/theme.h"

namespace mailhop::gui {

// Width of a button showing `label`.
float button_width(const std::string& label);

// Moves the cursor so that an item group of `width` ends at the right edge of the current line;
// when it does not fit after what is already on the line, it starts a new line instead.
void right_align_or_wrap(float width);

// Like right_align_or_wrap, but when the group does not fit it is left out: returns false and
// the caller draws nothing (for optional extras such as keyboard hints).
bool right_align_if_fits(float width);

// Pushes `font` for the scope when there is one (the fonts are null on a bare test context).
class FontScope {
 public:
  explicit FontScope(ImFont* font) : m_pushed(font != nullptr) {
    if (m_pushed) ImGui::PushFont(font);
  }
  ~FontScope() {
    if (m_pushed) ImGui::PopFont();
  }
  FontScope(const FontScope&) = delete;
  FontScope& operator=(const FontScope&) = delete;

 private:
  bool m_pushed;
};

// Begins a child region that paints no background of its own, for a region inside a panel that
// already painted it: a software renderer (Mesa's llvmpipe under Xvfb) pays for every pixel of
// every layer. Pair with ImGui::EndChild() as usual.
inline bool begin_unpainted_child(const char* id, ImVec2 size, bool border = false,
                                  ImGuiWindowFlags flags = 0) {
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0, 0, 0, 0));
  const bool open = ImGui::BeginChild(id, size, border, flags);
  ImGui::PopStyleColor();
  return open;
}

// The width a tab bar needs for tabs named `names` (no close buttons) to be drawn whole side
// by side, as ImGui sizes them in the current font and style.
float tab_bar_width(std::span<const std::string_view> names);

// `s` cut at a character boundary, with "…", to fit in `width` pixels in the current font.
std::string fit_text(const std::string& s, float width);

// A button that shows whether it is the active choice; true when clicked.
bool toggle_button(const std::string& label, bool active, const Palette& palette);

}  // namespace mailhop::gui
