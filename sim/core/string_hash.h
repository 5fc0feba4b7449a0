#pragma once
// Hashing for unordered containers keyed by std::string that are looked up with a
// std::string_view or a const char* as well (heterogeneous lookup, C++20): no temporary string
// per lookup.
//
//   std::unordered_map<std::string, T, core::StringHash, std::equal_to<>> by_name;
//   by_name.find(std::string_view("mx.example"));

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>

namespace mailhop::core {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

// The same, eight octets at a time: cheaper than std::hash's byte-wise mixing for the short
// names (hosts, a few dozen octets) looked up per connection. For containers whose iteration
// order does not matter (it differs from StringHash's).
struct WordStringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    constexpr std::uint64_t kMul = 0x9e3779b97f4a7c15ULL;
    const char* p = text.data();
    std::size_t n = text.size();
    std::uint64_t h = n * kMul;
    for (; n >= 8; n -= 8, p += 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      h = (h ^ w) * kMul;
      h ^= h >> 32;
    }
    if (n > 0) {
      std::uint64_t w = 0;
      std::memcpy(&w, p, n);
      h = (h ^ w) * kMul;
      h ^= h >> 32;
    }
    return static_cast<std::size_t>(h);
  }
};

}  // namespace mailhop::core
