// The copy of a frame's draw data that the render thread draws while the UI builds the next.

#include "gui/draw_snapshot.h"

#include <imgui.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "tests/gui/bare_imgui.h"

using mailhop::gui::DrawSnapshot;

namespace {

// A bare ImGui context whose frames draw `quads` rectangles in one window.
class Frames {
 public:
  const ImDrawData& draw(int quads, float shift) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(10, 10));
    ImGui::SetNextWindowSize(ImVec2(500, 400));
    ImGui::Begin("quads");
    ImDrawList* list = ImGui::GetWindowDrawList();
    for (int i = 0; i < quads; ++i) {
      const float x = 20.0f + shift + static_cast<float>(i % 20) * 20.0f;
      const float y = 40.0f + static_cast<float>(i / 20) * 20.0f;
      list->AddRectFilled(ImVec2(x, y), ImVec2(x + 10, y + 10), IM_COL32(200, 40, 40, 255));
    }
    ImGui::Text("frame with %d quads", quads);
    ImGui::End();
    ImGui::Render();
    return *ImGui::GetDrawData();
  }

 private:
  mailhop::gui::testing::BareImGui m_imgui;
};

// Everything the renderer reads from one list, as plain bytes.
struct ListBytes {
  std::vector<ImDrawCmd> cmds;
  std::vector<ImDrawIdx> idx;
  std::vector<ImDrawVert> vtx;
  ImDrawListFlags flags = 0;
};

ListBytes bytes_of(const ImDrawList& list) {
  ListBytes out;
  out.cmds.assign(list.CmdBuffer.begin(), list.CmdBuffer.end());
  out.idx.assign(list.IdxBuffer.begin(), list.IdxBuffer.end());
  out.vtx.assign(list.VtxBuffer.begin(), list.VtxBuffer.end());
  out.flags = list.Flags;
  return out;
}

std::vector<ListBytes> bytes_of(const ImDrawData& data) {
  std::vector<ListBytes> out;
  for (int i = 0; i < data.CmdListsCount; ++i) out.push_back(bytes_of(*data.CmdLists[i]));
  return out;
}

template <typename T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

void check_equal(const std::vector<ListBytes>& a, const std::vector<ListBytes>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(same_bytes(a[i].cmds, b[i].cmds));
    CHECK(same_bytes(a[i].idx, b[i].idx));
    CHECK(same_bytes(a[i].vtx, b[i].vtx));
    CHECK(a[i].flags == b[i].flags);
  }
}

// The snapshot's copy, which a test has captured.
const ImDrawData& copy_of(DrawSnapshot& snapshot) {
  static const ImDrawData kNothing;
  const ImDrawData* data = snapshot.data();
  REQUIRE(data != nullptr);
  return data ? *data : kNothing;
}

}  // namespace

TEST_CASE("draw snapshot: nothing to draw before the first capture", "[gui][snapshot]") {
  DrawSnapshot snapshot;
  CHECK(snapshot.data() == nullptr);
}

TEST_CASE("draw snapshot: the copy stays as captured while ImGui builds the next frames",
          "[gui][snapshot]") {
  Frames frames;
  const ImDrawData& first = frames.draw(100, 0.0f);
  REQUIRE(first.CmdListsCount > 0);
  const std::vector<ListBytes> expected = bytes_of(first);
  const ImVec2 display_size = first.DisplaySize;
  const int total_vertices = first.TotalVtxCount;
  const int total_indices = first.TotalIdxCount;

  DrawSnapshot snapshot;
  snapshot.capture(first);
  const ImDrawData* copy = &copy_of(snapshot);
  check_equal(bytes_of(*copy), expected);
  CHECK(copy->CmdListsCount == first.CmdListsCount);
  CHECK(copy->TotalVtxCount == total_vertices);
  CHECK(copy->TotalIdxCount == total_indices);
  CHECK(copy->DisplaySize.x == display_size.x);
  CHECK(copy->DisplaySize.y == display_size.y);
  // The copy's lists are its own, not ImGui's (which the next frame overwrites).
  for (int i = 0; i < copy->CmdListsCount; ++i) CHECK(copy->CmdLists[i] != first.CmdLists[i]);

  // The next frames draw other shapes into ImGui's lists; the copy does not change.
  const ImDrawData& second = frames.draw(300, 3.0f);
  CHECK(bytes_of(second)[0].vtx.size() != expected[0].vtx.size());
  check_equal(bytes_of(copy_of(snapshot)), expected);
  CHECK(copy_of(snapshot).TotalVtxCount == total_vertices);
}

TEST_CASE("draw snapshot: capturing again takes the new frame and reuses the buffers",
          "[gui][snapshot]") {
  Frames frames;
  DrawSnapshot snapshot;
  snapshot.capture(frames.draw(300, 0.0f));
  std::vector<const void*> buffers;
  for (int i = 0; i < copy_of(snapshot).CmdListsCount; ++i) {
    buffers.push_back(copy_of(snapshot).CmdLists[i]->VtxBuffer.Data);
  }

  // A smaller frame fits in the buffers already there: the same memory, the new contents.
  const ImDrawData& smaller = frames.draw(50, 5.0f);
  const std::vector<ListBytes> expected = bytes_of(smaller);
  snapshot.capture(smaller);
  check_equal(bytes_of(copy_of(snapshot)), expected);
  REQUIRE(static_cast<std::size_t>(copy_of(snapshot).CmdListsCount) <= buffers.size());
  for (int i = 0; i < copy_of(snapshot).CmdListsCount; ++i) {
    CHECK(copy_of(snapshot).CmdLists[i]->VtxBuffer.Data == buffers[static_cast<std::size_t>(i)]);
  }
  CHECK(copy_of(snapshot).TotalVtxCount == smaller.TotalVtxCount);
}
