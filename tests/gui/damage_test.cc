// Which parts of the window a frame changes: the tiles' signatures, their rectangles, and the
// passes that repaint just those.

#include "gui/damage.h"

#include <imgui.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tests/gui/bare_imgui.h"

using mailhop::gui::DamageTracker;
using mailhop::gui::merge_tiles;
using mailhop::gui::PixelRect;
using mailhop::gui::RegionPasses;

namespace {

struct Quad {
  float x, y, w, h;
  ImU32 colour = IM_COL32(200, 40, 40, 255);
};

// Two callbacks that stand for renderer state (their bodies differ, so the linker keeps two
// addresses).
int g_calls[2] = {0, 0};
void set_state(const ImDrawList*, const ImDrawCmd*) {
  ++g_calls[0];
}
void other_state(const ImDrawList*, const ImDrawCmd*) {
  ++g_calls[1];
}

// A bare ImGui context whose frames draw rectangles on the foreground list, optionally after a
// callback.
class Frames {
 public:
  ImDrawData& draw(const std::vector<Quad>& quads, ImDrawCallback callback = nullptr) {
    ImGui::NewFrame();
    ImDrawList* list = ImGui::GetForegroundDrawList();
    if (callback) list->AddCallback(callback, nullptr);
    for (const Quad& q : quads) {
      list->AddRectFilled(ImVec2(q.x, q.y), ImVec2(q.x + q.w, q.y + q.h), q.colour);
    }
    ImGui::Render();
    return *ImGui::GetDrawData();
  }

