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
    if ((i >> kChunkBits) >= m_chunks.size()) m_chunks.push_back(std::make_unique<Action[]>(kChunkSize));
  } else {
    i = m_free.back();
    m_free.pop_back();
  }
  return i;
}

void EventQueue::enqueue_first_or_early(const Key& k) {
  if (m_size == 0) {
    m_buckets[0].clear();
    m_head = 0;
    m_last = k.when;
  } else {
    rebase(k.when);
  }
  m_buckets[bucket_of(k.when)].push_back(k);
}

void EventQueue::refill() {
  Keys& zero = m_buckets[0];
  zero.clear();
  m_head = 0;
  std::size_t b = 1;
  while (m_buckets[b].empty()) ++b;
  Keys& from = m_buckets[b];
  std::uint64_t least = from[0].when;
  std::uint64_t most = least;
  for (const Key& k : from) {
    least = std::min(least, k.when);
    most = std::max(most, k.when);
  }
  m_last = least;
  if (least == most) {
    // Every key has the same time (half the refills of a mail run, where sessions move in
    // step): they all belong in bucket 0, in the order they are in. Swap the buffers instead of
    // moving the keys one by one.
    zero.swap(from);
    return;
  }
  // Every key in bucket b agrees with the new m_last on the bits above b-1, so each goes to a
  // lower bucket; the buckets above b keep theirs.
  for (const Key& k : from) m_buckets[bucket_of(k.when)].push_back(k);
  from.clear();
  // No sorting by sequence number is needed: a key's bucket depends only on its time (and
  // m_last), so keys of the same time always share a bucket, where they were appended in the
  // order they were pushed, and every move (here, in rebase, in remove_if) keeps their order.
}

void EventQueue::rebase(std::uint64_t when) {
  std::vector<Key> all;
  all.reserve(m_size);
  for (std::size_t b = 0; b < kBuckets; ++b) {
    Keys& bucket = m_buckets[b];
    all.insert(all.end(), bucket.begin() + (b == 0 ? m_head : 0), bucket.end());
    bucket.clear();
  }
  m_head = 0;
  m_last = when;
  // Every key waiting is later than `when`, so bucket 0 stays empty for the key being pushed.
  for (const Key& k : all) m_buckets[bucket_of(k.when)].push_back(k);
}

EventQueue::Event EventQueue::pop() {
  const Key k = pop_key();
  Event e{k.time(), k.seq(), std::move(slot(k.slot()))};
  slot(k.slot()) = nullptr;
  m_free.push_back(k.slot());
  return e;
}

void EventQueue::clear() {
  for (Keys& bucket : m_buckets) bucket.clear();
  m_head = 0;
  m_size = 0;
  m_chunks.clear();
  m_slots = 0;
  m_free.clear();
}

}  // namespace mailhop::core
