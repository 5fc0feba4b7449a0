#include "gui/damage.h"

#include <imgui.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace mailhop::gui {
namespace {

constexpr std::uint64_t kSeed = 0x6d61696c686f7021ULL;  // an empty tile's signature

// Folds a word into a running signature; the order of the words matters.
inline std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h = (h ^ v) * 0x9E3779B97F4A7C15ULL;
  return h ^ (h >> 29);
}

inline std::uint64_t bits(float a, float b) {
  return (static_cast<std::uint64_t>(std::bit_cast<std::uint32_t>(a)) << 32) |
         std::bit_cast<std::uint32_t>(b);
}

inline std::uint64_t sign_vertex(std::uint64_t h, const ImDrawVert& v) {
  h = mix(h, bits(v.pos.x, v.pos.y));
  h = mix(h, bits(v.uv.x, v.uv.y));
  return mix(h, v.col);
}

// Rectangles of tiles [x0, x1) × [y0, y1): the union's area minus the two's.
long long merge_cost(const PixelRect& a, const PixelRect& b) {
  const PixelRect u{std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1),
                    std::max(a.y1, b.y1)};
  return u.area() - a.area() - b.area();
}

}  // namespace

std::vector<PixelRect> merge_tiles(const std::vector<bool>& dirty, int cols, int rows,
                                   std::size_t max_rects) {
  // Runs of dirty tiles row by row; a run with the same columns as one in the row above extends
  // that rectangle downwards.
  struct Open {
    int c0, c1, r0;
  };
  std::vector<PixelRect> out;
  std::vector<Open> open;
  std::vector<Open> next;
  for (int r = 0; r <= rows; ++r) {
    next.clear();
    int c = 0;
    while (r < rows && c < cols) {
      if (!dirty[static_cast<std::size_t>(r * cols + c)]) {
        ++c;
        continue;
      }
      const int c0 = c;
      while (c < cols && dirty[static_cast<std::size_t>(r * cols + c)]) ++c;
      const auto same = std::find_if(open.begin(), open.end(),
                                     [&](const Open& o) { return o.c0 == c0 && o.c1 == c; });
      if (same != open.end()) {
        next.push_back(*same);
        open.erase(same);
      } else {
        next.push_back({c0, c, r});
      }
    }
    for (const Open& o : open) out.push_back({o.c0, o.r0, o.c1, r});
    open.swap(next);
  }
  if (out.size() <= max_rects) return out;
  // Many scattered changes: one rectangle around them all rather than a long search.
  if (out.size() > 64) {
    PixelRect all = out.front();
    for (const PixelRect& p : out) {
      all = {std::min(all.x0, p.x0), std::min(all.y0, p.y0), std::max(all.x1, p.x1),
             std::max(all.y1, p.y1)};
    }
    return {all};
  }
  // Otherwise join the pair that adds the least area, until few enough are left.
  while (out.size() > max_rects) {
    std::size_t best_i = 0, best_j = 1;
    long long best = merge_cost(out[0], out[1]);
    for (std::size_t i = 0; i < out.size(); ++i) {
      for (std::size_t j = i + 1; j < out.size(); ++j) {
        const long long cost = merge_cost(out[i], out[j]);
        if (cost < best) {
          best = cost;
          best_i = i;
          best_j = j;
        }
      }
    }
    PixelRect& a = out[best_i];
    const PixelRect& b = out[best_j];
    a = {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1), std::max(a.y1, b.y1)};
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(best_j));
  }
  return out;
}

