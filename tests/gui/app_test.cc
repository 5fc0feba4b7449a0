// The app on a bare ImGui context: no window, no OpenGL. Frames are driven by hand, with keys
// and mouse clicks fed through ImGuiIO as a backend would, and commands pushed directly.

#include "gui/app.h"

#include <imgui.h>
#include <imgui_internal.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gui/playback.h"
#include "sim/realnet/tcp.h"
#include "sim/scenario/scenario_json.h"

namespace {

using mailhop::core::SimTime;
using mailhop::core::TraceEvent;
using mailhop::core::TraceKind;
using mailhop::gui::App;
using mailhop::text::Language;
namespace command = mailhop::gui::command;
namespace fs = std::filesystem;

const fs::path kAssets = MAILHOP_ASSETS_DIR;
const fs::path kScenarios = fs::path(MAILHOP_ASSETS_DIR).parent_path() / "scenarios";
const fs::path kJourney = kScenarios / "01-journey.json";

// Key indices as the GLFW backend maps them.
constexpr int kKeySpace = 32;
constexpr int kKeyRight = 262;
constexpr int kKeyLeft = 263;
constexpr int kKeyHome = 268;
constexpr int kKeyShift = 340;

class Headless {
 public:
  explicit Headless(float width = 1280, float height = 800, Language language = Language::kEnglish,
                    float scale = 1.0f, bool high_contrast = false) {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(width, height);
    io.DeltaTime = 1.0f / 60.0f;
    io.KeyMap[ImGuiKey_Space] = kKeySpace;
    io.KeyMap[ImGuiKey_RightArrow] = kKeyRight;
    io.KeyMap[ImGuiKey_LeftArrow] = kKeyLeft;
    io.KeyMap[ImGuiKey_Home] = kKeyHome;

    mailhop::text::LoadError error;
    auto catalog = mailhop::text::Catalog::load(kAssets / "i18n", &error);
    auto explanations = mailhop::text::Explanations::load(kAssets / "explain", &error);
    REQUIRE(catalog);
    REQUIRE(explanations);
    mailhop::gui::AppPaths paths;
    paths.scenarios_dir = kScenarios;
    app = std::make_unique<App>(std::move(*catalog), std::move(*explanations),
                                mailhop::gui::Settings{language, scale, high_contrast}, paths);
    build_fonts();
  }
  ~Headless() { ImGui::DestroyContext(); }
  Headless(const Headless&) = delete;
  Headless& operator=(const Headless&) = delete;

  void build_fonts() {
    std::string error;
    const auto fonts =
        mailhop::gui::load_fonts(*ImGui::GetIO().Fonts, kAssets, app->settings().scale, &error);
    INFO(error);
    REQUIRE(fonts);
    unsigned char* pixels = nullptr;
    int w = 0;
    int h = 0;
    ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    REQUIRE(pixels);
    app->set_fonts(*fonts);
    mailhop::gui::apply_style(ImGui::GetStyle(), app->settings().scale, app->contrast());
  }

  void frame(float dt = 0.0f) {
    if (app->take_font_rebuild_request()) build_fonts();
    ImGui::NewFrame();
    app->frame(dt);
    ImGui::Render();
  }

  void press(int key, bool shift = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyShift = shift;
    io.KeysDown[kKeyShift] = shift;
    io.KeysDown[key] = true;
    frame();
    io.KeysDown[key] = false;
    frame();
    io.KeyShift = false;
    io.KeysDown[kKeyShift] = false;
  }

  void click(ImVec2 min, ImVec2 max) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2((min.x + max.x) / 2, (min.y + max.y) / 2);
    frame();  // hover
    io.MouseDown[0] = true;
    frame();
    io.MouseDown[0] = false;
    frame();
  }

  // Clicks host `name` on the network view, then draws the two frames after which a tab that
  // the click brought to the front is drawn.
  void click_host(const std::string& name) {
    const std::optional<ImVec2> at = app->host_on_screen(name);
    REQUIRE(at);
    click(*at, *at);
    frame();
    frame();
  }

  void open(const fs::path& file = kJourney) {
    std::string error;
    INFO(error);
    REQUIRE(app->open(file, &error));
    frame();
  }

  std::unique_ptr<App> app;
};

