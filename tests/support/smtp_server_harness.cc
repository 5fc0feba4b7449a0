#include "tests/support/smtp_server_harness.h"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

namespace mailhop::testing {
namespace {

namespace ev = proto::smtp_server_event;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > start) out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string path_text(const mail::Mailbox& m) {
  return "<" + m.local_part + "@" + m.domain + ">";
}

std::optional<std::size_t> parse_size(const std::string& v) {
  if (v.empty() || v.size() > 18) return std::nullopt;
  std::size_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

std::optional<bool> parse_bool(const std::string& v) {
  if (v == "yes" || v == "true") return true;
  if (v == "no" || v == "false") return false;
  return std::nullopt;
}

constexpr std::size_t kMaxContentShown = 512;

}  // namespace

std::string describe_envelope(const mail::Envelope& envelope) {
  std::string out = "from=";
  out += envelope.mail_from ? path_text(*envelope.mail_from) : "<>";
  out += " to=";
  for (std::size_t i = 0; i < envelope.rcpt_to.size(); ++i) {
    const auto& r = envelope.rcpt_to[i];
    if (i > 0) out += ',';
    out += path_text(r.mailbox);
    if (r.notify || r.orcpt) {
      out += '{';
      if (r.notify) out += "notify=" + *r.notify;
      if (r.notify && r.orcpt) out += ' ';
      if (r.orcpt) out += "orcpt=" + *r.orcpt;
      out += '}';
    }
  }
  if (envelope.declared_size) out += " declared_size=" + std::to_string(*envelope.declared_size);
  if (envelope.body == mail::BodyType::k7Bit) out += " body=7BIT";
  if (envelope.body == mail::BodyType::k8BitMime) out += " body=8BITMIME";
  if (envelope.ret) out += " ret=" + *envelope.ret;
  if (envelope.envid) out += " envid=" + *envelope.envid;
  return out;
}

std::string describe(const proto::SmtpServerEvent& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ev::CommandReceived>) {
          return "command \"" + escape_bytes(e.line) + "\"";
        } else if constexpr (std::is_same_v<T, ev::ReplySent>) {
          return "reply " + escape_bytes(e.reply.summary());
        } else if constexpr (std::is_same_v<T, ev::DataLineCount>) {
          return "data lines=" + std::to_string(e.lines) + " octets=" + std::to_string(e.octets);
        } else if constexpr (std::is_same_v<T, ev::MessageAccepted>) {
          std::string out = "message_accepted " + describe_envelope(e.envelope) +
                            " octets=" + std::to_string(e.content.size());
          if (e.content.size() <= kMaxContentShown) {
            out += " content=\"" + escape_bytes(e.content) + "\"";
          }
          return out;
        } else if constexpr (std::is_same_v<T, ev::MessageRejected>) {
          return "message_rejected " + describe_envelope(e.envelope) + " reply=\"" +
                 escape_bytes(e.reply.summary()) + "\"";
        } else if constexpr (std::is_same_v<T, ev::StartTls>) {
          return "starttls";
        } else if constexpr (std::is_same_v<T, ev::Authenticated>) {
          return "authenticated user=" + escape_bytes(e.user) + " mechanism=" + e.mechanism;
        } else if constexpr (std::is_same_v<T, ev::AuthFailed>) {
          return "auth_failed user=" + escape_bytes(e.user) + " mechanism=" + e.mechanism;
        } else if constexpr (std::is_same_v<T, ev::TimedOut>) {
          return "timed_out";
        } else {
          static_assert(std::is_same_v<T, ev::Closing>);
          return "closing reason=\"" + escape_bytes(e.reason) + "\"";
        }
      },
      event);
}

std::string validate_reply_stream(std::string_view output) {
  std::size_t pos = 0;
  int open_code = 0;  // the code of an unfinished multi-line reply
  std::size_t line_no = 0;
  while (pos < output.size()) {
    ++line_no;
    const std::size_t crlf = output.find("\r\n", pos);
    const std::string where = "reply line " + std::to_string(line_no) + ": ";
    if (crlf == std::string_view::npos) return where + "not terminated by CRLF";
    const std::string_view line = output.substr(pos, crlf - pos);
    pos = crlf + 2;
    if (line.size() + 2 > 512) return where + "longer than 512 octets (RFC 5321 4.5.3.1.5)";
    if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' ||
        line[2] < '0' || line[2] > '9') {
      return where + "does not start with a reply code: \"" + escape_bytes(line) + "\"";
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (open_code != 0 && code != open_code) {
      return where + "code " + std::to_string(code) + " inside a multi-line " +
             std::to_string(open_code) + " reply";
    }
    if (line.size() > 3 && line[3] != ' ' && line[3] != '-') {
      return where + "the code is not followed by a space or a hyphen";
    }
    for (const char c : line.substr(std::min<std::size_t>(line.size(), 4))) {
      const auto u = static_cast<unsigned char>(c);
      if (u != '\t' && (u < 0x20 || u > 0x7E)) {
        return where + "text with a control or non-ASCII octet: \"" + escape_bytes(line) + "\"";
      }
    }
    if (line.size() > 5 && (line[4] == '2' || line[4] == '4' || line[4] == '5') && line[5] == '.' &&
        line[4] != line[0]) {
      return where + "enhanced code class differs from the reply class: \"" + escape_bytes(line) +
             "\"";
    }
    open_code = (line.size() > 3 && line[3] == '-') ? code : 0;
  }
  if (open_code != 0) return "unfinished multi-line reply at the end of the output";
  return {};
}

