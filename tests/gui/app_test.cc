// The app on a bare ImGui context: no window, no OpenGL. Frames are driven by hand, with keys
// and mouse clicks fed through ImGuiIO as a backend would.

#include "gui/app.h"

#include <imgui.h>

#include <catch2/catch.hpp>

#include "gui/demo_scenario.h"

namespace {

using mailhop::gui::App;
using mailhop::text::Language;
namespace command = mailhop::gui::command;

const std::filesystem::path kAssets = MAILHOP_ASSETS_DIR;

// Key indices as the GLFW backend maps them.
constexpr int kKeySpace = 32;
constexpr int kKeyRight = 262;
constexpr int kKeyLeft = 263;
constexpr int kKeyDown = 264;
constexpr int kKeyUp = 265;
constexpr int kKeyHome = 268;

class Headless {
 public:
  explicit Headless(float width = 1280, float height = 800, Language language = Language::kEnglish,
                    float scale = 1.0f) {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(width, height);
    io.DeltaTime = 1.0f / 60.0f;
    io.KeyMap[ImGuiKey_Space] = kKeySpace;
    io.KeyMap[ImGuiKey_RightArrow] = kKeyRight;
    io.KeyMap[ImGuiKey_LeftArrow] = kKeyLeft;
    io.KeyMap[ImGuiKey_DownArrow] = kKeyDown;
    io.KeyMap[ImGuiKey_UpArrow] = kKeyUp;
    io.KeyMap[ImGuiKey_Home] = kKeyHome;

    mailhop::text::LoadError error;
    auto catalog = mailhop::text::Catalog::load(kAssets / "i18n", &error);
    auto explanations = mailhop::text::Explanations::load(kAssets / "explain", &error);
    REQUIRE(catalog);
    REQUIRE(explanations);
    app = std::make_unique<App>(std::move(*catalog), std::move(*explanations),
                                mailhop::gui::Conversation(mailhop::gui::run_demo_conversation()),
                                mailhop::gui::Settings{language, scale});
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
    mailhop::gui::apply_style(ImGui::GetStyle(), app->settings().scale);
  }

  void frame() {
    if (app->take_font_rebuild_request()) build_fonts();
    ImGui::NewFrame();
    app->frame();
    ImGui::Render();
  }

  void press(int key) {
    ImGui::GetIO().KeysDown[key] = true;
    frame();
    ImGui::GetIO().KeysDown[key] = false;
    frame();
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

  std::unique_ptr<App> app;
};

}  // namespace

TEST_CASE("keys step through the conversation", "[gui]") {
  Headless h;
  h.frame();
  CHECK(h.app->conversation().revealed() == 0);
  CHECK(h.app->transcript_panel().rows_drawn() == 0);

  h.press(kKeySpace);
  CHECK(h.app->conversation().revealed() == 1);
  h.press(kKeyRight);
  h.press(kKeyRight);
  CHECK(h.app->conversation().revealed() == 3);
  CHECK(h.app->transcript_panel().rows_drawn() == 3);
  h.press(kKeyLeft);
  CHECK(h.app->conversation().revealed() == 2);

  // Up and down move the selection among revealed lines only.
  CHECK(h.app->conversation().selected() == 1u);
  h.press(kKeyUp);
  CHECK(h.app->conversation().selected() == 0u);
  h.press(kKeyUp);
  CHECK(h.app->conversation().selected() == 0u);
  h.press(kKeyDown);
  CHECK(h.app->conversation().selected() == 1u);
  h.press(kKeyDown);
  CHECK(h.app->conversation().selected() == 1u);

  h.press(kKeyHome);
  CHECK(h.app->conversation().revealed() == 0);
}

TEST_CASE("the Next, Back and Restart buttons work with the mouse", "[gui]") {
  Headless h;
  h.frame();
  const auto& rects = h.app->controls_panel().last_rects();
  h.click(rects.next_min, rects.next_max);
  CHECK(h.app->conversation().revealed() == 1);
  h.click(h.app->controls_panel().last_rects().next_min,
          h.app->controls_panel().last_rects().next_max);
  CHECK(h.app->conversation().revealed() == 2);
  h.click(h.app->controls_panel().last_rects().back_min,
          h.app->controls_panel().last_rects().back_max);
  CHECK(h.app->conversation().revealed() == 1);
  h.click(h.app->controls_panel().last_rects().restart_min,
          h.app->controls_panel().last_rects().restart_max);
  CHECK(h.app->conversation().revealed() == 0);
}

TEST_CASE("the selected line is explained in the current language", "[gui]") {
  Headless h;
  h.frame();
  CHECK(h.app->explanation_panel().last_sections().empty());
  h.press(kKeySpace);  // connection note
  h.press(kKeySpace);  // 220 greeting
  const auto& sections = h.app->explanation_panel().last_sections();
  REQUIRE_FALSE(sections.empty());
  CHECK(sections[0].title == "220 — The server greets the client");

  h.app->apply(command::SetLanguage{Language::kSpanish});
  h.frame();
  CHECK(h.app->settings().language == Language::kSpanish);
  CHECK(h.app->catalog().language() == Language::kSpanish);
  REQUIRE_FALSE(h.app->explanation_panel().last_sections().empty());
  CHECK(h.app->explanation_panel().last_sections()[0].title ==
        "220 — El servidor saluda al cliente");
}

TEST_CASE("changing the scale asks for new fonts once and stays within 1x to 3x", "[gui]") {
  Headless h(1024, 768);
  h.frame();
  CHECK_FALSE(h.app->take_font_rebuild_request());
  h.app->apply(command::SetScale{2.0f});
  CHECK(h.app->settings().scale == 2.0f);
  h.app->apply(command::SetScale{5.0f});
  CHECK(h.app->settings().scale == 3.0f);
  h.frame();  // rebuilds the fonts at 3x and draws
  CHECK_FALSE(h.app->take_font_rebuild_request());
  CHECK(ImGui::GetIO().Fonts->Fonts[0]->FontSize == Approx(mailhop::gui::kRegularFontSize * 3));
  h.app->apply(command::SetScale{3.0f});
  CHECK_FALSE(h.app->take_font_rebuild_request());  // unchanged
  h.app->apply(command::SetScale{0.1f});
  CHECK(h.app->settings().scale == 1.0f);
}

TEST_CASE("every line of the conversation draws at every scale without trouble", "[gui]") {
  for (const float scale : {1.0f, 2.0f, 3.0f}) {
    INFO(scale);
    Headless h(1024, 768, Language::kSpanish, scale);
    for (std::size_t i = 0; i <= h.app->conversation().size(); ++i) h.press(kKeyRight);
    CHECK(h.app->conversation().at_end());
    CHECK(h.app->transcript_panel().rows_drawn() == h.app->conversation().size());
    CHECK_FALSE(h.app->explanation_panel().last_sections().empty());
  }
}

TEST_CASE("the glyphs of Spanish text are in the font", "[gui]") {
  Headless h;
  const ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
  for (const ImWchar c : {u'á', u'é', u'í', u'ó', u'ú', u'ñ', u'Ñ', u'ü', u'¿', u'¡', u'«',
                          u'»', u'→', u'◀', u'▶', u'–', u'—', u'“', u'”', u'×', u'↳'}) {
    INFO(static_cast<int>(c));
    CHECK(font->FindGlyphNoFallback(c) != nullptr);
  }
}
