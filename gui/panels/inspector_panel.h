#pragma once
// The inspector: the selected node (its settings, queue, mailboxes and log), the selected
// mailbox (its messages) and the selected message (envelope next to header fields, the
// Received chain hop by hop, the body, and the decoded DSN of a bounce).
//
// How to call it: keep one InspectorPanel in the App and, between NewFrame() and Render(), call
//   m_inspector.draw(ctx);                  // fills the remaining space of the current window
//   m_inspector.draw(ctx, ImVec2(0, 300));  // or a region of that size (0: remaining)
// It draws inside its own child region (no top-level window); it reads ctx.selection.node,
// .mailbox and .message, and pushes SelectMessage / SelectMailbox / SelectEvent when clicked.

#include <imgui.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "gui/event_filter.h"
#include "gui/inspector_model.h"
#include "gui/ui_context.h"

namespace mailhop::gui {

enum class InspectorTab { kSettings, kQueue, kMailboxes, kLog, kMailbox, kMessage };

class InspectorPanel {
 public:
  void draw(const UiContext& ctx, ImVec2 size = ImVec2(0, 0));
  // Brings a tab to the front at the next draw (when it is there). A host's section so opened
  // counts as chosen: other hosts open on it too.
  void open_tab(InspectorTab tab) {
    m_open_tab = tab;
    if (is_node_section(tab)) m_section_chosen = true;
  }

  // For tests: what the last draw showed.
  std::size_t queue_rows_drawn() const { return m_queue_rows; }
  std::size_t mailbox_rows_drawn() const { return m_mailbox_rows; }
  std::size_t hops_drawn() const { return m_hops; }
  bool showed_dsn() const { return m_dsn; }
  bool showed_message() const { return m_message; }
  bool sections_as_tabs() const { return m_as_tabs; }  // or as buttons (too narrow for tabs)
  std::size_t log_rows_drawn() const { return m_log_rows; }
  std::size_t message_rows_drawn() const { return m_message_rows; }  // of the selected mailbox
  // The last list drawn (queue, mailboxes, log, a mailbox's messages) was a table, or entries
  // of a few lines each (too narrow for its columns).
  bool list_as_table() const { return m_list_table; }
  // Where the entries drawn were on the screen (their centres), when not a table.
  const std::vector<ImVec2>& entry_centres() const { return m_entry_centres; }
  InspectorTab shown() const { return m_shown; }  // the section the last draw showed

 private:
  void draw_settings(const UiContext& ctx, const world::NodeState& node);
  void draw_queue(const UiContext& ctx, const world::NodeState& node);
  void draw_queue_entries(const UiContext& ctx, const std::vector<QueueRow>& rows);
  void draw_mailboxes(const UiContext& ctx, const std::vector<MailboxView>& boxes);
  void draw_log(const UiContext& ctx);
  void draw_mailbox(const UiContext& ctx, const std::string& address);
  void draw_message(const UiContext& ctx, const std::string& key, const std::string& mailbox);

  ImGuiTabItemFlags tab_flags(InspectorTab tab) const {
    return m_open_tab == tab ? ImGuiTabItemFlags_SetSelected : 0;
  }

  // The host's own sections (not the selected mailbox's or message's).
  static bool is_node_section(InspectorTab tab) {
    return tab != InspectorTab::kMailbox && tab != InspectorTab::kMessage;
  }

  std::optional<InspectorTab> m_open_tab;
  std::string m_last_node;                         // the host the last draw showed
  bool m_section_chosen = false;                   // a host's section was picked by hand
  InspectorTab m_shown = InspectorTab::kSettings;  // the section the last draw showed
  bool m_as_tabs = true;                           // drawn as tabs (or as wrapping buttons)
  bool m_list_table = true;
  std::string m_last_message;  // to bring a newly selected message's tab to the front
  std::string m_last_mailbox;
  std::string m_log_node;
  EventFilter m_log_filter;
  FilteredEvents m_log;
  std::size_t m_queue_rows = 0;
  std::size_t m_mailbox_rows = 0;
  std::size_t m_log_rows = 0;
  std::size_t m_message_rows = 0;
  std::vector<ImVec2> m_entry_centres;
  std::size_t m_hops = 0;
  bool m_dsn = false;
  bool m_message = false;
};

}  // namespace mailhop::gui
