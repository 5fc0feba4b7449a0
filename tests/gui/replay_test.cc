// Replaying a recorded trace (`mailhop run --trace`) in the app: the re-run compared with the
// recording, the recorded events shown when they differ, live changes and saving, version 1
// traces, broken files; the banner's text and the app on a bare ImGui context.

#include <imgui.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "gui/app.h"
#include "gui/panels/files_panel.h"
#include "gui/panels/header_panel.h"
#include "gui/session.h"
#include "sim/cli/cli.h"
#include "sim/cli/trace_json.h"
#include "sim/scenario/scenario_json.h"
#include "tests/support/temp_dir.h"

namespace {

using mailhop::core::SimTime;
using mailhop::core::TraceEvent;
using mailhop::gui::ReplayNote;
using mailhop::gui::Session;
using mailhop::text::Language;
namespace cli = mailhop::cli;
namespace fs = std::filesystem;
using nlohmann::ordered_json;

const fs::path kAssets = MAILHOP_ASSETS_DIR;
const fs::path kScenarios = fs::path(MAILHOP_ASSETS_DIR).parent_path() / "scenarios";

fs::path temp_dir() { return mailhop::test::temp_dir("mailhop_replay_test"); }

// `mailhop run SCENARIO --quiet --trace OUT`; returns OUT.
fs::path record(const std::string& scenario, const std::string& name) {
  const fs::path out = temp_dir() / name;
  std::ostringstream o, e;
  const int status = cli::run_command(
      {(kScenarios / scenario).string(), "--quiet", "--trace", out.string()}, o, e);
  INFO(e.str());
  REQUIRE(status == 0);
  return out;
}

ordered_json read_json(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return ordered_json::parse(in);
}

void write_json(const fs::path& file, const ordered_json& doc) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << doc.dump(1);
}

std::unique_ptr<Session> open(const fs::path& file) {
  std::string error;
  std::unique_ptr<Session> s = Session::open(file, &error);
  INFO(error);
  REQUIRE(s);
  return s;
}

std::vector<TraceEvent> recorded_events(const fs::path& file) {
  std::string error;
  auto trace = cli::read_trace_json(file, &error);
  INFO(error);
  REQUIRE(trace);
  return trace->events;
}

std::vector<TraceEvent> shown(const Session& s) {
  return {s.events().begin(), s.events().end()};
}

mailhop::text::Catalog catalog(Language language) {
  mailhop::text::LoadError error;
  auto c = mailhop::text::Catalog::load(kAssets / "i18n", &error);
  REQUIRE(c);
  c->set_language(language);
  return std::move(*c);
}

}  // namespace

TEST_CASE("a recorded trace opens as a session whose re-run matches it", "[gui][replay]") {
  const fs::path file = record("03-backup-mx.json", "backup.json");
  const std::vector<TraceEvent> recorded = recorded_events(file);
  auto s = open(file);
  const mailhop::gui::Replay* replay = s->replay();
  REQUIRE(replay);
  CHECK(replay->trace_file == file);
  CHECK(replay->version == 2);
  CHECK(replay->seed == 1);
  CHECK(replay->recorded_events == recorded.size());
  CHECK(replay->rerun_events == recorded.size());
  CHECK_FALSE(replay->difference);
  CHECK_FALSE(replay->changed);
  CHECK_FALSE(s->showing_recording());
  // Saving needs a name (it writes a scenario, never over the trace); a reload reads the trace.
  CHECK(s->path().empty());
  CHECK(s->source() == file);
  CHECK(s->scenario().title.en == "Primary MX down: the backup MX steps in");

  // At time zero, like any session; then the whole run is the recording, field for field.
  CHECK(s->events().empty());
  CHECK(s->now() == SimTime{});
  s->seek_time(s->end());
  CHECK(s->finished());
  CHECK_FALSE(cli::first_difference(recorded, s->events()));
  // Stepping back and forth works as in any session.
  REQUIRE(s->step_back());
  CHECK(s->events().size() == recorded.size() - 1);
  REQUIRE(s->step_event());
  CHECK_FALSE(cli::first_difference(recorded, s->events()));

  const std::optional<ReplayNote> en = mailhop::gui::replay_note(*s, catalog(Language::kEnglish));
  REQUIRE(en);
  CHECK(en->tone == ReplayNote::Tone::kInfo);
  CHECK(en->text ==
        "Replay of trace backup.json — recorded run of “Primary MX down: the "
        "backup MX steps in”, seed 1, " +
            std::to_string(recorded.size()) + " events; the re-run matches the recording.");
  const std::optional<ReplayNote> es = mailhop::gui::replay_note(*s, catalog(Language::kSpanish));
  REQUIRE(es);
  CHECK(es->text.find("Reproducción de la traza backup.json") == 0);
  CHECK(es->text.find("semilla 1, " + std::to_string(recorded.size()) + " sucesos") !=
        std::string::npos);
  CHECK(es->text.find("coincide con la grabación") != std::string::npos);

  // An ordinary scenario has no replay and no banner.
  auto plain = open(kScenarios / "03-backup-mx.json");
  CHECK_FALSE(plain->replay());
  CHECK(plain->source() == plain->path());
  CHECK_FALSE(mailhop::gui::replay_note(*plain, catalog(Language::kEnglish)));
}