 private:
  mailhop::gui::testing::BareImGui m_imgui;
};

bool covers(const std::vector<PixelRect>& rects, float x, float y) {
  for (const PixelRect& r : rects) {
    if (x >= static_cast<float>(r.x0) && x < static_cast<float>(r.x1) &&
        y >= static_cast<float>(r.y0) && y < static_cast<float>(r.y1)) {
      return true;
    }
  }
  return false;
}

// Every dirty tile is inside one of the rectangles.
bool covers_tiles(const std::vector<PixelRect>& rects, const std::vector<bool>& dirty, int cols) {
  for (std::size_t i = 0; i < dirty.size(); ++i) {
    if (!dirty[i]) continue;
    const float x = static_cast<float>(static_cast<int>(i) % cols) + 0.5f;
    const float y = static_cast<float>(static_cast<int>(i) / cols) + 0.5f;
    if (!covers(rects, x, y)) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("merge_tiles gathers dirty tiles into few rectangles that cover them all") {
  const int cols = 10;
  const int rows = 8;
  std::vector<bool> dirty(static_cast<std::size_t>(cols * rows), false);
  auto set = [&](int c, int r) { dirty[static_cast<std::size_t>(r * cols + c)] = true; };

  SECTION("none") {
    CHECK(merge_tiles(dirty, cols, rows, 6).empty());
  }
  SECTION("a block of tiles is one rectangle") {
    for (int r = 2; r < 5; ++r)
      for (int c = 3; c < 7; ++c) set(c, r);
    const std::vector<PixelRect> rects = merge_tiles(dirty, cols, rows, 6);
    REQUIRE(rects.size() == 1);
    CHECK(rects[0] == PixelRect{3, 2, 7, 5});
  }
  SECTION("two apart are two rectangles") {
    set(0, 0);
    set(9, 7);
    const std::vector<PixelRect> rects = merge_tiles(dirty, cols, rows, 6);
    REQUIRE(rects.size() == 2);
    CHECK(rects[0] == PixelRect{0, 0, 1, 1});
    CHECK(rects[1] == PixelRect{9, 7, 10, 8});
  }
  SECTION("more than the limit are joined where that adds least, and still cover them all") {
    // A diagonal: eight single tiles, joined pairwise into neighbours.
    for (int i = 0; i < 8; ++i) set(i, i);
    const std::vector<PixelRect> rects = merge_tiles(dirty, cols, rows, 4);
    CHECK(rects.size() == 4);
    CHECK(covers_tiles(rects, dirty, cols));
    long long area = 0;
    for (const PixelRect& r : rects) area += r.area();
    CHECK(area == 16);  // four 2×2 squares, not one 8×8
  }
  SECTION("very many scattered tiles become one rectangle around them") {
    // A checkerboard of 20 × 16 tiles: 160 single tiles, from (1, 1) to (19, 15).
    std::vector<bool> board(20 * 16, false);
    for (int r = 1; r < 16; ++r)
      for (int c = 1 + r % 2; c < 20; c += 2) board[static_cast<std::size_t>(r * 20 + c)] = true;
    const std::vector<PixelRect> rects = merge_tiles(board, 20, 16, 6);
    REQUIRE(rects.size() == 1);
    CHECK(rects[0] == PixelRect{1, 1, 20, 16});
  }
}

TEST_CASE("DamageTracker repaints only the tiles a frame changed") {
  Frames frames;
  DamageTracker tracker;
  const Quad still{600, 400, 50, 50};

  // The first frame, and any frame after invalidate(), is repainted whole.
  std::vector<PixelRect> rects = tracker.update(frames.draw({{100, 100, 20, 20}, still}), 800, 600);
  CHECK(DamageTracker::whole(rects, 800, 600));

  SECTION("the same frame again: nothing") {
    CHECK(tracker.update(frames.draw({{100, 100, 20, 20}, still}), 800, 600).empty());
  }
  SECTION("a rectangle that moved: where it was and where it is, not the rest") {
    rects = tracker.update(frames.draw({{300, 100, 20, 20}, still}), 800, 600);
    REQUIRE_FALSE(rects.empty());
    CHECK_FALSE(DamageTracker::whole(rects, 800, 600));
    CHECK(covers(rects, 100, 100));
    CHECK(covers(rects, 119, 119));
    CHECK(covers(rects, 300, 100));
    CHECK(covers(rects, 319, 119));
    CHECK_FALSE(covers(rects, 620, 420));  // the one that stood still
    CHECK_FALSE(covers(rects, 10, 500));
    // Tile-aligned, within the window.
    for (const PixelRect& r : rects) {
      CHECK(r.x0 % DamageTracker::kTile == 0);
      CHECK(r.y0 % DamageTracker::kTile == 0);
      CHECK(r.x1 <= 800);
      CHECK(r.y1 <= 600);
    }
  }
  SECTION("a colour that changed") {
    rects = tracker.update(frames.draw({{100, 100, 20, 20, IM_COL32(40, 200, 40, 255)}, still}),
                           800, 600);
    CHECK(covers(rects, 110, 110));
    CHECK_FALSE(covers(rects, 620, 420));
  }
  SECTION("a shape that reaches a tile's border dirties the tile beyond (antialiased fringes)") {
    // Moving a quad whose edge sits on a tile's border dirties the tile beside it as well.
    rects = tracker.update(frames.draw({{100, 100, 28, 20}, still}), 800, 600);
    CHECK(covers(rects, 128, 110));
  }
  SECTION("the window's size changed: everything") {
    rects = tracker.update(frames.draw({{100, 100, 20, 20}, still}), 640, 480);
    CHECK(DamageTracker::whole(rects, 640, 480));
  }
  SECTION("after invalidate(): everything") {
    tracker.invalidate();
    rects = tracker.update(frames.draw({{100, 100, 20, 20}, still}), 800, 600);
    CHECK(DamageTracker::whole(rects, 800, 600));
  }
  SECTION("a callback that sets other renderer state repaints what is drawn after it") {
    DamageTracker with_callback;
    with_callback.update(frames.draw({{100, 100, 20, 20}, still}, set_state), 800, 600);
    CHECK(with_callback.update(frames.draw({{100, 100, 20, 20}, still}, set_state), 800, 600)
              .empty());
    rects = with_callback.update(frames.draw({{100, 100, 20, 20}, still}, other_state), 800, 600);
    CHECK(covers(rects, 110, 110));
    CHECK(covers(rects, 620, 420));
  }
  SECTION("changes over most of the window: one full repaint") {
    std::vector<Quad> many;
    for (int y = 0; y < 600; y += 40)
      for (int x = 0; x < 800; x += 40)
        many.push_back({static_cast<float>(x) + 5, static_cast<float>(y) + 5, 20, 20});
    rects = tracker.update(frames.draw(many), 800, 600);
    CHECK(DamageTracker::whole(rects, 800, 600));
  }
}

TEST_CASE("RegionPasses cuts a frame down to a rectangle and leaves the frame as it was") {
  Frames frames;
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(200, 200));
  ImGui::Begin("left");
  ImGui::Text("left");
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(500, 300));
  ImGui::SetNextWindowSize(ImVec2(200, 200));
  ImGui::Begin("right");
  ImGui::Text("right");
  ImGui::End();
  // Many small quads in a row on the foreground list, one command: a pass over one end keeps
  // only the quads near it.
  ImDrawList* row = ImGui::GetForegroundDrawList();
  for (int i = 0; i < 100; ++i) {
    const float x = 10.0f + 7.0f * static_cast<float>(i);
    row->AddRectFilled(ImVec2(x, 560), ImVec2(x + 5, 565), IM_COL32(10, 20, 200, 255));
  }
  ImGui::Render();
  const ImDrawData& data = *ImGui::GetDrawData();
  REQUIRE(data.CmdListsCount >= 3);

  // Everything the frame holds, to compare after the passes.
  std::vector<ImDrawCmd> cmds_before;
  std::vector<ImDrawIdx> idx_before;
  for (int l = 0; l < data.CmdListsCount; ++l) {
    const ImDrawList& list = *data.CmdLists[l];
    cmds_before.insert(cmds_before.end(), list.CmdBuffer.begin(), list.CmdBuffer.end());
    idx_before.insert(idx_before.end(), list.IdxBuffer.begin(), list.IdxBuffer.end());
  }

  // The bounds of triangle t (its first index at `at`) of a pass's command.
  const auto bounds = [](const ImDrawList& list, const ImDrawCmd& cmd, unsigned at) {
    const ImDrawIdx* idx = list.IdxBuffer.Data + cmd.IdxOffset + at;
    ImVec4 b(1e9f, 1e9f, -1e9f, -1e9f);
    for (int k = 0; k < 3; ++k) {
      const ImVec2 p = list.VtxBuffer.Data[cmd.VtxOffset + idx[k]].pos;
      b = ImVec4(std::min(b.x, p.x), std::min(b.y, p.y), std::max(b.z, p.x), std::max(b.w, p.y));
    }
    return b;
  };

  {
    RegionPasses passes(data);
    SECTION("a corner of the left window") {
      const ImDrawData& pass = passes.restrict_to(PixelRect{0, 0, 100, 64});
      // Neither the right window's list nor the row of quads is drawn.
      CHECK(pass.CmdListsCount == 1);
      for (int l = 0; l < pass.CmdListsCount; ++l) {
        for (const ImDrawCmd& cmd : pass.CmdLists[l]->CmdBuffer) {
          CHECK(cmd.ClipRect.x >= 0.0f);
          CHECK(cmd.ClipRect.y >= 0.0f);
          CHECK(cmd.ClipRect.z <= 100.0f);
          CHECK(cmd.ClipRect.w <= 64.0f);
        }
      }
    }
    SECTION("one end of the row: only the quads there, in runs") {
      const ImDrawData& pass = passes.restrict_to(PixelRect{0, 540, 60, 600});
      REQUIRE(pass.CmdListsCount == 1);
      const ImDrawList& list = *pass.CmdLists[0];
      unsigned triangles = 0;
      for (const ImDrawCmd& cmd : list.CmdBuffer) {
        REQUIRE(cmd.UserCallback == nullptr);
        for (unsigned t = 0; t + 2 < cmd.ElemCount; t += 3) {
          ++triangles;
          // Each kept triangle belongs to a run that comes near the region.
          CHECK(bounds(list, cmd, t).x < 60.0f + 7.0f * 3 * RegionPasses::kRun);
        }
      }
      // The first quads are kept (two triangles each), not the 200 triangles of the row.
      CHECK(triangles >= 14);
      CHECK(triangles <= 2 * RegionPasses::kRun);
      // The vertices are the frame's own.
      CHECK(list.VtxBuffer.Data == data.CmdLists[data.CmdListsCount - 1]->VtxBuffer.Data);
    }
    SECTION("passes one after another start from the frame each time") {
      passes.restrict_to(PixelRect{0, 0, 100, 64});
      const ImDrawData& other = passes.restrict_to(PixelRect{500, 300, 800, 600});
      bool inside = false;
      for (int l = 0; l < other.CmdListsCount; ++l) {
        for (const ImDrawCmd& cmd : other.CmdLists[l]->CmdBuffer) {
          inside = true;
          CHECK(cmd.ClipRect.x >= 500.0f);
          CHECK(cmd.ClipRect.y >= 300.0f);
        }
      }
      CHECK(inside);
    }
  }
  // The frame is as it was.
  std::size_t c = 0;
  std::size_t i = 0;
  for (int l = 0; l < data.CmdListsCount; ++l) {
    const ImDrawList& list = *data.CmdLists[l];
    for (const ImDrawCmd& cmd : list.CmdBuffer) {
      REQUIRE(c < cmds_before.size());
      CHECK(std::memcmp(&cmd, &cmds_before[c++], sizeof cmd) == 0);
    }
    for (const ImDrawIdx& x : list.IdxBuffer) {
      REQUIRE(i < idx_before.size());
      CHECK(x == idx_before[i++]);
    }
  }
  CHECK(c == cmds_before.size());
  CHECK(i == idx_before.size());
}
