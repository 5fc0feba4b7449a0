// Tests of Action (sim/core/action.h) and of the simulator's handling of many cancelled events.

#include "sim/core/action.h"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/simulator.h"

using mailhop::core::Action;
using mailhop::core::EventId;
using mailhop::core::SimTime;
using mailhop::core::Simulator;

TEST_CASE("an action runs small and large callables and moves with them", "[core][action]") {
  std::string log;
  const std::string text(100, 'x');  // a heap-allocated string captured by value
  Action small = [&log] { log += "s"; };
  std::array<char, 200> big{};
  big[0] = 'b';
  Action large = [&log, big] { log += big[0]; };  // too big to live inline
  auto owned = std::make_unique<int>(7);
  Action move_only = [&log, p = std::move(owned)] { log += std::to_string(*p); };
  Action with_string = [&log, text] { log += std::to_string(text.size()); };
  CHECK(static_cast<bool>(small));
  small();
  large();
  Action moved = std::move(move_only);
  CHECK_FALSE(static_cast<bool>(move_only));
  moved();
  Action assigned;
  CHECK_FALSE(static_cast<bool>(assigned));
  assigned = std::move(large);
  assigned();
  with_string();
  CHECK(log == "sb7b100");
  assigned = nullptr;
  CHECK_FALSE(static_cast<bool>(assigned));
}

TEST_CASE("an action destroys what it captured exactly once", "[core][action]") {
  auto counter = std::make_shared<int>(0);
  {
    Action a = [counter] { ++*counter; };
    Action b = std::move(a);
    std::array<char, 200> big{};
    Action c = [counter, big] { *counter += big[0] + 1; };
    Action d = std::move(c);
    b();
    d();
    CHECK(counter.use_count() == 3);
  }
  CHECK(counter.use_count() == 1);
  CHECK(*counter == 2);
}

TEST_CASE("thousands of cancelled events leave the order of the others unchanged",
          "[core][sim]") {
  Simulator sim;
  std::vector<int> ran;
  std::vector<EventId> doomed;
  // Interleave events that will run with far-away ones that are cancelled (as session
  // timeouts are): enough cancellations to make the queue drop them in bulk.
  for (int i = 0; i < 5000; ++i) {
    sim.schedule(SimTime::from_millis(1 + (i * 7919) % 1000), [&ran, i] { ran.push_back(i); });
    doomed.push_back(sim.schedule(SimTime::from_seconds(300 + i % 3), [&ran] { ran.push_back(-1); }));
  }
  for (EventId id : doomed) CHECK(sim.cancel(id));
  CHECK(sim.pending() == 5000);
  for (EventId id : doomed) CHECK_FALSE(sim.cancel(id));
  CHECK(sim.run() == 5000);
  REQUIRE(ran.size() == 5000);
  // By time, ties in the order they were scheduled.
  std::vector<int> expected(5000);
  for (int i = 0; i < 5000; ++i) expected[static_cast<std::size_t>(i)] = i;
  std::stable_sort(expected.begin(), expected.end(),
                   [](int a, int b) { return (a * 7919) % 1000 < (b * 7919) % 1000; });
  CHECK(ran == expected);
  CHECK(sim.now() == SimTime::from_millis(1000));
  CHECK(sim.idle());
}
