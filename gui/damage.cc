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

namespace {

bool meets(const ImVec4& a, const ImVec4& b) {
  return a.x < b.z && b.x < a.z && a.y < b.w && b.y < a.w;
}

ImVec4 widen(ImVec4 r, const ImDrawVert& v) {
  return ImVec4(std::min(r.x, v.pos.x), std::min(r.y, v.pos.y), std::max(r.z, v.pos.x),
                std::max(r.w, v.pos.y));
}

// Points an ImVector at memory it does not own (or at nothing).
template <typename T>
void view(ImVector<T>& v, T* data, std::size_t size) {
  v.Data = size > 0 ? data : nullptr;
  v.Size = static_cast<int>(size);
  v.Capacity = static_cast<int>(size);
}

}  // namespace

RegionPasses::PassList::PassList() : list(nullptr) {}

RegionPasses::PassList::~PassList() {
  // Nothing for ImDrawList's destructor to free.
  view<ImDrawVert>(list.VtxBuffer, nullptr, 0);
  view<ImDrawIdx>(list.IdxBuffer, nullptr, 0);
  view<ImDrawCmd>(list.CmdBuffer, nullptr, 0);
}

RegionPasses::RegionPasses(const ImDrawData& data) : m_data(data), m_pass(data) {
  const float margin_x = 1.0f / (data.FramebufferScale.x > 0 ? data.FramebufferScale.x : 1.0f);
  const float margin_y = 1.0f / (data.FramebufferScale.y > 0 ? data.FramebufferScale.y : 1.0f);
  for (int l = 0; l < data.CmdListsCount; ++l) {
    const ImDrawList& list = *data.CmdLists[l];
    m_owned.push_back(std::make_unique<PassList>());
    for (const ImDrawCmd& cmd : list.CmdBuffer) {
      m_first.push_back(m_runs.size());
      ImVec4 reach(0, 0, 0, 0);
      if (!cmd.UserCallback) {
        const ImDrawIdx* idx = list.IdxBuffer.Data + cmd.IdxOffset;
        const ImDrawVert* vtx = list.VtxBuffer.Data + cmd.VtxOffset;
        const unsigned step = kRun * 3;
        for (unsigned i = 0; i + 2 < cmd.ElemCount; i += step) {
          const unsigned end = std::min(cmd.ElemCount - cmd.ElemCount % 3, i + step);
          const ImDrawVert& v0 = vtx[idx[i]];
          ImVec4 b(v0.pos.x, v0.pos.y, v0.pos.x, v0.pos.y);
          for (unsigned k = i + 1; k < end; ++k) b = widen(b, vtx[idx[k]]);
          b = ImVec4(b.x - margin_x, b.y - margin_y, b.z + margin_x, b.w + margin_y);
          m_runs.push_back({b, cmd.IdxOffset + i, end - i});
          reach = i == 0 ? b
                         : ImVec4(std::min(reach.x, b.x), std::min(reach.y, b.y),
                                  std::max(reach.z, b.z), std::max(reach.w, b.w));
        }
      }
      m_reach.push_back(reach);
    }
  }
  m_first.push_back(m_runs.size());
}

RegionPasses::~RegionPasses() = default;

ImDrawData& RegionPasses::restrict_to(const PixelRect& rect) {
  const ImVec2 origin = m_data.DisplayPos;
  const ImVec2 scale = m_data.FramebufferScale;
  const ImVec4 region(static_cast<float>(rect.x0) / scale.x + origin.x,
                      static_cast<float>(rect.y0) / scale.y + origin.y,
                      static_cast<float>(rect.x1) / scale.x + origin.x,
                      static_cast<float>(rect.y1) / scale.y + origin.y);
  m_lists.clear();
  std::size_t c = 0;  // the command's number in the frame
  for (int l = 0; l < m_data.CmdListsCount; ++l) {
    const ImDrawList& list = *m_data.CmdLists[l];
    PassList& pass = *m_owned[static_cast<std::size_t>(l)];
    pass.cmds.clear();
    pass.idx.clear();
    bool draws = false;
    bool callbacks = false;
    for (const ImDrawCmd& cmd : list.CmdBuffer) {
      const std::size_t n = c++;
      if (cmd.UserCallback) {
        pass.cmds.push_back(cmd);  // it may set state for what follows
        callbacks = true;
        continue;
      }
      const ImVec4 clip(std::max(cmd.ClipRect.x, region.x), std::max(cmd.ClipRect.y, region.y),
                        std::min(cmd.ClipRect.z, region.z), std::min(cmd.ClipRect.w, region.w));
      if (clip.z <= clip.x || clip.w <= clip.y || !meets(m_reach[n], clip)) continue;
      const std::size_t start = pass.idx.size();
      for (std::size_t r = m_first[n]; r < m_first[n + 1]; ++r) {
        const Run& run = m_runs[r];
        if (!meets(run.bounds, clip)) continue;
        const ImDrawIdx* from = list.IdxBuffer.Data + run.first;
        pass.idx.insert(pass.idx.end(), from, from + run.count);
      }
      const auto count = static_cast<unsigned>(pass.idx.size() - start);
      if (count == 0) continue;
      ImDrawCmd kept = cmd;
      kept.ClipRect = clip;
      kept.IdxOffset = static_cast<unsigned>(start);
      kept.ElemCount = count;
      pass.cmds.push_back(kept);
      draws = true;
    }
    if (!draws && !callbacks) continue;
    // The frame's own vertices, not a copy; none where only callbacks are left.
    view(pass.list.VtxBuffer, draws ? list.VtxBuffer.Data : nullptr,
         draws ? static_cast<std::size_t>(list.VtxBuffer.Size) : 0);
    view(pass.list.IdxBuffer, pass.idx.data(), pass.idx.size());
    view(pass.list.CmdBuffer, pass.cmds.data(), pass.cmds.size());
    pass.list.Flags = list.Flags;
    m_lists.push_back(&pass.list);
  }
  m_pass = m_data;
  m_pass.CmdLists = m_lists.data();
  m_pass.CmdListsCount = static_cast<int>(m_lists.size());
  return m_pass;
}

}  // namespace mailhop::gui
