#pragma once
// The command line of the mailhop program, parsed into a plain struct (tested without a window).
//
//   mailhop [--lang es|en] [--scale S]
//   mailhop --screenshot OUT.png [--steps N] [--size WxH] [--lang es|en] [--scale S]
//   mailhop demo [--lang es|en] [--explain]
//   mailhop --help | --version

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/text/language.h"

namespace mailhop::gui {

enum class AppMode { kWindow, kScreenshot, kDemo, kHelp, kVersion };

inline constexpr float kMinScale = 1.0f;
inline constexpr float kMaxScale = 3.0f;

struct AppOptions {
  AppMode mode = AppMode::kWindow;
  std::optional<text::Language> language;  // --lang; otherwise from the environment
  float scale = 1.0f;                      // --scale, 1 to 3
  std::string screenshot_path;             // --screenshot
  std::optional<int> steps;                // --steps: lines revealed (default: all)
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

// "1280x800" -> {1280, 800}; sizes from 320x240 to 7680x4320.
std::optional<std::pair<int, int>> parse_window_size(std::string_view text);


}  // namespace mailhop::gui
