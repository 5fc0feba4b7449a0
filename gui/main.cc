// mailhop: the classroom app. See app_options.h for the command line.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "gui/app.h"
#include "gui/app_options.h"
#include "gui/demo_cli.h"
#include "gui/demo_scenario.h"
#include "gui/playback.h"
#include "gui/scenario_files.h"
#include "gui/window.h"
#include "sim/cli/cli.h"
#include "sim/core/event_queue.h"
#include "sim/core/huge_pages.h"
#include "sim/text/assets.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"

#ifndef MAILHOP_BUILTIN_ASSETS_DIR
#define MAILHOP_BUILTIN_ASSETS_DIR ""
#endif
#ifndef MAILHOP_VERSION
#define MAILHOP_VERSION "0.0.0"
#endif

namespace {

using mailhop::gui::AppMode;

// Exit statuses.
constexpr int kExitOk = 0;
constexpr int kExitError = 1;      // missing or broken assets, a screenshot that failed
constexpr int kExitUsage = 2;      // a mistake on the command line
constexpr int kExitNoDisplay = 3;  // no display or no OpenGL: use `mailhop demo`

const char* env(const char* name) {
  return std::getenv(name);
}

// Without the catalog there is nothing to translate with: the only message in two languages.
int report_missing_assets(const mailhop::text::AssetSearch& search) {
  std::cerr << "mailhop: cannot find the assets folder (fonts and texts).\n"
               "mailhop: no se encuentra la carpeta assets (tipos de letra y textos).\n";
  for (const auto& dir : search.tried) std::cerr << "  - " << dir.string() << "\n";
  std::cerr << "MAILHOP_ASSETS=/path/to/mailhop/assets\n";
  return kExitError;
}

// "12.34" with the language's decimal separator.
// A number with `digits` decimals, in the catalog's language.
std::string decimal(double value, int digits, const mailhop::text::Catalog& catalog) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  std::string text = buffer;
  const std::size_t dot = text.find('.');
  if (dot != std::string::npos) text.replace(dot, 1, catalog.get("format.decimal_separator"));
  return text;
}

std::string milliseconds(double ms, const mailhop::text::Catalog& catalog) {
  return decimal(ms, 2, catalog);
}

