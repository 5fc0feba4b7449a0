#include "sim/proto/imap_client.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <utility>

#include "sim/mail/ascii.h"
#include "sim/mail/base64.h"
#include "sim/proto/imap_client_parse.h"

namespace mailhop::proto {
namespace {

namespace ev = imap_client_event;

enum class Phase {
  kNotOpen,
  kGreeting,
  kCapability,
  kStartTls,
  kTlsWait,
  kLogin,
  kReady,
  kLogout,
  kDone
};

enum class Cmd {
  kCapability,
  kStartTls,
  kAuthenticate,
  kLogin,
  kSelect,
  kFetchFlags,
  kFetchBodies,
  kStoreSeen,
  kStoreDeleted,
  kExpunge,
  kIdle,
  kLogout
};

struct Pending {
  std::string tag;
  Cmd cmd = Cmd::kCapability;
  bool continued = false;  // AUTHENTICATE: the response was sent; IDLE: "+" came
};

std::vector<std::string> flag_list(const ImapValue& v) {
  std::vector<std::string> out;
  for (const auto& item : v.items) out.push_back(item.text);
  return out;
}

}  // namespace

struct ImapClient::Impl {
  ImapClientOptions options;
  ImapResponseReader reader;
  Phase phase = Phase::kNotOpen;
  std::optional<Pending> pending;
  unsigned next_tag = 1;
  bool tls_active = false;
  bool logged_in = false;
  bool close_wanted = false;
  bool closed_ok = true;  // LOGOUT after a failure still ends with Closed{ok = false}
  std::string error;
  std::vector<std::string> caps;
  bool caps_known = false;

  std::deque<ImapOperation> ops;
  std::size_t op_index = 0;

  // The selected folder.
  bool selected = false;
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 0;
  std::uint32_t exists = 0;
  std::vector<std::uint32_t> seq_uids;  // UID of each sequence number (0: not known)
  std::set<std::uint32_t> known;
  std::vector<std::uint32_t> known_list;  // `known` in order, for known_uids()
  std::vector<std::uint32_t> listed;      // UIDs listed by the last UID FETCH 1:*
  std::uint32_t pending_uidvalidity = 0;  // [UIDVALIDITY] seen during SELECT
  std::size_t fetch_count = 0;            // messages asked for by the running Sync
  bool preauth = false;                   // PREAUTH greeting: CAPABILITY, then the operations

  // IDLE.
  bool idling = false;      // "+" received, DONE not yet sent
  bool idle_stop = false;   // the current Idle operation should end
  bool idle_renew = false;  // DONE was sent to renew, not to end
  std::optional<Micros> idle_end;
  Micros idle_renew_at{0};

  std::optional<Micros> deadline;
  std::string output;
  std::vector<ImapClientEvent> events;

  explicit Impl(ImapClientOptions o)
      : options(std::move(o)), reader(options.max_line, options.max_literal) {
    tls_active = options.tls == ImapClientTls::kImplicit;
    uidvalidity = options.known_uidvalidity;
    known.insert(options.known_uids.begin(), options.known_uids.end());
    known_list.assign(known.begin(), known.end());
    for (auto& op : options.job) ops.push_back(std::move(op));
    options.job.clear();
  }

  void remember(std::uint32_t uid) {
    if (known.insert(uid).second) known_list.assign(known.begin(), known.end());
  }
  void forget(std::uint32_t uid) {
    if (known.erase(uid) != 0) known_list.assign(known.begin(), known.end());
  }

  bool has_cap(std::string_view cap) const {
    return std::find(caps.begin(), caps.end(), cap) != caps.end();
  }

  void set_caps(std::string_view text) {
    caps.clear();
    std::size_t pos = 0;
    while (pos < text.size()) {
      const std::size_t end = std::min(text.find(' ', pos), text.size());
      if (end > pos) caps.push_back(mail::ascii_upper(text.substr(pos, end - pos)));
      pos = end + 1;
    }
    caps_known = true;
    events.emplace_back(ev::Capabilities{caps});
  }

  void write_line(std::string line) {
    output += line;
    output += "\r\n";
    events.emplace_back(ev::CommandSent{std::move(line)});
  }

  void send(Cmd cmd, const std::string& args, Micros now) {
    Pending p;
    p.tag = "A" + std::to_string(next_tag++);
    p.cmd = cmd;
    write_line(p.tag + " " + args);
    pending = std::move(p);
    deadline = now + options.response_timeout;
  }

