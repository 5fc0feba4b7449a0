#include "sim/core/name.h"

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

}  // namespace

std::string_view Name::empty_text() {
  static const std::string_view empty = pool().empty;
  return empty;
}

std::string_view Name::intern(std::string_view text) {
  if (text.empty()) return empty_text();
  Pool& p = pool();
  const std::lock_guard<std::mutex> lock(p.mutex);
  const auto it = p.entries.find(text);
  if (it != p.entries.end()) return *it;
  const std::string_view entry = make_entry(text);
  p.entries.insert(entry);
  return entry;
}

const std::string& Name::str() const {
  const std::string* full = nullptr;
  std::memcpy(&full, data() - kHeader, kHeader);
  return *full;
}

}  // namespace mailhop::core
