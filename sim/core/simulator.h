#pragma once
// The discrete-event simulator: schedule actions at simulated times and run them in order.

#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/core/action.h"
#include "sim/core/event_queue.h"
#include "sim/core/sim_time.h"

namespace mailhop::core {

class Simulator {
 public:
  // Schedules `action` at absolute time `at` (clamped to now: the past cannot be scheduled).
  EventId schedule(SimTime at, Action action);
  // The same for a callable that is not an Action (a lambda): it is made in the event's slot.
  template <class F, std::enable_if_t<!std::is_same_v<std::decay_t<F>, Action> &&
                                          std::is_invocable_r_v<void, std::decay_t<F>&>,
                                      int> = 0>
  EventId schedule(SimTime at, F&& action) {
    if (at < m_now) at = m_now;
    EventId id;
    try {
      id = m_queue.emplace(at, std::forward<F>(action));
    } catch (SimulationLimit& limit) {
      limit.set_at(m_now);
      throw;
    }
    note_scheduled(id);
    return id;
  }
  // The same with an action of type D (a callable class) made from `args` in the event's slot:
  // no callable in between to move its captures from.
  template <class D, class... Args>
  EventId schedule_new(SimTime at, Args&&... args) {
    if (at < m_now) at = m_now;
    EventId id;
    try {
      id = m_queue.emplace_new<D>(at, std::forward<Args>(args)...);
    } catch (SimulationLimit& limit) {
      limit.set_at(m_now);
      throw;
    }
    note_scheduled(id);
    return id;
  }
  // Schedules `action` `delay` after now.
  template <class F>
  EventId schedule_in(SimTime delay, F&& action) {
    return schedule(m_now + delay, std::forward<F>(action));
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
  bool idle() const { return pending() == 0; }
  // The time of the next event that will run, if any.
  bool next_time(SimTime* out);
  std::uint64_t events_processed() const { return m_processed; }
  std::size_t pending() const { return m_queue.size() - m_cancelled; }
  // For tests: schedule() throws SimulationLimit beyond `n` events waiting at once.
  void limit_pending_for_tests(std::uint32_t n) { m_queue.limit_pending_for_tests(n); }

 private:
  void skip_cancelled();
  // Runs the earliest event: the cancelled ones before it were skipped, and there is one.
  // kLookedAt: the queue's top() was just read (see EventQueue::run_top).
  template <bool kLookedAt = false>
  void run_next();
  bool finished(EventId id) const {
    return (m_finished[static_cast<std::size_t>(id >> 6)] >> (id & 63)) & 1;
  }
  void set_finished(EventId id) {
    m_finished[static_cast<std::size_t>(id >> 6)] |= std::uint64_t{1} << (id & 63);
  }
  // Ids are handed out densely from 1: a word of bits for the next 64 is added as the first of
  // them is scheduled (its bits clear), the only work a schedule does here.
  void note_scheduled(EventId id) {
    if ((id & 63) == 0) [[unlikely]]
      add_finished_word();
  }
  // Out of line: the vector's growth inlined at every schedule() costs its callers registers.
  void add_finished_word();

  EventQueue m_queue;
  // One bit per event ever scheduled (bit id % 64 of word id / 64): set once it ran or was
  // cancelled. An eighth of a byte per event keeps cancel() and step() O(1). (Words of bits
  // by hand rather than a std::vector<bool>: its push_back, per event, costs a dozen
  // instructions, and setting or testing a bit a few more than a shift and a mask.)
  std::vector<std::uint64_t> m_finished{0};
  std::size_t m_cancelled = 0;  // cancelled events still in the queue
  SimTime m_now;
  std::uint64_t m_processed = 0;
};

}  // namespace mailhop::core