  // The session cannot go on: report, and close without LOGOUT.
  void fail(std::string reason) {
    if (phase == Phase::kDone) return;
    if (error.empty()) error = reason;
    events.emplace_back(ev::Error{std::move(reason)});
    finish(false);
  }

  void finish(bool ok) {
    phase = Phase::kDone;
    pending.reset();
    idling = false;
    deadline.reset();
    close_wanted = true;
    events.emplace_back(ev::Closed{ok && closed_ok});
  }

  // Ends politely: LOGOUT, then Closed{ok = false}.
  void give_up(std::string reason, bool login_failed, Micros now) {
    if (error.empty()) error = reason;
    if (login_failed) {
      events.emplace_back(ev::LoginFailed{std::move(reason)});
    } else {
      events.emplace_back(ev::Error{std::move(reason)});
    }
    closed_ok = false;
    logout(now);
  }

  void logout(Micros now) {
    phase = Phase::kLogout;
    send(Cmd::kLogout, "LOGOUT", now);
  }

  // --- login -------------------------------------------------------------------------------

  void after_capabilities(Micros now) {
    if (!tls_active && options.tls != ImapClientTls::kNever && has_cap("STARTTLS")) {
      phase = Phase::kStartTls;
      return send(Cmd::kStartTls, "STARTTLS", now);
    }
    if (options.tls == ImapClientTls::kRequired && !tls_active) {
      return give_up("the server does not offer STARTTLS, and TLS is required", false, now);
    }
    login(now);
  }

  void login(Micros now) {
    phase = Phase::kLogin;
    const bool plain = has_cap("AUTH=PLAIN");
    if (has_cap("LOGINDISABLED") && !(plain && tls_active)) {
      return give_up(
          "the server advertises LOGINDISABLED: the password is not sent over this connection",
          true, now);
    }
    if (plain) {
      if (has_cap("SASL-IR")) {
        send(Cmd::kAuthenticate, "AUTHENTICATE PLAIN " + plain_response(), now);
        pending->continued = true;  // RFC 4959: the response went with the command
        return;
      }
      return send(Cmd::kAuthenticate, "AUTHENTICATE PLAIN", now);
    }
    const auto user = imap_quote_checked(options.user);
    const auto password = imap_quote_checked(options.password);
    if (!user || !password) {
      return give_up("the user name or password contains CR, LF or NUL", true, now);
    }
    send(Cmd::kLogin, "LOGIN " + *user + " " + *password, now);
  }

  std::string plain_response() const {
    std::string s;
    s += '\0';
    s += options.user;
    s += '\0';
    s += options.password;
    return mail::base64_encode(s);
  }

  void logged_in_as(const char* mechanism, Micros now) {
    logged_in = true;
    phase = Phase::kReady;
    events.emplace_back(ev::LoggedIn{mechanism});
    advance(now);
  }

  // --- operations ----------------------------------------------------------------------------

  void op_done(bool ok, std::string detail, Micros now) {
    events.emplace_back(ev::OperationDone{op_index, ok, std::move(detail)});
    ++op_index;
    if (!ops.empty()) ops.pop_front();
    idle_stop = false;
    idle_renew = false;
    idle_end.reset();
    advance(now);
  }

  void select(Micros now) {
    const auto folder = imap_quote_checked(options.folder);
    if (!folder) return op_done(false, "the folder name contains CR, LF or NUL", now);
    selected = false;
    seq_uids.clear();
    exists = 0;
    uidnext = 0;
    pending_uidvalidity = 0;
    send(Cmd::kSelect, "SELECT " + *folder, now);
  }

