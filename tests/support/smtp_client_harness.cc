#include "tests/support/smtp_client_harness.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "sim/mail/address.h"

namespace mailhop::testing {
namespace {

namespace ev = proto::smtp_client_event;

const std::string* param(const std::map<std::string, std::string>& params, const char* key) {
  const auto it = params.find(key);
  return it == params.end() ? nullptr : &it->second;
}

bool parse_yes_no(const std::string& value, bool* out) {
  if (value == "yes") {
    *out = true;
    return true;
  }
  if (value == "no") {
    *out = false;
    return true;
  }
  return false;
}

const char* status_name(proto::DeliveryStatus s) {
  switch (s) {
    case proto::DeliveryStatus::kDelivered:
      return "delivered";
    case proto::DeliveryStatus::kDeferred:
      return "deferred";
    case proto::DeliveryStatus::kFailed:
      return "failed";
  }
  return "?";
}

bool apply_client_directive(const std::map<std::string, std::string>& params,
                            proto::SmtpClientOptions* o, std::string* error) {
  for (const auto& [key, value] : params) {
    if (key == "helo") {
      o->helo_domain = value;
    } else if (key == "tls") {
      if (value == "never") {
        o->tls = proto::ClientTls::kNever;
      } else if (value == "opportunistic") {
        o->tls = proto::ClientTls::kOpportunistic;
      } else if (value == "required") {
        o->tls = proto::ClientTls::kRequired;
      } else if (value == "implicit") {
        o->tls = proto::ClientTls::kImplicit;
      } else {
        *error = "tls= must be never, opportunistic, required or implicit";
        return false;
      }
    } else if (key == "tls_capable") {
      if (!parse_yes_no(value, &o->tls_capable)) {
        *error = "tls_capable= must be yes or no";
        return false;
      }
    } else if (key == "pipelining") {
      if (!parse_yes_no(value, &o->use_pipelining)) {
        *error = "pipelining= must be yes or no";
        return false;
      }
    } else if (key == "user") {
      if (!o->credentials) o->credentials.emplace();
      o->credentials->user = value;
    } else if (key == "password") {
      if (!o->credentials) o->credentials.emplace();
      o->credentials->password = value;
    } else if (key.ends_with("_timeout")) {
      const auto d = parse_duration(value);
      if (!d) {
        *error = "bad duration for " + key;
        return false;
      }
      if (key == "greeting_timeout") {
        o->greeting_timeout = *d;
      } else if (key == "mail_timeout") {
        o->mail_timeout = *d;
      } else if (key == "rcpt_timeout") {
        o->rcpt_timeout = *d;
      } else if (key == "data_init_timeout") {
        o->data_init_timeout = *d;
      } else if (key == "data_term_timeout") {
        o->data_term_timeout = *d;
      } else if (key == "command_timeout") {
        o->command_timeout = *d;
      } else {
        *error = "unknown timeout " + key;
        return false;
      }
    } else {
      *error = "unknown client option \"" + key + "\"";
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<ClientSetup> client_setup_from(const Transcript& transcript, std::string* error) {
  ClientSetup setup;
  struct Building {
    proto::SmtpTransaction txn;
    std::optional<std::string> raw;
    std::string lines;
  };
  std::vector<Building> built;
  for (const auto& item : transcript.items) {
    if (item.kind != TranscriptItem::Kind::kDirective) continue;
    const std::string where = transcript.name + ":" + std::to_string(item.line) + ": ";
    std::string why;
    if (item.text == "client") {
      if (!apply_client_directive(item.params, &setup.options, &why)) {
        *error = where + why;
        return std::nullopt;
      }
    } else if (item.text == "message") {
      Building b;
      for (const auto& [key, value] : item.params) {
        if (key == "from") {
          if (value != "<>") {
            auto mb = mail::parse_mailbox(value, &why);
            if (!mb) {
              *error = where + "bad from=: " + why;
              return std::nullopt;
            }
            b.txn.envelope.mail_from = std::move(*mb);
          }
        } else if (key == "body") {
          if (value == "7bit") {
            b.txn.envelope.body = mail::BodyType::k7Bit;
          } else if (value == "8bitmime") {
            b.txn.envelope.body = mail::BodyType::k8BitMime;
          } else {
            *error = where + "body= must be 7bit or 8bitmime";
            return std::nullopt;
          }
        } else if (key == "ret") {
          b.txn.envelope.ret = value;
        } else if (key == "envid") {
          b.txn.envelope.envid = value;
        } else if (key == "raw") {
          auto bytes = decode_escapes(value, &why);
          if (!bytes) {
            *error = where + "raw=: " + why;
            return std::nullopt;
          }
          b.raw = std::move(*bytes);
        } else {
          *error = where + "unknown message option \"" + key + "\"";
          return std::nullopt;
        }
      }
      built.push_back(std::move(b));
    } else if (item.text == "rcpt" || item.text == "line") {
      if (built.empty()) {
        *error = where + "\"! " + item.text + "\" before any \"! message\"";
        return std::nullopt;
      }
      Building& b = built.back();
      if (item.text == "rcpt") {
        mail::EnvelopeRecipient r;
        bool have_to = false;
        for (const auto& [key, value] : item.params) {
          if (key == "to") {
            auto mb = mail::parse_mailbox(value, &why);
            if (!mb) {
              *error = where + "bad to=: " + why;
              return std::nullopt;
            }
            r.mailbox = std::move(*mb);
            have_to = true;
          } else if (key == "notify") {
            r.notify = value;
          } else if (key == "orcpt") {
            r.orcpt = value;
          } else {
            *error = where + "unknown rcpt option \"" + key + "\"";
            return std::nullopt;
          }
        }
        if (!have_to) {
          *error = where + "\"! rcpt\" needs to=";
          return std::nullopt;
        }
        b.txn.envelope.rcpt_to.push_back(std::move(r));
      } else {
        const std::string* text = param(item.params, "text");
        auto bytes = decode_escapes(text ? *text : std::string(), &why);
        if (!bytes) {
          *error = where + "text=: " + why;
          return std::nullopt;
        }
        std::size_t repeat = 1;
        if (const std::string* n = param(item.params, "repeat")) {
          const auto [ptr, ec] = std::from_chars(n->data(), n->data() + n->size(), repeat);
          if (ec != std::errc() || ptr != n->data() + n->size()) {
            *error = where + "repeat= must be a number";
            return std::nullopt;
          }
        }
        for (std::size_t i = 0; i < repeat; ++i) b.lines += *bytes + "\r\n";
      }
    }
  }
  for (auto& b : built) {
    b.txn.content = b.raw ? std::move(*b.raw) : std::move(b.lines);
    setup.transactions.push_back(std::move(b.txn));
  }
  return setup;
}

std::string check_outcomes(const std::vector<proto::TransactionOutcome>& outcomes) {
  for (std::size_t t = 0; t < outcomes.size(); ++t) {
    for (const auto& r : outcomes[t].recipients) {
      const std::string who = "transaction " + std::to_string(t) + " " + r.recipient.str();
      if (r.diagnostic.empty()) return who + ": no diagnostic";
      std::string code;
      std::size_t len = 0;
      if (!proto::parse_enhanced_code(r.status_code, &code, &len) || len != r.status_code.size()) {
        return who + ": status code \"" + r.status_code + "\" is not an RFC 3463 code";
      }
      const char cls = r.status == proto::DeliveryStatus::kDelivered  ? '2'
                       : r.status == proto::DeliveryStatus::kDeferred ? '4'
                                                                      : '5';
      if (code[0] != cls) return who + ": status code " + code + " does not match the status";
      if (r.reply && r.status == proto::DeliveryStatus::kDelivered && !r.reply->is_positive()) {
        return who + ": delivered by a negative reply";
      }
    }
  }
  return {};
}

std::vector<std::string> render_client_event(
    const proto::SmtpClientEvent& event, const std::vector<proto::TransactionOutcome>& outcomes) {
  std::vector<std::string> out;
  if (const auto* e = std::get_if<ev::StartTls>(&event)) {
    (void)e;
    out.emplace_back("starttls");
  } else if (const auto* a = std::get_if<ev::Authenticated>(&event)) {
    out.push_back("authenticated " + a->mechanism);
  } else if (const auto* p = std::get_if<ev::ProtocolError>(&event)) {
    out.push_back("protocol error: " + p->reason);
  } else if (const auto* t = std::get_if<ev::TimedOut>(&event)) {
    out.push_back("timed out waiting for " + t->waiting_for);
  } else if (const auto* d = std::get_if<ev::TransactionDone>(&event)) {
    if (d->index < outcomes.size()) {
      for (const auto& r : outcomes[d->index].recipients) {
        out.push_back("outcome " + std::to_string(d->index) + " " + r.recipient.str() + " " +
                      status_name(r.status) + " " + r.status_code + ": " + r.diagnostic);
      }
    }
    out.push_back("transaction " + std::to_string(d->index) + " done");
  } else if (std::holds_alternative<ev::Finished>(event)) {
    out.emplace_back("finished");
  }
  return out;
}

SmtpClientTranscriptEngine::SmtpClientTranscriptEngine(ClientSetup setup)
    : m_client(std::move(setup.options), std::move(setup.transactions)) {}

void SmtpClientTranscriptEngine::open(proto::Micros now) {
  m_client.open(now);
  drain();
}

void SmtpClientTranscriptEngine::receive(std::string_view bytes, proto::Micros now) {
  // Follow the replies in the input, to check the engine's ReplyReceived events against them.
  m_input_line.append(bytes);
  std::size_t crlf = 0;
  while ((crlf = m_input_line.find("\r\n")) != std::string::npos) {
    const std::string line = m_input_line.substr(0, crlf);
    m_input_line.erase(0, crlf + 2);
    const auto status = m_input_parser.feed_line(line, false);
    if (status == proto::SmtpReplyParser::Status::kComplete) {
      m_expected_codes.push_back(m_input_parser.take().code);
    } else if (status == proto::SmtpReplyParser::Status::kError) {
      m_input_parser = proto::SmtpReplyParser{};
    }
  }
  m_client.receive(bytes, now);
  drain();
}

void SmtpClientTranscriptEngine::tls_established(proto::Micros now) {
  m_tls_pending = false;
  m_input_line.clear();
  m_input_parser = proto::SmtpReplyParser{};
  m_client.tls_established(now);
  drain();
}

void SmtpClientTranscriptEngine::peer_closed(proto::Micros now) {
  m_client.peer_closed(now);
  drain();
}

void SmtpClientTranscriptEngine::tick(proto::Micros now) {
  m_client.tick(now);
  drain();
}

void SmtpClientTranscriptEngine::drain() {
  const std::string out = m_client.take_output();
  m_output += out;
  m_unchecked_output += out;
  for (const auto& event : m_client.take_events()) {
    if (m_finished) m_events.emplace_back("!! an event after Finished");
    if (const auto* done = std::get_if<ev::TransactionDone>(&event)) {
      if (m_done_count.size() <= done->index) m_done_count.resize(done->index + 1, 0);
      if (++m_done_count[done->index] > 1) m_events.emplace_back("!! TransactionDone twice");
    }
    if (std::holds_alternative<ev::Finished>(event)) {
      m_finished = true;
      const auto& outcomes = m_client.outcomes();
      m_done_count.resize(std::max(m_done_count.size(), outcomes.size()), 0);
      for (std::size_t t = 0; t < outcomes.size(); ++t) {
        if (m_done_count[t] != 1) {
          m_events.push_back("!! transaction " + std::to_string(t) + " never done");
        }
      }
      if (const std::string why = check_outcomes(outcomes); !why.empty()) {
        m_events.push_back("!! " + why);
      }
      if (!m_client.finished()) m_events.emplace_back("!! Finished but finished() is false");
    }
    if (const auto* c = std::get_if<ev::CommandSent>(&event)) {
      const std::string expected = c->line + "\r\n";
      if (m_unchecked_output.starts_with(expected)) {
        m_unchecked_output.erase(0, expected.size());
      } else {
        m_events.push_back("!! CommandSent \"" + escape_bytes(c->line) +
                           "\" does not match the output \"" +
                           escape_bytes(m_unchecked_output.substr(0, 80)) + "\"");
      }
    } else if (const auto* d = std::get_if<ev::DataSent>(&event)) {
      const std::string data = m_unchecked_output.substr(0, d->octets);
      const bool ends_right = data == ".\r\n" || data.ends_with("\r\n.\r\n");
      if (data.size() < d->octets || !ends_right) {
        m_events.push_back("!! DataSent of " + std::to_string(d->octets) +
                           " octets does not match the output");
      } else {
        m_unchecked_output.erase(0, d->octets);
      }
    } else if (const auto* r = std::get_if<ev::ReplyReceived>(&event)) {
      if (m_expected_codes.empty() || m_expected_codes.front() != r->reply.code) {
        m_events.push_back("!! ReplyReceived " + std::to_string(r->reply.code) +
                           " does not match the input");
      } else {
        m_expected_codes.erase(m_expected_codes.begin());
      }
    } else {
      if (std::holds_alternative<ev::StartTls>(event)) m_tls_pending = true;
      for (auto& text : render_client_event(event, m_client.outcomes())) {
        m_events.push_back(std::move(text));
      }
    }
  }
  if (!m_unchecked_output.empty()) {
    m_events.push_back("!! output not reported by CommandSent/DataSent: \"" +
                       escape_bytes(m_unchecked_output.substr(0, 80)) + "\"");
    m_unchecked_output.clear();
  }
}

std::string SmtpClientTranscriptEngine::take_output() {
  return std::exchange(m_output, {});
}

std::vector<std::string> SmtpClientTranscriptEngine::take_events() {
  return std::exchange(m_events, {});
}

std::optional<proto::Micros> SmtpClientTranscriptEngine::next_deadline() const {
  return m_client.next_deadline();
}

bool SmtpClientTranscriptEngine::wants_close() const {
  return m_client.finished();
}

bool SmtpClientTranscriptEngine::tls_pending() const {
  return m_tls_pending;
}

std::unique_ptr<TranscriptEngine> make_client_engine(const Transcript& transcript,
                                                     std::string* error) {
  auto setup = client_setup_from(transcript, error);
  if (!setup) return nullptr;
  return std::make_unique<SmtpClientTranscriptEngine>(std::move(*setup));
}

}  // namespace mailhop::testing
