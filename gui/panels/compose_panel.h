#pragma once
// Compose and fetch, as dialogs opened from the menu bar. Compose: pick a mail program (a `mua`
// or `webmail` node) and one of its accounts, see how it submits (MSA, port, TLS, AUTH), type
// To, Subject and the body, and Send: a live SendAction recorded in the script. Fetch: pick a
// node and an account with a mailbox protocol, see how it reads mail (POP3/IMAP, server, port,
// TLS), and Fetch: a live FetchAction. Call draw_menu() inside the menu bar and draw_popups()
// right after it.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "gui/ui_context.h"

namespace mailhop::gui {

// "smtp.gmail.example:587 · STARTTLS · AUTH": how an account submits, in the current language.
std::string submission_summary(const scenario::Account& account, const text::Catalog& catalog);
// "IMAP · imap.yahoo.example:993 · TLS": how an account reads mail; empty without retrieval.
std::string retrieval_summary(const scenario::Account& account, const text::Catalog& catalog);

// The send a compose form describes: recipients split at commas, semicolons and spaces.
scenario::SendAction make_send_action(const std::string& node, const std::string& from,
                                      const std::string& to, const std::string& subject,
                                      const std::string& body);

class ComposePanel {
 public:
  void draw_menu(const UiContext& ctx);
  void draw_popups(const UiContext& ctx);
  // Forgets the chosen node and the text typed (a new scenario was opened).
  void reset();

  // Opens the dialog on the next draw (the menu items call these; so can tests).
  void open_compose() { m_request = Dialog::kCompose; }
  void open_fetch() { m_request = Dialog::kFetch; }

 private:
  enum class Dialog { kNone, kCompose, kFetch };
  void draw_compose(const UiContext& ctx);
  void draw_fetch(const UiContext& ctx);
  // Node and account pickers; false when the scenario has no node to choose.
  bool pick_account(const UiContext& ctx, bool for_fetch);

  Dialog m_request = Dialog::kNone;
  std::string m_node;
  std::string m_account;
  std::array<char, 512> m_to{};
  std::array<char, 256> m_subject{};
  std::array<char, 8192> m_body{};
};

}  // namespace mailhop::gui
