#include "gui/conversation.h"

#include <algorithm>
#include <utility>

namespace mailhop::gui {

Conversation::Conversation(ConversationRun run) : m_run(std::move(run)) {}

void Conversation::select_last() {
  if (m_revealed == 0) {
    m_selected.reset();
  } else {
    m_selected = m_revealed - 1;
  }
}

bool Conversation::next() {
  if (at_end()) return false;
  ++m_revealed;
  select_last();
  return true;
}

bool Conversation::back() {
  if (at_start()) return false;
  --m_revealed;
  select_last();
  return true;
}

void Conversation::restart() {
  m_revealed = 0;
  m_selected.reset();
}

void Conversation::reveal(std::size_t n) {
  m_revealed = std::min(n, size());
  select_last();
}

bool Conversation::select(std::size_t index) {
  if (index >= m_revealed) return false;
  m_selected = index;
  return true;
}

}  // namespace mailhop::gui
