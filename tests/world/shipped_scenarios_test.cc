// Every scenario shipped in scenarios/ loads, runs, and meets its own expectations.

#include <catch2/catch.hpp>
#include <filesystem>

#include "sim/scenario/scenario_json.h"
#include "sim/world/expectations.h"
#include "sim/world/world.h"

#ifndef MAILHOP_SCENARIOS_DIR
#error "MAILHOP_SCENARIOS_DIR must point at scenarios/"
#endif

using namespace mailhop;

namespace {

std::vector<std::filesystem::path> shipped() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(MAILHOP_SCENARIOS_DIR))
    if (entry.path().extension() == ".json" && entry.path().filename() != "schema.json")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Every trace event of a run of `file` to its end.
std::vector<core::TraceEvent> recorded_run(const std::filesystem::path& file) {
  scenario::LoadResult loaded = scenario::load_scenario_file(file);
  REQUIRE(loaded.ok());
  core::Trace trace;
  core::TraceRecorder rec;
  trace.add_observer(&rec);
  std::string error;
  auto world = world::World::build(*loaded.scenario, trace, &error);
  REQUIRE(world);
  world->start();
  world->run_until(loaded.scenario->until);
  return rec.events();
}

}  // namespace

TEST_CASE("every shipped scenario meets its expectations", "[scenario][world][shipped]") {
  const auto files = shipped();
  REQUIRE(files.size() >= 10);
  for (const auto& file : files) {
    INFO(file.filename().string());
    scenario::LoadResult loaded = scenario::load_scenario_file(file);
    INFO(loaded.error_text());
    REQUIRE(loaded.ok());
    const scenario::Scenario& sc = *loaded.scenario;
    CHECK_FALSE(sc.title.es.empty());
    CHECK_FALSE(sc.title.en.empty());
    CHECK_FALSE(sc.description.es.empty());
    CHECK_FALSE(sc.description.en.empty());
    // Something is expected beyond "nothing lost", so the scenario checks its own story.
    const auto& e = sc.expect;
    CHECK((e.mailboxes.size() + e.bounces.size() + e.replies.size() + e.queues.size()) > 0);
    core::Trace trace;
    std::string error;
    auto world = world::World::build(sc, trace, &error);
    INFO(error);
    REQUIRE(world);
    world->start();
    world->run_until(sc.until);
    for (const auto& r : world::check_expectations(*world, sc.expect)) {
      INFO(r.what.key << " " << (r.what.args.empty() ? "" : r.what.args.front()) << " / "
                      << r.detail.key << " " << (r.detail.args.empty() ? "" : r.detail.args.front()));
      CHECK(r.passed);
    }
  }
}

TEST_CASE("shipped scenarios are deterministic: same seed, same trace", "[scenario][world][determinism]") {
  for (const auto& file : shipped()) {
    INFO(file.filename().string());
    auto run_once = [&] {
      std::string out;
      for (const auto& ev : recorded_run(file))
        out += std::to_string(ev.time.micros()) + "|" + std::to_string(ev.arrival.micros()) + "|" +
               std::string(core::trace_kind_name(ev.kind)) + "|" + ev.node + "|" + ev.peer + "|" +
               std::to_string(ev.connection) + "|" + ev.message + "|" + ev.text + "\n";
      return out;
    };
    const std::string first = run_once();
    CHECK_FALSE(first.empty());
    CHECK(first == run_once());
  }
}

TEST_CASE("submission on port 465 is TLS from the first byte: the handshake, then the greeting",
          "[scenario][world][tls]") {
  const std::vector<core::TraceEvent> events =
      recorded_run(std::filesystem::path(MAILHOP_SCENARIOS_DIR) / "14-ports.json");
  // The connections opened to port 465, and what happened on each, in order.
  std::size_t checked = 0;
  for (const auto& opened : events) {
    if (opened.kind != core::TraceKind::kConnectionOpened ||
        opened.text.find(":465") == std::string::npos)
      continue;
    std::vector<const core::TraceEvent*> on_it;
    for (const auto& e : events)
      if (e.connection == opened.connection && &e != &opened) on_it.push_back(&e);
    REQUIRE(on_it.size() > 2);
    INFO(opened.text);
    CHECK(on_it[0]->kind == core::TraceKind::kTlsHandshake);
    CHECK(on_it[1]->kind == core::TraceKind::kServerLine);
    CHECK(on_it[1]->text.rfind("220 ", 0) == 0);
    CHECK(on_it[1]->time >= on_it[0]->time);
    std::size_t handshakes = 0;
    for (const auto* e : on_it) {
      CHECK(e->text.find("STARTTLS") == std::string::npos);
      handshakes += e->kind == core::TraceKind::kTlsHandshake ? 1 : 0;
    }
    CHECK(handshakes == 1);
    ++checked;
  }
  CHECK(checked >= 1);
}
