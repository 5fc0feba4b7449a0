#include "gui/panels/explanation_panel.h"

#include <string>

#include "gui/line_style.h"

namespace mailhop::gui {

void ExplanationPanel::draw(const UiContext& ctx, float height) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  const Conversation& conversation = ctx.conversation;
  const std::optional<std::size_t> selected = conversation.selected();

  if (selected != m_cached_index || m_cached_language != ctx.settings.language) {
    m_cached_index = selected;
    m_cached_language = ctx.settings.language;
    m_sections.clear();
    if (selected && *selected < conversation.size()) {
      const proto::TranscriptEntry& entry = conversation.entries()[*selected];
      m_sections = ctx.explanations.explain(ctx.settings.language, role_of(entry.kind), entry.text,
                                            entry.context);
    }
  }

  ImGui::BeginChild("##explanation", ImVec2(0, height), true);
  if (!selected || *selected >= conversation.size()) {
    ImGui::PushStyleColor(ImGuiCol_Text, p.muted);
    ImGui::TextWrapped("%s", t.c_str("explanation.none"));
    ImGui::PopStyleColor();
    ImGui::EndChild();
    return;
  }

  const proto::TranscriptEntry& entry = conversation.entries()[*selected];
  // The line itself, as in the transcript.
  ImGui::PushFont(ctx.fonts.mono);
  ImGui::PushStyleColor(ImGuiCol_Text, p.muted);
  ImGui::TextUnformatted(direction_text(entry.direction, t).c_str());
  ImGui::PopStyleColor();
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Text, p.color(tone_of(entry)));
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(display_text(entry, t).c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  ImGui::PopFont();
  ImGui::Separator();

  if (m_sections.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, p.muted);
    ImGui::TextWrapped("%s", t.c_str("explanation.unknown"));
    ImGui::PopStyleColor();
  }
  for (std::size_t i = 0; i < m_sections.size(); ++i) {
    const text::ExplanationSection& section = m_sections[i];
    if (i > 0) ImGui::Spacing();
    ImGui::PushFont(i == 0 ? ctx.fonts.heading : ctx.fonts.regular);
    ImGui::PushStyleColor(ImGuiCol_Text, p.accent_text);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(section.title.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::PopFont();
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(section.text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PushStyleColor(ImGuiCol_Text, p.muted);
    ImGui::TextUnformatted(t.format("explanation.source", section.rfc).c_str());
    ImGui::PopStyleColor();
  }
  ImGui::EndChild();
}

}  // namespace mailhop::gui
