#include "sim/core/sim_time.h"

#include <charconv>
#include <cstdio>
#include <limits>

namespace mailhop::core {

std::string format_sim_time(SimTime t) {
  std::int64_t us = t.micros();
  const bool negative = us < 0;
  // Work in unsigned to survive INT64_MIN.
  std::uint64_t u = negative ? 0 - static_cast<std::uint64_t>(us) : static_cast<std::uint64_t>(us);
  const std::uint64_t ms = (u / 1000) % 1000;
  const std::uint64_t s = (u / 1'000'000) % 60;
  const std::uint64_t m = (u / 60'000'000) % 60;
  const std::uint64_t h = u / 3'600'000'000ULL;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%02llu:%02llu:%02llu.%03llu", negative ? "-" : "",
                static_cast<unsigned long long>(h), static_cast<unsigned long long>(m),
                static_cast<unsigned long long>(s), static_cast<unsigned long long>(ms));
  return buf;
}

namespace {

// Parses a non-negative decimal with an optional fraction into a value scaled by `scale`
// (the number of microseconds in one unit).
bool scaled_decimal(std::string_view text, std::int64_t scale, std::int64_t* out) {
  if (text.empty()) return false;
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() && frac.empty()) return false;
  std::int64_t w = 0;
  if (!whole.empty()) {
    auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), w);
    if (ec != std::errc{} || p != whole.data() + whole.size() || w < 0) return false;
  }
  if (w > std::numeric_limits<std::int64_t>::max() / scale) return false;
  std::int64_t value = w * scale;
  std::int64_t unit = scale;
  for (char c : frac) {
    if (c < '0' || c > '9') return false;
    unit /= 10;
    value += (c - '0') * unit;  // digits below a microsecond are dropped
  }
  *out = value;
  return true;
}

}  // namespace

bool parse_sim_time(std::string_view text, SimTime* out, std::string* error) {
  auto fail = [&](const char* why) {
    if (error) *error = std::string(why) + ": \"" + std::string(text) + "\"";
    return false;
  };
  if (text.empty()) return fail("empty time");
  if (text.find(':') != std::string_view::npos) {
    // hh:mm:ss[.fraction]
    std::int64_t parts[2] = {0, 0};
    std::string_view rest = text;
    for (std::int64_t& part : parts) {
      const std::size_t colon = rest.find(':');
      if (colon == std::string_view::npos) return fail("expected hh:mm:ss");
      auto [p, ec] = std::from_chars(rest.data(), rest.data() + colon, part);
      if (ec != std::errc{} || p != rest.data() + colon || part < 0) return fail("bad number in time");
      rest.remove_prefix(colon + 1);
    }
    std::int64_t secs = 0;
    if (parts[1] > 59 || !scaled_decimal(rest, 1'000'000, &secs) || secs >= 60'000'000)
      return fail("bad minutes or seconds in time");
    *out = SimTime::from_hours(parts[0]) + SimTime::from_minutes(parts[1]) +
           SimTime::from_micros(secs);
    return true;
  }
  struct Unit { std::string_view suffix; std::int64_t scale; };
  static constexpr Unit kUnits[] = {{"us", 1},          {"ms", 1000},
                                    {"s", 1'000'000},   {"m", 60'000'000},
                                    {"h", 3'600'000'000LL}, {"d", 86'400'000'000LL}};
  std::int64_t scale = 1'000'000;  // a bare number is seconds
  std::string_view number = text;
  for (const Unit& u : kUnits) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      const char before = text[text.size() - u.suffix.size() - 1];
      if (before >= '0' && before <= '9') {
        scale = u.scale;
        number = text.substr(0, text.size() - u.suffix.size());
        break;
      }
    }
  }
  std::int64_t us = 0;
  if (!scaled_decimal(number, scale, &us)) return fail("expected a duration like 300s, 5m, 2h or 00:05:00");
  *out = SimTime::from_micros(us);
  return true;
}

}  // namespace mailhop::core