  void advance(Micros now) {
    if (phase != Phase::kReady || pending) return;
    deadline.reset();
    if (ops.empty()) return;
    ImapOperation& op = ops.front();
    if (std::holds_alternative<imap_op::Logout>(op)) return logout(now);
    if (!selected) return select(now);
    if (std::holds_alternative<imap_op::Sync>(op)) {
      if (exists == 0) {
        listed.clear();
        return op_done(true, "no messages", now);
      }
      listed.clear();
      return send(Cmd::kFetchFlags, "UID FETCH 1:* (UID FLAGS RFC822.SIZE)", now);
    }
    if (const auto* m = std::get_if<imap_op::MarkSeen>(&op)) {
      return send(Cmd::kStoreSeen, "UID STORE " + std::to_string(m->uid) + " +FLAGS (\\Seen)", now);
    }
    if (const auto* d = std::get_if<imap_op::Delete>(&op)) {
      return send(Cmd::kStoreDeleted, "UID STORE " + std::to_string(d->uid) + " +FLAGS (\\Deleted)",
                  now);
    }
    const auto& idle = std::get<imap_op::Idle>(op);
    if (idle_stop) return op_done(true, "stopped", now);
    if (!has_cap("IDLE")) return op_done(false, "the server does not offer IDLE", now);
    if (!idle_renew)
      idle_end = idle.duration ? std::optional<Micros>(now + *idle.duration) : std::nullopt;
    idle_renew = false;
    send(Cmd::kIdle, "IDLE", now);
  }

  void send_done(Micros now) {
    idling = false;
    write_line("DONE");
    deadline = now + options.response_timeout;
  }

  void request_idle_stop(Micros now) {
    if (ops.empty() || !std::holds_alternative<imap_op::Idle>(ops.front())) return;
    idle_stop = true;
    idle_renew = false;
    if (idling) send_done(now);
  }

  // --- responses -----------------------------------------------------------------------------

  void tagged(const std::string& tag, std::string_view rest, Micros now) {
    if (!pending || tag != pending->tag) {
      return fail("response with tag \"" + tag + "\", which the client did not send");
    }
    const auto st = parse_imap_status(rest);
    if (!st || (st->status != "OK" && st->status != "NO" && st->status != "BAD")) {
      return fail("malformed tagged response: " + tag + " " + std::string(rest));
    }
    const Pending p = *pending;
    pending.reset();
    deadline.reset();
    const bool ok = st->status == "OK";
    const std::string summary =
        st->status + " " +
        (st->code.empty()
             ? ""
             : "[" + st->code + (st->code_args.empty() ? "" : " " + st->code_args) + "] ") +
        st->text;
    if (st->code == "CAPABILITY" && ok) set_caps(st->code_args);
    switch (p.cmd) {
      case Cmd::kCapability:
        if (!ok) return give_up("CAPABILITY failed: " + summary, false, now);
        if (preauth) return logged_in_as("PREAUTH", now);
        return after_capabilities(now);
      case Cmd::kStartTls:
        if (ok) {
          phase = Phase::kTlsWait;
          reader.clear();
          events.emplace_back(ev::StartTls{});
          return;
        }
        if (options.tls == ImapClientTls::kRequired) {
          return give_up("STARTTLS refused, and TLS is required: " + summary, false, now);
        }
        return login(now);
      case Cmd::kAuthenticate:
        if (ok) return logged_in_as("PLAIN", now);
        return give_up(summary, true, now);
      case Cmd::kLogin:
        if (ok) return logged_in_as("LOGIN", now);
        return give_up(summary, true, now);
      case Cmd::kSelect:
        if (!ok) return op_done(false, "SELECT failed: " + summary, now);
        selected = true;
        if (pending_uidvalidity != uidvalidity) {
          // RFC 3501 2.3.1.1: the UIDs known under another UIDVALIDITY mean nothing now.
          known.clear();
          known_list.clear();
          uidvalidity = pending_uidvalidity;
        }
        events.emplace_back(ev::Selected{options.folder, uidvalidity, exists, uidnext});
        return advance(now);
      case Cmd::kFetchFlags: {
        if (!ok) return op_done(false, "UID FETCH failed: " + summary, now);
        std::vector<std::uint32_t> fresh;
        for (auto uid : listed) {
          if (!known.count(uid)) fresh.push_back(uid);
        }
        if (fresh.empty()) return op_done(true, "no new messages", now);
        fetch_count = fresh.size();
        return send(Cmd::kFetchBodies,
                    "UID FETCH " + imap_uid_set(fresh) + " (UID FLAGS BODY.PEEK[])", now);
      }
      case Cmd::kFetchBodies:
        if (!ok) return op_done(false, "UID FETCH failed: " + summary, now);
        return op_done(
            true,
            std::to_string(fetch_count) + (fetch_count == 1 ? " new message" : " new messages"),
            now);
      case Cmd::kStoreSeen:
        return op_done(ok, (ok ? "" : "UID STORE failed: ") + summary, now);
      case Cmd::kStoreDeleted:
        if (!ok) return op_done(false, "UID STORE failed: " + summary, now);
        return send(Cmd::kExpunge, "EXPUNGE", now);
      case Cmd::kExpunge:
        return op_done(ok, (ok ? "" : "EXPUNGE failed: ") + summary, now);
      case Cmd::kIdle:
        idling = false;
        if (!ok) return op_done(false, "IDLE failed: " + summary, now);
        if (idle_renew && !idle_stop) return advance(now);
        return op_done(true, summary, now);
      case Cmd::kLogout:
        return finish(true);
    }
  }

