#include "sim/proto/pop3_client.h"

#include <algorithm>
#include <map>
#include <utility>

#include "sim/mail/ascii.h"
#include "sim/mail/base64.h"
#include "sim/mail/md5.h"
#include "sim/proto/line_reader.h"
#include "sim/proto/pop3_number.h"

namespace mailhop::proto {
namespace {

namespace ev = pop3_client_event;

// RFC 2449 section 4: a status line is at most 512 octets; message lines in RETR may be up to
// 1000 octets (RFC 5322 2.1.1) plus the stuffed dot. Longer lines are accepted up to this
// bound and then treated as a protocol error.
constexpr std::size_t kLineMax = 64 * 1024;

enum class Step { kGreeting, kCapa, kStls, kTlsWait, kUser, kPass, kApop, kAuth, kAuthCancel,
                  kStat, kUidl, kRetr, kDele, kQuit, kDone };

// RFC 1939 section 7: the timestamp is the "<...>" in the greeting's text.
std::string greeting_timestamp(std::string_view text) {
  const std::size_t open = text.find('<');
  if (open == std::string_view::npos) return {};
  const std::size_t close = text.find('>', open);
  if (close == std::string_view::npos) return {};
  return std::string(text.substr(open, close - open + 1));
}

// "SASL PLAIN LOGIN" (RFC 5034 section 6): is PLAIN among the mechanisms?
bool sasl_lists_plain(std::string_view line) {
  const std::string upper = mail::ascii_upper(line);
  if (upper != "SASL" && !upper.starts_with("SASL ")) return false;
  std::size_t pos = 4;
  while (pos < upper.size()) {
    while (pos < upper.size() && upper[pos] == ' ') ++pos;
    const std::size_t end = std::min(upper.find(' ', pos), upper.size());
    if (upper.substr(pos, end - pos) == "PLAIN") return true;
    pos = end;
  }
  return false;
}



}  // namespace

struct Pop3Client::Impl {
  Pop3ClientOptions options;
  LineReader reader{kLineMax};
  Step step = Step::kGreeting;
  bool in_body = false;  // inside a multi-line response
  std::vector<std::string> body;
  bool tls_active = false;
  bool sasl_plain = false;       // the last CAPA listed SASL PLAIN
  std::string apop_timestamp;    // from the greeting
  bool greeted = false;          // a +OK greeting came: QUIT is possible
  bool close_wanted = false;
  bool ok = true;
  std::string error;
  std::size_t count = 0;    // from STAT
  std::size_t current = 0;  // message number being retrieved
  std::map<std::size_t, std::string> uids;
  std::vector<Pop3RetrievedMessage> messages;
  Micros deadline;
  std::string output;
  std::vector<Pop3ClientEvent> events;

  Impl(Pop3ClientOptions o, Micros now)
      : options(std::move(o)), deadline(now + options.response_timeout) {
    tls_active = options.tls == Pop3ClientTls::kImplicit;
  }

  void send(Step next, std::string line, Micros now) {
    step = next;
    output += line;
    output += "\r\n";
    events.emplace_back(ev::CommandSent{std::move(line)});
    deadline = now + options.response_timeout;
  }

  void finish() {
    step = Step::kDone;
    close_wanted = true;
    events.emplace_back(ev::Finished{messages.size(), ok});
  }

  void fail(std::string reason, Micros now) {
    if (ok) {
      ok = false;
      error = reason;
      events.emplace_back(ev::Failed{std::move(reason)});
    }
    if (step == Step::kQuit || (step == Step::kGreeting && !greeted) || step == Step::kTlsWait) {
      finish();
    } else {
      send(Step::kQuit, "QUIT", now);
    }
  }

  bool wants_capa() const {
    if (options.login == Pop3Login::kBest) return true;
    return !tls_active &&
           (options.tls == Pop3ClientTls::kIfOffered || options.tls == Pop3ClientTls::kRequired);
  }

  void login(Micros now) {
    if (options.login == Pop3Login::kApop) {
      if (apop_timestamp.empty()) {
        return fail("the server's greeting has no APOP timestamp", now);
      }
      return send(Step::kApop,
                  "APOP " + options.user + " " + mail::md5_hex(apop_timestamp + options.password),
                  now);
    }
    if (options.login == Pop3Login::kBest && sasl_plain) {
      std::string plain;
      plain += '\0';
      plain += options.user;
      plain += '\0';
      plain += options.password;
      return send(Step::kAuth, "AUTH PLAIN " + mail::base64_encode(plain), now);
    }
    send(Step::kUser, "USER " + options.user, now);
  }

