#include "gui/panels/inspector_panel.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "gui/inspector_model.h"
#include "gui/widgets.h"
#include "sim/core/sim_time.h"
#include "sim/mail/message.h"

namespace mailhop::gui {

namespace {

void heading(const UiContext& ctx, const std::string& text) {
  FontScope font(ctx.fonts.heading);
  ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accent_text);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

void muted_wrapped(const UiContext& ctx, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.muted);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

const char* state_key(world::QueueState s) {
  switch (s) {
    case world::QueueState::kIncoming: return "inspector.state.incoming";
    case world::QueueState::kActive: return "inspector.state.active";
    case world::QueueState::kDeferred: return "inspector.state.deferred";
    case world::QueueState::kHold: return "inspector.state.hold";
  }
  return "inspector.state.incoming";
}

ImVec4 state_color(world::QueueState s, const Palette& p) {
  switch (s) {
    case world::QueueState::kDeferred: return p.transient;
    case world::QueueState::kHold: return p.permanent;
    case world::QueueState::kActive: return p.positive;
    case world::QueueState::kIncoming: break;
  }
  return p.note;
}

std::string octets(std::uint64_t n) {
  if (n >= 10 * 1024 * 1024) return std::to_string(n / (1024 * 1024)) + " MiB";
  if (n >= 10 * 1024) return std::to_string(n / 1024) + " KiB";
  return std::to_string(n) + " B";
}

// A label and value table of two columns.
bool begin_pairs(const char* id) {
  return ImGui::BeginTable(id, 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                      ImGuiTableFlags_SizingStretchProp);
}

void pair_row(const std::string& label, const std::string& value, const ImVec4* color = nullptr) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(label.c_str());
  ImGui::PopTextWrapPos();
  ImGui::TableSetColumnIndex(1);
  if (color) ImGui::PushStyleColor(ImGuiCol_Text, *color);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(value.c_str());
  ImGui::PopTextWrapPos();
  if (color) ImGui::PopStyleColor();
}

// Whether the space left is narrower than `ems` times the font's size: a list's table would
// cut its cells to a few letters there, so each row is an entry of a few lines instead.
bool narrower_than(float ems) {
  return ImGui::GetContentRegionAvail().x < ImGui::GetFontSize() * ems;
}

// The height of an entry of `lines` lines.
float entry_height(int lines) {
  return ImGui::GetTextLineHeight() * static_cast<float>(lines) +
         ImGui::GetStyle().ItemSpacing.y * static_cast<float>(lines - 1);
}

// One entry of a narrow list: a selectable as tall as `lines` lines with `body` drawn over it
// (lines cut with fit_text at the panel's edge), and `tooltip` (the whole entry) while the mouse
// is over it. Returns whether it was clicked. Every entry of a list has the same height, so that
// a clipper draws only the visible ones; they scroll with the rest of the inspector.
template <typename Body, typename Tooltip>
bool list_entry(int id, int lines, bool selected, Body body, Tooltip tooltip,
                std::vector<ImVec2>* centres) {
  ImGui::PushID(id);
  const ImVec2 top = ImGui::GetCursorScreenPos();
  const bool clicked = ImGui::Selectable("##entry", selected, ImGuiSelectableFlags_AllowItemOverlap,
                                         ImVec2(0.0f, entry_height(lines)));
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 min = ImGui::GetItemRectMin();
  const ImVec2 max = ImGui::GetItemRectMax();
  centres->push_back(ImVec2((min.x + max.x) / 2, (min.y + max.y) / 2));
  const ImVec2 after = ImGui::GetCursorScreenPos();
  ImGui::SetCursorScreenPos(top);
  ImGui::BeginGroup();
  body(ImGui::GetContentRegionAvail().x);
  ImGui::EndGroup();
  if (hovered) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
    tooltip();
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
  ImGui::SetCursorScreenPos(after);
  ImGui::PopID();
  return clicked;
}

// Draws `count` entries of `lines` lines each with `draw_entry(i)`, only the visible ones.
template <typename DrawEntry>
void clipped_entries(std::size_t count, int lines, DrawEntry draw_entry) {
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(count), entry_height(lines) + ImGui::GetStyle().ItemSpacing.y);
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) draw_entry(i);
  }
  clipper.End();
}

}  // namespace

