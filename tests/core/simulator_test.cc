#include "sim/core/simulator.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/trace.h"

using mailhop::core::SimTime;
using mailhop::core::Simulator;

TEST_CASE("events run in time order, ties in insertion order", "[core][sim]") {
  Simulator sim;
  std::vector<std::string> order;
  sim.schedule(SimTime::from_seconds(2), [&] { order.push_back("b"); });
  sim.schedule(SimTime::from_seconds(1), [&] { order.push_back("a1"); });
  sim.schedule(SimTime::from_seconds(1), [&] { order.push_back("a2"); });
  sim.schedule(SimTime::from_seconds(1), [&] { order.push_back("a3"); });
  CHECK(sim.run() == 4);
  CHECK(order == std::vector<std::string>{"a1", "a2", "a3", "b"});
  CHECK(sim.now() == SimTime::from_seconds(2));
  CHECK(sim.events_processed() == 4);
}

TEST_CASE("step runs one event and advances now to its time", "[core][sim]") {
  Simulator sim;
  int ran = 0;
  sim.schedule(SimTime::from_millis(10), [&] {
    ++ran;
    // An event scheduled from inside an event at the same time runs after it.
    sim.schedule_in(SimTime{}, [&] { ran += 10; });
  });
  CHECK(sim.step());
  CHECK(ran == 1);
  CHECK(sim.now() == SimTime::from_millis(10));
  CHECK(sim.step());
  CHECK(ran == 11);
  CHECK_FALSE(sim.step());
  CHECK(sim.idle());
}

TEST_CASE("run_until stops at the limit and moves the clock to it", "[core][sim]") {
  Simulator sim;
  int ran = 0;
  for (int i = 1; i <= 5; ++i) sim.schedule(SimTime::from_seconds(i), [&] { ++ran; });
  CHECK(sim.run_until(SimTime::from_seconds(3)) == 3);
  CHECK(ran == 3);
  CHECK(sim.now() == SimTime::from_seconds(3));
  CHECK(sim.pending() == 2);
  SimTime next;
  REQUIRE(sim.next_time(&next));
  CHECK(next == SimTime::from_seconds(4));
}

TEST_CASE("cancelled events never run; the past is clamped to now", "[core][sim]") {
  Simulator sim;
  int ran = 0;
  const auto id = sim.schedule(SimTime::from_seconds(1), [&] { ran += 1; });
  sim.schedule(SimTime::from_seconds(2), [&] { ran += 2; });
  CHECK(sim.cancel(id));
  CHECK_FALSE(sim.cancel(id));
  CHECK(sim.pending() == 1);
  sim.run();
  CHECK(ran == 2);
  CHECK_FALSE(sim.cancel(id));
  sim.schedule(SimTime::from_seconds(1), [&] { ran += 100; });  // in the past: runs now
  CHECK(sim.step());
  CHECK(sim.now() == SimTime::from_seconds(2));
  CHECK(ran == 102);
}

TEST_CASE("trace fans out to observers in order and can remove them", "[core]") {
  using namespace mailhop::core;
  Trace trace;
  TraceRecorder a, b;
  trace.add_observer(&a);
  trace.add_observer(&b);
  TraceEvent e;
  e.kind = TraceKind::kQueued;
  e.node = "smtp.gmail.example";
  trace.emit(e);
  trace.remove_observer(&a);
  trace.emit(e);
  CHECK(a.events().size() == 1);
  CHECK(b.events().size() == 2);
  CHECK(trace.emitted() == 2);
  CHECK(trace_kind_name(TraceKind::kQueued) == "queued");
}

