// Trace files (`mailhop run --trace`): version 2 embeds the scenario, version 1 names its file;
// every malformed or truncated file is an error naming the JSON path, never a crash.

#include "sim/cli/trace_json.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/cli.h"
#include "sim/scenario/scenario_json.h"
#include "tests/support/temp_dir.h"
#include "sim/world/world.h"

using namespace mailhop;
namespace fs = std::filesystem;

namespace {

std::string scenario_path(const char* name) {
  return std::string(MAILHOP_SCENARIOS_DIR) + "/" + name;
}

fs::path temp_dir() { return mailhop::test::temp_dir("mailhop_trace_json_test"); }

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

// `mailhop run FILE --quiet --trace OUT` plus `extra` options; returns OUT.
fs::path record(const char* scenario, const std::string& name,
                std::vector<std::string> extra = {}) {
  const fs::path out = temp_dir() / name;
  std::vector<std::string> args = {scenario_path(scenario), "--quiet", "--trace", out.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  std::ostringstream o, e;
  const int status = cli::run_command(args, o, e);
  INFO(e.str());
  REQUIRE(status == 0);
  return out;
}

// The events of a run of `sc` to its `until`, as the simulator emits them.
std::vector<core::TraceEvent> run_events(const scenario::Scenario& sc) {
  core::Trace trace;
  core::TraceRecorder recorder;
  trace.add_observer(&recorder);
  std::string why;
  auto world = world::World::build(sc, trace, &why);
  INFO(why);
  REQUIRE(world);
  world->start();
  world->run_until(sc.until);
  return recorder.events();
}

core::TraceEvent full_event() {
  core::TraceEvent e;
  e.time = core::SimTime::from_micros(1500);
  e.arrival = core::SimTime::from_micros(1900);
  e.kind = core::TraceKind::kServerLine;
  e.node = "mx.yahoo.example";
  e.peer = "smtp.gmail.example";
  e.connection = 7;
  e.protocol = "SMTP";
  e.message = "CB60000001";
  e.text = "250 2.0.0 Ok: queued as CB60000001";
  e.code = 250;
  return e;
}

// The error read_trace_json gives for `text` (and that it gives one).
std::string error_for(const std::string& text) {
  const fs::path file = temp_dir() / "bad.json";
  write_text(file, text);
  std::string error;
  const auto trace = cli::read_trace_json(file, &error);
  CHECK_FALSE(trace);
  CHECK(error.rfind(file.string() + ": ", 0) == 0);
  return error;
}

}  // namespace

TEST_CASE("run --trace writes version 2 with the scenario as it ran", "[cli][trace]") {
  const fs::path file = record("03-backup-mx.json", "v2.json", {"--seed", "7", "--until", "2h"});
  std::string error;
  const auto trace = cli::read_trace_json(file, &error);
  INFO(error);
  REQUIRE(trace);
  CHECK(trace->version == 2);
  CHECK(trace->version == cli::kTraceFormatVersion);
  CHECK(trace->scenario_path == scenario_path("03-backup-mx.json"));
  CHECK(trace->seed == 7);
  REQUIRE(trace->scenario);
  // The file's scenario with this run's seed and until, nothing else changed.
  scenario::LoadResult loaded = scenario::load_scenario_file(scenario_path("03-backup-mx.json"));
  REQUIRE(loaded.ok());
  loaded.scenario->seed = 7;
  loaded.scenario->until = core::SimTime::from_seconds(2 * 3600);
  CHECK(*trace->scenario == *loaded.scenario);
  // The header comes first in the file, so a person (or a quick look) sees what it is.
  const std::string text = read_text(file);
  CHECK(text.find("\"format\": \"mailhop-trace\"") < text.find("\"events\""));
  CHECK(cli::looks_like_trace(text));
  // Re-running the embedded scenario gives the recorded events, field for field.
  const std::vector<core::TraceEvent> rerun = run_events(*trace->scenario);
  CHECK(rerun.size() == trace->events.size());
  CHECK_FALSE(cli::first_difference(trace->events, rerun));
  const auto embedded = cli::load_trace_scenario(*trace, file, &error);
  REQUIRE(embedded);
  CHECK(*embedded == *trace->scenario);
}

TEST_CASE("every field of an event survives the file", "[cli][trace]") {
  scenario::LoadResult loaded = scenario::load_scenario_file(scenario_path("01-journey.json"));
  REQUIRE(loaded.ok());
  cli::TraceJsonWriter writer;
  core::TraceEvent full = full_event();
  core::TraceEvent bare;  // every field at its default
  bare.kind = core::TraceKind::kNote;
  core::TraceEvent odd = full_event();
  odd.text = std::string("bytes \xff\xfe from a peer");  // not UTF-8: stored replaced
  odd.connection = 18446744073709551615ull;
  writer.on_trace(full);
  writer.on_trace(bare);
  writer.on_trace(odd);
  const fs::path file = temp_dir() / "fields.json";
  {
    std::ofstream out(file, std::ios::binary);
    writer.write(out, "01-journey.json", *loaded.scenario);
  }
  std::string error;
  const auto trace = cli::read_trace_json(file, &error);
  INFO(error);
  REQUIRE(trace);
  REQUIRE(trace->events.size() == 3);
  CHECK_FALSE(cli::first_difference(trace->events, writer.events()));
  CHECK(trace->events[0].arrival == full.arrival);
  CHECK(trace->events[0].code == 250);
  CHECK(trace->events[1].arrival == trace->events[1].time);
  CHECK(trace->events[2].connection == odd.connection);
  CHECK(trace->events[2].text != odd.text);  // the stored text is valid UTF-8
}

TEST_CASE("first_difference names the first event and field that differ", "[cli][trace]") {
  const std::vector<core::TraceEvent> a = {full_event(), full_event(), full_event()};
  CHECK_FALSE(cli::first_difference(a, a));
  struct Case {
    const char* field;
    void (*change)(core::TraceEvent&);
  };
  const Case cases[] = {
      {"time", [](core::TraceEvent& e) { e.time = core::SimTime::from_micros(1); }},
      {"arrival", [](core::TraceEvent& e) { e.arrival = core::SimTime::from_micros(2); }},
      {"kind", [](core::TraceEvent& e) { e.kind = core::TraceKind::kClientLine; }},
      {"node", [](core::TraceEvent& e) { e.node = "other"; }},
      {"peer", [](core::TraceEvent& e) { e.peer = "other"; }},
      {"connection", [](core::TraceEvent& e) { e.connection = 8; }},
      {"protocol", [](core::TraceEvent& e) { e.protocol = "IMAP"; }},
      {"message", [](core::TraceEvent& e) { e.message = "X"; }},
      {"text", [](core::TraceEvent& e) { e.text = "250 OK"; }},
      {"code", [](core::TraceEvent& e) { e.code = 251; }},
  };
  for (const Case& c : cases) {
    INFO(c.field);
    std::vector<core::TraceEvent> b = a;
    c.change(b[1]);
    const auto d = cli::first_difference(a, b);
    REQUIRE(d);
    CHECK(d->index == 1);
    CHECK(d->field == c.field);
    REQUIRE(d->recorded);
    REQUIRE(d->rerun);
    CHECK(d->recorded->text == a[1].text);
    CHECK(d->rerun->text == b[1].text);
  }
  const std::vector<core::TraceEvent> shorter(a.begin(), a.begin() + 2);
  auto d = cli::first_difference(shorter, a);
  REQUIRE(d);
  CHECK(d->index == 2);
  CHECK(d->field == "end");
  CHECK_FALSE(d->recorded);
  CHECK(d->rerun);
  d = cli::first_difference(a, shorter);
  REQUIRE(d);
  CHECK(d->index == 2);
  CHECK(d->recorded);
  CHECK_FALSE(d->rerun);
}

TEST_CASE("a version 1 trace finds its scenario next to it, then as written", "[cli][trace]") {
  const fs::path dir = temp_dir() / "v1";
  fs::create_directories(dir / "lessons");
  fs::copy_file(scenario_path("01-journey.json"), dir / "lessons" / "journey.json",
                fs::copy_options::overwrite_existing);
  const fs::path file = dir / "old.json";
  // As version 1 wrote it: the keys sorted, "scenario" the path the run was given.
  write_text(file, R"({"events": [{"kind": "note", "t": 0, "text": "hello"}],
                      "format": "mailhop-trace", "scenario": "lessons/journey.json",
                      "seed": 42, "time_unit": "microseconds", "version": 1})");
  std::string error;
  const auto trace = cli::read_trace_json(file, &error);
  INFO(error);
  REQUIRE(trace);
  CHECK(trace->version == 1);
  CHECK(trace->seed == 42);
  CHECK_FALSE(trace->scenario);
  CHECK(trace->scenario_path == "lessons/journey.json");
  REQUIRE(trace->events.size() == 1);
  CHECK(trace->events[0].text == "hello");
  CHECK(cli::looks_like_trace(read_text(file)));

