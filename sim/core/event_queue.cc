#include "sim/core/event_queue.h"

#include <algorithm>

namespace mailhop::core {

EventId EventQueue::push(SimTime time, Action&& action) {
  if (m_next_seq > kMaxSeq) {
    throw SimulationLimit(SimulationLimit::Which::kEventNumbers,
                          "the simulation ran out of event numbers (2^40 events)");
  }
  const EventId seq = m_next_seq++;
  std::uint32_t i;
  if (m_free.empty()) {
    if (m_slots >= m_max_slots) {
      throw SimulationLimit(SimulationLimit::Which::kPendingEvents,
                            "more than 16,777,216 simulation events pending at once");
    }
    i = m_slots++;
    if ((i >> kChunkBits) >= m_chunks.size()) m_chunks.push_back(std::make_unique<Action[]>(kChunkSize));
  } else {
    i = m_free.back();
    m_free.pop_back();
  }
  slot(i) = std::move(action);
  m_heap.push_back(Key(time, seq, i));
  std::push_heap(m_heap.begin(), m_heap.end(), Later{});
  return seq;
}

EventQueue::Key EventQueue::pop_key() {
  std::pop_heap(m_heap.begin(), m_heap.end(), Later{});
  const Key k = m_heap.back();
  m_heap.pop_back();
  return k;
}

EventQueue::Event EventQueue::pop() {
  const Key k = pop_key();
  Event e{k.time(), k.seq(), std::move(slot(k.slot()))};
  slot(k.slot()) = nullptr;
  m_free.push_back(k.slot());
  return e;
}

void EventQueue::clear() {
  m_heap.clear();
  m_chunks.clear();
  m_slots = 0;
  m_free.clear();
}

}  // namespace mailhop::core
