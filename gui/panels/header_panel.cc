#include "gui/panels/header_panel.h"

#include <cmath>
#include <string>

#include "gui/widgets.h"

namespace mailhop::gui {

std::string scale_label(float scale, const text::Catalog& catalog) {
  const int hundredths = static_cast<int>(std::lround(scale * 100.0f));
  std::string number = std::to_string(hundredths / 100);
  const int fraction = hundredths % 100;
  if (fraction != 0) {
    // Two decimals at most, without a trailing zero: 1.25, 1.5.
    const char digits[] = {static_cast<char>('0' + fraction / 10),
                           static_cast<char>('0' + fraction % 10)};
    const std::size_t count = fraction % 10 == 0 ? 1 : 2;
    number += catalog.get("format.decimal_separator");
    number.append(digits, count);
  }
  return catalog.format("header.scale_value", number);
}

void HeaderPanel::draw(const UiContext& ctx, bool compact) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  const ConversationInfo& info = ctx.conversation.info();

  // Title and subtitle.
  ImGui::PushFont(ctx.fonts.heading);
  ImGui::TextUnformatted(t.c_str("app.name"));
  ImGui::PopFont();
  if (!compact) {
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::PushStyleColor(ImGuiCol_Text, p.muted);
    ImGui::TextUnformatted(t.c_str("header.subtitle"));
    ImGui::PopStyleColor();
  }

  // Language and size, right-aligned when they fit on the title's line, else on their own.
  const std::string language_label = t.get("header.language");
  const std::string size_label = t.get("header.size");
  const std::string& spanish = t.get(text::Language::kSpanish, "language.name");
  const std::string& english = t.get(text::Language::kEnglish, "language.name");
  const std::string current_scale = scale_label(ctx.settings.scale, t);
  const ImGuiStyle& style = ImGui::GetStyle();
  const float combo_width =
      ImGui::CalcTextSize("2,25×").x + ImGui::GetFrameHeight() + style.FramePadding.x * 2;
  const float controls_width = ImGui::CalcTextSize(language_label.c_str()).x +
                               button_width(spanish) + button_width(english) +
                               ImGui::CalcTextSize(size_label.c_str()).x + combo_width +
                               style.ItemSpacing.x * 6;
  right_align_or_wrap(controls_width);

  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(language_label.c_str());
  ImGui::SameLine();
  if (toggle_button(spanish, ctx.settings.language == text::Language::kSpanish, p)) {
    ctx.commands.push(command::SetLanguage{text::Language::kSpanish});
  }
  ImGui::SameLine();
  if (toggle_button(english, ctx.settings.language == text::Language::kEnglish, p)) {
    ctx.commands.push(command::SetLanguage{text::Language::kEnglish});
  }
  ImGui::SameLine(0.0f, style.ItemSpacing.x * 3);
  ImGui::TextUnformatted(size_label.c_str());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(combo_width);
  if (ImGui::BeginCombo("##scale", current_scale.c_str())) {
    for (const float scale : kScales) {
      const bool selected = std::fabs(scale - ctx.settings.scale) < 0.01f;
      if (ImGui::Selectable(scale_label(scale, t).c_str(), selected)) {
        ctx.commands.push(command::SetScale{scale});
      }
      if (selected) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  }

  // Who talks to whom.
  ImGui::PushStyleColor(ImGuiCol_Text, p.text);
  if (compact) {
    ImGui::TextWrapped(
        "%s", t.format("header.hosts_short", info.client_host, info.server_host, info.from, info.to)
                  .c_str());
  } else {
    ImGui::TextWrapped("%s", t.format("header.hosts", info.client_host, info.server_host).c_str());
    ImGui::PushStyleColor(ImGuiCol_Text, p.muted);
    ImGui::TextWrapped("%s", t.format("header.envelope", info.from, info.to).c_str());
    ImGui::PopStyleColor();
  }
  ImGui::PopStyleColor();
}

}  // namespace mailhop::gui
