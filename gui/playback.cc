#include "gui/playback.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace mailhop::gui {

using core::TraceKind;

bool is_line_event(const core::TraceEvent& event) {
  return event.kind == TraceKind::kClientLine || event.kind == TraceKind::kServerLine;
}

bool is_hop_event(const core::TraceEvent& event) {
  return event.kind == TraceKind::kRelayed || event.kind == TraceKind::kDelivered ||
         event.kind == TraceKind::kBounced;
}

bool is_message_event(const core::TraceEvent& event, const scenario::Scenario& scenario) {
  if (event.kind == TraceKind::kSendFailed) return true;
  if (event.kind != TraceKind::kConnectionOpened || event.protocol != "SMTP") return false;
  const auto node = std::find_if(scenario.nodes.begin(), scenario.nodes.end(),
                                 [&](const scenario::Node& n) { return n.name == event.node; });
  return node != scenario.nodes.end() &&
         std::find(node->roles.begin(), node->roles.end(), scenario::Role::kMua) !=
             node->roles.end();
}

std::vector<TimelineMarker> timeline_markers(const scenario::Scenario& scenario,
                                             core::TraceEvents events) {
  std::vector<TimelineMarker> markers;
  for (const scenario::ScriptStep& step : scenario.script) {
    if (std::holds_alternative<scenario::FaultAction>(step.action)) {
      markers.push_back({step.at, MarkerKind::kFault});
    }
  }
  for (const core::TraceEvent& e : events) {
    switch (e.kind) {
      case TraceKind::kDelivered:
        markers.push_back({e.time, MarkerKind::kDelivery});
        break;
      case TraceKind::kBounced:
        markers.push_back({e.time, MarkerKind::kBounce});
        break;
      case TraceKind::kFaultStarted:
        markers.push_back({e.time, MarkerKind::kFault});
        break;
      default:
        break;
    }
  }
  auto key = [](const TimelineMarker& m) { return std::make_pair(m.time, static_cast<int>(m.kind)); };
  std::sort(markers.begin(), markers.end(),
            [&](const TimelineMarker& a, const TimelineMarker& b) { return key(a) < key(b); });
  markers.erase(std::unique(markers.begin(), markers.end(),
                            [&](const TimelineMarker& a, const TimelineMarker& b) {
                              return key(a) == key(b);
                            }),
                markers.end());
  return markers;
}

std::size_t envelopes_in_flight(core::TraceEvents events, core::SimTime now,
                                core::SimTime window) {
  std::size_t count = 0;
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (it->time + window < now) break;
    const bool carried = it->kind == TraceKind::kClientLine ||
                         it->kind == TraceKind::kServerLine || it->kind == TraceKind::kDataSent;
    if (carried && it->time <= now && it->arrival > now) ++count;
  }
  return count;
}

FlightRange envelopes_in_flight_range(core::TraceEvents events,
                                      std::span<const core::SimTime> times) {
  if (times.empty()) return {};
  // change[i]: how the count moves from times[i - 1] to times[i]. An envelope sent at s and
  // arriving at a is counted at every t with s <= t < a.
  std::vector<long long> change(times.size() + 1, 0);
  for (const core::TraceEvent& e : events) {
    if (e.time > times.back()) continue;
    const bool carried = e.kind == TraceKind::kClientLine || e.kind == TraceKind::kServerLine ||
                         e.kind == TraceKind::kDataSent;
    if (!carried || e.arrival <= e.time) continue;
    const auto from = std::lower_bound(times.begin(), times.end(), e.time) - times.begin();
    const auto to = std::lower_bound(times.begin(), times.end(), e.arrival) - times.begin();
    change[static_cast<std::size_t>(from)] += 1;
    change[static_cast<std::size_t>(to)] -= 1;
  }
  FlightRange range{SIZE_MAX, 0};
  long long count = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    count += change[i];
    const auto n = static_cast<std::size_t>(count);
    range.least = std::min(range.least, n);
    range.most = std::max(range.most, n);
  }
  return range;
}

std::span<const float> speed_steps() {
  static constexpr std::array<float, 13> kSteps = {0.1f, 0.25f, 0.5f, 1.0f,   2.0f,   5.0f,  10.0f,
                                                   25.0f, 50.0f, 100.0f, 250.0f, 500.0f, 1000.0f};
  return kSteps;
}

float faster(float speed) {
  for (const float s : speed_steps()) {
    if (s > speed * 1.001f) return s;
  }
  return kMaxSpeed;
}

float slower(float speed) {
  const std::span<const float> steps = speed_steps();
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if (*it < speed * 0.999f) return *it;
  }
  return kMinSpeed;
}

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size()));
  const std::size_t index = rank < 1.0 ? 0 : static_cast<std::size_t>(rank) - 1;
  return values[std::min(index, values.size() - 1)];
}

}  // namespace mailhop::gui
