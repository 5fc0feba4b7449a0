#include "gui/panels/ladder_panel.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "gui/panels/explanation_panel.h"
#include "gui/widgets.h"
#include "sim/core/sim_time.h"

namespace mailhop::gui {

namespace {

ImU32 u32(ImVec4 c, float alpha = 1.0f) {
  c.w *= alpha;
  return ImGui::GetColorU32(c);
}

// The padlock of a line that travelled inside TLS, `h` pixels high: one quad of its sprite, on
// whole pixels, when one is painted at that height (a row of the ladder then costs a software
// renderer two triangles for it instead of dozens); else the shapes.
void draw_padlock(ImDrawList* draw, const Sprites& sprites, ImVec2 top_left, float h,
                  ImU32 color) {
  if (const Sprite* s = sprites.padlock(h)) {
    // The sprite's picture starts a pixel in from its corner.
    const ImVec2 corner(std::round(top_left.x) - 1.0f, std::round(top_left.y) - 1.0f);
    draw->PrimReserve(6, 4);
    draw->PrimRectUV(corner, ImVec2(corner.x + s->width, corner.y + s->height), s->uv0, s->uv1,
                     color);
    return;
  }
  draw_line_padlock(draw, top_left, h, color);
}

void draw_arrow(ImDrawList* draw, ImVec2 from, ImVec2 to, ImU32 color, float thickness,
                float head) {
  draw->AddLine(from, to, color, thickness);
  const float dx = to.x - from.x;
  const float dy = to.y - from.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len < 1.0f) return;
  const float ux = dx / len;
  const float uy = dy / len;
  const ImVec2 base(to.x - ux * head, to.y - uy * head);
  const ImVec2 left(base.x - uy * head * 0.5f, base.y + ux * head * 0.5f);
  const ImVec2 right(base.x + uy * head * 0.5f, base.y - ux * head * 0.5f);
  draw->AddTriangleFilled(to, left, right, color);
}

std::string row_text(const LadderRow& row, const text::Catalog& t) {
  switch (row.kind) {
    case LadderRowKind::kOpened:
      return t.get("ladder.row.opened");
    case LadderRowKind::kRefused:
      return t.format("ladder.row.refused", row.text);
    case LadderRowKind::kBody:
      return t.format("ladder.row.body", row.text);
    case LadderRowKind::kTls:
      return t.format("ladder.row.tls", row.text);
    case LadderRowKind::kAuth:
      return t.format("ladder.row.auth", row.text);
    case LadderRowKind::kClosed:
      return t.get("ladder.row.closed");
    case LadderRowKind::kReset:
      return t.get("ladder.row.reset");
    case LadderRowKind::kCommand:
    case LadderRowKind::kReply:
      break;
  }
  return row.text;
}

// "SMTP" → the label under the server column: "port 587 · SMTP".
std::string port_label(const LadderConnection& c, const text::Catalog& t) {
  if (c.port == 0) return c.protocol;
  return t.format("ladder.port", c.port, c.protocol);
}

}  // namespace