void InspectorPanel::draw(const UiContext& ctx, ImVec2 size) {
  const text::Catalog& t = ctx.text;
  m_queue_rows = 0;
  m_mailbox_rows = 0;
  m_log_rows = 0;
  m_message_rows = 0;
  m_entry_centres.clear();
  m_hops = 0;
  m_dsn = false;
  m_message = false;
  ImGui::BeginChild("##inspector", size, true);
  if (ctx.session == nullptr) {
    ImGui::TextDisabled("%s", t.c_str("inspector.no_session"));
    ImGui::EndChild();
    return;
  }
  const world::World& world = ctx.session->world();
  const Selection& sel = ctx.selection;

  // Which server: a combo over every node.
  const world::NodeState* node = nullptr;
  for (const auto& n : world.nodes()) {
    if (n->spec.name == sel.node) node = n.get();
  }
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(t.c_str("inspector.pick_node"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::BeginCombo("##node", node ? node->spec.name.c_str() : t.c_str("inspector.pick_none"))) {
    for (const auto& n : world.nodes()) {
      if (ImGui::Selectable(n->spec.name.c_str(), n.get() == node)) {
        ctx.commands.push(command::SelectNode{n->spec.name});
      }
    }
    ImGui::EndCombo();
  }
  if (!sel.node.empty() && node == nullptr) {
    muted_wrapped(ctx, t.format("inspector.node_gone", sel.node));
  }
  if (node == nullptr && sel.message.empty() && sel.mailbox.empty()) {
    muted_wrapped(ctx, t.get("inspector.none"));
    ImGui::EndChild();
    return;
  }

  // A newly picked host opens on its queue when messages wait there (what the retry and backup
  // lessons are about), otherwise on its settings, until a section is chosen by hand; from then
  // on every host opens on that section.
  const std::string picked = node != nullptr ? node->spec.name : std::string();
  if (picked != m_last_node && node != nullptr && !m_section_chosen && !m_open_tab) {
    m_open_tab = node->queue.size() > 0 ? InspectorTab::kQueue : InspectorTab::kSettings;
  }
  m_last_node = picked;
  // The newest selection gets its tab brought to the front.
  if (sel.mailbox != m_last_mailbox && !sel.mailbox.empty()) m_open_tab = InspectorTab::kMailbox;
  if (sel.message != m_last_message && !sel.message.empty()) m_open_tab = InspectorTab::kMessage;
  m_last_message = sel.message;
  m_last_mailbox = sel.mailbox;

  if (node != nullptr && node->down) {
    ImGui::TextColored(ctx.palette.permanent, "%s", t.c_str("inspector.down"));
  }
  // The sections there are, with their names (counts in them) and ImGui ids.
  struct Section {
    InspectorTab tab;
    std::string name;
    const char* id;
  };
  std::vector<Section> sections;
  std::vector<MailboxView> boxes;
  if (node != nullptr) {
    sections.push_back({InspectorTab::kSettings, t.get("inspector.tab.settings"), "###settings"});
    sections.push_back(
        {InspectorTab::kQueue, t.format("inspector.tab.queue", node->queue.size()), "###queue"});
    boxes = mailboxes_on(world, node->spec.name);
    if (!boxes.empty()) {
      sections.push_back({InspectorTab::kMailboxes,
                          t.format("inspector.tab.mailboxes", boxes.size()), "###mailboxes"});
    }
    if (m_log_node != node->spec.name) {
      m_log_node = node->spec.name;
      m_log_filter.node = node->spec.name;
    }
    m_log.update(ctx.session->events(), m_log_filter);
    sections.push_back({InspectorTab::kLog, t.format("inspector.tab.log", m_log.size()), "###log"});
  }
  if (!sel.mailbox.empty()) sections.push_back({InspectorTab::kMailbox, sel.mailbox, "###mailbox"});
  if (!sel.message.empty()) {
    sections.push_back({InspectorTab::kMessage, t.get("inspector.tab.message"), "###message"});
  }
  const auto draw_section = [&](InspectorTab tab) {
    m_shown = tab;
    switch (tab) {
      case InspectorTab::kSettings:
        draw_settings(ctx, *node);
        break;
      case InspectorTab::kQueue:
        draw_queue(ctx, *node);
        break;
      case InspectorTab::kMailboxes:
        draw_mailboxes(ctx, boxes);
        break;
      case InspectorTab::kLog:
        draw_log(ctx);
        break;
      case InspectorTab::kMailbox:
        draw_mailbox(ctx, sel.mailbox);
        break;
      case InspectorTab::kMessage:
        draw_message(ctx, sel.message, sel.mailbox);
        break;
    }
  };

  // As tabs where their names fit side by side; otherwise (a narrow inspector at 2x, beside
  // the network) as buttons that wrap onto a second line, so that no name or count is cut.
  const ImGuiStyle& style = ImGui::GetStyle();
  std::vector<std::string_view> names;
  for (const Section& section : sections) names.emplace_back(section.name);
  const bool as_tabs = tab_bar_width(names) <= ImGui::GetContentRegionAvail().x;
  // A section chosen while drawn one way stays chosen when drawn the other way.
  if (as_tabs != m_as_tabs && !m_open_tab) m_open_tab = m_shown;
  m_as_tabs = as_tabs;
  if (as_tabs) {
    if (ImGui::BeginTabBar("##inspector_tabs")) {
      for (const Section& section : sections) {
        const std::string label = section.name + section.id;
        const bool open = ImGui::BeginTabItem(label.c_str(), nullptr, tab_flags(section.tab));
        if (ImGui::IsItemActivated() && is_node_section(section.tab)) m_section_chosen = true;
        if (open) {
          draw_section(section.tab);
          ImGui::EndTabItem();
        }
      }
      ImGui::EndTabBar();
    }
  } else if (!sections.empty()) {
    InspectorTab current = m_open_tab.value_or(m_shown);
    if (std::none_of(sections.begin(), sections.end(),
                     [&](const Section& section) { return section.tab == current; })) {
      current = sections.front().tab;
    }
    for (std::size_t i = 0; i < sections.size(); ++i) {
      const Section& section = sections[i];
      if (i > 0) {
        const float width =
            ImGui::CalcTextSize(section.name.c_str()).x + style.FramePadding.x * 2.0f;
        ImGui::SameLine();
        if (width > ImGui::GetContentRegionAvail().x) ImGui::NewLine();
      }
      const std::string label = section.name + section.id;
      if (toggle_button(label, section.tab == current, ctx.palette)) {
        current = section.tab;
        if (is_node_section(section.tab)) m_section_chosen = true;
      }
    }
    ImGui::Separator();
    draw_section(current);
  }
  m_open_tab.reset();
  ImGui::EndChild();
}

void InspectorPanel::draw_settings(const UiContext& ctx, const world::NodeState& node) {
  const std::vector<SettingRow> rows = node_settings(node, ctx.text);
  // The labels' column as wide as the widest label, up to 40% of the width; a longer label
  // wraps rather than being cut.
  float widest = 0.0f;
  for (const SettingRow& row : rows) {
    widest = std::max(widest, ImGui::CalcTextSize(ctx.text.c_str(row.label_key)).x);
  }
  const float cell_padding = ImGui::GetStyle().CellPadding.x * 2.0f;
  const float label_width =
      std::min(widest + cell_padding, ImGui::GetContentRegionAvail().x * 0.4f) - cell_padding;
  if (begin_pairs("##settings")) {
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, std::max(label_width, 1.0f));
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    for (const SettingRow& row : rows) {
      pair_row(ctx.text.get(row.label_key), row.value);
    }
    ImGui::EndTable();
  }
}

