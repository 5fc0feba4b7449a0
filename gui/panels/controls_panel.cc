#include "gui/panels/controls_panel.h"

#include <cmath>
#include <string>
#include <string_view>
#include <utility>

#include "gui/playback.h"
#include "gui/widgets.h"

namespace mailhop::gui {
namespace {

void tooltip(const UiContext& ctx, const char* key) {
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip("%s", ctx.text.c_str(key));
  }
}

ImVec4 darker(const ImVec4& c, float f) { return ImVec4(c.x * f, c.y * f, c.z * f, c.w); }

// The next item of `width` goes on the same line when it fits, else on a new one.
void same_line_or_wrap(float width) {
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
}

}  // namespace

std::string speed_label(float speed, const text::Catalog& catalog) {
  std::string number;
  if (speed >= 1.0f) {
    number = std::to_string(static_cast<int>(std::lround(speed)));
  } else {
    const int hundredths = static_cast<int>(std::lround(speed * 100.0f));
    number = "0" + catalog.get("format.decimal_separator") +
             (hundredths % 10 == 0 ? std::to_string(hundredths / 10)
                                   : (hundredths < 10 ? "0" : "") + std::to_string(hundredths));
  }
  return catalog.format("controls.speed_value", number);
}

void ControlsPanel::draw(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  const Session& s = *ctx.session;
  const ImGuiStyle& style = ImGui::GetStyle();

  // On a narrow window (a projector at 2x or 3x) the title is left out, the speed shares the
  // time's row and the buttons get short labels.
  const char* const full_keys[] = {"controls.restart",   "controls.back",      "controls.pause",
                                   "controls.step_event", "controls.step_line", "controls.step_hop",
                                   "controls.step_message"};
  float full_width = ImGui::CalcTextSize("×1000").x * 2.2f + button_width("-") * 2 +
                     ImGui::CalcTextSize(t.c_str("controls.speed")).x;
  for (const char* key : full_keys) full_width += button_width(t.get(key)) + style.ItemSpacing.x;
  const bool compact = full_width + style.ItemSpacing.x * 6 > ImGui::GetContentRegionAvail().x;
  auto label = [&](std::string_view key) -> const char* {
    static constexpr std::pair<std::string_view, std::string_view> kShort[] = {
        {"controls.restart", "controls.short.restart"},
        {"controls.back", "controls.short.back"},
        {"controls.play", "controls.short.play"},
        {"controls.pause", "controls.short.pause"},
        {"controls.step_event", "controls.short.step_event"},
        {"controls.step_line", "controls.short.step_line"},
        {"controls.step_hop", "controls.short.step_hop"},
        {"controls.step_message", "controls.short.step_message"}};
    if (compact) {
      for (const auto& [full, brief] : kShort) {
        if (full == key) return t.c_str(brief);
      }
    }
    return t.c_str(key);
  };

  // Row 1: title and time.
  const scenario::LocalizedText& title = s.scenario().title;
  std::string name = ctx.settings.language == text::Language::kSpanish ? title.es : title.en;
  if (name.empty()) name = s.path().filename().string();
  if (s.dirty()) name += " *";
  if (ctx.fonts.heading && !compact) ImGui::PushFont(ctx.fonts.heading);
  ImGui::TextUnformatted(compact ? "" : name.c_str());
  if (ctx.fonts.heading && !compact) ImGui::PopFont();
  if (ImGui::IsItemHovered()) {
    const scenario::LocalizedText& d = s.scenario().description;
    const std::string& description = ctx.settings.language == text::Language::kSpanish ? d.es : d.en;
    if (!description.empty()) {
      ImGui::BeginTooltip();
      ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
      ImGui::TextUnformatted(description.c_str());
      ImGui::PopTextWrapPos();
      ImGui::EndTooltip();
    }
  }
  const std::string time = compact ? core::format_sim_time(s.now())
                                   : t.format("controls.time", core::format_sim_time(s.now()),
                                              core::format_sim_time(s.end()), s.events().size());
  if (ctx.fonts.mono) ImGui::PushFont(ctx.fonts.mono);
  if (compact) {
    ImGui::SameLine(0.0f, 0.0f);
  } else {
    right_align_or_wrap(ImGui::CalcTextSize(time.c_str()).x);
  }
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(time.c_str());
  if (ctx.fonts.mono) ImGui::PopFont();
  if (compact) draw_speed(ctx);

  // Row 2: the buttons.
  const bool at_start = s.events().empty() && s.now() == core::SimTime{};
  const bool at_end = s.finished() || s.now() >= s.end();
  ImGui::BeginDisabled(at_start);
  if (ImGui::Button(label("controls.restart"))) ctx.commands.push(command::SeekEvent{0});
  m_rects.restart_min = ImGui::GetItemRectMin();
  m_rects.restart_max = ImGui::GetItemRectMax();
  tooltip(ctx, "controls.tip.restart");
  same_line_or_wrap(button_width(label("controls.back")));
  if (ImGui::Button(label("controls.back"))) ctx.commands.push(command::StepBack{});
  m_rects.back_min = ImGui::GetItemRectMin();
  m_rects.back_max = ImGui::GetItemRectMax();
  tooltip(ctx, "controls.tip.back");
  ImGui::EndDisabled();

  // The main action stands out.
  ImGui::BeginDisabled(s.now() >= s.end() && !ctx.playback.playing);
  ImGui::PushStyleColor(ImGuiCol_Button, p.accent);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, darker(p.accent, 0.85f));
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, darker(p.accent, 0.7f));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  const char* play_key = ctx.playback.playing ? "controls.pause" : "controls.play";
  // Both labels take the width of the wider one, so the buttons after it do not jump.
  const float play_width = std::max(button_width(label("controls.pause")),
                                    button_width(label("controls.play")));
  same_line_or_wrap(play_width);
  if (ImGui::Button(label(play_key), ImVec2(play_width, 0.0f))) {
    ctx.commands.push(command::TogglePlay{});
  }
  ImGui::PopStyleColor(4);
  m_rects.play_min = ImGui::GetItemRectMin();
  m_rects.play_max = ImGui::GetItemRectMax();
  tooltip(ctx, "controls.tip.play");
  ImGui::EndDisabled();

  ImGui::BeginDisabled(at_end);
  same_line_or_wrap(button_width(label("controls.step_event")));
  if (ImGui::Button(label("controls.step_event"))) ctx.commands.push(command::StepEvent{});
  m_rects.step_min = ImGui::GetItemRectMin();
  m_rects.step_max = ImGui::GetItemRectMax();
  tooltip(ctx, "controls.tip.step_event");
  same_line_or_wrap(button_width(label("controls.step_line")));
  if (ImGui::Button(label("controls.step_line"))) ctx.commands.push(command::StepLine{});
  tooltip(ctx, "controls.tip.step_line");
  same_line_or_wrap(button_width(label("controls.step_hop")));
  if (ImGui::Button(label("controls.step_hop"))) ctx.commands.push(command::StepHop{});
  tooltip(ctx, "controls.tip.step_hop");
  same_line_or_wrap(button_width(label("controls.step_message")));
  if (ImGui::Button(label("controls.step_message"))) ctx.commands.push(command::StepMessage{});
  tooltip(ctx, "controls.tip.step_message");
  ImGui::EndDisabled();

  if (!compact) draw_speed(ctx);
}

