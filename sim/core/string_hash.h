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
      // The last n < 8 octets in loads of a fixed size (a memcpy of n octets is a call): the
      // eight that end at the end when the text has them, else two overlapping halves.
      std::uint64_t w = 0;
      if (text.size() >= 8) {
        std::memcpy(&w, text.data() + text.size() - 8, 8);
      } else if (n >= 4) {
        std::uint32_t lo, hi;
        std::memcpy(&lo, p, 4);
        std::memcpy(&hi, p + n - 4, 4);
        w = lo | (std::uint64_t{hi} << 32);
      } else {
        for (std::size_t i = 0; i < n; ++i)
          w |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
      }
      h = (h ^ w) * kMul;
      h ^= h >> 32;
    }
    return static_cast<std::size_t>(h);
  }
};

}  // namespace mailhop::core
