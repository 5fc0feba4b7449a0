// Property: whatever faults strike and whatever the seed, no message a server accepted is
// lost. Every accepted recipient ends delivered, relayed, bounced, dropped (a failed bounce)
// or still queued.

#include <catch2/catch.hpp>

#include "sim/core/rng.h"
#include "sim/scenario/scenario_json.h"
#include "sim/world/world.h"

using namespace mailhop;
using core::SimTime;
using scenario::FaultKind;

namespace {

scenario::Scenario base() {
  scenario::LoadResult loaded =
      scenario::load_scenario_file(std::string(MAILHOP_SCENARIOS_DIR) + "/07-several-domains.json");
  REQUIRE(loaded.ok());
  scenario::Scenario s = *loaded.scenario;
  s.script.clear();
  s.expect = {};
  // A short lifetime so that expiry and bounces happen inside the run too.
  for (auto& n : s.nodes) n.queue.lifetime = SimTime::from_hours(2);
  return s;
}

// A random schedule of sends and faults over the first hour.
scenario::Scenario random_schedule(std::uint64_t seed) {
  scenario::Scenario s = base();
  s.seed = seed;
  core::Rng rng(seed * 7919 + 1);
  const std::vector<std::string> hosts = {"smtp.gmail.example", "mx.yahoo.example",
                                          "mx.hotmail.example", "ns.example"};
  const std::vector<std::string> links = {"smtp.gmail.example--mx.yahoo.example",
                                          "smtp.gmail.example--mx.hotmail.example",
                                          "laptop.marcos.example--smtp.gmail.example"};
  const std::vector<std::string> users = {"julia@yahoo.example", "ana@hotmail.example",
                                          "lucia@gmail.example", "nadie@yahoo.example",
                                          "marcos@gmail.example"};
  auto at = [&] { return SimTime::from_millis(static_cast<std::int64_t>(rng.below(3'600'000))); };
  auto maybe_duration = [&]() -> std::optional<SimTime> {
    if (rng.chance(0.2)) return std::nullopt;  // some faults never clear
    return SimTime::from_seconds(static_cast<std::int64_t>(1 + rng.below(3000)));
  };
  const int sends = 1 + static_cast<int>(rng.below(12));
  for (int i = 0; i < sends; ++i) {
    scenario::SendAction a;
    a.from_node = "laptop.marcos.example";
    a.from = "marcos@gmail.example";
    const int n = 1 + static_cast<int>(rng.below(3));
    for (int k = 0; k < n; ++k) a.to.push_back(users[rng.below(users.size())]);
    a.subject = "Mensaje " + std::to_string(i);
    a.body = "Prueba " + std::to_string(i) + "\n.\n..con puntos\n";
    s.script.push_back({at(), a, {}});
  }
  const int faults = static_cast<int>(rng.below(8));
  for (int i = 0; i < faults; ++i) {
    scenario::FaultAction f;
    switch (rng.below(8)) {
      case 0: f = {FaultKind::kHostDown, hosts[rng.below(hosts.size())], "", maybe_duration()}; break;
      case 1: f = {FaultKind::kHostCrash, hosts[rng.below(hosts.size())], "", maybe_duration()}; break;
      case 2: f = {FaultKind::kLinkDown, links[rng.below(links.size())], "", maybe_duration()}; break;
      case 3: f = {FaultKind::kLinkLossy, links[rng.below(links.size())], "0.3", maybe_duration()}; break;
      case 4: f = {FaultKind::kDnsFailure, rng.chance(0.5) ? "yahoo.example" : "hotmail.example",
                   rng.chance(0.5) ? "servfail" : "nxdomain", maybe_duration()}; break;
      case 5: f = {FaultKind::kMailboxFull, users[rng.below(3)], rng.chance(0.5) ? "permanent" : "", maybe_duration()}; break;
      case 6: f = {FaultKind::kGreylisting, hosts[1 + rng.below(2)], "", maybe_duration()}; break;
      default: f = {FaultKind::kTempRefusal, hosts[rng.below(3)], rng.chance(0.5) ? "rcpt" : "greeting", maybe_duration()}; break;
    }
    s.script.push_back({at(), f, {}});
  }
  s.until = SimTime::from_hours(4);
  return s;
}

}  // namespace

TEST_CASE("random fault schedules never lose an accepted message", "[world][property]") {
  std::uint64_t accepted = 0, delivered = 0, bounced = 0, queued = 0;
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    const scenario::Scenario s = random_schedule(seed);
    core::Trace trace;
    std::string error;
    auto world = world::World::build(s, trace, &error);
    REQUIRE(world);
    world->start();
    // Check at several points, not only at the end: the ledger must balance at all times.
    for (SimTime t : {SimTime::from_minutes(10), SimTime::from_minutes(70), s.until}) {
      world->run_until(t);
      const auto problems = world->audit();
      INFO("seed " << seed << " at " << core::format_sim_time(t));
      INFO((problems.empty() ? std::string() : problems.front()));
      REQUIRE(problems.empty());
    }
    accepted += world->ledger().accepted;
    delivered += world->ledger().delivered;
    bounced += world->ledger().bounced;
    queued += world->pending_recipients();
  }
  // The schedules did exercise every outcome.
  CHECK(accepted > 500);
  CHECK(delivered > 0);
  CHECK(bounced > 0);
  CHECK(queued > 0);
}