// Opens the scenario, then the window, and reports how that went.
int show(mailhop::gui::App& app, const mailhop::gui::AppOptions& options,
         const std::filesystem::path& assets_dir, const std::filesystem::path& scenario_file,
         bool offscreen) {
  namespace gui = mailhop::gui;
  namespace text = mailhop::text;
  std::string open_error;
  app.set_certificate_file(options.cert_path);
  if (app.open(scenario_file, &open_error)) {
    gui::Session& session = *app.session();
    if (options.steps) session.seek_events(static_cast<std::size_t>(*options.steps));
    if (options.at) session.seek_time(*options.at);
    app.select_latest_line();
    if (!options.select.empty()) {
      const auto& nodes = session.world().nodes();
      if (std::none_of(nodes.begin(), nodes.end(),
                       [&](const auto& n) { return n->spec.name == options.select; })) {
        std::cerr << app.catalog().format(
                         "cli.error.prefix",
                         app.catalog().format("cli.error.no_such_host", options.select))
                  << "\n";
        return kExitUsage;
      }
      app.apply(gui::command::SelectNode{options.select});
    }
    if (options.real_clients) {
      app.apply(gui::command::SetRealClients{true, {}});
      if (!app.error_message().empty()) std::cerr << app.error_message() << "\n";
    }
  } else if (offscreen) {
    // Without a scenario there is nothing to draw or measure.
    std::cerr << app.error_message() << "\n";
    return kExitError;
  }
  if (options.mode == AppMode::kFrameStats && !options.paused) {
    // Real time: envelopes stay on screen long enough to be drawn over many frames.
    app.apply(gui::command::SetSpeed{1.0f});
    app.apply(gui::command::Play{});
  }

  gui::WindowRequest request;
  request.width = options.width;
  request.height = options.height;
  if (options.mode == AppMode::kScreenshot) request.screenshot_path = options.screenshot_path;
  if (options.mode == AppMode::kFrameStats) request.frame_stats = options.frames;
  const gui::WindowResult result = gui::run_window(app, assets_dir, request);
  const text::Catalog& t = app.catalog();
  switch (result.status) {
    case gui::WindowStatus::kOk:
      if (!request.screenshot_path.empty()) {
        std::cout << t.format("screenshot.written", request.screenshot_path) << "\n";
      }
      if (request.frame_stats > 0) {
        const std::vector<double>& ms = result.stats.frame_ms;
        std::cout << t.format("app.frame_stats", ms.size(), request.width, request.height,
                              milliseconds(gui::percentile(ms, 0.50), t),
                              milliseconds(gui::percentile(ms, 0.95), t),
                              milliseconds(gui::percentile(ms, 0.99), t),
                              milliseconds(gui::percentile(ms, 1.0), t), result.stats.nodes,
                              result.stats.envelopes, result.stats.in_flight, result.stats.hidden)
                  << "\n";
        std::cout << t.format("app.frame_stats_flight", result.stats.least_in_flight,
                              result.stats.most_in_flight)
                  << "\n";
        const std::vector<double>& ui = result.stats.ui_ms;
        std::cout << t.format("app.frame_stats_ui", milliseconds(gui::percentile(ui, 0.50), t),
                              milliseconds(gui::percentile(ui, 0.95), t),
                              milliseconds(gui::percentile(ui, 0.99), t))
                  << "\n";
        const std::vector<double>& sim = result.stats.sim_ms;
        const std::vector<double>& sim_cpu = result.stats.sim_cpu_ms;
        std::cout << t.format("app.frame_stats_sim", milliseconds(gui::percentile(sim, 0.50), t),
                              milliseconds(gui::percentile(sim, 0.95), t),
                              milliseconds(gui::percentile(sim, 0.99), t),
                              milliseconds(gui::percentile(sim_cpu, 0.50), t),
                              milliseconds(gui::percentile(sim_cpu, 0.95), t))
                  << "\n";
        const std::vector<double>& render = result.stats.render_ms;
        std::cout << t.format("app.frame_stats_render",
                              milliseconds(gui::percentile(render, 0.50), t),
                              milliseconds(gui::percentile(render, 0.95), t),
                              milliseconds(gui::percentile(render, 0.99), t))
                  << "\n";
        const std::vector<double>& cpu = result.stats.cpu_ms;
        std::cout << t.format("app.frame_stats_cpu", milliseconds(gui::percentile(cpu, 0.50), t),
                              milliseconds(gui::percentile(cpu, 0.95), t),
                              milliseconds(gui::percentile(cpu, 0.99), t))
                  << "\n";
        const gui::FrameStats& s = result.stats;
        if (s.partial) {
          std::cout << t.format("app.frame_stats_partial", s.frames_whole, s.frames_part,
                                decimal(s.part_pixels * 100.0, 1, t), s.frames_unchanged,
                                s.check_differing)
                    << "\n";
        }
      }
      return kExitOk;
    case gui::WindowStatus::kNoDisplay:
      std::cerr << t.format("error.glfw_init", result.detail) << "\n"
                << t.get("error.no_display") << "\n";
      return kExitNoDisplay;
    case gui::WindowStatus::kNoOpenGL:
      std::cerr << t.format("error.no_opengl", result.detail) << "\n";
      return kExitNoDisplay;
    case gui::WindowStatus::kFontError:
      std::cerr << t.format("error.fonts", result.detail) << "\n";
      return kExitError;
    case gui::WindowStatus::kScreenshotError:
      std::cerr << t.format("error.screenshot", request.screenshot_path, result.detail) << "\n";
      return kExitError;
  }
  return kExitError;
}