bool same_event(const TraceEvent& a, const TraceEvent& b) {
  return a.time == b.time && a.arrival == b.arrival && a.kind == b.kind && a.node == b.node &&
         a.peer == b.peer && a.connection == b.connection && a.protocol == b.protocol &&
         a.message == b.message && a.text == b.text && a.code == b.code;
}

std::vector<TraceEvent> copy_events(const mailhop::gui::Session& s) {
  return {s.events().begin(), s.events().end()};
}

// The middle of the tab named `name` as the last frame laid it out (any tab bar; a tab bar
// lays out its tabs from its second frame).
std::optional<ImVec2> tab_centre(const std::string& name) {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  for (int n = 0; n < g.TabBars.GetMapSize(); ++n) {
    const ImGuiTabBar* bar = g.TabBars.TryGetMapData(n);
    if (bar == nullptr) continue;
    for (const ImGuiTabItem& tab : bar->Tabs) {
      if (tab.NameOffset < 0 || name != bar->GetTabName(&tab)) continue;
      return ImVec2(bar->BarRect.Min.x + tab.Offset - bar->ScrollingAnim + tab.Width / 2,
                    (bar->BarRect.Min.y + bar->BarRect.Max.y) / 2);
    }
  }
  return std::nullopt;
}

// The app's own tabs (network, conversation, explanation, inspector, event log) that the last
// frame drew narrower than their names.
std::vector<std::string> app_tabs_cut(const mailhop::text::Catalog& catalog) {
  std::vector<std::string> names;
  for (const char* key : {"app.tab.network", "app.tab.ladder", "app.tab.explanation",
                          "app.tab.inspector", "app.tab.event_log"}) {
    names.push_back(catalog.get(key));
  }
  std::vector<std::string> cut;
  ImGuiContext& g = *ImGui::GetCurrentContext();
  for (int n = 0; n < g.TabBars.GetMapSize(); ++n) {
    const ImGuiTabBar* bar = g.TabBars.TryGetMapData(n);
    if (bar == nullptr) continue;
    for (const ImGuiTabItem& tab : bar->Tabs) {
      if (tab.NameOffset < 0 || tab.LastFrameVisible != g.FrameCount) continue;
      const std::string name = bar->GetTabName(&tab);
      if (std::find(names.begin(), names.end(), name) != names.end() &&
          tab.Width < tab.ContentWidth) {
        cut.push_back(name);
      }
    }
  }
  return cut;
}

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / ("mailhop_app_test_" + name);
}

}  // namespace

TEST_CASE("the app opens a scenario and draws every region", "[gui][app]") {
  Headless h;
  h.frame();
  CHECK(h.app->session() == nullptr);
  h.open();
  REQUIRE(h.app->session() != nullptr);
  CHECK(h.app->session()->path() == kJourney);
  CHECK(h.app->session()->events().empty());
  CHECK(h.app->error_message().empty());
  CHECK(h.app->recent_files().files().size() == 1);
}

TEST_CASE("a file that does not load keeps the old scenario and shows the error", "[gui][app]") {
  Headless h;
  h.open();
  h.app->apply(command::OpenScenario{kScenarios / "no-such-file.json"});
  REQUIRE(h.app->session() != nullptr);
  CHECK(h.app->session()->path() == kJourney);
  CHECK(h.app->error_message().find("no-such-file.json") != std::string::npos);
  h.frame();
}

TEST_CASE("step back gives exactly the events of a fresh run", "[gui][app]") {
  Headless h;
  h.open();
  for (int i = 0; i < 40; ++i) h.app->apply(command::StepEvent{});
  REQUIRE(h.app->session()->events().size() == 40);
  for (int i = 0; i < 15; ++i) h.app->apply(command::StepBack{});
  REQUIRE(h.app->session()->events().size() == 25);
  const std::vector<TraceEvent> after_back = copy_events(*h.app->session());

  std::string error;
  const auto fresh = mailhop::gui::Session::open(kJourney, &error);
  REQUIRE(fresh);
  fresh->seek_time(SimTime::from_minutes(10));
  const std::vector<TraceEvent> full = copy_events(*fresh);
  REQUIRE(full.size() > 40);
  for (std::size_t i = 0; i < after_back.size(); ++i) {
    INFO(i);
    CHECK(same_event(after_back[i], full[i]));
  }
  // The selection follows the newest event shown.
  REQUIRE(h.app->selection().event.has_value());
  CHECK(*h.app->selection().event == 24);
}