  void continuation(Micros now) {
    if (pending && pending->cmd == Cmd::kAuthenticate && !pending->continued) {
      pending->continued = true;
      write_line(plain_response());
      deadline = now + options.response_timeout;
      return;
    }
    if (pending && pending->cmd == Cmd::kIdle && !pending->continued) {
      pending->continued = true;
      idling = true;
      idle_renew_at = now + options.idle_renew;
      deadline = idle_end ? std::min(*idle_end, idle_renew_at) : idle_renew_at;
      if (idle_stop || (idle_end && now >= *idle_end)) send_done(now);
      return;
    }
    fail("continuation request that the client did not ask for");
  }

  void status_untagged(const ImapStatusText& st, Micros now) {
    if (st.code == "CAPABILITY") set_caps(st.code_args);
    if (st.code == "UIDVALIDITY" || st.code == "UIDNEXT") {
      ImapValue v;
      v.text = st.code_args;
      const auto n = v.number();
      if (!n) return fail("malformed [" + st.code + "] code: " + st.code_args);
      (st.code == "UIDVALIDITY" ? pending_uidvalidity : uidnext) = *n;
    }
    if (st.status == "BYE") {
      if (phase == Phase::kLogout) return;
      return fail("the server ended the session: BYE " + st.text);
    }
    (void)now;
  }

  void fetch(std::uint32_t seq, const ImapValue& attrs) {
    if (attrs.kind != ImapValue::Kind::kList || attrs.items.size() % 2 != 0) {
      return fail("malformed FETCH response for message " + std::to_string(seq));
    }
    std::optional<std::uint32_t> uid;
    std::optional<std::vector<std::string>> flags;
    const std::string* body = nullptr;
    for (std::size_t i = 0; i < attrs.items.size(); i += 2) {
      const ImapValue& name = attrs.items[i];
      const ImapValue& value = attrs.items[i + 1];
      if (name.kind != ImapValue::Kind::kAtom) {
        return fail("malformed FETCH response for message " + std::to_string(seq));
      }
      const std::string key = mail::ascii_upper(name.text);
      if (key == "UID") {
        uid = value.number();
        if (!uid || *uid == 0)
          return fail("FETCH with a bad UID for message " + std::to_string(seq));
      } else if (key == "FLAGS") {
        if (value.kind != ImapValue::Kind::kList) {
          return fail("FETCH with a bad FLAGS list for message " + std::to_string(seq));
        }
        flags = flag_list(value);
      } else if (key == "BODY[]") {
        if (value.kind != ImapValue::Kind::kString && value.kind != ImapValue::Kind::kNil) {
          return fail("FETCH with a bad BODY[] for message " + std::to_string(seq));
        }
        body = &value.text;
      }
    }
    if (seq == 0 || seq > exists) {
      return fail("FETCH for message " + std::to_string(seq) + ", but the folder has " +
                  std::to_string(exists));
    }
    if (seq_uids.size() < exists) seq_uids.resize(exists, 0);
    if (uid) {
      seq_uids[seq - 1] = *uid;
    } else if (seq_uids[seq - 1] != 0) {
      uid = seq_uids[seq - 1];
    }
    if (!uid) return;  // flags of a message the client cannot name yet
    const Cmd cmd = pending ? pending->cmd : Cmd::kCapability;
    if (cmd == Cmd::kFetchBodies && body) {
      remember(*uid);
      events.emplace_back(
          ev::MessageFetched{*uid, flags.value_or(std::vector<std::string>{}), *body});
      return;
    }
    if (cmd == Cmd::kFetchFlags) listed.push_back(*uid);
    if (flags && known.count(*uid)) events.emplace_back(ev::FlagsUpdated{*uid, *flags});
  }