int run_main(int argc, char** argv) {
  namespace gui = mailhop::gui;
  namespace text = mailhop::text;

  // What a run keeps (the history, a recording) on 2 MB pages where the system offers them.
  mailhop::core::HugePageHeap::enable();
  // The headless commands (`run`, `gen`) need neither a window nor the app's options.
  if (const int status = mailhop::cli::dispatch(argc, argv); status >= 0) return status;
  // The app: that memory is mapped by a thread of its own before the simulation reaches it, so
  // that the kernel's zeroing of each 2 MB page does not lengthen the frame that touches it.
  mailhop::core::HugePageHeap::prefault_in_background();

  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  const std::variant<gui::AppOptions, gui::OptionsError> parsed = gui::parse_app_options(args);

  const text::AssetSearch assets = text::find_assets(
      env("MAILHOP_ASSETS"), MAILHOP_BUILTIN_ASSETS_DIR, text::executable_path(argv[0]));
  if (!assets.found) return report_missing_assets(assets);

  text::LoadError error;
  std::optional<text::Catalog> catalog = text::Catalog::load(*assets.found / "i18n", &error);
  if (!catalog) {
    std::cerr << "mailhop: " << error.message() << "\n";
    return kExitError;
  }
  const auto* options = std::get_if<gui::AppOptions>(&parsed);
  const text::Language language =
      options && options->language
          ? *options->language
          : text::language_from_environment(env("LC_ALL"), env("LC_MESSAGES"), env("LANG"));
  catalog->set_language(language);

  if (const auto* bad = std::get_if<gui::OptionsError>(&parsed)) {
    std::string message = catalog->get(bad->key);
    message = text::format_placeholders(message, bad->args);
    std::cerr << catalog->format("cli.error.prefix", message) << "\n"
              << catalog->get("cli.usage") << "\n";
    return kExitUsage;
  }

  switch (options->mode) {
    case AppMode::kHelp:
      std::cout << catalog->get("cli.help") << "\n";
      return kExitOk;
    case AppMode::kVersion:
      std::cout << "mailhop " << MAILHOP_VERSION << "\n";
      return kExitOk;
    default:
      break;
  }

  std::optional<text::Explanations> explanations =
      text::Explanations::load(*assets.found / "explain", &error);
  if (!explanations) {
    std::cerr << catalog->format("error.explanations", error.message()) << "\n";
    return kExitError;
  }

  if (options->mode == AppMode::kDemo) {
    const gui::ConversationRun run = gui::run_demo_conversation();
    return gui::print_demo(std::cout, run, *catalog, options->explain ? &*explanations : nullptr);
  }

  if (!gui::display_configured(env("DISPLAY"), env("WAYLAND_DISPLAY"))) {
    std::cerr << catalog->get("error.no_display") << "\n";
    return kExitNoDisplay;
  }

  const bool offscreen =
      options->mode == AppMode::kScreenshot || options->mode == AppMode::kFrameStats;
  gui::AppPaths paths;
  paths.scenarios_dir = gui::scenarios_dir_for(*assets.found);
  // Screenshots and measurements leave the teacher's recent files alone.
  if (!offscreen) paths.recent_store = gui::recent_files_path(env("XDG_CONFIG_HOME"), env("HOME"));
  const std::filesystem::path scenario_file = options->scenario_path.empty()
                                                  ? paths.scenarios_dir / gui::kDefaultScenario
                                                  : std::filesystem::path(options->scenario_path);
  gui::App app(std::move(*catalog), std::move(*explanations),
               gui::Settings{language, options->scale, options->high_contrast}, paths);
  try {
    return show(app, *options, *assets.found, scenario_file, offscreen);
  } catch (const mailhop::core::SimulationLimit& limit) {
    // The action that hit the limit stopped half done: nothing more can be shown of that run.
    std::cerr << mailhop::cli::describe_limit(limit, app.catalog()) << "\n";
    return kExitError;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::bad_alloc&) {
    std::cerr << "mailhop: out of memory\nmailhop: memoria agotada\n";
  } catch (const std::exception& ex) {
    // No catalog is certain to be loaded here: the only other message in two languages.
    std::cerr << "mailhop: internal error: " << ex.what() << "\n"
              << "mailhop: error interno: " << ex.what() << "\n";
  }
  return kExitError;
}
