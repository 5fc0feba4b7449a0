#include "sim/proto/pop3_server.h"

#include <utility>

#include "sim/mail/ascii.h"
#include "sim/mail/base64.h"
#include "sim/mail/md5.h"
#include "sim/proto/line_reader.h"
#include "sim/proto/pop3_number.h"

namespace mailhop::proto {
namespace {

using mail::ascii_lower;
using mail::ascii_upper;

namespace ev = pop3_server_event;

// RFC 2449 section 4: a command line is at most 255 octets including the CRLF.
constexpr std::size_t kCommandLineMax = 255;

// Splits on single spaces (RFC 1939 section 3); empty fields are kept, so "LIST  1" has an
// empty argument and is refused.
std::vector<std::string_view> split_args(std::string_view s) {
  std::vector<std::string_view> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  while (true) {
    const std::size_t space = s.find(' ', start);
    if (space == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, space - start));
    start = space + 1;
  }
}


bool has_control_chars(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

// Appends `content` as the body of a multi-line response: every line ends in CRLF and a line
// starting with "." gets another "." (RFC 1939 section 3). Only CRLF ends a line.
void append_stuffed(std::string& out, std::string_view content) {
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t end = content.find("\r\n", pos);
    const bool last = end == std::string_view::npos;
    if (last) end = content.size();
    if (content[pos] == '.') out += '.';
    out.append(content.substr(pos, end - pos));
    out += "\r\n";
    pos = last ? end : end + 2;
  }
}

// RFC 1939 TOP: the header, the blank line after it, then at most `lines` body lines.
std::string top_of(std::string_view content, std::size_t lines) {
  std::size_t pos = 0;
  // Header: up to and including the first empty line.
  while (pos < content.size()) {
    const std::size_t end = content.find("\r\n", pos);
    if (end == std::string_view::npos) return std::string(content);
    const bool empty = end == pos;
    pos = end + 2;
    if (empty) break;
  }
  for (std::size_t i = 0; i < lines && pos < content.size(); ++i) {
    const std::size_t end = content.find("\r\n", pos);
    pos = end == std::string_view::npos ? content.size() : end + 2;
  }
  return std::string(content.substr(0, pos));
}

// RFC 1939 section 7: the timestamp is a msg-id, "<" ... "@" ... ">", printable, no spaces.
bool valid_timestamp(std::string_view t) {
  if (t.size() < 3 || t.front() != '<' || t.back() != '>') return false;
  if (t.find('@') == std::string_view::npos) return false;
  for (char c : t.substr(1, t.size() - 2)) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '<' || c == '>') return false;
  }
  return true;
}

}  // namespace

struct Pop3Server::Impl {
  Pop3ServerConfig config;
  Pop3Maildrop* store;
  LineReader reader{kCommandLineMax};
  Pop3State state = Pop3State::kAuthorization;
  bool tls_active = false;
  bool tls_pending = false;  // +OK to STLS sent, handshake not yet done
  bool close_wanted = false;
  bool opened = false;
  bool sasl_pending = false;        // "+ " sent after AUTH PLAIN: the next line is the response
  std::optional<std::string> user;  // after USER
  std::string locked_user;          // in TRANSACTION
  std::vector<Pop3Message> messages;
  std::vector<bool> deleted;
  Micros deadline{0};
  std::string output;
  std::vector<Pop3ServerEvent> events;

  Impl(Pop3ServerConfig c, Pop3Maildrop& s) : config(std::move(c)), store(&s) {
    tls_active = config.tls == Pop3Tls::kActive;
  }

  void ok(std::string_view text) { respond(true, text); }
  void err(std::string_view text) { respond(false, text); }

  void respond(bool positive, std::string_view text) {
    std::string line = positive ? "+OK" : "-ERR";
    if (!text.empty()) {
      line += ' ';
      line.append(text);
    }
    output += line;
    output += "\r\n";
    events.emplace_back(ev::ResponseSent{positive, std::move(line)});
  }

  // A "+OK" status line followed by `body` (already stuffed, CRLF lines) and the final ".".
  void multi(std::string_view text, std::string_view body) {
    ok(text);
    output.append(body);
    output += ".\r\n";
  }

  void close(std::string reason) {
    if (!locked_user.empty()) {
      store->unlock(locked_user);
      locked_user.clear();
    }
    state = Pop3State::kClosed;
    events.emplace_back(ev::Closing{std::move(reason)});
  }