void InspectorPanel::draw_queue(const UiContext& ctx, const world::NodeState& node) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  const world::MailQueue& q = node.queue;
  if (q.size() == 0) {
    muted_wrapped(ctx, t.get("inspector.queue.empty"));
    return;
  }
  muted_wrapped(ctx, t.format("inspector.queue.summary", q.count(world::QueueState::kIncoming),
                              q.count(world::QueueState::kActive),
                              q.count(world::QueueState::kDeferred),
                              q.count(world::QueueState::kHold)));
  const std::vector<QueueRow> rows = queue_rows(node);
  // Seven columns need a width of about 32 times the font's size (the four panels at 1x on
  // 1280x800 have 688 pixels for 576); narrower (1.5x and up), each entry is four lines instead
  // of a row of cells cut to a few letters.
  m_list_table = !narrower_than(32.0f);
  if (!m_list_table) {
    draw_queue_entries(ctx, rows);
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("##queue", 7, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn(t.c_str("inspector.queue.id"), 0, 1.0f);
  ImGui::TableSetupColumn(t.c_str("inspector.queue.state"), 0, 1.0f);
  ImGui::TableSetupColumn(t.c_str("inspector.queue.from"), 0, 1.4f);
  ImGui::TableSetupColumn(t.c_str("inspector.queue.to"), 0, 1.4f);
  ImGui::TableSetupColumn(t.c_str("inspector.queue.attempts"), 0, 0.5f);
  ImGui::TableSetupColumn(t.c_str("inspector.queue.next"), 0, 1.0f);
  ImGui::TableSetupColumn(t.c_str("inspector.queue.diagnostic"), 0, 2.2f);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const QueueRow& row = rows[static_cast<std::size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::PushID(i);
      if (ImGui::Selectable(row.id.c_str(), ctx.selection.message == row.id,
                            ImGuiSelectableFlags_SpanAllColumns |
                                ImGuiSelectableFlags_AllowItemOverlap)) {
        ctx.commands.push(command::SelectMessage{row.id});
      }
      if (ImGui::IsItemHovered() && !row.subject.empty()) {
        ImGui::SetTooltip("%s: %s", t.c_str("inspector.mailbox.subject"), row.subject.c_str());
      }
      ImGui::PopID();
      ImGui::TableSetColumnIndex(1);
      ImGui::TextColored(state_color(row.state, p), "%s", t.c_str(state_key(row.state)));
      ImGui::TableSetColumnIndex(2);
      ImGui::TextUnformatted(row.sender.c_str());
      ImGui::TableSetColumnIndex(3);
      for (std::size_t r = 0; r < row.recipients.size(); ++r) {
        if (r < row.pending) {
          ImGui::TextUnformatted(row.recipients[r].c_str());
        } else {
          ImGui::TextDisabled("%s", row.recipients[r].c_str());
        }
      }
      ImGui::TableSetColumnIndex(4);
      ImGui::Text("%d", row.attempts);
      ImGui::TableSetColumnIndex(5);
      if (row.next_attempt) {
        ImGui::TextUnformatted(core::format_sim_time(*row.next_attempt).c_str());
        const core::SimTime now = ctx.session->now();
        if (*row.next_attempt > now) {
          ImGui::TextDisabled("%s", t.format("inspector.queue.in",
                                             t.format_seconds((*row.next_attempt - now).micros()))
                                        .c_str());
        }
      }
      ImGui::TableSetColumnIndex(6);
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextUnformatted(row.diagnostic.c_str());
      ImGui::PopTextWrapPos();
      ++m_queue_rows;
    }
  }
  clipper.End();
  ImGui::EndTable();
}

