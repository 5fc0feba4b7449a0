#pragma once
// The File menu: the shipped scenarios by title (in the current language), open any path (a
// scenario or a trace recorded with `mailhop run --trace`), recent files, reload, save and save
// as (live changes included; a replayed trace is saved as a scenario). Call draw_menu() inside the
// menu bar and draw_popups() right after it, at the window's level.

#include <array>
#include <filesystem>
#include <vector>

#include "gui/scenario_files.h"
#include "gui/ui_context.h"

namespace mailhop::gui {

class FilesPanel {
 public:
  void set_scenarios_dir(std::filesystem::path dir);
  void draw_menu(const UiContext& ctx, const std::vector<std::filesystem::path>& recent);
  void draw_popups(const UiContext& ctx);

  // The scenarios listed (read once, when first needed).
  const std::vector<ScenarioEntry>& scenarios();

 private:
  enum class Popup { kNone, kOpen, kSaveAs };
  std::filesystem::path m_dir;
  std::vector<ScenarioEntry> m_scenarios;
  bool m_listed = false;
  Popup m_request = Popup::kNone;
  std::array<char, 1024> m_path{};
};

// What Save as… proposes: the scenario's file, or for a replayed trace a new scenario file
// next to the trace ("run.json" -> "run-scenario.json").
std::filesystem::path save_as_suggestion(const Session& session);

// The title of a scenario in `language`, or its file name when it has none.
std::string scenario_title(const ScenarioEntry& entry, text::Language language);

}  // namespace mailhop::gui
