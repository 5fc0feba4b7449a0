#include "gui/sprites.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

namespace mailhop::gui {
namespace {

constexpr int kPadding = 1;      // transparent texels around each sprite: no bleeding
constexpr int kSubsamples = 4;   // per axis, for anti-aliased edges


float distance_to_segment(float px, float py, float ax, float ay, float bx, float by) {
  const float dx = bx - ax;
  const float dy = by - ay;
  const float len2 = dx * dx + dy * dy;
  float t = len2 > 0.0f ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0.0f;
  t = std::clamp(t, 0.0f, 1.0f);
  return std::hypot(px - (ax + t * dx), py - (ay + t * dy));
}

constexpr int kIconSubsamples = 4;  // per axis

// The padlock is 0.75 as wide as high, with a pixel of margin each side for its edges.
int padlock_canvas_width(int height) {
  return static_cast<int>(std::ceil(static_cast<float>(height) * 0.75f)) + 2;
}

// The sprite painted at texels (x0, y0) to (x0 + w, y0 + h) of a tex_w × tex_h atlas.
Sprite sprite_at(int x0, int y0, int w, int h, int tex_w, int tex_h) {
  Sprite s;
  s.uv0 = ImVec2(static_cast<float>(x0) / static_cast<float>(tex_w),
                 static_cast<float>(y0) / static_cast<float>(tex_h));
  s.uv1 = ImVec2(static_cast<float>(x0 + w) / static_cast<float>(tex_w),
                 static_cast<float>(y0 + h) / static_cast<float>(tex_h));
  s.width = static_cast<float>(w);
  s.height = static_cast<float>(h);
  return s;
}

// The whole numbers from `first` to `last`, both included.
std::vector<int> every_whole(int first, int last) {
  std::vector<int> out;
  for (int i = first; i <= last; ++i) out.push_back(i);
  return out;
}

// Copies a w × h RGBA picture (rasterize()'s) into the atlas's pixels at (x0, y0).
void copy_into_atlas(const std::vector<unsigned char>& rgba, int w, int h, unsigned char* pixels,
                     int tex_w, int x0, int y0) {
  for (int y = 0; y < h; ++y) {
    const std::size_t from = static_cast<std::size_t>(y) * static_cast<std::size_t>(w) * 4;
    const std::size_t to = (static_cast<std::size_t>(y0 + y) * static_cast<std::size_t>(tex_w) +
                            static_cast<std::size_t>(x0)) * 4;
    std::copy_n(rgba.begin() + static_cast<std::ptrdiff_t>(from), static_cast<std::size_t>(w) * 4,
                pixels + to);
  }
}

constexpr IconKind kIconKindList[] = {IconKind::kLaptop, IconKind::kPhone, IconKind::kServer,
                                      IconKind::kDns};

// Premultiplied RGBA, supersampled.
struct Canvas {
  int width = 0;   // in subsamples
  int height = 0;
  std::vector<float> rgba;
};

float edge(const ImVec2& a, const ImVec2& b, float px, float py) {
  return (b.x - a.x) * (py - a.y) - (b.y - a.y) * (px - a.x);
}

// A sample exactly on an edge belongs to one of the two triangles that share it (the edge runs
// one way in each): blended once, not twice.
bool owns(const ImVec2& a, const ImVec2& b) {
  return b.y > a.y || (b.y == a.y && b.x < a.x);
}

bool inside(float w, const ImVec2& a, const ImVec2& b) {
  return w > 0.0f || (w == 0.0f && owns(a, b));
}

// One triangle, its vertex colours interpolated, blended over what is there ("over").
void fill_triangle(Canvas& canvas, const ImDrawVert& va, const ImDrawVert& vb,
                   const ImDrawVert& vc, float scale) {
  const ImVec2 a(va.pos.x * scale, va.pos.y * scale);
  ImVec2 b(vb.pos.x * scale, vb.pos.y * scale);
  ImVec2 c(vc.pos.x * scale, vc.pos.y * scale);
  ImVec4 cb = ImGui::ColorConvertU32ToFloat4(vb.col);
  ImVec4 cc = ImGui::ColorConvertU32ToFloat4(vc.col);
  float area = edge(a, b, c.x, c.y);
  if (!std::isfinite(area) || std::fabs(area) < 1e-12f) return;
  if (area < 0.0f) {  // one winding for all, so that shared edges run opposite ways
    std::swap(b, c);
    std::swap(cb, cc);
    area = -area;
  }
  const int x0 = std::max(0, static_cast<int>(std::floor(std::min({a.x, b.x, c.x}))));
  const int y0 = std::max(0, static_cast<int>(std::floor(std::min({a.y, b.y, c.y}))));
  const int x1 = std::min(canvas.width, static_cast<int>(std::ceil(std::max({a.x, b.x, c.x}))));
  const int y1 = std::min(canvas.height, static_cast<int>(std::ceil(std::max({a.y, b.y, c.y}))));
  const ImVec4 ca = ImGui::ColorConvertU32ToFloat4(va.col);
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      const float px = static_cast<float>(x) + 0.5f;
      const float py = static_cast<float>(y) + 0.5f;
      // Barycentric weights, all positive inside.
      const float wa = edge(b, c, px, py) / area;
      const float wb = edge(c, a, px, py) / area;
      const float wc = edge(a, b, px, py) / area;
      if (!inside(wa, b, c) || !inside(wb, c, a) || !inside(wc, a, b)) continue;
      const float alpha = std::clamp(wa * ca.w + wb * cb.w + wc * cc.w, 0.0f, 1.0f);
      float* d = canvas.rgba.data() +
                 (static_cast<std::size_t>(y) * static_cast<std::size_t>(canvas.width) +
                  static_cast<std::size_t>(x)) * 4;
      d[0] = (wa * ca.x + wb * cb.x + wc * cc.x) * alpha + d[0] * (1.0f - alpha);
      d[1] = (wa * ca.y + wb * cb.y + wc * cc.y) * alpha + d[1] * (1.0f - alpha);
      d[2] = (wa * ca.z + wb * cb.z + wc * cc.z) * alpha + d[2] * (1.0f - alpha);
      d[3] = alpha + d[3] * (1.0f - alpha);
    }
  }
}

}  // namespace

