#include "gui/app_options.h"

#include <catch2/catch.hpp>

namespace {

using mailhop::gui::AppMode;
using mailhop::gui::AppOptions;
using mailhop::gui::OptionsError;
using mailhop::text::Language;

std::variant<AppOptions, OptionsError> parse(std::vector<std::string_view> args) {
  return mailhop::gui::parse_app_options(args);
}

AppOptions ok(std::vector<std::string_view> args) {
  auto parsed = parse(args);
  if (auto* e = std::get_if<OptionsError>(&parsed)) FAIL(e->key);
  return std::get<AppOptions>(parsed);
}

OptionsError bad(std::vector<std::string_view> args) {
  auto parsed = parse(args);
  REQUIRE(std::holds_alternative<OptionsError>(parsed));
  return std::get<OptionsError>(parsed);
}

}  // namespace

TEST_CASE("the command line selects the mode", "[gui][cli]") {
  CHECK(ok({}).mode == AppMode::kWindow);
  CHECK_FALSE(ok({}).language.has_value());
  CHECK(ok({"demo"}).mode == AppMode::kDemo);
  CHECK(ok({"demo", "--explain", "--lang", "es"}).explain);
  CHECK(ok({"demo", "--lang", "es"}).language == Language::kSpanish);
  CHECK(ok({"--help"}).mode == AppMode::kHelp);
  CHECK(ok({"--version"}).mode == AppMode::kVersion);

  const AppOptions shot = ok({"--screenshot", "/tmp/x.png", "--steps", "8", "--size", "1024x768",
                              "--lang", "EN", "--scale", "2"});
  CHECK(shot.mode == AppMode::kScreenshot);
  CHECK(shot.scenario_path.empty());
  CHECK(shot.screenshot_path == "/tmp/x.png");
  CHECK(shot.steps == 8);
  CHECK(shot.width == 1024);
  CHECK(shot.height == 768);
  CHECK(shot.language == Language::kEnglish);
  CHECK(shot.scale == 2.0f);

  // A comma works as the decimal separator too (Spanish keyboards).
  CHECK(ok({"--scale", "1,5"}).scale == 1.5f);
  CHECK(ok({"--scale", "2.25"}).scale == 2.25f);
  CHECK(ok({"--steps", "3"}).mode == AppMode::kWindow);
}

TEST_CASE("mailhop gui FILE with a time, a screenshot or frame statistics", "[gui][cli]") {
  const AppOptions plain = ok({"gui"});
  CHECK(plain.mode == AppMode::kWindow);
  CHECK(plain.scenario_path.empty());
  CHECK(ok({"scenarios/03-backup-mx.json"}).scenario_path == "scenarios/03-backup-mx.json");

  const AppOptions shot = ok({"gui", "scenarios/01-journey.json", "--screenshot", "/tmp/a.png",
                              "--at", "30s", "--size", "1600x900", "--lang", "es",
                              "--high-contrast"});
  CHECK(shot.mode == AppMode::kScreenshot);
  CHECK(shot.scenario_path == "scenarios/01-journey.json");
  CHECK(shot.at == mailhop::core::SimTime::from_seconds(30));
  CHECK(shot.width == 1600);
  CHECK(shot.high_contrast);

  CHECK(shot.select.empty());
  CHECK(ok({"a.json", "--select", "mx.yahoo.example"}).select == "mx.yahoo.example");
  CHECK(bad({"a.json", "--select", ""}).key == "cli.error.missing_value");
  CHECK(bad({"a.json", "--select"}).key == "cli.error.missing_value");
  CHECK(bad({"demo", "--select", "mx"}).key == "cli.error.not_in_demo");
  CHECK_FALSE(shot.real_clients);
  CHECK(ok({"a.json", "--real-clients"}).real_clients);
  CHECK(bad({"demo", "--real-clients"}).key == "cli.error.not_in_demo");
  CHECK(shot.cert_path.empty());
  CHECK(ok({"a.json", "--real-clients", "--cert", "class.pem"}).cert_path == "class.pem");
  CHECK(bad({"a.json", "--cert"}).key == "cli.error.missing_value");
  CHECK(bad({"a.json", "--cert", ""}).key == "cli.error.missing_value");
  CHECK(bad({"demo", "--cert", "a.pem"}).key == "cli.error.not_in_demo");

  const AppOptions stats = ok({"gui", "big.json", "--frame-stats", "300", "--at", "1h30m"});
  CHECK(stats.mode == AppMode::kFrameStats);
  CHECK(stats.frames == 300);
  CHECK(stats.at == mailhop::core::SimTime::from_minutes(90));
  CHECK_FALSE(stats.paused);
  const AppOptions still = ok({"big.json", "--frame-stats", "100", "--paused"});
  CHECK(still.mode == AppMode::kFrameStats);
  CHECK(still.paused);

  CHECK(bad({"gui", "a.json", "b.json"}).key == "cli.error.unexpected_argument");
  CHECK(bad({"--at", "soon"}).key == "cli.error.bad_time");
  CHECK(bad({"--at", "-5s"}).key == "cli.error.bad_time");
  CHECK(bad({"--frame-stats", "0"}).key == "cli.error.bad_frames");
  CHECK(bad({"--frame-stats", "10", "--screenshot", "x.png"}).key ==
        "cli.error.screenshot_or_stats");
  CHECK(bad({"demo", "--at", "5s"}).key == "cli.error.not_in_demo");
  CHECK(bad({"demo", "--high-contrast"}).key == "cli.error.not_in_demo");
  CHECK(bad({"a.json", "--paused"}).key == "cli.error.paused_needs_stats");
  CHECK(bad({"demo", "--paused"}).key == "cli.error.not_in_demo");
  CHECK(bad({"demo", "file.json"}).key == "cli.error.unexpected_argument");
}