std::vector<PixelRect> DamageTracker::update(const ImDrawData& data, int width, int height) {
  const PixelRect window{0, 0, width, height};
  if (width <= 0 || height <= 0) return {};
  if (width != m_width || height != m_height) {
    m_width = width;
    m_height = height;
    m_cols = (width + kTile - 1) / kTile;
    m_rows = (height + kTile - 1) / kTile;
    m_valid = false;
  }
  const std::size_t tiles = static_cast<std::size_t>(m_cols) * static_cast<std::size_t>(m_rows);
  m_signature.assign(tiles, kSeed);

  const ImVec2 origin = data.DisplayPos;
  const ImVec2 scale = data.FramebufferScale;
  std::uint64_t state = kSeed;  // what the callbacks so far set
  for (int l = 0; l < data.CmdListsCount; ++l) {
    const ImDrawList& list = *data.CmdLists[l];
    for (const ImDrawCmd& cmd : list.CmdBuffer) {
      if (cmd.UserCallback) {
        state = mix(state, reinterpret_cast<std::uintptr_t>(cmd.UserCallback));
        state = mix(state, reinterpret_cast<std::uintptr_t>(cmd.UserCallbackData));
        continue;
      }
      // The pixels the renderer may touch: the clip rectangle, in framebuffer pixels.
      const float cx0 = std::max(0.0f, std::floor((cmd.ClipRect.x - origin.x) * scale.x));
      const float cy0 = std::max(0.0f, std::floor((cmd.ClipRect.y - origin.y) * scale.y));
      const float cx1 =
          std::min(static_cast<float>(width), std::ceil((cmd.ClipRect.z - origin.x) * scale.x));
      const float cy1 =
          std::min(static_cast<float>(height), std::ceil((cmd.ClipRect.w - origin.y) * scale.y));
      if (cx1 <= cx0 || cy1 <= cy0) continue;  // the renderer skips it too
      std::uint64_t key = mix(state, reinterpret_cast<std::uintptr_t>(cmd.TextureId));
      key = mix(key, bits(cmd.ClipRect.x, cmd.ClipRect.y));
      key = mix(key, bits(cmd.ClipRect.z, cmd.ClipRect.w));
      const ImDrawIdx* idx = list.IdxBuffer.Data + cmd.IdxOffset;
      const ImDrawVert* vtx = list.VtxBuffer.Data + cmd.VtxOffset;
      for (unsigned t = 0; t + 2 < cmd.ElemCount; t += 3) {
        const ImDrawVert& a = vtx[idx[t]];
        const ImDrawVert& b = vtx[idx[t + 1]];
        const ImDrawVert& c = vtx[idx[t + 2]];
        // Its bounds, a pixel wider on every side (edges that only graze a pixel), clipped.
        const float x0 = std::max(
            cx0, std::floor((std::min({a.pos.x, b.pos.x, c.pos.x}) - origin.x) * scale.x) - 1);
        const float y0 = std::max(
            cy0, std::floor((std::min({a.pos.y, b.pos.y, c.pos.y}) - origin.y) * scale.y) - 1);
        const float x1 = std::min(
            cx1, std::ceil((std::max({a.pos.x, b.pos.x, c.pos.x}) - origin.x) * scale.x) + 1);
        const float y1 = std::min(
            cy1, std::ceil((std::max({a.pos.y, b.pos.y, c.pos.y}) - origin.y) * scale.y) + 1);
        if (x1 <= x0 || y1 <= y0) continue;
        const std::uint64_t h = sign_vertex(sign_vertex(sign_vertex(key, a), b), c);
        const int c0 = static_cast<int>(x0) / kTile;
        const int c1 = (static_cast<int>(x1) - 1) / kTile;
        const int r0 = static_cast<int>(y0) / kTile;
        const int r1 = (static_cast<int>(y1) - 1) / kTile;
        for (int r = r0; r <= r1; ++r) {
          std::uint64_t* row = m_signature.data() + static_cast<std::size_t>(r * m_cols);
          for (int col = c0; col <= c1; ++col) row[col] = mix(row[col], h);
        }
      }
    }
  }

  std::vector<PixelRect> rects;
  if (!m_valid) {
    rects.push_back(window);
  } else {
    std::vector<bool> dirty(tiles);
    bool any = false;
    for (std::size_t i = 0; i < tiles; ++i) {
      dirty[i] = m_signature[i] != m_last[i];
      any = any || dirty[i];
    }
    if (any) {
      long long area = 0;
      for (const PixelRect& t : merge_tiles(dirty, m_cols, m_rows, kMaxRects)) {
        const PixelRect p{t.x0 * kTile, t.y0 * kTile, std::min(width, t.x1 * kTile),
                          std::min(height, t.y1 * kTile)};
        area += p.area();
        rects.push_back(p);
      }
      // Most of the window: one pass, with the renderer's fast clear of the whole of it.
      if (area * 10 > window.area() * 6) rects.assign(1, window);
    }
  }
  m_last.swap(m_signature);
  m_valid = true;
  return rects;
}

