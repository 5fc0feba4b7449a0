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
  // The earliest event's time and id; the queue must not be empty.
  SimTime top_time() const { return m_heap.front().time; }
  EventId top_seq() const { return m_heap.front().seq; }
  Event pop();
  void clear();

 private:
  // The heap orders small trivially copyable keys; the actions stay put in slots that are
  // reused, so sifting never moves a std::function.
  struct Key {
    SimTime time;
    EventId seq;
    std::uint32_t slot;
  };
  static bool later(const Key& a, const Key& b) {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
  std::vector<Key> m_heap;
  std::vector<std::function<void()>> m_slots;
  std::vector<std::uint32_t> m_free;
  EventId m_next_seq = 1;
};

}  // namespace mailhop::core