// ---------------------------------------------------------------------------------------------

std::optional<std::string> TestServerPolicy::configure(
    const std::map<std::string, std::string>& params) {
  for (const auto& [key, value] : params) {
    if (key == "connect") {
      if (value != "accept" && value != "421" && value != "554") {
        return "policy connect= must be accept, 421 or 554";
      }
      connect = value;
    } else if (key == "connect_text") {
      connect_text = value;
    } else if (key == "reject_helo") {
      for (auto& d : split_list(value)) reject_helo.insert(lower(d));
    } else if (key == "users") {
      for (const auto& pair : split_list(value)) {
        const std::size_t colon = pair.find(':');
        if (colon == std::string::npos) return "policy users= needs user:password pairs";
        users[pair.substr(0, colon)] = pair.substr(colon + 1);
      }
    } else if (key == "reject_sender") {
      for (auto& s : split_list(value)) reject_senders.insert(s);
    } else if (key == "local_domains") {
      for (auto& d : split_list(value)) local_domains.insert(lower(d));
    } else if (key == "mailboxes") {
      for (auto& m : split_list(value)) mailboxes.insert(m);
    } else if (key == "mailbox_full") {
      for (auto& m : split_list(value)) full_mailboxes.insert(m);
    } else if (key == "relay") {
      if (value != "auth" && value != "allow" && value != "deny") {
        return "policy relay= must be auth, allow or deny";
      }
      relay = value;
    } else if (key == "message") {
      if (value != "accept" && value != "reject" && value != "defer" && value != "shutdown") {
        return "policy message= must be accept, reject, defer or shutdown";
      }
      message = value;
    } else if (key == "queue_prefix") {
      queue_prefix = value;
    } else {
      return "unknown policy setting \"" + key + "\"";
    }
  }
  return std::nullopt;
}

proto::SmtpDecision TestServerPolicy::on_connect(const proto::SmtpSessionInfo&) {
  if (connect == "421") return proto::SmtpDecision::reject(421, "4.3.2", connect_text);
  if (connect == "554") return proto::SmtpDecision::reject(554, "5.7.1", connect_text);
  return proto::SmtpDecision::accept();
}

proto::SmtpDecision TestServerPolicy::on_helo(const proto::SmtpSessionInfo&,
                                              std::string_view domain) {
  helos.emplace_back(domain);
  if (reject_helo.count(lower(domain)) > 0) {
    return proto::SmtpDecision::reject(550, "5.7.1", "HELO/EHLO name rejected by policy");
  }
  return proto::SmtpDecision::accept();
}

proto::SmtpDecision TestServerPolicy::on_mail_from(const proto::SmtpSessionInfo&,
                                                   const mail::Envelope& so_far) {
  mail_froms.push_back(so_far);
  if (so_far.mail_from &&
      reject_senders.count(so_far.mail_from->local_part + "@" + so_far.mail_from->domain) > 0) {
    return proto::SmtpDecision::reject(550, "5.7.1", "Sender rejected by policy");
  }
  return proto::SmtpDecision::accept();
}

proto::SmtpDecision TestServerPolicy::on_rcpt_to(const proto::SmtpSessionInfo& session,
                                                 const mail::Envelope&,
                                                 const mail::EnvelopeRecipient& rcpt) {
  rcpts.push_back(rcpt.mailbox.local_part + "@" + rcpt.mailbox.domain);
  if (local_domains.empty()) return proto::SmtpDecision::accept();
  if (local_domains.count(lower(rcpt.mailbox.domain)) > 0) {
    if (mailboxes.count(rcpt.mailbox.local_part) == 0) {
      return proto::SmtpDecision::reject(550, "5.1.1", "User unknown");
    }
    if (full_mailboxes.count(rcpt.mailbox.local_part) > 0) {
      return proto::SmtpDecision::reject(452, "4.2.2", "Mailbox full");
    }
    return proto::SmtpDecision::accept();
  }
  if (relay == "allow" || (relay == "auth" && session.auth_user)) {
    return proto::SmtpDecision::accept();
  }
  return proto::SmtpDecision::reject(554, "5.7.1", "Relay access denied");
}

proto::SmtpDecision TestServerPolicy::on_message(const proto::SmtpSessionInfo&,
                                                 const mail::Envelope&, std::string_view content) {
  messages.emplace_back(content);
  if (message == "reject")
    return proto::SmtpDecision::reject(554, "5.7.1", "Message rejected as spam");
  if (message == "defer") {
    return proto::SmtpDecision::reject(451, "4.3.0", "Temporary failure, try again later");
  }
  if (message == "shutdown") {
    return proto::SmtpDecision::reject(421, "4.3.2", "Server shutting down");
  }
  ++accepted;
  return proto::SmtpDecision::queued(queue_prefix + std::to_string(accepted));
}

