#include "gui/inspector_model.h"

#include <algorithm>

#include "sim/mail/address.h"
#include "sim/mail/ascii.h"
#include "sim/mail/encoded_words.h"
#include "sim/mail/message.h"

namespace mailhop::gui {

namespace {

using mail::ascii_iequal;
using scenario::Role;

std::string trim(std::string_view s) {
  const std::size_t first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const std::size_t last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

// Whitespace runs (folds included) become one space.
std::string collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

// The first field `name` of a message's header section, unfolded; cheap (no full parse).
std::string header_value(std::string_view content, std::string_view name) {
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the end of the header section
    if (line.size() > name.size() && line[name.size()] == ':' &&
        ascii_iequal(line.substr(0, name.size()), name)) {
      std::string value(line.substr(name.size() + 1));
      // Continuation lines.
      std::size_t next = end + 1;
      while (next < content.size() && (content[next] == ' ' || content[next] == '\t')) {
        std::size_t e = content.find('\n', next);
        if (e == std::string_view::npos) e = content.size();
        std::string_view more = content.substr(next, e - next);
        if (!more.empty() && more.back() == '\r') more.remove_suffix(1);
        value += more;
        next = e + 1;
      }
      return collapse(value);
    }
    pos = end + 1;
  }
  return {};
}

std::string duration_text(core::SimTime t) {
  const std::int64_t s = t.seconds();
  if (s > 0 && s % 86400 == 0) return std::to_string(s / 86400) + " d";
  if (s > 0 && s % 3600 == 0) return std::to_string(s / 3600) + " h";
  if (s > 0 && s % 60 == 0) return std::to_string(s / 60) + " min";
  return std::to_string(s) + " s";
}

std::string_view role_key(Role role) {
  switch (role) {
    case Role::kMua: return "inspector.role.mua";
    case Role::kMsa: return "inspector.role.msa";
    case Role::kMta: return "inspector.role.mta";
    case Role::kMx: return "inspector.role.mx";
    case Role::kMda: return "inspector.role.mda";
    case Role::kPop3: return "inspector.role.pop3";
    case Role::kImap: return "inspector.role.imap";
    case Role::kDns: return "inspector.role.dns";
    case Role::kWebmail: return "inspector.role.webmail";
  }
  return "inspector.role.mta";
}

const std::string& yes_no(bool on, const text::Catalog& t) {
  return t.get(on ? "inspector.value.yes" : "inspector.value.no");
}

// After "type;" in a DSN field ("rfc822; julia@example" -> "julia@example").
std::string after_type(std::string_view value) {
  const std::size_t semi = value.find(';');
  return trim(semi == std::string_view::npos ? value : value.substr(semi + 1));
}

}  // namespace

std::string display_header(std::string_view value) {
  if (std::optional<std::string> decoded = mail::decode_encoded_words(value)) return *decoded;
  return std::string(value);
}

std::vector<SettingRow> node_settings(const world::NodeState& node, const text::Catalog& t) {
  const scenario::Node& n = node.spec;
  std::vector<SettingRow> rows;
  const auto add = [&](const char* key, std::string value) {
    rows.push_back({key, std::move(value)});
  };
  add("inspector.setting.name", n.name);
  const std::string& label = node.guest ? t.get("net.outside_client")
                             : t.language() == text::Language::kSpanish ? n.label.es
                                                                        : n.label.en;
  if (!label.empty()) add("inspector.setting.label", label);
  if (!n.address.empty()) add("inspector.setting.address", n.address);
  std::vector<std::string> roles;
  for (Role r : n.roles) roles.push_back(t.get(role_key(r)));
  add("inspector.setting.roles", join(roles, ", "));

  const bool smtp_server = node.has_role(Role::kMsa) || node.has_role(Role::kMta) ||
                           node.has_role(Role::kMx) || node.has_role(Role::kMda);
  if (!n.domains.empty()) add("inspector.setting.domains", join(n.domains, ", "));
  std::vector<std::string> ports;
  const auto port = [&](const char* name, int number) {
    if (number > 0) ports.push_back(std::string(name) + " " + std::to_string(number));
  };
  if (node.has_role(Role::kMta) || node.has_role(Role::kMx)) port("SMTP", n.ports.smtp);
  if (node.has_role(Role::kMsa)) {
    port("submission", n.ports.submission);
    port("SMTPS", n.ports.smtps);
  }
  if (node.has_role(Role::kPop3)) {
    port("POP3", n.ports.pop3);
    port("POP3S", n.ports.pop3s);
  }
  if (node.has_role(Role::kImap)) {
    port("IMAP", n.ports.imap);
    port("IMAPS", n.ports.imaps);
  }
  if (node.has_role(Role::kDns)) ports.emplace_back("DNS 53");
  if (!ports.empty()) add("inspector.setting.ports", join(ports, ", "));
  if (n.relay_host) {
    add("inspector.setting.relay_host", *n.relay_host + ":" + std::to_string(n.relay_port));
  }
  if (smtp_server) {
    const scenario::ServerPolicy& p = n.policy;
    add("inspector.setting.tls", yes_no(p.tls, t));
    if (node.has_role(Role::kMsa)) add("inspector.setting.auth_tls", yes_no(p.auth_requires_tls, t));
    add("inspector.setting.max_size",
        t.format("inspector.value.octets", std::to_string(p.max_message_size)));
    add("inspector.setting.max_rcpt", std::to_string(p.max_recipients));
    if (!p.relay_clients.empty()) add("inspector.setting.relay_clients", join(p.relay_clients, ", "));
    add("inspector.setting.greylisting", yes_no(p.greylisting || node.greylisting, t));
    add("inspector.setting.rate_limit", p.rate_limit_per_hour > 0
                                            ? std::to_string(p.rate_limit_per_hour)
                                            : t.get("inspector.value.unlimited"));
    if (!p.dnsbl.empty()) add("inspector.setting.dnsbl", join(p.dnsbl, ", "));
    if (!p.spam_words.empty()) {
      std::vector<std::string> quoted;
      for (const std::string& w : p.spam_words) quoted.push_back("“" + w + "”");
      add("inspector.setting.spam_words", join(quoted, ", "));
    }
    if (p.spf != scenario::SpfMode::kOff) {
      add("inspector.setting.spf", t.get(p.spf == scenario::SpfMode::kReject
                                             ? "inspector.value.spf_reject"
                                             : "inspector.value.spf_mark"));
    }
    if (p.dkim != scenario::DkimMode::kOff || p.dmarc != scenario::DmarcMode::kOff)
      add("inspector.setting.dkim", t.get("inspector.value.dkim_mark"));
    if (p.dmarc != scenario::DmarcMode::kOff) {
      add("inspector.setting.dmarc", t.get(p.dmarc == scenario::DmarcMode::kEnforce
                                               ? "inspector.value.dmarc_enforce"
                                               : "inspector.value.dmarc_mark"));
    }
    if (n.dkim && node.has_role(Role::kMsa)) {
      add("inspector.setting.dkim_signing",
          t.format("inspector.value.dkim_signing", n.dkim->domain, n.dkim->selector));
    }
    add("inspector.setting.backoff", t.format("inspector.value.backoff",
                                              duration_text(n.queue.min_backoff),
                                              duration_text(n.queue.max_backoff)));
    add("inspector.setting.lifetime", duration_text(n.queue.lifetime));
  }
  if (!n.accounts.empty()) {
    std::vector<std::string> accounts;
    for (const scenario::Account& a : n.accounts) accounts.push_back(a.address);
    add("inspector.setting.accounts", join(accounts, ", "));
  }
  std::vector<std::string> faults;
  if (node.down) faults.emplace_back("host_down");
  if (!node.temp_refusal.empty()) faults.push_back("temp_refusal (" + node.temp_refusal + ")");
  if (node.relay_denied) faults.emplace_back("relay_denied");
  if (node.auth_failure) faults.emplace_back("auth_failure");
  if (node.size_limit) faults.push_back("size_limit (" + std::to_string(*node.size_limit) + ")");
  if (node.rate_limit > 0) faults.push_back("rate_limit (" + std::to_string(node.rate_limit) + ")");
  add("inspector.setting.faults", faults.empty() ? t.get("inspector.value.none") : join(faults, ", "));
  return rows;
}

std::vector<QueueRow> queue_rows(const world::NodeState& node) {
  std::vector<QueueRow> rows;
  for (const auto& [id, entry] : node.queue.entries()) {
    QueueRow row;
    row.id = id;
    row.state = entry.state;
    row.sender = mail::format_path(entry.envelope.mail_from);
    std::vector<std::string> done;
    for (const world::QueuedRecipient& r : entry.recipients) {
      if (r.state == world::RecipientState::kPending) {
        row.recipients.push_back(r.rcpt.mailbox.str());
      } else {
        done.push_back(r.rcpt.mailbox.str());
      }
      if (!r.diagnostic.empty()) row.diagnostic = r.diagnostic;
    }
    row.pending = row.recipients.size();
    row.recipients.insert(row.recipients.end(), done.begin(), done.end());
    row.attempts = entry.attempts;
    if (entry.state == world::QueueState::kDeferred) row.next_attempt = entry.next_attempt;
    row.arrival = entry.arrival;
    row.subject = display_header(header_value(entry.content, "Subject"));
    rows.push_back(std::move(row));
  }
  return rows;
}

// ---- mailboxes: the one place that reads the world's mailboxes.

std::optional<MailboxView> read_mailbox(const world::World& world, const std::string& address,
                                        WithMessages with) {
  const auto& boxes = world.mailboxes();
  auto it = boxes.find(address);
  if (it == boxes.end()) it = boxes.find(mail::ascii_lower(address));
  if (it == boxes.end()) return std::nullopt;
  const world::MailboxState& box = it->second;
  MailboxView view;
  view.address = box.address.empty() ? it->first : box.address;
  view.host = box.host;
  view.quota = box.quota;
  if (box.store) {
    view.used = box.used();
    for (const std::string& folder_name : box.store->folder_names()) {
      const mail::Folder* folder = box.store->folder(folder_name);
      if (folder == nullptr) continue;
      view.count += folder->count();
      if (with == WithMessages::kNo) continue;
      for (const mail::StoredMessage& m : folder->messages()) {
        view.messages.push_back({m.uid, folder_name, m.content, m.internal_date});
      }
    }
  }
  return view;
}

std::vector<MailboxView> mailboxes_on(const world::World& world, const std::string& node) {
  std::vector<MailboxView> out;
  for (const auto& [address, box] : world.mailboxes()) {
    if (box.host != node) continue;
    if (auto view = read_mailbox(world, address, WithMessages::kNo)) out.push_back(std::move(*view));
  }
  return out;
}

// ---- one message

ReceivedHop parse_received(std::string_view value) {
  ReceivedHop hop;
  hop.raw = collapse(value);
  std::string_view text = hop.raw;
  const std::size_t semi = text.rfind(';');
  if (semi != std::string_view::npos) {
    hop.date = trim(text.substr(semi + 1));
    text = text.substr(0, semi);
  }
  // Clauses: a keyword at parenthesis depth 0 starts one; comments stay with their clause.
  std::string* target = nullptr;
  std::string from_clause;
  int depth = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    const std::string_view word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    if (depth == 0) {
      std::string* next = nullptr;
      if (ascii_iequal(word, "from")) next = &from_clause;
      else if (ascii_iequal(word, "by")) next = &hop.by;
      else if (ascii_iequal(word, "with")) next = &hop.with;
      else if (ascii_iequal(word, "id")) next = &hop.id;
      else if (ascii_iequal(word, "for")) next = &hop.for_recipient;
      else if (ascii_iequal(word, "via")) next = &hop.raw;  // ignored below
      if (next != nullptr) {
        target = next == &hop.raw ? nullptr : next;
        continue;
      }
    }
    for (char c : word) {
      if (c == '(') ++depth;
      if (c == ')' && depth > 0) --depth;
    }
    if (target != nullptr) {
      if (!target->empty()) target->push_back(' ');
      target->append(word);
    }
  }
  // Only the first word of by, with, id and for; comments dropped.
  const auto first_word = [](std::string& s) {
    const std::size_t space = s.find(' ');
    if (space != std::string::npos) s.resize(space);
  };
  first_word(hop.by);
  first_word(hop.with);
  first_word(hop.id);
  first_word(hop.for_recipient);
  hop.from = from_clause;
  if (!from_clause.empty()) {
    hop.from_helo = from_clause.substr(0, from_clause.find(' '));
    const std::size_t open = from_clause.find('[');
    const std::size_t close = from_clause.find(']', open == std::string::npos ? 0 : open);
    if (open != std::string::npos && close != std::string::npos) {
      hop.from_address = from_clause.substr(open + 1, close - open - 1);
    }
  }
  hop.parsed = !hop.by.empty();
  return hop;
}