  // Relative to the trace's folder first.
  auto sc = cli::load_trace_scenario(*trace, file, &error);
  INFO(error);
  REQUIRE(sc);
  CHECK(sc->seed == 42);
  CHECK(sc->title.en == "The journey of one message");

  // Then as written (an absolute path, or relative to the working folder).
  cli::LoadedTrace absolute = *trace;
  absolute.scenario_path = scenario_path("06-unknown-user.json");
  sc = cli::load_trace_scenario(absolute, file, &error);
  REQUIRE(sc);
  CHECK(sc->seed == 42);

  // Nowhere: an error saying where it looked.
  cli::LoadedTrace missing = *trace;
  missing.scenario_path = "gone/nothing.json";
  CHECK_FALSE(cli::load_trace_scenario(missing, file, &error));
  CHECK(error.find("/scenario") != std::string::npos);
  CHECK(error.find((dir / "gone" / "nothing.json").string()) != std::string::npos);
  CHECK(error.find("gone/nothing.json") != std::string::npos);

  // Found but broken: the scenario loader's message.
  write_text(dir / "broken.json", "{\"nodes\": 3}");
  cli::LoadedTrace broken = *trace;
  broken.scenario_path = "broken.json";
  CHECK_FALSE(cli::load_trace_scenario(broken, file, &error));
  CHECK(error.find("/nodes") != std::string::npos);
}