bool TestServerPolicy::check_credentials(const proto::SmtpSessionInfo&, std::string_view authzid,
                                         std::string_view user, std::string_view password) {
  if (!authzid.empty() && authzid != user) return false;
  const auto it = users.find(std::string(user));
  return it != users.end() && it->second == password;
}

// ---------------------------------------------------------------------------------------------

std::optional<std::string> configure_server(const std::map<std::string, std::string>& params,
                                            proto::SmtpServerConfig* config) {
  for (const auto& [key, value] : params) {
    if (key == "hostname") {
      config->hostname = value;
    } else if (key == "greeting") {
      config->greeting_text = value;
    } else if (key == "max_size") {
      const auto n = parse_size(value);
      if (!n) return "server max_size= must be a number";
      config->max_message_size = *n;
    } else if (key == "max_recipients") {
      const auto n = parse_size(value);
      if (!n) return "server max_recipients= must be a number";
      config->max_recipients = *n;
    } else if (key == "max_errors") {
      const auto n = parse_size(value);
      if (!n) return "server max_errors= must be a number";
      config->max_errors = *n;
    } else if (key == "tls") {
      if (value == "none")
        config->tls = proto::TlsState::kNone;
      else if (value == "available")
        config->tls = proto::TlsState::kAvailable;
      else if (value == "active")
        config->tls = proto::TlsState::kActive;
      else
        return "server tls= must be none, available or active";
    } else if (key == "auth") {
      if (value == "never")
        config->auth = proto::AuthAdvertise::kNever;
      else if (value == "always")
        config->auth = proto::AuthAdvertise::kAlways;
      else if (value == "after_tls")
        config->auth = proto::AuthAdvertise::kAfterTls;
      else
        return "server auth= must be never, always or after_tls";
    } else if (key == "require_auth" || key == "require_tls") {
      const auto b = parse_bool(value);
      if (!b) return "server " + key + "= must be yes or no";
      (key == "require_auth" ? config->require_auth : config->require_tls) = *b;
    } else if (key == "timeout") {
      const auto d = parse_duration(value);
      if (!d) return "server timeout= must be a duration such as 300s";
      config->command_timeout = *d;
    } else {
      return "unknown server setting \"" + key + "\"";
    }
  }
  return std::nullopt;
}

ServerTranscriptEngine::ServerTranscriptEngine(proto::SmtpServerConfig config,
                                               std::unique_ptr<TestServerPolicy> policy)
    : m_policy(std::move(policy)), m_server(std::move(config), *m_policy) {}

std::string ServerTranscriptEngine::take_output() {
  std::string pulled = m_server.take_output();
  m_unmatched_output += pulled;
  return std::exchange(m_pending_output, {}) + pulled;
}

std::vector<std::string> ServerTranscriptEngine::take_events() {
  // The output may not have been taken yet (run_pair collects events first): take it now and
  // keep it for take_output().
  const std::string pulled = m_server.take_output();
  m_pending_output += pulled;
  m_unmatched_output += pulled;
  std::vector<std::string> out;
  std::string replies;
  for (const auto& event : m_server.take_events()) {
    m_all_events.push_back(describe(event));
    if (const auto* r = std::get_if<ev::ReplySent>(&event)) {
      replies += r->reply.to_wire();
      continue;
    }
    if (std::holds_alternative<ev::CommandReceived>(event)) continue;
    if (std::holds_alternative<ev::StartTls>(event)) m_tls_pending = true;
    out.push_back(m_all_events.back());
  }
  if (m_unmatched_output.compare(0, replies.size(), replies) == 0) {
    m_unmatched_output.erase(0, replies.size());
  } else {
    out.push_back("!! the ReplySent events (" + escape_bytes(replies) +
                  ") do not match the output (" + escape_bytes(m_unmatched_output) + ")");
    m_unmatched_output.clear();
  }
  if (const std::string problem = validate_reply_stream(replies); !problem.empty()) {
    out.push_back("!! invalid output: " + problem);
  }
  return out;
}

std::unique_ptr<TranscriptEngine> make_server_engine(const Transcript& transcript,
                                                     std::string* error) {
  proto::SmtpServerConfig config;
  auto policy = std::make_unique<TestServerPolicy>();
  if (const auto* p = transcript.directive("server")) {
    if (auto e = configure_server(*p, &config)) {
      *error = *e;
      return nullptr;
    }
  }
  if (const auto* p = transcript.directive("policy")) {
    if (auto e = policy->configure(*p)) {
      *error = *e;
      return nullptr;
    }
  }
  return std::make_unique<ServerTranscriptEngine>(std::move(config), std::move(policy));
}

EngineFactory server_engine_factory() {
  return [](const Transcript& t, std::string* error) { return make_server_engine(t, error); };
}

}  // namespace mailhop::testing