TEST_CASE("the event queue pops in (time, insertion) order whatever the times and slots",
          "[core][sim]") {
  // Times on both sides of zero and far apart, many ties, and slots freed and reused while
  // events are pending: the order must be that of a stable sort by time.
  mailhop::core::EventQueue queue;
  std::vector<std::pair<std::int64_t, int>> pushed;  // (time, label) in insertion order
  std::vector<int> popped;
  const std::int64_t times[] = {-5'000'000'000LL, -1, 0, 1, 7, 7, 1'000'000, std::int64_t{1} << 40};
  int label = 0;
  std::uint32_t seed = 7;
  for (int round = 0; round < 50; ++round) {
    for (int k = 0; k < 40; ++k) {
      seed = seed * 1103515245u + 12345u;
      const std::int64_t t = times[(seed >> 16) % 8];
      const int l = label++;
      queue.push(SimTime::from_micros(t), [&popped, l] { popped.push_back(l); });
      pushed.emplace_back(t, l);
    }
    // Pop some now, so that slots are reused by the next round's events.
    for (int k = 0; k < 15; ++k) {
      std::stable_sort(pushed.begin(), pushed.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      const int expected = pushed.front().second;
      pushed.erase(pushed.begin());
      queue.run_top([](SimTime, mailhop::core::EventId) {});
      REQUIRE_FALSE(popped.empty());
      CHECK(popped.back() == expected);
    }
  }
  std::stable_sort(pushed.begin(), pushed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [t, l] : pushed) {
    REQUIRE_FALSE(queue.empty());
    CHECK(queue.top_time() == SimTime::from_micros(t));
    queue.run_top([](SimTime, mailhop::core::EventId) {});
    CHECK(popped.back() == l);
  }
  CHECK(queue.empty());
}

TEST_CASE("events scheduled as a run schedules them pop in (time, insertion) order",
          "[core][sim]") {
  // As in a simulation: each event run schedules more at its own time or later, with delays
  // from zero to minutes (ties, near and far keys), and far ones are cancelled by the
  // thousand, so that the queue drops them in bulk. The order must be that of a stable sort.
  Simulator sim;
  struct Planned {
    std::int64_t at;
    int label;
  };
  std::vector<Planned> planned;  // in scheduling order, every event ever scheduled
  std::vector<int> ran;
  std::vector<mailhop::core::EventId> far;
  std::vector<bool> cancelled;
  std::uint32_t seed = 12345;
  int next_label = 0;
  const std::int64_t delays[] = {0, 0, 1, 7, 5'000, 5'000, 10'000, 20'000, 65'536, 300'000'000};
  std::function<void(int)> run = [&](int label) {
    ran.push_back(label);
    if (next_label >= 20'000) return;
    for (int k = 0; k < 2; ++k) {
      seed = seed * 1103515245u + 12345u;
      const std::uint32_t pick = (seed >> 16) % 10;
      // Some delays exact (ties), some with a jitter (keys in no order within their bucket).
      const std::int64_t d = delays[pick] + (pick >= 5 && pick <= 7 ? (seed >> 4) % 4096 : 0);
      const int l = next_label++;
      const std::int64_t at = sim.now().micros() + d;
      const auto id = sim.schedule(SimTime::from_micros(at), [&run, l] { run(l); });
      planned.push_back({at, l});
      cancelled.push_back(false);
      if (d == 300'000'000) far.push_back(id);
    }
    // Now and then the far events are cancelled, all but the last.
    if (far.size() > 1500) {
      for (std::size_t i = 0; i + 1 < far.size(); ++i) {
        REQUIRE(sim.cancel(far[i]));
        cancelled[static_cast<std::size_t>(far[i] - 1)] = true;
      }
      far.erase(far.begin(), far.end() - 1);
    }
  };
  planned.push_back({0, next_label});
  cancelled.push_back(false);
  sim.schedule(SimTime::from_micros(0), [&run, l = next_label++] { run(l); });
  while (sim.step()) {
  }
  std::vector<Planned> expected;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    if (!cancelled[i]) expected.push_back(planned[i]);
  }
  std::stable_sort(expected.begin(), expected.end(),
                   [](const Planned& a, const Planned& b) { return a.at < b.at; });
  REQUIRE(ran.size() == expected.size());
  CHECK(ran.size() > 15'000);
  for (std::size_t i = 0; i < ran.size(); ++i) {
    if (ran[i] != expected[i].label) {
      FAIL("event " << i << " ran label " << ran[i] << ", expected " << expected[i].label);
    }
  }
}

TEST_CASE("a full event queue refuses the next event with SimulationLimit and the time reached",
          "[core][sim]") {
  Simulator sim;
  sim.limit_pending_for_tests(3);
  int ran = 0;
  sim.schedule(SimTime::from_micros(10), [&] { ++ran; });
  sim.schedule(SimTime::from_micros(20), [&] { ++ran; });
  sim.schedule(SimTime::from_micros(30), [&] { ++ran; });
  // Three waiting: the fourth is refused, and nothing of it is scheduled.
  try {
    sim.schedule(SimTime::from_micros(40), [&] { ran += 100; });
    FAIL("the fourth event was scheduled");
  } catch (const mailhop::core::SimulationLimit& limit) {
    CHECK(limit.which() == mailhop::core::SimulationLimit::Which::kPendingEvents);
    CHECK(limit.at() == SimTime{});
    CHECK(std::string(limit.what()).find("16,777,216") != std::string::npos);
  }
  CHECK(sim.pending() == 3);
  // Once one has run, its place is free again.
  CHECK(sim.step());
  CHECK(sim.pending() == 2);
  sim.schedule(SimTime::from_micros(40), [&] { ++ran; });
  CHECK(sim.run_until(SimTime::from_micros(100)) == 3);
  CHECK(ran == 4);
  // A refusal in the middle of a run says when the run stopped (the running event keeps its
  // place until it returns: it and two more are three).
  sim.schedule(SimTime::from_micros(200), [] {});
  sim.schedule(SimTime::from_micros(300), [&] {
    for (int i = 0; i < 4; ++i) sim.schedule_in(SimTime::from_micros(1), [] {});
  });
  try {
    sim.run_until(SimTime::from_micros(400));
    FAIL("the run did not stop");
  } catch (const mailhop::core::SimulationLimit& limit) {
    CHECK(limit.at() == SimTime::from_micros(300));
  }
}
