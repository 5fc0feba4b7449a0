#pragma once
// Which trace events the event log shows: by category (protocol, DNS, queue and delivery,
// faults, notes), by node and by a text search. Plain logic, tested without ImGui; the index
// grows with the events so a long run (100k events) is filtered once, not every frame.

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/trace.h"
#include "sim/core/trace_log.h"

namespace mailhop::gui {

enum class EventCategory {
  kSmtp,
  kPop3,
  kImap,
  kDns,
  kMail,   // queued, retry scheduled, delivered, relayed, deferred, bounced, dropped, send failed
  kFault,  // a fault started or ended
  kNote,   // the scenario's notes and anything else
};
inline constexpr std::size_t kEventCategoryCount = 7;
inline constexpr std::array<EventCategory, kEventCategoryCount> kAllEventCategories = {
    EventCategory::kSmtp, EventCategory::kPop3,  EventCategory::kImap, EventCategory::kDns,
    EventCategory::kMail, EventCategory::kFault, EventCategory::kNote};

EventCategory category_of(const core::TraceEvent& event);
// The catalog key naming a category: "log.category.smtp", ...
std::string_view category_key(EventCategory category);
// The catalog key naming an event kind: "trace.kind.client_line", ...
std::string kind_key(core::TraceKind kind);

struct EventFilter {
  std::array<bool, kEventCategoryCount> categories{true, true, true, true, true, true, true};
  std::string node;    // empty: every node; else events where it is the node or the peer
  std::string search;  // empty: everything; else a case-insensitive substring of the text,
                       // node, peer, message id, protocol or kind name

  bool shows(EventCategory category) const { return categories[static_cast<std::size_t>(category)]; }
  void set(EventCategory category, bool on) { categories[static_cast<std::size_t>(category)] = on; }
  bool accepts(const core::TraceEvent& event) const;
  friend bool operator==(const EventFilter&, const EventFilter&) = default;
};

// The indices of the accepted events, kept up to date incrementally: when events are only
// appended and the filter is unchanged, only the new events are looked at.
class FilteredEvents {
 public:
  // Returns true when the list changed.
  bool update(core::TraceEvents events, const EventFilter& filter);
  const std::vector<std::size_t>& indices() const { return m_indices; }
  std::size_t size() const { return m_indices.size(); }

 private:
  std::vector<std::size_t> m_indices;
  EventFilter m_filter;
  std::size_t m_seen = 0;
  core::TraceEvent m_last;  // the last event looked at: a re-run that changed it starts again
  bool m_valid = false;
};

// The node names appearing in events (node or peer), sorted, without duplicates.
std::vector<std::string> nodes_in(core::TraceEvents events);

}  // namespace mailhop::gui
