#include "gui/app.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <type_traits>
#include <utility>
#include <vector>

#include "gui/app_options.h"
#include "gui/panels/event_log_panel.h"
#include "gui/panels/explanation_panel.h"
#include "gui/panels/inspector_panel.h"
#include "gui/panels/ladder_panel.h"
#include "gui/panels/network_view.h"
#include "gui/playback.h"
#include "gui/widgets.h"

namespace mailhop::gui {

// The panels drawn in the big regions of the window (kept out of app.h so that it does not
// include every panel).
class PanelSlots {
 public:
  void network(const UiContext& ctx, ImVec2 size) { m_network.draw(ctx, size); }
  // `meaning`: no explanation panel is in view (see LadderPanel::draw).
  void ladder(const UiContext& ctx, ImVec2 size, bool meaning = false) {
    m_ladder.draw(ctx, size, meaning);
  }
  void explanation(const UiContext& ctx, ImVec2 size) { m_explanation.draw(ctx, size.y); }
  void inspector(const UiContext& ctx, ImVec2 size) { m_inspector.draw(ctx, size); }
  void event_log(const UiContext& ctx, ImVec2 size) { m_event_log.draw(ctx, size); }
  std::size_t envelopes_drawn() const { return m_network.envelopes_drawn(); }
  std::size_t envelopes_hidden() const { return m_network.envelopes_hidden(); }
  std::size_t envelopes_animated() const { return m_network.envelopes_animated(); }
  void catch_up(const Session& session) { m_network.catch_up(session); }
  std::optional<ImVec2> host_on_screen(std::string_view name) const {
    const auto& names = m_network.layout().names();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return m_network.node_screen(i);
    }
    return std::nullopt;
  }

 private:
  NetworkView m_network;
  LadderPanel m_ladder;
  ExplanationPanel m_explanation;
  InspectorPanel m_inspector;
  EventLogPanel m_event_log;
};

App::App(text::Catalog catalog, text::Explanations explanations, Settings settings,
         AppPaths paths)
    : m_catalog(std::move(catalog)),
      m_explanations(std::move(explanations)),
      m_settings(settings),
      m_paths(std::move(paths)),
      m_recent(m_paths.recent_store),
      m_slots(std::make_unique<PanelSlots>()) {
  m_settings.scale = std::clamp(m_settings.scale, kMinScale, kMaxScale);
  m_catalog.set_language(m_settings.language);
  m_files.set_scenarios_dir(m_paths.scenarios_dir);
}

App::~App() = default;

UiContext App::context() {
  return UiContext{m_catalog,  m_explanations, m_session.get(), m_selection,
                   m_playback, m_settings,     m_fonts,        palette(),       m_commands};
}

bool App::take_font_rebuild_request() {
  return std::exchange(m_fonts_dirty, false);
}

bool App::open(const std::filesystem::path& file, std::string* error) {
  std::string why;
  std::unique_ptr<Session> session = Session::open(file, &why);
  if (!session) {
    set_error(m_catalog.format("app.error.open", file.string(), why));
    if (error) *error = why;
    return false;
  }
  m_session = std::move(session);
  m_live.stop();  // its ports led to the servers of the scenario that was open
  m_selection = Selection{};
  m_playback.playing = false;
  m_play_remainder = 0.0;
  m_error.clear();
  m_recent.add(file);
  m_compose.reset();
  return true;
}

void App::select_event(std::size_t index) {
  if (!m_session || index >= m_session->events().size()) return;
  const core::TraceEvent& e = m_session->events()[index];
  m_selection.event = index;
  if (e.connection != 0) m_selection.connection = e.connection;
  if (!e.node.empty()) m_selection.node = e.node;
}

void App::reveal(Panel panel, bool even_over_network) {
  m_reveal = panel;
  m_reveal_from = m_clicked_bar;
  m_reveal_over_network = even_over_network;
}

void App::select_latest_line() {
  if (!m_session) return;
  const core::TraceEvents events = m_session->events();
  for (std::size_t i = events.size(); i > 0; --i) {
    if (is_line_event(events[i - 1])) {
      select_event(i - 1);
      return;
    }
  }
}

void App::after_time_travel() {
  if (!m_session) return;
  if (m_selection.event && *m_selection.event >= m_session->events().size()) {
    m_selection.event.reset();
  }
  if (m_session->now() >= m_session->end()) m_playback.playing = false;
}

