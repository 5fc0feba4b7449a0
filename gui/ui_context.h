#pragma once
// What every panel's draw() receives: read-only views of the model and settings, the fonts and
// colours, and the queue through which a panel asks for a change. Panels never change the model
// themselves; the App applies the queued commands after drawing.

#include <cstddef>
#include <utility>
#include <variant>
#include <vector>

#include "gui/conversation.h"
#include "gui/theme.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"

namespace mailhop::gui {

namespace command {
struct Next {};
struct Back {};
struct Restart {};
struct Select {
  std::size_t index = 0;
};
struct SetLanguage {
  text::Language language = text::Language::kEnglish;
};
struct SetScale {
  float scale = 1.0f;
};
}  // namespace command

using AppCommand = std::variant<command::Next, command::Back, command::Restart, command::Select,
                                command::SetLanguage, command::SetScale>;

class CommandQueue {
 public:
  void push(AppCommand command) { m_commands.push_back(command); }
  std::vector<AppCommand> take() { return std::exchange(m_commands, {}); }
  bool empty() const { return m_commands.empty(); }

 private:
  std::vector<AppCommand> m_commands;
};

struct Settings {
  text::Language language = text::Language::kEnglish;
  float scale = 1.0f;  // UI scale for projectors, kMinScale..kMaxScale
};

struct UiContext {
  const text::Catalog& text;
  const text::Explanations& explanations;
  const Conversation& conversation;
  const Settings& settings;
  const Fonts& fonts;
  const Palette& palette;
  CommandQueue& commands;
};

}  // namespace mailhop::gui