TEST_CASE("the step commands stop at a line, a hop and a message", "[gui][app]") {
  Headless h;
  h.open();
  const mailhop::gui::Session& s = *h.app->session();
  h.app->apply(command::StepMessage{});
  REQUIRE_FALSE(s.events().empty());
  CHECK(mailhop::gui::is_message_event(s.events().back(), s.scenario()));
  h.app->apply(command::StepLine{});
  CHECK(mailhop::gui::is_line_event(s.events().back()));
  h.app->apply(command::StepHop{});
  CHECK(mailhop::gui::is_hop_event(s.events().back()));
  // Selecting an event also selects its connection and node.
  h.app->apply(command::StepLine{});
  const TraceEvent& line = s.events().back();
  CHECK(h.app->selection().connection == line.connection);
  CHECK(h.app->selection().node == line.node);
  h.app->apply(command::SeekEvent{0});
  CHECK(s.events().empty());
  CHECK_FALSE(h.app->selection().event.has_value());
}

TEST_CASE("keys: space plays, arrows step, shift+arrow steps a line, home restarts", "[gui][app]") {
  Headless h;
  h.open();
  const mailhop::gui::Session& s = *h.app->session();
  h.press(kKeyRight);
  CHECK(s.events().size() == 1);
  h.press(kKeyRight, true);
  CHECK(mailhop::gui::is_line_event(s.events().back()));
  const std::size_t shown = s.events().size();
  h.press(kKeyLeft);
  CHECK(s.events().size() == shown - 1);
  h.press(kKeySpace);
  CHECK(h.app->playback().playing);
  h.press(kKeySpace);
  CHECK_FALSE(h.app->playback().playing);
  h.press(kKeyHome);
  CHECK(s.events().empty());
}

TEST_CASE("playing advances simulated time by wall time times speed", "[gui][app]") {
  Headless h;
  h.open();
  const mailhop::gui::Session& s = *h.app->session();
  h.frame(0.5f);  // paused: nothing moves
  CHECK(s.now() == SimTime{});
  h.app->apply(command::SetSpeed{2.0f});
  h.app->apply(command::Play{});
  h.frame(0.25f);
  CHECK(s.now() == SimTime::from_millis(500));
  h.app->apply(command::SetSpeed{5000.0f});  // clamped to 1000x
  CHECK(h.app->playback().speed == mailhop::gui::kMaxSpeed);
  h.app->apply(command::SetSpeed{0.0f});
  CHECK(h.app->playback().speed == mailhop::gui::kMinSpeed);
  h.app->apply(command::SetSpeed{1000.0f});
  for (int i = 0; i < 10; ++i) h.frame(0.1f);  // 1000 simulated seconds: past the end (10 min)
  CHECK(s.now() == s.end());
  CHECK_FALSE(h.app->playback().playing);
  CHECK_FALSE(s.events().empty());
}

TEST_CASE("the play button and the step button work with the mouse", "[gui][app]") {
  Headless h;
  h.open();
  const auto& rects = h.app->controls_panel().last_rects();
  h.click(rects.step_min, rects.step_max);
  CHECK(h.app->session()->events().size() == 1);
  h.click(h.app->controls_panel().last_rects().play_min, h.app->controls_panel().last_rects().play_max);
  CHECK(h.app->playback().playing);
  h.click(h.app->controls_panel().last_rects().back_min, h.app->controls_panel().last_rects().back_max);
  CHECK_FALSE(h.app->playback().playing);
  CHECK(h.app->session()->events().empty());
}

TEST_CASE("clicking the timeline seeks there", "[gui][app]") {
  Headless h;
  h.open();
  const ImVec2 min = h.app->timeline_panel().last_min();
  const ImVec2 max = h.app->timeline_panel().last_max();
  REQUIRE(max.x > min.x);
  h.click(ImVec2(min.x + (max.x - min.x) * 0.5f, min.y), ImVec2(min.x + (max.x - min.x) * 0.5f, max.y));
  const SimTime now = h.app->session()->now();
  const SimTime half = SimTime::from_minutes(5);
  CHECK(now > half - SimTime::from_seconds(10));
  CHECK(now < half + SimTime::from_seconds(10));
  // Deliveries seen so far are marked.
  h.frame();
  const auto& markers = h.app->timeline_panel().markers();
  CHECK(std::any_of(markers.begin(), markers.end(), [](const mailhop::gui::TimelineMarker& m) {
    return m.kind == mailhop::gui::MarkerKind::kDelivery;
  }));
}