std::optional<ImVec2> App::host_on_screen(std::string_view name) const {
  if (!panel_drawn(Panel::kNetwork)) return std::nullopt;
  return m_slots->host_on_screen(name);
}

std::size_t App::envelopes_in_flight() const {
  if (!m_session) return 0;
  return gui::envelopes_in_flight(m_session->events(), m_session->now());
}

FlightRange App::envelopes_in_flight_range(std::span<const core::SimTime> times) const {
  if (!m_session) return {};
  return gui::envelopes_in_flight_range(m_session->events(), times);
}

core::SimTime App::time_shown() const {
  return m_session ? m_session->now() : core::SimTime{};
}

std::size_t App::envelopes_drawn() const { return m_slots->envelopes_drawn(); }
std::size_t App::envelopes_hidden() const { return m_slots->envelopes_hidden(); }
std::size_t App::envelopes_animated() const { return m_slots->envelopes_animated(); }

void App::apply(const AppCommand& command) {
  // A step moves to one event and shows it: the newest event becomes the selection.
  auto stepped = [this](bool moved) {
    m_playback.playing = false;
    after_time_travel();
    if (moved && m_session && !m_session->events().empty()) {
      select_event(m_session->events().size() - 1);
    }
  };
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        Session* s = m_session.get();
        if constexpr (std::is_same_v<T, command::SetLanguage>) {
          m_settings.language = c.language;
          m_catalog.set_language(c.language);
        } else if constexpr (std::is_same_v<T, command::SetScale>) {
          const float scale = std::clamp(c.scale, kMinScale, kMaxScale);
          if (scale != m_settings.scale) {
            m_settings.scale = scale;
            m_fonts_dirty = true;
          }
        } else if constexpr (std::is_same_v<T, command::SetHighContrast>) {
          if (c.on != m_settings.high_contrast) {
            m_settings.high_contrast = c.on;
            m_fonts_dirty = true;
          }
        } else if constexpr (std::is_same_v<T, command::OpenScenario>) {
          open(c.path);
        } else if constexpr (std::is_same_v<T, command::Reload>) {
          if (!s || s->source().empty()) return;
          const core::SimTime at = s->now();
          const std::filesystem::path path = s->source();
          if (open(path)) m_session->seek_time(at);
        } else if constexpr (std::is_same_v<T, command::SaveScenario>) {
          if (!s) return;
          const std::filesystem::path target = c.path.empty() ? s->path() : c.path;
          std::string why;
          if (target.empty()) {
            set_error(m_catalog.get("app.error.no_file_name"));
          } else if (!s->save(target, &why)) {
            set_error(m_catalog.format("app.error.save", target.string()));
          } else {
            m_recent.add(target);
            m_error.clear();
          }
        } else if constexpr (std::is_same_v<T, command::SetSpeed>) {
          m_playback.speed = std::clamp(c.speed, kMinSpeed, kMaxSpeed);
        } else {
          if (!s) return;  // everything below needs a scenario
          if constexpr (std::is_same_v<T, command::Play>) {
            m_playback.playing = s->now() < s->end();
            m_play_remainder = 0.0;
          } else if constexpr (std::is_same_v<T, command::Pause>) {
            m_playback.playing = false;
          } else if constexpr (std::is_same_v<T, command::TogglePlay>) {
            m_playback.playing = !m_playback.playing && s->now() < s->end();
            m_play_remainder = 0.0;
          } else if constexpr (std::is_same_v<T, command::StepEvent> ||
                               std::is_same_v<T, command::Next>) {
            stepped(s->step_event());
          } else if constexpr (std::is_same_v<T, command::StepLine>) {
            stepped(s->step_until(is_line_event));
          } else if constexpr (std::is_same_v<T, command::StepHop>) {
            stepped(s->step_until(is_hop_event));
          } else if constexpr (std::is_same_v<T, command::StepMessage>) {
            const scenario::Scenario& sc = s->scenario();
            stepped(s->step_until(
                [&sc](const core::TraceEvent& e) { return is_message_event(e, sc); }));
          } else if constexpr (std::is_same_v<T, command::StepBack> ||
                               std::is_same_v<T, command::Back>) {
            stepped(s->step_back());
          } else if constexpr (std::is_same_v<T, command::Restart>) {
            s->seek_events(0);
            m_playback.playing = false;
            after_time_travel();
          } else if constexpr (std::is_same_v<T, command::SeekTime>) {
            s->seek_time(c.time);
            after_time_travel();
          } else if constexpr (std::is_same_v<T, command::SeekEvent>) {
            s->seek_events(c.count);
            after_time_travel();
          } else if constexpr (std::is_same_v<T, command::SelectEvent> ||
                               std::is_same_v<T, command::Select>) {
            select_event(c.index);
            // A line of a conversation is seen in its ladder; other events in the explanation.
            if (c.index < s->events().size())
              reveal(s->events()[c.index].connection != 0 ? Panel::kLadder : Panel::kExplanation);
          } else if constexpr (std::is_same_v<T, command::SelectConnection>) {
            m_selection.connection = c.id;
            reveal(Panel::kLadder);
          } else if constexpr (std::is_same_v<T, command::SelectNode>) {
            m_selection.node = c.name;
            reveal(Panel::kInspector, c.inspect);
          } else if constexpr (std::is_same_v<T, command::SelectLink>) {
            m_selection.link_a = c.a;
            m_selection.link_b = c.b;
          } else if constexpr (std::is_same_v<T, command::SelectMessage>) {
            m_selection.message = c.id;
            reveal(Panel::kInspector);
          } else if constexpr (std::is_same_v<T, command::SelectMailbox>) {
            m_selection.mailbox = c.address;
            reveal(Panel::kInspector, c.inspect);
          } else if constexpr (std::is_same_v<T, command::SetRealClients>) {
            std::string why;
            if (!c.on) {
              m_live.stop();
            } else if (s && !m_live.start(*s, &why, c.ports)) {
              set_error(m_catalog.format("app.error.live_clients", why));
            } else if (s && !m_cert_file.empty()) {
              // For the class to trust (curl --cacert, mailhop send --ca).
              std::ofstream f(m_cert_file, std::ios::binary | std::ios::trunc);
              f << m_live.certificate_pem();
              f.close();
              if (!f) set_error(m_catalog.format("cli.cannot_write", m_cert_file.string()));
            }
          } else if constexpr (std::is_same_v<T, command::LiveAction>) {
            std::string why;
            if (s->apply(c.action, &why)) {
              m_error.clear();
            } else {
              set_error(m_catalog.format("app.error.live_action", why));
            }
            after_time_travel();
          }
        }
      },
      command);
}

