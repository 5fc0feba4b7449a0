#include "gui/panels/compose_panel.h"

#include <imgui.h>

#include <algorithm>
#include <string>

namespace mailhop::gui {
namespace {

constexpr const char* kComposePopup = "##compose";
constexpr const char* kFetchPopup = "##fetch";

bool has_role(const scenario::Node& node, scenario::Role role) {
  return std::find(node.roles.begin(), node.roles.end(), role) != node.roles.end();
}

bool is_mail_program(const scenario::Node& node) {
  return has_role(node, scenario::Role::kMua) || has_role(node, scenario::Role::kWebmail);
}

bool can_fetch(const scenario::Account& account, const scenario::Node& node) {
  return account.retrieval.has_value() || has_role(node, scenario::Role::kWebmail);
}

std::string tls_text(scenario::TlsMode mode, const text::Catalog& t) {
  switch (mode) {
    case scenario::TlsMode::kNone:
      return t.get("compose.tls_none");
    case scenario::TlsMode::kStartTls:
      return "STARTTLS";
    case scenario::TlsMode::kImplicit:
      return "TLS";
  }
  return {};
}

void hint(const UiContext& ctx, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ctx.palette.muted);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

}  // namespace

std::string submission_summary(const scenario::Account& account, const text::Catalog& t) {
  std::string s = account.submission_host + ":" + std::to_string(account.submission_port) +
                  " · " + tls_text(account.submission_tls, t);
  s += " · " + t.get(account.use_auth ? "compose.auth" : "compose.no_auth");
  return s;
}

std::string retrieval_summary(const scenario::Account& account, const text::Catalog& t) {
  if (!account.retrieval) return {};
  const bool pop3 = *account.retrieval == scenario::RetrievalProtocol::kPop3;
  int port = account.retrieval_port;
  if (port == 0) {
    const bool implicit = account.retrieval_tls == scenario::TlsMode::kImplicit;
    port = pop3 ? (implicit ? 995 : 110) : (implicit ? 993 : 143);
  }
  return std::string(pop3 ? "POP3" : "IMAP") + " · " + account.retrieval_host + ":" +
         std::to_string(port) + " · " + tls_text(account.retrieval_tls, t);
}

scenario::SendAction make_send_action(const std::string& node, const std::string& from,
                                      const std::string& to, const std::string& subject,
                                      const std::string& body) {
  scenario::SendAction send;
  send.from_node = node;
  send.from = from;
  std::string current;
  for (const char c : to + ",") {
    if (c == ',' || c == ';' || c == ' ' || c == '\t') {
      if (!current.empty()) send.to.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  send.subject = subject;
  send.body = body;
  return send;
}

void ComposePanel::reset() {
  m_node.clear();
  m_account.clear();
  m_to[0] = '\0';
  m_subject[0] = '\0';
  m_body[0] = '\0';
}

void ComposePanel::draw_menu(const UiContext& ctx) {
  const bool open = ctx.session != nullptr;
  if (ImGui::MenuItem(ctx.text.c_str("compose.menu"), nullptr, false, open)) open_compose();
  if (ImGui::MenuItem(ctx.text.c_str("compose.fetch_menu"), nullptr, false, open)) open_fetch();
}

bool ComposePanel::pick_account(const UiContext& ctx, bool for_fetch) {
  const text::Catalog& t = ctx.text;
  const std::vector<scenario::Node>& nodes = ctx.session->scenario().nodes;
  auto usable = [&](const scenario::Node& n) {
    if (!is_mail_program(n) || n.accounts.empty()) return false;
    if (!for_fetch) return has_role(n, scenario::Role::kMua);
    return std::any_of(n.accounts.begin(), n.accounts.end(),
                       [&](const scenario::Account& a) { return can_fetch(a, n); });
  };
  auto node_it = std::find_if(nodes.begin(), nodes.end(), [&](const scenario::Node& n) {
    return n.name == m_node && usable(n);
  });
  if (node_it == nodes.end()) node_it = std::find_if(nodes.begin(), nodes.end(), usable);
  if (node_it == nodes.end()) {
    hint(ctx, t.get(for_fetch ? "compose.no_fetch_node" : "compose.no_node"));
    return false;
  }
  m_node = node_it->name;

  const float width = ImGui::GetContentRegionAvail().x * 0.7f;
  ImGui::TextUnformatted(t.c_str("compose.node"));
  ImGui::SameLine(ImGui::GetFontSize() * 7.0f);
  ImGui::SetNextItemWidth(width);
  if (ImGui::BeginCombo("##node", m_node.c_str())) {
    for (const scenario::Node& n : nodes) {
      if (!usable(n)) continue;
      if (ImGui::Selectable(n.name.c_str(), n.name == m_node)) {
        m_node = n.name;
        m_account.clear();
      }
    }
    ImGui::EndCombo();
  }
  node_it = std::find_if(nodes.begin(), nodes.end(),
                         [&](const scenario::Node& n) { return n.name == m_node; });
  const std::vector<scenario::Account>& accounts = node_it->accounts;
  auto account_ok = [&](const scenario::Account& a) { return !for_fetch || can_fetch(a, *node_it); };
  auto acc = std::find_if(accounts.begin(), accounts.end(), [&](const scenario::Account& a) {
    return a.address == m_account && account_ok(a);
  });
  if (acc == accounts.end()) acc = std::find_if(accounts.begin(), accounts.end(), account_ok);
  m_account = acc->address;

  ImGui::TextUnformatted(t.c_str("compose.account"));
  ImGui::SameLine(ImGui::GetFontSize() * 7.0f);
  ImGui::SetNextItemWidth(width);
  if (ImGui::BeginCombo("##account", m_account.c_str())) {
    for (const scenario::Account& a : accounts) {
      if (!account_ok(a)) continue;
      if (ImGui::Selectable(a.address.c_str(), a.address == m_account)) m_account = a.address;
    }
    ImGui::EndCombo();
  }
  acc = std::find_if(accounts.begin(), accounts.end(),
                     [&](const scenario::Account& a) { return a.address == m_account; });
  const std::string how =
      for_fetch ? retrieval_summary(*acc, t) : submission_summary(*acc, t);
  if (!how.empty()) hint(ctx, t.format(for_fetch ? "compose.reads_with" : "compose.sends_with", how));
  return true;
}

void ComposePanel::draw_compose(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  ImGui::PushFont(ctx.fonts.heading);
  ImGui::TextUnformatted(t.c_str("compose.title"));
  ImGui::PopFont();
  const bool ready = pick_account(ctx, false);
  if (ready) {
    const float label = ImGui::GetFontSize() * 7.0f;
    ImGui::TextUnformatted(t.c_str("compose.from"));
    ImGui::SameLine(label);
    ImGui::TextUnformatted(m_account.c_str());
    ImGui::TextUnformatted(t.c_str("compose.to"));
    ImGui::SameLine(label);
    ImGui::SetNextItemWidth(-1.0f);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::InputTextWithHint("##to", t.c_str("compose.to_hint"), m_to.data(), m_to.size());
    ImGui::TextUnformatted(t.c_str("compose.subject"));
    ImGui::SameLine(label);
    ImGui::SetNextItemWidth(-1.0f);
    ImGui::InputText("##subject", m_subject.data(), m_subject.size());
    ImGui::TextUnformatted(t.c_str("compose.body"));
    ImGui::InputTextMultiline("##body", m_body.data(), m_body.size(),
                              ImVec2(-1.0f, ImGui::GetTextLineHeight() * 6.0f));
  }
  const bool has_to = m_to[0] != '\0';
  ImGui::BeginDisabled(!ready || !has_to);
  if (ImGui::Button(t.c_str("compose.send"))) {
    ctx.commands.push(command::LiveAction{
        make_send_action(m_node, m_account, m_to.data(), m_subject.data(), m_body.data())});
    m_to[0] = '\0';
    m_subject[0] = '\0';
    m_body[0] = '\0';
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button(t.c_str("files.cancel"))) ImGui::CloseCurrentPopup();
  hint(ctx, t.get("compose.recorded"));
}

void ComposePanel::draw_fetch(const UiContext& ctx) {
  const text::Catalog& t = ctx.text;
  ImGui::PushFont(ctx.fonts.heading);
  ImGui::TextUnformatted(t.c_str("compose.fetch_title"));
  ImGui::PopFont();
  const bool ready = pick_account(ctx, true);
  ImGui::BeginDisabled(!ready);
  if (ImGui::Button(t.c_str("compose.fetch"))) {
    scenario::FetchAction fetch;
    fetch.node = m_node;
    fetch.account = m_account;
    ctx.commands.push(command::LiveAction{fetch});
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button(t.c_str("files.cancel"))) ImGui::CloseCurrentPopup();
  hint(ctx, t.get("compose.recorded"));
}

void ComposePanel::draw_popups(const UiContext& ctx) {
  if (m_request == Dialog::kCompose) ImGui::OpenPopup(kComposePopup);
  if (m_request == Dialog::kFetch) ImGui::OpenPopup(kFetchPopup);
  m_request = Dialog::kNone;
  if (!ctx.session) return;
  const ImVec2 work = ImGui::GetMainViewport()->WorkSize;
  const float width = std::min(work.x * 0.9f, ImGui::GetFontSize() * 36.0f);
  ImGui::SetNextWindowSize(ImVec2(width, 0.0f));
  if (ImGui::BeginPopupModal(kComposePopup, nullptr, ImGuiWindowFlags_NoTitleBar)) {
    draw_compose(ctx);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  ImGui::SetNextWindowSize(ImVec2(width, 0.0f));
  if (ImGui::BeginPopupModal(kFetchPopup, nullptr, ImGuiWindowFlags_NoTitleBar)) {
    draw_fetch(ctx);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
}

}  // namespace mailhop::gui
