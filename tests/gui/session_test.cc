// The Session without any ImGui: open, step, step back, seek, live changes, save.

#include "gui/session.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "gui/playback.h"
#include "sim/scenario/scenario_json.h"

namespace {

using mailhop::core::SimTime;
using mailhop::core::TraceEvent;
using mailhop::gui::Session;
namespace fs = std::filesystem;

const fs::path kScenarios = fs::path(MAILHOP_ASSETS_DIR).parent_path() / "scenarios";

std::unique_ptr<Session> open(const std::string& name) {
  std::string error;
  std::unique_ptr<Session> s = Session::open(kScenarios / name, &error);
  INFO(error);
  REQUIRE(s);
  return s;
}

bool same(const TraceEvent& a, const TraceEvent& b) {
  return a.time == b.time && a.arrival == b.arrival && a.kind == b.kind && a.node == b.node &&
         a.peer == b.peer && a.connection == b.connection && a.text == b.text && a.code == b.code;
}

}  // namespace

TEST_CASE("a session opens at time zero with nothing shown", "[gui][session]") {
  auto s = open("01-journey.json");
  CHECK(s->now() == SimTime{});
  CHECK(s->events().empty());
  CHECK(s->end() == s->scenario().until);
  CHECK_FALSE(s->finished());
  CHECK_FALSE(s->dirty());
}

TEST_CASE("a broken or missing file is an error naming it", "[gui][session]") {
  std::string error;
  CHECK_FALSE(Session::open(kScenarios / "nope.json", &error));
  CHECK(error.find("nope.json") != std::string::npos);
  const fs::path invalid = fs::path(MAILHOP_ASSETS_DIR).parent_path() / "tests" / "data" / "scenarios" / "invalid";
  if (fs::exists(invalid)) {
    for (const auto& entry : fs::directory_iterator(invalid)) {
      INFO(entry.path().string());
      error.clear();
      CHECK_FALSE(Session::open(entry.path(), &error));
      CHECK_FALSE(error.empty());
    }
  }
}

TEST_CASE("stepping forward and back is exact at every point", "[gui][session]") {
  auto reference = open("03-backup-mx.json");
  reference->seek_time(reference->end());
  const std::vector<TraceEvent> all(reference->events().begin(), reference->events().end());
  REQUIRE(all.size() > 30);

  auto s = open("03-backup-mx.json");
  for (std::size_t n = 1; n <= 30; ++n) {
    REQUIRE(s->step_event());
    CHECK(same(s->events().back(), all[n - 1]));
  }
  for (std::size_t n = 30; n > 0; --n) {
    REQUIRE(s->step_back());
    REQUIRE(s->events().size() == n - 1);
    for (std::size_t i = 0; i + 1 < n; ++i) CHECK(same(s->events()[i], all[i]));
  }
  CHECK_FALSE(s->step_back());
}

TEST_CASE("seeking to a time shows every event up to it", "[gui][session]") {
  auto s = open("01-journey.json");
  s->seek_time(SimTime::from_seconds(2));
  CHECK(s->now() == SimTime::from_seconds(2));
  for (const TraceEvent& e : s->events()) CHECK(e.time <= SimTime::from_seconds(2));
  const std::size_t at_two = s->events().size();
  s->seek_time(SimTime::from_seconds(1));  // back: a re-run
  CHECK(s->events().size() <= at_two);
  s->seek_time(SimTime::from_hours(100));  // clamped to the end
  CHECK(s->now() == s->end());
  CHECK(s->finished());
  s->seek_events(5);
  CHECK(s->events().size() == 5);
}

TEST_CASE("step_until stops at the kind of event asked for", "[gui][session]") {
  auto s = open("05-expired-bounce.json");
  CHECK(s->step_until(mailhop::gui::is_hop_event));
  CHECK(mailhop::gui::is_hop_event(s->events().back()));
  auto never = [](const TraceEvent&) { return false; };
  CHECK_FALSE(s->step_until(never));
  CHECK(s->finished());
}

TEST_CASE("a live change is recorded at the current time and replays on a re-run",
          "[gui][session]") {
  auto s = open("01-journey.json");
  s->seek_time(SimTime::from_millis(500));
  mailhop::scenario::FaultAction fault;
  fault.kind = mailhop::scenario::FaultKind::kHostDown;
  fault.target = "mx.yahoo.example";
  std::string error;
  REQUIRE(s->apply(fault, &error));
  CHECK(s->dirty());
  CHECK(s->now() == SimTime::from_millis(500));
  s->seek_time(SimTime::from_seconds(30));
  const std::vector<TraceEvent> with_fault(s->events().begin(), s->events().end());
  s->seek_events(0);  // re-run from the start: the fault comes back at 500 ms
  s->seek_time(SimTime::from_seconds(30));
  REQUIRE(s->events().size() == with_fault.size());
  for (std::size_t i = 0; i < with_fault.size(); ++i) CHECK(same(s->events()[i], with_fault[i]));

  const fs::path file = fs::temp_directory_path() / "mailhop_session_test.json";
  REQUIRE(s->save(file, &error));
  CHECK_FALSE(s->dirty());
  auto loaded = Session::open(file, &error);
  REQUIRE(loaded);
  CHECK(loaded->scenario() == s->scenario());
  fs::remove(file);
}