TEST_CASE("a malformed trace is an error naming the JSON path and the reason", "[cli][trace]") {
  const std::string head =
      R"({"format": "mailhop-trace", "version": 1, "scenario": "a.json", "seed": 1, )";
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", "not valid JSON"},
      {"{\"format\": \"mailhop-trace\", \"version\": 2, \"events\": [", "not valid JSON"},
      {"[1, 2]", "not a mailhop trace"},
      {R"({"format": "something else"})", "/format: not a mailhop trace"},
      {R"({"format": "mailhop-trace", "seed": 1, "events": []})", "missing \"version\""},
      {R"({"format": "mailhop-trace", "version": 3, "seed": 1, "events": []})",
       "/version: version 3 is not known"},
      {R"({"format": "mailhop-trace", "version": "2", "seed": 1, "events": []})",
       "/version: expected a version number"},
      {R"({"format": "mailhop-trace", "version": 1, "scenario": "a.json", "seed": -1, "events": []})",
       "/seed: expected a whole number"},
      {R"({"format": "mailhop-trace", "version": 1, "scenario": 5, "seed": 1, "events": []})",
       "/scenario: expected the path of the scenario file"},
      {R"({"format": "mailhop-trace", "version": 1, "scenario": "a.json", "seed": 1, "time_unit": "ms", "events": []})",
       "/time_unit: expected \"microseconds\""},
      {head + R"("events": {}})", "/events: expected an array"},
      {head + R"("events": [7]})", "/events/0: expected an object"},
      {head + R"("events": [{"t": 0, "kind": "note"}, {"kind": "note"}]})",
       "/events/1: missing \"t\""},
      {head + R"("events": [{"t": -5, "kind": "note"}]})", "/events/0/t: expected a whole number"},
      {head + R"("events": [{"t": 1.5, "kind": "note"}]})", "/events/0/t: expected a whole number"},
      {head + R"("events": [{"t": 0}]})", "/events/0: missing \"kind\""},
      {head + R"("events": [{"t": 0, "kind": "teleported"}]})",
       "/events/0/kind: unknown event kind \"teleported\""},
      {head + R"("events": [{"t": 0, "kind": 3}]})", "/events/0/kind: expected a string"},
      {head + R"("events": [{"t": 0, "kind": "note", "node": 12}]})",
       "/events/0/node: expected a string"},
      {head + R"("events": [{"t": 0, "kind": "note", "text": null}]})",
       "/events/0/text: expected a string"},
      {head + R"("events": [{"t": 0, "kind": "note", "arrival": "soon"}]})",
       "/events/0/arrival: expected a whole number"},
      {head + R"("events": [{"t": 0, "kind": "note", "connection": -3}]})",
       "/events/0/connection: expected a whole number"},
      {head + R"("events": [{"t": 0, "kind": "note", "code": 1000}]})",
       "/events/0/code: expected a reply code"},
      {R"({"format": "mailhop-trace", "version": 2, "seed": 1, "events": []})",
       "missing \"scenario\""},
      {R"({"format": "mailhop-trace", "version": 2, "seed": 1, "scenario": "a.json", "events": []})",
       "/scenario: expected an object"},
      {R"({"format": "mailhop-trace", "version": 2, "seed": 1, "scenario": {"nodes": 3}, "events": []})",
       "/scenario/nodes"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const std::string error = error_for(c.text);
    INFO(error);
    CHECK(error.find(c.expected) != std::string::npos);
  }
  // A parse error says where the JSON breaks.
  CHECK(error_for("{\n \"format\": \"mailhop-trace\",\n \"version\": 1,,\n}").find("line 3") !=
        std::string::npos);
  // Deep nesting is an error like any other, not a crash.
  const std::string deep =
      head + "\"events\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK(error_for(deep).find("nested more than 256 levels deep (line 1)") != std::string::npos);
  const std::string deep_scenario =
      R"({"format": "mailhop-trace", "version": 2, "seed": 1, "scenario": {"nodes": )" +
      std::string(100000, '[') + std::string(100000, ']') + "}, \"events\": []}";
  CHECK(error_for(deep_scenario).find("nested more than 256 levels deep") != std::string::npos);
  // A scenario with several problems: each one with its path in the trace.
  const std::string two = error_for(
      R"({"format": "mailhop-trace", "version": 2, "seed": 1, "scenario": {"nodes": 3}, "events": []})");
  CHECK(two.find("\n/scenario/nodes") != std::string::npos);

  std::string error;
  CHECK_FALSE(cli::read_trace_json(temp_dir() / "no-such-trace.json", &error));
  CHECK(error.find("cannot open the file") != std::string::npos);
  CHECK_FALSE(cli::read_trace_json(temp_dir(), &error));
  CHECK(error.find("it is a directory") != std::string::npos);
}

