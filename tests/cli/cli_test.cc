#include "sim/cli/cli.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "sim/cli/generate.h"
#include "sim/cli/trace_json.h"
#include "sim/core/event_queue.h"
#include "sim/core/trace.h"
#include "sim/scenario/scenario_json.h"
#include "sim/text/catalog.h"
#include "sim/world/world.h"

using namespace mailhop;

namespace {

std::string scenario_path(const char* name) {
  return std::string(MAILHOP_SCENARIOS_DIR) + "/" + name;
}

struct Run {
  int status;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int status = cli::run_command(args, out, err);
  return {status, out.str(), err.str()};
}

}  // namespace

TEST_CASE("mailhop run prints the conversation, a summary and the expectations", "[cli]") {
  const Run r = run({scenario_path("01-journey.json"), "--transcript", "--lang", "en"});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  for (const char* line :
       {"# The journey of one message\n", "── #1 laptop.marcos.example → smtp.gmail.example (SMTP) ──\n",
        "  C: EHLO laptop.marcos.example\n", "  S: 250 STARTTLS\n", "  C: STARTTLS\n",
        "  S: 235 2.7.0 Authentication successful\n",
        "── #2 smtp.gmail.example → mx.yahoo.example (SMTP) ──\n",
        "[delivered] mx.yahoo.example", "Expectations: 7 of 7 met\n",
        "  ✔ no accepted message was lost\n", "1 delivery(ies) into mailboxes\n"}) {
    INFO(line);
    CHECK(r.out.find(line) != std::string::npos);
  }
}

TEST_CASE("mailhop run speaks Spanish and explains lines", "[cli]") {
  const Run r = run({scenario_path("06-unknown-user.json"), "--explain", "--lang", "es"});
  CHECK(r.status == 0);
  CHECK(r.out.find("# Destinatario inexistente: rebote inmediato\n") != std::string::npos);
  CHECK(r.out.find("Resumen\n") != std::string::npos);
  CHECK(r.out.find("  S: 550 5.1.1") != std::string::npos);
  CHECK(r.out.find("↳ ") != std::string::npos);
  CHECK(r.out.find("Expectativas: ") != std::string::npos);
  CHECK(r.out.find("[rebotado]") != std::string::npos);
}

TEST_CASE("without --transcript only events are printed; --quiet prints nothing on success", "[cli]") {
  const Run events = run({scenario_path("01-journey.json"), "--lang", "en"});
  CHECK(events.status == 0);
  CHECK(events.out.find("C: EHLO") == std::string::npos);
  CHECK(events.out.find("[delivered]") != std::string::npos);
  const Run quiet = run({scenario_path("01-journey.json"), "--quiet"});
  CHECK(quiet.status == 0);
  CHECK(quiet.out.empty());
}

TEST_CASE("a failed expectation exits 1 and says what was found", "[cli]") {
  scenario::LoadResult loaded = scenario::load_scenario_file(scenario_path("01-journey.json"));
  REQUIRE(loaded.ok());
  loaded.scenario->expect.mailboxes[0].count = 2;
  const auto file = std::filesystem::temp_directory_path() / "mailhop_cli_failing.json";
  std::ofstream(file) << scenario::save_scenario(*loaded.scenario);
  const Run r = run({file.string(), "--quiet", "--lang", "en"});
  CHECK(r.status == 1);
  CHECK(r.out.find("✘ mailbox julia@yahoo.example holds 2 message(s) — found 1\n") != std::string::npos);
  std::filesystem::remove(file);
}

