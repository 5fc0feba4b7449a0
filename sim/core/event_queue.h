#pragma once
// A priority queue of events keyed on (time, insertion sequence): ties run in the order they
// were scheduled, so every run of the same scenario is identical.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/core/action.h"
#include "sim/core/sim_time.h"

namespace mailhop::core {

using EventId = std::uint64_t;  // the insertion sequence number; never reused

// What a run cannot outgrow: 16,777,216 events waiting at once, or 2^40 events in all. Thrown by
// EventQueue::push, before anything is scheduled; the run cannot go on (the action that was
// scheduling stopped half done), so the program says why and where the run stopped.
class SimulationLimit : public std::length_error {
 public:
  enum class Which { kPendingEvents, kEventNumbers };
  SimulationLimit(Which which, const char* what) : std::length_error(what), m_which(which) {}
  Which which() const { return m_which; }
  // The simulated time the run had reached (Simulator::schedule sets it).
  SimTime at() const { return m_at; }
  void set_at(SimTime at) { m_at = at; }

 private:
  Which m_which;
  SimTime m_at;
};

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

  // Throws SimulationLimit when the queue is full or out of event numbers.
  EventId push(SimTime time, Action&& action);
  // The same with the action made in place from `f` (a callable, not an Action): no move of it.
  template <class F>
  EventId emplace(SimTime time, F&& f) {
    const std::uint32_t i = claim();
    try {
      slot(i).emplace_empty<std::decay_t<F>>(std::forward<F>(f));  // free slots are empty
    } catch (...) {
      m_free.push_back(i);  // nothing was scheduled
      throw;
    }
    return enqueue(time, i);
  }
  // The same with an action of type D made in place from `args` (see Action::emplace_empty).
  template <class D, class... Args>
  EventId emplace_new(SimTime time, Args&&... args) {
    const std::uint32_t i = claim();
    try {
      slot(i).emplace_empty<D>(std::forward<Args>(args)...);  // free slots are empty
    } catch (...) {
      m_free.push_back(i);  // nothing was scheduled
      throw;
    }
    return enqueue(time, i);
  }
  bool empty() const { return m_size == 0; }
  // The id the next event pushed will get (ids are dense from 1).
  EventId next_seq() const { return m_next_seq; }
  std::size_t size() const { return m_size; }
  // The earliest event's time and id; the queue must not be empty.
  SimTime top_time() {
    settle();
    return (*m_cur)[m_head].time();
  }
  EventId top_seq() {
    settle();
    return (*m_cur)[m_head].seq();
  }
  // Both at once (one settle): what the simulator's loop looks at before every event.
  void top(SimTime* time, EventId* seq) {
    settle();
    const Key& k = (*m_cur)[m_head];
    *time = k.time();
    *seq = k.seq();
  }
  Event pop();
  // Removes the earliest event without running it (a cancelled one): its action is destroyed
  // where it lies. The queue must not be empty.
  void drop_top() {
    const Key k = pop_key();
    slot(k.slot()) = nullptr;
    m_free.push_back(k.slot());
  }
  // Removes the earliest event (the queue must not be empty), calls `before(time, id)`, then
  // runs its action where it lies: no move of the action. The action may push more events.
  // kLookedAt: top() was called just before and nothing changed the queue since, so the current
  // bucket holds the earliest key already (the simulator's loop; it saves a test per event).
  template <bool kLookedAt = false, class Before>
  [[gnu::always_inline]] void run_top(Before&& before) {
    if constexpr (!kLookedAt) settle();
    const Key k = (*m_cur)[m_head++];
    --m_size;
    const std::uint32_t i = k.slot();
    Action& action = slot(i);
    // The slot is freed even if something throws (run_once destroys the action either way):
    // with a handler rather than a guard object's destructor, which costs on every event.
    try {
      before(k.time(), k.seq());
      action.run_once();
    } catch (...) {
      action = nullptr;  // empty already unless `before` threw
      m_free.push_back(i);
      throw;
    }
    m_free.push_back(i);
  }
  void clear();
  // For tests: at most `n` events waiting at once (with the ones cancelled but not yet dropped),
  // instead of 16,777,216.
  void limit_pending_for_tests(std::uint32_t n) {
    m_max_slots = std::min<std::uint64_t>(n, kMaxSlots);
  }
  // Drops every event whose id `dead` accepts (cancelled ones), keeping the order of the rest.
  template <class Pred>
  void remove_if(Pred dead) {
    for (std::size_t b = 0; b < kBuckets; ++b) {
      Keys& bucket = m_buckets[b];
      if (bucket.empty()) continue;
      std::size_t kept = 0;
      for (std::size_t i = &bucket == m_cur ? m_head : 0; i < bucket.size(); ++i) {
        const Key k = bucket[i];
        if (dead(k.seq())) {
          slot(k.slot()) = nullptr;
          m_free.push_back(k.slot());
          --m_size;
        } else {
          bucket[kept++] = k;
        }
      }
      bucket.shrink_to(kept);
      if (kept == 0) unmark(b);
    }
    m_head = 0;
  }

