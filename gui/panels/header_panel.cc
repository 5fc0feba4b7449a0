#include "gui/panels/header_panel.h"

#include <cmath>
#include <string>

#include "gui/event_filter.h"
#include "gui/widgets.h"
#include "sim/core/sim_time.h"

namespace mailhop::gui {
namespace {

// At most `max` characters of a line (cut at a UTF-8 boundary), with "…" when cut.
std::string shortened(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

// "reply, mx.yahoo.example → smtp.gmail.example: “250 OK”" (or what stands instead of an event).
std::string describe(const std::optional<core::TraceEvent>& event, const char* missing_key,
                     const text::Catalog& t) {
  if (!event) return t.get(missing_key);
  const core::TraceEvent& e = *event;
  std::string hosts = e.node;
  if (!e.peer.empty()) hosts += hosts.empty() ? e.peer : " → " + e.peer;
  const std::string& kind = t.get(kind_key(e.kind));
  if (e.text.empty()) return t.format("replay.event", kind, hosts);
  return t.format("replay.event_text", kind, hosts, shortened(e.text, 80));
}

}  // namespace

std::optional<ReplayNote> replay_note(const Session& session, const text::Catalog& t) {
  const Replay* replay = session.replay();
  if (!replay) return std::nullopt;
  const scenario::LocalizedText& title = session.scenario().title;
  std::string name = t.language() == text::Language::kSpanish ? title.es : title.en;
  if (name.empty()) name = t.language() == text::Language::kSpanish ? title.en : title.es;
  if (name.empty()) name = std::filesystem::path(replay->scenario_file).filename().string();
  const std::string file = replay->trace_file.filename().string();
  ReplayNote note;
  if (replay->changed) {
    note.text = t.format("replay.changed", file, name);
    note.summary = t.format("replay.changed_short", file);
    return note;
  }
  if (!replay->difference) {
    note.text = t.format("replay.matches", file, name, replay->seed, replay->recorded_events);
    note.summary = t.format("replay.matches_short", file);
    return note;
  }
  const cli::TraceDifference& d = *replay->difference;
  const core::SimTime time = d.recorded ? d.recorded->time
                             : d.rerun  ? d.rerun->time
                                        : core::SimTime{};
  note.tone = ReplayNote::Tone::kWarning;
  note.text = t.format("replay.differs", file, name, replay->seed, replay->recorded_events,
                       d.index + 1, core::format_sim_time(time), t.get("replay.field." + d.field),
                       describe(d.recorded, "replay.recording_ends", t),
                       describe(d.rerun, "replay.rerun_ends", t));
  note.summary = t.format("replay.differs_short", file, d.index + 1, core::format_sim_time(time));
  return note;
}

void HeaderPanel::draw_banner(const UiContext& ctx) {
  if (!ctx.session) return;
  const std::optional<ReplayNote> note = replay_note(*ctx.session, ctx.text);
  if (!note) return;
  const bool warning = note->tone == ReplayNote::Tone::kWarning;
  // The whole note when it takes three lines at most; otherwise (a projector at 2x or 3x) its
  // summary, with the whole note in a tooltip.
  const float width = ImGui::GetContentRegionAvail().x;
  const float height = ImGui::CalcTextSize(note->text.c_str(), nullptr, false, width).y;
  const bool whole = height <= ImGui::GetTextLineHeight() * 3.5f;
  ImGui::PushStyleColor(ImGuiCol_Text, warning ? ctx.palette.transient : ctx.palette.accent_text);
  ImGui::TextWrapped("%s", whole ? note->text.c_str() : note->summary.c_str());
  ImGui::PopStyleColor();
  if (!whole && ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 40.0f);
    ImGui::TextUnformatted(note->text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

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
