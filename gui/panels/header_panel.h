#pragma once
// The top of the window: title, who talks to whom, and the language and size controls.

#include "gui/ui_context.h"

namespace mailhop::gui {

class HeaderPanel {
 public:
  // `compact` (large scale on a small screen): no subtitle, hosts and addresses on one line.
  void draw(const UiContext& ctx, bool compact);

  // The UI scales offered in the size menu (within kMinScale..kMaxScale).
  static constexpr float kScales[] = {1.0f, 1.25f, 1.5f, 1.75f, 2.0f, 2.5f, 3.0f};
};

// "1×", "1.5×" / "1,5×": a scale as the size menu shows it.
std::string scale_label(float scale, const text::Catalog& catalog);

}  // namespace mailhop::gui