std::vector<unsigned char> rasterize(const ImDrawList& list, int width, int height) {
  width = std::max(width, 0);
  height = std::max(height, 0);
  Canvas canvas;
  canvas.width = width * kIconSubsamples;
  canvas.height = height * kIconSubsamples;
  canvas.rgba.assign(static_cast<std::size_t>(canvas.width) * static_cast<std::size_t>(canvas.height) * 4, 0.0f);
  const ImVector<ImDrawIdx>& idx = list.IdxBuffer;
  const ImVector<ImDrawVert>& vtx = list.VtxBuffer;
  for (int i = 0; i + 2 < idx.Size; i += 3) {
    if (idx[i] >= vtx.Size || idx[i + 1] >= vtx.Size || idx[i + 2] >= vtx.Size) continue;
    fill_triangle(canvas, vtx[idx[i]], vtx[idx[i + 1]], vtx[idx[i + 2]],
                  static_cast<float>(kIconSubsamples));
  }
  // Average each pixel's subsamples, then undo the premultiplication.
  std::vector<unsigned char> out(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4, 0);
  constexpr float kPerPixel = kIconSubsamples * kIconSubsamples;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      float sum[4] = {0, 0, 0, 0};
      for (int sy = 0; sy < kIconSubsamples; ++sy) {
        for (int sx = 0; sx < kIconSubsamples; ++sx) {
          const float* s = canvas.rgba.data() +
                           (static_cast<std::size_t>(y * kIconSubsamples + sy) * static_cast<std::size_t>(canvas.width) +
                            static_cast<std::size_t>(x * kIconSubsamples + sx)) * 4;
          for (int k = 0; k < 4; ++k) sum[k] += s[k];
        }
      }
      const float alpha = sum[3] / kPerPixel;
      unsigned char* o = out.data() + (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) * 4;
      for (int k = 0; k < 3; ++k) {
        const float straight = alpha > 0.0f ? sum[k] / kPerPixel / alpha : 0.0f;
        o[k] = static_cast<unsigned char>(std::lround(std::clamp(straight, 0.0f, 1.0f) * 255.0f));
      }
      o[3] = static_cast<unsigned char>(std::lround(std::clamp(alpha, 0.0f, 1.0f) * 255.0f));
    }
  }
  return out;
}

const std::vector<int>& Sprites::icon_sizes() {
  // From the smallest icon on screen (14 pixels, zoomed out) about 1.15 apart. Larger icons
  // (few hosts, close up) are drawn as shapes.
  static const std::vector<int> sizes = {14, 16, 18, 21, 24, 28, 32, 37, 43, 50};
  return sizes;
}

