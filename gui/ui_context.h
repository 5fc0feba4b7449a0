#pragma once
// What every panel's draw() receives: read-only views of the model and settings, the fonts and
// colours, and the queue through which a panel asks for a change. Panels never change the model
// themselves; the App applies the queued commands after drawing.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "gui/selection.h"
#include "gui/session.h"
#include "gui/theme.h"
#include "sim/cli/serve_ports.h"
#include "sim/core/sim_time.h"
#include "sim/scenario/scenario.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"

namespace mailhop::gui {

namespace command {
// Older names kept for panels written before scenarios: Next = StepEvent, Back = StepBack,
// Restart = SeekEvent{0}, Select = SelectEvent.
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

// Playback of the session.
struct Play {};
struct Pause {};
struct TogglePlay {};
struct SetSpeed {
  float speed = 1.0f;  // simulated seconds per wall-clock second, 0.1 to 1000
};
struct StepEvent {};    // the next trace event
struct StepLine {};     // the next protocol line (command or reply)
struct StepHop {};      // the next hop: a message relayed, delivered or bounced
struct StepMessage {};  // the next message submitted by a MUA
struct StepBack {};     // exactly one trace event back (a deterministic re-run)
struct SeekTime {
  core::SimTime time;
};
struct SeekEvent {
  std::size_t count = 0;  // trace events emitted
};

// What the class looks at.
struct SelectEvent {
  std::size_t index = 0;  // into Session::events(); also selects its connection and node
};
struct SelectConnection {
  std::uint64_t id = 0;
};
struct SelectNode {
  std::string name;
  // "Inspect" (a host's menu, a double-click): the inspector comes to the front even where
  // that hides the network (it is the network's own tab bar on a small screen).
  bool inspect = false;
};
struct SelectLink {
  std::string a, b;
};
struct SelectMessage {
  std::string id;
};
struct SelectMailbox {
  std::string address;
  bool inspect = false;  // as SelectNode::inspect
};

// A live change to the world (fault, clear fault, send, fetch), recorded into the script.
struct LiveAction {
  scenario::Action action;
};

// Files.
struct OpenScenario {
  std::filesystem::path path;
};
struct Reload {};
struct SaveScenario {
  std::filesystem::path path;  // empty: the file it came from
};

struct SetHighContrast {
  bool on = false;
};

// Real clients: open (or close) real ports onto the scenario's servers (LiveClients).
struct SetRealClients {
  bool on = false;
  std::vector<cli::PortMap> ports;  // empty: cli::default_ports
};
}  // namespace command

using AppCommand = std::variant<
    command::Next, command::Back, command::Restart, command::Select, command::SetLanguage,
    command::SetScale, command::Play, command::Pause, command::TogglePlay, command::SetSpeed,
    command::StepEvent, command::StepLine, command::StepHop, command::StepMessage,
    command::StepBack, command::SeekTime, command::SeekEvent, command::SelectEvent,
    command::SelectConnection, command::SelectNode, command::SelectLink, command::SelectMessage,
    command::SelectMailbox, command::LiveAction, command::OpenScenario, command::Reload,
    command::SaveScenario, command::SetHighContrast, command::SetRealClients>;

class CommandQueue {
 public:
  void push(AppCommand command) { m_commands.push_back(std::move(command)); }
  std::vector<AppCommand> take() { return std::exchange(m_commands, {}); }
  bool empty() const { return m_commands.empty(); }

 private:
  std::vector<AppCommand> m_commands;
};

struct Settings {
  text::Language language = text::Language::kEnglish;
  float scale = 1.0f;  // UI scale for projectors, kMinScale..kMaxScale
  bool high_contrast = false;
};

// How the session plays (UI state; the simulation only sees the resulting seeks).
struct Playback {
  bool playing = false;
  float speed = 1.0f;  // simulated seconds per wall-clock second, kMinSpeed..kMaxSpeed
};

struct UiContext {
  const text::Catalog& text;
  const text::Explanations& explanations;
  const Session* session;  // null when no scenario is open
  const Selection& selection;
  const Playback& playback;
  const Settings& settings;
  const Fonts& fonts;
  const Palette& palette;
  CommandQueue& commands;
};

}  // namespace mailhop::gui