TEST_CASE("times on the command line use the scenario syntax and add up", "[gui][cli]") {
  using mailhop::core::SimTime;
  using mailhop::gui::parse_time_option;
  CHECK(parse_time_option("30s") == SimTime::from_seconds(30));
  CHECK(parse_time_option("5m") == SimTime::from_minutes(5));
  CHECK(parse_time_option("250ms") == SimTime::from_millis(250));
  CHECK(parse_time_option("1h30m") == SimTime::from_minutes(90));
  CHECK(parse_time_option("2m30s") == SimTime::from_seconds(150));
  CHECK(parse_time_option("00:05:00") == SimTime::from_minutes(5));
  CHECK(parse_time_option("45") == SimTime::from_seconds(45));
  CHECK_FALSE(parse_time_option(""));
  CHECK_FALSE(parse_time_option("h"));
  CHECK_FALSE(parse_time_option("5x"));
  CHECK_FALSE(parse_time_option("1h30"));  // 30 what?
}

TEST_CASE("command-line mistakes are errors with a catalog key", "[gui][cli]") {
  CHECK(bad({"--lang", "fr"}).key == "cli.error.bad_lang");
  CHECK(bad({"--lang", "fr"}).args == std::vector<std::string>{"fr"});
  CHECK(bad({"--lang"}).key == "cli.error.missing_value");
  CHECK(bad({"--scale", "4"}).key == "cli.error.bad_scale");
  CHECK(bad({"--scale", "0.5"}).key == "cli.error.bad_scale");
  CHECK(bad({"--scale", "x"}).key == "cli.error.bad_scale");
  CHECK(bad({"--steps", "-1"}).key == "cli.error.bad_steps");
  CHECK(bad({"--steps", "3x"}).key == "cli.error.bad_steps");
  CHECK(bad({"--size", "100x100"}).key == "cli.error.bad_size");
  CHECK(bad({"--size", "1280*800"}).key == "cli.error.bad_size");
  CHECK(bad({"--explain"}).key == "cli.error.demo_only");
  CHECK(bad({"demo", "--screenshot", "a.png"}).key == "cli.error.not_in_demo");
  CHECK(bad({"demo", "--steps", "2"}).key == "cli.error.not_in_demo");
  CHECK(bad({"--frobnicate"}).key == "cli.error.unknown_option");
  CHECK(bad({"one.json", "extra"}).key == "cli.error.unexpected_argument");
  CHECK(bad({"--screenshot", ""}).key == "cli.error.missing_value");
}

TEST_CASE("window sizes and the environment's language", "[gui][cli]") {
  CHECK(mailhop::gui::parse_window_size("1024x768") == std::make_pair(1024, 768));
  CHECK(mailhop::gui::parse_window_size("1920X1080") == std::make_pair(1920, 1080));
  CHECK_FALSE(mailhop::gui::parse_window_size("1024"));
  CHECK_FALSE(mailhop::gui::parse_window_size("x768"));
  CHECK_FALSE(mailhop::gui::parse_window_size("99999x768"));

  using mailhop::text::language_from_environment;
  CHECK(language_from_environment(nullptr, nullptr, "es_ES.UTF-8") == Language::kSpanish);
  CHECK(language_from_environment(nullptr, nullptr, "es_MX") == Language::kSpanish);
  CHECK(language_from_environment("en_GB.UTF-8", nullptr, "es_ES.UTF-8") == Language::kEnglish);
  CHECK(language_from_environment("", "es_AR.UTF-8", "en_US") == Language::kSpanish);
  CHECK(language_from_environment(nullptr, nullptr, "fr_FR.UTF-8") == Language::kEnglish);
  CHECK(language_from_environment(nullptr, nullptr, "C") == Language::kEnglish);
  CHECK(language_from_environment(nullptr, nullptr, nullptr) == Language::kEnglish);
}