void LadderPanel::draw(const UiContext& ctx, ImVec2 size, bool meaning) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  m_rows_drawn = 0;
  m_meaning_drawn.clear();
  ImGui::BeginChild("##ladder", size, true);
  if (ctx.session == nullptr) {
    ImGui::TextDisabled("%s", t.c_str("ladder.no_session"));
    m_ladder = {};
    ImGui::EndChild();
    return;
  }
  const core::TraceEvents events = ctx.session->events();
  // Work only on what is new: the history only grows until the session re-runs its world.
  const bool rerun = ctx.session->generation() != m_generation || events.size() < m_events_seen;
  if (rerun) {
    m_connections.clear();
    m_events_seen = 0;
    m_generation = ctx.session->generation();
  }
  extend_connections(m_connections, events, m_events_seen);
  const std::uint64_t chosen = ctx.selection.connection;
  // A selected connection still exists when it did a moment ago; otherwise look again.
  const std::uint64_t id = !rerun && chosen != 0 && chosen == m_connection_seen
                               ? chosen
                               : connection_to_show(events, chosen);
  if (rerun || id != m_connection_seen || events.size() != m_events_seen) {
    const bool same_connection = !rerun && id == m_connection_seen;
    if (same_connection) {
      extend_ladder(m_ladder, events, id);
    } else {
      // Start at the connection's first event when it is known.
      std::size_t from = 0;
      // (Connections are listed in the order they opened, which is not always id order.)
      const auto known = std::find_if(m_connections.rbegin(), m_connections.rend(),
                                      [id](const LadderConnection& c) { return c.id == id; });
      if (known != m_connections.rend()) from = known->first_event;
      m_ladder = build_ladder(events, id, from);
    }
    if (!same_connection || m_ladder.rows.size() > m_rows_seen) m_scroll_to_end = true;
    m_connection_seen = id;
    m_rows_seen = m_ladder.rows.size();
  }
  m_events_seen = events.size();

  if (m_ladder.connection.id == 0) {
    ImGui::TextDisabled("%s", t.c_str("ladder.none"));
    ImGui::EndChild();
    return;
  }
  const LadderConnection& c = m_ladder.connection;

  // Choosing another connection.
  const auto item_label = [&](const LadderConnection& k) {
    return t.format("ladder.connection_item", k.id, k.client, k.server, k.protocol,
                    k.port == 0 ? std::string("?") : std::to_string(k.port));
  };
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(t.c_str("ladder.connection"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::BeginCombo("##connection", item_label(c).c_str())) {
    for (const LadderConnection& k : m_connections) {
      ImGui::PushID(static_cast<int>(k.id));
      const bool is_shown = k.id == c.id;
      if (ImGui::Selectable(item_label(k).c_str(), is_shown)) {
        ctx.commands.push(command::SelectConnection{k.id});
      }
      if (is_shown) ImGui::SetItemDefaultFocus();
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }

  // Geometry: a time column, then the client lifeline and the server lifeline.
  const ImGuiStyle& style = ImGui::GetStyle();
  float time_width = 0.0f;
  float char_width = 0.0f;
  {
    FontScope mono(ctx.fonts.mono);
    time_width = ImGui::CalcTextSize("00:00:00.000").x;
    char_width = ImGui::CalcTextSize("0").x;
  }
  const float line_h = ImGui::GetTextLineHeight();
  const float lock_w = line_h * 0.9f;
  const float avail_w = ImGui::GetContentRegionAvail().x - style.ScrollbarSize;
  const float lane_pad = std::max(line_h * 1.5f, 24.0f);
  // Where the send times would leave a line between the lifelines less than 20 characters (a
  // tab at 2x on 1600x900: "250 ST…"), they give the room to the lines: the arrows' slopes
  // still show the timing, and a row's tooltip has its times.
  const bool show_times =
      avail_w - (time_width + lock_w + style.ItemSpacing.x * 2 + lane_pad * 2) >= char_width * 20;
  if (!show_times) time_width = 0.0f;
  m_times_shown = show_times;
  const float client_rel = time_width + lock_w + style.ItemSpacing.x * 2 + lane_pad;
  const float server_rel = std::max(client_rel + 80.0f, avail_w - lane_pad);

  // Column heads: host names, role, port and protocol.
  {
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    // A line of two texts, each centred over its lifeline where there is room: when they
    // would run into each other the client's moves left (over the time column), and when the
    // two do not fit side by side the longer is shortened (the connection list has it whole).
    const float gap = style.ItemSpacing.x * 2.0f;
    const auto pair_line = [&](float y, std::string left, std::string right, ImU32 colour) {
      float wl = ImGui::CalcTextSize(left.c_str()).x;
      float wr = ImGui::CalcTextSize(right.c_str()).x;
      const HeadRooms rooms = head_rooms(avail_w, gap, wl, wr);
      if (rooms.left < wl || rooms.right < wr) {
        left = fit_text(left, rooms.left);
        right = fit_text(right, rooms.right);
        wl = ImGui::CalcTextSize(left.c_str()).x;
        wr = ImGui::CalcTextSize(right.c_str()).x;
      }
      const HeadPlaces at = place_heads(avail_w, gap, client_rel, wl, server_rel, wr);
      const float xl = at.left;
      const float xr = at.right;
      draw->AddText(ImVec2(origin.x + xl, y), colour, left.c_str());
      draw->AddText(ImVec2(origin.x + xr, y), colour, right.c_str());
    };
    pair_line(origin.y, c.client, c.server, u32(p.text));
    std::string client_sub = t.get("ladder.client") + "  ·  " + c.protocol;
    std::string server_sub = t.get("ladder.server") + "  ·  " + port_label(c, t);
    if (ImGui::CalcTextSize(client_sub.c_str()).x + ImGui::CalcTextSize(server_sub.c_str()).x >
        avail_w - gap) {
      // Too narrow for the role words: the protocol and the port say enough.
      client_sub = c.protocol;
      server_sub = port_label(c, t);
    }
    pair_line(origin.y + line_h, client_sub, server_sub, u32(p.muted));
    ImGui::Dummy(ImVec2(avail_w, line_h * 2 + style.ItemSpacing.y));
  }

  // The legend, on the last line of the region (or the meaning line in its place).
  const float legend_h = ImGui::GetFrameHeightWithSpacing();
  begin_unpainted_child("##ladder_rows", ImVec2(0, -legend_h));
  {
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float row_h = std::round(line_h * 2.1f);
    core::SimTime max_transit{};
    for (const LadderRow& row : m_ladder.rows) {
      max_transit = std::max(max_transit, row.arrival - row.sent);
    }
    const float width = ImGui::GetContentRegionAvail().x;
    const std::optional<std::size_t> selected_event = ctx.selection.event;
    FontScope mono(ctx.fonts.mono);

    // Rows touch: the clipper and the click test count exactly row_h per row.
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(style.ItemSpacing.x, 0.0f));
    m_row_height = row_h;
    m_rows_origin = ImVec2(ImGui::GetCursorScreenPos().x, ImGui::GetCursorScreenPos().y);
    // The pale green behind lines that travelled inside TLS is opaque and spans the row, the
    // largest area the ladder paints: those fills go first, in a layer of their own drawn
    // without blending (one run for all of them); the rest of each row is blended over them.
    ImDrawListSplitter layers;
    const ImU32 encrypted_fill = u32(p.encrypted_row);
    const bool opaque_layer = ctx.fonts.opaque_begin && ctx.fonts.opaque_end &&
                              ((encrypted_fill >> IM_COL32_A_SHIFT) & 0xFF) == 0xFF;
    bool opaque_run = false;
    if (opaque_layer) {
      layers.Split(draw, 2);
      layers.SetCurrentChannel(draw, 1);
    }
    const auto fill_encrypted = [&](ImVec2 a, ImVec2 b) {
      if (!opaque_layer) {
        draw->AddRectFilled(a, b, encrypted_fill);
        return;
      }
      layers.SetCurrentChannel(draw, 0);
      if (!opaque_run) draw->AddCallback(ctx.fonts.opaque_begin, nullptr);
      opaque_run = true;
      draw->AddRectFilled(a, b, encrypted_fill);
      layers.SetCurrentChannel(draw, 1);
    };
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(m_ladder.rows.size()), row_h);
    while (clipper.Step()) {
      for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
        const LadderRow& row = m_ladder.rows[static_cast<std::size_t>(i)];
        const ImVec2 top = ImGui::GetCursorScreenPos();
        const float cx = top.x + client_rel;
        const float sx = top.x + server_rel;
        ImGui::PushID(i);
        const bool clicked = ImGui::InvisibleButton("##row", ImVec2(width, row_h));
        const bool hovered = ImGui::IsItemHovered();
        ImGui::PopID();
        if (clicked) ctx.commands.push(command::SelectEvent{row.event});
        const bool selected = selected_event && *selected_event == row.event;
        const ImVec2 bottom_right(top.x + width, top.y + row_h);

        if (row.encrypted) fill_encrypted(top, bottom_right);
        if (selected) {
          draw->AddRectFilled(top, bottom_right, u32(p.accent, 0.25f));
          draw->AddRect(top, bottom_right, u32(p.accent), 0.0f, 0, 1.5f);
        } else if (hovered) {
          draw->AddRectFilled(top, bottom_right, u32(p.accent, 0.10f));
        }
        // The lifelines.
        draw->AddLine(ImVec2(cx, top.y), ImVec2(cx, top.y + row_h), u32(p.muted, 0.6f), 2.0f);
        draw->AddLine(ImVec2(sx, top.y), ImVec2(sx, top.y + row_h), u32(p.muted, 0.6f), 2.0f);
        // Send time, then a padlock on lines that travelled inside TLS.
        if (show_times) {
          draw->AddText(
              ImVec2(top.x + style.ItemSpacing.x * 0.5f, top.y + row_h * 0.5f - line_h * 0.5f),
              u32(p.muted), core::format_sim_time(row.sent).c_str());
        }
        if (row.encrypted) {
          draw_padlock(draw, ctx.fonts.sprites,
                       ImVec2(top.x + time_width + style.ItemSpacing.x,
                              top.y + row_h * 0.5f - line_h * 0.45f),
                       line_h * 0.85f, u32(p.note));
        }

        const std::string label = row_text(row, t);
        const ImU32 color = u32(p.color(row.tone));
        const float lane = sx - cx;
        if (row.direction == LadderDirection::kBoth || row.kind == LadderRowKind::kOpened) {
          // A note across both lifelines (the opening is an arrow too).
          const std::string shown = fit_text(label, lane - line_h);
          const float w = ImGui::CalcTextSize(shown.c_str()).x;
          const float x = cx + (lane - w) * 0.5f;
          const float y = top.y + (row_h - line_h) * 0.5f;
          if (row.kind == LadderRowKind::kOpened) {
            draw->AddText(ImVec2(x, top.y + 2.0f), color, shown.c_str());
            draw_arrow(draw, ImVec2(cx, top.y + row_h * 0.7f), ImVec2(sx, top.y + row_h * 0.7f),
                       u32(p.note, 0.8f), 1.5f, line_h * 0.45f);
          } else {
            const ImVec4 box_color =
                row.kind == LadderRowKind::kReset ? p.permanent : p.note;
            draw->AddRectFilled(ImVec2(x - 6, y - 2), ImVec2(x + w + 6, y + line_h + 2),
                                u32(p.background), 4.0f);
            draw->AddRect(ImVec2(x - 6, y - 2), ImVec2(x + w + 6, y + line_h + 2), u32(box_color),
                          4.0f, 0, 1.5f);
            draw->AddText(ImVec2(x, y), u32(box_color), shown.c_str());
          }
        } else {
          // An arrow from the sender's lifeline to the receiver's, sloped by its travel time.
          const bool to_server = row.direction == LadderDirection::kClientToServer;
          const float y0 = top.y + line_h + 4.0f;
          float slope = 0.0f;
          if (max_transit.micros() > 0) {
            const double share = static_cast<double>((row.arrival - row.sent).micros()) /
                                 static_cast<double>(max_transit.micros());
            slope = static_cast<float>(share) * (row_h - line_h - 8.0f);
          }
          const ImVec2 from(to_server ? cx : sx, y0);
          const ImVec2 to(to_server ? sx : cx, y0 + slope);
          draw_arrow(draw, from, to, color, row.kind == LadderRowKind::kBody ? 3.0f : 1.8f,
                     line_h * 0.5f);
          const std::string shown = fit_text(label, lane - line_h);
          const float w = ImGui::CalcTextSize(shown.c_str()).x;
          const float x = to_server ? cx + line_h * 0.4f : sx - line_h * 0.4f - w;
          draw->AddText(ImVec2(x, top.y + 2.0f), color, shown.c_str());
        }
        if (hovered) {
          ImGui::BeginTooltip();
          ImGui::TextUnformatted(label.c_str());
          if (row.arrival > row.sent) {
            ImGui::TextUnformatted(t.format("ladder.tooltip", core::format_sim_time(row.sent),
                                            core::format_sim_time(row.arrival),
                                            t.format_seconds((row.arrival - row.sent).micros()))
                                       .c_str());
          }
          if (row.encrypted) ImGui::TextUnformatted(t.c_str("ladder.tooltip_encrypted"));
          ImGui::TextDisabled("%s", t.c_str("ladder.hint"));
          ImGui::EndTooltip();
        }
        ++m_rows_drawn;
      }
    }
    clipper.End();
    if (opaque_layer) {
      if (opaque_run) {
        layers.SetCurrentChannel(draw, 0);
        draw->AddCallback(ctx.fonts.opaque_end, nullptr);
      }
      layers.Merge(draw);
    }
    ImGui::PopStyleVar();
    // Show the selected line when the selection moved, until it is in view (the scroll range
    // of a new ladder is known only a frame later); otherwise follow the conversation as it
    // grows.
    if (selected_event != m_selected_seen) {
      m_selected_seen = selected_event;
      m_reveal_selected = selected_event.has_value();
    }
    std::optional<std::size_t> selected_row;
    if (m_reveal_selected && selected_event) {
      for (std::size_t i = 0; i < m_ladder.rows.size() && !selected_row; ++i) {
        if (m_ladder.rows[i].event == *selected_event) selected_row = i;
      }
    }
    if (selected_row) {
      const float y = static_cast<float>(*selected_row) * row_h;
      const float top = ImGui::GetScrollY();
      const float height = ImGui::GetWindowHeight();
      if (y >= top && y + row_h <= top + height) {
        m_reveal_selected = false;
      } else {
        ImGui::SetScrollY(std::max(0.0f, y - height * 0.5f));
      }
      m_scroll_to_end = false;
    } else {
      m_reveal_selected = false;
      if (m_scroll_to_end) {
        ImGui::SetScrollHereY(1.0f);
        m_scroll_to_end = false;
      }
    }
  }
  ImGui::EndChild();
  if (!meaning || !draw_meaning(ctx)) draw_legend(ctx);
  ImGui::EndChild();
}