TEST_CASE("bad input gets a clear message and exit status 2", "[cli]") {
  Run r = run({"--lang", "en"});
  CHECK(r.status == 2);
  CHECK(r.err.find("which scenario file?") != std::string::npos);
  r = run({"--lang", "es"});
  CHECK(r.status == 2);
  CHECK(r.err.find("¿qué fichero de escenario?") != std::string::npos);
  r = run({"/nonexistent/scenario.json", "--lang", "en"});
  CHECK(r.status == 2);
  CHECK(r.err.find("/nonexistent/scenario.json") != std::string::npos);
  r = run({scenario_path("01-journey.json"), "--seed", "abc"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--seed") != std::string::npos);
  r = run({scenario_path("01-journey.json"), "--until", "5x"});
  CHECK(r.status == 2);
  r = run({scenario_path("01-journey.json"), "--frobnicate", "--lang", "en"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown option --frobnicate") != std::string::npos);
}

TEST_CASE("the JSON trace of run --trace reads back event for event", "[cli]") {
  const auto file = std::filesystem::temp_directory_path() / "mailhop_cli_trace.json";
  const Run r = run({scenario_path("03-backup-mx.json"), "--quiet", "--trace", file.string()});
  CHECK(r.status == 0);
  std::string error;
  auto trace = cli::read_trace_json(file, &error);
  INFO(error);
  REQUIRE(trace);
  CHECK(trace->seed == 1);
  CHECK(trace->events.size() > 100);
  bool fault = false, relayed = false;
  for (const auto& e : trace->events) {
    fault |= e.kind == core::TraceKind::kFaultStarted && e.node == "mx.yahoo.example";
    relayed |= e.kind == core::TraceKind::kRelayed;
  }
  CHECK(fault);
  CHECK(relayed);
  std::ofstream(file) << "{\"format\": \"something else\"}";
  CHECK_FALSE(cli::read_trace_json(file, &error));
  CHECK(error.find("not a mailhop trace") != std::string::npos);
  std::filesystem::remove(file);
}

TEST_CASE("gen writes a synthetic scenario that runs with no loss", "[cli][gen]") {
  cli::GenOptions o;
  o.domains = 3;
  o.users = 4;
  o.messages = 60;
  o.rate = 20;
  const auto file = std::filesystem::temp_directory_path() / "mailhop_gen.json";
  std::ostringstream out, err;
  REQUIRE(cli::gen_command({file.string(), "--domains", "3", "--users", "4", "--messages", "60",
                            "--rate", "20"}, out, err) == 0);
  scenario::LoadResult loaded = scenario::load_scenario_file(file);
  INFO(loaded.error_text());
  REQUIRE(loaded.ok());
  CHECK(*loaded.scenario == cli::generate_scenario(o));
  const Run r = run({file.string(), "--quiet", "--stats"});
  CHECK(r.status == 0);
  CHECK(r.out.find("messages_delivered 60\n") != std::string::npos);
  std::filesystem::remove(file);
}

TEST_CASE("a run that outgrows the event queue says when it stopped, in both languages", "[cli]") {
  scenario::LoadResult loaded = scenario::load_scenario_file(scenario_path("01-journey.json"));
  REQUIRE(loaded.ok());
  core::Trace trace;
  std::string error;
  auto world = world::World::build(*loaded.scenario, trace, &error);
  REQUIRE(world);
  // The journey keeps a handful of events waiting at once (timers, lines on the wire).
  world->sim().limit_pending_for_tests(4);
  std::optional<core::SimulationLimit> caught;
  try {
    world->start();
    world->run_until(loaded.scenario->until);
  } catch (const core::SimulationLimit& limit) {
    caught = limit;
  }
  REQUIRE(caught);
  CHECK(caught->at() > core::SimTime{});
  CHECK(caught->at() == world->sim().now());
  text::LoadError load_error;
  auto catalog = text::Catalog::load(
      std::filesystem::path(MAILHOP_SCENARIOS_DIR).parent_path() / "assets" / "i18n", &load_error);
  REQUIRE(catalog);
  const std::string at = core::format_sim_time(caught->at());
  catalog->set_language(text::Language::kEnglish);
  CHECK(cli::describe_limit(*caught, *catalog) ==
        "mailhop: the simulation stopped at " + at +
            ": more than 16,777,216 events were waiting at once (messages, retries and timers "
            "scheduled for later): split the scenario into smaller ones; nothing after that "
            "moment was simulated");
  catalog->set_language(text::Language::kSpanish);
  CHECK(
      cli::describe_limit(*caught, *catalog)
          .starts_with("mailhop: la simulación se detuvo en " + at + ": había más de 16.777.216"));
}
