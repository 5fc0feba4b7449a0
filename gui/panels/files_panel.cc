#include "gui/panels/files_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cstring>
#include <string>

namespace mailhop::gui {
namespace {

constexpr const char* kOpenPopup = "##open_file";
constexpr const char* kSaveAsPopup = "##save_as";

void copy_path(std::array<char, 1024>& buffer, const std::string& text) {
  const std::size_t n = std::min(text.size(), buffer.size() - 1);
  std::memcpy(buffer.data(), text.data(), n);
  buffer[n] = '\0';
}

}  // namespace

std::string scenario_title(const ScenarioEntry& entry, text::Language language) {
  const std::string& title =
      language == text::Language::kSpanish ? entry.title.es : entry.title.en;
  if (!title.empty()) return title;
  const std::string& other =
      language == text::Language::kSpanish ? entry.title.en : entry.title.es;
  return other.empty() ? entry.path.filename().string() : other;
}

std::filesystem::path save_as_suggestion(const Session& session) {
  if (!session.path().empty() || !session.replay()) return session.path();
  // "run.json" (a trace) -> "run-scenario.json" next to it: never the trace itself.
  const std::filesystem::path& trace = session.replay()->trace_file;
  return trace.parent_path() / (trace.stem().string() + "-scenario.json");
}

void FilesPanel::set_scenarios_dir(std::filesystem::path dir) {
  m_dir = std::move(dir);
  m_listed = false;
  m_scenarios.clear();
}

const std::vector<ScenarioEntry>& FilesPanel::scenarios() {
  if (!m_listed) {
    m_listed = true;
    if (!m_dir.empty()) m_scenarios = list_scenarios(m_dir);
  }
  return m_scenarios;
}

void FilesPanel::draw_menu(const UiContext& ctx, const std::vector<std::filesystem::path>& recent) {
  const text::Catalog& t = ctx.text;
  if (!ImGui::BeginMenu(t.c_str("files.menu"))) return;
  if (ImGui::BeginMenu(t.c_str("files.scenarios"))) {
    const std::vector<ScenarioEntry>& list = scenarios();
    if (list.empty()) ImGui::TextDisabled("%s", t.c_str("files.none"));
    for (const ScenarioEntry& entry : list) {
      const std::string label = scenario_title(entry, ctx.settings.language) + "##" +
                                entry.path.filename().string();
      const bool current = ctx.session && ctx.session->path() == entry.path;
      if (ImGui::MenuItem(label.c_str(), entry.path.filename().string().c_str(), current)) {
        ctx.commands.push(command::OpenScenario{entry.path});
      }
    }
    ImGui::EndMenu();
  }
  if (ImGui::MenuItem(t.c_str("files.open"))) m_request = Popup::kOpen;
  if (ImGui::BeginMenu(t.c_str("files.recent"), !recent.empty())) {
    for (const std::filesystem::path& file : recent) {
      if (ImGui::MenuItem(file.string().c_str())) {
        ctx.commands.push(command::OpenScenario{file});
      }
    }
    ImGui::EndMenu();
  }
  ImGui::Separator();
  // A replayed trace reloads from the trace, and is saved (as a scenario) only with a name.
  const bool from_file = ctx.session && !ctx.session->source().empty();
  const bool has_scenario_file = ctx.session && !ctx.session->path().empty();
  if (ImGui::MenuItem(t.c_str("files.reload"), nullptr, false, from_file)) {
    ctx.commands.push(command::Reload{});
  }
  if (ImGui::MenuItem(t.c_str("files.save"), nullptr, false, has_scenario_file)) {
    ctx.commands.push(command::SaveScenario{});
  }
  if (ImGui::MenuItem(t.c_str("files.save_as"), nullptr, false, ctx.session != nullptr)) {
    m_request = Popup::kSaveAs;
  }
  ImGui::EndMenu();
}

void FilesPanel::draw_popups(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  if (m_request == Popup::kOpen) {
    copy_path(m_path, m_dir.empty() ? std::string() : (m_dir / "").string());
    ImGui::OpenPopup(kOpenPopup);
  } else if (m_request == Popup::kSaveAs) {
    copy_path(m_path, ctx.session ? save_as_suggestion(*ctx.session).string() : std::string());
    ImGui::OpenPopup(kSaveAsPopup);
  }
  m_request = Popup::kNone;

  const float width = ImGui::GetMainViewport()->WorkSize.x * 0.6f;
  for (const bool save : {false, true}) {
    const char* id = save ? kSaveAsPopup : kOpenPopup;
    ImGui::SetNextWindowSize(ImVec2(width, 0.0f));
    if (!ImGui::BeginPopupModal(id, nullptr, ImGuiWindowFlags_NoTitleBar)) continue;
    ImGui::TextUnformatted(t.c_str(save ? "files.save_as_title" : "files.open_title"));
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(-1.0f);
    const bool entered = ImGui::InputText("##path", m_path.data(), m_path.size(),
                                          ImGuiInputTextFlags_EnterReturnsTrue);
    const bool has_path = m_path[0] != '\0';
    ImGui::BeginDisabled(!has_path);
    const bool ok = ImGui::Button(t.c_str(save ? "files.save" : "files.open_button"));
    ImGui::EndDisabled();
    ImGui::SameLine();
    const bool cancel = ImGui::Button(t.c_str("files.cancel"));
    if ((ok || entered) && has_path) {
      const std::filesystem::path path(m_path.data());
      if (save) {
        ctx.commands.push(command::SaveScenario{path});
      } else {
        ctx.commands.push(command::OpenScenario{path});
      }
      ImGui::CloseCurrentPopup();
    } else if (cancel || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
}

}  // namespace mailhop::gui
