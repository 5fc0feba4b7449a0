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

void HeaderPanel::draw_menu_bar(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  const std::string size_menu = t.format("app.menu.size", scale_label(ctx.settings.scale, t));
  const float available = ImGui::GetContentRegionAvail().x;
  // The group is as wide as it was last frame (the first frame guesses from the text).
  float width = m_width;
  if (width <= 0.0f) {
    width = ImGui::CalcTextSize((t.get(text::Language::kSpanish, "language.name") +
                                 t.get(text::Language::kEnglish, "language.name") + size_menu +
                                 t.get("app.menu.high_contrast"))
                                    .c_str())
                .x +
            ImGui::GetStyle().ItemSpacing.x * 8.0f;
  }
  if (width > available) {
    // Not enough room (a large scale on a small screen): the same choices in a View menu.
    if (ImGui::BeginMenu(t.c_str("app.menu.view"))) {
      draw_items(ctx, size_menu);
      ImGui::EndMenu();
    }
    return;
  }
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + available - width);
  const float start = ImGui::GetCursorPosX();
  draw_items(ctx, size_menu);
  ImGui::SameLine(0.0f, 0.0f);
  m_width = ImGui::GetCursorPosX() - start + ImGui::GetStyle().ItemSpacing.x;
}

void HeaderPanel::draw_items(const UiContext& ctx, const std::string& size_menu) {
  const text::Catalog& t = ctx.text;
  const std::string& spanish = t.get(text::Language::kSpanish, "language.name");
  const std::string& english = t.get(text::Language::kEnglish, "language.name");
  const bool es = ctx.settings.language == text::Language::kSpanish;
  if (ImGui::MenuItem(spanish.c_str(), nullptr, es) && !es) {
    ctx.commands.push(command::SetLanguage{text::Language::kSpanish});
  }
  if (ImGui::MenuItem(english.c_str(), nullptr, !es) && es) {
    ctx.commands.push(command::SetLanguage{text::Language::kEnglish});
  }
  if (ImGui::BeginMenu(size_menu.c_str())) {
    for (const float scale : kScales) {
      const bool selected = std::fabs(scale - ctx.settings.scale) < 0.01f;
      if (ImGui::MenuItem(scale_label(scale, t).c_str(), nullptr, selected) && !selected) {
        ctx.commands.push(command::SetScale{scale});
      }
    }
    ImGui::EndMenu();
  }
  if (ImGui::MenuItem(t.c_str("app.menu.high_contrast"), nullptr, ctx.settings.high_contrast)) {
    ctx.commands.push(command::SetHighContrast{!ctx.settings.high_contrast});
  }
}

}  // namespace mailhop::gui
