#include "sim/core/event_queue.h"

#include <algorithm>

namespace mailhop::core {

EventId EventQueue::push(SimTime time, std::function<void()> action) {
  const EventId seq = m_next_seq++;
  m_heap.push_back(Event{time, seq, std::move(action)});
  std::push_heap(m_heap.begin(), m_heap.end(), later);
  return seq;
}

EventQueue::Event EventQueue::pop() {
  std::pop_heap(m_heap.begin(), m_heap.end(), later);
  Event e = std::move(m_heap.back());
  m_heap.pop_back();
  return e;
}

void EventQueue::clear() { m_heap.clear(); }

}  // namespace mailhop::core
