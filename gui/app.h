#pragma once
// The app: owns the open scenario (a Session), the selection, playback, settings, texts and the
// panels; draws one frame between ImGui::NewFrame() and ImGui::Render(), applies what the panels
// asked for, and advances simulated time while playing. Knows nothing about GLFW or OpenGL (see
// window.h), so it runs in tests on a bare ImGui context.
//
// Layout (one full-window ImGui window):
//   menu bar: File, Compose, Fetch | language, size, high contrast
//   controls row (play, speed, steps, time) and the timeline
//   network view (left, largest)            | ladder (top right)
//   inspector / event log (tabs, bottom left) | explanation (bottom right)
// or, where the window is too short for that, two columns of tabs with the whole height (the
// network, inspector, event log | the ladder, explanation); or, where it is too narrow for two
// columns, the network and the other panels in tabs, each with the whole width (panel_layout).

#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gui/live_clients.h"
#include "gui/panels/compose_panel.h"
#include "gui/panels/controls_panel.h"
#include "gui/panels/files_panel.h"
#include "gui/panels/header_panel.h"
#include "gui/panels/timeline_panel.h"
#include "gui/playback.h"
#include "gui/scenario_files.h"
#include "gui/session.h"
#include "gui/theme.h"
#include "gui/ui_context.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"

namespace mailhop::gui {

struct AppPaths {
  std::filesystem::path scenarios_dir;  // listed in the File menu; may be empty
  std::filesystem::path recent_store;   // the recent files list; empty: kept in memory only
};

class PanelSlots;  // the panels of the network, ladder, explanation, inspector and event log

// How the panels share a window's content region `avail` at UI scale `scale`, where a line of
// text takes `line` pixels:
//   kColumns  the network above the inspector and event log, the ladder above the explanation;
//   kShort    wide enough for two columns but under 16 lines tall (16:9 at 2x and 2.5x): two
//             columns of tabs with the whole height, the network with the inspector and the
//             event log, the ladder with the explanation;
//   kStacked  narrower than 720 pixels at 1x (1024x768 at 1.5x, 1280x800 at 2x): the ladder's
//             arrows and the network's labels no longer fit side by side, so the panels are
//             tabs with the whole width, under the network or (when short too) with it.
enum class PanelLayout { kColumns, kShort, kStacked };
PanelLayout panel_layout(ImVec2 avail, float line, float scale);

class App {
 public:
  App(text::Catalog catalog, text::Explanations explanations, Settings settings,
      AppPaths paths = {});
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Opens a scenario file; on failure keeps what was open, shows the error in the window and
  // returns false with `error` set (the loader's message, naming the JSON path).
  bool open(const std::filesystem::path& file, std::string* error = nullptr);

  // One frame of UI: keyboard shortcuts, every panel, the queued commands, then `dt` wall-clock
  // seconds of playback (when playing). The same as draw_frame() then advance(dt).
  void frame(float dt);
  // The frame's UI and the commands it queued, without playback. Once ImGui::Render() has run,
  // the frame's draw data no longer refers to the session, so the window renders a copy of it
  // on another thread while this one plays (advance) and builds the next frame.
  void draw_frame();

  // Runs `command` now (the panels queue theirs; tests and the window may call this directly).
  void apply(const AppCommand& command);
  // Simulated time moves by `dt` wall-clock seconds at the current speed (when playing).
  void advance(float dt);
  // Selects the newest protocol line shown (with its connection and node): what a screenshot at
  // a given time shows in the ladder and the explanation.
  void select_latest_line();

  // True once after the UI scale or the contrast changed: the owner rebuilds the fonts and the
  // style (apply_style with settings().scale and contrast()) before the next frame.
  bool take_font_rebuild_request();
  void set_fonts(const Fonts& fonts) { m_fonts = fonts; }

