#include "gui/theme.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace mailhop::gui {
namespace {

ImVec4 rgb(int r, int g, int b, float a = 1.0f) {
  return ImVec4(static_cast<float>(r) / 255.0f, static_cast<float>(g) / 255.0f,
                static_cast<float>(b) / 255.0f, a);
}

// Reads a TrueType file into memory the atlas will own (and free).
bool add_font(ImFontAtlas& atlas, const std::filesystem::path& file, float size_pixels,
              ImFont** out, std::string* error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (error) *error = file.string() + ": cannot open the font file";
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // sfnt version 0x00010000 or "true": what stb_truetype reads.
  const bool truetype = bytes.size() > 12 && (std::memcmp(bytes.data(), "\0\1\0\0", 4) == 0 ||
                                              std::memcmp(bytes.data(), "true", 4) == 0);
  if (!truetype) {
    if (error) *error = file.string() + ": not a TrueType font file";
    return false;
  }
  void* data = IM_ALLOC(bytes.size());
  std::memcpy(data, bytes.data(), bytes.size());
  ImFontConfig config;
  config.FontDataOwnedByAtlas = true;
  // Glyphs one texel to a pixel, on whole pixels: the atlas is sampled with GL_NEAREST, which
  // a software renderer does at a fraction of the cost of filtering (gui/window.cc).
  config.OversampleH = 1;
  config.OversampleV = 1;
  config.PixelSnapH = true;
  *out = atlas.AddFontFromMemoryTTF(data, static_cast<int>(bytes.size()), size_pixels, &config,
                                    glyph_ranges());
  if (*out == nullptr) {
    if (error) *error = file.string() + ": the font could not be added";
    return false;
  }
  return true;
}

}  // namespace

ImVec4 Palette::color(LineTone tone) const {
  switch (tone) {
    case LineTone::kCommand:
      return command;
    case LineTone::kMessage:
      return message;
    case LineTone::kPositive:
      return positive;
    case LineTone::kIntermediate:
      return intermediate;
    case LineTone::kTransient:
      return transient;
    case LineTone::kPermanent:
      return permanent;
    case LineTone::kNote:
      return note;
  }
  return text;
}

const Palette& classroom_palette() {
  static const Palette palette{
      rgb(255, 255, 255),  // background: the panels' own, so that they need not paint it
      rgb(28, 28, 28),     // text
      rgb(94, 102, 112),   // muted
      rgb(24, 24, 24),     // command
      rgb(70, 72, 110),    // message
      rgb(22, 122, 52),    // positive: green
      rgb(28, 88, 190),    // intermediate: blue
      rgb(168, 96, 0),     // transient: amber, dark enough for white backgrounds
      rgb(196, 36, 30),    // permanent: red
      rgb(112, 84, 150),   // note
      rgb(47, 111, 222),   // accent
      rgb(222, 240, 226),  // encrypted_row: pale green
      rgb(24, 70, 150),    // accent_text: dark blue
      rgb(255, 255, 255),  // panel
      rgb(200, 204, 210),  // border
      1.5f,                // line_width
  };
  return palette;
}

// Black on white with pure, strong colours; every line and border drawn thicker.
const Palette& high_contrast_palette() {
  static const Palette palette{
      rgb(255, 255, 255),  // background
      rgb(0, 0, 0),        // text
      rgb(40, 40, 40),     // muted: still near-black
      rgb(0, 0, 0),        // command
      rgb(0, 0, 120),      // message
      rgb(0, 110, 0),      // positive: green
      rgb(0, 0, 220),      // intermediate: blue
      rgb(150, 70, 0),     // transient: brown-orange
      rgb(200, 0, 0),      // permanent: red
      rgb(110, 0, 150),    // note: purple
      rgb(0, 60, 200),     // accent
      rgb(205, 240, 205),  // encrypted_row
      rgb(0, 0, 140),      // accent_text
      rgb(255, 255, 255),  // panel
      rgb(0, 0, 0),        // border
      3.0f,                // line_width
  };
  return palette;
}

const Palette& palette_for(Contrast contrast) {
  return contrast == Contrast::kHigh ? high_contrast_palette() : classroom_palette();
}

const ImWchar* glyph_ranges() {
  static const ImWchar ranges[] = {
      0x0020, 0x00FF,  // Basic Latin + Latin-1 Supplement (á é í ó ú ñ ¿ ¡ ü)
      0x0100, 0x017F,  // Latin Extended-A
      0x2010, 0x2027,  // dashes, quotes, bullet, ellipsis
      0x2030, 0x203A,  // per mille, primes, guillemets ‹ ›
      0x20AC, 0x20AC,  // euro sign
      0x2190, 0x21FF,  // arrows → ← ↳ ⇄
      0x2500, 0x257F,  // box drawing
      0x25A0, 0x25FF,  // geometric shapes ▶ ◀ ● ■
      0x2713, 0x2718,  // check marks and crosses
      0,
  };
  return ranges;
}

