#pragma once
// The discrete-event simulator: schedule actions at simulated times and run them in order.

#include <cstdint>
#include <functional>
#include <unordered_set>

#include "sim/core/event_queue.h"
#include "sim/core/sim_time.h"

namespace mailhop::core {

class Simulator {
 public:
  // Schedules `action` at absolute time `at` (clamped to now: the past cannot be scheduled).
  EventId schedule(SimTime at, std::function<void()> action);
  // Schedules `action` `delay` after now.
  EventId schedule_in(SimTime delay, std::function<void()> action) {
    return schedule(m_now + delay, std::move(action));
  }
  // A cancelled event is skipped when its time comes. Returns false if it already ran or
  // was never scheduled.
  bool cancel(EventId id);

  // Runs the next pending event; false when there is none. This is the GUI's "next" button.
  bool step();
  // Runs every event with time <= t, then sets now to t. Returns the events run.
  std::uint64_t run_until(SimTime t);
  // Runs until no event is left, or `limit` events have run.
  std::uint64_t run(std::uint64_t limit = UINT64_MAX);

  SimTime now() const { return m_now; }
  bool idle() const { return m_queue.size() == m_cancelled.size(); }
  // The time of the next event that will run, if any.
  bool next_time(SimTime* out);
  std::uint64_t events_processed() const { return m_processed; }
  std::size_t pending() const { return m_queue.size() - m_cancelled.size(); }

 private:
  void skip_cancelled();

  EventQueue m_queue;
  std::unordered_set<EventId> m_cancelled;  // only looked up by id: order never matters
  std::unordered_set<EventId> m_pending_ids;
  SimTime m_now;
  std::uint64_t m_processed = 0;
};

}  // namespace mailhop::core