  std::size_t live_count() const {
    std::size_t n = 0;
    for (bool d : deleted) n += d ? 0 : 1;
    return n;
  }
  std::size_t live_octets() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < messages.size(); ++i) n += deleted[i] ? 0 : messages[i].size;
    return n;
  }
  std::string drop_summary() const {
    const std::size_t n = live_count();
    return std::to_string(n) + (n == 1 ? " message (" : " messages (") +
           std::to_string(live_octets()) + " octets)";
  }

  // Resolves a message-number argument; on failure sends the -ERR and returns nothing.
  std::optional<std::size_t> message_index(std::string_view arg) {
    const auto n = parse_pop3_number(arg);
    if (!n) {
      err("invalid message number");
      return std::nullopt;
    }
    if (*n == 0 || *n > messages.size()) {
      err("no such message, only " + std::to_string(messages.size()) + " messages in maildrop");
      return std::nullopt;
    }
    if (deleted[*n - 1]) {
      err("message " + std::to_string(*n) + " already deleted");
      return std::nullopt;
    }
    return *n - 1;
  }

  bool apop_offered() const { return valid_timestamp(config.apop_timestamp); }

  bool plain_allowed() const {
    return config.sasl_plain == Pop3SaslPlain::kAlways ||
           (config.sasl_plain == Pop3SaslPlain::kAfterTls && tls_active);
  }

  void capa() {
    std::string body = "USER\r\n";
    if (state == Pop3State::kAuthorization && plain_allowed()) body += "SASL PLAIN\r\n";
    if (state == Pop3State::kAuthorization && config.tls == Pop3Tls::kAvailable && !tls_active) {
      body += "STLS\r\n";
    }
    body +=
        "TOP\r\nUIDL\r\nPIPELINING\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
        "IMPLEMENTATION mailhop\r\n";
    multi("Capability list follows", body);
  }

  void quit() {
    if (state == Pop3State::kAuthorization) {
      ok(config.hostname + " POP3 server signing off");
      close_wanted = true;
      close("QUIT");
      return;
    }
    // RFC 1939 section 6: the UPDATE state.
    state = Pop3State::kUpdate;
    std::vector<std::string> uids;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      if (deleted[i]) uids.push_back(messages[i].uid);
    }
    const bool removed = uids.empty() || store->commit_deletions(locked_user, uids);
    if (removed) {
      for (auto& uid : uids) events.emplace_back(ev::Deleted{uid});
      const std::size_t left = live_count();
      // RFC 1939 section 6 example: "(maildrop empty)" or "(n messages left)".
      ok(config.hostname + " POP3 server signing off (" +
         (left == 0 ? std::string("maildrop empty")
                    : std::to_string(left) + (left == 1 ? " message left" : " messages left")) +
         ")");
    } else {
      err("some deleted messages not removed");
    }
    close_wanted = true;
    close("QUIT");
  }

  void authorization(const std::string& cmd, std::string_view rest,
                     const std::vector<std::string_view>& args) {
    if (cmd == "USER") {
      if (rest.empty()) {
        err("USER needs a name");
        return;
      }
      user = std::string(rest);
      ok("send PASS");
    } else if (cmd == "PASS") {
      if (!user) {
        err("send USER first");
        return;
      }
      const std::string name = *user;
      user.reset();
      login(name, store->check_credentials(name, rest), "USER");
    } else if (cmd == "APOP") {
      user.reset();
      if (!apop_offered()) return err("APOP not available");
      if (args.size() != 2 || args[0].empty() || args[1].empty()) {
        return err("APOP needs a name and a digest");
      }
      const std::string name(args[0]);
      const auto secret = store->apop_secret(name);
      const bool good =
          secret && mail::md5_hex(config.apop_timestamp + *secret) == ascii_lower(args[1]);
      login(name, good, "APOP");
    } else if (cmd == "AUTH") {
      user.reset();
      if (args.empty() || args[0].empty()) return err("AUTH needs a mechanism");
      if (args.size() > 2) return err("syntax: AUTH mechanism [initial-response]");
      if (ascii_upper(args[0]) != "PLAIN") return err("unsupported authentication mechanism");
      if (!plain_allowed()) {
        return err(config.sasl_plain == Pop3SaslPlain::kAfterTls
                       ? "PLAIN authentication requires TLS, use STLS first"
                       : "unsupported authentication mechanism");
      }
      if (args.size() == 2) return plain_response(args[1] == "=" ? std::string_view() : args[1]);
      sasl_pending = true;
      output += "+ \r\n";  // RFC 5034 section 4: an empty challenge
      events.emplace_back(ev::ResponseSent{true, "+ "});
    } else if (cmd == "STLS") {
      if (!args.empty()) {
        err("STLS takes no argument");
      } else if (tls_active) {
        err("TLS already active");
      } else if (config.tls != Pop3Tls::kAvailable) {
        err("TLS not available");
      } else {
        ok("Begin TLS negotiation");
        user.reset();
        tls_pending = true;
        reader.clear();  // RFC 2595 section 4 (as RFC 3207): pipelined input is discarded
        events.emplace_back(ev::StartTls{});
      }
    } else if (cmd == "STAT" || cmd == "LIST" || cmd == "RETR" || cmd == "DELE" ||
               cmd == "NOOP" || cmd == "RSET" || cmd == "TOP" || cmd == "UIDL") {
      err("command not valid before login");
    } else {
      err("unknown command");
    }
  }

  // Ends a login attempt: the credentials were checked (`good`), now lock the maildrop.
  void login(const std::string& name, bool good, const char* mechanism) {
    if (!good) {
      events.emplace_back(ev::AuthFailed{name, "AUTH", mechanism});
      err(std::string("[AUTH] invalid user name or ") +
          (std::string_view(mechanism) == "APOP" ? "digest" : "password"));
      return;
    }
    if (!store->lock(name)) {
      events.emplace_back(ev::AuthFailed{name, "IN-USE", mechanism});
      err("[IN-USE] maildrop already locked");
      return;
    }
    locked_user = name;
    messages = store->messages(name);
    deleted.assign(messages.size(), false);
    state = Pop3State::kTransaction;
    events.emplace_back(ev::Authenticated{name, mechanism});
    ok(name + "'s maildrop has " + drop_summary());
  }

  // The client's PLAIN response (RFC 4616): base64 of authzid NUL authcid NUL passwd.
  void plain_response(std::string_view text) {
    if (text == "*") return err("authentication cancelled");
    const auto decoded = mail::base64_decode(text);
    if (!decoded) return err("invalid base64 in the PLAIN response");
    const std::size_t first = decoded->find('\0');
    const std::size_t second =
        first == std::string::npos ? std::string::npos : decoded->find('\0', first + 1);
    if (second == std::string::npos || decoded->find('\0', second + 1) != std::string::npos) {
      return err("malformed PLAIN response");
    }
    const std::string authzid = decoded->substr(0, first);
    const std::string authcid = decoded->substr(first + 1, second - first - 1);
    const std::string_view password = std::string_view(*decoded).substr(second + 1);
    if (authcid.empty()) return err("malformed PLAIN response");
    const bool good = (authzid.empty() || authzid == authcid) &&
                      store->check_credentials(authcid, password);
    login(authcid, good, "PLAIN");
  }

  void transaction(const std::string& cmd, const std::vector<std::string_view>& args) {
    if (cmd == "STAT") {
      if (!args.empty()) return err("STAT takes no argument");
      ok(std::to_string(live_count()) + " " + std::to_string(live_octets()));
    } else if (cmd == "LIST" || cmd == "UIDL") {
      const bool list = cmd == "LIST";
      if (args.size() > 1) return err("too many arguments");
      auto item = [&](std::size_t i) {
        return std::to_string(i + 1) + " " +
               (list ? std::to_string(messages[i].size) : messages[i].uid);
      };
      if (args.size() == 1) {
        if (const auto i = message_index(args[0])) ok(item(*i));
        return;
      }
      std::string body;
      for (std::size_t i = 0; i < messages.size(); ++i) {
        if (!deleted[i]) body += item(i) + "\r\n";
      }
      multi(list ? drop_summary() : "unique-id listing follows", body);
    } else if (cmd == "RETR") {
      if (args.size() != 1) return err("RETR needs a message number");
      const auto i = message_index(args[0]);
      if (!i) return;
      std::string body;
      append_stuffed(body, messages[*i].content);
      multi(std::to_string(messages[*i].size) + " octets", body);
    } else if (cmd == "TOP") {
      if (args.size() != 2) return err("TOP needs a message number and a line count");
      const auto lines = parse_pop3_number(args[1]);
      if (!lines) return err("invalid line count");
      const auto i = message_index(args[0]);
      if (!i) return;
      std::string body;
      append_stuffed(body, top_of(messages[*i].content, *lines));
      multi("top of message follows", body);
    } else if (cmd == "DELE") {
      if (args.size() != 1) return err("DELE needs a message number");
      const auto i = message_index(args[0]);
      if (!i) return;
      deleted[*i] = true;
      ok("message " + std::to_string(*i + 1) + " deleted");
    } else if (cmd == "NOOP") {
      if (!args.empty()) return err("NOOP takes no argument");
      ok("");
    } else if (cmd == "RSET") {
      if (!args.empty()) return err("RSET takes no argument");
      deleted.assign(messages.size(), false);
      ok("maildrop has " + drop_summary());
    } else if (cmd == "USER" || cmd == "PASS" || cmd == "STLS" || cmd == "APOP" ||
               cmd == "AUTH") {
      err("command not valid after login");
    } else {
      err("unknown command");
    }
  }

  void command(const LineReader::Line& line) {
    events.emplace_back(ev::CommandReceived{line.text});
    if (sasl_pending) {
      sasl_pending = false;
      if (line.too_long) return err("line too long");
      return plain_response(line.text);
    }
    if (line.too_long) return err("line too long");
    if (has_control_chars(line.text)) return err("invalid character in command line");
    const std::size_t space = line.text.find(' ');
    const std::string cmd = ascii_upper(std::string_view(line.text).substr(0, space));
    const std::string_view rest =
        space == std::string::npos ? std::string_view() : std::string_view(line.text).substr(space + 1);
    const auto args = space == std::string::npos ? std::vector<std::string_view>() : split_args(rest);
    if (cmd.empty()) return err("empty command");
    if (cmd == "QUIT") {
      if (!args.empty()) return err("QUIT takes no argument");
      return quit();
    }
    if (cmd == "CAPA") {
      if (!args.empty()) return err("CAPA takes no argument");
      return capa();
    }
    if (state == Pop3State::kAuthorization) {
      authorization(cmd, rest, args);
    } else {
      transaction(cmd, args);
    }
  }

  void pump() {
    while (state == Pop3State::kAuthorization || state == Pop3State::kTransaction) {
      if (tls_pending) return;
      auto line = reader.next();
      if (!line) return;
      command(*line);
    }
  }
};

