#pragma once
// ASCII case mapping for protocol keywords, host names, domains and addresses: never the C
// locale's, so "I" stays "i" whatever the machine's language.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace mailhop::mail {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Equal but for ASCII case ("Subject" and "SUBJECT", "INBOX" and "inbox").
constexpr bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

inline std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_upper(c);
  return out;
}

// Whether any octet has its high bit set (8-bit content: SMTP needs 8BITMIME for it). Eight
// octets at a time: the high bits of the OR of them all. (Four independent ORs per 32 octets
// keep the loop short: every message is checked at each hop.)
inline bool has_8bit(std::string_view s) {
  std::uint64_t any = 0;
  std::size_t i = 0;
  if (s.size() >= 32) {
    std::uint64_t a = 0, b = 0, c = 0, d = 0;
    for (; i + 32 <= s.size(); i += 32) {
      std::uint64_t w[4];
      std::memcpy(w, s.data() + i, 32);
      a |= w[0];
      b |= w[1];
      c |= w[2];
      d |= w[3];
    }
    any = a | b | c | d;
  }
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    any |= word;
  }
  for (; i < s.size(); ++i) any |= static_cast<unsigned char>(s[i]);
  return (any & 0x8080808080808080ULL) != 0;
}

}  // namespace mailhop::mail