TEST_CASE("a live action is recorded in the script and survives save and load", "[gui][app]") {
  Headless h;
  h.open();
  h.app->apply(command::SeekTime{SimTime::from_seconds(20)});
  const std::size_t steps = h.app->session()->scenario().script.size();
  mailhop::scenario::FaultAction fault;
  fault.kind = mailhop::scenario::FaultKind::kHostDown;
  fault.target = "mx.yahoo.example";
  h.app->apply(command::LiveAction{fault});
  CHECK(h.app->error_message().empty());
  const mailhop::scenario::Scenario& sc = h.app->session()->scenario();
  REQUIRE(sc.script.size() == steps + 1);
  const auto it = std::find_if(sc.script.begin(), sc.script.end(), [&](const auto& step) {
    return step.action == mailhop::scenario::Action{fault};
  });
  REQUIRE(it != sc.script.end());
  CHECK(it->at == SimTime::from_seconds(20));
  CHECK(h.app->session()->dirty());
  h.frame();

  const fs::path file = temp_file("saved.json");
  h.app->apply(command::SaveScenario{file});
  CHECK(h.app->error_message().empty());
  CHECK_FALSE(h.app->session()->dirty());
  const mailhop::scenario::Scenario before = h.app->session()->scenario();
  h.app->apply(command::OpenScenario{file});
  REQUIRE(h.app->session() != nullptr);
  CHECK(h.app->session()->scenario() == before);
  CHECK(h.app->recent_files().files().front() == fs::absolute(file).lexically_normal());
  fs::remove(file);
}

TEST_CASE("a live action that cannot be applied is reported", "[gui][app]") {
  Headless h;
  h.open();
  mailhop::scenario::SendAction send;
  send.from_node = "no-such-node.example";
  send.from = "nobody@nowhere.example";
  send.to = {"julia@yahoo.example"};
  h.app->apply(command::LiveAction{send});
  // Either the world refuses the scenario (an error shown) or it runs and reports the failed
  // submission in the trace; never a crash.
  if (h.app->error_message().empty()) {
    h.app->apply(command::SeekTime{SimTime::from_seconds(5)});
    const auto events = h.app->session()->events();
    CHECK(std::any_of(events.begin(), events.end(),
                      [](const TraceEvent& e) { return e.kind == TraceKind::kSendFailed; }));
  } else {
    CHECK(h.app->error_message().find("no-such-node") != std::string::npos);
  }
  h.frame();
}

TEST_CASE("reload keeps the time shown and drops unsaved live changes", "[gui][app]") {
  Headless h;
  h.open();
  h.app->apply(command::SeekTime{SimTime::from_seconds(3)});
  mailhop::scenario::FaultAction fault;
  fault.kind = mailhop::scenario::FaultKind::kHostDown;
  fault.target = "mx.yahoo.example";
  h.app->apply(command::LiveAction{fault});
  REQUIRE(h.app->session()->dirty());
  h.app->apply(command::Reload{});
  REQUIRE(h.app->session() != nullptr);
  CHECK_FALSE(h.app->session()->dirty());
  CHECK(h.app->session()->now() == SimTime::from_seconds(3));
}

TEST_CASE("language, scale and contrast change at runtime", "[gui][app]") {
  Headless h(1024, 768);
  h.open();
  h.app->apply(command::SetLanguage{Language::kSpanish});
  h.frame();
  CHECK(h.app->catalog().language() == Language::kSpanish);
  CHECK_FALSE(h.app->take_font_rebuild_request());
  h.app->apply(command::SetScale{2.0f});
  CHECK(h.app->settings().scale == 2.0f);
  h.app->apply(command::SetScale{5.0f});
  CHECK(h.app->settings().scale == 3.0f);
  h.frame();  // rebuilds the fonts at 3x and draws
  CHECK(ImGui::GetIO().Fonts->Fonts[0]->FontSize == Approx(mailhop::gui::kRegularFontSize * 3));
  h.app->apply(command::SetScale{0.1f});
  CHECK(h.app->settings().scale == 1.0f);
  h.frame();
  h.app->apply(command::SetHighContrast{true});
  CHECK(h.app->settings().high_contrast);
  CHECK(h.app->take_font_rebuild_request());
  CHECK(h.app->palette().text.x == 0.0f);  // black text
  CHECK(h.app->palette().line_width > mailhop::gui::classroom_palette().line_width);
  h.app->apply(command::SetHighContrast{true});
  CHECK_FALSE(h.app->take_font_rebuild_request());  // unchanged
}