 private:
  // The queue orders small trivially copyable keys; the actions stay put in slots that are
  // reused, so ordering never moves an action. Slots live in fixed-size chunks that never
  // move, so an action can run in its slot while it schedules others.
  // A key is 16 octets: the time (its sign bit flipped, so that unsigned order is time order),
  // which alone places it, and the sequence number with the slot in its low bits.
  //
  // The keys wait in buckets around a cursor `m_last` (no key waiting is earlier): a radix heap
  // (Ahuja, Mehlhorn, Orlin and Tarjan, 1990) with 8-bit digits, or a hierarchical timing wheel
  // aligned on the cursor. A key whose time first differs from `m_last` in digit d (0 if only in
  // the lowest digit, or not at all) waits in level d's bucket for its digit d: 8 levels of 256
  // buckets, bucket `level * 256 + digit`. Bucket order is time order: level 0's buckets hold one
  // time each, and every key of level d is earlier than every key of level d+1. The current
  // bucket (`m_cur`, level 0's for `m_last`) holds the keys of time `m_last`, in sequence order.
  // A push appends its key to its bucket and marks the bucket in a bitmap; when the current
  // bucket runs out, the first marked bucket is found from the bitmap: in level 0 it becomes the
  // current one, above it the cursor moves to its start and its keys are moved down (each to a
  // lower level), and the search goes on. A key moves down once per digit of its delay at most
  // (once for delays under 65 ms), each move an append without comparisons; the binary radix heap
  // before it moved a key about three times and scanned each bucket for its least time first.
  // A push earlier than `m_last` (the queue used on its own) is correct too, at the cost of
  // sorting every key into the buckets again.
  static constexpr unsigned kSlotBits = 24;
  static constexpr std::uint64_t kMaxSlots = std::uint64_t{1} << kSlotBits;
  static constexpr EventId kMaxSeq = (EventId{1} << (64 - kSlotBits)) - 1;
  struct Key {
    // No initialisers: the buckets' arrays are allocated without zeroing them.
    std::uint64_t when;
    std::uint64_t seq_slot;

    Key() = default;
    Key(SimTime t, EventId seq, std::uint32_t slot)
        : when(static_cast<std::uint64_t>(t.micros()) ^ (std::uint64_t{1} << 63)),
          seq_slot(seq << kSlotBits | slot) {}
    SimTime time() const {
      return SimTime::from_micros(static_cast<std::int64_t>(when ^ (std::uint64_t{1} << 63)));
    }
    EventId seq() const { return seq_slot >> kSlotBits; }
    std::uint32_t slot() const { return static_cast<std::uint32_t>(seq_slot & (kMaxSlots - 1)); }
  };
  // A growable array of keys. Its append is a compare, a store and an increment, with the
  // growth out of line: std::vector's push_back inlines its reallocation into each caller,
  // which then saves and restores half a dozen registers on every call (enqueue, refill).
  class Keys {
   public:
    Keys() = default;
    Keys(Keys&& other) noexcept
        : m_data(std::move(other.m_data)),
          m_size(std::exchange(other.m_size, 0)),
          m_capacity(std::exchange(other.m_capacity, 0)) {}
    Keys& operator=(Keys&& other) noexcept {
      Keys moved(std::move(other));
      swap(moved);
      return *this;
    }
    void push_back(const Key& k) {
      if (m_size == m_capacity) [[unlikely]]
        grow();
      m_data[m_size++] = k;
    }
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    void clear() { m_size = 0; }
    void shrink_to(std::size_t n) { m_size = n; }  // n <= size()
    Key& operator[](std::size_t i) { return m_data[i]; }
    const Key& operator[](std::size_t i) const { return m_data[i]; }
    Key* begin() { return m_data.get(); }
    Key* end() { return m_data.get() + m_size; }
    void swap(Keys& other) noexcept {
      std::swap(m_data, other.m_data);
      std::swap(m_size, other.m_size);
      std::swap(m_capacity, other.m_capacity);
    }

   private:
    void grow();
    std::unique_ptr<Key[]> m_data;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
  };

