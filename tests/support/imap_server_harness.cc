#include "tests/support/imap_server_harness.h"

#include <type_traits>
#include <utility>
#include <variant>

namespace mailhop::testing {
namespace {

namespace ev = proto::imap_server_event;

// 2026-11-20 10:00:00 UTC and a day after each other.
constexpr std::int64_t kDate1 = 1795168800;

}  // namespace

std::string imap_fixture_message(std::uint32_t uid) {
  switch (uid) {
    case 1:
      return "From: Ana Lopez <ana@gmail.example>\r\n"
             "To: julia@yahoo.example\r\n"
             "Subject: Hola\r\n"
             "Date: Fri, 20 Nov 2026 10:00:00 +0000\r\n"
             "Message-ID: <1@gmail.example>\r\n"
             "\r\n"
             "Hola Julia\r\n";
    case 2:
      return "From: pedro@hotmail.example\r\n"
             "To: julia@yahoo.example, \"Ana\" <ana@gmail.example>\r\n"
             "Subject: Lunch?\r\n"
             "\r\n"
             "At noon.\r\n";
    case 3:
      return "Subject: gone\r\n\r\nx\r\n";
    case 4:
      return "From: news@shop.example\r\n"
             "Subject: Offers\r\n"
             "\r\n"
             "Buy now\r\n";
    default:
      return "";
  }
}

std::unique_ptr<mail::MailStore> make_julia_store() {
  auto store = std::make_unique<mail::MailStore>(1000);
  for (std::uint32_t uid = 1; uid <= 4; ++uid) {
    mail::FlagSet flags;
    if (uid == 1) flags.set(mail::SystemFlag::kSeen);
    store->append("INBOX", imap_fixture_message(uid), kDate1 + (uid - 1) * 86400, flags);
  }
  store->remove("INBOX", {3});
  store->claim_recent("INBOX");
  return store;
}

std::string imap_delivery_message(std::string_view subject) {
  return "From: bob@b.example\r\nSubject: " + std::string(subject) + "\r\n\r\nNew mail\r\n";
}

FakeImapAccounts::FakeImapAccounts() {
  stores["julia"] = make_julia_store();
  stores["ana"] = std::make_unique<mail::MailStore>(7);
}

bool FakeImapAccounts::check_credentials(std::string_view user, std::string_view password) {
  const auto it = passwords.find(std::string(user));
  return it != passwords.end() && it->second == password;
}

mail::MailStore* FakeImapAccounts::mail_store(std::string_view user) {
  const auto it = stores.find(std::string(user));
  return it == stores.end() ? nullptr : it->second.get();
}

std::string describe(const proto::ImapServerEvent& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ev::CommandReceived>) {
          return "command tag=" + e.tag + " name=" + e.name + " line=\"" + escape_bytes(e.line) + "\"";
        } else if constexpr (std::is_same_v<T, ev::ResponseSent>) {
          return "response \"" + escape_bytes(e.text) + "\"";
        } else if constexpr (std::is_same_v<T, ev::StartTls>) {
          return "starttls";
        } else if constexpr (std::is_same_v<T, ev::Authenticated>) {
          return "authenticated user=" + e.user + " mechanism=" + e.mechanism;
        } else if constexpr (std::is_same_v<T, ev::AuthFailed>) {
          return "auth_failed user=" + e.user + " mechanism=" + e.mechanism + " reason=" + e.reason;
        } else if constexpr (std::is_same_v<T, ev::Selected>) {
          return "selected mailbox=" + e.mailbox + " read_only=" + (e.read_only ? "yes" : "no") +
                 " exists=" + std::to_string(e.exists);
        } else if constexpr (std::is_same_v<T, ev::Deselected>) {
          return "deselected mailbox=" + e.mailbox;
        } else if constexpr (std::is_same_v<T, ev::FlagsChanged>) {
          return "flags_changed mailbox=" + e.mailbox + " uid=" + std::to_string(e.uid) + " flags=\"" +
                 escape_bytes(e.flags) + "\"";
        } else if constexpr (std::is_same_v<T, ev::Expunged>) {
          return "expunged mailbox=" + e.mailbox + " uid=" + std::to_string(e.uid);
        } else if constexpr (std::is_same_v<T, ev::IdleStarted>) {
          return "idle_started";
        } else if constexpr (std::is_same_v<T, ev::IdleEnded>) {
          return "idle_ended";
        } else if constexpr (std::is_same_v<T, ev::TimedOut>) {
          return "timed_out";
        } else {
          return "closing reason=\"" + e.reason + "\"";
        }
      },
      event);
}

