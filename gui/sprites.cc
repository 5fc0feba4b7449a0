#include "gui/sprites.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

namespace mailhop::gui {
namespace {

constexpr int kPadding = 1;      // transparent texels around each sprite: no bleeding
constexpr int kSubsamples = 4;   // per axis, for anti-aliased edges

int envelope_height(int width) { return std::max(2, static_cast<int>(std::lround(width * 0.66))); }

float distance_to_segment(float px, float py, float ax, float ay, float bx, float by) {
  const float dx = bx - ax;
  const float dy = by - ay;
  const float len2 = dx * dx + dy * dy;
  float t = len2 > 0.0f ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0.0f;
  t = std::clamp(t, 0.0f, 1.0f);
  return std::hypot(px - (ax + t * dx), py - (ay + t * dy));
}

}  // namespace

const std::vector<int>& Sprites::envelope_widths() {
  // From the smallest envelope on screen (a line's at zoom 0.5) to the largest (the message's
  // at 3x scale), about 1.4 apart.
  static const std::vector<int> widths = {8, 11, 15, 21, 29, 40, 56, 78, 108, 132};
  return widths;
}

SpritePixel envelope_pixel(int x, int y, int width, int height) {
  const float w = static_cast<float>(width);
  const float h = static_cast<float>(height);
  const float edge = std::max(1.0f, w / 16.0f);
  const float flap_half = std::max(0.55f, w / 30.0f);
  const float tip_x = w * 0.5f;
  const float tip_y = h * 0.6f;
  float grey = 0.0f;
  for (int sy = 0; sy < kSubsamples; ++sy) {
    for (int sx = 0; sx < kSubsamples; ++sx) {
      const float px = static_cast<float>(x) + (static_cast<float>(sx) + 0.5f) / kSubsamples;
      const float py = static_cast<float>(y) + (static_cast<float>(sy) + 0.5f) / kSubsamples;
      const float border = std::min(std::min(px, w - px), std::min(py, h - py));
      if (border < edge) {
        grey += kEnvelopeSpriteEdge;
        continue;
      }
      const float flap = std::min(distance_to_segment(px, py, edge, edge, tip_x, tip_y),
                                  distance_to_segment(px, py, tip_x, tip_y, w - edge, edge));
      grey += flap < flap_half ? kEnvelopeSpriteFlap : kEnvelopeSpriteBody;
    }
  }
  return {grey / static_cast<float>(kSubsamples * kSubsamples), 1.0f};
}

void Sprites::reserve(ImFontAtlas& atlas) {
  m_ids.clear();
  m_envelopes.clear();
  for (const int w : envelope_widths()) {
    m_ids.push_back(atlas.AddCustomRectRegular(w + 2 * kPadding, envelope_height(w) + 2 * kPadding));
  }
}

bool Sprites::paint(ImFontAtlas& atlas) {
  m_envelopes.clear();
  if (m_ids.size() != envelope_widths().size()) return false;
  unsigned char* pixels = nullptr;
  int tex_w = 0;
  int tex_h = 0;
  atlas.GetTexDataAsRGBA32(&pixels, &tex_w, &tex_h);
  if (pixels == nullptr || tex_w <= 0 || tex_h <= 0) return false;
  std::vector<Sprite> painted;
  for (std::size_t i = 0; i < m_ids.size(); ++i) {
    const ImFontAtlasCustomRect* rect = atlas.GetCustomRectByIndex(m_ids[i]);
    if (rect == nullptr || !rect->IsPacked()) return false;
    const int w = envelope_widths()[i];
    const int h = envelope_height(w);
    const int x0 = rect->X + kPadding;
    const int y0 = rect->Y + kPadding;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const SpritePixel px = envelope_pixel(x, y, w, h);
        const std::size_t at =
            (static_cast<std::size_t>(y0 + y) * static_cast<std::size_t>(tex_w) +
             static_cast<std::size_t>(x0 + x)) * 4;
        const auto grey = static_cast<unsigned char>(std::lround(std::clamp(px.grey, 0.0f, 1.0f) * 255.0f));
        pixels[at + 0] = grey;
        pixels[at + 1] = grey;
        pixels[at + 2] = grey;
        pixels[at + 3] = static_cast<unsigned char>(std::lround(std::clamp(px.alpha, 0.0f, 1.0f) * 255.0f));
      }
    }
    Sprite s;
    s.uv0 = ImVec2(static_cast<float>(x0) / static_cast<float>(tex_w),
                   static_cast<float>(y0) / static_cast<float>(tex_h));
    s.uv1 = ImVec2(static_cast<float>(x0 + w) / static_cast<float>(tex_w),
                   static_cast<float>(y0 + h) / static_cast<float>(tex_h));
    s.width = static_cast<float>(w);
    s.height = static_cast<float>(h);
    painted.push_back(s);
  }
  m_envelopes = std::move(painted);
  return true;
}

const Sprite* Sprites::envelope(float width) const {
  if (m_envelopes.empty()) return nullptr;
  for (const Sprite& s : m_envelopes) {
    if (s.width >= width) return &s;
  }
  return &m_envelopes.back();
}

}  // namespace mailhop::gui
