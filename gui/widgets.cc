#include "gui/widgets.h"

#include <cmath>

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

float tab_bar_width(std::span<const std::string_view> names) {
  const ImGuiStyle& style = ImGui::GetStyle();
  float width = 0.0f;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) width += style.ItemInnerSpacing.x;
    width += ImGui::CalcTextSize(names[i].data(), names[i].data() + names[i].size()).x +
             style.FramePadding.x * 2.0f + 1.0f;
  }
  return std::ceil(width);
}

std::string fit_text(const std::string& s, float width) {
  if (ImGui::CalcTextSize(s.c_str()).x <= width) return s;
  const std::string dots = "…";
  std::string out = s;
  while (!out.empty()) {
    // Drop one UTF-8 character.
    do {
      out.pop_back();
    } while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80);
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80) != 0) {
      out.pop_back();
    }
    if (ImGui::CalcTextSize((out + dots).c_str()).x <= width) break;
  }
  return out + dots;
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
