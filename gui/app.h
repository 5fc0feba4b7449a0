#pragma once
// The app: owns the model (the conversation), the settings, the texts and the panels, draws one
// frame between ImGui::NewFrame() and ImGui::Render(), and applies what the panels asked for.
// Knows nothing about GLFW or OpenGL (see window.h), so it runs in tests on a bare ImGui context.

#include <filesystem>
#include <memory>

#include "gui/conversation.h"
#include "gui/panels/controls_panel.h"
#include "gui/panels/explanation_panel.h"
#include "gui/panels/header_panel.h"
#include "gui/panels/transcript_panel.h"
#include "gui/theme.h"
#include "gui/ui_context.h"
#include "sim/text/catalog.h"
#include "sim/text/explanations.h"

namespace mailhop::gui {

class App {
 public:
  App(text::Catalog catalog, text::Explanations explanations, Conversation conversation,
      Settings settings);

  // One frame of UI: keyboard shortcuts, every panel, then the queued commands.
  void frame();

  // Runs `command` now (the panels queue theirs; tests and the window may call this directly).
  void apply(const AppCommand& command);

  // True once after the UI scale changed: the owner rebuilds the fonts and the style with
  // settings().scale before the next frame.
  bool take_font_rebuild_request();
  void set_fonts(const Fonts& fonts) { m_fonts = fonts; }

  const Settings& settings() const { return m_settings; }
  const Conversation& conversation() const { return m_conversation; }
  const text::Catalog& catalog() const { return m_catalog; }
  const ControlsPanel& controls_panel() const { return m_controls; }
  const TranscriptPanel& transcript_panel() const { return m_transcript; }
  const ExplanationPanel& explanation_panel() const { return m_explanation; }

 private:
  void handle_shortcuts();
  UiContext context();

  text::Catalog m_catalog;
  text::Explanations m_explanations;
  Conversation m_conversation;
  Settings m_settings;
  std::unique_ptr<Session> m_session;
  Selection m_selection;
  Playback m_playback;
  Fonts m_fonts;
  CommandQueue m_commands;
  bool m_fonts_dirty = false;

  HeaderPanel m_header;
  ControlsPanel m_controls;
  TranscriptPanel m_transcript;
  ExplanationPanel m_explanation;
};

}  // namespace mailhop::gui
