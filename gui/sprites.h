#pragma once
// Small pictures painted once into the font atlas, so that thousands of copies on screen cost
// one textured quad each (two triangles) instead of a dozen shapes. The busy network view draws
// its envelopes and its host icons this way, and the ladder its padlocks: a software renderer
// (Mesa's llvmpipe) pays for every triangle and every layer of every pixel.
//
// The envelope sprites are grey: the quad's colour tints them (ImGui multiplies the texture by
// the vertex colour), so one picture serves every protocol's colour. The host icons are painted
// in colour from the very shapes that gui/icons.h draws, in full detail and anti-aliased, and
// drawn untinted.

#include <imgui.h>

#include <array>
#include <vector>

#include "gui/icons.h"

namespace mailhop::gui {

struct Sprite {
  ImVec2 uv0;          // top-left texture coordinate
  ImVec2 uv1;          // bottom-right
  float width = 0.0f;  // pixels at which it was painted
  float height = 0.0f;
  float icon_size = 0.0f;  // host icons: the draw_icon() size it was painted at
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
  // The height, in whole pixels, of an envelope `width` pixels wide.
  static int envelope_height(int width);

  // The host icon `kind` (faded when `down`) painted at the size nearest `size` (the size that
  // draw_icon() takes, within 8%); null when none is that near or none is ready. The sprite is
  // a square centred on the icon: drawn `sprite->width` wide, on whole pixels, it shows one
  // texel to a pixel at the painted size.
  const Sprite* icon(IconKind kind, bool down, float size) const;
  // A white disc, anti-aliased, at the smallest diameter not below `diameter`; null when
  // `diameter` is above them all or none is ready. Tinted, it is a badge's round end.
  const Sprite* disc(float diameter) const;
  static const std::vector<int>& disc_diameters();

  // The small padlock of draw_line_padlock(), white (the quad's colour tints it), painted at
  // the whole height nearest `height`: a sprite `width` × `height` pixels whose picture starts
  // one pixel in from its top-left corner. Null when `height` is outside padlock_heights() or
  // none is ready.
  const Sprite* padlock(float height) const;
  static const std::vector<int>& padlock_heights();

  // Icon sizes painted (draw_icon's `size`), in pixels.
  static const std::vector<int>& icon_sizes();
  // Side of the square sprite that holds an icon of `size`.
  static int icon_canvas(int size);

 private:
  void paint_icons(ImFontAtlas& atlas, unsigned char* pixels, int tex_w, int tex_h);
  void paint_discs(ImFontAtlas& atlas, unsigned char* pixels, int tex_w, int tex_h);
  void paint_padlocks(ImFontAtlas& atlas, unsigned char* pixels, int tex_w, int tex_h);

  static constexpr std::size_t kIconKinds = 4;  // IconKind's values
  std::vector<int> m_ids;  // atlas custom rectangles, one per envelope width
  std::vector<Sprite> m_envelopes;
  // Icons: [kind][down][size index], atlas rectangles and sprites.
  std::array<std::array<std::vector<int>, 2>, kIconKinds> m_icon_ids;
  std::array<std::array<std::vector<Sprite>, 2>, kIconKinds> m_icons;
  std::vector<int> m_disc_ids;
  std::vector<Sprite> m_discs;
  std::vector<int> m_padlock_ids;
  std::vector<Sprite> m_padlocks;
};

// Paints the triangles of `list` (vertex colours only, no texture) into a width × height RGBA
// picture, anti-aliased by supersampling: 4 bytes per pixel, not premultiplied, top row first.
// Exposed for the tests.
std::vector<unsigned char> rasterize(const ImDrawList& list, int width, int height);

// The grey level (0..1) and coverage (0..1) of the envelope picture at pixel (x, y) of a
// width × height picture: edge, body, and the flap's light V. Exposed for the tests.
struct SpritePixel {
  float grey = 0.0f;
  float alpha = 0.0f;
};
SpritePixel envelope_pixel(int x, int y, int width, int height);

}  // namespace mailhop::gui
