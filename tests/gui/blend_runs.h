#pragma once
// Walks an ImDrawList as the window's renderer does when panels switch blending off and on with
// two callbacks (Fonts::opaque_begin and opaque_end): each index drawn is visited with its vertex
// and whether blending was off for it.

#include <imgui.h>

namespace mailhop::gui::testing {

// Stand-ins for the window's two callbacks (their bodies differ, so the linker keeps two
// addresses): a test sets them in Fonts and finds them in the draw lists.
inline int g_blend_switches[2] = {0, 0};
inline void fake_opaque_begin(const ImDrawList*, const ImDrawCmd*) { ++g_blend_switches[0]; }
inline void fake_opaque_end(const ImDrawList*, const ImDrawCmd*) { ++g_blend_switches[1]; }

struct BlendRuns {
  int begins = 0;
  int ends = 0;
  bool well_formed = true;       // no begin inside a run, no end outside one, none left open
  bool drawn_before_run = false;  // something was drawn before the first run began
};

template <typename Visit>
BlendRuns walk_blend_runs(const ImDrawList& list, ImDrawCallback begin, ImDrawCallback end,
                          Visit visit) {
  BlendRuns runs;
  bool opaque = false;
  for (const ImDrawCmd& cmd : list.CmdBuffer) {
    if (cmd.UserCallback == begin || cmd.UserCallback == end) {
      const bool is_begin = cmd.UserCallback == begin;
      if (is_begin == opaque) runs.well_formed = false;
      opaque = is_begin;
      ++(is_begin ? runs.begins : runs.ends);
      continue;
    }
    if (cmd.UserCallback != nullptr) continue;
    if (cmd.ElemCount > 0 && runs.begins == 0) runs.drawn_before_run = true;
    for (unsigned int k = 0; k < cmd.ElemCount; ++k) {
      const auto index = list.IdxBuffer[static_cast<int>(cmd.IdxOffset + k)];
      visit(list.VtxBuffer[static_cast<int>(cmd.VtxOffset + index)], opaque);
    }
  }
  if (opaque) runs.well_formed = false;
  return runs;
}

}  // namespace mailhop::gui::testing
