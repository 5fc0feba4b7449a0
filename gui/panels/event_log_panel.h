#pragma once
// The event log: every trace event shown so far in a table (time, node, peer, protocol, kind,
// text), with filters by category (SMTP, POP3, IMAP, DNS, queue and delivery, faults), by node
// and by text. Clicking a row selects the event (command::SelectEvent). Only the visible rows
// are drawn (ImGuiListClipper), so long runs stay fast.
//
// How to call it: keep one EventLogPanel in the App and, between NewFrame() and Render(), call
//   m_event_log.draw(ctx);                  // fills the remaining space of the current window
//   m_event_log.draw(ctx, ImVec2(0, 300));  // or a region of that size (0: remaining)
// It draws inside its own child region (no top-level window).

#include <imgui.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gui/event_filter.h"
#include "gui/ui_context.h"
#include "sim/cli/narration.h"

namespace mailhop::gui {

class EventLogPanel {
 public:
  void draw(const UiContext& ctx, ImVec2 size = ImVec2(0, 0));

  // The filter in use (tests may set it before drawing).
  EventFilter& filter() { return m_filter; }
  const EventFilter& filter() const { return m_filter; }
  // For tests: the events that passed the filter, and how many rows the last draw submitted.
  const std::vector<std::size_t>& shown() const { return m_filtered.indices(); }
  std::size_t rows_drawn() const { return m_rows_drawn; }

 private:
  EventFilter m_filter;
  FilteredEvents m_filtered;
  std::string m_search;  // the text field's buffer
  std::vector<std::string> m_nodes;  // for the node combo
  std::set<std::string> m_node_set;
  std::size_t m_nodes_seen = 0;
  std::size_t m_rows_drawn = 0;
  std::size_t m_last_count = 0;
  bool m_follow = true;  // keep the newest event in view
  // The script's notes in the language shown, rebuilt when the scenario or language changes.
  std::optional<cli::Narration> m_narration;
  std::uint64_t m_narration_generation = 0;
  text::Language m_narration_language = text::Language::kEnglish;
};

}  // namespace mailhop::gui
