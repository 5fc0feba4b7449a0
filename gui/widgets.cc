#include "gui/widgets.h"

namespace mailhop::gui {

float button_width(const std::string& label) {
  return ImGui::CalcTextSize(label.c_str(), nullptr, true).x +
         ImGui::GetStyle().FramePadding.x * 2.0f;
}

void right_align_or_wrap(float width) {
  ImGui::SameLine();
  const float available = ImGui::GetContentRegionAvail().x;
  if (available < width) {
    ImGui::NewLine();
    return;
  }
  ImGui::SameLine(ImGui::GetCursorPosX() + available - width);
}

bool right_align_if_fits(float width) {
  ImGui::SameLine();
  const float available = ImGui::GetContentRegionAvail().x;
  if (available < width) {
    ImGui::NewLine();
    return false;
  }
  ImGui::SameLine(ImGui::GetCursorPosX() + available - width);
  return true;
}

bool toggle_button(const std::string& label, bool active, const Palette& palette) {
  if (active) {
    ImGui::PushStyleColor(ImGuiCol_Button, palette.accent);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, palette.accent);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, palette.accent);
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  }
  const bool clicked = ImGui::Button(label.c_str());
  if (active) ImGui::PopStyleColor(4);
  return clicked && !active;
}

}  // namespace mailhop::gui
