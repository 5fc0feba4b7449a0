#pragma once
// Building and running a small hand-made world in tests.

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "sim/core/sim_time.h"
#include "sim/core/trace.h"
#include "sim/scenario/scenario.h"
#include "sim/world/world.h"

namespace mailhop::testing {

// Builds the world of `s` (the test fails with the builder's message if it cannot), starts its
// script and runs it until `until`.
inline std::unique_ptr<world::World> run_world(const scenario::Scenario& s, core::Trace& trace,
                                               core::SimTime until) {
  std::string error;
  auto w = world::World::build(s, trace, &error);
  INFO(error);
  REQUIRE(w);
  w->start();
  w->run_until(until);
  return w;
}

// How many times `server` answered `code` with the enhanced status `enhanced`.
inline std::uint64_t reply_count(const world::World& w, const std::string& server, int code,
                                 const std::string& enhanced) {
  for (const auto& r : w.replies())
    if (r.server == server && r.code == code && r.enhanced == enhanced) return r.count;
  return 0;
}

}  // namespace mailhop::testing