Pop3Server::Pop3Server(Pop3ServerConfig config, Pop3Maildrop& store)
    : m_impl(std::make_unique<Impl>(std::move(config), store)) {}
Pop3Server::~Pop3Server() = default;
Pop3Server::Pop3Server(Pop3Server&&) noexcept = default;
Pop3Server& Pop3Server::operator=(Pop3Server&&) noexcept = default;

void Pop3Server::open(Micros now) {
  Impl& s = *m_impl;
  if (s.opened) return;
  s.opened = true;
  s.deadline = now + s.config.autologout;
  std::string greeting = s.config.hostname + " POP3 server ready";
  if (s.apop_offered()) greeting += " " + s.config.apop_timestamp;
  s.ok(greeting);
}

void Pop3Server::receive(std::string_view bytes, Micros now) {
  Impl& s = *m_impl;
  if (!s.opened || s.state == Pop3State::kClosed || s.state == Pop3State::kUpdate ||
      bytes.empty()) {
    return;
  }
  s.deadline = now + s.config.autologout;
  if (s.tls_pending) return;  // plaintext sent after STLS, before the handshake: discarded
  s.reader.feed(bytes);
  s.pump();
}

void Pop3Server::tls_established(Micros now) {
  Impl& s = *m_impl;
  if (!s.tls_pending) return;
  s.tls_pending = false;
  s.tls_active = true;
  s.reader.clear();
  s.deadline = now + s.config.autologout;
}

void Pop3Server::peer_closed(Micros /*now*/) {
  Impl& s = *m_impl;
  if (s.state == Pop3State::kClosed) return;
  s.close("connection closed by client");
}

void Pop3Server::tick(Micros now) {
  Impl& s = *m_impl;
  if (s.state == Pop3State::kClosed || !s.opened || now < s.deadline) return;
  // RFC 1939 section 3: close without a response and without entering UPDATE.
  s.events.emplace_back(ev::TimedOut{});
  s.close_wanted = true;
  s.close("autologout timer expired");
}

std::string Pop3Server::take_output() { return std::exchange(m_impl->output, {}); }

std::vector<Pop3ServerEvent> Pop3Server::take_events() {
  return std::exchange(m_impl->events, {});
}

std::optional<Micros> Pop3Server::next_deadline() const {
  if (!m_impl->opened || m_impl->state == Pop3State::kClosed) return std::nullopt;
  return m_impl->deadline;
}

bool Pop3Server::wants_close() const { return m_impl->close_wanted; }
Pop3State Pop3Server::state() const { return m_impl->state; }
bool Pop3Server::tls_active() const { return m_impl->tls_active; }

}  // namespace mailhop::proto
