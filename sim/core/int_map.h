#pragma once
// A hash map from 64-bit integers to small values for lookups on a hot path (the app's
// animation looks up two hosts and a route for every event it plays). Entries live in one
// array (open addressing, linear probing, a power-of-two size at most half full): a lookup is a
// multiply, a shift and usually one cache line, where std::unordered_map divides by a prime and
// follows a pointer to a node of its own. Pointers to values are valid until the next insertion
// or removal.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace mailhop::core {

template <class V>
class IntMap {
 public:
  std::size_t size() const { return m_size + (m_reserved ? 1 : 0); }
  bool empty() const { return size() == 0; }

  V* find(std::uint64_t key) {
    if (key == kVacant) return m_reserved ? &*m_reserved : nullptr;
    if (m_slots.empty()) return nullptr;
    for (std::size_t i = home(key);; i = (i + 1) & mask()) {
      Slot& s = m_slots[i];
      if (s.key == key) return &s.value;
      if (s.key == kVacant) return nullptr;
    }
  }
  const V* find(std::uint64_t key) const { return const_cast<IntMap*>(this)->find(key); }

  // The value for `key`, inserted as `value` when there was none; true when inserted.
  std::pair<V*, bool> try_emplace(std::uint64_t key, V value) {
    if (key == kVacant) {
      if (m_reserved) return {&*m_reserved, false};
      m_reserved.emplace(std::move(value));
      return {&*m_reserved, true};
    }
    if ((m_size + 1) * 2 > m_slots.size()) grow();
    for (std::size_t i = home(key);; i = (i + 1) & mask()) {
      Slot& s = m_slots[i];
      if (s.key == key) return {&s.value, false};
      if (s.key == kVacant) {
        s.key = key;
        s.value = std::move(value);
        ++m_size;
        return {&s.value, true};
      }
    }
  }

  // Removes `key`'s entry; false when there was none. The entries after it in its run move back
  // (no tombstones: lookups stay as short as the map is full).
  bool erase(std::uint64_t key) {
    if (key == kVacant) {
      const bool had = m_reserved.has_value();
      m_reserved.reset();
      return had;
    }
    if (m_slots.empty()) return false;
    std::size_t hole = home(key);
    while (m_slots[hole].key != key) {
      if (m_slots[hole].key == kVacant) return false;
      hole = (hole + 1) & mask();
    }
    for (std::size_t next = (hole + 1) & mask(); m_slots[next].key != kVacant;
         next = (next + 1) & mask()) {
      // An entry may fill the hole when its home is not in (hole, next]: moving it back keeps
      // it reachable from there.
      const std::size_t h = home(m_slots[next].key);
      const bool stays = hole < next ? (h > hole && h <= next) : (h > hole || h <= next);
      if (stays) continue;
      m_slots[hole] = std::move(m_slots[next]);
      hole = next;
    }
    m_slots[hole] = Slot{};
    --m_size;
    return true;
  }

  // Calls f(key, value) for every entry, in no particular order (the same for the same
  // insertions and removals).
  template <class F>
  void for_each(F&& f) const {
    if (m_reserved) f(kVacant, *m_reserved);
    for (const Slot& s : m_slots)
      if (s.key != kVacant) f(s.key, s.value);
  }

  void clear() {
    m_slots.clear();
    m_size = 0;
    m_shift = 64;
    m_reserved.reset();
  }

 private:
  // The key that marks an empty slot; an entry with this key is kept beside the array.
  static constexpr std::uint64_t kVacant = ~std::uint64_t{0};

  struct Slot {
    std::uint64_t key = kVacant;
    V value{};
  };

  std::size_t mask() const { return m_slots.size() - 1; }
  // Fibonacci hashing: the top bits of key × 2^64/φ spread even consecutive keys.
  std::size_t home(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> m_shift);
  }

  void grow() {
    std::vector<Slot> old = std::move(m_slots);
    const std::size_t capacity = old.empty() ? 16 : old.size() * 2;
    m_slots = std::vector<Slot>(capacity);  // (not assign(n, Slot{}): values may be move-only)
    m_shift = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1) --m_shift;
    for (Slot& s : old) {
      if (s.key == kVacant) continue;
      std::size_t i = home(s.key);
      while (m_slots[i].key != kVacant) i = (i + 1) & mask();
      m_slots[i] = std::move(s);
    }
  }

  std::vector<Slot> m_slots;
  std::size_t m_size = 0;  // entries in m_slots
  unsigned m_shift = 64;   // 64 - log2(m_slots.size())
  std::optional<V> m_reserved;
};

}  // namespace mailhop::core
