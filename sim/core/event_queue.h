#pragma once
// A min-heap of events keyed on (time, insertion sequence): ties run in the order they were
// scheduled, so every run of the same scenario is identical.

#include <algorithm>
#include <cstdint>
#include <memory>
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

  EventQueue() = default;
  EventQueue(EventQueue&&) noexcept = default;
  EventQueue& operator=(EventQueue&&) noexcept = default;

  EventId push(SimTime time, Action&& action);
  bool empty() const { return m_heap.empty(); }
  std::size_t size() const { return m_heap.size(); }
  // The earliest event's time and id; the queue must not be empty.
  SimTime top_time() const { return m_heap.front().time; }
  EventId top_seq() const { return m_heap.front().seq; }
  Event pop();
  // Removes the earliest event (the queue must not be empty), calls `before(time, id)`, then
  // runs its action where it lies: no move of the action. The action may push more events.
  template <class Before>
  void run_top(Before&& before) {
    const Key k = pop_key();
    // Frees the slot even if the action throws.
    struct Release {
      EventQueue& q;
      std::uint32_t slot;
      ~Release() {
        q.slot(slot) = nullptr;
        q.m_free.push_back(slot);
      }
    } release{*this, k.slot};
    before(k.time, k.seq);
    slot(k.slot)();
  }
  void clear();
  // Drops every event whose id `dead` accepts (cancelled ones), keeping the order of the rest:
  // keys are unique, so the heap pops the same sequence whatever its shape.
  template <class Pred>
  void remove_if(Pred dead) {
    std::size_t kept = 0;
    for (const Key& k : m_heap) {
      if (dead(k.seq)) {
        slot(k.slot) = nullptr;
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
  // reused, so sifting never moves an action. Slots live in fixed-size chunks that never
  // move, so an action can run in its slot while it schedules others.
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
  static constexpr std::uint32_t kChunkBits = 8;
  static constexpr std::uint32_t kChunkSize = 1u << kChunkBits;

  Action& slot(std::uint32_t i) { return m_chunks[i >> kChunkBits][i & (kChunkSize - 1)]; }
  Key pop_key();

  std::vector<Key> m_heap;
  std::vector<std::unique_ptr<Action[]>> m_chunks;
  std::uint32_t m_slots = 0;  // slots ever used (the chunks hold at least this many)
  std::vector<std::uint32_t> m_free;
  EventId m_next_seq = 1;
};

}  // namespace mailhop::core
