#pragma once
// Simulated time: a strong integer type of microseconds. No floating point in the core.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/proto/time.h"

namespace mailhop::core {

class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime from_micros(std::int64_t us) { return SimTime(us); }
  static constexpr SimTime from_millis(std::int64_t ms) { return SimTime(ms * 1000); }
  static constexpr SimTime from_seconds(std::int64_t s) { return SimTime(s * 1'000'000); }
  static constexpr SimTime from_minutes(std::int64_t m) { return from_seconds(m * 60); }
  static constexpr SimTime from_hours(std::int64_t h) { return from_seconds(h * 3600); }
  static constexpr SimTime from_days(std::int64_t d) { return from_hours(d * 24); }
  static constexpr SimTime max() { return SimTime(INT64_MAX); }

  constexpr std::int64_t micros() const { return m_us; }
  constexpr std::int64_t millis() const { return m_us / 1000; }
  constexpr std::int64_t seconds() const { return m_us / 1'000'000; }
  constexpr proto::Micros to_proto() const { return proto::Micros(m_us); }
  static constexpr SimTime from_proto(proto::Micros us) { return SimTime(us.count()); }

  constexpr SimTime& operator+=(SimTime d) { m_us += d.m_us; return *this; }
  constexpr SimTime& operator-=(SimTime d) { m_us -= d.m_us; return *this; }
  friend constexpr SimTime operator+(SimTime a, SimTime b) { return SimTime(a.m_us + b.m_us); }
  friend constexpr SimTime operator-(SimTime a, SimTime b) { return SimTime(a.m_us - b.m_us); }
  friend constexpr SimTime operator*(SimTime a, std::int64_t k) { return SimTime(a.m_us * k); }
  friend constexpr auto operator<=>(SimTime, SimTime) = default;

 private:
  constexpr explicit SimTime(std::int64_t us) : m_us(us) {}
  std::int64_t m_us = 0;
};

// "00:05:00.000" (hours may exceed 24: "123:00:00.000"); negative times get a '-'.
std::string format_sim_time(SimTime t);

// Parses "300", "300s", "1.5s", "250ms", "10us", "5m", "2h", "5d", "00:05:00" and
// "00:05:00.250". Returns false with a reason on malformed input.
bool parse_sim_time(std::string_view text, SimTime* out, std::string* error);

}  // namespace mailhop::core
