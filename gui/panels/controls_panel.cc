#include "gui/panels/controls_panel.h"

#include <string>

#include "gui/widgets.h"

namespace mailhop::gui {

void ControlsPanel::draw(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  const Conversation& conversation = ctx.conversation;

  ImGui::BeginDisabled(conversation.at_start());
  if (ImGui::Button(t.c_str("controls.back"))) ctx.commands.push(command::Back{});
  m_rects.back_min = ImGui::GetItemRectMin();
  m_rects.back_max = ImGui::GetItemRectMax();
  ImGui::EndDisabled();

  ImGui::SameLine();
  ImGui::BeginDisabled(conversation.at_end());
  // The main action stands out.
  ImGui::PushStyleColor(ImGuiCol_Button, ctx.palette.accent);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered,
                        ImVec4(ctx.palette.accent.x * 0.85f, ctx.palette.accent.y * 0.85f,
                               ctx.palette.accent.z * 0.85f, 1.0f));
  ImGui::PushStyleColor(ImGuiCol_ButtonActive,
                        ImVec4(ctx.palette.accent.x * 0.7f, ctx.palette.accent.y * 0.7f,
                               ctx.palette.accent.z * 0.7f, 1.0f));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  if (ImGui::Button(t.c_str("controls.next"))) ctx.commands.push(command::Next{});
  ImGui::PopStyleColor(4);
  m_rects.next_min = ImGui::GetItemRectMin();
  m_rects.next_max = ImGui::GetItemRectMax();
  ImGui::EndDisabled();

  ImGui::SameLine();
  ImGui::BeginDisabled(conversation.at_start());
  if (ImGui::Button(t.c_str("controls.restart"))) ctx.commands.push(command::Restart{});
  m_rects.restart_min = ImGui::GetItemRectMin();
  m_rects.restart_max = ImGui::GetItemRectMax();
  ImGui::EndDisabled();

  ImGui::SameLine(0.0f, ImGui::GetStyle().ItemSpacing.x * 3);
  ImGui::AlignTextToFramePadding();
  const std::string step =
      conversation.at_end()
          ? t.format("controls.step_done", conversation.size())
          : t.format("controls.step", conversation.revealed(), conversation.size());
  ImGui::TextUnformatted(step.c_str());

  const std::string& hint = t.get("controls.keys_hint");
  if (!right_align_if_fits(ImGui::CalcTextSize(hint.c_str()).x)) return;
  ImGui::AlignTextToFramePadding();
  ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.muted);
  ImGui::TextUnformatted(hint.c_str());
  ImGui::PopStyleColor();
}

}  // namespace mailhop::gui
