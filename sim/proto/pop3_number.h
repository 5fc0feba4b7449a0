#pragma once
// The numbers of POP3 (message numbers, sizes, line counts): decimal digits only, no sign, at
// most 9 of them so they always fit.

#include <cstddef>
#include <optional>
#include <string_view>

namespace mailhop::proto {

inline std::optional<std::size_t> parse_pop3_number(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  std::size_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

}  // namespace mailhop::proto
