#include "gui/panels/event_log_panel.h"

#include <algorithm>
#include <cstring>

#include "gui/ladder_model.h"
#include "sim/core/sim_time.h"

namespace mailhop::gui {

namespace {

ImVec4 kind_color(const core::TraceEvent& e, const Palette& p) {
  using core::TraceKind;
  switch (e.kind) {
    case TraceKind::kClientLine:
    case TraceKind::kServerLine:
      return p.color(tone_of_reply(e));
    case TraceKind::kDelivered:
    case TraceKind::kRelayed:
    case TraceKind::kQueued:
      return p.positive;
    case TraceKind::kDeferred:
    case TraceKind::kRetryScheduled:
      return p.transient;
    case TraceKind::kBounced:
    case TraceKind::kDropped:
    case TraceKind::kSendFailed:
    case TraceKind::kConnectionRefused:
    case TraceKind::kConnectionReset:
    case TraceKind::kFaultStarted:
      return p.permanent;
    default:
      return p.note;
  }
}

}  // namespace

void EventLogPanel::draw(const UiContext& ctx, ImVec2 size) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  m_rows_drawn = 0;
  ImGui::BeginChild("##event_log", size, true);
  if (ctx.session == nullptr) {
    ImGui::TextDisabled("%s", t.c_str("log.no_session"));
    ImGui::EndChild();
    return;
  }
  const core::TraceEvents events = ctx.session->events();
  if (!m_narration || m_narration_generation != ctx.session->generation() ||
      m_narration_language != ctx.settings.language) {
    m_narration.emplace(ctx.session->scenario(), ctx.settings.language, &ctx.text);
    m_narration_generation = ctx.session->generation();
    m_narration_language = ctx.settings.language;
  }

  // Filters: categories, node, search.
  for (EventCategory c : kAllEventCategories) {
    bool on = m_filter.shows(c);
    const std::string& label = t.get(category_key(c));
    const float w = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x +
                    ImGui::CalcTextSize(label.c_str()).x;
    if (c != kAllEventCategories.front()) {
      ImGui::SameLine();
      if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();
    }
    ImGui::PushID(static_cast<int>(c));
    if (ImGui::Checkbox(label.c_str(), &on)) m_filter.set(c, on);
    ImGui::PopID();
  }
  // The node list grows with the events; a step back starts it again.
  if (events.size() < m_nodes_seen) {
    m_node_set.clear();
    m_nodes_seen = 0;
  }
  if (events.size() > m_nodes_seen) {
    const std::size_t before = m_node_set.size();
    for (std::size_t i = m_nodes_seen; i < events.size(); ++i) {
      if (!events[i].node.empty()) m_node_set.insert(events[i].node);
      if (!events[i].peer.empty()) m_node_set.insert(events[i].peer);
    }
    if (m_node_set.size() != before || m_nodes.empty()) {
      m_nodes.assign(m_node_set.begin(), m_node_set.end());
    }
    m_nodes_seen = events.size();
  }
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(t.c_str("log.node"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
  const std::string& all = t.get("log.all_nodes");
  if (ImGui::BeginCombo("##node", m_filter.node.empty() ? all.c_str() : m_filter.node.c_str())) {
    if (ImGui::Selectable(all.c_str(), m_filter.node.empty())) m_filter.node.clear();
    for (const std::string& n : m_nodes) {
      if (ImGui::Selectable(n.c_str(), m_filter.node == n)) m_filter.node = n;
    }
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(t.c_str("log.search"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  if (m_search.size() < 256) m_search.resize(256, '\0');
  if (ImGui::InputTextWithHint("##search", t.c_str("log.search_hint"), m_search.data(),
                               m_search.size())) {
    m_filter.search = std::string(m_search.c_str());
  }
  m_filtered.update(events, m_filter);
  ImGui::SameLine();
  ImGui::Checkbox(t.c_str("log.follow"), &m_follow);
  ImGui::SameLine();
  ImGui::TextDisabled("%s", t.format("log.count", m_filtered.size(), events.size()).c_str());

  if (events.empty() || m_filtered.size() == 0) {
    ImGui::TextDisabled("%s", t.c_str(events.empty() ? "log.empty" : "log.nothing_matches"));
    m_last_count = m_filtered.size();
    ImGui::EndChild();
    return;
  }

  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("##events", 6, flags)) {
    ImGui::TableSetupScrollFreeze(0, 1);
    const float em = ImGui::GetFontSize();
    ImGui::TableSetupColumn(t.c_str("log.column.time"), ImGuiTableColumnFlags_WidthFixed,
                            ImGui::CalcTextSize("00:00:00.000").x + em * 0.5f);
    ImGui::TableSetupColumn(t.c_str("log.column.node"), ImGuiTableColumnFlags_WidthFixed, em * 9);
    ImGui::TableSetupColumn(t.c_str("log.column.peer"), ImGuiTableColumnFlags_WidthFixed, em * 9);
    ImGui::TableSetupColumn(t.c_str("log.column.protocol"), ImGuiTableColumnFlags_WidthFixed,
                            std::max(ImGui::CalcTextSize(t.c_str("log.column.protocol")).x,
                                     ImGui::CalcTextSize("IMAP").x) + em * 0.5f);
    ImGui::TableSetupColumn(t.c_str("log.column.kind"), ImGuiTableColumnFlags_WidthFixed, em * 8);
    ImGui::TableSetupColumn(t.c_str("log.column.text"), ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();

    const std::vector<std::size_t>& shown = m_filtered.indices();
    const std::optional<std::size_t> selected = ctx.selection.event;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(shown.size()));
    while (clipper.Step()) {
      for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
        const std::size_t index = shown[static_cast<std::size_t>(row)];
        const core::TraceEvent& e = events[index];
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::PushID(static_cast<int>(index));
        const std::string time = core::format_sim_time(e.time);
        if (ImGui::Selectable(time.c_str(), selected && *selected == index,
                              ImGuiSelectableFlags_SpanAllColumns |
                                  ImGuiSelectableFlags_AllowItemOverlap)) {
          ctx.commands.push(command::SelectEvent{index});
        }
        ImGui::PopID();
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(e.node.c_str());
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(e.peer.c_str());
        ImGui::TableSetColumnIndex(3);
        ImGui::TextUnformatted(e.protocol.c_str());
        ImGui::TableSetColumnIndex(4);
        ImGui::PushStyleColor(ImGuiCol_Text, kind_color(e, p));
        ImGui::TextUnformatted(t.c_str(kind_key(e.kind)));
        ImGui::PopStyleColor();
        ImGui::TableSetColumnIndex(5);
        if (!e.message.empty()) {
          ImGui::TextDisabled("%s", e.message.c_str());
          ImGui::SameLine();
        }
        ImGui::TextUnformatted(m_narration->text(e).c_str());
        ++m_rows_drawn;
      }
    }
    clipper.End();
    if (m_follow && m_filtered.size() != m_last_count) ImGui::SetScrollHereY(1.0f);
    ImGui::EndTable();
  }
  m_last_count = m_filtered.size();
  ImGui::EndChild();
}

}  // namespace mailhop::gui
