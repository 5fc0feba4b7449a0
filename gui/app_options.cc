#include "gui/app_options.h"

#include <charconv>
#include <cmath>

namespace mailhop::gui {
namespace {

std::optional<int> parse_int(std::string_view text, int min, int max) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < min || value > max) return std::nullopt;
  return value;
}

// "2", "1.5", "2.25" (a dot or a comma as decimal separator: Spanish keyboards type commas).
std::optional<float> parse_scale(std::string_view text) {
  std::string normal(text);
  for (char& c : normal) {
    if (c == ',') c = '.';
  }
  if (normal.empty() || normal.size() > 8) return std::nullopt;
  int whole = 0;
  int fraction = 0;
  int fraction_digits = 0;
  std::size_t i = 0;
  bool any_digit = false;
  while (i < normal.size() && normal[i] >= '0' && normal[i] <= '9') {
    whole = whole * 10 + (normal[i] - '0');
    any_digit = true;
    ++i;
  }
  if (i < normal.size() && normal[i] == '.') {
    ++i;
    while (i < normal.size() && normal[i] >= '0' && normal[i] <= '9') {
      if (fraction_digits < 4) {
        fraction = fraction * 10 + (normal[i] - '0');
        ++fraction_digits;
      }
      any_digit = true;
      ++i;
    }
  }
  if (!any_digit || i != normal.size()) return std::nullopt;
  const float value =
      static_cast<float>(whole) +
      static_cast<float>(fraction) / static_cast<float>(std::pow(10.0, fraction_digits));
  if (value < kMinScale || value > kMaxScale) return std::nullopt;
  return value;
}

}  // namespace

std::optional<core::SimTime> parse_time_option(std::string_view text) {
  // Compound forms ("1h30m", "2m30s") are a sum of simple ones: cut before each digit that
  // follows a unit letter.
  core::SimTime total;
  std::size_t start = 0;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    const bool cut = i == text.size() || (text[i] >= '0' && text[i] <= '9' &&
                                          ((text[i - 1] >= 'a' && text[i - 1] <= 'z') ||
                                           (text[i - 1] >= 'A' && text[i - 1] <= 'Z')));
    if (!cut) continue;
    // In a compound form every part names its unit: "1h30" is a mistake, not 1h 30s.
    const char last = text[i - 1];
    const bool compound = start > 0 || i < text.size();
    if (compound && !((last >= 'a' && last <= 'z') || (last >= 'A' && last <= 'Z'))) {
      return std::nullopt;
    }
    core::SimTime part;
    if (!core::parse_sim_time(text.substr(start, i - start), &part, nullptr) ||
        part < core::SimTime{}) {
      return std::nullopt;
    }
    total += part;
    start = i;
  }
  if (text.empty()) return std::nullopt;
  return total;
}

std::optional<std::pair<int, int>> parse_window_size(std::string_view text) {
  const std::size_t x = text.find_first_of("xX");
  if (x == std::string_view::npos) return std::nullopt;
  const std::optional<int> w = parse_int(text.substr(0, x), 320, 7680);
  const std::optional<int> h = parse_int(text.substr(x + 1), 240, 4320);
  if (!w || !h) return std::nullopt;
  return std::make_pair(*w, *h);
}