void InspectorPanel::draw_queue_entries(const UiContext& ctx, const std::vector<QueueRow>& rows) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  // Four lines: id and state; sender and recipients; attempts and the next try; the last answer.
  clipped_entries(rows.size(), 4, [&](int i) {
    const QueueRow& row = rows[static_cast<std::size_t>(i)];
    std::string to;
    for (std::size_t r = 0; r < row.pending && r < row.recipients.size(); ++r) {
      if (!to.empty()) to += ", ";
      to += row.recipients[r];
    }
    std::string next = t.get("inspector.queue.attempts") + ": " + std::to_string(row.attempts);
    if (row.next_attempt) {
      next +=
          " · " + t.get("inspector.queue.next") + ": " + core::format_sim_time(*row.next_attempt);
      if (*row.next_attempt > ctx.session->now()) {
        next += " (" +
                t.format("inspector.queue.in",
                         t.format_seconds((*row.next_attempt - ctx.session->now()).micros())) +
                ")";
      }
    }
    const auto body = [&](float width) {
      ImGui::TextUnformatted(row.id.c_str());
      ImGui::SameLine();
      ImGui::TextColored(
          state_color(row.state, p), "%s",
          fit_text(t.get(state_key(row.state)), std::max(ImGui::GetContentRegionAvail().x, 1.0f))
              .c_str());
      ImGui::TextUnformatted(fit_text(row.sender + " → " + to, width).c_str());
      ImGui::TextUnformatted(fit_text(next, width).c_str());
      ImGui::TextDisabled("%s", fit_text(row.diagnostic, width).c_str());
    };
    const auto tooltip = [&] {
      ImGui::TextUnformatted(row.id.c_str());
      if (!row.subject.empty()) {
        ImGui::Text("%s: %s", t.c_str("inspector.mailbox.subject"), row.subject.c_str());
      }
      ImGui::Text("%s: %s", t.c_str("inspector.queue.from"), row.sender.c_str());
      ImGui::Text("%s: %s", t.c_str("inspector.queue.to"), to.c_str());
      ImGui::TextUnformatted(next.c_str());
      if (!row.diagnostic.empty()) {
        ImGui::Text("%s: %s", t.c_str("inspector.queue.diagnostic"), row.diagnostic.c_str());
      }
    };
    if (list_entry(i, 4, ctx.selection.message == row.id, body, tooltip, &m_entry_centres)) {
      ctx.commands.push(command::SelectMessage{row.id});
    }
    ++m_queue_rows;
  });
}

