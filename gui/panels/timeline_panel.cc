#include "gui/panels/timeline_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace mailhop::gui {
namespace {

ImU32 color(const ImVec4& c) { return ImGui::ColorConvertFloat4ToU32(c); }

ImVec4 marker_color(MarkerKind kind, const Palette& p) {
  switch (kind) {
    case MarkerKind::kFault:
      return p.transient;
    case MarkerKind::kDelivery:
      return p.positive;
    case MarkerKind::kBounce:
      return p.permanent;
  }
  return p.text;
}

}  // namespace

void TimelinePanel::update_markers(const Session& session) {
  const core::TraceEvents events = session.events();
  const bool fresh = m_session != &session || events.size() < m_events_seen ||
                     session.scenario().script.size() != m_script_size;
  if (fresh) {
    m_session = &session;
    m_script_size = session.scenario().script.size();
    m_markers = timeline_markers(session.scenario(), events);
  } else if (events.size() > m_events_seen) {
    std::vector<TimelineMarker> more =
        timeline_markers(scenario::Scenario{}, events.subspan(m_events_seen));
    // Both parts in time order, merged: the same order a stable sort of the whole would give,
    // at the cost of what is new rather than of every marker so far.
    const auto earlier = [](const TimelineMarker& a, const TimelineMarker& b) { return a.time < b.time; };
    std::stable_sort(more.begin(), more.end(), earlier);
    const auto old_end = static_cast<std::ptrdiff_t>(m_markers.size());
    m_markers.insert(m_markers.end(), more.begin(), more.end());
    std::inplace_merge(m_markers.begin(), m_markers.begin() + old_end, m_markers.end(), earlier);
  }
  m_events_seen = events.size();
}

void TimelinePanel::draw(const UiContext& ctx) {
  const Session& s = *ctx.session;
  const Palette& p = ctx.palette;
  update_markers(s);

  const float scale = ctx.settings.scale;
  const float height = ImGui::GetFrameHeight();
  const float width = ImGui::GetContentRegionAvail().x;
  ImGui::InvisibleButton("##timeline", ImVec2(std::max(width, 10.0f), height));
  m_min = ImGui::GetItemRectMin();
  m_max = ImGui::GetItemRectMax();
  const bool hovered = ImGui::IsItemHovered();
  const bool active = ImGui::IsItemActive();

  const double end = static_cast<double>(std::max<std::int64_t>(s.end().micros(), 1));
  const float left = m_min.x + 6.0f * scale;
  const float right = m_max.x - 6.0f * scale;
  auto x_of = [&](core::SimTime t) {
    const double f = std::clamp(static_cast<double>(t.micros()) / end, 0.0, 1.0);
    return left + static_cast<float>(f) * (right - left);
  };
  auto time_at = [&](float x) {
    const double f = std::clamp(static_cast<double>((x - left) / std::max(right - left, 1.0f)), 0.0, 1.0);
    return core::SimTime::from_micros(static_cast<std::int64_t>(std::llround(f * end)));
  };

  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float mid = (m_min.y + m_max.y) * 0.5f;
  const float track = std::max(4.0f * scale, p.line_width * scale * 2.0f);
  draw->AddRectFilled(ImVec2(left, mid - track), ImVec2(right, mid + track),
                      color(ImGui::GetStyle().Colors[ImGuiCol_FrameBg]), track);
  draw->AddRect(ImVec2(left, mid - track), ImVec2(right, mid + track), color(p.border), track, 0,
                p.line_width * 0.6f * scale);
  const float now_x = x_of(s.now());
  draw->AddRectFilled(ImVec2(left, mid - track), ImVec2(now_x, mid + track),
                      color(ImVec4(p.accent.x, p.accent.y, p.accent.z, 0.55f)), track);

  // Markers: ticks above and below the track, deliveries lowest so faults and bounces show.
  const float tick = (m_max.y - m_min.y) * 0.5f - 1.0f;
  const float tick_width = std::max(2.0f, p.line_width * scale);
  for (const MarkerKind kind : {MarkerKind::kDelivery, MarkerKind::kFault, MarkerKind::kBounce}) {
    const ImU32 c = color(marker_color(kind, p));
    float last_x = -1e9f;
    for (const TimelineMarker& m : m_markers) {
      if (m.kind != kind) continue;
      const float x = x_of(m.time);
      if (x - last_x < tick_width) continue;  // one tick per pixel column is enough
      last_x = x;
      draw->AddLine(ImVec2(x, mid - tick), ImVec2(x, mid + tick), c, tick_width);
    }
  }

  // The playhead.
  const float head = 6.0f * scale;
  draw->AddTriangleFilled(ImVec2(now_x - head, m_min.y), ImVec2(now_x + head, m_min.y),
                          ImVec2(now_x, m_min.y + head * 1.3f), color(p.text));
  draw->AddLine(ImVec2(now_x, m_min.y), ImVec2(now_x, m_max.y), color(p.text),
                std::max(2.0f, p.line_width * scale));

  if (active) {
    const float x = ImGui::GetIO().MousePos.x;
    if (std::fabs(x - m_last_seek_x) >= 1.0f) {
      m_last_seek_x = x;
      ctx.commands.push(command::SeekTime{time_at(x)});
    }
  } else {
    m_last_seek_x = -1.0f;
  }
  if (hovered && !active) {
    const core::SimTime t = time_at(ImGui::GetIO().MousePos.x);
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(ctx.text.format("timeline.seek_to", core::format_sim_time(t)).c_str());
    for (const MarkerKind kind : {MarkerKind::kFault, MarkerKind::kDelivery, MarkerKind::kBounce}) {
      const char* key = kind == MarkerKind::kFault      ? "timeline.fault"
                        : kind == MarkerKind::kDelivery ? "timeline.delivery"
                                                        : "timeline.bounce";
      ImGui::PushStyleColor(ImGuiCol_Text, marker_color(kind, p));
      ImGui::TextUnformatted("┃");
      ImGui::PopStyleColor();
      ImGui::SameLine();
      ImGui::TextUnformatted(ctx.text.c_str(key));
    }
    ImGui::EndTooltip();
  }
}

}  // namespace mailhop::gui
