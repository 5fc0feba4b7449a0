#pragma once
// The files the app offers: the shipped scenarios (scenarios/*.json with their titles in both
// languages), the recently opened files (kept in a small text file in the user's configuration
// folder), and where the default scenario is. No ImGui here: tested directly.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace mailhop::gui {

struct ScenarioEntry {
  std::filesystem::path path;
  scenario::LocalizedText title;  // empty when the file does not load (the file name is shown)
};

// Every *.json in `dir` except schema.json, sorted by file name. Each file is loaded once for
// its title. An absent folder gives an empty list.
std::vector<ScenarioEntry> list_scenarios(const std::filesystem::path& dir);

// Where the shipped scenarios are: "scenarios" next to the assets folder.
std::filesystem::path scenarios_dir_for(const std::filesystem::path& assets_dir);

// The scenario the app opens without a FILE.
inline constexpr const char* kDefaultScenario = "01-journey.json";

// $XDG_CONFIG_HOME/mailhop/recent.txt, else $HOME/.config/mailhop/recent.txt; empty when
// neither variable is set (arguments may be null).
std::filesystem::path recent_files_path(const char* xdg_config_home, const char* home);

// The most recently opened files, newest first, at most kMax, one absolute path per line.
class RecentFiles {
 public:
  static constexpr std::size_t kMax = 8;

  RecentFiles() = default;
  // Reads `store` when it exists; `store` empty keeps the list in memory only.
  explicit RecentFiles(std::filesystem::path store);

  // Moves `file` to the front and writes the store (failures to write are ignored: the list
  // is a convenience).
  void add(const std::filesystem::path& file);
  const std::vector<std::filesystem::path>& files() const { return m_files; }

 private:
  void write() const;
  std::filesystem::path m_store;
  std::vector<std::filesystem::path> m_files;
};

}  // namespace mailhop::gui