TEST_CASE("a trace cut short anywhere is an error, never a crash", "[cli][trace]") {
  const fs::path file = record("06-unknown-user.json", "whole.json");
  const std::string text = read_text(file);
  REQUIRE(text.size() > 1000);
  std::string error;
  REQUIRE(cli::read_trace_json_text(text, "whole.json", &error));
  std::size_t failures = 0;
  std::size_t cuts = 0;
  // Every 97th byte, and every byte of the last few hundred (the end of the events).
  for (std::size_t n = 0; n < text.size(); n += n + 400 < text.size() ? 97u : 1u) {
    ++cuts;
    if (!cli::read_trace_json_text(std::string_view(text).substr(0, n), "cut.json", &error)) {
      ++failures;
      CHECK(error.rfind("cut.json: ", 0) == 0);
    }
  }
  // Of all the cuts only one parses: the whole text less its final newline.
  CHECK(failures == cuts - 1);
}

TEST_CASE("a trace is told from a scenario without parsing it", "[cli][trace]") {
  for (const auto& entry : fs::directory_iterator(MAILHOP_SCENARIOS_DIR)) {
    if (entry.path().extension() != ".json") continue;
    INFO(entry.path().string());
    CHECK_FALSE(cli::looks_like_trace(read_text(entry.path())));
  }
  CHECK(cli::looks_like_trace(R"({"format"  :
                                   "mailhop-trace"})"));
  CHECK_FALSE(cli::looks_like_trace(R"({"subject": "mailhop-trace"})"));
  CHECK_FALSE(cli::looks_like_trace(R"("mailhop-trace")"));
}