int Sprites::icon_canvas(int size) {
  // The widest icon, the laptop, is 1.3 times its size across; a pixel of margin each side.
  return static_cast<int>(std::ceil(static_cast<float>(size) * 1.4f)) + 2;
}

int Sprites::envelope_height(int width) {
  return std::max(2, static_cast<int>(std::lround(width * 0.66)));
}

const std::vector<int>& Sprites::envelope_widths() {
  // Every whole width from the smallest envelope on screen (a line's at zoom 0.5) to 64 pixels,
  // so that the view draws them one texel to a pixel; then a few larger (3x scale, close up).
  static const std::vector<int> widths = [] {
    std::vector<int> w;
    for (int i = 6; i <= 64; ++i) w.push_back(i);
    for (const int i : {78, 96, 114, 132}) w.push_back(i);
    return w;
  }();
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
  for (std::size_t k = 0; k < kIconKinds; ++k) {
    for (auto& ids : m_icon_ids[k]) {
      ids.clear();
      for (const int size : icon_sizes()) {
        const int side = icon_canvas(size) + 2 * kPadding;
        ids.push_back(atlas.AddCustomRectRegular(side, side));
      }
    }
    for (auto& icons : m_icons[k]) icons.clear();
  }
  m_disc_ids.clear();
  m_discs.clear();
  for (const int d : disc_diameters()) m_disc_ids.push_back(atlas.AddCustomRectRegular(d + 2 * kPadding, d + 2 * kPadding));
  m_padlock_ids.clear();
  m_padlocks.clear();
  for (const int h : padlock_heights()) {
    m_padlock_ids.push_back(atlas.AddCustomRectRegular(padlock_canvas_width(h) + 2 * kPadding,
                                                       h + 2 + 2 * kPadding));
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
    painted.push_back(sprite_at(x0, y0, w, h, tex_w, tex_h));
  }
  m_envelopes = std::move(painted);
  paint_icons(atlas, pixels, tex_w, tex_h);
  paint_discs(atlas, pixels, tex_w, tex_h);
  paint_padlocks(atlas, pixels, tex_w, tex_h);
  return true;
}

const std::vector<int>& Sprites::padlock_heights() {
  // Every whole height of a protocol line's padlock, from the smallest font to 3x scale.
  static const std::vector<int> heights = every_whole(6, 64);
  return heights;
}

void Sprites::paint_padlocks(ImFontAtlas& atlas, unsigned char* pixels, int tex_w, int tex_h) {
  ImDrawListSharedData shared;
  shared.SetCircleTessellationMaxError(0.30f);
  std::vector<Sprite> painted;
  for (std::size_t i = 0; i < m_padlock_ids.size() && i < padlock_heights().size(); ++i) {
    const ImFontAtlasCustomRect* rect = atlas.GetCustomRectByIndex(m_padlock_ids[i]);
    if (rect == nullptr || !rect->IsPacked()) return;
    const int h = padlock_heights()[i];
    const int w = padlock_canvas_width(h);
    const int side_h = h + 2;
    ImDrawList list(&shared);
    list._ResetForNewFrame();
    list.Flags = ImDrawListFlags_None;  // the supersampling smooths the edges
    draw_line_padlock(&list, ImVec2(1.0f, 1.0f), static_cast<float>(h),
                      IM_COL32(255, 255, 255, 255));
    const int x0 = rect->X + kPadding;
    const int y0 = rect->Y + kPadding;
    copy_into_atlas(rasterize(list, w, side_h), w, side_h, pixels, tex_w, x0, y0);
    painted.push_back(sprite_at(x0, y0, w, side_h, tex_w, tex_h));
  }
  m_padlocks = std::move(painted);
}

const Sprite* Sprites::padlock(float height) const {
  if (m_padlocks.empty() || !(height > 0.0f)) return nullptr;
  const long h = std::lround(height);
  const long first = padlock_heights().front();
  if (h < first || h - first >= static_cast<long>(m_padlocks.size())) return nullptr;
  return &m_padlocks[static_cast<std::size_t>(h - first)];
}

const std::vector<int>& Sprites::disc_diameters() {
  // Every whole diameter of a count badge, from the smallest label to 3x scale.
  static const std::vector<int> diameters = every_whole(8, 60);
  return diameters;
}

