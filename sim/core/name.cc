#include "sim/core/name.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_set>

namespace mailhop::core {

namespace {

// Each pooled text is stored as [pointer to its std::string][characters][NUL], so a Name (a
// view of the characters) finds its std::string just before them.
constexpr std::size_t kHeader = sizeof(const std::string*);

std::string_view make_entry(std::string_view text) {
  const std::string* full = new std::string(text);
  char* block = new char[kHeader + text.size() + 1];
  std::memcpy(block, &full, kHeader);
  if (!text.empty()) std::memcpy(block + kHeader, text.data(), text.size());
  block[kHeader + text.size()] = '\0';
  return std::string_view(block + kHeader, text.size());
}

struct Pool {
  std::mutex mutex;
  std::unordered_set<std::string_view> entries;
  std::string_view empty = make_entry({});
};

Pool& pool() {
  // Never destroyed: names stay valid while static objects are torn down.
  static Pool* const instance = new Pool;
  return *instance;
}

// Pooled names this thread looked up lately, by a cheap hash of their text (a direct-mapped
// cache: a name evicts the one in its slot). Pool entries live for the whole process, so the
// views stay valid.
constexpr std::size_t kRecentSlots = 512;
thread_local constinit std::array<std::string_view, kRecentSlots> t_recent{};

std::size_t recent_slot(std::string_view text) {
  // The length and the first and last eight octets (fewer for a short text).
  const std::size_t n = text.size();
  std::uint64_t head = 0;
  std::uint64_t tail = 0;
  if (n >= 8) {
    std::memcpy(&head, text.data(), 8);
    std::memcpy(&tail, text.data() + n - 8, 8);
  } else {
    std::memcpy(&head, text.data(), n);
  }
  const std::uint64_t h = (head * 0x9e3779b97f4a7c15ULL) ^ (tail * 0xc2b2ae3d27d4eb4fULL) ^ n;
  return static_cast<std::size_t>((h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL >> 55) % kRecentSlots;
}

}  // namespace

std::string_view Name::empty_text() {
  static const std::string_view empty = pool().empty;
  return empty;
}

std::string_view Name::intern(std::string_view text) {
  if (text.empty()) return empty_text();
  // The same few names (the hosts of a world) are interned again and again, one per
  // connection: the thread's recent ones are found without the lock and the pool's hashing.
  std::string_view& recent = t_recent[recent_slot(text)];
  if (recent.size() == text.size() && std::memcmp(recent.data(), text.data(), text.size()) == 0)
    return recent;
  Pool& p = pool();
  const std::lock_guard<std::mutex> lock(p.mutex);
  const auto it = p.entries.find(text);
  if (it != p.entries.end()) return recent = *it;
  const std::string_view entry = make_entry(text);
  p.entries.insert(entry);
  return recent = entry;
}

const std::string& Name::str() const {
  const std::string* full = nullptr;
  std::memcpy(&full, data() - kHeader, kHeader);
  return *full;
}

}  // namespace mailhop::core
