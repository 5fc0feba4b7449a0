#pragma once
// A copy of one frame's ImGui draw data that stays valid while the UI builds the next frame.
// The window renders on a thread of its own, one frame behind the UI: Dear ImGui reuses its draw
// lists every frame, so the renderer draws from this copy instead.
//
// Only the thread that captures may capture or destroy a snapshot (the copies are allocated
// through ImGui's allocator, which counts into the current context); another thread may read
// data() between a capture and the next, with the hand-over synchronised by the caller.

#include <imgui.h>

#include <memory>
#include <vector>

namespace mailhop::gui {

class DrawSnapshot {
 public:
  DrawSnapshot() = default;
  ~DrawSnapshot();
  DrawSnapshot(const DrawSnapshot&) = delete;
  DrawSnapshot& operator=(const DrawSnapshot&) = delete;

  // Copies `source`'s lists (commands, indices, vertices, flags) and display geometry. The
  // buffers of earlier captures are reused: a steady frame allocates nothing.
  void capture(const ImDrawData& source);
  // The copy, in the form ImGui_ImplOpenGL3_RenderDrawData takes; null before the first
  // capture.
  ImDrawData* data() { return m_captured ? &m_data : nullptr; }

 private:
  struct ListDeleter {
    void operator()(ImDrawList* list) const;
  };
  std::vector<std::unique_ptr<ImDrawList, ListDeleter>> m_lists;
  std::vector<ImDrawList*> m_pointers;  // what m_data.CmdLists points into
  ImDrawData m_data;
  bool m_captured = false;
};

}  // namespace mailhop::gui
