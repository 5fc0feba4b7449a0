#pragma once
// Which parts of the window a frame changes, so that a software renderer repaints only those.
//
// Mesa's llvmpipe spends about as much processor time drawing a frame as the simulation and the
// UI together, and most of a playing frame's pixels are the same as the frame before: the
// ladder of a finished conversation, the explanation, the inspector, the panels' frames. The
// window keeps its back buffer between frames (it presents with a copy, not a swap, where the
// system offers that) and repaints only the rectangles this tracker finds changed.
//
// The window is cut into tiles of kTile × kTile pixels. Every triangle of the frame is signed
// (its three vertices, its command's texture and clip rectangle, the renderer state set by the
// callbacks before it) and its signature is folded, in drawing order, into each tile its bounds
// touch. A tile whose signature differs from the last frame's may show different pixels; a tile
// with the same signature is drawn by the same triangles in the same order, so it shows the same
// pixels. The changed tiles are gathered into a few rectangles.

#include <imgui.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace mailhop::gui {

// Pixels [x0, x1) × [y0, y1), top-left origin.
struct PixelRect {
  int x0 = 0;
  int y0 = 0;
  int x1 = 0;
  int y1 = 0;

  long long area() const {
    return x1 > x0 && y1 > y0 ? static_cast<long long>(x1 - x0) * (y1 - y0) : 0;
  }
  bool empty() const { return x1 <= x0 || y1 <= y0; }
  friend bool operator==(const PixelRect&, const PixelRect&) = default;
};

class DamageTracker {
 public:
  static constexpr int kTile = 32;
  // At most this many rectangles: each is a pass of the renderer over the frame's commands.
  static constexpr std::size_t kMaxRects = 6;

  // Signs this frame and returns the rectangles to repaint (clipped to the window), covering
  // every tile that changed since the last call: none when nothing changed, the whole window
  // when its size changed, after invalidate(), or when the changes cover most of it.
  std::vector<PixelRect> update(const ImDrawData& data, int width, int height);
  // The next update() repaints everything (the back buffer's contents were lost).
  void invalidate() { m_valid = false; }

  // Whether a rectangle list is the whole window (a full repaint).
  static bool whole(const std::vector<PixelRect>& rects, int width, int height) {
    return rects.size() == 1 && rects[0] == PixelRect{0, 0, width, height};
  }

 private:
  int m_width = 0;
  int m_height = 0;
  int m_cols = 0;
  int m_rows = 0;
  bool m_valid = false;
  std::vector<std::uint64_t> m_signature;  // this frame's, per tile
  std::vector<std::uint64_t> m_last;       // the last frame's
};

// One frame's draw data cut down to a rectangle, pass after pass, without changing it: each
// pass draws lists of its own that share the frame's vertices and hold only the triangles that
// can reach the rectangle (taken in runs of kRun, each run with its bounds), under commands
// whose clip rectangles are intersected with it. Commands with nothing there are left out, and
// so are lists with no command and no callback left. The renderer thus shades and sets up only
// what a pass can show, however many passes a frame takes.
class RegionPasses {
 public:
  static constexpr unsigned kRun = 16;  // triangles

  explicit RegionPasses(const ImDrawData& data);
  ~RegionPasses();
  RegionPasses(const RegionPasses&) = delete;
  RegionPasses& operator=(const RegionPasses&) = delete;

  // The frame restricted to `rect` (framebuffer pixels); valid until the next call.
  ImDrawData& restrict_to(const PixelRect& rect);

 private:
  struct Run {
    ImVec4 bounds;       // of its triangles, a pixel wider (antialiased fringes)
    unsigned first = 0;  // in the list's indices
    unsigned count = 0;  // indices
  };
  // A pass's list. Its buffers are views of memory it does not get from ImGui (whose
  // allocator counts into the UI thread's context): the frame's vertices, and its own commands
  // and indices.
  struct PassList {
    PassList();
    ~PassList();
    PassList(const PassList&) = delete;
    PassList& operator=(const PassList&) = delete;
    ImDrawList list;
    std::vector<ImDrawCmd> cmds;
    std::vector<ImDrawIdx> idx;
  };
  const ImDrawData& m_data;
  ImDrawData m_pass;
  std::vector<Run> m_runs;           // every command's, in order
  std::vector<std::size_t> m_first;  // per command, its first run (and one past the last)
  std::vector<ImVec4> m_reach;       // per command, the bounds of its triangles
  std::vector<std::unique_ptr<PassList>> m_owned;  // one per list of the frame, reused
  std::vector<ImDrawList*> m_lists;                // this pass's
};

// Merges dirty tiles (`dirty[row * cols + col]`) into at most `max_rects` rectangles of tiles,
// in tile units, covering all of them. Exposed for the tests.
std::vector<PixelRect> merge_tiles(const std::vector<bool>& dirty, int cols, int rows,
                                   std::size_t max_rects);

}  // namespace mailhop::gui