void App::advance(float dt) {
  if (!m_playback.playing || !m_session || dt <= 0.0f) return;
  Session& s = *m_session;
  const double micros =
      static_cast<double>(dt) * static_cast<double>(m_playback.speed) * 1e6 + m_play_remainder;
  const double whole = std::floor(micros);
  m_play_remainder = micros - whole;
  core::SimTime target = s.now() + core::SimTime::from_micros(static_cast<std::int64_t>(whole));
  if (target >= s.end()) target = s.end();
  s.seek_time(target);
  if (target >= s.end()) m_playback.playing = false;
  // The new events go into the animation here, with the playing, rather than in the next
  // frame's UI (see NetworkView::catch_up).
  m_slots->catch_up(s);
}

void App::handle_shortcuts() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId)) return;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) {
    m_commands.push(command::TogglePlay{});
  }
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) {
    if (io.KeyShift) {
      m_commands.push(command::StepLine{});
    } else {
      m_commands.push(command::StepEvent{});
    }
  }
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) {
    m_commands.push(command::StepBack{});
  }
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home), false)) {
    m_commands.push(command::SeekEvent{0});
  }
}

PanelLayout panel_layout(ImVec2 avail, float line, float scale) {
  if (avail.x < 720.0f * scale) return PanelLayout::kStacked;
  if (avail.y < line * 16.0f) return PanelLayout::kShort;
  return PanelLayout::kColumns;
}

namespace {

constexpr const char* kTabKeys[] = {"app.tab.network", "app.tab.ladder", "app.tab.explanation",
                                    "app.tab.inspector", "app.tab.event_log"};

}  // namespace

float App::tabs_width(const UiContext& ctx, std::initializer_list<Panel> panels) {
  std::vector<std::string_view> names;
  for (const Panel panel : panels)
    names.emplace_back(ctx.text.c_str(kTabKeys[static_cast<int>(panel)]));
  return tab_bar_width(names);
}