std::variant<AppOptions, OptionsError> parse_app_options(
    const std::vector<std::string_view>& args) {
  AppOptions options;
  std::size_t i = 0;
  if (!args.empty() && args[0] == "demo") {
    options.mode = AppMode::kDemo;
    i = 1;
  } else if (!args.empty() && args[0] == "gui") {
    i = 1;
  }
  const bool demo = options.mode == AppMode::kDemo;
  auto value_of = [&](std::string_view option) -> std::variant<std::string_view, OptionsError> {
    if (i + 1 >= args.size()) return OptionsError{"cli.error.missing_value", {std::string(option)}};
    ++i;
    return args[i];
  };
  // Options that shape the window make no sense for the terminal demo.
  auto not_in_demo = [&](std::string_view option) -> std::optional<OptionsError> {
    if (demo) return OptionsError{"cli.error.not_in_demo", {std::string(option)}};
    return std::nullopt;
  };

  for (; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      options.mode = AppMode::kHelp;
      return options;
    }
    if (arg == "--version") {
      options.mode = AppMode::kVersion;
      return options;
    }
    if (arg == "--lang" || arg == "--scale" || arg == "--screenshot" || arg == "--steps" ||
        arg == "--size" || arg == "--at" || arg == "--frame-stats" || arg == "--select" ||
        arg == "--cert") {
      auto v = value_of(arg);
      if (auto* error = std::get_if<OptionsError>(&v)) return *error;
      const std::string_view value = std::get<std::string_view>(v);
      if (arg != "--lang") {
        if (auto e = not_in_demo(arg)) return *e;
      }
      if (arg == "--lang") {
        options.language = text::parse_language(value);
        if (!options.language) return OptionsError{"cli.error.bad_lang", {std::string(value)}};
      } else if (arg == "--scale") {
        const std::optional<float> scale = parse_scale(value);
        if (!scale) return OptionsError{"cli.error.bad_scale", {std::string(value)}};
        options.scale = *scale;
      } else if (arg == "--screenshot") {
        if (value.empty()) return OptionsError{"cli.error.missing_value", {std::string(arg)}};
        options.screenshot_path = std::string(value);
      } else if (arg == "--steps") {
        options.steps = parse_int(value, 0, 100000000);
        if (!options.steps) return OptionsError{"cli.error.bad_steps", {std::string(value)}};
      } else if (arg == "--at") {
        options.at = parse_time_option(value);
        if (!options.at) return OptionsError{"cli.error.bad_time", {std::string(value)}};
      } else if (arg == "--cert") {
        if (value.empty()) return OptionsError{"cli.error.missing_value", {std::string(arg)}};
        options.cert_path = std::string(value);
      } else if (arg == "--select") {
        if (value.empty()) return OptionsError{"cli.error.missing_value", {std::string(arg)}};
        options.select = std::string(value);
      } else if (arg == "--frame-stats") {
        const std::optional<int> frames = parse_int(value, 1, 1000000);
        if (!frames) return OptionsError{"cli.error.bad_frames", {std::string(value)}};
        options.frames = *frames;
      } else {
        const auto size = parse_window_size(value);
        if (!size) return OptionsError{"cli.error.bad_size", {std::string(value)}};
        options.width = size->first;
        options.height = size->second;
      }
      continue;
    }
    if (arg == "--paused") {
      if (auto e = not_in_demo(arg)) return *e;
      options.paused = true;
      continue;
    }
    if (arg == "--real-clients") {
      if (auto e = not_in_demo(arg)) return *e;
      options.real_clients = true;
      continue;
    }
    if (arg == "--high-contrast") {
      if (auto e = not_in_demo(arg)) return *e;
      options.high_contrast = true;
      continue;
    }
    if (arg == "--explain") {
      if (!demo) return OptionsError{"cli.error.demo_only", {std::string(arg)}};
      options.explain = true;
      continue;
    }
    if (!arg.empty() && arg.front() == '-') {
      return OptionsError{"cli.error.unknown_option", {std::string(arg)}};
    }
    // The scenario file: one, and not for the terminal demo.
    if (demo || !options.scenario_path.empty()) {
      return OptionsError{"cli.error.unexpected_argument", {std::string(arg)}};
    }
    options.scenario_path = std::string(arg);
  }

  if (!options.screenshot_path.empty() && options.frames > 0) {
    return OptionsError{"cli.error.screenshot_or_stats", {}};
  }
  if (options.paused && options.frames == 0) {
    return OptionsError{"cli.error.paused_needs_stats", {}};
  }
  if (!options.screenshot_path.empty()) {
    options.mode = AppMode::kScreenshot;
  } else if (options.frames > 0) {
    options.mode = AppMode::kFrameStats;
  }
  return options;
}

}  // namespace mailhop::gui
