// The playback model, the timeline's markers, the files the app offers and the compose form:
// plain functions, no ImGui.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gui/panels/compose_panel.h"
#include "gui/panels/controls_panel.h"
#include "gui/panels/files_panel.h"
#include "gui/playback.h"
#include "gui/scenario_files.h"

namespace {

using mailhop::core::SimTime;
using mailhop::core::TraceEvent;
using mailhop::core::TraceKind;
namespace fs = std::filesystem;
namespace gui = mailhop::gui;

const fs::path kScenarios = fs::path(MAILHOP_ASSETS_DIR).parent_path() / "scenarios";

TraceEvent event(TraceKind kind, std::int64_t ms, std::int64_t arrival_ms = 0) {
  TraceEvent e;
  e.kind = kind;
  e.time = SimTime::from_millis(ms);
  e.arrival = SimTime::from_millis(arrival_ms);
  return e;
}

}  // namespace

TEST_CASE("speed steps go from 0.1x to 1000x", "[gui][playback]") {
  CHECK(gui::faster(1.0f) == 2.0f);
  CHECK(gui::slower(1.0f) == 0.5f);
  CHECK(gui::faster(1000.0f) == 1000.0f);
  CHECK(gui::slower(0.1f) == Approx(0.1f));
  CHECK(gui::faster(3.0f) == 5.0f);
  CHECK(gui::slower(3.0f) == 2.0f);
  CHECK(gui::speed_steps().front() == Approx(gui::kMinSpeed));
  CHECK(gui::speed_steps().back() == gui::kMaxSpeed);
}

TEST_CASE("markers come from the script's faults and the events shown", "[gui][playback]") {
  mailhop::scenario::Scenario sc;
  mailhop::scenario::FaultAction fault;
  fault.target = "mx.example";
  sc.script.push_back({SimTime::from_seconds(60), fault, {}});
  mailhop::scenario::SendAction send;
  sc.script.push_back({SimTime::from_seconds(10), send, {}});
  const std::vector<TraceEvent> events = {
      event(TraceKind::kDelivered, 3000), event(TraceKind::kBounced, 2000),
      event(TraceKind::kDelivered, 3000),  // same time and kind: one marker
      event(TraceKind::kClientLine, 1000, 1010), event(TraceKind::kFaultStarted, 60000)};
  const auto markers = gui::timeline_markers(sc, events);
  REQUIRE(markers.size() == 3);
  CHECK(markers[0].kind == gui::MarkerKind::kBounce);
  CHECK(markers[0].time == SimTime::from_seconds(2));
  CHECK(markers[1].kind == gui::MarkerKind::kDelivery);
  CHECK(markers[2].kind == gui::MarkerKind::kFault);  // the step and the event agree
  CHECK(markers[2].time == SimTime::from_seconds(60));
}

TEST_CASE("envelopes in flight are lines sent and not yet arrived", "[gui][playback]") {
  const std::vector<TraceEvent> events = {
      event(TraceKind::kClientLine, 100, 150), event(TraceKind::kServerLine, 120, 200),
      event(TraceKind::kDataSent, 130, 400), event(TraceKind::kDelivered, 140)};
  CHECK(gui::envelopes_in_flight(events, SimTime::from_millis(90)) == 0);
  CHECK(gui::envelopes_in_flight(events, SimTime::from_millis(140)) == 3);
  CHECK(gui::envelopes_in_flight(events, SimTime::from_millis(160)) == 2);
  CHECK(gui::envelopes_in_flight(events, SimTime::from_millis(300)) == 1);
  CHECK(gui::envelopes_in_flight(events, SimTime::from_millis(400)) == 0);
}

TEST_CASE("the fewest and most envelopes in flight over many frames agree with each frame's count",
          "[gui][playback]") {
  const std::vector<TraceEvent> events = {
      event(TraceKind::kClientLine, 100, 150), event(TraceKind::kServerLine, 120, 200),
      event(TraceKind::kDataSent, 130, 400), event(TraceKind::kDelivered, 140)};
  const std::vector<SimTime> times = {SimTime::from_millis(140), SimTime::from_millis(160),
                                      SimTime::from_millis(300)};
  const gui::FlightRange r = gui::envelopes_in_flight_range(events, times);
  CHECK(r.least == 1);
  CHECK(r.most == 3);
  CHECK(gui::envelopes_in_flight_range(events, {}).most == 0);

  // Random lines (some arriving at the very time of a frame, some never in flight) against
  // envelopes_in_flight() at each frame's time with the events sent by then.
  std::uint32_t seed = 11;
  auto next = [&seed](std::uint32_t below) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % below;
  };
  std::vector<TraceEvent> many;
  std::int64_t t = 0;
  for (int i = 0; i < 3000; ++i) {
    t += next(3);
    const TraceKind kinds[] = {TraceKind::kClientLine, TraceKind::kServerLine, TraceKind::kDataSent,
                               TraceKind::kQueued};
    many.push_back(event(kinds[next(4)], t, t + next(40)));
  }
  std::vector<SimTime> frames;
  for (std::int64_t f = 50; f < t; f += 1 + static_cast<std::int64_t>(next(30)))
    frames.push_back(SimTime::from_millis(f));
  std::size_t least = SIZE_MAX;
  std::size_t most = 0;
  for (const SimTime& at : frames) {
    std::vector<TraceEvent> shown;
    for (const TraceEvent& e : many)
      if (e.time <= at) shown.push_back(e);
    const std::size_t n = gui::envelopes_in_flight(shown, at);
    least = std::min(least, n);
    most = std::max(most, n);
  }
  const gui::FlightRange range = gui::envelopes_in_flight_range(many, frames);
  CHECK(range.least == least);
  CHECK(range.most == most);
  CHECK(range.most > range.least);
}