  void untagged(const ImapRawResponse& r, Micros now) {
    ImapTokenizer t(r.bytes);
    t.atom();  // "*"
    if (!t.space()) return fail("malformed untagged response: " + r.lines.front().text);
    const auto first = t.value();
    if (!first || first->kind != ImapValue::Kind::kAtom) {
      return fail("malformed untagged response: " + r.lines.front().text);
    }
    if (const auto n = first->number()) {
      if (!t.space()) return fail("malformed untagged response: " + r.lines.front().text);
      const auto kind = t.atom();
      if (!kind) return fail("malformed untagged response: " + r.lines.front().text);
      const std::string k = mail::ascii_upper(*kind);
      if (k == "EXISTS") {
        if (!t.at_end()) return fail("malformed EXISTS response: " + r.lines.front().text);
        exists = *n;
        seq_uids.resize(exists, 0);
        if (pending && pending->cmd == Cmd::kSelect) return;
        events.emplace_back(ev::Exists{*n});
      } else if (k == "EXPUNGE") {
        if (*n == 0 || *n > exists) {
          return fail("EXPUNGE of message " + std::to_string(*n) + ", but the folder has " +
                      std::to_string(exists));
        }
        if (*n <= seq_uids.size()) {
          if (seq_uids[*n - 1] != 0) forget(seq_uids[*n - 1]);
          seq_uids.erase(seq_uids.begin() + static_cast<std::ptrdiff_t>(*n - 1));
        }
        --exists;
        events.emplace_back(ev::Expunged{*n});
      } else if (k == "FETCH") {
        if (!t.space()) return fail("malformed FETCH response: " + r.lines.front().text);
        const auto attrs = t.value();
        if (!attrs || !t.at_end()) {
          return fail("malformed FETCH response (" +
                      (t.error().empty() ? std::string("trailing data") : t.error()) +
                      "): " + r.lines.front().text);
        }
        fetch(*n, *attrs);
      }
      return;  // RECENT and others: nothing to do
    }
    const std::string word = mail::ascii_upper(first->text);
    const std::string_view after_star = std::string_view(r.lines.front().text).substr(2);
    if (word == "OK" || word == "NO" || word == "BAD" || word == "BYE" || word == "PREAUTH") {
      const auto st = parse_imap_status(after_star);
      if (!st) return fail("malformed status response: " + r.lines.front().text);
      return status_untagged(*st, now);
    }
    if (word == "CAPABILITY") {
      return set_caps(after_star.size() > 11 ? after_star.substr(11) : std::string_view());
    }
    // FLAGS, LIST, SEARCH, STATUS, ...: nothing the job needs.
  }

  void greeting(const ImapRawResponse& r, Micros now) {
    const std::string& line = r.lines.front().text;
    const auto st =
        line.starts_with("* ") ? parse_imap_status(std::string_view(line).substr(2)) : std::nullopt;
    if (!st || (st->status != "OK" && st->status != "PREAUTH" && st->status != "BYE")) {
      return fail("malformed greeting: " + line);
    }
    if (st->status == "BYE") return fail("the server refused the session: " + st->text);
    events.emplace_back(ev::Connected{st->status == "PREAUTH", st->text});
    if (st->code == "CAPABILITY") set_caps(st->code_args);
    if (st->status == "PREAUTH") {
      if (options.tls == ImapClientTls::kRequired && !tls_active) {
        return give_up("the server pre-authenticated the session without TLS, and TLS is required",
                       false, now);
      }
      if (!caps_known) {
        phase = Phase::kCapability;
        preauth = true;
        return send(Cmd::kCapability, "CAPABILITY", now);
      }
      return logged_in_as("PREAUTH", now);
    }
    if (!caps_known) {
      phase = Phase::kCapability;
      return send(Cmd::kCapability, "CAPABILITY", now);
    }
    after_capabilities(now);
  }

  void response(const ImapRawResponse& r, Micros now) {
    for (const auto& l : r.lines) events.emplace_back(ev::ResponseReceived{l.text, l.literal});
    if (phase == Phase::kGreeting) return greeting(r, now);
    const std::string& line = r.lines.front().text;
    if (line.starts_with("* ")) return untagged(r, now);
    if (line == "+" || line.starts_with("+ ")) return continuation(now);
    const std::size_t space = line.find(' ');
    if (space == std::string::npos || space == 0) return fail("malformed response: " + line);
    tagged(line.substr(0, space), std::string_view(line).substr(space + 1), now);
  }

