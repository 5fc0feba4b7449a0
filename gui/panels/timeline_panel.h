#pragma once
// The timeline scrubber: the scenario's time from 0 to its end, what has been played so far,
// markers for faults (amber), deliveries (green) and bounces (red), and the playhead. Clicking
// or dragging seeks there. Draws one full-width row in the current window.

#include <cstddef>
#include <vector>

#include "gui/playback.h"
#include "gui/ui_context.h"

namespace mailhop::gui {

class TimelinePanel {
 public:
  void draw(const UiContext& ctx);

  // The markers drawn by the last draw (for tests).
  const std::vector<TimelineMarker>& markers() const { return m_markers; }
  // The scrubber's rectangle in the last draw (screen coordinates), for tests.
  ImVec2 last_min() const { return m_min; }
  ImVec2 last_max() const { return m_max; }

 private:
  void update_markers(const Session& session);

  // Markers are added as events appear; recomputed from scratch after a step back, a seek to an
  // earlier time or a live change.
  const Session* m_session = nullptr;
  std::size_t m_events_seen = 0;
  std::size_t m_script_size = 0;
  std::vector<TimelineMarker> m_markers;
  ImVec2 m_min{}, m_max{};
  float m_last_seek_x = -1.0f;
};

}  // namespace mailhop::gui