void App::draw_tabs(const UiContext& ctx, const char* id, std::initializer_list<Panel> panels) {
  if (!ImGui::BeginTabBar(id)) return;
  const bool has_network = std::find(panels.begin(), panels.end(), Panel::kNetwork) != panels.end();
  for (const Panel panel : panels) {
    const bool reveal =
        m_reveal == panel &&
        (m_reveal_over_network ||
         (!has_network && (m_reveal_from == nullptr || std::string_view(m_reveal_from) != id)));
    if (!ImGui::BeginTabItem(ctx.text.c_str(kTabKeys[static_cast<int>(panel)]), nullptr,
                             reveal ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None))
      continue;
    m_drawn |= bit(panel);
    const ImVec2 top = ImGui::GetCursorScreenPos();
    const ImVec2 region = ImGui::GetContentRegionAvail();
    const ImVec2 size(0.0f, 0.0f);
    switch (panel) {
      case Panel::kNetwork:
        m_slots->network(ctx, size);
        break;
      case Panel::kLadder:
        // In a tab the explanation is not in view beside it: the ladder tells what a line means.
        m_slots->ladder(ctx, size, true);
        break;
      case Panel::kExplanation:
        m_slots->explanation(ctx, size);
        break;
      case Panel::kInspector:
        m_slots->inspector(ctx, size);
        break;
      case Panel::kEventLog:
        m_slots->event_log(ctx, size);
        break;
    }
    // A click on this tab's panel (not on a menu or popup above it).
    if ((ImGui::IsMouseClicked(ImGuiMouseButton_Left) ||
         ImGui::IsMouseReleased(ImGuiMouseButton_Left)) &&
        ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) &&
        ImGui::IsMouseHoveringRect(top, ImVec2(top.x + region.x, top.y + region.y), false)) {
      m_clicked_bar = id;
    }
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

void App::draw_layout(const UiContext& ctx) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float gap = style.ItemSpacing.x;
  const PanelLayout layout = panel_layout(avail, line, ctx.settings.scale);
  m_layout = layout;
  m_drawn = 0;
  if (layout == PanelLayout::kStacked) {
    // Too narrow for columns (a projector at 1.5x to 3x): the network on top, the other panels
    // in tabs below it, each with the whole width.
    // When even that leaves too little height, the network becomes the first tab.
    const bool network_in_tabs = avail.y < line * 16.0f;
    if (!network_in_tabs) {
      m_slots->network(ctx, ImVec2(avail.x, std::max(avail.y * 0.45f, line * 4.0f)));
      m_drawn |= bit(Panel::kNetwork);
    }
    if (network_in_tabs) {
      draw_tabs(ctx, "##narrow_tabs",
                {Panel::kNetwork, Panel::kLadder, Panel::kExplanation, Panel::kInspector,
                 Panel::kEventLog});
    } else {
      draw_tabs(ctx, "##narrow_tabs",
                {Panel::kLadder, Panel::kExplanation, Panel::kInspector, Panel::kEventLog});
    }
    return;
  }
  // The right column keeps room for a ladder (two host columns and their arrows); the network
  // view takes the rest and is the largest region.
  float right_width = std::clamp(
      avail.x * 0.42f, std::min(avail.x * 0.5f, 300.0f * ctx.settings.scale), avail.x * 0.45f);
  if (layout == PanelLayout::kShort) {
    // Wide enough for the names of its three tabs, up to half the width.
    right_width = std::max(right_width, std::min(tabs_width(ctx, kRightTabs), avail.x * 0.5f));
  }
  const float left_width = avail.x - right_width - gap;
  if (layout == PanelLayout::kShort) {
    // Wide but short (16:9 at 2x or 2.5x): two columns of tabs with the whole height, so that
    // neither the network nor the ladder is squeezed into a strip a few lines tall. The network
    // shares its column with the event log; the ladder, the explanation and the inspector share
    // the other, which shows what was clicked on the network (a host's inspector, an envelope's
    // conversation) while the network stays in view.
    if (begin_unpainted_child("##left", ImVec2(left_width, avail.y))) {
      draw_tabs(ctx, "##left_tabs", {Panel::kNetwork, Panel::kEventLog});
    }
    ImGui::EndChild();
    ImGui::SameLine(0.0f, gap);
    if (begin_unpainted_child("##right", ImVec2(right_width, avail.y))) {
      draw_tabs(ctx, "##right_tabs", kRightTabs);
    }
    ImGui::EndChild();
    return;
  }
  const float bottom_height = std::max(avail.y * 0.34f, line * 6.0f);
  const float network_height = std::max(avail.y - bottom_height - style.ItemSpacing.y, line * 4.0f);
  const float ladder_height = std::max(avail.y * 0.62f, line * 5.0f);
  const float explanation_height = std::max(avail.y - ladder_height - style.ItemSpacing.y, line * 4.0f);

  ImGui::BeginGroup();
  m_slots->network(ctx, ImVec2(left_width, network_height));
  if (begin_unpainted_child("##bottom", ImVec2(left_width, 0.0f))) {
    draw_tabs(ctx, "##bottom_tabs", {Panel::kInspector, Panel::kEventLog});
  }
  ImGui::EndChild();
  ImGui::EndGroup();

  ImGui::SameLine(0.0f, gap);
  ImGui::BeginGroup();
  m_slots->ladder(ctx, ImVec2(right_width, ladder_height));
  m_slots->explanation(ctx, ImVec2(right_width, explanation_height));
  ImGui::EndGroup();
  m_drawn |= bit(Panel::kNetwork) | bit(Panel::kLadder) | bit(Panel::kExplanation);
}

