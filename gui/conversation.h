#pragma once
// The model the panels show: one SMTP conversation's transcript, how many of its lines are
// revealed, and which line is selected. No ImGui here: the tests drive it directly.

#include <cstddef>
#include <optional>
#include <vector>

#include "gui/demo_scenario.h"
#include "sim/proto/smtp_loopback.h"

namespace mailhop::gui {

class Conversation {
 public:
  explicit Conversation(ConversationRun run);

  const ConversationInfo& info() const { return m_run.info; }
  const proto::SmtpLoopbackResult& result() const { return m_run.result; }
  const std::vector<proto::TranscriptEntry>& entries() const { return m_run.result.transcript; }

  std::size_t size() const { return entries().size(); }
  std::size_t revealed() const { return m_revealed; }
  bool at_start() const { return m_revealed == 0; }
  bool at_end() const { return m_revealed == size(); }

  // Reveal one more line (and select it); false at the end.
  bool next();
  // Hide the last revealed line (the selection moves to the new last line); false at the start.
  bool back();
  // Hide everything.
  void restart();
  // Reveal exactly n lines (clamped to the size); the last one is selected.
  void reveal(std::size_t n);

  std::optional<std::size_t> selected() const { return m_selected; }
  // Only a revealed line can be selected; false otherwise.
  bool select(std::size_t index);

 private:
  void select_last();

  ConversationRun m_run;
  std::size_t m_revealed = 0;
  std::optional<std::size_t> m_selected;
};

}  // namespace mailhop::gui
