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
  }
  bool saw_steps = false;
  bool saw_size = false;
  auto value_of = [&](std::string_view option) -> std::variant<std::string_view, OptionsError> {
    if (i + 1 >= args.size()) return OptionsError{"cli.error.missing_value", {std::string(option)}};
    ++i;
    return args[i];
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
        arg == "--size") {
      auto v = value_of(arg);
      if (auto* error = std::get_if<OptionsError>(&v)) return *error;
      const std::string_view value = std::get<std::string_view>(v);
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
        options.steps = parse_int(value, 0, 1000000);
        if (!options.steps) return OptionsError{"cli.error.bad_steps", {std::string(value)}};
        saw_steps = true;
      } else {
        const auto size = parse_window_size(value);
        if (!size) return OptionsError{"cli.error.bad_size", {std::string(value)}};
        options.width = size->first;
        options.height = size->second;
        saw_size = true;
      }
      continue;
    }
    if (arg == "--explain") {
      if (options.mode != AppMode::kDemo) {
        return OptionsError{"cli.error.demo_only", {std::string(arg)}};
      }
      options.explain = true;
      continue;
    }
    if (!arg.empty() && arg.front() == '-') {
      return OptionsError{"cli.error.unknown_option", {std::string(arg)}};
    }
    return OptionsError{"cli.error.unexpected_argument", {std::string(arg)}};
  }

  if (!options.screenshot_path.empty()) {
    if (options.mode == AppMode::kDemo) {
      return OptionsError{"cli.error.not_in_demo", {"--screenshot"}};
    }
    options.mode = AppMode::kScreenshot;
  } else if (saw_steps || saw_size) {
    if (options.mode == AppMode::kDemo) {
      return OptionsError{"cli.error.not_in_demo", {saw_steps ? "--steps" : "--size"}};
    }
    // --steps and --size also shape the interactive window: start with N lines revealed.
  }
  return options;
}

}  // namespace mailhop::gui