  void logged_in(const char* mechanism, Micros now) {
    events.emplace_back(ev::LoggedIn{mechanism});
    send(Step::kStat, "STAT", now);
  }

  void next_message(Micros now) {
    ++current;
    while (current <= count && uids.count(current) &&
           std::find(options.known_uids.begin(), options.known_uids.end(), uids[current]) !=
               options.known_uids.end()) {
      ++current;
    }
    if (current > count) {
      send(Step::kQuit, "QUIT", now);
    } else {
      send(Step::kRetr, "RETR " + std::to_string(current), now);
    }
  }

  // A complete multi-line body (unstuffed lines, without the final ".").
  void body_done(Micros now) {
    in_body = false;
    if (step == Step::kCapa || step == Step::kUidl) events.emplace_back(ev::ListReceived{body});
    if (step == Step::kCapa) {
      bool stls = false;
      sasl_plain = false;
      for (const auto& l : body) {
        if (l == "STLS" || l.starts_with("STLS ")) stls = true;
        if (sasl_lists_plain(l)) sasl_plain = true;
      }
      if (stls && !tls_active && options.tls != Pop3ClientTls::kNever) {
        return send(Step::kStls, "STLS", now);
      }
      if (options.tls == Pop3ClientTls::kRequired && !tls_active) {
        return fail("the server does not offer STLS, and TLS is required", now);
      }
      return login(now);
    }
    if (step == Step::kUidl) {
      for (const auto& l : body) {
        const std::size_t space = l.find(' ');
        if (space == std::string::npos) continue;
        if (const auto n = parse_pop3_number(std::string_view(l).substr(0, space))) {
          uids[*n] = l.substr(space + 1);
        }
      }
      return next_message(now);
    }
    // RETR
    std::string content;
    for (const auto& l : body) {
      content += l;
      content += "\r\n";
    }
    const auto uid = uids.count(current) ? uids[current] : std::string();
    events.emplace_back(ev::MessageRetrieved{current, uid, content.size()});
    messages.push_back({current, uid, std::move(content)});
    if (options.delete_after_retrieve == Pop3Delete::kDeleteAfterRetrieve) {
      return send(Step::kDele, "DELE " + std::to_string(current), now);
    }
    next_message(now);
  }

  void status(const std::string& line, Micros now) {
    const bool positive = line == "+OK" || line.starts_with("+OK ");
    const bool negative = line == "-ERR" || line.starts_with("-ERR ");
    const bool challenge = line == "+" || line.starts_with("+ ");
    events.emplace_back(ev::ResponseReceived{positive || challenge, line});
    if (challenge && step == Step::kAuth) return send(Step::kAuthCancel, "*", now);
    if (!positive && !negative) return fail("malformed response: " + line, now);
    const std::string text = line.size() > 4 ? line.substr(positive ? 4 : 5) : std::string();
    switch (step) {
      case Step::kGreeting:
        if (!positive) return fail("the server refused the session: " + line, now);
        greeted = true;
        apop_timestamp = greeting_timestamp(text);
        if (!wants_capa()) return login(now);
        return send(Step::kCapa, "CAPA", now);
      case Step::kCapa:
        if (positive) {
          in_body = true;
          body.clear();
          return;
        }
        if (options.tls == Pop3ClientTls::kRequired && !tls_active) {
          return fail("the server does not support CAPA, and TLS is required", now);
        }
        return login(now);
      case Step::kStls:
        if (positive) {
          step = Step::kTlsWait;
          reader.clear();
          events.emplace_back(ev::StartTls{});
          return;
        }
        if (options.tls == Pop3ClientTls::kRequired) {
          return fail("STLS refused, and TLS is required: " + line, now);
        }
        return login(now);
      case Step::kUser:
        if (!positive) return fail("USER refused: " + line, now);
        return send(Step::kPass, "PASS " + options.password, now);
      case Step::kPass:
        if (!positive) return fail("login failed: " + line, now);
        return logged_in("USER", now);
      case Step::kApop:
        if (!positive) return fail("login failed: " + line, now);
        return logged_in("APOP", now);
      case Step::kAuth:
        if (!positive) return fail("login failed: " + line, now);
        return logged_in("PLAIN", now);
      case Step::kAuthCancel:
        return fail("the server sent a challenge to AUTH PLAIN after the initial response: " + line,
                    now);
      case Step::kStat: {
        const std::size_t space = text.find(' ');
        const auto n = parse_pop3_number(std::string_view(text).substr(0, space));
        if (!positive || !n) return fail("STAT failed: " + line, now);
        count = *n;
        return send(Step::kUidl, "UIDL", now);
      }
      case Step::kUidl:
        if (positive) {
          in_body = true;
          body.clear();
          return;
        }
        return next_message(now);  // UIDL is optional (RFC 1939 section 7)
      case Step::kRetr:
        if (!positive) return fail("RETR " + std::to_string(current) + " failed: " + line, now);
        in_body = true;
        body.clear();
        return;
      case Step::kDele:
        if (!positive) return fail("DELE " + std::to_string(current) + " failed: " + line, now);
        return next_message(now);
      case Step::kQuit:
        if (!positive && ok) {
          ok = false;
          error = "QUIT failed: " + line;
          events.emplace_back(ev::Failed{error});
        }
        return finish();
      case Step::kTlsWait:
      case Step::kDone:
        return;
    }
  }

