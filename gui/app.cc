#include "gui/app.h"

#include <imgui.h>

#include <algorithm>
#include <type_traits>
#include <utility>

#include "gui/app_options.h"

namespace mailhop::gui {

App::App(text::Catalog catalog, text::Explanations explanations, Conversation conversation,
         Settings settings)
    : m_catalog(std::move(catalog)),
      m_explanations(std::move(explanations)),
      m_conversation(std::move(conversation)),
      m_settings(settings) {
  m_settings.scale = std::clamp(m_settings.scale, kMinScale, kMaxScale);
  m_catalog.set_language(m_settings.language);
}

UiContext App::context() {
  return UiContext{m_catalog,           m_explanations, m_conversation, m_session.get(),
                   m_selection,         m_playback,     m_settings,     m_fonts,
                   classroom_palette(), m_commands};
}

bool App::take_font_rebuild_request() {
  return std::exchange(m_fonts_dirty, false);
}

void App::apply(const AppCommand& command) {
  std::visit(
      [this](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, command::Next>) {
          m_conversation.next();
        } else if constexpr (std::is_same_v<T, command::Back>) {
          m_conversation.back();
        } else if constexpr (std::is_same_v<T, command::Restart>) {
          m_conversation.restart();
        } else if constexpr (std::is_same_v<T, command::Select>) {
          m_conversation.select(c.index);
        } else if constexpr (std::is_same_v<T, command::SetLanguage>) {
          m_settings.language = c.language;
          m_catalog.set_language(c.language);
        } else if constexpr (std::is_same_v<T, command::SetScale>) {
          const float scale = std::clamp(c.scale, kMinScale, kMaxScale);
          if (scale != m_settings.scale) {
            m_settings.scale = scale;
            m_fonts_dirty = true;
          }
        } else {
          // Session commands: applied once the app runs scenarios.
        }
      },
      command);
}

void App::handle_shortcuts() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId)) return;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false) ||
      ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) {
    m_commands.push(command::Next{});
  }
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) m_commands.push(command::Back{});
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home), false)) {
    m_commands.push(command::Restart{});
  }
  // Up and down move the selection among the revealed lines.
  if (const std::optional<std::size_t> selected = m_conversation.selected()) {
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_UpArrow)) && *selected > 0) {
      m_commands.push(command::Select{*selected - 1});
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_DownArrow)) &&
        *selected + 1 < m_conversation.revealed()) {
      m_commands.push(command::Select{*selected + 1});
    }
  }
}

void App::frame() {
  handle_shortcuts();

  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::Begin("##mailhop", nullptr, flags);
  if (m_fonts.regular) ImGui::PushFont(m_fonts.regular);

  const UiContext ctx = context();
  // Fewer than about 24 lines of text fit (a large scale on a small screen): compact header.
  const bool compact = viewport->WorkSize.y < ImGui::GetTextLineHeightWithSpacing() * 24.0f;
  m_header.draw(ctx, compact);
  ImGui::Separator();
  m_controls.draw(ctx);

  // The rest: transcript above, explanation below, and a legend between them when there is
  // room for it (at 2x or 3x on a small screen, the lines and their explanation matter more).
  const ImGuiStyle& style = ImGui::GetStyle();
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const float available = ImGui::GetContentRegionAvail().y;
  const bool show_legend = available > line * 14.0f &&
                           m_transcript.legend_width(ctx) <= ImGui::GetContentRegionAvail().x;
  const float legend_height = show_legend ? line + style.ItemSpacing.y : 0.0f;
  const float remaining = available - legend_height - style.ItemSpacing.y;
  const float explanation_height = std::max(remaining * 0.4f, line * 4.0f);
  const float transcript_height = std::max(remaining - explanation_height, line * 3.0f);
  m_transcript.draw(ctx, transcript_height);
  if (show_legend) m_transcript.draw_legend(ctx);
  m_explanation.draw(ctx, 0.0f);

  if (m_fonts.regular) ImGui::PopFont();
  ImGui::End();

  for (const AppCommand& command : m_commands.take()) apply(command);
}

}  // namespace mailhop::gui
