#pragma once
// A run's trace events kept in order for as long as the run lasts (the app's history: its
// ladder, log, timeline and step back read it). Events are stored in fixed-size blocks, so
// appending never moves the events already stored: a long history grows without the pauses of
// a vector copying hundreds of megabytes, and references to stored events stay valid until
// clear(). TraceEvents is the read-only view the readers take, used like a std::span.

#include <cstddef>
#include <iterator>
#include <span>
#include <utility>
#include <vector>

#include "sim/core/trace.h"

namespace mailhop::core {

class TraceLog;

// The first `size()` events of a TraceLog, or a contiguous array of events (tests, a trace file
// read into memory). Cheap to copy; valid while what it looks at is not cleared or destroyed.
class TraceEvents {
 public:
  class iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = TraceEvent;
    using difference_type = std::ptrdiff_t;
    using pointer = const TraceEvent*;
    using reference = const TraceEvent&;

    iterator() = default;
    iterator(const TraceEvents* events, std::size_t index) : m_events(events), m_index(index) {}
    reference operator*() const { return (*m_events)[m_index]; }
    pointer operator->() const { return &(*m_events)[m_index]; }
    reference operator[](difference_type n) const {
      return (*m_events)[static_cast<std::size_t>(static_cast<difference_type>(m_index) + n)];
    }
    iterator& operator++() {
      ++m_index;
      return *this;
    }
    iterator operator++(int) {
      iterator old = *this;
      ++m_index;
      return old;
    }
    iterator& operator--() {
      --m_index;
      return *this;
    }
    iterator operator--(int) {
      iterator old = *this;
      --m_index;
      return old;
    }
    iterator& operator+=(difference_type n) {
      m_index = static_cast<std::size_t>(static_cast<difference_type>(m_index) + n);
      return *this;
    }
    iterator& operator-=(difference_type n) { return *this += -n; }
    friend iterator operator+(iterator it, difference_type n) { return it += n; }
    friend iterator operator+(difference_type n, iterator it) { return it += n; }
    friend iterator operator-(iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const iterator& a, const iterator& b) {
      return static_cast<difference_type>(a.m_index) - static_cast<difference_type>(b.m_index);
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.m_index == b.m_index; }
    friend auto operator<=>(const iterator& a, const iterator& b) { return a.m_index <=> b.m_index; }

   private:
    const TraceEvents* m_events = nullptr;
    std::size_t m_index = 0;
  };

  TraceEvents() = default;
  TraceEvents(const TraceLog* log, std::size_t count) : m_log(log), m_size(count) {}
  // A view of contiguous events (a vector, an array).
  TraceEvents(std::span<const TraceEvent> events)  // NOLINT: implicit, like a span
      : m_array(events.data()), m_size(events.size()) {}
  TraceEvents(const std::vector<TraceEvent>& events)  // NOLINT: implicit, like a span
      : m_array(events.data()), m_size(events.size()) {}

  std::size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }
  inline const TraceEvent& operator[](std::size_t index) const;
  const TraceEvent& front() const { return (*this)[0]; }
  const TraceEvent& back() const { return (*this)[m_size - 1]; }
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, m_size); }
  std::reverse_iterator<iterator> rbegin() const { return std::reverse_iterator<iterator>(end()); }
  std::reverse_iterator<iterator> rend() const { return std::reverse_iterator<iterator>(begin()); }
  // The first `count` events (count <= size()).
  TraceEvents first(std::size_t count) const {
    TraceEvents out = *this;
    out.m_size = count;
    return out;
  }
  // The events from `offset` on (offset <= size()).
  TraceEvents subspan(std::size_t offset) const {
    TraceEvents out = *this;
    out.m_offset += offset;
    out.m_size -= offset;
    return out;
  }

 private:
  const TraceLog* m_log = nullptr;
  const TraceEvent* m_array = nullptr;
  std::size_t m_offset = 0;
  std::size_t m_size = 0;
};

// Asks the system to map a new block's memory at once (one call instead of a page fault per
// page as the block fills). Does nothing where that cannot be asked.
void prefault_block(void* data, std::size_t bytes);

class TraceLog : public TraceObserver {
 public:
  static constexpr std::size_t kBlockShift = 12;  // 4096 events per block
  static constexpr std::size_t kBlockSize = std::size_t{1} << kBlockShift;

  void on_trace(const TraceEvent& event) override { push_back(event); }
  void on_trace_owned(TraceEvent&& event) override { push_back(std::move(event)); }
  void push_back(const TraceEvent& event) {
    block_for_append().push_back(event);
    ++m_size;
  }
  void push_back(TraceEvent&& event) {
    block_for_append().push_back(std::move(event));
    ++m_size;
  }
  std::size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }
  const TraceEvent& operator[](std::size_t index) const {
    return m_blocks[index >> kBlockShift][index & (kBlockSize - 1)];
  }
  const TraceEvent& back() const { return (*this)[m_size - 1]; }
  // Every event, or the first `count`.
  TraceEvents events() const { return TraceEvents(this, m_size); }
  TraceEvents first(std::size_t count) const { return TraceEvents(this, count < m_size ? count : m_size); }
  void clear() {
    m_blocks.clear();
    m_size = 0;
  }

 private:
  std::vector<TraceEvent>& block_for_append() {
    if ((m_size & (kBlockSize - 1)) == 0) {
      m_blocks.emplace_back();
      m_blocks.back().reserve(kBlockSize);  // filled in place: never reallocated
      prefault_block(m_blocks.back().data(), kBlockSize * sizeof(TraceEvent));
    }
    return m_blocks.back();
  }

  std::vector<std::vector<TraceEvent>> m_blocks;
  std::size_t m_size = 0;
};

inline const TraceEvent& TraceEvents::operator[](std::size_t index) const {
  return m_log ? (*m_log)[m_offset + index] : m_array[m_offset + index];
}

}  // namespace mailhop::core