void App::frame(float dt) {
  draw_frame();
  advance(dt);
}

void App::draw_frame() {
  handle_shortcuts();
  // Real clients first, so that this frame shows what they said and what they were answered.
  if (m_session && m_live.active() && m_live.poll(*m_session)) {
    after_time_travel();
    select_latest_line();
  }
  for (const LiveClients::Problem& p : m_live.take_problems()) {
    set_error(
        m_catalog.format(p.tls ? "app.error.live_tls" : "app.error.live_client", p.peer, p.why));
  }

  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_MenuBar;
  // The window's background is the colour the frame is cleared with (gui/window.cc): painting
  // it again would cost a software renderer a whole screen of blended pixels every frame.
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0, 0, 0, 0));
  ImGui::Begin("##mailhop", nullptr, flags);
  ImGui::PopStyleColor();
  if (m_fonts.regular) ImGui::PushFont(m_fonts.regular);

  const UiContext ctx = context();
  if (ImGui::BeginMenuBar()) {
    m_files.draw_menu(ctx, m_recent.files());
    m_compose.draw_menu(ctx);
    if (ImGui::MenuItem(ctx.text.c_str("app.live.menu"), nullptr, m_live.active(),
                        m_session != nullptr)) {
      m_commands.push(command::SetRealClients{!m_live.active(), {}});
    }
    m_header.draw_menu_bar(ctx);
    ImGui::EndMenuBar();
  }
  m_files.draw_popups(ctx);
  m_compose.draw_popups(ctx);

  if (!m_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.permanent);
    ImGui::TextWrapped("%s", m_error.c_str());
    ImGui::PopStyleColor();
    ImGui::SameLine();
    if (ImGui::SmallButton(ctx.text.c_str("app.dismiss"))) m_error.clear();
  }

  if (m_live.active()) {
    // Where real clients connect, for the class to type into their mail programs: each port
    // whole on a line ("2465 → smtp.gmail.example:465"), as many as fit.
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.accent_text);
    ImGui::TextUnformatted(m_catalog
                               .format("app.live.listening", m_live.connected(),
                                       cli::join_addresses(m_live.addresses()))
                               .c_str());
    const float right = ImGui::GetContentRegionMax().x;
    const float gap = ImGui::CalcTextSize("   ").x;
    for (const cli::PortMap& p : m_live.ports()) {
      const std::string entry = m_catalog.format("app.live.port", p.real, p.host, p.port);
      const float width = ImGui::CalcTextSize(entry.c_str()).x;
      ImGui::SameLine(0.0f, gap);
      if (ImGui::GetCursorPosX() + width > right) ImGui::NewLine();
      ImGui::TextUnformatted(entry.c_str());
    }
    // The certificate's fingerprint, for the class to compare with what their programs show.
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.muted);
    ImGui::TextWrapped("%s",
                       m_catalog.format("app.live.fingerprint", m_live.fingerprint()).c_str());
    ImGui::PopStyleColor();
    ImGui::PopStyleColor();
  }

  if (m_session) {
    m_header.draw_banner(ctx);
    m_controls.draw(ctx);
    m_timeline.draw(ctx);
    m_clicked_bar = nullptr;
    draw_layout(ctx);
    m_reveal.reset();
    m_reveal_from = nullptr;
    m_reveal_over_network = false;
  } else {
    ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.muted);
    ImGui::TextWrapped("%s", ctx.text.c_str("app.no_scenario"));
    ImGui::PopStyleColor();
  }

  if (m_fonts.regular) ImGui::PopFont();
  ImGui::End();

  for (const AppCommand& command : m_commands.take()) apply(command);
}

}  // namespace mailhop::gui
