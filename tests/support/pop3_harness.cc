#include "tests/support/pop3_harness.h"

#include <type_traits>
#include <utility>
#include <variant>

namespace mailhop::testing {
namespace {

namespace sev = proto::pop3_server_event;
namespace cev = proto::pop3_client_event;

// Checks that `line` + CRLF is the next line of `output` at or after `*checked`; returns the
// "!!" text on a mismatch.
std::optional<std::string> check_line(const std::string& output, std::size_t* checked,
                                      const std::string& line, const char* what) {
  const std::string wire = line + "\r\n";
  const std::size_t at = output.find(wire, *checked);
  if (at == std::string::npos || (at != 0 && output[at - 1] != '\n')) {
    return std::string("!! ") + what + " not in output: " + escape_bytes(wire);
  }
  *checked = at + wire.size();
  return std::nullopt;
}

}  // namespace

const std::string kPop3Message1 =
    "From: a@b.example\r\nSubject: one\r\n\r\nHello\r\n.hidden dot\r\n..two dots\r\n.\r\n"
    "end\r\n";
const std::string kPop3Message2 = "Subject: two\r\n\r\nline1\r\nline2\r\nline3\r\n";

bool FakeMaildrop::check_credentials(std::string_view user, std::string_view password) {
  const auto it = passwords.find(std::string(user));
  return it != passwords.end() && it->second == password;
}
std::optional<std::string> FakeMaildrop::apop_secret(std::string_view user) {
  const auto it = passwords.find(std::string(user));
  if (it == passwords.end()) return std::nullopt;
  return it->second;
}
bool FakeMaildrop::lock(std::string_view user) {
  return locked.insert(std::string(user)).second;
}
void FakeMaildrop::unlock(std::string_view user) {
  unlocks.emplace_back(user);
  locked.erase(std::string(user));
}
std::vector<proto::Pop3Message> FakeMaildrop::messages(std::string_view user) {
  if (user != "julia") return {};
  return {{"uid-1", kPop3Message1.size(), kPop3Message1},
          {"uid-2", kPop3Message2.size(), kPop3Message2}};
}
bool FakeMaildrop::commit_deletions(std::string_view, const std::vector<std::string>& uids) {
  commits.push_back(uids);
  return !commit_fails;
}

std::string describe_pop3_server_event(const proto::Pop3ServerEvent& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, sev::CommandReceived>) {
          return "command line=\"" + escape_bytes(e.line) + "\"";
        } else if constexpr (std::is_same_v<T, sev::ResponseSent>) {
          return std::string("response ok=") + (e.ok ? "yes" : "no") + " line=\"" +
                 escape_bytes(e.line) + "\"";
        } else if constexpr (std::is_same_v<T, sev::StartTls>) {
          return "starttls";
        } else if constexpr (std::is_same_v<T, sev::Authenticated>) {
          return "authenticated user=" + e.user + " mechanism=" + e.mechanism;
        } else if constexpr (std::is_same_v<T, sev::AuthFailed>) {
          return "auth_failed user=" + e.user + " reason=" + e.reason + " mechanism=" + e.mechanism;
        } else if constexpr (std::is_same_v<T, sev::Deleted>) {
          return "deleted uid=" + e.uid;
        } else if constexpr (std::is_same_v<T, sev::TimedOut>) {
          return "timed_out";
        } else {
          return "closing reason=\"" + e.reason + "\"";
        }
      },
      event);
}

std::string describe_pop3_client_event(const proto::Pop3ClientEvent& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, cev::CommandSent>) {
          return "command " + e.line;
        } else if constexpr (std::is_same_v<T, cev::ResponseReceived>) {
          return "response " + e.line;
        } else if constexpr (std::is_same_v<T, cev::ListReceived>) {
          std::string out = "list";
          for (const std::string& line : e.lines) out += (out.size() == 4 ? " " : " | ") + line;
          return out;
        } else if constexpr (std::is_same_v<T, cev::StartTls>) {
          return "starttls";
        } else if constexpr (std::is_same_v<T, cev::LoggedIn>) {
          return "logged_in mechanism=" + e.mechanism;
        } else if constexpr (std::is_same_v<T, cev::MessageRetrieved>) {
          return "retrieved number=" + std::to_string(e.number) + " uid=" + e.uid +
                 " octets=" + std::to_string(e.octets);
        } else if constexpr (std::is_same_v<T, cev::Failed>) {
          return "failed reason=\"" + e.reason + "\"";
        } else if constexpr (std::is_same_v<T, cev::TimedOut>) {
          return "timed_out";
        } else {
          return "finished retrieved=" + std::to_string(e.retrieved) +
                 " ok=" + (e.ok ? "yes" : "no");
        }
      },
      event);
}

// ---------------------------------------------------------------------------------------------

Pop3ServerTranscriptEngine::Pop3ServerTranscriptEngine(proto::Pop3ServerConfig config,
                                                       std::shared_ptr<FakeMaildrop> store)
    : m_store(std::move(store)), m_server(std::move(config), *m_store) {}

void Pop3ServerTranscriptEngine::tls_established(proto::Micros now) {
  m_tls_pending = false;
  m_server.tls_established(now);
}

void Pop3ServerTranscriptEngine::drain() {
  const std::string out = m_server.take_output();
  m_output += out;
  m_unsent += out;
}

std::string Pop3ServerTranscriptEngine::take_output() {
  drain();
  return std::exchange(m_unsent, {});
}

