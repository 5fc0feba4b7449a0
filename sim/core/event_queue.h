#pragma once
// A min-heap of events keyed on (time, insertion sequence): ties run in the order they were
// scheduled, so every run of the same scenario is identical.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/core/action.h"
#include "sim/core/sim_time.h"

namespace mailhop::core {

using EventId = std::uint64_t;  // the insertion sequence number; never reused

class EventQueue {
 public:
  struct Event {
    SimTime time;
    EventId seq = 0;
    Action action;
  };

  EventId push(SimTime time, Action&& action);
  bool empty() const { return m_heap.empty(); }
  std::size_t size() const { return m_heap.size(); }
  // The earliest event's time and id; the queue must not be empty.
  SimTime top_time() const { return m_heap.front().time; }
  EventId top_seq() const { return m_heap.front().seq; }
  Event pop();
  void clear();
  // Drops every event whose id `dead` accepts (cancelled ones), keeping the order of the rest:
  // keys are unique, so the heap pops the same sequence whatever its shape.
  template <class Pred>
  void remove_if(Pred dead) {
    std::size_t kept = 0;
    for (const Key& k : m_heap) {
      if (dead(k.seq)) {
        m_slots[k.slot] = nullptr;
        m_free.push_back(k.slot);
      } else {
        m_heap[kept++] = k;
      }
    }
    m_heap.resize(kept);
    std::make_heap(m_heap.begin(), m_heap.end(), Later{});
  }

 private:
  // The heap orders small trivially copyable keys; the actions stay put in slots that are
  // reused, so sifting never moves an action.
  struct Key {
    SimTime time;
    EventId seq;
    std::uint32_t slot;
  };
  struct Later {
    bool operator()(const Key& a, const Key& b) const {
      return a.time != b.time ? a.time > b.time : a.seq > b.seq;
    }
  };
  std::vector<Key> m_heap;
  std::vector<Action> m_slots;
  std::vector<std::uint32_t> m_free;
  EventId m_next_seq = 1;
};

}  // namespace mailhop::core