  void pump(Micros now) {
    while (step != Step::kDone && step != Step::kTlsWait) {
      auto line = reader.next();
      if (!line) return;
      if (line->too_long) return fail("response line too long", now);
      if (!in_body) {
        status(line->text, now);
        continue;
      }
      if (line->text == ".") {
        body_done(now);
      } else if (!line->text.empty() && line->text[0] == '.') {
        body.push_back(line->text.substr(1));
      } else {
        body.push_back(line->text);
      }
    }
  }
};

Pop3Client::Pop3Client(Pop3ClientOptions options, Micros now)
    : m_impl(std::make_unique<Impl>(std::move(options), now)) {}
Pop3Client::~Pop3Client() = default;
Pop3Client::Pop3Client(Pop3Client&&) noexcept = default;
Pop3Client& Pop3Client::operator=(Pop3Client&&) noexcept = default;

void Pop3Client::receive(std::string_view bytes, Micros now) {
  Impl& c = *m_impl;
  if (c.step == Step::kDone || c.step == Step::kTlsWait || bytes.empty()) return;
  c.reader.feed(bytes);
  c.pump(now);
}

void Pop3Client::tls_established(Micros now) {
  Impl& c = *m_impl;
  if (c.step != Step::kTlsWait) return;
  c.tls_active = true;
  c.reader.clear();
  c.sasl_plain = false;  // RFC 2595 section 4: forget what CAPA said before TLS
  if (c.options.login == Pop3Login::kBest) return c.send(Step::kCapa, "CAPA", now);
  c.login(now);
}

void Pop3Client::peer_closed(Micros /*now*/) {
  Impl& c = *m_impl;
  if (c.step == Step::kDone) return;
  if (c.ok) {
    c.ok = false;
    c.error = c.step == Step::kQuit ? "the server closed the connection before answering QUIT"
                                    : "the server closed the connection";
    c.events.emplace_back(ev::Failed{c.error});
  }
  c.step = Step::kDone;
  c.events.emplace_back(ev::Finished{c.messages.size(), false});
}

void Pop3Client::tick(Micros now) {
  Impl& c = *m_impl;
  if (c.step == Step::kDone || now < c.deadline) return;
  c.events.emplace_back(ev::TimedOut{});
  if (c.ok) {
    c.ok = false;
    c.error = "no response from the server";
    c.events.emplace_back(ev::Failed{c.error});
  }
  c.finish();
}

std::string Pop3Client::take_output() { return std::exchange(m_impl->output, {}); }
std::vector<Pop3ClientEvent> Pop3Client::take_events() {
  return std::exchange(m_impl->events, {});
}
std::optional<Micros> Pop3Client::next_deadline() const {
  if (m_impl->step == Step::kDone) return std::nullopt;
  return m_impl->deadline;
}
bool Pop3Client::wants_close() const { return m_impl->close_wanted; }
bool Pop3Client::finished() const { return m_impl->step == Step::kDone; }
bool Pop3Client::succeeded() const { return finished() && m_impl->ok; }
const std::string& Pop3Client::error() const { return m_impl->error; }
const std::vector<Pop3RetrievedMessage>& Pop3Client::messages() const {
  return m_impl->messages;
}

}  // namespace mailhop::proto