std::optional<DsnView> decode_dsn(std::string_view content) {
  // The message/delivery-status part: after its Content-Type, its own header, then the fields.
  std::size_t at = std::string_view::npos;
  for (std::size_t pos = 0; pos < content.size();) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(pos, end - pos);
    if (line.size() > 13 && ascii_iequal(line.substr(0, 13), "Content-Type:") &&
        mail::ascii_lower(line).find("message/delivery-status") != std::string::npos) {
      at = end + 1;
      break;
    }
    pos = end + 1;
  }
  if (at == std::string_view::npos || at >= content.size()) return std::nullopt;
  // Skip the rest of the part's header section.
  const std::size_t blank = content.find("\n\r\n", at - 1);
  const std::size_t blank_lf = content.find("\n\n", at - 1);
  std::size_t start = std::min(blank == std::string_view::npos ? content.size() : blank + 3,
                               blank_lf == std::string_view::npos ? content.size() : blank_lf + 2);
  DsnView view;
  DsnRecipientView* rcpt = nullptr;
  bool per_message = true;
  std::string name;
  std::string value;
  const auto flush = [&]() {
    if (name.empty()) return;
    const std::string v = collapse(value);
    if (per_message) {
      if (ascii_iequal(name, "Reporting-MTA")) view.reporting_mta = after_type(v);
      if (ascii_iequal(name, "Arrival-Date")) view.arrival_date = v;
    } else if (rcpt != nullptr) {
      if (ascii_iequal(name, "Final-Recipient")) rcpt->final_recipient = after_type(v);
      if (ascii_iequal(name, "Original-Recipient")) rcpt->original_recipient = after_type(v);
      if (ascii_iequal(name, "Action")) rcpt->action = trim(v);
      if (ascii_iequal(name, "Status")) rcpt->status = trim(v);
      if (ascii_iequal(name, "Remote-MTA")) rcpt->remote_mta = after_type(v);
      if (ascii_iequal(name, "Diagnostic-Code")) rcpt->diagnostic = after_type(v);
    }
    name.clear();
    value.clear();
  };
  for (std::size_t pos = start; pos < content.size();) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with("--")) break;  // the next part
    if (line.empty()) {
      flush();
      // A blank line ends the per-message group or a recipient's group.
      if (per_message && !view.reporting_mta.empty()) per_message = false;
      rcpt = nullptr;
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      value += ' ';
      value += line;
      continue;
    }
    flush();
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (!per_message && rcpt == nullptr) {
      view.recipients.emplace_back();
      rcpt = &view.recipients.back();
    }
    name = std::string(line.substr(0, colon));
    value = std::string(line.substr(colon + 1));
  }
  flush();
  if (view.reporting_mta.empty() && view.recipients.empty()) return std::nullopt;
  return view;
}

