#include "sim/core/simulator.h"

namespace mailhop::core {

EventId Simulator::schedule(SimTime at, std::function<void()> action) {
  if (at < m_now) at = m_now;
  const EventId id = m_queue.push(at, std::move(action));
  m_pending_ids.insert(id);
  return id;
}

bool Simulator::cancel(EventId id) {
  if (m_pending_ids.erase(id) == 0) return false;
  m_cancelled.insert(id);
  return true;
}

void Simulator::skip_cancelled() {
  while (!m_queue.empty()) {
    auto it = m_cancelled.find(m_queue.top().seq);
    if (it == m_cancelled.end()) return;
    m_cancelled.erase(it);
    m_queue.pop();
  }
}

bool Simulator::next_time(SimTime* out) {
  skip_cancelled();
  if (m_queue.empty()) return false;
  *out = m_queue.top().time;
  return true;
}

bool Simulator::step() {
  skip_cancelled();
  if (m_queue.empty()) return false;
  EventQueue::Event e = m_queue.pop();
  m_pending_ids.erase(e.seq);
  m_now = e.time;
  ++m_processed;
  e.action();
  return true;
}

std::uint64_t Simulator::run_until(SimTime t) {
  std::uint64_t n = 0;
  SimTime next;
  while (next_time(&next) && next <= t) {
    step();
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
