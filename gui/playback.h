#pragma once
// What playback needs to know about trace events, without ImGui: which events the step
// buttons stop at, the timeline's markers, how many envelopes are in flight, and the speed
// steps. Tested directly.

#include <cstddef>
#include <span>
#include <vector>

#include "sim/core/sim_time.h"
#include "sim/core/trace.h"
#include "sim/core/trace_log.h"
#include "sim/scenario/scenario.h"

namespace mailhop::gui {

inline constexpr float kMinSpeed = 0.1f;
inline constexpr float kMaxSpeed = 1000.0f;

// A protocol line: a command the client sent or a reply line of the server.
bool is_line_event(const core::TraceEvent& event);
// A hop: a message relayed to the next server, delivered into a mailbox, or bounced.
bool is_hop_event(const core::TraceEvent& event);
// A message submitted (or attempted) by a mail program: an SMTP connection opened by a MUA
// node, or a submission that failed before it could connect.
bool is_message_event(const core::TraceEvent& event, const scenario::Scenario& scenario);

enum class MarkerKind { kFault, kDelivery, kBounce };

struct TimelineMarker {
  core::SimTime time;
  MarkerKind kind = MarkerKind::kFault;
};

// The markers known without running ahead: every fault in the script (live ones included), and
// the deliveries, bounces and faults among the events shown so far. Sorted by time; one marker
// per kind and time.
std::vector<TimelineMarker> timeline_markers(const scenario::Scenario& scenario,
                                             core::TraceEvents events);

// Lines and message bodies on their way at `now` (sent at or before it, arriving after it):
// the envelopes the network view draws. Looks back from the newest event only as far as an
// envelope can still be in flight (`window`).
std::size_t envelopes_in_flight(core::TraceEvents events, core::SimTime now,
                                core::SimTime window = core::SimTime::from_seconds(60));

// The fewest and the most envelopes in flight at any of `times` (sorted, ascending): what
// envelopes_in_flight() counts at each, with every event of `events` at or before it shown.
// One pass over the events: for a benchmark's frames, after they are measured.
struct FlightRange {
  std::size_t least = 0;
  std::size_t most = 0;
};
FlightRange envelopes_in_flight_range(core::TraceEvents events,
                                      std::span<const core::SimTime> times);

// The speed buttons: 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000.
std::span<const float> speed_steps();
// The next step above or below `speed` (clamped to the range).
float faster(float speed);
float slower(float speed);

// The q-th quantile (0..1) of `values` by nearest rank (frame-time statistics); 0 for none.
double percentile(std::vector<double> values, double q);

}  // namespace mailhop::gui
