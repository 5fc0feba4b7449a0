#pragma once
// Hashing for unordered containers keyed by std::string that are looked up with a
// std::string_view or a const char* as well (heterogeneous lookup, C++20): no temporary string
// per lookup.
//
//   std::unordered_map<std::string, T, core::StringHash, std::equal_to<>> by_name;
//   by_name.find(std::string_view("mx.example"));

#include <cstddef>
#include <functional>
#include <string_view>

namespace mailhop::core {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

}  // namespace mailhop::core