ImapServerTranscriptEngine::ImapServerTranscriptEngine(
    proto::ImapServerConfig config, std::vector<std::pair<proto::Micros, std::string>> deliveries)
    : m_accounts(std::make_unique<FakeImapAccounts>()),
      m_server(std::move(config), *m_accounts),
      m_deliveries(std::move(deliveries)) {}

void ImapServerTranscriptEngine::open(proto::Micros now) { m_server.open(now); }
void ImapServerTranscriptEngine::receive(std::string_view bytes, proto::Micros now) {
  m_server.receive(bytes, now);
}
void ImapServerTranscriptEngine::tls_established(proto::Micros now) {
  m_tls_pending = false;
  m_server.tls_established(now);
}
void ImapServerTranscriptEngine::peer_closed(proto::Micros now) { m_server.peer_closed(now); }

void ImapServerTranscriptEngine::tick(proto::Micros now) {
  bool delivered = false;
  while (!m_deliveries.empty() && m_deliveries.front().first <= now) {
    const auto uid = m_accounts->stores["julia"]->append(
        "INBOX", imap_delivery_message(m_deliveries.front().second),
        kDate1 + 10 * 86400 + std::chrono::duration_cast<std::chrono::seconds>(now).count());
    m_own_events.push_back("delivered uid=" + (uid ? std::to_string(*uid) : std::string("none")));
    m_deliveries.erase(m_deliveries.begin());
    delivered = true;
  }
  if (delivered) m_server.mailbox_changed(now);
  if (const auto d = m_server.next_deadline(); d && now >= *d) m_server.tick(now);
}

std::string ImapServerTranscriptEngine::take_output() {
  std::string out = m_server.take_output();
  m_output += out;
  return out;
}

std::vector<std::string> ImapServerTranscriptEngine::take_events() {
  std::vector<std::string> out = std::exchange(m_own_events, {});
  for (const auto& e : m_server.take_events()) {
    if (const auto* r = std::get_if<ev::ResponseSent>(&e)) {
      const std::string text = r->text + "\r\n";
      const std::size_t at = m_output.find(text, m_checked);
      if (at != m_checked) {
        out.push_back("!! response not next in output: " + escape_bytes(text));
      } else {
        m_checked = at + text.size();
      }
      continue;
    }
    if (std::holds_alternative<ev::CommandReceived>(e)) continue;
    if (std::holds_alternative<ev::StartTls>(e)) m_tls_pending = true;
    out.push_back(describe(e));
  }
  return out;
}

std::optional<proto::Micros> ImapServerTranscriptEngine::next_deadline() const {
  return m_server.next_deadline();
}
bool ImapServerTranscriptEngine::wants_close() const { return m_server.wants_close(); }

EngineFactory imap_server_factory() {
  return [](const Transcript& t, std::string* error) -> std::unique_ptr<TranscriptEngine> {
    proto::ImapServerConfig config;
    if (const auto* p = t.directive("server")) {
      for (const auto& [key, value] : *p) {
        if (key == "tls" && value == "none") {
          config.tls = proto::ImapTls::kNone;
        } else if (key == "tls" && value == "available") {
          config.tls = proto::ImapTls::kAvailable;
        } else if (key == "tls" && value == "active") {
          config.tls = proto::ImapTls::kActive;
        } else if (key == "login" && value == "always") {
          config.login = proto::ImapLoginPolicy::kAlways;
        } else if (key == "login" && value == "tls_only") {
          config.login = proto::ImapLoginPolicy::kDisabledWithoutTls;
        } else if (key == "hostname") {
          config.hostname = value;
        } else if (key == "autologout" && parse_duration(value)) {
          config.autologout = *parse_duration(value);
        } else if (key == "max_line") {
          config.max_line = std::stoul(value);
        } else if (key == "max_literal") {
          config.max_literal = std::stoul(value);
        } else {
          *error = "bad ! server setting " + key + "=" + value;
          return nullptr;
        }
      }
    }
    std::vector<std::pair<proto::Micros, std::string>> deliveries;
    if (const auto* p = t.directive("deliver")) {
      for (int i = 0; i <= 9; ++i) {
        const std::string suffix = i == 0 ? "" : std::to_string(i);
        const auto at = p->find("at" + suffix);
        if (at == p->end()) continue;
        const auto when = parse_duration(at->second);
        const auto subject = p->find("subject" + suffix);
        if (!when || subject == p->end()) {
          *error = "bad ! deliver at" + suffix;
          return nullptr;
        }
        deliveries.emplace_back(*when, subject->second);
      }
    }
    return std::make_unique<ImapServerTranscriptEngine>(config, std::move(deliveries));
  };
}

}  // namespace mailhop::testing