TEST_CASE("an edited trace shows the recording and names the first difference", "[gui][replay]") {
  const fs::path original = record("01-journey.json", "journey.json");
  ordered_json doc = read_json(original);
  const std::size_t total = doc["events"].size();
  REQUIRE(total > 40);
  // The first reply line after the 30th event gets another text.
  std::size_t edited = 30;
  while (doc["events"][edited]["kind"] != "server_line") ++edited;
  const std::string was = doc["events"][edited]["text"].get<std::string>();
  doc["events"][edited]["text"] = "250 2.1.0 edited by hand";
  const fs::path file = temp_dir() / "edited.json";
  write_json(file, doc);
  const std::vector<TraceEvent> recorded = recorded_events(file);

  auto s = open(file);
  const mailhop::gui::Replay* replay = s->replay();
  REQUIRE(replay);
  REQUIRE(replay->difference);
  CHECK(replay->difference->index == edited);
  CHECK(replay->difference->field == "text");
  REQUIRE(replay->difference->recorded);
  REQUIRE(replay->difference->rerun);
  CHECK(replay->difference->recorded->text == "250 2.1.0 edited by hand");
  CHECK(replay->difference->rerun->text == was);
  CHECK(s->showing_recording());

  // events() are the recording's: stepping, seeking and stepping back go through them.
  for (std::size_t i = 0; i <= edited; ++i) REQUIRE(s->step_event());
  REQUIRE(s->events().size() == edited + 1);
  CHECK(s->events().back().text == "250 2.1.0 edited by hand");
  CHECK(s->now() == recorded[edited].time);
  const std::uint64_t generation = s->generation();
  REQUIRE(s->step_back());
  CHECK(s->generation() > generation);
  CHECK(s->events().size() == edited);
  s->seek_time(s->end());
  CHECK(s->finished());
  CHECK_FALSE(s->step_event());
  CHECK_FALSE(cli::first_difference(recorded, s->events()));
  s->seek_events(edited + 1);
  CHECK(s->events().back().text == "250 2.1.0 edited by hand");
  s->seek_time(recorded[edited].time);
  CHECK(s->events().size() >= edited + 1);
  CHECK(s->events()[edited].text == "250 2.1.0 edited by hand");

  const std::optional<ReplayNote> note = mailhop::gui::replay_note(*s, catalog(Language::kEnglish));
  REQUIRE(note);
  CHECK(note->tone == ReplayNote::Tone::kWarning);
  INFO(note->text);
  CHECK(note->text.find("DIFFERS from the recording at event " + std::to_string(edited + 1) + " (" +
                        mailhop::core::format_sim_time(recorded[edited].time) + ", text)") !=
        std::string::npos);
  const std::string hosts = recorded[edited].node + " → " + recorded[edited].peer;
  CHECK(note->text.find("in the recording: reply, " + hosts + ": “250 2.1.0 edited by hand”") !=
        std::string::npos);
  CHECK(note->text.find("in the re-run: reply, " + hosts + ": “" + was + "”") != std::string::npos);
  // The one-sentence version a small window shows (the whole note is then a tooltip).
  CHECK(note->summary ==
        "Replay of trace edited.json: the re-run DIFFERS from the recording at "
        "event " +
            std::to_string(edited + 1) + " (" +
            mailhop::core::format_sim_time(recorded[edited].time) +
            "); shown: the recorded events.");
  const std::optional<ReplayNote> es = mailhop::gui::replay_note(*s, catalog(Language::kSpanish));
  REQUIRE(es);
  CHECK(es->text.find("DIFIERE de la grabación en el suceso " + std::to_string(edited + 1)) !=
        std::string::npos);
  CHECK(es->summary.find("DIFIERE de la grabación en el suceso " + std::to_string(edited + 1)) !=
        std::string::npos);
}