TEST_CASE("panels stack in tabs where two columns would not fit", "[gui][app]") {
  using mailhop::gui::panel_layout;
  using mailhop::gui::PanelLayout;
  // The window's content region is smaller than the window (menu bar, controls, timeline,
  // padding): these are the regions and line heights the app has at those sizes and scales.
  CHECK(panel_layout(ImVec2(996, 601), 26, 1.0f) == PanelLayout::kColumns);   // 1024x768 at 1x
  CHECK(panel_layout(ImVec2(1252, 633), 26, 1.0f) == PanelLayout::kColumns);  // 1280x800 at 1x
  CHECK(panel_layout(ImVec2(1252, 553), 26, 1.0f) == PanelLayout::kColumns);  // 1280x720 at 1x
  CHECK(panel_layout(ImVec2(1558, 650), 39, 1.5f) == PanelLayout::kColumns);  // 1600x900 at 1.5x
  CHECK(panel_layout(ImVec2(1872, 793), 45.5f, 1.75f) == PanelLayout::kColumns);  // 1920x1080
  CHECK(panel_layout(ImVec2(1238, 548), 39, 1.5f) == PanelLayout::kShort);    // 1280x800 at 1.5x
  CHECK(panel_layout(ImVec2(1864, 744), 52, 2.0f) == PanelLayout::kShort);    // 1920x1080 at 2x
  CHECK(panel_layout(ImVec2(1324, 516), 39, 1.5f) == PanelLayout::kShort);    // 1366x768 at 1.5x
  CHECK(panel_layout(ImVec2(1544, 564), 52, 2.0f) == PanelLayout::kShort);    // 1600x900 at 2x
  CHECK(panel_layout(ImVec2(1850, 660), 65, 2.5f) == PanelLayout::kShort);    // 1920x1080 at 2.5x
  CHECK(panel_layout(ImVec2(982, 516), 39, 1.5f) == PanelLayout::kStacked);   // 1024x768 at 1.5x
  CHECK(panel_layout(ImVec2(1224, 464), 52, 2.0f) == PanelLayout::kStacked);  // 1280x800 at 2x
  CHECK(panel_layout(ImVec2(968, 432), 52, 2.0f) == PanelLayout::kStacked);   // 1024x768 at 2x
  CHECK(panel_layout(ImVec2(1836, 576), 78, 3.0f) == PanelLayout::kStacked);  // 1920x1080 at 3x
  CHECK(panel_layout(ImVec2(700, 600), 26, 1.0f) == PanelLayout::kStacked);   // narrow, 1x
}

namespace {

// The shipped scenarios (every .json of scenarios/ but the schema).
std::vector<fs::path> shipped_scenarios() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kScenarios)) {
    if (entry.path().extension() == ".json" && entry.path().filename() != "schema.json") {
      files.push_back(entry.path());
    }
  }
  return files;
}

// Opens `file` and draws it 30 simulated seconds in, with its latest line selected.
void draw_at_30s(Headless& h, const fs::path& file) {
  h.open(file);
  h.app->apply(command::SeekTime{SimTime::from_seconds(30)});
  h.app->select_latest_line();
  h.frame();
  h.frame();
}

}  // namespace

TEST_CASE("every shipped scenario draws at 1024x768 at every scale, in both languages",
          "[gui][app]") {
  const std::vector<fs::path> files = shipped_scenarios();
  REQUIRE(files.size() >= 10);
  for (const float scale : {1.0f, 2.0f, 3.0f}) {
    for (const Language language : {Language::kSpanish, Language::kEnglish}) {
      Headless h(1024, 768, language, scale, scale == 3.0f);
      for (const fs::path& file : files) {
        INFO(file.string() << " at " << scale);
        draw_at_30s(h, file);
        CHECK(h.app->error_message().empty());
      }
    }
  }
}

