#pragma once
// Fonts, colours and style. Two palettes: the classroom one (light, with dark saturated text
// colours: what stays readable on a projector) and a high-contrast one (black on white, strong
// colours, thicker lines) switchable at runtime. Sizes are multiplied by the UI scale (1x to 3x).

#include <imgui.h>

#include <filesystem>
#include <optional>
#include <string>

#include "gui/line_style.h"
#include "gui/sprites.h"

namespace mailhop::gui {

struct Fonts {
  ImFont* regular = nullptr;  // DejaVu Sans: labels, explanations
  ImFont* mono = nullptr;     // DejaVu Sans Mono: protocol lines, times
  ImFont* heading = nullptr;  // DejaVu Sans, larger: titles
  Sprites sprites;            // pictures painted into the same atlas (envelopes, hosts)
  // The renderer samples the atlas unfiltered: glyphs and sprites are drawn one texel to a
  // pixel, on whole pixels. Text drawn at another size than its font's (the network view's
  // labels, which shrink with the zoom) needs filtering: draw it between these two draw-list
  // callbacks. Null without a renderer (the tests).
  ImDrawCallback filtered_begin = nullptr;
  ImDrawCallback filtered_end = nullptr;
  // Quads that paint every pixel opaquely (envelope sprites at full alpha) look the same
  // without blending, which a software renderer does per pixel: draw runs of them between
  // these two callbacks. Null without a renderer (the tests).
  ImDrawCallback opaque_begin = nullptr;
  ImDrawCallback opaque_end = nullptr;
};

// Base pixel sizes at scale 1 (legible at 1024x768).
inline constexpr float kRegularFontSize = 18.0f;
inline constexpr float kMonoFontSize = 17.0f;
inline constexpr float kHeadingFontSize = 24.0f;

struct Palette {
  ImVec4 background;
  ImVec4 text;
  ImVec4 muted;          // times, RFC references, hints
  ImVec4 command;        // client commands: neutral
  ImVec4 message;        // the message content
  ImVec4 positive;       // 2xx green
  ImVec4 intermediate;   // 3xx blue
  ImVec4 transient;      // 4xx amber
  ImVec4 permanent;      // 5xx red
  ImVec4 note;           // connection and TLS notes
  ImVec4 accent;         // selection and buttons
  ImVec4 encrypted_row;  // background of lines that travelled inside TLS
  ImVec4 accent_text;    // headings in explanations
  ImVec4 panel;          // background of panels (child regions)
  ImVec4 border;         // panel and frame borders
  float line_width = 1.5f;  // lines and outlines at scale 1 (multiply by the UI scale)

  ImVec4 color(LineTone tone) const;
};

enum class Contrast { kNormal, kHigh };

const Palette& classroom_palette();
const Palette& high_contrast_palette();
const Palette& palette_for(Contrast contrast);

// Basic Latin, Latin-1 Supplement and Latin Extended-A (á é í ó ú ñ ü ¿ ¡ ...), general
// punctuation (– — “ ” …), arrows (→ ←), and a few shapes; zero-terminated pairs for ImGui.
const ImWchar* glyph_ranges();

// Clears `atlas` and adds the three fonts at `scale`; the atlas owns the font data. Returns
// nothing and sets *error (naming the file) when a font file is missing or not a TrueType file.
std::optional<Fonts> load_fonts(ImFontAtlas& atlas, const std::filesystem::path& assets_dir,
                                float scale, std::string* error);

// The ImGui style (colours, rounding, padding) for `scale` and `contrast`.
void apply_style(ImGuiStyle& style, float scale, Contrast contrast = Contrast::kNormal);

}  // namespace mailhop::gui
