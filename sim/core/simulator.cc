#include "sim/core/simulator.h"

#include "sim/core/huge_pages.h"

namespace mailhop::core {

EventId Simulator::schedule(SimTime at, Action action) {
  if (at < m_now) at = m_now;
  EventId id;
  try {
    id = m_queue.push(at, std::move(action));
  } catch (SimulationLimit& limit) {
    limit.set_at(m_now);
    throw;
  }
  note_scheduled(id);
  return id;
}

void Simulator::add_finished_word() {
  m_finished.push_back(0);
}

bool Simulator::cancel(EventId id) {
  if (id == 0 || id >= m_queue.next_seq() || finished(id)) return false;
  set_finished(id);
  ++m_cancelled;
  // Cancelled events wait in the queue until their time comes (a session's timeout, minutes
  // ahead). When they outnumber the live ones, drop them all at once: the queue stays small
  // and the cost per cancel stays constant.
  if (m_cancelled > 1024 && m_cancelled * 2 > m_queue.size()) {
    m_queue.remove_if([this](EventId seq) { return finished(seq); });
    m_cancelled = 0;
  }
  return true;
}

void Simulator::skip_cancelled() {
  // Every finished event still in the queue was cancelled: ones that ran were popped.
  while (m_cancelled > 0 && !m_queue.empty() && finished(m_queue.top_seq())) {
    m_queue.drop_top();
    --m_cancelled;
  }
}

bool Simulator::next_time(SimTime* out) {
  skip_cancelled();
  if (m_queue.empty()) return false;
  *out = m_queue.top_time();
  return true;
}

bool Simulator::step() {
  skip_cancelled();
  if (m_queue.empty()) return false;
  run_next();
  return true;
}

template <bool kLookedAt>
[[gnu::always_inline]] inline void Simulator::run_next() {
  m_queue.run_top<kLookedAt>([this](SimTime time, EventId seq) {
    set_finished(seq);
    m_now = time;
    ++m_processed;
  });
  // What a run keeps grows with the events played: the heap's new memory is marked for 2 MB
  // pages every so often (nothing happens unless the program enabled it), soon after it grew so
  // that the background thread maps it before this one reaches it (a look costs a read of the
  // heap's end).
  if ((m_processed & 63) == 0) HugePageHeap::advise();
}

std::uint64_t Simulator::run_until(SimTime t) {
  std::uint64_t n = 0;
  // As next_time() then step(), with the earliest key looked at once per event: a cancelled one
  // is dropped (every finished event still in the queue was cancelled), a live one runs if due.
  while (!m_queue.empty()) {
    SimTime time;
    EventId seq;
    m_queue.top(&time, &seq);
    if (finished(seq)) {
      m_queue.drop_top();
      --m_cancelled;
      continue;
    }
    if (time > t) break;
    run_next<true>();
    ++n;
  }
  if (t > m_now) m_now = t;
  return n;
}

std::uint64_t Simulator::run(std::uint64_t limit) {
  std::uint64_t n = 0;
  while (n < limit && step()) ++n;
  return n;
}

}  // namespace mailhop::core
