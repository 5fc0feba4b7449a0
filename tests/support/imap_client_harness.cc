#include "tests/support/imap_client_harness.h"

#include <charconv>
#include <type_traits>
#include <utility>
#include <variant>

namespace mailhop::testing {
namespace {

namespace ev = proto::imap_client_event;

std::string flags_text(const std::vector<std::string>& flags) {
  std::string out = "(";
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (i != 0) out += ' ';
    out += flags[i];
  }
  return out + ")";
}

std::optional<std::uint32_t> parse_u32(std::string_view s) {
  std::uint32_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const std::size_t end = std::min(s.find(sep, pos), s.size());
    out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::string describe_imap_client_event(const proto::ImapClientEvent& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ev::CommandSent>) {
          return "C: " + escape_bytes(e.line);
        } else if constexpr (std::is_same_v<T, ev::ResponseReceived>) {
          return "S: " + escape_bytes(e.line) +
                 (e.literal ? " +" + std::to_string(e.literal) + " octets" : "");
        } else if constexpr (std::is_same_v<T, ev::StartTls>) {
          return "starttls";
        } else if constexpr (std::is_same_v<T, ev::Connected>) {
          return std::string("connected ") + (e.preauth ? "preauth " : "") + "text=\"" +
                 escape_bytes(e.text) + "\"";
        } else if constexpr (std::is_same_v<T, ev::Capabilities>) {
          std::string out = "capabilities";
          for (const auto& c : e.capabilities) out += " " + c;
          return out;
        } else if constexpr (std::is_same_v<T, ev::LoggedIn>) {
          return "logged_in mechanism=" + e.mechanism;
        } else if constexpr (std::is_same_v<T, ev::LoginFailed>) {
          return "login_failed reason=\"" + escape_bytes(e.reason) + "\"";
        } else if constexpr (std::is_same_v<T, ev::Selected>) {
          return "selected folder=" + e.folder + " uidvalidity=" + std::to_string(e.uidvalidity) +
                 " exists=" + std::to_string(e.exists) + " uidnext=" + std::to_string(e.uidnext);
        } else if constexpr (std::is_same_v<T, ev::MessageFetched>) {
          std::string out = "fetched uid=" + std::to_string(e.uid) +
                            " flags=" + flags_text(e.flags) +
                            " octets=" + std::to_string(e.content.size());
          if (e.content.size() <= 512) out += " content=\"" + escape_bytes(e.content) + "\"";
          return out;
        } else if constexpr (std::is_same_v<T, ev::FlagsUpdated>) {
          return "flags uid=" + std::to_string(e.uid) + " flags=" + flags_text(e.flags);
        } else if constexpr (std::is_same_v<T, ev::Expunged>) {
          return "expunged seq=" + std::to_string(e.seq);
        } else if constexpr (std::is_same_v<T, ev::Exists>) {
          return "exists n=" + std::to_string(e.count);
        } else if constexpr (std::is_same_v<T, ev::OperationDone>) {
          return "op_done index=" + std::to_string(e.index) + " ok=" + (e.ok ? "yes" : "no") +
                 " detail=\"" + escape_bytes(e.detail) + "\"";
        } else if constexpr (std::is_same_v<T, ev::Error>) {
          return "error reason=\"" + escape_bytes(e.reason) + "\"";
        } else if constexpr (std::is_same_v<T, ev::TimedOut>) {
          return "timed_out";
        } else {
          return std::string("closed ok=") + (e.ok ? "yes" : "no");
        }
      },
      event);
}

std::optional<std::vector<proto::ImapOperation>> parse_imap_job(std::string_view text,
                                                                std::string* error) {
  std::vector<proto::ImapOperation> ops;
  if (text.empty()) return ops;
  for (std::string_view item : split(text, ',')) {
    const std::size_t colon = item.find(':');
    const std::string_view name = item.substr(0, colon);
    const std::string_view arg =
        colon == std::string_view::npos ? std::string_view() : item.substr(colon + 1);
    if (name == "sync" && arg.empty()) {
      ops.emplace_back(proto::imap_op::Sync{});
    } else if (name == "logout" && arg.empty()) {
      ops.emplace_back(proto::imap_op::Logout{});
    } else if (name == "idle") {
      proto::imap_op::Idle idle;
      if (!arg.empty()) {
        idle.duration = parse_duration(arg);
        if (!idle.duration) {
          *error = "bad idle duration in \"" + std::string(item) + "\"";
          return std::nullopt;
        }
      }
      ops.emplace_back(idle);
    } else if ((name == "seen" || name == "delete") && parse_u32(arg)) {
      if (name == "seen") {
        ops.emplace_back(proto::imap_op::MarkSeen{*parse_u32(arg)});
      } else {
        ops.emplace_back(proto::imap_op::Delete{*parse_u32(arg)});
      }
    } else {
      *error = "bad operation \"" + std::string(item) + "\"";
      return std::nullopt;
    }
  }
  return ops;
}

