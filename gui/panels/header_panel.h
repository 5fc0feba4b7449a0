#pragma once
// The right part of the menu bar: language (Español / English), size (1× to 3×) and high
// contrast, right-aligned; in a View menu when they do not fit. Call between
// ImGui::BeginMenuBar() and EndMenuBar(), after the other menus.
// The replay banner: for a session opened from a trace, a note under the menu bar saying what
// is replayed and whether the re-run matches the recording. Call draw_banner() in the window,
// before the controls.

#include <optional>
#include <string>

#include "gui/ui_context.h"

namespace mailhop::gui {

// What the replay banner says.
struct ReplayNote {
  enum class Tone { kInfo, kWarning };
  Tone tone = Tone::kInfo;
  std::string text;     // everything (what differs, both versions of the event)
  std::string summary;  // one sentence, for a window too small for the whole text
};

// The banner of a replayed trace in the catalog's language; nothing for other sessions.
std::optional<ReplayNote> replay_note(const Session& session, const text::Catalog& catalog);

class HeaderPanel {
 public:
  void draw_menu_bar(const UiContext& ctx);
  // The replay banner (nothing when the session is not a replayed trace).
  void draw_banner(const UiContext& ctx);

  // The UI scales offered in the size menu (within kMinScale..kMaxScale).
  static constexpr float kScales[] = {1.0f, 1.25f, 1.5f, 1.75f, 2.0f, 2.5f, 3.0f};

 private:
  void draw_items(const UiContext& ctx, const std::string& size_menu);
  float m_width = 0.0f;  // of the right-aligned group, measured in the last frame
};

// "1×", "1.5×" / "1,5×": a scale as the size menu shows it.
std::string scale_label(float scale, const text::Catalog& catalog);

}  // namespace mailhop::gui