void ControlsPanel::draw_speed(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  const ImGuiStyle& style = ImGui::GetStyle();
  // Speed: slower, a logarithmic slider, faster.
  const std::string label = speed_label(ctx.playback.speed, t);
  const float slider_width = ImGui::CalcTextSize("×1000").x * 2.2f;
  const float speed_width = ImGui::CalcTextSize(t.c_str("controls.speed")).x + button_width("-") * 2 +
                            slider_width + style.ItemSpacing.x * 4;
  right_align_or_wrap(speed_width);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(t.c_str("controls.speed"));
  ImGui::SameLine();
  if (ImGui::Button("-")) ctx.commands.push(command::SetSpeed{slower(ctx.playback.speed)});
  tooltip(ctx, "controls.tip.slower");
  ImGui::SameLine();
  float speed = ctx.playback.speed;
  ImGui::SetNextItemWidth(slider_width);
  if (ImGui::SliderFloat("##speed", &speed, kMinSpeed, kMaxSpeed, label.c_str(),
                         ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp)) {
    ctx.commands.push(command::SetSpeed{speed});
  }
  tooltip(ctx, "controls.tip.speed");
  ImGui::SameLine();
  if (ImGui::Button("+")) ctx.commands.push(command::SetSpeed{faster(ctx.playback.speed)});
  tooltip(ctx, "controls.tip.faster");
}

}  // namespace mailhop::gui