TEST_CASE("a trace with an event less or more says where one ends", "[gui][replay]") {
  const fs::path original = record("06-unknown-user.json", "unknown.json");
  ordered_json doc = read_json(original);
  const std::size_t total = doc["events"].size();
  doc["events"].erase(doc["events"].size() - 1);
  const fs::path shorter = temp_dir() / "shorter.json";
  write_json(shorter, doc);
  auto s = open(shorter);
  REQUIRE(s->replay());
  REQUIRE(s->replay()->difference);
  CHECK(s->replay()->difference->index == total - 1);
  CHECK(s->replay()->difference->field == "end");
  CHECK_FALSE(s->replay()->difference->recorded);
  s->seek_time(s->end());
  CHECK(s->events().size() == total - 1);
  auto note = mailhop::gui::replay_note(*s, catalog(Language::kEnglish));
  REQUIRE(note);
  CHECK(note->text.find("number of events): in the recording: nothing (the recording ends)") !=
        std::string::npos);

  // An event added after the end of the run: still shown, the timeline reaches it.
  doc = read_json(original);
  doc["events"].push_back({{"t", 7'200'000'000}, {"kind", "note"}, {"text", "added"}});
  const fs::path longer = temp_dir() / "longer.json";
  write_json(longer, doc);
  s = open(longer);
  REQUIRE(s->replay());
  REQUIRE(s->replay()->difference);
  CHECK(s->replay()->difference->index == total);
  CHECK(s->end() == SimTime::from_micros(7'200'000'000));
  s->seek_time(s->end());
  CHECK(s->events().size() == total + 1);
  CHECK(s->events().back().text == "added");
}

TEST_CASE("a live change makes a replay an ordinary run; saving writes a scenario",
          "[gui][replay]") {
  const fs::path original = record("01-journey.json", "live.json");
  ordered_json doc = read_json(original);
  doc["events"][5]["node"] = "somewhere.else";
  const fs::path file = temp_dir() / "live-edited.json";
  write_json(file, doc);
  auto s = open(file);
  REQUIRE(s->showing_recording());
  s->seek_time(SimTime::from_seconds(2));
  const std::size_t shown_before = s->events().size();
  CHECK(shown_before > 5);
  CHECK(s->events()[5].node == "somewhere.else");

  std::string error;
  mailhop::scenario::FaultAction fault;
  fault.kind = mailhop::scenario::FaultKind::kHostDown;
  fault.target = "mx.yahoo.example";
  REQUIRE(s->apply(fault, &error));
  REQUIRE(s->replay());
  CHECK(s->replay()->changed);
  CHECK_FALSE(s->showing_recording());
  CHECK(s->dirty());
  CHECK(s->events()[5].node != "somewhere.else");  // the run's own events now
  auto note = mailhop::gui::replay_note(*s, catalog(Language::kEnglish));
  REQUIRE(note);
  CHECK(note->text.find("with live changes") != std::string::npos);

  // Save as: the trace is left alone, a scenario is written, the session becomes its own.
  CHECK(mailhop::gui::save_as_suggestion(*s) == temp_dir() / "live-edited-scenario.json");
  std::string no_name;
  CHECK_FALSE(s->save({}, &no_name));
  const fs::path saved = temp_dir() / "saved-scenario.json";
  REQUIRE(s->save(saved, &error));
  CHECK_FALSE(s->replay());
  CHECK(s->path() == saved);
  CHECK(s->source() == saved);
  CHECK_FALSE(s->dirty());
  mailhop::scenario::LoadResult loaded = mailhop::scenario::load_scenario_file(saved);
  INFO(loaded.error_text());
  REQUIRE(loaded.ok());
  CHECK(*loaded.scenario == s->scenario());
  CHECK(cli::read_trace_json(file, &error).has_value());  // still the trace
}

TEST_CASE("saving a replay that differs shows the re-run from then on", "[gui][replay]") {
  const fs::path original = record("01-journey.json", "save-diff.json");
  ordered_json doc = read_json(original);
  doc["events"][3]["t"] = doc["events"][3]["t"].get<std::int64_t>() + 1;
  const fs::path file = temp_dir() / "save-diff-edited.json";
  write_json(file, doc);
  auto s = open(file);
  REQUIRE(s->replay());
  REQUIRE(s->replay()->difference);
  CHECK(s->replay()->difference->field == "time");
  s->seek_time(SimTime::from_seconds(1));
  const SimTime at = s->now();
  std::string error;
  REQUIRE(s->save(temp_dir() / "from-diff.json", &error));
  CHECK_FALSE(s->replay());
  CHECK_FALSE(s->showing_recording());
  CHECK(s->now() == at);
  auto plain = open(temp_dir() / "from-diff.json");
  plain->seek_time(at);
  CHECK_FALSE(cli::first_difference(shown(*plain), s->events()));
}

TEST_CASE("a version 1 trace replays with its scenario found next to it", "[gui][replay]") {
  const fs::path original = record("06-unknown-user.json", "for-v1.json");
  ordered_json v2 = read_json(original);
  const fs::path dir = temp_dir() / "class";
  fs::create_directories(dir / "lessons");
  fs::copy_file(kScenarios / "06-unknown-user.json", dir / "lessons" / "unknown.json",
                fs::copy_options::overwrite_existing);
  ordered_json v1 = {{"events", v2["events"]},
                     {"format", "mailhop-trace"},
                     {"scenario", "lessons/unknown.json"},
                     {"seed", 1},
                     {"time_unit", "microseconds"},
                     {"version", 1}};
  const fs::path file = dir / "old.json";
  write_json(file, v1);
  auto s = open(file);
  REQUIRE(s->replay());
  CHECK(s->replay()->version == 1);
  CHECK(s->replay()->scenario_file == "lessons/unknown.json");
  CHECK_FALSE(s->replay()->difference);
  s->seek_time(s->end());
  CHECK(s->events().size() == v2["events"].size());

  // The scenario gone: an error naming the JSON path and where it looked.
  fs::remove(dir / "lessons" / "unknown.json");
  std::string error;
  CHECK_FALSE(Session::open(file, &error));
  CHECK(error.find("/scenario") != std::string::npos);
  CHECK(error.find((dir / "lessons" / "unknown.json").string()) != std::string::npos);
}

TEST_CASE("a broken trace is an error naming the JSON path", "[gui][replay]") {
  const fs::path original = record("06-unknown-user.json", "broken-src.json");
  ordered_json doc = read_json(original);
  doc["events"][2]["t"] = "later";
  const fs::path file = temp_dir() / "broken.json";
  write_json(file, doc);
  std::string error;
  CHECK_FALSE(Session::open(file, &error));
  CHECK(error == "broken.json: /events/2/t: expected a whole number of microseconds, 0 or more");

  // Cut in the middle: not valid JSON, said so.
  std::ifstream in(original, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text.substr(0, text.size() / 2);
  CHECK_FALSE(Session::open(file, &error));
  CHECK(error.find("broken.json: not valid JSON") == 0);

  // A bad embedded scenario: its path inside the trace.
  doc = read_json(original);
  doc["scenario"]["links"][0]["latency"] = "fast";
  write_json(file, doc);
  CHECK_FALSE(Session::open(file, &error));
  CHECK(error.find("broken.json: /scenario/links/0/latency: ") == 0);
}

TEST_CASE("the app opens a trace, shows the banner, reloads it and saves a scenario",
          "[gui][replay][app]") {
  const fs::path file = record("01-journey.json", "app.json");
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.DisplaySize = ImVec2(1280, 800);
  io.DeltaTime = 1.0f / 60.0f;
  {
    mailhop::text::LoadError load_error;
    auto explanations = mailhop::text::Explanations::load(kAssets / "explain", &load_error);
    REQUIRE(explanations);
    mailhop::gui::AppPaths paths;
    paths.scenarios_dir = kScenarios;
    mailhop::gui::App app(catalog(Language::kSpanish), std::move(*explanations),
                          mailhop::gui::Settings{Language::kSpanish, 1.0f, false}, paths);
    unsigned char* pixels = nullptr;
    int w = 0;
    int h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    auto frame = [&] {
      ImGui::NewFrame();
      app.frame(0.0f);
      ImGui::Render();
    };
    app.apply(mailhop::gui::command::OpenScenario{file});
    REQUIRE(app.session());
    CHECK(app.error_message().empty());
    REQUIRE(app.session()->replay());
    CHECK(app.recent_files().files().front() == fs::absolute(file).lexically_normal());
    app.apply(mailhop::gui::command::SeekTime{SimTime::from_seconds(2)});
    frame();
    frame();

    // Reload reads the trace again and comes back to the same time.
    const std::size_t shown_before = app.session()->events().size();
    app.apply(mailhop::gui::command::Reload{});
    REQUIRE(app.session()->replay());
    CHECK(app.session()->now() == SimTime::from_seconds(2));
    CHECK(app.session()->events().size() == shown_before);

    // Save with no name is refused (the trace is not overwritten); Save as writes a scenario.
    app.apply(mailhop::gui::command::SaveScenario{});
    CHECK_FALSE(app.error_message().empty());
    CHECK(cli::read_trace_json(file, nullptr).has_value());
    const fs::path saved = temp_dir() / "app-saved.json";
    app.apply(mailhop::gui::command::SaveScenario{saved});
    CHECK(app.error_message().empty());
    CHECK_FALSE(app.session()->replay());
    CHECK(mailhop::scenario::load_scenario_file(saved).ok());
    frame();

    // A broken trace keeps what was open and says why, with the JSON path.
    const fs::path broken = temp_dir() / "app-broken.json";
    std::ofstream(broken)
        << R"({"format": "mailhop-trace", "version": 2, "seed": 1, "events": []})";
    app.apply(mailhop::gui::command::OpenScenario{broken});
    CHECK(app.error_message().find("missing \"scenario\"") != std::string::npos);
    CHECK(app.session()->path() == saved);
    frame();
  }
  ImGui::DestroyContext();
}
