#include "gui/draw_snapshot.h"

#include <cstring>

namespace mailhop::gui {
namespace {

// Resizes `to` to `from`'s size (keeping its capacity) and copies the elements, which are plain
// data (ImDrawCmd, ImDrawIdx, ImDrawVert).
template <typename T>
void copy_vector(ImVector<T>& to, const ImVector<T>& from) {
  to.resize(from.Size);
  if (from.Size > 0) std::memcpy(to.Data, from.Data, static_cast<size_t>(from.Size) * sizeof(T));
}

}  // namespace

void DrawSnapshot::ListDeleter::operator()(ImDrawList* list) const { IM_DELETE(list); }

DrawSnapshot::~DrawSnapshot() = default;

void DrawSnapshot::capture(const ImDrawData& source) {
  const int count = source.CmdListsCount;
  while (static_cast<int>(m_lists.size()) < count) {
    // The shared data (font, curve tolerances) is only needed to add shapes; a copy adds none.
    m_lists.emplace_back(IM_NEW(ImDrawList)(nullptr));
  }
  m_pointers.resize(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const ImDrawList& from = *source.CmdLists[i];
    ImDrawList& to = *m_lists[static_cast<size_t>(i)];
    copy_vector(to.CmdBuffer, from.CmdBuffer);
    copy_vector(to.IdxBuffer, from.IdxBuffer);
    copy_vector(to.VtxBuffer, from.VtxBuffer);
    to.Flags = from.Flags;
    m_pointers[static_cast<size_t>(i)] = &to;
  }
  m_data = source;
  m_data.CmdLists = count > 0 ? m_pointers.data() : nullptr;
  m_captured = true;
}

}  // namespace mailhop::gui