TEST_CASE("every shipped scenario draws on 16:9 projectors at 1.75x to 3x", "[gui][app]") {
  using mailhop::gui::PanelLayout;
  const std::vector<fs::path> files = shipped_scenarios();
  REQUIRE(files.size() >= 10);
  struct Screen {
    float width, height, scale;
    PanelLayout layout;
  };
  for (const Screen screen :
       {Screen{1600, 900, 2.0f, PanelLayout::kShort}, Screen{1920, 1080, 2.5f, PanelLayout::kShort},
        Screen{1920, 1080, 2.0f, PanelLayout::kShort},
        Screen{1920, 1080, 1.75f, PanelLayout::kColumns},
        Screen{1920, 1080, 3.0f, PanelLayout::kStacked}}) {
    for (const Language language : {Language::kSpanish, Language::kEnglish}) {
      Headless h(screen.width, screen.height, language, screen.scale);
      for (const fs::path& file : files) {
        INFO(file.string() << " at " << screen.width << "x" << screen.height << " " << screen.scale
                           << "x");
        draw_at_30s(h, file);
        CHECK(h.app->error_message().empty());
        CHECK(h.app->layout() == screen.layout);
        // Two columns of tabs: every tab's name whole.
        if (screen.layout == PanelLayout::kShort) CHECK(app_tabs_cut(h.app->catalog()).empty());
      }
    }
  }
}

TEST_CASE("the glyphs of Spanish text and of the controls are in the font", "[gui]") {
  Headless h;
  const ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
  for (const ImWchar c : {u'á', u'é', u'í', u'ó', u'ú', u'ñ', u'Ñ', u'ü', u'¿', u'¡', u'«', u'»',
                          u'→', u'◀', u'▶', u'▮', u'–', u'—', u'“', u'”', u'×', u'↳', u'›', u'┃'}) {
    INFO(static_cast<int>(c));
    CHECK(font->FindGlyphNoFallback(c) != nullptr);
  }
}

TEST_CASE("compose and fetch push live actions that run", "[gui][app]") {
  Headless h;
  h.open(kScenarios / "11-pop3-vs-imap.json");
  h.app->apply(command::SeekTime{SimTime::from_minutes(1)});
  const std::size_t steps = h.app->session()->scenario().script.size();
  mailhop::scenario::FetchAction fetch;
  fetch.node = "laptop.julia.example";
  fetch.account = "julia@yahoo.example";
  h.app->apply(command::LiveAction{fetch});
  CHECK(h.app->error_message().empty());
  CHECK(h.app->session()->scenario().script.size() == steps + 1);
  h.app->apply(command::LiveAction{mailhop::gui::make_send_action(
      "laptop.julia.example", "julia@yahoo.example", "julia@yahoo.example", "Note", "Hi")});
  CHECK(h.app->error_message().empty());
  CHECK(h.app->session()->scenario().script.size() == steps + 2);
  h.app->apply(command::SeekTime{SimTime::from_minutes(3)});
  const auto events = h.app->session()->events();
  CHECK(std::any_of(events.begin(), events.end(), [](const TraceEvent& e) {
    return e.time >= SimTime::from_minutes(1) && e.node == "laptop.julia.example" &&
           e.kind == TraceKind::kConnectionOpened;
  }));
  // The app draws the result.
  h.frame();
}

TEST_CASE("playing brings the network's animation up to date for the next frame",
          "[gui][app][network]") {
  Headless h;
  h.open();
  h.app->apply(command::Play{});
  h.frame(0.0f);
  int changes = 0;
  std::size_t last = h.app->envelopes_animated();
  for (int i = 0; i < 120; ++i) {
    h.frame(1.0f / 60.0f);  // draws, then plays a 60th of a second
    const std::size_t after_playing = h.app->envelopes_animated();
    h.frame(0.0f);  // draws the state just played: nothing left to take in
    CHECK(h.app->envelopes_animated() == after_playing);
    if (after_playing != last) ++changes;
    last = after_playing;
  }
  CHECK(changes > 0);
}