std::optional<proto::ImapClientOptions> imap_client_options_from(const Transcript& t,
                                                                 std::string* error) {
  proto::ImapClientOptions o;
  o.user = "julia";
  o.password = "secret";
  if (const auto* p = t.directive("client")) {
    for (const auto& [key, value] : *p) {
      if (key == "user") {
        o.user = value;
      } else if (key == "password") {
        o.password = value;
      } else if (key == "folder") {
        o.folder = value;
      } else if (key == "tls" && value == "never") {
        o.tls = proto::ImapClientTls::kNever;
      } else if (key == "tls" && value == "if_offered") {
        o.tls = proto::ImapClientTls::kIfOffered;
      } else if (key == "tls" && value == "required") {
        o.tls = proto::ImapClientTls::kRequired;
      } else if (key == "tls" && value == "implicit") {
        o.tls = proto::ImapClientTls::kImplicit;
      } else if (key == "uidvalidity" && parse_u32(value)) {
        o.known_uidvalidity = *parse_u32(value);
      } else if (key == "known") {
        for (std::string_view uid : split(value, ',')) {
          const auto n = parse_u32(uid);
          if (!n) {
            *error = "bad UID in known=" + value;
            return std::nullopt;
          }
          o.known_uids.push_back(*n);
        }
      } else if (key == "timeout" && parse_duration(value)) {
        o.response_timeout = *parse_duration(value);
      } else if (key == "idle_renew" && parse_duration(value)) {
        o.idle_renew = *parse_duration(value);
      } else if (key == "max_literal" && parse_u32(value)) {
        o.max_literal = *parse_u32(value);
      } else {
        *error = "bad ! client setting " + key + "=" + value;
        return std::nullopt;
      }
    }
  }
  if (const auto* p = t.directive("job")) {
    for (const auto& [key, value] : *p) {
      if (key != "ops") {
        *error = "bad ! job setting " + key;
        return std::nullopt;
      }
      auto ops = parse_imap_job(value, error);
      if (!ops) return std::nullopt;
      o.job = std::move(*ops);
    }
  }
  return o;
}

ImapClientTranscriptEngine::ImapClientTranscriptEngine(proto::ImapClientOptions options)
    : m_client(std::move(options)) {}

void ImapClientTranscriptEngine::receive(std::string_view bytes, proto::Micros now) {
  if (!m_client.finished() && !m_tls_pending) m_input.append(bytes);
  m_client.receive(bytes, now);
}

void ImapClientTranscriptEngine::tls_established(proto::Micros now) {
  m_tls_pending = false;
  m_client.tls_established(now);
}

void ImapClientTranscriptEngine::drain() {
  const std::string out = m_client.take_output();
  m_output += out;
  m_unsent += out;
}

std::string ImapClientTranscriptEngine::take_output() {
  drain();
  return std::exchange(m_unsent, {});
}

std::vector<std::string> ImapClientTranscriptEngine::take_events() {
  drain();
  std::vector<std::string> out;
  for (const auto& e : m_client.take_events()) {
    m_log.push_back(describe_imap_client_event(e));
    if (const auto* c = std::get_if<ev::CommandSent>(&e)) {
      const std::string wire = c->line + "\r\n";
      if (m_output.compare(m_out_checked, wire.size(), wire) != 0) {
        out.push_back("!! command not in output: " + escape_bytes(wire));
      } else {
        m_out_checked += wire.size();
      }
      continue;
    }
    if (const auto* r = std::get_if<ev::ResponseReceived>(&e)) {
      const std::string wire = r->line + "\r\n";
      if (m_input.compare(m_in_checked, wire.size(), wire) != 0) {
        out.push_back("!! response line not in input: " + escape_bytes(wire));
      } else {
        m_in_checked += wire.size() + r->literal;
      }
      continue;
    }
    if (std::holds_alternative<ev::StartTls>(e)) {
      m_tls_pending = true;
      m_in_checked = m_input.size();  // pipelined plaintext is discarded
    }
    out.push_back(describe_imap_client_event(e));
  }
  return out;
}

EngineFactory imap_client_factory() {
  return [](const Transcript& t, std::string* error) -> std::unique_ptr<TranscriptEngine> {
    auto o = imap_client_options_from(t, error);
    if (!o) return nullptr;
    return std::make_unique<ImapClientTranscriptEngine>(std::move(*o));
  };
}

}  // namespace mailhop::testing
