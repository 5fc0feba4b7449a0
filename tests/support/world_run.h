#pragma once
// Building and running a small hand-made world in tests.

#include <catch2/catch.hpp>
#include <cstdint>
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

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

// The recorded events of one kind, each as "node: text".
inline std::vector<std::string> trace_lines(const core::TraceRecorder& rec, core::TraceKind kind) {
  std::vector<std::string> out;
  for (const auto& e : rec.events())
    if (e.kind == kind) out.push_back(e.node + ": " + e.text);
  return out;
}

inline bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A world run (as run_world) that keeps every trace event, for checks on its lines, notes and
// lookups.
struct RecordedRun {
  core::Trace trace;
  core::TraceRecorder rec;
  std::unique_ptr<world::World> world;

  RecordedRun(const scenario::Scenario& s, core::SimTime until) {
    trace.add_observer(&rec);
    world = run_world(s, trace, until);
  }
  RecordedRun(const RecordedRun&) = delete;  // the trace points at the recorder
  RecordedRun& operator=(const RecordedRun&) = delete;

  std::vector<std::string> lines(core::TraceKind kind) const { return trace_lines(rec, kind); }
};

// How many times `server` answered `code` with the enhanced status `enhanced`.
inline std::uint64_t reply_count(const world::World& w, const std::string& server, int code,
                                 const std::string& enhanced) {
  for (const auto& r : w.replies())
    if (r.server == server && r.code == code && r.enhanced == enhanced) return r.count;
  return 0;
}

}  // namespace mailhop::testing