RegionPasses::RegionPasses(ImDrawData& data) : m_data(data), m_pass(data) {
  for (int l = 0; l < data.CmdListsCount; ++l) {
    const ImDrawList& list = *data.CmdLists[l];
    for (const ImDrawCmd& cmd : list.CmdBuffer) {
      m_clips.push_back(cmd.ClipRect);
      // Where its triangles are, a pixel wider (antialiased fringes): a pass elsewhere skips it.
      ImVec4 reach(0, 0, 0, 0);
      if (!cmd.UserCallback && cmd.ElemCount > 0) {
        const ImDrawIdx* idx = list.IdxBuffer.Data + cmd.IdxOffset;
        const ImDrawVert* vtx = list.VtxBuffer.Data + cmd.VtxOffset;
        ImVec2 lo = vtx[idx[0]].pos;
        ImVec2 hi = lo;
        for (unsigned i = 1; i < cmd.ElemCount; ++i) {
          const ImVec2 p = vtx[idx[i]].pos;
          lo = ImVec2(std::min(lo.x, p.x), std::min(lo.y, p.y));
          hi = ImVec2(std::max(hi.x, p.x), std::max(hi.y, p.y));
        }
        reach = ImVec4(lo.x - 1, lo.y - 1, hi.x + 1, hi.y + 1);
      }
      m_reach.push_back(reach);
    }
  }
}

RegionPasses::~RegionPasses() {
  std::size_t i = 0;
  for (int l = 0; l < m_data.CmdListsCount; ++l)
    for (ImDrawCmd& cmd : m_data.CmdLists[l]->CmdBuffer) cmd.ClipRect = m_clips[i++];
}

ImDrawData& RegionPasses::restrict_to(const PixelRect& rect) {
  const ImVec2 origin = m_data.DisplayPos;
  const ImVec2 scale = m_data.FramebufferScale;
  const ImVec4 region(static_cast<float>(rect.x0) / scale.x + origin.x,
                      static_cast<float>(rect.y0) / scale.y + origin.y,
                      static_cast<float>(rect.x1) / scale.x + origin.x,
                      static_cast<float>(rect.y1) / scale.y + origin.y);
  m_lists.clear();
  std::size_t i = 0;
  for (int l = 0; l < m_data.CmdListsCount; ++l) {
    ImDrawList* list = m_data.CmdLists[l];
    bool needed = false;
    for (ImDrawCmd& cmd : list->CmdBuffer) {
      const ImVec4& own = m_clips[i];
      const ImVec4& reach = m_reach[i];
      ++i;
      if (cmd.UserCallback) {
        needed = true;  // it may set state for what follows
        continue;
      }
      cmd.ClipRect = ImVec4(std::max(own.x, region.x), std::max(own.y, region.y),
                            std::min(own.z, region.z), std::min(own.w, region.w));
      const bool reaches =
          reach.x < region.z && region.x < reach.z && reach.y < region.w && region.y < reach.w;
      if (!reaches || cmd.ClipRect.z <= cmd.ClipRect.x || cmd.ClipRect.w <= cmd.ClipRect.y) {
        cmd.ClipRect = ImVec4(0, 0, 0, 0);
      } else {
        needed = true;
      }
    }
    if (needed) m_lists.push_back(list);
  }
  m_pass = m_data;
  m_pass.CmdLists = m_lists.data();
  m_pass.CmdListsCount = static_cast<int>(m_lists.size());
  return m_pass;
}

}  // namespace mailhop::gui
