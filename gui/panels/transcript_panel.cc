#include "gui/panels/transcript_panel.h"

#include <algorithm>
#include <string>

#include "gui/line_style.h"

namespace mailhop::gui {

void TranscriptPanel::draw(const UiContext& ctx, float height) {
  const text::Catalog& t = ctx.text;
  const Conversation& conversation = ctx.conversation;
  const Palette& p = ctx.palette;
  m_rows_drawn = 0;

  ImGui::BeginChild("##transcript", ImVec2(0, height), true);
  if (conversation.revealed() == 0) {
    ImGui::PushStyleColor(ImGuiCol_Text, p.muted);
    ImGui::TextWrapped("%s", t.c_str("transcript.empty"));
    ImGui::PopStyleColor();
    m_last_revealed = 0;
    m_last_selected.reset();
    ImGui::EndChild();
    return;
  }

  const bool revealed_changed = conversation.revealed() != m_last_revealed;
  const bool selection_changed = conversation.selected() != m_last_selected;
  m_last_revealed = conversation.revealed();
  m_last_selected = conversation.selected();

  ImGui::PushFont(ctx.fonts.mono);
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("##lines", 3, flags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    // Fixed columns as wide as their content (mono) or their header (regular), whichever wins.
    const float time_content = ImGui::CalcTextSize("00,000 s").x;
    const float direction_content = ImGui::CalcTextSize("S → C").x;
    ImGui::PushFont(ctx.fonts.regular);
    const float time_header = ImGui::CalcTextSize(t.c_str("transcript.column.time")).x;
    const float direction_header = ImGui::CalcTextSize(t.c_str("transcript.column.direction")).x;
    ImGui::PopFont();
    ImGui::TableSetupColumn(t.c_str("transcript.column.time"), ImGuiTableColumnFlags_WidthFixed,
                            std::max(time_content, time_header));
    ImGui::TableSetupColumn(t.c_str("transcript.column.direction"),
                            ImGuiTableColumnFlags_WidthFixed,
                            std::max(direction_content, direction_header));
    ImGui::TableSetupColumn(t.c_str("transcript.column.line"), ImGuiTableColumnFlags_WidthStretch);
    ImGui::PushFont(ctx.fonts.regular);
    ImGui::TableHeadersRow();
    ImGui::PopFont();

    for (std::size_t i = 0; i < conversation.revealed(); ++i) {
      const proto::TranscriptEntry& entry = conversation.entries()[i];
      const LineTone tone = tone_of(entry);
      const bool selected = conversation.selected() == i;
      ImGui::TableNextRow();
      // Lines that travelled inside TLS are shaded, so the encrypted part stands out.
      if (entry.encrypted) {
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, ImGui::GetColorU32(p.encrypted_row));
      }
      ImGui::PushID(static_cast<int>(i));

      ImGui::TableSetColumnIndex(0);
      ImGui::PushStyleColor(ImGuiCol_Text, p.muted);
      const std::string time = t.format_seconds(entry.time.count());
      if (ImGui::Selectable(
              time.c_str(), selected,
              ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap)) {
        ctx.commands.push(command::Select{i});
      }
      ImGui::PopStyleColor();
      if (selected && (selection_changed || revealed_changed)) ImGui::SetScrollHereY(0.75f);

      ImGui::TableSetColumnIndex(1);
      ImGui::PushStyleColor(ImGuiCol_Text, p.muted);
      ImGui::TextUnformatted(direction_text(entry.direction, t).c_str());
      ImGui::PopStyleColor();

      ImGui::TableSetColumnIndex(2);
      ImGui::PushStyleColor(ImGuiCol_Text, p.color(tone));
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextUnformatted(display_text(entry, t).c_str());
      ImGui::PopTextWrapPos();
      ImGui::PopStyleColor();
      ImGui::PopID();
      ++m_rows_drawn;
    }
    ImGui::EndTable();
  }
  ImGui::PopFont();
  ImGui::EndChild();
}

float TranscriptPanel::legend_width(const UiContext& ctx) const {
  const ImGuiStyle& style = ImGui::GetStyle();
  float width = 0.0f;
  for (const char* key : kLegendKeys) {
    width += ImGui::CalcTextSize(ctx.text.c_str(key)).x + style.ItemSpacing.x * 2;
  }
  return width + ImGui::CalcTextSize(ctx.text.c_str("legend.encrypted")).x +
         style.FramePadding.x * 2;
}

void TranscriptPanel::draw_legend(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  struct Item {
    const char* key;
    ImVec4 color;
  };
  const Item items[] = {
      {kLegendKeys[0], p.command},      {kLegendKeys[1], p.positive},
      {kLegendKeys[2], p.intermediate}, {kLegendKeys[3], p.transient},
      {kLegendKeys[4], p.permanent},    {kLegendKeys[5], p.note},
  };
  bool first = true;
  for (const Item& item : items) {
    const std::string& label = t.get(item.key);
    const float width = ImGui::CalcTextSize(label.c_str()).x;
    if (!first) {
      ImGui::SameLine(0.0f, ImGui::GetStyle().ItemSpacing.x * 2);
      if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
    }
    first = false;
    ImGui::TextColored(item.color, "%s", label.c_str());
  }
  // The shaded swatch for encrypted lines.
  const std::string& tls = t.get("legend.encrypted");
  const ImVec2 text_size = ImGui::CalcTextSize(tls.c_str());
  const ImVec2 pad = ImGui::GetStyle().FramePadding;
  ImGui::SameLine(0.0f, ImGui::GetStyle().ItemSpacing.x * 2);
  if (ImGui::GetContentRegionAvail().x < text_size.x + pad.x * 2) ImGui::NewLine();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddRectFilled(
      ImVec2(pos.x, pos.y - pad.y * 0.5f),
      ImVec2(pos.x + text_size.x + pad.x * 2, pos.y + text_size.y + pad.y * 0.5f),
      ImGui::GetColorU32(p.encrypted_row), ImGui::GetStyle().FrameRounding);
  ImGui::SetCursorScreenPos(ImVec2(pos.x + pad.x, pos.y));
  ImGui::TextColored(p.text, "%s", tls.c_str());
}

}  // namespace mailhop::gui
