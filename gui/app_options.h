#pragma once
// The command line of the mailhop program, parsed into a plain struct (tested without a window).
//
//   mailhop [gui] [FILE] [--lang es|en] [--scale S] [--size WxH] [--high-contrast] [--at T]
//                        [--select HOST] [--real-clients] [--cert OUT.pem]
//   mailhop [gui] [FILE] --screenshot OUT.png [--at T] [--size WxH] [--lang es|en] [--scale S]
//   mailhop [gui] [FILE] --frame-stats N [--at T] [--size WxH]
//   mailhop demo [--lang es|en] [--explain]
//   mailhop --help | --version
//
// FILE is a scenario, or a trace recorded with `mailhop run --trace` (replayed); without it the
// app opens scenarios/01-journey.json.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/core/sim_time.h"
#include "sim/text/language.h"

namespace mailhop::gui {

enum class AppMode { kWindow, kScreenshot, kFrameStats, kDemo, kHelp, kVersion };

inline constexpr float kMinScale = 1.0f;
inline constexpr float kMaxScale = 3.0f;

struct AppOptions {
  AppMode mode = AppMode::kWindow;
  std::string scenario_path;               // FILE; empty: the default scenario
  std::optional<text::Language> language;  // --lang; otherwise from the environment
  float scale = 1.0f;                      // --scale, 1 to 3
  bool high_contrast = false;              // --high-contrast
  std::string screenshot_path;             // --screenshot
  std::optional<core::SimTime> at;         // --at: simulated time shown at the start
  std::optional<int> steps;                // --steps: trace events shown at the start
  std::string select;                      // --select: the host in the inspector at the start
  int frames = 0;                          // --frame-stats N
  bool paused = false;                     // --paused: measure frames without playing
  bool real_clients = false;               // --real-clients: real ports open at the start
  std::string cert_path;                   // --cert: the real clients' certificate written here
  int width = 1280;                        // --size WxH
  int height = 800;
  bool explain = false;  // demo --explain
};

// A command-line mistake: a catalog key and its arguments, so it is shown in the user's language.
struct OptionsError {
  std::string key;                // e.g. "cli.error.unknown_option"
  std::vector<std::string> args;  // e.g. {"--frobnicate"}
};

std::variant<AppOptions, OptionsError> parse_app_options(const std::vector<std::string_view>& args);

// A simulated time as scenario files write it ("30s", "5m", "250ms", "00:05:00") or a sum of
// such parts ("1h30m", "2m30s"); nothing for anything else.
std::optional<core::SimTime> parse_time_option(std::string_view text);

// "1280x800" -> {1280, 800}; sizes from 320x240 to 7680x4320.
std::optional<std::pair<int, int>> parse_window_size(std::string_view text);

}  // namespace mailhop::gui
