#include "sim/core/event_queue.h"

#include <algorithm>

namespace mailhop::core {

EventId EventQueue::push(SimTime time, Action&& action) {
  const std::uint32_t i = claim();
  slot(i) = std::move(action);
  return enqueue(time, i);
}

void EventQueue::Keys::grow() {
  const std::size_t capacity = m_capacity == 0 ? 64 : m_capacity * 2;
  std::unique_ptr<Key[]> data(new Key[capacity]);
  std::copy(m_data.get(), m_data.get() + m_size, data.get());
  m_data = std::move(data);
  m_capacity = capacity;
}

void EventQueue::FreeSlots::reserve(std::size_t n) {
  if (n <= m_capacity) return;
  std::unique_ptr<std::uint32_t[]> data(new std::uint32_t[n]);
  std::copy(m_data.get(), m_data.get() + m_size, data.get());
  m_data = std::move(data);
  m_capacity = n;
}

std::uint32_t EventQueue::claim_slow() {
  if (m_next_seq > kMaxSeq) {
    throw SimulationLimit(SimulationLimit::Which::kEventNumbers,
                          "the simulation ran out of event numbers (2^40 events)");
  }
  std::uint32_t i;
  if (m_free.empty()) {
    if (m_slots >= m_max_slots) {
      throw SimulationLimit(SimulationLimit::Which::kPendingEvents,
                            "more than 16,777,216 simulation events pending at once");
    }
    i = m_slots++;
    if ((i >> kChunkBits) >= m_chunks.size()) {
      m_free.reserve((m_chunks.size() + 1) * kChunkSize);
      m_chunks.push_back(std::make_unique<Action[]>(kChunkSize));
    }
  } else {
    i = m_free.back();
    m_free.pop_back();
  }
  return i;
}

void EventQueue::enqueue_first_or_early(const Key& k) {
  if (m_size == 0) {
    // Only the current bucket can hold keys, all popped.
    m_cur->clear();
    unmark(static_cast<std::size_t>(m_cur - m_buckets.get()));
    m_head = 0;
    m_last = k.when;
    m_cur = &m_buckets[k.when & (kDigits - 1)];
  } else {
    rebase(k.when);
  }
  place(k);
}

void EventQueue::refill() {
  m_cur->clear();
  unmark(static_cast<std::size_t>(m_cur - m_buckets.get()));
  m_head = 0;
  for (;;) {
    // The first bucket not empty holds the earliest keys (the queue is not empty).
    const auto w = static_cast<std::size_t>(__builtin_ctz(m_words));
    const std::size_t b = w * 64 + static_cast<std::size_t>(__builtin_ctzll(m_bits[w]));
    if (b < kDigits) {
      // Level 0: the keys of one time, which becomes m_last.
      m_last = (m_last & ~std::uint64_t{kDigits - 1}) | b;
      m_cur = &m_buckets[b];
      return;
    }
    // Above: the cursor moves to the start of the bucket's range (its digit at the bucket's
    // level, zeros below), and each of its keys goes down to a lower level, all of them empty:
    // keys of the same time go to the same bucket, in the order they are in.
    const std::size_t level = b / kDigits;
    const unsigned shift = static_cast<unsigned>(level) * kDigitBits;
    const std::uint64_t above =
        level + 1 == kLevels ? 0 : m_last >> (shift + kDigitBits) << (shift + kDigitBits);
    m_last = above | std::uint64_t{b % kDigits} << shift;
    Keys& from = m_buckets[b];
    unmark(b);
    // Keys come in runs of one time (sessions move in step: a dozen events at a time in a mail
    // run), and a run goes to one bucket: its bucket is found once. A bucket of one run (often)
    // trades buffers with its target instead.
    const std::size_t n = from.size();
    std::size_t i = 0;
    while (i < n) {
      const std::uint64_t when = from[i].when;
      const std::size_t to = bucket_of(when);
      Keys& into = m_buckets[to];
      mark(to);
      if (i == 0 && from[n - 1].when == when && all_at(from, when)) {
        into.swap(from);  // `into` was empty
        break;
      }
      do {
        into.push_back(from[i++]);
      } while (i < n && from[i].when == when);
    }
    from.clear();
  }
}

void EventQueue::rebase(std::uint64_t when) {
  std::vector<Key> all;
  all.reserve(m_size);
  for (std::size_t b = 0; b < kBuckets; ++b) {
    Keys& bucket = m_buckets[b];
    all.insert(all.end(), bucket.begin() + (&bucket == m_cur ? m_head : 0), bucket.end());
    bucket.clear();
  }
  std::fill(std::begin(m_bits), std::end(m_bits), 0);
  m_words = 0;
  m_head = 0;
  m_last = when;
  m_cur = &m_buckets[when & (kDigits - 1)];
  // Every key waiting is later than `when`; keys of the same time keep their order.
  for (const Key& k : all) place(k);
}

EventQueue::Event EventQueue::pop() {
  const Key k = pop_key();
  Event e{k.time(), k.seq(), std::move(slot(k.slot()))};
  slot(k.slot()) = nullptr;
  m_free.push_back(k.slot());
  return e;
}

void EventQueue::clear() {
  for (std::size_t b = 0; b < kBuckets; ++b) m_buckets[b].clear();
  std::fill(std::begin(m_bits), std::end(m_bits), 0);
  m_words = 0;
  m_head = 0;
  m_size = 0;
  m_chunks.clear();
  m_slots = 0;
  m_free.clear();
}

}  // namespace mailhop::core
