#include "sim/core/sim_time.h"

#include <catch2/catch.hpp>

using mailhop::core::format_sim_time;
using mailhop::core::parse_sim_time;
using mailhop::core::SimTime;

TEST_CASE("SimTime arithmetic is exact integer microseconds", "[core]") {
  const SimTime t = SimTime::from_minutes(5) + SimTime::from_millis(250);
  CHECK(t.micros() == 300'250'000);
  CHECK(t.seconds() == 300);
  CHECK((t - SimTime::from_seconds(300)).millis() == 250);
  CHECK(SimTime::from_days(5) == SimTime::from_hours(120));
  CHECK(SimTime::from_seconds(1) < SimTime::from_millis(1001));
  CHECK(SimTime::from_proto(SimTime::from_seconds(7).to_proto()) == SimTime::from_seconds(7));
}

TEST_CASE("format_sim_time shows hours, minutes, seconds and milliseconds", "[core]") {
  CHECK(format_sim_time(SimTime{}) == "00:00:00.000");
  CHECK(format_sim_time(SimTime::from_micros(1'234'567)) == "00:00:01.234");
  CHECK(format_sim_time(SimTime::from_days(5) + SimTime::from_seconds(61)) == "120:01:01.000");
  CHECK(format_sim_time(SimTime::from_millis(-1500)) == "-00:00:01.500");
}

TEST_CASE("parse_sim_time accepts units and clock notation", "[core]") {
  struct Case { const char* text; std::int64_t micros; };
  const Case cases[] = {{"300", 300'000'000},   {"300s", 300'000'000}, {"1.5s", 1'500'000},
                        {"250ms", 250'000},     {"10us", 10},          {"5m", 300'000'000},
                        {"2h", 7'200'000'000},  {"5d", 432'000'000'000},
                        {"00:05:00", 300'000'000}, {"01:00:00.250", 3'600'250'000},
                        {"0.000001s", 1}};
  for (const Case& c : cases) {
    SimTime t;
    std::string error;
    INFO(c.text);
    REQUIRE(parse_sim_time(c.text, &t, &error));
    CHECK(t.micros() == c.micros);
  }
}

TEST_CASE("parse_sim_time rejects malformed durations with a reason", "[core]") {
  for (const char* bad : {"", "abc", "5x", "-3s", "1:2", "00:61:00", "00:00:60", "s", ".", "1..2s"}) {
    SimTime t;
    std::string error;
    INFO(bad);
    CHECK_FALSE(parse_sim_time(bad, &t, &error));
    CHECK_FALSE(error.empty());
  }
}