TEST_CASE("what is clicked on the network shows beside it where the panels are tabs",
          "[gui][app]") {
  using Panel = App::Panel;
  // 1600x900 at 2x: two columns of tabs (network and event log | conversation, explanation and
  // inspector).
  Headless h(1600, 900, Language::kSpanish, 2.0f);
  h.open();
  h.app->apply(command::SeekTime{SimTime::from_seconds(20)});
  h.frame();
  h.frame();
  REQUIRE(h.app->layout() == mailhop::gui::PanelLayout::kShort);
  CHECK(h.app->panel_drawn(Panel::kNetwork));
  CHECK(h.app->panel_drawn(Panel::kLadder));
  CHECK_FALSE(h.app->panel_drawn(Panel::kInspector));

  // A click on a host: its inspector comes to the front of the other column.
  h.click_host("mx.yahoo.example");
  CHECK(h.app->selection().node == "mx.yahoo.example");
  CHECK(h.app->panel_drawn(Panel::kNetwork));
  CHECK(h.app->panel_drawn(Panel::kInspector));
  CHECK_FALSE(h.app->panel_drawn(Panel::kLadder));

  // A connection (an envelope clicked) brings its conversation back; an event that is not a
  // line of one, its explanation.
  const auto events = h.app->session()->events();
  std::size_t line = events.size();
  std::size_t other = events.size();
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].connection != 0 && line == events.size()) line = i;
    if (events[i].connection == 0 && other == events.size()) other = i;
  }
  REQUIRE(line < events.size());
  REQUIRE(other < events.size());
  h.app->apply(command::SelectConnection{events[line].connection});
  h.frame();
  h.frame();
  CHECK(h.app->panel_drawn(Panel::kLadder));
  CHECK_FALSE(h.app->panel_drawn(Panel::kInspector));
  h.app->apply(command::SelectEvent{other});
  h.frame();
  h.frame();
  CHECK(h.app->panel_drawn(Panel::kExplanation));
  CHECK(h.app->panel_drawn(Panel::kNetwork));

  // A choice made inside a column keeps that column's tab: a click in the explanation, then an
  // event chosen there, leaves the explanation in front.
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const ImVec2 inside(display.x * 0.8f, display.y * 0.85f);
  h.click(inside, inside);
  h.app->apply(command::SelectEvent{line});
  h.frame();
  h.frame();
  CHECK(h.app->panel_drawn(Panel::kExplanation));
  CHECK_FALSE(h.app->panel_drawn(Panel::kLadder));
}

TEST_CASE("a host picked on the network brings the inspector to the front below it", "[gui][app]") {
  using Panel = App::Panel;
  Headless h;  // 1280x800 at 1x: four panels, the inspector in a tab with the event log
  h.open();
  h.frame();  // the tabs are laid out
  REQUIRE(h.app->layout() == mailhop::gui::PanelLayout::kColumns);
  CHECK(h.app->panel_drawn(Panel::kInspector));
  CHECK_FALSE(h.app->panel_drawn(Panel::kEventLog));
  const std::optional<ImVec2> log_tab = tab_centre("Event log");
  REQUIRE(log_tab);
  h.click(*log_tab, *log_tab);
  CHECK(h.app->panel_drawn(Panel::kEventLog));
  CHECK_FALSE(h.app->panel_drawn(Panel::kInspector));

  h.click_host("mx.yahoo.example");
  CHECK(h.app->selection().node == "mx.yahoo.example");
  CHECK(h.app->panel_drawn(Panel::kInspector));
  CHECK_FALSE(h.app->panel_drawn(Panel::kEventLog));
}

TEST_CASE("on a small screen a host is inspected with a double-click or its menu", "[gui][app]") {
  using Panel = App::Panel;
  // 1024x768 at 1.5x: every panel a tab of one bar, the network the first.
  Headless h(1024, 768, Language::kEnglish, 1.5f);
  h.open();
  h.frame();
  REQUIRE(h.app->layout() == mailhop::gui::PanelLayout::kStacked);
  REQUIRE(h.app->panel_drawn(Panel::kNetwork));
  // A click selects the host and keeps the network in view.
  h.click_host("mx.yahoo.example");
  CHECK(h.app->selection().node == "mx.yahoo.example");
  CHECK(h.app->panel_drawn(Panel::kNetwork));
  CHECK_FALSE(h.app->panel_drawn(Panel::kInspector));

  // A double-click inspects it.
  const std::optional<ImVec2> relay = h.app->host_on_screen("smtp.gmail.example");
  REQUIRE(relay);
  ImGuiIO& io = ImGui::GetIO();
  io.MousePos = *relay;
  h.frame();
  for (int i = 0; i < 2; ++i) {
    io.MouseDown[0] = true;
    h.frame();
    io.MouseDown[0] = false;
    h.frame();
  }
  h.frame();
  h.frame();
  CHECK(h.app->selection().node == "smtp.gmail.example");
  CHECK(h.app->panel_drawn(Panel::kInspector));
  CHECK_FALSE(h.app->panel_drawn(Panel::kNetwork));

  // "Inspect" from a host's menu does the same.
  const std::optional<ImVec2> network_tab = tab_centre("Network");
  REQUIRE(network_tab);
  h.click(*network_tab, *network_tab);
  h.frame();
  REQUIRE(h.app->panel_drawn(Panel::kNetwork));
  h.app->apply(command::SelectNode{"mx.yahoo.example", true});
  h.frame();
  h.frame();
  CHECK(h.app->panel_drawn(Panel::kInspector));
  CHECK_FALSE(h.app->panel_drawn(Panel::kNetwork));
}