  // The free slots' numbers: a stack with room for every slot ever made (it grows as slots are
  // made, never when one is freed), so a push is a store and an increment. (A std::vector's
  // push_back inlines its reallocation into every event run, which then saves and restores
  // registers it needs only for that.)
  class FreeSlots {
   public:
    void push_back(std::uint32_t i) { m_data[m_size++] = i; }
    std::uint32_t back() const { return m_data[m_size - 1]; }
    void pop_back() { --m_size; }
    bool empty() const { return m_size == 0; }
    void clear() { m_size = 0; }
    std::size_t capacity() const { return m_capacity; }
    void reserve(std::size_t n);

   private:
    std::unique_ptr<std::uint32_t[]> m_data;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
  };

  static constexpr std::uint32_t kChunkBits = 8;
  static constexpr std::uint32_t kChunkSize = 1u << kChunkBits;

  static constexpr unsigned kDigitBits = 8;
  static constexpr std::size_t kDigits = std::size_t{1} << kDigitBits;
  static constexpr std::size_t kLevels = 64 / kDigitBits;
  static constexpr std::size_t kBuckets = kLevels * kDigits;
  static constexpr std::size_t kWords = kBuckets / 64;  // of the bitmap of buckets not empty
  static_assert(kWords <= 32);

  Action& slot(std::uint32_t i) { return m_chunks[i >> kChunkBits][i & (kChunkSize - 1)]; }
  // A free slot for an event (throws SimulationLimit when there is none or no event number is
  // left), then the event's number and key once its action fills the slot. Inline: every event
  // passes here; the common case (a freed slot to reuse, a time not before the earliest one
  // waiting) is a few instructions, the rest is out of line.
  std::uint32_t claim() {
    if (m_next_seq <= kMaxSeq && !m_free.empty()) [[likely]] {
      const std::uint32_t i = m_free.back();
      m_free.pop_back();
      return i;
    }
    return claim_slow();
  }
  std::uint32_t claim_slow();
  EventId enqueue(SimTime time, std::uint32_t i) {
    const EventId seq = m_next_seq++;
    const Key k(time, seq, i);
    if (m_size == 0 || k.when < m_last) [[unlikely]] {
      enqueue_first_or_early(k);
    } else {
      // A key of time m_last goes after the others in the current bucket: its sequence number
      // is the highest.
      place(k);
    }
    ++m_size;
    return seq;
  }
  void enqueue_first_or_early(const Key& k);
  Key pop_key() {
    settle();
    const Key k = (*m_cur)[m_head++];
    --m_size;
    return k;
  }
  // The bucket of a key of time `when` (not before m_last).
  std::size_t bucket_of(std::uint64_t when) const {
    // The highest bit where the time differs from m_last picks the level (| 1: the same time
    // and a difference in bit 0 are both level 0).
    const std::uint64_t diff = (when ^ m_last) | 1;
    const unsigned level = static_cast<unsigned>(63 - __builtin_clzll(diff)) / kDigitBits;
    return level * kDigits + ((when >> (level * kDigitBits)) & (kDigits - 1));
  }
  void place(const Key& k) {
    const std::size_t b = bucket_of(k.when);
    m_buckets[b].push_back(k);
    mark(b);
  }
  void mark(std::size_t b) {
    m_bits[b / 64] |= std::uint64_t{1} << (b % 64);
    m_words |= 1u << (b / 64);
  }
  static bool all_at(const Keys& keys, std::uint64_t when) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i].when != when) return false;
    }
    return true;
  }
  void unmark(std::size_t b) {
    m_bits[b / 64] &= ~(std::uint64_t{1} << (b % 64));
    if (m_bits[b / 64] == 0) m_words &= ~(1u << (b / 64));
  }
  // Makes the current bucket hold the earliest keys; the queue must not be empty.
  void settle() {
    if (m_head == m_cur->size()) refill();
  }
  void refill();
  void rebase(std::uint64_t when);

  std::unique_ptr<Keys[]> m_buckets = std::make_unique<Keys[]>(kBuckets);
  Keys* m_cur = &m_buckets[0];        // level 0's bucket for m_last
  std::uint64_t m_bits[kWords] = {};  // bit b: bucket b is not empty
  std::uint32_t m_words = 0;          // bit w: m_bits[w] is not 0
  std::size_t m_head = 0;             // the current bucket's keys before this one have been popped
  std::uint64_t m_last = 0;
  std::size_t m_size = 0;
  std::vector<std::unique_ptr<Action[]>> m_chunks;
  std::uint32_t m_slots = 0;  // slots ever used (the chunks hold at least this many)
  std::uint64_t m_max_slots = kMaxSlots;
  FreeSlots m_free;  // room for m_chunks' slots
  EventId m_next_seq = 1;
};

}  // namespace mailhop::core