  void pump(Micros now) {
    while (phase != Phase::kDone && phase != Phase::kTlsWait && phase != Phase::kNotOpen) {
      auto r = reader.next();
      if (!r) {
        if (!reader.error().empty()) fail(reader.error());
        return;
      }
      response(*r, now);
    }
  }
};

ImapClient::ImapClient(ImapClientOptions options)
    : m_impl(std::make_unique<Impl>(std::move(options))) {}
ImapClient::~ImapClient() = default;
ImapClient::ImapClient(ImapClient&&) noexcept = default;
ImapClient& ImapClient::operator=(ImapClient&&) noexcept = default;

void ImapClient::open(Micros now) {
  Impl& c = *m_impl;
  if (c.phase != Phase::kNotOpen) return;
  c.phase = Phase::kGreeting;
  c.deadline = now + c.options.response_timeout;
}

void ImapClient::receive(std::string_view bytes, Micros now) {
  Impl& c = *m_impl;
  if (c.phase == Phase::kNotOpen || c.phase == Phase::kDone || c.phase == Phase::kTlsWait ||
      bytes.empty()) {
    return;
  }
  c.reader.feed(bytes);
  c.pump(now);
}

void ImapClient::tls_established(Micros now) {
  Impl& c = *m_impl;
  if (c.phase != Phase::kTlsWait) return;
  c.tls_active = true;
  c.reader.clear();
  c.caps.clear();  // RFC 3501 6.2.1: forget what was said before TLS
  c.caps_known = false;
  c.phase = Phase::kCapability;
  c.send(Cmd::kCapability, "CAPABILITY", now);
}

void ImapClient::peer_closed(Micros /*now*/) {
  Impl& c = *m_impl;
  if (c.phase == Phase::kDone) return;
  if (c.phase == Phase::kLogout) {
    c.finish(true);  // BYE came (or not); the session is over either way
    return;
  }
  c.fail("the server closed the connection");
  c.close_wanted = false;  // already closed
}

void ImapClient::tick(Micros now) {
  Impl& c = *m_impl;
  if (c.phase == Phase::kDone || !c.deadline || now < *c.deadline) return;
  if (c.idling) {
    // Renew (RFC 2177: at least every 29 minutes) or end the IDLE.
    c.idle_renew = !(c.idle_end && now >= *c.idle_end);
    c.send_done(now);
    return;
  }
  c.events.emplace_back(ev::TimedOut{});
  c.fail(c.phase == Phase::kGreeting ? "no greeting from the server"
                                     : "no response from the server");
}

void ImapClient::enqueue(ImapOperation op, Micros now) {
  Impl& c = *m_impl;
  if (c.phase == Phase::kDone) return;
  c.ops.push_back(std::move(op));
  if (c.ops.size() > 1) c.request_idle_stop(now);
  c.advance(now);
}

void ImapClient::stop_idle(Micros now) {
  Impl& c = *m_impl;
  if (c.phase == Phase::kDone) return;
  c.request_idle_stop(now);
  c.advance(now);
}

std::string ImapClient::take_output() {
  return std::exchange(m_impl->output, {});
}
std::vector<ImapClientEvent> ImapClient::take_events() {
  return std::exchange(m_impl->events, {});
}
std::optional<Micros> ImapClient::next_deadline() const {
  return m_impl->deadline;
}
bool ImapClient::wants_close() const {
  return m_impl->close_wanted;
}
bool ImapClient::finished() const {
  return m_impl->phase == Phase::kDone;
}
bool ImapClient::logged_in() const {
  return m_impl->logged_in;
}
bool ImapClient::tls_active() const {
  return m_impl->tls_active;
}
bool ImapClient::idling() const {
  return m_impl->idling;
}
const std::string& ImapClient::error() const {
  return m_impl->error;
}
std::uint32_t ImapClient::uidvalidity() const {
  return m_impl->uidvalidity;
}
const std::vector<std::uint32_t>& ImapClient::known_uids() const {
  return m_impl->known_list;
}
const std::vector<std::string>& ImapClient::capabilities() const {
  return m_impl->caps;
}

}  // namespace mailhop::proto
