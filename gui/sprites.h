#pragma once
// Small pictures painted once into the font atlas, so that thousands of copies on screen cost
// one textured quad each (two triangles) instead of a dozen shapes. The busy network view draws
// its envelopes this way: a software renderer (Mesa's llvmpipe) pays for every triangle and
// every layer of every pixel.
//
// The sprites are grey: the quad's colour tints them (ImGui multiplies the texture by the
// vertex colour), so one picture serves every protocol's colour.

#include <imgui.h>

#include <vector>

namespace mailhop::gui {

struct Sprite {
  ImVec2 uv0;          // top-left texture coordinate
  ImVec2 uv1;          // bottom-right
  float width = 0.0f;  // pixels at which it was painted
  float height = 0.0f;
};

// Grey levels of the envelope sprite (multiplied by the tint).
inline constexpr float kEnvelopeSpriteBody = 0.80f;
inline constexpr float kEnvelopeSpriteFlap = 1.00f;
inline constexpr float kEnvelopeSpriteEdge = 0.42f;

class Sprites {
 public:
  // Reserves room in `atlas` for envelopes of several widths. Call after the fonts are added
  // and before the atlas is built.
  void reserve(ImFontAtlas& atlas);
  // Builds the atlas (when not built yet) and paints the reserved sprites into its RGBA
  // pixels. The renderer must upload the texture after this. Returns false when the atlas had
  // no room (the view then draws envelopes as shapes).
  bool paint(ImFontAtlas& atlas);

  bool ready() const { return !m_envelopes.empty(); }
  // The envelope painted at the smallest width not below `width` (the largest one when `width`
  // is above them all): drawn a little smaller, it stays sharp. Null when none is ready.
  const Sprite* envelope(float width) const;

  // Envelope widths painted, in pixels (an envelope is 0.66 as high as wide).
  static const std::vector<int>& envelope_widths();

 private:
  std::vector<int> m_ids;  // atlas custom rectangles, one per width
  std::vector<Sprite> m_envelopes;
};

// The grey level (0..1) and coverage (0..1) of the envelope picture at pixel (x, y) of a
// width × height picture: edge, body, and the flap's light V. Exposed for the tests.
struct SpritePixel {
  float grey = 0.0f;
  float alpha = 0.0f;
};
SpritePixel envelope_pixel(int x, int y, int width, int height);

}  // namespace mailhop::gui