std::string bare_address(std::string_view text) {
  const std::size_t open = text.rfind('<');
  const std::size_t close = text.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    return mail::ascii_lower(text.substr(open + 1, close - open - 1));
  }
  return mail::ascii_lower(trim(text));
}

MessageView view_of_content(std::string_view content) {
  MessageView view;
  view.raw = std::string(content);
  mail::MessageParseError error;
  const std::optional<mail::Message> message = mail::Message::parse(content, &error);
  if (!message) {
    view.parse_error = error.str();
    return view;
  }
  for (const mail::HeaderField& field : message->headers()) {
    view.headers.push_back({field.name, display_header(collapse(field.unfolded()))});
  }
  view.header_from = display_header(message->get("From").value_or(""));
  std::vector<std::string> received = message->get_all("Received");
  // Each server puts its field on top: the sender's hop is the lowest one.
  for (auto it = received.rbegin(); it != received.rend(); ++it) {
    view.hops.push_back(parse_received(*it));
  }
  view.body = message->body();
  if (mail::ascii_lower(content).find("message/delivery-status") != std::string::npos) {
    view.dsn = decode_dsn(content);
  }
  return view;
}

std::string message_key(const std::string& mailbox, std::uint32_t uid, std::string_view content) {
  const std::string id = header_value(content, "Message-ID");
  if (!id.empty()) return trim(id);
  return mailbox + "#" + std::to_string(uid);
}