std::optional<Fonts> load_fonts(ImFontAtlas& atlas, const std::filesystem::path& assets_dir,
                                float scale, std::string* error) {
  atlas.Clear();
  // Anti-aliased lines are drawn as shapes, not from pre-drawn lines in the atlas: those need
  // the texture filtered, and it is not.
  atlas.Flags |= ImFontAtlasFlags_NoBakedLines;
  const std::filesystem::path sans = assets_dir / "fonts" / "DejaVuSans.ttf";
  const std::filesystem::path mono = assets_dir / "fonts" / "DejaVuSansMono.ttf";
  Fonts fonts;
  // The first font added is ImGui's default.
  if (!add_font(atlas, sans, kRegularFontSize * scale, &fonts.regular, error)) return std::nullopt;
  if (!add_font(atlas, mono, kMonoFontSize * scale, &fonts.mono, error)) return std::nullopt;
  if (!add_font(atlas, sans, kHeadingFontSize * scale, &fonts.heading, error)) return std::nullopt;
  // The sprites are painted into the atlas's pixels once it is built; without room for them
  // the envelopes are drawn as shapes.
  fonts.sprites.reserve(atlas);
  fonts.sprites.paint(atlas);
  return fonts;
}

void apply_style(ImGuiStyle& style, float scale, Contrast contrast) {
  style = ImGuiStyle();
  ImGui::StyleColorsLight(&style);
  const Palette& p = palette_for(contrast);
  const bool high = contrast == Contrast::kHigh;
  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = p.text;
  c[ImGuiCol_TextDisabled] = p.muted;
  c[ImGuiCol_WindowBg] = p.background;
  // Panels are the background the frame is cleared with, framed by their borders: a software
  // renderer (Mesa's llvmpipe, as in many school virtual machines) pays for every painted layer
  // of every pixel, and painted panels cost it more than half of an idle frame.
  c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_PopupBg] = rgb(255, 255, 255);
  c[ImGuiCol_MenuBarBg] = high ? rgb(255, 255, 255) : rgb(234, 237, 242);
  c[ImGuiCol_Border] = p.border;
  c[ImGuiCol_FrameBg] = rgb(232, 235, 240);
  c[ImGuiCol_FrameBgHovered] = rgb(214, 223, 240);
  c[ImGuiCol_FrameBgActive] = rgb(196, 210, 238);
  c[ImGuiCol_Button] = rgb(226, 231, 240);
  c[ImGuiCol_ButtonHovered] = rgb(204, 218, 244);
  c[ImGuiCol_ButtonActive] = rgb(176, 198, 240);
  c[ImGuiCol_Header] = ImVec4(p.accent.x, p.accent.y, p.accent.z, 0.22f);
  c[ImGuiCol_HeaderHovered] = ImVec4(p.accent.x, p.accent.y, p.accent.z, 0.12f);
  c[ImGuiCol_HeaderActive] = ImVec4(p.accent.x, p.accent.y, p.accent.z, 0.30f);
  c[ImGuiCol_SliderGrab] = p.accent;
  c[ImGuiCol_SliderGrabActive] = p.accent;
  c[ImGuiCol_CheckMark] = p.accent;
  c[ImGuiCol_TableHeaderBg] = rgb(236, 238, 242);
  c[ImGuiCol_TableBorderStrong] = rgb(200, 204, 210);
  c[ImGuiCol_TableBorderLight] = rgb(226, 228, 232);
  c[ImGuiCol_TableRowBg] = rgb(255, 255, 255, 0.0f);
  c[ImGuiCol_TableRowBgAlt] = rgb(244, 246, 250);
  c[ImGuiCol_Separator] = high ? rgb(0, 0, 0) : rgb(210, 214, 220);
  c[ImGuiCol_Tab] = high ? rgb(225, 225, 225) : rgb(226, 231, 240);
  c[ImGuiCol_TabHovered] = high ? rgb(190, 205, 255) : rgb(204, 218, 244);
  c[ImGuiCol_TabActive] = high ? rgb(255, 255, 255) : rgb(255, 255, 255);
  c[ImGuiCol_TitleBg] = rgb(226, 231, 240);
  c[ImGuiCol_TitleBgActive] = high ? rgb(200, 210, 255) : rgb(204, 218, 244);
  c[ImGuiCol_ModalWindowDimBg] = rgb(0, 0, 0, 0.35f);
  if (high) {
    c[ImGuiCol_FrameBg] = rgb(255, 255, 255);
    c[ImGuiCol_Button] = rgb(235, 235, 235);
    c[ImGuiCol_TableBorderStrong] = rgb(0, 0, 0);
    c[ImGuiCol_TableBorderLight] = rgb(90, 90, 90);
    c[ImGuiCol_TableRowBgAlt] = rgb(240, 240, 240);
  }

  style.WindowPadding = ImVec2(14, 12);
  style.FramePadding = ImVec2(12, 6);
  style.ItemSpacing = ImVec2(10, 8);
  style.ItemInnerSpacing = ImVec2(8, 6);
  style.CellPadding = ImVec2(8, 3);
  style.ScrollbarSize = 16;
  style.FrameRounding = 5;
  style.ChildRounding = 5;
  style.GrabRounding = 5;
  style.WindowRounding = 0;
  style.WindowBorderSize = 0;
  style.ChildBorderSize = high ? 2.0f : 1.0f;
  style.FrameBorderSize = high ? 2.0f : 1.0f;
  style.PopupBorderSize = high ? 2.0f : 1.0f;
  style.ScaleAllSizes(scale);
}

}  // namespace mailhop::gui