void Sprites::paint_discs(ImFontAtlas& atlas, unsigned char* pixels, int tex_w, int tex_h) {
  std::vector<Sprite> painted;
  for (std::size_t i = 0; i < m_disc_ids.size() && i < disc_diameters().size(); ++i) {
    const ImFontAtlasCustomRect* rect = atlas.GetCustomRectByIndex(m_disc_ids[i]);
    if (rect == nullptr || !rect->IsPacked()) return;
    const int d = disc_diameters()[i];
    const float r = static_cast<float>(d) * 0.5f;
    const int x0 = rect->X + kPadding;
    const int y0 = rect->Y + kPadding;
    for (int y = 0; y < d; ++y) {
      for (int x = 0; x < d; ++x) {
        int inside = 0;
        for (int sy = 0; sy < kSubsamples; ++sy) {
          for (int sx = 0; sx < kSubsamples; ++sx) {
            const float px = static_cast<float>(x) + (static_cast<float>(sx) + 0.5f) / kSubsamples - r;
            const float py = static_cast<float>(y) + (static_cast<float>(sy) + 0.5f) / kSubsamples - r;
            if (px * px + py * py <= r * r) ++inside;
          }
        }
        unsigned char* p = pixels + (static_cast<std::size_t>(y0 + y) * static_cast<std::size_t>(tex_w) +
                                     static_cast<std::size_t>(x0 + x)) * 4;
        p[0] = p[1] = p[2] = 255;
        p[3] = static_cast<unsigned char>(inside * 255 / (kSubsamples * kSubsamples));
      }
    }
    painted.push_back(sprite_at(x0, y0, d, d, tex_w, tex_h));
  }
  m_discs = std::move(painted);
}

const Sprite* Sprites::disc(float diameter) const {
  for (const Sprite& s : m_discs) {
    if (s.width >= diameter) return &s;
  }
  return nullptr;
}

void Sprites::paint_icons(ImFontAtlas& atlas, unsigned char* pixels, int tex_w, int tex_h) {
  // The shapes of gui/icons.h, in full detail, recorded into a draw list of their own (no
  // window or ImGui frame needed) and rasterised here.
  ImDrawListSharedData shared;
  shared.SetCircleTessellationMaxError(0.30f);
  const IconStyle style;
  const IconStyle down_style = faded(style);
  for (std::size_t k = 0; k < kIconKinds; ++k) {
    for (std::size_t down = 0; down < 2; ++down) {
      std::vector<Sprite> painted;
      const std::vector<int>& ids = m_icon_ids[k][down];
      if (ids.size() != icon_sizes().size()) return;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        const ImFontAtlasCustomRect* rect = atlas.GetCustomRectByIndex(ids[i]);
        if (rect == nullptr || !rect->IsPacked()) return;
        const int size = icon_sizes()[i];
        const int side = icon_canvas(size);
        ImDrawList list(&shared);
        list._ResetForNewFrame();
        list.Flags = ImDrawListFlags_None;  // the supersampling smooths the edges
        const float centre = static_cast<float>(side) * 0.5f;
        draw_icon(&list, kIconKindList[k], ImVec2(centre, centre), static_cast<float>(size),
                  down ? down_style : style, Detail::kFull);
        const int x0 = rect->X + kPadding;
        const int y0 = rect->Y + kPadding;
        copy_into_atlas(rasterize(list, side, side), side, side, pixels, tex_w, x0, y0);
        Sprite s = sprite_at(x0, y0, side, side, tex_w, tex_h);
        s.icon_size = static_cast<float>(size);
        painted.push_back(s);
      }
      m_icons[k][down] = std::move(painted);
    }
  }
}

const Sprite* Sprites::icon(IconKind kind, bool down, float size) const {
  const auto k = static_cast<std::size_t>(kind);
  if (k >= kIconKinds || !(size > 0.0f)) return nullptr;
  const Sprite* best = nullptr;
  float best_ratio = 0.0f;
  for (const Sprite& s : m_icons[k][down ? 1 : 0]) {
    const float ratio = std::max(s.icon_size / size, size / s.icon_size);
    if (best == nullptr || ratio < best_ratio) {
      best = &s;
      best_ratio = ratio;
    }
  }
  // Sizes are about 1.15 apart: within half a step of one, or none.
  return best_ratio <= 1.08f ? best : nullptr;
}

const Sprite* Sprites::envelope(float width) const {
  if (m_envelopes.empty()) return nullptr;
  for (const Sprite& s : m_envelopes) {
    if (s.width >= width) return &s;
  }
  return &m_envelopes.back();
}

}  // namespace mailhop::gui