TEST_CASE("real clients: the app lets one in, answers it in the next frame and shows its lines",
          "[gui][app][live]") {
  Headless h;
  h.open();
  // The certificate is written out for the class each time the ports open.
  const std::filesystem::path cert =
      std::filesystem::temp_directory_path() / ("mailhop-app-cert-" + std::to_string(getpid()));
  h.app->set_certificate_file(cert);
  // A free port leading to the MSA (SDL_net takes no port 0: ports are tried).
  int port = 0;
  for (int i = 0; i < 200 && !h.app->live_clients().active(); ++i) {
    port = 20000 + static_cast<int>((getpid() * 11 + i * 137) % 30000);
    h.app->apply(command::SetRealClients{true, {{port, "smtp.gmail.example", 587}}});
  }
  REQUIRE(h.app->live_clients().active());
  {
    std::ifstream in(cert, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string pem = text.str();
    CHECK(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    CHECK(pem == h.app->live_clients().certificate_pem());
    CHECK(h.app->error_message().empty());
  }
  std::filesystem::remove(cert);
  std::string why;
  std::optional<mailhop::realnet::TcpStream> stream =
      mailhop::realnet::TcpStream::connect("127.0.0.1", port, &why);
  REQUIRE(stream);
  // Frames until the client has read `expected` (each frame lets clients in and answers them).
  std::string received;
  const auto frames_until = [&](const std::string& expected) {
    std::string bytes;
    for (int i = 0; i < 200 && received.find(expected) == std::string::npos; ++i) {
      h.frame();
      if (stream->read(std::chrono::milliseconds(5), &bytes) ==
          mailhop::realnet::TcpStream::Read::kData) {
        received += bytes;
      }
    }
    return received.find(expected) != std::string::npos;
  };
  CHECK(frames_until("220 smtp.gmail.example ESMTP"));
  CHECK(h.app->live_clients().connected() == 1);
  REQUIRE(stream->write("EHLO laptop\r\n"));
  CHECK(frames_until("250 STARTTLS\r\n"));
  // The line is in the session's trace, from the outside client, and the ladder shows it.
  const auto& events = h.app->session()->events();
  const auto ehlo = std::find_if(events.begin(), events.end(), [](const TraceEvent& e) {
    return e.kind == TraceKind::kClientLine && e.node == "127.0.0.1" && e.text == "EHLO laptop";
  });
  CHECK(ehlo != events.end());
  REQUIRE(h.app->selection().event);
  CHECK(events[*h.app->selection().event].peer == "127.0.0.1");
  REQUIRE(stream->write("QUIT\r\n"));
  CHECK(frames_until("221 2.0.0"));
  h.app->apply(command::SetRealClients{false, {}});
  CHECK_FALSE(h.app->live_clients().active());
  CHECK(h.app->session()->dirty());  // the session is part of the lesson now

  // A certificate file that cannot be written is said (the ports stay open).
  h.app->set_certificate_file(cert / "no-such-folder" / "cert.pem");
  h.app->apply(command::SetRealClients{true, {{port, "smtp.gmail.example", 587}}});
  CHECK(h.app->live_clients().active());
  CHECK(h.app->error_message() ==
        "cannot write " + (cert / "no-such-folder" / "cert.pem").string());
  h.app->apply(command::SetRealClients{false, {}});
}