void InspectorPanel::draw_mailboxes(const UiContext& ctx, const std::vector<MailboxView>& boxes) {
  const text::Catalog& t = ctx.text;
  const auto usage = [&](const MailboxView& box) {
    return t.format("inspector.mailbox.usage", octets(box.used),
                    box.quota == 0 ? t.get("inspector.value.unlimited") : octets(box.quota));
  };
  // Narrow (beside the network at 1.5x and up), each mailbox is two lines: its address, then its
  // count and usage.
  m_list_table = !narrower_than(24.0f);
  if (!m_list_table) {
    clipped_entries(boxes.size(), 2, [&](int i) {
      const MailboxView& box = boxes[static_cast<std::size_t>(i)];
      const std::string count = t.get("inspector.mailbox.count") + ": " + std::to_string(box.count);
      const std::string used = t.get("inspector.mailbox.used") + ": " + usage(box);
      const auto body = [&](float width) {
        ImGui::TextUnformatted(fit_text(box.address, width).c_str());
        ImGui::TextDisabled("%s", fit_text(count + " · " + usage(box), width).c_str());
      };
      const auto tooltip = [&] {
        ImGui::TextUnformatted(box.address.c_str());
        ImGui::TextUnformatted(count.c_str());
        ImGui::TextUnformatted(used.c_str());
      };
      if (list_entry(i, 2, ctx.selection.mailbox == box.address, body, tooltip, &m_entry_centres)) {
        ctx.commands.push(command::SelectMailbox{box.address});
      }
      ++m_mailbox_rows;
    });
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("##mailboxes", 3, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn(t.c_str("inspector.mailbox.address"), 0, 2.0f);
  ImGui::TableSetupColumn(t.c_str("inspector.mailbox.count"), 0, 0.7f);
  ImGui::TableSetupColumn(t.c_str("inspector.mailbox.used"), 0, 1.2f);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(boxes.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const MailboxView& box = boxes[static_cast<std::size_t>(i)];
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::PushID(i);
      if (ImGui::Selectable(box.address.c_str(), ctx.selection.mailbox == box.address,
                            ImGuiSelectableFlags_SpanAllColumns |
                                ImGuiSelectableFlags_AllowItemOverlap)) {
        ctx.commands.push(command::SelectMailbox{box.address});
      }
      ImGui::PopID();
      ImGui::TableSetColumnIndex(1);
      ImGui::Text("%zu", box.count);
      ImGui::TableSetColumnIndex(2);
      ImGui::TextUnformatted(usage(box).c_str());
      ++m_mailbox_rows;
    }
  }
  clipper.End();
  ImGui::EndTable();
}

void InspectorPanel::draw_log(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  if (m_log.size() == 0) {
    muted_wrapped(ctx, t.get("inspector.log.empty"));
    return;
  }
  const auto events = ctx.session->events();
  // Narrow, each event is two lines: its time and kind, then its details.
  m_list_table = !narrower_than(32.0f);
  if (!m_list_table) {
    clipped_entries(m_log.size(), 2, [&](int i) {
      const std::size_t index = m_log.indices()[static_cast<std::size_t>(i)];
      const core::TraceEvent& e = events[index];
      const std::string time = core::format_sim_time(e.time);
      const auto body = [&](float width) {
        ImGui::TextUnformatted(time.c_str());
        ImGui::SameLine();
        ImGui::TextDisabled("%s", fit_text(t.get(kind_key(e.kind)),
                                           std::max(ImGui::GetContentRegionAvail().x, 1.0f))
                                      .c_str());
        ImGui::TextUnformatted(fit_text(e.text, width).c_str());
      };
      const auto tooltip = [&] {
        ImGui::Text("%s · %s", time.c_str(), t.c_str(kind_key(e.kind)));
        ImGui::TextUnformatted(e.text.c_str());
      };
      if (list_entry(static_cast<int>(index), 2, ctx.selection.event == index, body, tooltip,
                     &m_entry_centres)) {
        ctx.commands.push(command::SelectEvent{index});
      }
      ++m_log_rows;
    });
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingFixedFit;
  if (!ImGui::BeginTable("##node_log", 3, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn(t.c_str("log.column.time"));
  ImGui::TableSetupColumn(t.c_str("log.column.kind"));
  ImGui::TableSetupColumn(t.c_str("log.column.text"), ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(m_log.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const std::size_t index = m_log.indices()[static_cast<std::size_t>(i)];
      const core::TraceEvent& e = events[index];
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::PushID(static_cast<int>(index));
      if (ImGui::Selectable(core::format_sim_time(e.time).c_str(),
                            ctx.selection.event == index,
                            ImGuiSelectableFlags_SpanAllColumns |
                                ImGuiSelectableFlags_AllowItemOverlap)) {
        ctx.commands.push(command::SelectEvent{index});
      }
      ImGui::PopID();
      ImGui::TableSetColumnIndex(1);
      ImGui::TextUnformatted(t.c_str(kind_key(e.kind)));
      ImGui::TableSetColumnIndex(2);
      ImGui::TextUnformatted(e.text.c_str());
      ++m_log_rows;
    }
  }
  clipper.End();
  ImGui::EndTable();
}

void InspectorPanel::draw_mailbox(const UiContext& ctx, const std::string& address) {
  const text::Catalog& t = ctx.text;
  const std::optional<MailboxView> box =
      read_mailbox(ctx.session->world(), address, WithMessages::kYes);
  if (!box) {
    muted_wrapped(ctx, t.format("inspector.mailbox.gone", address));
    return;
  }
  heading(ctx, t.format("inspector.mailbox.title", box->address, box->host));
  muted_wrapped(ctx, t.format("inspector.mailbox.usage", octets(box->used),
                              box->quota == 0 ? t.get("inspector.value.unlimited")
                                              : octets(box->quota)));
  if (box->messages.empty()) {
    muted_wrapped(ctx, t.get("inspector.mailbox.no_messages"));
    return;
  }
  // The key, sender and subject of a message of the mailbox.
  struct Row {
    std::string key;
    std::string from;
    std::string subject;
  };
  const auto row_of = [&](const MailboxMessage& m) {
    const MessageView parsed = view_of_content(m.content.substr(0, m.content.find("\r\n\r\n") + 2));
    Row row{message_key(box->address, m.uid, m.content), parsed.header_from, {}};
    for (const HeaderRow& h : parsed.headers) {
      if (h.name == "Subject" || h.name == "subject") row.subject = h.value;
    }
    return row;
  };
  // Narrow, each message is two lines: its subject, then its folder and sender.
  m_list_table = !narrower_than(36.0f);
  if (!m_list_table) {
    clipped_entries(box->messages.size(), 2, [&](int i) {
      const MailboxMessage& m = box->messages[static_cast<std::size_t>(i)];
      const Row row = row_of(m);
      const std::string where = m.folder + " · " + row.from;
      const auto body = [&](float width) {
        ImGui::TextUnformatted(fit_text(row.subject, width).c_str());
        ImGui::TextDisabled("%s", fit_text(where, width).c_str());
      };
      const auto tooltip = [&] {
        ImGui::Text("%s: %s", t.c_str("inspector.mailbox.subject"), row.subject.c_str());
        ImGui::Text("%s: %s", t.c_str("inspector.mailbox.from"), row.from.c_str());
        ImGui::Text("%s: %s", t.c_str("inspector.mailbox.folder"), m.folder.c_str());
      };
      if (list_entry(i, 2, ctx.selection.message == row.key, body, tooltip, &m_entry_centres)) {
        ctx.commands.push(command::SelectMessage{row.key});
      }
      ++m_message_rows;
    });
    return;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("##messages", 3, flags)) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn(t.c_str("inspector.mailbox.folder"), 0, 0.6f);
  ImGui::TableSetupColumn(t.c_str("inspector.mailbox.from"), 0, 1.5f);
  ImGui::TableSetupColumn(t.c_str("inspector.mailbox.subject"), 0, 2.0f);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(box->messages.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const MailboxMessage& m = box->messages[static_cast<std::size_t>(i)];
      const Row row = row_of(m);
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::PushID(i);
      if (ImGui::Selectable(
              m.folder.c_str(), ctx.selection.message == row.key,
              ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap)) {
        ctx.commands.push(command::SelectMessage{row.key});
      }
      ImGui::PopID();
      ImGui::TableSetColumnIndex(1);
      ImGui::TextUnformatted(row.from.c_str());
      ImGui::TableSetColumnIndex(2);
      ImGui::TextUnformatted(row.subject.c_str());
      ++m_message_rows;
    }
  }
  clipper.End();
  ImGui::EndTable();
}

void InspectorPanel::draw_message(const UiContext& ctx, const std::string& key,
                                  const std::string& mailbox) {
  const text::Catalog& t = ctx.text;
  const Palette& p = ctx.palette;
  const std::optional<MessageView> view = find_message(ctx.session->world(), key, mailbox);
  if (!view) {
    muted_wrapped(ctx, t.format("inspector.message.gone", key));
    return;
  }
  m_message = true;
  begin_unpainted_child("##message_scroll", ImVec2(0, 0));
  heading(ctx, view->place == MessagePlace::kQueue
                   ? t.format("inspector.message.where_queue", view->queue_id, view->node)
                   : t.format("inspector.message.where_mailbox", view->mailbox, view->node));
  if (!view->parse_error.empty()) {
    ImGui::TextColored(p.permanent, "%s",
                       t.format("inspector.message.unparsed", view->parse_error).c_str());
  }

  // Envelope next to the header fields.
  if (ImGui::BeginTable("##envelope_vs_header", 2,
                        ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame)) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::PushStyleColor(ImGuiCol_Text, p.accent_text);
    ImGui::TextWrapped("%s", t.c_str("inspector.message.envelope"));
    ImGui::PopStyleColor();
    {
      FontScope mono(ctx.fonts.mono);
      const std::string from =
          view->envelope_from ? (view->envelope_from->empty() ? t.get("inspector.message.null_sender")
                                                              : "<" + *view->envelope_from + ">")
                              : std::string("?");
      ImGui::TextColored(p.command, "%s", t.c_str("inspector.message.mail_from"));
      ImGui::SameLine();
      ImGui::TextUnformatted(from.c_str());
      for (const std::string& to : view->envelope_to) {
        ImGui::TextColored(p.command, "%s", t.c_str("inspector.message.rcpt_to"));
        ImGui::SameLine();
        ImGui::TextUnformatted(("<" + to + ">").c_str());
      }
    }
    ImGui::TableSetColumnIndex(1);
    ImGui::PushStyleColor(ImGuiCol_Text, p.accent_text);
    ImGui::TextWrapped("%s", t.c_str("inspector.message.headers"));
    ImGui::PopStyleColor();
    {
      FontScope mono(ctx.fonts.mono);
      for (const HeaderRow& h : view->headers) {
        if (h.name == "Received") continue;  // explained hop by hop below
        const bool lesson = h.name == "From" || h.name == "To";
        ImGui::TextColored(lesson ? p.intermediate : p.muted, "%s:", h.name.c_str());
        ImGui::SameLine();
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(h.value.c_str());
        ImGui::PopTextWrapPos();
      }
    }
    ImGui::EndTable();
  }
  if (view->envelope_from && !view->envelope_from->empty() && !view->header_from.empty() &&
      bare_address(*view->envelope_from) != bare_address(view->header_from)) {
    ImGui::TextColored(p.transient, "%s", t.c_str("inspector.message.differs"));
  }
  muted_wrapped(ctx, t.get("inspector.message.envelope_lesson"));
  ImGui::Separator();

  // The Received chain, from the sender.
  heading(ctx, t.get("inspector.message.received"));
  if (view->hops.empty()) {
    muted_wrapped(ctx, t.get("inspector.message.received_none"));
  } else {
    muted_wrapped(ctx, t.get("inspector.message.received_note"));
  }
  for (std::size_t i = 0; i < view->hops.size(); ++i) {
    const ReceivedHop& hop = view->hops[i];
    ImGui::PushID(static_cast<int>(i));
    ImGui::Bullet();
    ImGui::SameLine();
    ImGui::PushTextWrapPos(0.0f);
    if (!hop.parsed) {
      ImGui::TextUnformatted(t.format("inspector.message.hop_unparsed", i + 1, hop.raw).c_str());
    } else {
      std::string from = hop.from_helo;
      if (!hop.from_address.empty()) from += " [" + hop.from_address + "]";
      ImGui::TextUnformatted(
          t.format("inspector.message.hop", i + 1, from, hop.by, hop.with, hop.date).c_str());
      std::string details;
      const std::string with_key = "inspector.with." + hop.with;
      if (t.has(text::Language::kEnglish, with_key)) details = t.get(with_key);
      if (!hop.id.empty()) {
        details += (details.empty() ? "" : " · ") + t.format("inspector.message.hop_id", hop.id);
      }
      if (!hop.for_recipient.empty()) {
        details += (details.empty() ? "" : " · ") + t.format("inspector.message.hop_for", hop.for_recipient);
      }
      ImGui::Indent();
      muted_wrapped(ctx, details);
      ImGui::Unindent();
    }
    ImGui::PopTextWrapPos();
    ImGui::PopID();
    ++m_hops;
  }

  // The DSN of a bounce.
  if (view->dsn) {
    m_dsn = true;
    ImGui::Separator();
    heading(ctx, t.get("inspector.dsn.title"));
    if (begin_pairs("##dsn")) {
      pair_row(t.get("inspector.dsn.reporting_mta"), view->dsn->reporting_mta);
      if (!view->dsn->arrival_date.empty()) {
        pair_row(t.get("inspector.dsn.arrival"), view->dsn->arrival_date);
      }
      for (const DsnRecipientView& r : view->dsn->recipients) {
        pair_row(t.get("inspector.dsn.final_recipient"), r.final_recipient);
        if (!r.original_recipient.empty()) {
          pair_row(t.get("inspector.dsn.original_recipient"), r.original_recipient);
        }
        const std::string action_key = "inspector.dsn.action_value." + r.action;
        pair_row(t.get("inspector.dsn.action"),
                 t.has(text::Language::kEnglish, action_key) ? t.get(action_key) : r.action);
        std::string status = r.status;
        if (const auto e = ctx.explanations.enhanced(ctx.settings.language, r.status)) {
          status += " — " + e->summary;
        }
        const ImVec4 status_color = r.status.starts_with("5")   ? p.permanent
                                    : r.status.starts_with("4") ? p.transient
                                                                : p.positive;
        pair_row(t.get("inspector.dsn.status"), status, &status_color);
        if (!r.diagnostic.empty()) pair_row(t.get("inspector.dsn.diagnostic"), r.diagnostic);
        if (!r.remote_mta.empty()) pair_row(t.get("inspector.dsn.remote_mta"), r.remote_mta);
      }
      ImGui::EndTable();
    }
  }

  ImGui::Separator();
  if (ImGui::CollapsingHeader(t.c_str("inspector.message.body"), ImGuiTreeNodeFlags_DefaultOpen)) {
    FontScope mono(ctx.fonts.mono);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(view->body.c_str());
    ImGui::PopTextWrapPos();
  }
  if (ImGui::CollapsingHeader(t.c_str("inspector.message.raw"))) {
    FontScope mono(ctx.fonts.mono);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(view->raw.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::EndChild();
}

}  // namespace mailhop::gui
