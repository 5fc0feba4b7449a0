#pragma once
// A min-heap of events keyed on (time, insertion sequence): ties run in the order they were
// scheduled, so every run of the same scenario is identical.

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/core/sim_time.h"

namespace mailhop::core {

using EventId = std::uint64_t;  // the insertion sequence number; never reused

class EventQueue {
 public:
  struct Event {
    SimTime time;
    EventId seq = 0;
    std::function<void()> action;
  };

  EventId push(SimTime time, std::function<void()> action);
  bool empty() const { return m_heap.empty(); }
  std::size_t size() const { return m_heap.size(); }
  // The earliest event; the queue must not be empty.
  const Event& top() const { return m_heap.front(); }
  Event pop();
  void clear();

 private:
  static bool later(const Event& a, const Event& b) {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
  std::vector<Event> m_heap;
  EventId m_next_seq = 1;
};

}  // namespace mailhop::core