TEST_CASE("the shipped scenarios are listed with titles in both languages", "[gui][files]") {
  const auto list = gui::list_scenarios(kScenarios);
  REQUIRE(list.size() >= 10);
  CHECK(list.front().path.filename() == gui::kDefaultScenario);
  for (const auto& entry : list) {
    INFO(entry.path.string());
    CHECK(entry.path.filename() != "schema.json");
    CHECK_FALSE(entry.title.es.empty());
    CHECK_FALSE(entry.title.en.empty());
    CHECK(gui::scenario_title(entry, mailhop::text::Language::kSpanish) == entry.title.es);
  }
  CHECK(gui::list_scenarios("/nonexistent/folder").empty());
  gui::ScenarioEntry untitled{"/x/lesson.json", {}};
  CHECK(gui::scenario_title(untitled, mailhop::text::Language::kEnglish) == "lesson.json");
}

TEST_CASE("recent files are kept newest first, without repeats, in a small file", "[gui][files]") {
  CHECK(gui::recent_files_path("/cfg", "/home/u") == fs::path("/cfg/mailhop/recent.txt"));
  CHECK(gui::recent_files_path("", "/home/u") == fs::path("/home/u/.config/mailhop/recent.txt"));
  CHECK(gui::recent_files_path(nullptr, nullptr).empty());

  const fs::path dir = fs::temp_directory_path() / "mailhop_recent_test";
  fs::remove_all(dir);
  const fs::path store = dir / "mailhop" / "recent.txt";
  {
    gui::RecentFiles recent(store);
    CHECK(recent.files().empty());
    for (int i = 0; i < 10; ++i) recent.add("/lessons/" + std::to_string(i) + ".json");
    recent.add("/lessons/5.json");
    REQUIRE(recent.files().size() == gui::RecentFiles::kMax);
    CHECK(recent.files()[0] == fs::path("/lessons/5.json"));
    CHECK(recent.files()[1] == fs::path("/lessons/9.json"));
  }
  gui::RecentFiles again(store);
  REQUIRE(again.files().size() == gui::RecentFiles::kMax);
  CHECK(again.files()[0] == fs::path("/lessons/5.json"));
  fs::remove_all(dir);
}

TEST_CASE("the compose form becomes a send action; accounts are summarised", "[gui][compose]") {
  const auto send = gui::make_send_action("laptop.example", "ana@a.example",
                                          " bob@b.example, carl@c.example;dan@d.example ", "Hi",
                                          "Hello");
  CHECK(send.from_node == "laptop.example");
  CHECK(send.from == "ana@a.example");
  CHECK(send.to == std::vector<std::string>{"bob@b.example", "carl@c.example", "dan@d.example"});
  CHECK(send.subject == "Hi");
  CHECK(send.body == "Hello");

  mailhop::text::LoadError error;
  auto catalog = mailhop::text::Catalog::load(fs::path(MAILHOP_ASSETS_DIR) / "i18n", &error);
  REQUIRE(catalog);
  mailhop::scenario::Account account;
  account.submission_host = "smtp.a.example";
  CHECK(gui::submission_summary(account, *catalog) == "smtp.a.example:587 · STARTTLS · AUTH");
  CHECK(gui::retrieval_summary(account, *catalog).empty());
  account.retrieval = mailhop::scenario::RetrievalProtocol::kImap;
  account.retrieval_host = "imap.a.example";
  account.retrieval_tls = mailhop::scenario::TlsMode::kImplicit;
  CHECK(gui::retrieval_summary(account, *catalog) == "IMAP · imap.a.example:993 · TLS");
  catalog->set_language(mailhop::text::Language::kSpanish);
  account.use_auth = false;
  account.submission_tls = mailhop::scenario::TlsMode::kNone;
  CHECK(gui::submission_summary(account, *catalog) == "smtp.a.example:587 · sin TLS · sin AUTH");
}

TEST_CASE("speeds print with the language's decimal separator", "[gui][playback]") {
  mailhop::text::LoadError error;
  auto catalog = mailhop::text::Catalog::load(fs::path(MAILHOP_ASSETS_DIR) / "i18n", &error);
  REQUIRE(catalog);
  CHECK(gui::speed_label(10.0f, *catalog) == "×10");
  CHECK(gui::speed_label(0.25f, *catalog) == "×0.25");
  CHECK(gui::speed_label(0.5f, *catalog) == "×0.5");
  CHECK(gui::speed_label(0.1f, *catalog) == "×0.1");
  catalog->set_language(mailhop::text::Language::kSpanish);
  CHECK(gui::speed_label(0.5f, *catalog) == "×0,5");
}

TEST_CASE("frame-time percentiles by nearest rank", "[gui][playback]") {
  std::vector<double> ms;
  for (int i = 100; i >= 1; --i) ms.push_back(i);
  CHECK(gui::percentile(ms, 0.5) == 50.0);
  CHECK(gui::percentile(ms, 0.95) == 95.0);
  CHECK(gui::percentile(ms, 0.99) == 99.0);
  CHECK(gui::percentile(ms, 1.0) == 100.0);
  CHECK(gui::percentile({}, 0.5) == 0.0);
}
