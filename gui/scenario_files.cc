#include "gui/scenario_files.h"

#include <algorithm>
#include <fstream>
#include <system_error>

#include "sim/scenario/scenario_json.h"

namespace mailhop::gui {

std::vector<ScenarioEntry> list_scenarios(const std::filesystem::path& dir) {
  std::vector<ScenarioEntry> entries;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::filesystem::path& file = it->path();
    if (file.extension() != ".json" || file.filename() == "schema.json") continue;
    ScenarioEntry entry{file, {}};
    scenario::LoadResult loaded = scenario::load_scenario_file(file);
    if (loaded.scenario) entry.title = loaded.scenario->title;
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(), [](const ScenarioEntry& a, const ScenarioEntry& b) {
    return a.path.filename() < b.path.filename();
  });
  return entries;
}

std::filesystem::path scenarios_dir_for(const std::filesystem::path& assets_dir) {
  return assets_dir.parent_path() / "scenarios";
}

std::filesystem::path recent_files_path(const char* xdg_config_home, const char* home) {
  if (xdg_config_home && *xdg_config_home) {
    return std::filesystem::path(xdg_config_home) / "mailhop" / "recent.txt";
  }
  if (home && *home) return std::filesystem::path(home) / ".config" / "mailhop" / "recent.txt";
  return {};
}

RecentFiles::RecentFiles(std::filesystem::path store) : m_store(std::move(store)) {
  if (m_store.empty()) return;
  std::ifstream in(m_store);
  std::string line;
  while (m_files.size() < kMax && std::getline(in, line)) {
    if (!line.empty()) m_files.emplace_back(line);
  }
}

void RecentFiles::add(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(file, ec);
  if (ec) absolute = file;
  absolute = absolute.lexically_normal();
  m_files.erase(std::remove(m_files.begin(), m_files.end(), absolute), m_files.end());
  m_files.insert(m_files.begin(), absolute);
  if (m_files.size() > kMax) m_files.resize(kMax);
  write();
}

void RecentFiles::write() const {
  if (m_store.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(m_store.parent_path(), ec);
  std::ofstream out(m_store, std::ios::trunc);
  for (const std::filesystem::path& f : m_files) out << f.string() << "\n";
}

}  // namespace mailhop::gui