namespace {

// Whether the stored message is the one `key` names: its key, its Message-ID, or a queue id in
// one of its Received fields ("id CB60000001").
bool message_matches(const std::string& key, const std::string& mailbox, std::uint32_t uid,
                     std::string_view content) {
  if (content.find(key) == std::string_view::npos &&
      key.find('#') == std::string::npos) {
    return false;
  }
  if (message_key(mailbox, uid, content) == key) return true;
  const std::string needle = "id " + key;
  const std::size_t header_end = content.find("\r\n\r\n");
  const std::string_view header = content.substr(0, header_end);
  std::size_t pos = header.find(needle);
  while (pos != std::string_view::npos) {
    const std::size_t after = pos + needle.size();
    if (after == header.size() || header[after] == ' ' || header[after] == '\r' ||
        header[after] == ';') {
      return true;
    }
    pos = header.find(needle, pos + 1);
  }
  return false;
}

std::optional<MessageView> from_mailbox(const world::World& world, const std::string& address,
                                        const std::string& key) {
  const std::optional<MailboxView> box = read_mailbox(world, address, WithMessages::kYes);
  if (!box) return std::nullopt;
  for (const MailboxMessage& m : box->messages) {
    if (!message_matches(key, box->address, m.uid, m.content)) continue;
    MessageView view = view_of_content(m.content);
    view.place = MessagePlace::kMailbox;
    view.node = box->host;
    view.mailbox = box->address;
    view.uid = m.uid;
    // Delivered: the envelope survives as Return-Path and Delivered-To (RFC 5321 4.4).
    const std::string return_path = header_value(m.content, "Return-Path");
    if (!return_path.empty()) view.envelope_from = bare_address(return_path);
    const std::string delivered_to = header_value(m.content, "Delivered-To");
    if (!delivered_to.empty()) view.envelope_to.push_back(trim(delivered_to));
    return view;
  }
  return std::nullopt;
}

}  // namespace

std::optional<MessageView> find_message(const world::World& world, const std::string& key,
                                        const std::string& mailbox_hint) {
  if (key.empty()) return std::nullopt;
  // A queue id, or the Message-ID of a queued message.
  for (const auto& node : world.nodes()) {
    for (const auto& [id, entry] : node->queue.entries()) {
      if (id != key && trim(header_value(entry.content, "Message-ID")) != key) continue;
      MessageView view = view_of_content(entry.content);
      view.place = MessagePlace::kQueue;
      view.node = node->spec.name;
      view.queue_id = id;
      view.envelope_from =
          entry.envelope.mail_from ? entry.envelope.mail_from->str() : std::string();
      for (const world::QueuedRecipient& r : entry.recipients) {
        view.envelope_to.push_back(r.rcpt.mailbox.str());
      }
      return view;
    }
  }
  if (!mailbox_hint.empty()) {
    if (auto view = from_mailbox(world, mailbox_hint, key)) return view;
  }
  for (const auto& [address, box] : world.mailboxes()) {
    if (address == mailbox_hint) continue;
    if (auto view = from_mailbox(world, address, key)) return view;
  }
  return std::nullopt;
}

}  // namespace mailhop::gui