bool LadderPanel::draw_meaning(const UiContext& ctx) {
  const auto events = ctx.session->events();
  const std::optional<std::size_t> selected = ctx.selection.event;
  // Only a line of the connection shown: another's meaning under these rows would mislead.
  if (!selected || *selected >= events.size() ||
      events[*selected].connection != m_ladder.connection.id ||
      (events[*selected].kind != core::TraceKind::kClientLine &&
       events[*selected].kind != core::TraceKind::kServerLine)) {
    return false;
  }
  if (m_meaning_index != selected || m_meaning_language != ctx.settings.language ||
      m_meaning_generation != ctx.session->generation()) {
    const EventExplanation e =
        explain_event(events, *selected, ctx.text, ctx.explanations, ctx.settings.language);
    m_meaning_title = e.sections.empty() ? std::string() : e.sections.front().title;
    m_meaning_text = e.sections.empty() ? std::string() : e.sections.front().text;
    m_meaning_index = selected;
    m_meaning_language = ctx.settings.language;
    m_meaning_generation = ctx.session->generation();
  }
  if (m_meaning_title.empty()) return false;
  m_meaning_drawn = fit_text(m_meaning_title, ImGui::GetContentRegionAvail().x);
  ImGui::TextColored(ctx.palette.accent_text, "%s", m_meaning_drawn.c_str());
  if (ImGui::IsItemHovered() && !m_meaning_text.empty()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
    ImGui::TextUnformatted(m_meaning_title.c_str());
    ImGui::TextUnformatted(m_meaning_text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
  return true;
}

void LadderPanel::draw_legend(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  struct Item {
    const char* key;
    ImVec4 color;
  };
  const Item items[] = {{"ladder.legend.command", p.command}, {"legend.positive", p.positive},
                        {"legend.intermediate", p.intermediate}, {"legend.transient", p.transient},
                        {"legend.permanent", p.permanent}};
  bool first = true;
  for (const Item& item : items) {
    const std::string& label = t.get(item.key);
    if (!first) {
      ImGui::SameLine(0.0f, ImGui::GetStyle().ItemSpacing.x * 3);
      if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize(label.c_str()).x) break;
    }
    first = false;
    ImGui::TextColored(item.color, "%s", label.c_str());
  }
  const std::string& tls = t.get("ladder.legend.tls");
  const float h = ImGui::GetTextLineHeight();
  ImGui::SameLine(0.0f, ImGui::GetStyle().ItemSpacing.x * 3);
  if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize(tls.c_str()).x + h * 2) return;
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float w = ImGui::CalcTextSize(tls.c_str()).x + h * 1.6f;
  draw->AddRectFilled(pos, ImVec2(pos.x + w, pos.y + h), u32(p.encrypted_row), 3.0f);
  draw_padlock(draw, ctx.fonts.sprites, ImVec2(pos.x + h * 0.2f, pos.y + h * 0.08f), h * 0.82f,
               u32(p.note));
  ImGui::SetCursorScreenPos(ImVec2(pos.x + h * 1.2f, pos.y));
  ImGui::TextColored(p.text, "%s", tls.c_str());
}

}  // namespace mailhop::gui
