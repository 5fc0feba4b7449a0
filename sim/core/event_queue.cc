#include "sim/core/event_queue.h"

#include <algorithm>

namespace mailhop::core {

EventId EventQueue::push(SimTime time, Action&& action) {
  const EventId seq = m_next_seq++;
  std::uint32_t slot;
  if (m_free.empty()) {
    slot = static_cast<std::uint32_t>(m_slots.size());
    m_slots.push_back(std::move(action));
  } else {
    slot = m_free.back();
    m_free.pop_back();
    m_slots[slot] = std::move(action);
  }
  m_heap.push_back(Key{time, seq, slot});
  std::push_heap(m_heap.begin(), m_heap.end(), Later{});
  return seq;
}

EventQueue::Event EventQueue::pop() {
  std::pop_heap(m_heap.begin(), m_heap.end(), Later{});
  const Key k = m_heap.back();
  m_heap.pop_back();
  Event e{k.time, k.seq, std::move(m_slots[k.slot])};
  m_slots[k.slot] = nullptr;
  m_free.push_back(k.slot);
  return e;
}

void EventQueue::clear() {
  m_heap.clear();
  m_slots.clear();
  m_free.clear();
}

}  // namespace mailhop::core