std::vector<std::string> Pop3ServerTranscriptEngine::take_events() {
  drain();
  std::vector<std::string> out;
  for (const auto& e : m_server.take_events()) {
    if (const auto* r = std::get_if<sev::ResponseSent>(&e)) {
      if (auto bad = check_line(m_output, &m_checked, r->line, "response")) out.push_back(*bad);
      continue;
    }
    if (std::holds_alternative<sev::CommandReceived>(e)) continue;
    if (std::holds_alternative<sev::StartTls>(e)) m_tls_pending = true;
    out.push_back(describe_pop3_server_event(e));
  }
  return out;
}

Pop3ClientTranscriptEngine::Pop3ClientTranscriptEngine(proto::Pop3ClientOptions options)
    : m_client(std::move(options), proto::Micros{0}) {}

void Pop3ClientTranscriptEngine::tls_established(proto::Micros now) {
  m_tls_pending = false;
  m_client.tls_established(now);
}

void Pop3ClientTranscriptEngine::drain() {
  const std::string out = m_client.take_output();
  m_output += out;
  m_unsent += out;
}

std::string Pop3ClientTranscriptEngine::take_output() {
  drain();
  return std::exchange(m_unsent, {});
}

std::vector<std::string> Pop3ClientTranscriptEngine::take_events() {
  drain();
  std::vector<std::string> out;
  for (const auto& e : m_client.take_events()) {
    if (const auto* c = std::get_if<cev::CommandSent>(&e)) {
      if (auto bad = check_line(m_output, &m_checked, c->line, "command")) out.push_back(*bad);
      continue;
    }
    if (std::holds_alternative<cev::ResponseReceived>(e)) continue;
    if (std::holds_alternative<cev::StartTls>(e)) m_tls_pending = true;
    out.push_back(describe_pop3_client_event(e));
  }
  return out;
}

EngineFactory Pop3ServerFactory::make() {
  return [this](const Transcript& t, std::string* error) -> std::unique_ptr<TranscriptEngine> {
    proto::Pop3ServerConfig config;
    if (const auto* p = t.directive("server")) {
      for (const auto& [key, value] : *p) {
        if (key == "tls" && value == "none") {
          config.tls = proto::Pop3Tls::kNone;
        } else if (key == "tls" && value == "available") {
          config.tls = proto::Pop3Tls::kAvailable;
        } else if (key == "tls" && value == "active") {
          config.tls = proto::Pop3Tls::kActive;
        } else if (key == "hostname") {
          config.hostname = value;
        } else if (key == "apop") {
          config.apop_timestamp = value;
        } else if (key == "sasl" && value == "never") {
          config.sasl_plain = proto::Pop3SaslPlain::kNever;
        } else if (key == "sasl" && value == "always") {
          config.sasl_plain = proto::Pop3SaslPlain::kAlways;
        } else if (key == "sasl" && value == "after_tls") {
          config.sasl_plain = proto::Pop3SaslPlain::kAfterTls;
        } else if (key == "autologout" && parse_duration(value)) {
          config.autologout = *parse_duration(value);
        } else {
          *error = "bad ! server setting " + key + "=" + value;
          return nullptr;
        }
      }
    }
    auto store = std::make_shared<FakeMaildrop>();
    if (const auto* p = t.directive("store")) {
      for (const auto& [key, value] : *p) {
        if (key == "commit" && value == "fail") {
          store->commit_fails = true;
        } else {
          *error = "bad ! store setting " + key + "=" + value;
          return nullptr;
        }
      }
    }
    stores.push_back(store);
    return std::make_unique<Pop3ServerTranscriptEngine>(config, store);
  };
}

std::optional<proto::Pop3ClientOptions> pop3_client_options_from(const Transcript& t,
                                                                 std::string* error) {
  proto::Pop3ClientOptions o;
  o.user = "julia";
  o.password = "secret";
  if (const auto* p = t.directive("client")) {
    for (const auto& [key, value] : *p) {
      if (key == "user") {
        o.user = value;
      } else if (key == "password") {
        o.password = value;
      } else if (key == "tls" && value == "never") {
        o.tls = proto::Pop3ClientTls::kNever;
      } else if (key == "tls" && value == "if_offered") {
        o.tls = proto::Pop3ClientTls::kIfOffered;
      } else if (key == "tls" && value == "required") {
        o.tls = proto::Pop3ClientTls::kRequired;
      } else if (key == "tls" && value == "implicit") {
        o.tls = proto::Pop3ClientTls::kImplicit;
      } else if (key == "delete" && (value == "yes" || value == "no")) {
        o.delete_after_retrieve =
            value == "yes" ? proto::Pop3Delete::kDeleteAfterRetrieve : proto::Pop3Delete::kKeep;
      } else if (key == "login" && value == "best") {
        o.login = proto::Pop3Login::kBest;
      } else if (key == "login" && value == "user") {
        o.login = proto::Pop3Login::kUserPass;
      } else if (key == "login" && value == "apop") {
        o.login = proto::Pop3Login::kApop;
      } else if (key == "timeout" && parse_duration(value)) {
        o.response_timeout = *parse_duration(value);
      } else {
        *error = "bad ! client setting " + key + "=" + value;
        return std::nullopt;
      }
    }
  }
  return o;
}

EngineFactory pop3_client_factory() {
  return [](const Transcript& t, std::string* error) -> std::unique_ptr<TranscriptEngine> {
    auto o = pop3_client_options_from(t, error);
    if (!o) return nullptr;
    return std::make_unique<Pop3ClientTranscriptEngine>(std::move(*o));
  };
}

}  // namespace mailhop::testing