  const Settings& settings() const { return m_settings; }
  Contrast contrast() const { return m_settings.high_contrast ? Contrast::kHigh : Contrast::kNormal; }
  const Palette& palette() const { return palette_for(contrast()); }
  const text::Catalog& catalog() const { return m_catalog; }
  const Session* session() const { return m_session.get(); }
  Session* session() { return m_session.get(); }
  const Selection& selection() const { return m_selection; }
  const Playback& playback() const { return m_playback; }
  const std::string& error_message() const { return m_error; }  // shown in the window; "" none
  PanelLayout layout() const { return m_layout; }               // as the last frame drew the panels
  const RecentFiles& recent_files() const { return m_recent; }
  bool animating() const { return m_playback.playing; }  // the window must keep drawing
  // Real clients may connect or speak at any moment: the window wakes often to let them in.
  bool polling() const { return m_live.active(); }
  const LiveClients& live_clients() const { return m_live; }
  // Where the real clients' certificate is written each time their ports open (none: empty).
  void set_certificate_file(std::filesystem::path file) { m_cert_file = std::move(file); }
  // Envelopes in flight at the time shown (what the network view animates).
  std::size_t envelopes_in_flight() const;
  // The fewest and the most in flight at any of `times` (ascending) of the session shown.
  FlightRange envelopes_in_flight_range(std::span<const core::SimTime> times) const;
  // The simulated time shown (zero without a session).
  core::SimTime time_shown() const;
  // Envelopes on the network view in the last frame (inside the canvas), and how many of them
  // were left out because the ones drawn after them covered them entirely.
  std::size_t envelopes_drawn() const;
  std::size_t envelopes_hidden() const;
  // Envelopes the network view animates at the time shown; playing (advance) brings them up to
  // date, so the next frame only draws them.
  std::size_t envelopes_animated() const;
  const ControlsPanel& controls_panel() const { return m_controls; }
  const TimelinePanel& timeline_panel() const { return m_timeline; }
  const ComposePanel& compose_panel() const { return m_compose; }

  // The five regions below the timeline, and whether the last frame drew each (in the tabbed
  // layouts only one tab of a tab bar is drawn).
  enum class Panel { kNetwork, kLadder, kExplanation, kInspector, kEventLog };
  bool panel_drawn(Panel panel) const { return (m_drawn & bit(panel)) != 0; }
  // Where the network view drew host `name`'s icon in the last frame (none where it drew no
  // network or has no such host).
  std::optional<ImVec2> host_on_screen(std::string_view name) const;

 private:
  void handle_shortcuts();
  UiContext context();
  void draw_layout(const UiContext& ctx);
  static unsigned bit(Panel panel) { return 1u << static_cast<unsigned>(panel); }
  // `panels` as the tabs of one tab bar, each with the tab's whole region. A bar without the
  // network brings m_reveal's tab to the front (a bar with it keeps the network in view),
  // unless the click came from this bar; with m_reveal_over_network, any bar does.
  void draw_tabs(const UiContext& ctx, const char* id, std::initializer_list<Panel> panels);
  // The width `panels`' tab names take side by side.
  static float tabs_width(const UiContext& ctx, std::initializer_list<Panel> panels);
  static constexpr std::initializer_list<Panel> kRightTabs = {Panel::kLadder, Panel::kExplanation,
                                                              Panel::kInspector};
  void after_time_travel();
  void select_event(std::size_t index);
  // The next frame's tab bars bring `panel` to the front (`even_over_network`: also the bar
  // that holds the network, and the one clicked in).
  void reveal(Panel panel, bool even_over_network = false);
  void set_error(std::string message) { m_error = std::move(message); }

  text::Catalog m_catalog;
  text::Explanations m_explanations;
  Settings m_settings;
  AppPaths m_paths;
  std::unique_ptr<Session> m_session;
  Selection m_selection;
  Playback m_playback;
  Fonts m_fonts;
  CommandQueue m_commands;
  RecentFiles m_recent;
  std::string m_error;
  PanelLayout m_layout = PanelLayout::kColumns;
  // What the class just picked is shown where it is in a tab: a host (the inspector) or a
  // connection (the ladder). Set by the select commands, used by the next frame's tab bars.
  // A click inside a tab bar's panel keeps that bar as it is (the class is working in it): the
  // bar clicked in this frame, and the one the pending reveal came from.
  std::optional<Panel> m_reveal;
  const char* m_clicked_bar = nullptr;
  const char* m_reveal_from = nullptr;
  bool m_reveal_over_network = false;
  unsigned m_drawn = 0;  // bit(panel) for each panel drawn in the last frame
  bool m_fonts_dirty = false;
  double m_play_remainder = 0.0;  // simulated microseconds not yet run (below 1 us)

  HeaderPanel m_header;
  FilesPanel m_files;
  ComposePanel m_compose;
  ControlsPanel m_controls;
  TimelinePanel m_timeline;
  std::unique_ptr<PanelSlots> m_slots;
  LiveClients m_live;
  std::filesystem::path m_cert_file;
};

}  // namespace mailhop::gui
