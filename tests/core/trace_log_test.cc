// The run's history: blocks that never move what they hold, and the span-like view over them.

#include "sim/core/trace_log.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <iterator>
#include <string>
#include <vector>

namespace {

using mailhop::core::SimTime;
using mailhop::core::TraceEvent;
using mailhop::core::TraceEvents;
using mailhop::core::TraceLog;

TraceEvent event(std::size_t i) {
  TraceEvent e;
  e.time = SimTime::from_micros(static_cast<std::int64_t>(i));
  e.text = "line " + std::to_string(i);
  e.connection = i;
  return e;
}

}  // namespace

TEST_CASE("a trace log keeps every event in order and never moves one", "[core][trace]") {
  TraceLog log;
  CHECK(log.empty());
  log.push_back(event(0));
  const TraceEvent* first = &log[0];
  const std::size_t n = 3 * TraceLog::kBlockSize + 17;
  for (std::size_t i = 1; i < n; ++i) log.push_back(event(i));
  REQUIRE(log.size() == n);
  CHECK(&log[0] == first);  // still where it was stored
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (log[i].connection != i || log[i].text != "line " + std::to_string(i)) ++wrong;
  CHECK(wrong == 0);
  CHECK(log.back().connection == n - 1);
  log.clear();
  CHECK(log.empty());
  log.on_trace(event(5));
  log.on_trace_owned(event(6));
  CHECK(log.size() == 2);
  CHECK(log[0].connection == 5);
  CHECK(log[1].text == "line 6");
}

TEST_CASE("the view over a trace log works like a span", "[core][trace]") {
  TraceLog log;
  const std::size_t n = TraceLog::kBlockSize + 100;
  for (std::size_t i = 0; i < n; ++i) log.push_back(event(i));
  const TraceEvents all = log.events();
  REQUIRE(all.size() == n);
  CHECK(all.front().connection == 0);
  CHECK(all.back().connection == n - 1);
  CHECK(static_cast<std::size_t>(std::distance(all.begin(), all.end())) == n);
  // Random access across a block boundary, algorithms, reverse iteration.
  const auto it = std::find_if(all.begin(), all.end(),
                               [](const TraceEvent& e) { return e.connection == TraceLog::kBlockSize + 3; });
  REQUIRE(it != all.end());
  CHECK(it - all.begin() == static_cast<std::ptrdiff_t>(TraceLog::kBlockSize + 3));
  CHECK((it - 4)->connection == TraceLog::kBlockSize - 1);
  CHECK(it[1].connection == TraceLog::kBlockSize + 4);
  std::size_t expected = n;
  bool ordered = true;
  for (auto r = std::make_reverse_iterator(all.end()); r != std::make_reverse_iterator(all.begin()); ++r)
    ordered = ordered && r->connection == --expected;
  CHECK(ordered);
  const auto lower = std::lower_bound(all.begin(), all.end(), SimTime::from_micros(50),
                                      [](const TraceEvent& e, SimTime t) { return e.time < t; });
  CHECK(lower->connection == 50);
  // The first n events; a view taken earlier still sees only its own count.
  const TraceEvents some = log.first(10);
  CHECK(some.size() == 10);
  CHECK(all.first(3).back().connection == 2);
  log.push_back(event(n));
  CHECK(some.size() == 10);
  CHECK(log.first(n + 50).size() == n + 1);
  std::size_t visited = 0;
  for (const TraceEvent& e : some) visited += e.connection == visited ? 1 : 0;
  CHECK(visited == 10);
  // The events from an offset on, across a block boundary, and backwards.
  const TraceEvents tail = all.subspan(TraceLog::kBlockSize - 2);
  CHECK(tail.size() == 102);
  CHECK(tail.front().connection == TraceLog::kBlockSize - 2);
  CHECK(tail[3].connection == TraceLog::kBlockSize + 1);
  CHECK(tail.first(2).back().connection == TraceLog::kBlockSize - 1);
  CHECK(tail.rbegin()->connection == n - 1);
  CHECK(std::prev(tail.rend())->connection == TraceLog::kBlockSize - 2);
}

TEST_CASE("a view can also look at contiguous events", "[core][trace]") {
  std::vector<TraceEvent> events;
  for (std::size_t i = 0; i < 5; ++i) events.push_back(event(i));
  const TraceEvents view = events;
  CHECK(view.size() == 5);
  CHECK(view[3].text == "line 3");
  CHECK(view.first(2).back().connection == 1);
  const TraceEvents empty;
  CHECK(empty.empty());
  CHECK(empty.begin() == empty.end());
}
