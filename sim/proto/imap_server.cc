#include "sim/proto/imap_server.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "sim/mail/ascii.h"
#include "sim/mail/base64.h"
#include "sim/proto/imap_server_message.h"
#include "sim/proto/imap_syntax.h"

namespace mailhop::proto {
namespace {

using mail::ascii_lower;
using mail::ascii_iequal;
using mail::ascii_upper;
using mail::FlagSet;
using mail::SystemFlag;

namespace ev = imap_server_event;

// Thrown inside command handlers for a syntax error; becomes "tag BAD <reason>".
struct BadCommand {
  std::string reason;
};

bool contains_ci(std::string_view haystack, std::string_view needle) {
  return ascii_lower(haystack).find(ascii_lower(needle)) != std::string::npos;
}

// RFC 3501 LIST wildcards: "*" matches anything, "%" anything but the delimiter. Dynamic
// programming over (pattern, name) prefixes, so many wildcards cannot make it slow.
bool wildcard_match(std::string_view pattern, std::string_view name) {
  // row[j]: pattern[0..i) matches name[0..j).
  std::string row(name.size() + 1, '\0');
  row[0] = 1;
  for (char p : pattern) {
    std::string next(name.size() + 1, '\0');
    if (p == '*' || p == '%') {
      next[0] = row[0];
      for (std::size_t j = 1; j <= name.size(); ++j) {
        const bool extend = next[j - 1] && (p == '*' || name[j - 1] != '/');
        next[j] = static_cast<char>(row[j] || extend);
      }
    } else {
      for (std::size_t j = 1; j <= name.size(); ++j) {
        next[j] = static_cast<char>(row[j - 1] && name[j - 1] == p);
      }
    }
    row = std::move(next);
  }
  return row[name.size()] != 0;
}

// "1-Feb-1994" -> days since 1970-01-01.
std::optional<std::int64_t> parse_search_date(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  const std::size_t d1 = s.find('-');
  const std::size_t d2 = d1 == std::string_view::npos ? d1 : s.find('-', d1 + 1);
  if (d2 == std::string_view::npos || d1 == 0 || d1 > 2 || d2 - d1 != 4 || s.size() - d2 != 5) {
    return std::nullopt;
  }
  int day = 0;
  for (char c : s.substr(0, d1)) {
    if (c < '0' || c > '9') return std::nullopt;
    day = day * 10 + (c - '0');
  }
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (ascii_iequal(s.substr(d1 + 1, 3), kMonths[i])) month = i + 1;
  }
  int year = 0;
  for (char c : s.substr(d2 + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    year = year * 10 + (c - '0');
  }
  if (month == 0 || day < 1 || day > 31) return std::nullopt;
  // Days from civil (proleptic Gregorian).
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = month > 2 ? month - 3 : month + 9;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// RFC 3501 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz" (day may be space-padded) -> unix seconds.
std::optional<std::int64_t> parse_date_time(std::string_view s) {
  if (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  const std::size_t space = s.find(' ');
  if (space == std::string_view::npos || s.size() != space + 15) return std::nullopt;
  const auto days = parse_search_date(s.substr(0, space));
  const std::string_view t = s.substr(space + 1);
  auto digits = [](std::string_view d) -> std::optional<int> {
    int v = 0;
    for (char c : d) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  if (!days || t[2] != ':' || t[5] != ':' || t[8] != ' ' || (t[9] != '+' && t[9] != '-')) {
    return std::nullopt;
  }
  const auto h = digits(t.substr(0, 2));
  const auto m = digits(t.substr(3, 2));
  const auto sec = digits(t.substr(6, 2));
  const auto zh = digits(t.substr(10, 2));
  const auto zm = digits(t.substr(12, 2));
  if (!h || !m || !sec || !zh || !zm || *h > 23 || *m > 59 || *sec > 60 || *zm > 59) {
    return std::nullopt;
  }
  const std::int64_t zone = (*zh * 3600 + *zm * 60) * (t[9] == '-' ? -1 : 1);
  return *days * 86400 + *h * 3600 + *m * 60 + *sec - zone;
}

std::int64_t day_of(std::int64_t unix_seconds) {
  return unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
}

const std::set<std::string> kAnyState = {"CAPABILITY", "NOOP", "LOGOUT"};
const std::set<std::string> kNotAuthenticated = {"STARTTLS", "LOGIN", "AUTHENTICATE"};
const std::set<std::string> kAuthenticated = {"SELECT", "EXAMINE", "LIST", "LSUB", "STATUS",
                                              "IDLE", "CREATE", "SUBSCRIBE", "UNSUBSCRIBE",
                                              "APPEND"};
const std::set<std::string> kSelected = {"FETCH", "STORE", "SEARCH", "UID", "EXPUNGE",
                                         "CLOSE", "UNSELECT", "CHECK", "COPY"};

// One FETCH data item.
struct FetchItem {
  enum class Kind { kFlags, kUid, kSize, kDate, kEnvelope, kBody, kBodyStructure, kSection };
  enum class Part { kAll, kHeader, kText, kFields, kFieldsNot };
  Kind kind = Kind::kFlags;
  Part part = Part::kAll;
  std::vector<std::string> names;        // header field names
  std::string response_name;             // "BODY[HEADER]", "RFC822", ...
  bool sets_seen = false;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> partial;  // origin, length
};

// A SEARCH key (RFC 3501 section 6.4.4).
struct SearchKey {
  enum class Kind {
    kAll, kAnd, kOr, kNot, kFlag, kNoFlag, kNew, kOld, kRecent, kHeader, kBody, kText,
    kLarger, kSmaller, kUid, kSequence, kBefore, kOn, kSince,
  };
  Kind kind = Kind::kAll;
  std::string a;  // flag / header name
  std::string b;  // search string
  std::int64_t n = 0;
  std::optional<SequenceSet> set;
  std::vector<SearchKey> children;
};

}  // namespace

struct ImapServer::Impl {
  ImapServerConfig config;
  ImapAccounts* accounts;
  ImapAssembler assembler;
  ImapState state = ImapState::kNotAuthenticated;
  bool opened = false;
  bool tls_active = false;
  bool tls_pending = false;
  bool close_wanted = false;
  Micros deadline{0};
  Micros now{0};
  std::string output;
  std::vector<ImapServerEvent> events;

  std::string user;
  mail::MailStore* store = nullptr;

  // Waiting for a line that is not a command.
  std::optional<std::string> auth_tag;  // AUTHENTICATE PLAIN after "+ "
  std::optional<std::string> idle_tag;  // IDLE until "DONE"

  // The selected folder as this session has reported it to the client.
  struct View {
    std::string folder;
    bool read_only = false;
    std::vector<std::uint32_t> uids;            // sequence number - 1 -> UID
    std::map<std::uint32_t, FlagSet> flags;     // flags last reported
    std::set<std::uint32_t> recent;             // \Recent for this session
    std::uint32_t next_uid = 1;                 // UIDs from here on are new to the client
    std::size_t reported_recent = 0;
  };
  std::optional<View> view;

  Impl(ImapServerConfig c, ImapAccounts& a)
      : config(std::move(c)), accounts(&a), assembler(config.max_line, config.max_literal) {
    tls_active = config.tls == ImapTls::kActive;
  }

  // ---- output

  void write(ImapResponseKind kind, std::string status, std::string text) {
    output += text;
    output += "\r\n";
    events.emplace_back(ev::ResponseSent{kind, std::move(status), std::move(text)});
  }
  void untagged(std::string_view text) {
    std::string status;
    for (const char* s : {"OK", "NO", "BAD", "BYE", "PREAUTH"}) {
      const std::string_view sv(s);
      if (text.substr(0, sv.size()) == sv && (text.size() == sv.size() || text[sv.size()] == ' ')) {
        status = s;
      }
    }
    write(ImapResponseKind::kUntagged, status, "* " + std::string(text));
  }
  void tagged(std::string_view tag, std::string_view status, std::string_view text) {
    write(ImapResponseKind::kTagged, std::string(status),
          std::string(tag) + " " + std::string(status) + " " + std::string(text));
  }
  void continuation(std::string_view text) {
    write(ImapResponseKind::kContinuation, "", "+ " + std::string(text));
  }

  void close(std::string reason) {
    state = ImapState::kLogout;
    auth_tag.reset();
    idle_tag.reset();
    events.emplace_back(ev::Closing{std::move(reason)});
  }

  bool login_disabled() const {
    return config.login == ImapLoginPolicy::kDisabledWithoutTls && !tls_active;
  }

  std::string capabilities() const {
    std::string caps = "IMAP4rev1 LITERAL+ SASL-IR IDLE UNSELECT SPECIAL-USE";
    if (state == ImapState::kNotAuthenticated) {
      if (config.tls == ImapTls::kAvailable && !tls_active) caps += " STARTTLS";
      caps += login_disabled() ? " LOGINDISABLED" : " AUTH=PLAIN";
    }
    return caps;
  }

  // ---- the selected folder

  const mail::Folder* folder() const { return view && store ? store->folder(view->folder) : nullptr; }

  std::string flags_text(std::uint32_t uid, const FlagSet& flags) const {
    std::string out = flags.str();
    if (view && view->recent.count(uid)) out += out.empty() ? "\\Recent" : " \\Recent";
    return "(" + out + ")";
  }

  // Reports what other sessions changed: EXPUNGE (when allowed), EXISTS, RECENT, FETCH FLAGS.
  void sync(bool allow_expunge, bool with_uid) {
    const mail::Folder* f = folder();
    if (!f) return;
    View& v = *view;
    if (allow_expunge) {
      for (std::size_t i = v.uids.size(); i-- > 0;) {
        const std::uint32_t uid = v.uids[i];
        if (f->by_uid(uid)) continue;
        untagged(std::to_string(i + 1) + " EXPUNGE");
        v.uids.erase(v.uids.begin() + static_cast<std::ptrdiff_t>(i));
        v.flags.erase(uid);
        v.recent.erase(uid);
      }
      if (v.recent.size() != v.reported_recent) {
        v.reported_recent = v.recent.size();
      }
    }
    bool added = false;
    for (const auto& m : f->messages()) {
      if (m.uid < v.next_uid) continue;
      v.uids.push_back(m.uid);
      v.flags[m.uid] = m.flags;
      v.next_uid = m.uid + 1;
      added = true;
    }
    if (!v.read_only) {
      for (std::uint32_t uid : store->claim_recent(v.folder)) v.recent.insert(uid);
    }
    if (added) {
      untagged(std::to_string(v.uids.size()) + " EXISTS");
      untagged(std::to_string(v.recent.size()) + " RECENT");
      v.reported_recent = v.recent.size();
    }
    for (std::size_t i = 0; i < v.uids.size(); ++i) {
      const std::uint32_t uid = v.uids[i];
      const mail::StoredMessage* m = f->by_uid(uid);
      if (!m || m->flags == v.flags[uid]) continue;
      v.flags[uid] = m->flags;
      std::string text = std::to_string(i + 1) + " FETCH (";
      if (with_uid) text += "UID " + std::to_string(uid) + " ";
      untagged(text + "FLAGS " + flags_text(uid, m->flags) + ")");
    }
  }

  void deselect() {
    if (!view) return;
    events.emplace_back(ev::Deselected{view->folder});
    view.reset();
    state = ImapState::kAuthenticated;
  }

  // ---- authentication

  void finish_login(std::string_view tag, const std::string& name, const std::string& password,
                    std::string_view mechanism) {
    if (!accounts->check_credentials(name, password)) {
      events.emplace_back(ev::AuthFailed{name, std::string(mechanism), "AUTHENTICATIONFAILED"});
      tagged(tag, "NO", "[AUTHENTICATIONFAILED] Invalid credentials");
      return;
    }
    mail::MailStore* s = accounts->mail_store(name);
    if (!s) {
      events.emplace_back(ev::AuthFailed{name, std::string(mechanism), "UNAVAILABLE"});
      tagged(tag, "NO", "[UNAVAILABLE] Mailbox store not available");
      return;
    }
    user = name;
    store = s;
    state = ImapState::kAuthenticated;
    events.emplace_back(ev::Authenticated{name, std::string(mechanism)});
    tagged(tag, "OK", "[CAPABILITY " + capabilities() + "] " + std::string(mechanism) + " completed");
  }

  // RFC 4616: [authzid] NUL authcid NUL passwd.
  void plain_response(std::string_view tag, std::string_view b64) {
    if (b64 == "*") {
      events.emplace_back(ev::AuthFailed{"", "PLAIN", "CANCELLED"});
      tagged(tag, "BAD", "AUTHENTICATE cancelled");
      return;
    }
    const auto decoded = b64 == "=" ? std::optional<std::string>("") : mail::base64_decode(b64);
    if (!decoded) {
      tagged(tag, "BAD", "Invalid base64 data");
      return;
    }
    const std::size_t n1 = decoded->find('\0');
    const std::size_t n2 = n1 == std::string::npos ? n1 : decoded->find('\0', n1 + 1);
    if (n2 == std::string::npos || decoded->find('\0', n2 + 1) != std::string::npos) {
      events.emplace_back(ev::AuthFailed{"", "PLAIN", "AUTHENTICATIONFAILED"});
      tagged(tag, "NO", "[AUTHENTICATIONFAILED] Malformed PLAIN message");
      return;
    }
    const std::string authz = decoded->substr(0, n1);
    const std::string authc = decoded->substr(n1 + 1, n2 - n1 - 1);
    const std::string pass = decoded->substr(n2 + 1);
    if (!authz.empty() && authz != authc) {
      events.emplace_back(ev::AuthFailed{authc, "PLAIN", "AUTHZ"});
      tagged(tag, "NO", "[AUTHORIZATIONFAILED] Cannot act as another user");
      return;
    }
    finish_login(tag, authc, pass, "PLAIN");
  }

  // ---- command parsing helpers

  static void need_sp(ImapCursor& c) {
    if (!c.sp()) throw BadCommand{"Missing argument"};
  }
  static void need_end(ImapCursor& c) {
    if (!c.at_end()) throw BadCommand{"Unexpected extra arguments"};
  }
  static std::string need_astring(ImapCursor& c) {
    auto s = c.astring();
    if (!s) throw BadCommand{"Invalid argument"};
    return *s;
  }
  static std::string mailbox_name(std::string s) {
    return ascii_iequal(s, "INBOX") ? std::string("INBOX") : s;
  }

  // ---- commands

  void cmd_select(std::string_view tag, ImapCursor& c, bool read_only) {
    need_sp(c);
    const std::string name = mailbox_name(need_astring(c));
    need_end(c);
    const bool had = view.has_value();
    if (had) {
      events.emplace_back(ev::Deselected{view->folder});
      view.reset();
      state = ImapState::kAuthenticated;
      untagged("OK [CLOSED] Previous mailbox closed");
    }
    const mail::Folder* f = store->folder(name);
    if (!f) {
      tagged(tag, "NO", "[NONEXISTENT] No such mailbox");
      return;
    }
    View v;
    v.folder = f->name();
    v.read_only = read_only;
    for (const auto& m : f->messages()) {
      v.uids.push_back(m.uid);
      v.flags[m.uid] = m.flags;
    }
    v.next_uid = f->uidnext();
    if (!read_only) {
      for (std::uint32_t uid : store->claim_recent(v.folder)) v.recent.insert(uid);
    }
    v.reported_recent = v.recent.size();
    view = std::move(v);
    state = ImapState::kSelected;
    untagged("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
    untagged(std::to_string(view->uids.size()) + " EXISTS");
    untagged(std::to_string(view->recent.size()) + " RECENT");
    if (const auto first = f->first_unseen()) {
      untagged("OK [UNSEEN " + std::to_string(*first) + "] First unseen message");
    }
    untagged("OK [UIDVALIDITY " + std::to_string(f->uidvalidity()) + "] UIDs valid");
    untagged("OK [UIDNEXT " + std::to_string(f->uidnext()) + "] Predicted next UID");
    untagged(read_only ? std::string("OK [PERMANENTFLAGS ()] No permanent flags permitted")
                       : std::string("OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen "
                                     "\\Draft \\*)] Flags permitted"));
    events.emplace_back(ev::Selected{view->folder, read_only, view->uids.size()});
    tagged(tag, "OK", read_only ? "[READ-ONLY] EXAMINE completed" : "[READ-WRITE] SELECT completed");
  }

  void cmd_list(std::string_view tag, ImapCursor& c, std::string_view verb) {
    need_sp(c);
    const auto reference = c.astring();
    if (!reference) throw BadCommand{"Invalid reference"};
    need_sp(c);
    const auto pattern = c.list_mailbox();
    if (!pattern) throw BadCommand{"Invalid mailbox pattern"};
    need_end(c);
    if (pattern->empty()) {
      untagged(std::string(verb) + " (\\Noselect) \"/\" \"\"");
      tagged(tag, "OK", std::string(verb) + " completed");
      return;
    }
    const std::string full = *reference + *pattern;
    const auto names = store->folder_names();
    // Folders plus their parents that are not folders themselves (\Noselect).
    std::vector<std::pair<std::string, bool>> candidates;
    for (const auto& n : names) {
      std::size_t slash = n.find('/');
      while (slash != std::string::npos) {
        const std::string parent = n.substr(0, slash);
        const bool known = std::any_of(candidates.begin(), candidates.end(),
                                       [&](const auto& p) { return p.first == parent; }) ||
                           std::find(names.begin(), names.end(), parent) != names.end();
        if (!known) candidates.emplace_back(parent, false);
        slash = n.find('/', slash + 1);
      }
      if (std::none_of(candidates.begin(), candidates.end(), [&](const auto& p) { return p.first == n; })) {
        candidates.emplace_back(n, true);
      }
    }
    for (const auto& candidate : candidates) {
      // (Named copies: a lambda may not capture a structured binding before C++20's P1091.)
      const std::string& name = candidate.first;
      const bool real = candidate.second;
      const bool match = name == "INBOX" ? wildcard_match(ascii_upper(full.substr(0, 5)) + full.substr(std::min<std::size_t>(5, full.size())), name) ||
                                               wildcard_match(full, name)
                                         : wildcard_match(full, name);
      if (!match) continue;
      const bool children = std::any_of(names.begin(), names.end(), [&](const std::string& n) {
        return n.size() > name.size() && n.compare(0, name.size(), name) == 0 && n[name.size()] == '/';
      });
      std::string attrs = real ? "" : "\\Noselect ";
      attrs += children ? "\\HasChildren" : "\\HasNoChildren";
      if (name == "Sent") attrs += " \\Sent";
      if (name == "Junk") attrs += " \\Junk";
      untagged(std::string(verb) + " (" + attrs + ") \"/\" " + imap_astring(name));
    }
    tagged(tag, "OK", std::string(verb) + " completed");
  }

  void cmd_status(std::string_view tag, ImapCursor& c) {
    need_sp(c);
    const std::string name = mailbox_name(need_astring(c));
    need_sp(c);
    if (!c.consume('(')) throw BadCommand{"Missing status item list"};
    std::vector<std::string> items;
    while (true) {
      auto a = c.atom();
      if (!a) throw BadCommand{"Invalid status item"};
      const std::string item = ascii_upper(*a);
      if (item != "MESSAGES" && item != "RECENT" && item != "UIDNEXT" && item != "UIDVALIDITY" &&
          item != "UNSEEN" && item != "SIZE") {
        throw BadCommand{"Unknown status item " + item};
      }
      items.push_back(item);
      if (c.consume(')')) break;
      need_sp(c);
    }
    need_end(c);
    const mail::Folder* f = store->folder(name);
    if (!f) {
      tagged(tag, "NO", "[NONEXISTENT] No such mailbox");
      return;
    }
    std::string out;
    for (const auto& item : items) {
      std::size_t value = 0;
      if (item == "MESSAGES") value = f->count();
      else if (item == "RECENT") value = f->recent_count();
      else if (item == "UIDNEXT") value = f->uidnext();
      else if (item == "UIDVALIDITY") value = f->uidvalidity();
      else if (item == "UNSEEN") value = f->unseen_count();
      else value = f->bytes();
      if (!out.empty()) out += ' ';
      out += item + " " + std::to_string(value);
    }
    untagged("STATUS " + imap_astring(f->name()) + " (" + out + ")");
    tagged(tag, "OK", "STATUS completed");
  }

  void cmd_append(std::string_view tag, ImapCursor& c) {
    need_sp(c);
    const std::string name = mailbox_name(need_astring(c));
    need_sp(c);
    FlagSet flags;
    if (c.consume('(')) {
      if (!c.consume(')')) {
        while (true) {
          const auto fl = c.flag();
          if (!fl || ascii_iequal(*fl, "\\Recent") || !flags.add(*fl)) throw BadCommand{"Invalid flag"};
          if (c.consume(')')) break;
          need_sp(c);
        }
      }
      need_sp(c);
    }
    std::int64_t date = config.epoch_unix_seconds +
                        std::chrono::duration_cast<std::chrono::seconds>(now).count();
    if (c.peek() == '"') {
      const auto text = c.quoted();
      const auto parsed = text ? parse_date_time(*text) : std::nullopt;
      if (!parsed) throw BadCommand{"Invalid date-time"};
      date = *parsed;
      need_sp(c);
    }
    auto content = c.literal();
    if (!content) throw BadCommand{"Missing message literal"};
    need_end(c);
    if (!store->folder(name)) {
      tagged(tag, "NO", "[TRYCREATE] No such mailbox");
      return;
    }
    if (!store->quota_allows(content->size())) {
      tagged(tag, "NO", "[OVERQUOTA] Mailbox is full");
      return;
    }
    const auto uid = store->append(name, std::move(*content), date, flags);
    if (!uid) {
      tagged(tag, "NO", "[CANNOT] Message not stored");
      return;
    }
    if (state == ImapState::kSelected) sync(true, false);
    tagged(tag, "OK", "APPEND completed");
  }

  void cmd_copy(std::string_view tag, ImapCursor& c, bool by_uid) {
    need_sp(c);
    const std::string set = read_set(c);
    need_sp(c);
    const std::string name = mailbox_name(need_astring(c));
    need_end(c);
    const auto messages = resolve(set, by_uid);
    if (!store->folder(name)) {
      tagged(tag, "NO", "[TRYCREATE] No such mailbox");
      return;
    }
    const mail::Folder* f = folder();
    std::size_t octets = 0;
    for (const auto& [seq, uid] : messages) {
      if (const mail::StoredMessage* m = f ? f->by_uid(uid) : nullptr) octets += m->size();
    }
    if (!store->quota_allows(octets)) {
      tagged(tag, "NO", "[OVERQUOTA] Mailbox is full");
      return;
    }
    bool missing = false;
    for (const auto& [seq, uid] : messages) {
      if (!store->copy(view->folder, uid, name)) missing = true;
    }
    sync(by_uid, by_uid);
    if (missing) {
      tagged(tag, "NO", "[EXPUNGEISSUED] Some messages were expunged by another session");
    } else {
      tagged(tag, "OK", std::string(by_uid ? "UID " : "") + "COPY completed");
    }
  }

  void cmd_create(std::string_view tag, ImapCursor& c) {
    need_sp(c);
    std::string name = mailbox_name(need_astring(c));
    need_end(c);
    while (!name.empty() && name.back() == '/') name.pop_back();
    if (store->folder(name)) {
      tagged(tag, "NO", "[ALREADYEXISTS] Mailbox already exists");
      return;
    }
    std::uint32_t uidvalidity = 1;
    for (const auto& n : store->folder_names()) {
      uidvalidity = std::max(uidvalidity, store->folder(n)->uidvalidity() + 1);
    }
    if (!store->create_folder(name, uidvalidity)) {
      tagged(tag, "NO", "[CANNOT] Invalid mailbox name");
      return;
    }
    tagged(tag, "OK", "CREATE completed");
  }

  // Messages of a sequence set as (sequence number, UID); throws on a bad set.
  std::vector<std::pair<std::size_t, std::uint32_t>> resolve(std::string_view set_text, bool by_uid) {
    const auto set = SequenceSet::parse(set_text);
    if (!set) throw BadCommand{"Invalid sequence set"};
    const View& v = *view;
    std::vector<std::pair<std::size_t, std::uint32_t>> out;
    if (by_uid) {
      const std::uint32_t largest = v.uids.empty() ? 0 : v.uids.back();
      for (std::size_t i = 0; i < v.uids.size(); ++i) {
        if (set->contains(v.uids[i], largest)) out.emplace_back(i + 1, v.uids[i]);
      }
      return out;
    }
    const auto exists = static_cast<std::uint32_t>(v.uids.size());
    if (exists == 0 && set->uses_star()) return out;
    if (set->max_number(exists) > exists) throw BadCommand{"Invalid sequence number"};
    for (std::uint32_t i = 1; i <= exists; ++i) {
      if (set->contains(i, exists)) out.emplace_back(i, v.uids[i - 1]);
    }
    return out;
  }

  static std::string section_text(std::string_view content, const FetchItem& item) {
    switch (item.part) {
      case FetchItem::Part::kAll: return std::string(content);
      case FetchItem::Part::kHeader: return std::string(imap_header_part(content));
      case FetchItem::Part::kText: return std::string(imap_text_part(content));
      case FetchItem::Part::kFields: return imap_header_fields(content, item.names, false);
      case FetchItem::Part::kFieldsNot: return imap_header_fields(content, item.names, true);
    }
    return "";
  }

  std::vector<FetchItem> parse_fetch_items(ImapCursor& c) {
    std::vector<FetchItem> items;
    auto simple = [&](FetchItem::Kind k, std::string name) {
      FetchItem it;
      it.kind = k;
      it.response_name = std::move(name);
      items.push_back(std::move(it));
    };
    auto one = [&]() {
      for (bool peek : {true, false}) {
        if (c.consume_keyword(peek ? "BODY.PEEK[" : "BODY[")) {
          FetchItem it;
          it.kind = FetchItem::Kind::kSection;
          it.sets_seen = !peek;
          std::string section;
          if (c.consume_keyword("HEADER.FIELDS")) {
            const bool is_not = c.consume_keyword(".NOT");
            it.part = is_not ? FetchItem::Part::kFieldsNot : FetchItem::Part::kFields;
            if (!c.sp() || !c.consume('(')) throw BadCommand{"Invalid header field list"};
            section = is_not ? "HEADER.FIELDS.NOT (" : "HEADER.FIELDS (";
            while (true) {
              auto n = c.astring();
              if (!n) throw BadCommand{"Invalid header field name"};
              if (!it.names.empty()) section += ' ';
              section += imap_astring(ascii_upper(*n));
              it.names.push_back(*n);
              if (c.consume(')')) break;
              if (!c.sp()) throw BadCommand{"Invalid header field list"};
            }
            section += ")";
          } else if (c.consume_keyword("HEADER")) {
            it.part = FetchItem::Part::kHeader;
            section = "HEADER";
          } else if (c.consume_keyword("TEXT")) {
            it.part = FetchItem::Part::kText;
            section = "TEXT";
          } else if (c.consume_keyword("1]")) {
            // A single-part message's only part is its text (RFC 3501 section 6.4.5).
            it.part = FetchItem::Part::kText;
            section = "1";
          } else {
            it.part = FetchItem::Part::kAll;
          }
          if (section != "1" && !c.consume(']')) throw BadCommand{"Invalid section"};
          it.response_name = "BODY[" + section + "]";
          if (c.consume('<')) {
            const auto origin = c.number();
            if (!origin || !c.consume('.')) throw BadCommand{"Invalid partial"};
            const auto length = c.number();
            if (!length || *length == 0 || !c.consume('>')) throw BadCommand{"Invalid partial"};
            it.partial = std::make_pair(*origin, *length);
            it.response_name += "<" + std::to_string(*origin) + ">";
          }
          items.push_back(std::move(it));
          return;
        }
      }
      const auto a = c.atom();
      if (!a) throw BadCommand{"Invalid fetch attribute"};
      const std::string name = ascii_upper(*a);
      if (name == "FLAGS") simple(FetchItem::Kind::kFlags, name);
      else if (name == "UID") simple(FetchItem::Kind::kUid, name);
      else if (name == "RFC822.SIZE") simple(FetchItem::Kind::kSize, name);
      else if (name == "INTERNALDATE") simple(FetchItem::Kind::kDate, name);
      else if (name == "ENVELOPE") simple(FetchItem::Kind::kEnvelope, name);
      else if (name == "BODY") simple(FetchItem::Kind::kBody, name);
      else if (name == "BODYSTRUCTURE") simple(FetchItem::Kind::kBodyStructure, name);
      else if (name == "RFC822" || name == "RFC822.HEADER" || name == "RFC822.TEXT") {
        FetchItem it;
        it.kind = FetchItem::Kind::kSection;
        it.part = name == "RFC822" ? FetchItem::Part::kAll
                  : name == "RFC822.HEADER" ? FetchItem::Part::kHeader
                                            : FetchItem::Part::kText;
        it.sets_seen = name != "RFC822.HEADER";
        it.response_name = name;
        items.push_back(std::move(it));
      } else {
        throw BadCommand{"Unknown fetch attribute " + name};
      }
    };
    if (c.consume('(')) {
      while (true) {
        one();
        if (c.consume(')')) break;
        need_sp(c);
      }
      return items;
    }
    if (c.consume_keyword("ALL") && (c.at_end() || c.peek() == ' ')) {
      for (auto [k, n] : {std::pair{FetchItem::Kind::kFlags, "FLAGS"}, {FetchItem::Kind::kDate, "INTERNALDATE"},
                          {FetchItem::Kind::kSize, "RFC822.SIZE"}, {FetchItem::Kind::kEnvelope, "ENVELOPE"}}) {
        simple(k, n);
      }
      return items;
    }
    if (c.consume_keyword("FAST") && (c.at_end() || c.peek() == ' ')) {
      for (auto [k, n] : {std::pair{FetchItem::Kind::kFlags, "FLAGS"}, {FetchItem::Kind::kDate, "INTERNALDATE"},
                          {FetchItem::Kind::kSize, "RFC822.SIZE"}}) {
        simple(k, n);
      }
      return items;
    }
    if (c.consume_keyword("FULL") && (c.at_end() || c.peek() == ' ')) {
      for (auto [k, n] : {std::pair{FetchItem::Kind::kFlags, "FLAGS"}, {FetchItem::Kind::kDate, "INTERNALDATE"},
                          {FetchItem::Kind::kSize, "RFC822.SIZE"}, {FetchItem::Kind::kEnvelope, "ENVELOPE"},
                          {FetchItem::Kind::kBody, "BODY"}}) {
        simple(k, n);
      }
      return items;
    }
    one();
    return items;
  }

  void cmd_fetch(std::string_view tag, ImapCursor& c, bool by_uid) {
    need_sp(c);
    const std::string set = read_set(c);
    need_sp(c);
    auto items = parse_fetch_items(c);
    need_end(c);
    const auto messages = resolve(set, by_uid);
    if (by_uid && std::none_of(items.begin(), items.end(),
                               [](const FetchItem& i) { return i.kind == FetchItem::Kind::kUid; })) {
      FetchItem uid;
      uid.kind = FetchItem::Kind::kUid;
      uid.response_name = "UID";
      items.push_back(std::move(uid));
      std::rotate(items.begin(), items.end() - 1, items.end());
    }
    const bool sets_seen = std::any_of(items.begin(), items.end(), [](const FetchItem& i) { return i.sets_seen; });
    const bool has_flags = std::any_of(items.begin(), items.end(),
                                       [](const FetchItem& i) { return i.kind == FetchItem::Kind::kFlags; });
    const mail::Folder* f = folder();
    bool missing = false;
    for (const auto& [seq, uid] : messages) {
      const mail::StoredMessage* m = f ? f->by_uid(uid) : nullptr;
      if (!m) {
        missing = true;
        continue;
      }
      bool seen_now = false;
      if (sets_seen && !view->read_only && !m->flags.has(SystemFlag::kSeen)) {
        FlagSet seen;
        seen.set(SystemFlag::kSeen);
        store->add_flags(view->folder, uid, seen);
        m = f->by_uid(uid);
        view->flags[uid] = m->flags;
        events.emplace_back(ev::FlagsChanged{view->folder, uid, m->flags.str()});
        seen_now = true;
      }
      std::string out;
      auto add = [&](const std::string& s) {
        if (!out.empty()) out += ' ';
        out += s;
      };
      for (const auto& item : items) {
        switch (item.kind) {
          case FetchItem::Kind::kFlags:
            view->flags[uid] = m->flags;
            add("FLAGS " + flags_text(uid, m->flags));
            break;
          case FetchItem::Kind::kUid: add("UID " + std::to_string(uid)); break;
          case FetchItem::Kind::kSize: add("RFC822.SIZE " + std::to_string(m->size())); break;
          case FetchItem::Kind::kDate: add("INTERNALDATE \"" + imap_internal_date(m->internal_date) + "\""); break;
          case FetchItem::Kind::kEnvelope: add("ENVELOPE " + imap_envelope(m->content)); break;
          case FetchItem::Kind::kBody: add("BODY " + imap_body_structure(m->content, false)); break;
          case FetchItem::Kind::kBodyStructure:
            add("BODYSTRUCTURE " + imap_body_structure(m->content, true));
            break;
          case FetchItem::Kind::kSection: {
            std::string data = section_text(m->content, item);
            if (item.partial) {
              const std::size_t origin = item.partial->first;
              data = origin >= data.size() ? std::string() : data.substr(origin, item.partial->second);
            }
            add(item.response_name + " " + imap_literal(data));
            break;
          }
        }
      }
      if (seen_now && !has_flags) add("FLAGS " + flags_text(uid, m->flags));
      untagged(std::to_string(seq) + " FETCH (" + out + ")");
    }
    sync(by_uid, by_uid);
    if (missing) {
      tagged(tag, "NO", "[EXPUNGEISSUED] Some messages were expunged by another session");
    } else {
      tagged(tag, "OK", std::string(by_uid ? "UID " : "") + "FETCH completed");
    }
  }

  std::string read_set(ImapCursor& c) {
    std::string set;
    while (!c.at_end() && c.peek() != ' ') {
      set += c.peek();
      c.consume(c.peek());
    }
    if (set.empty()) throw BadCommand{"Invalid sequence set"};
    return set;
  }

  void cmd_store(std::string_view tag, ImapCursor& c, bool by_uid) {
    need_sp(c);
    const std::string set = read_set(c);
    need_sp(c);
    enum class Mode { kSet, kAdd, kRemove } mode = Mode::kSet;
    if (c.consume('+')) mode = Mode::kAdd;
    else if (c.consume('-')) mode = Mode::kRemove;
    if (!c.consume_keyword("FLAGS")) throw BadCommand{"Invalid STORE data item"};
    const bool silent = c.consume_keyword(".SILENT");
    need_sp(c);
    FlagSet flags;
    auto take_flag = [&]() {
      const auto fl = c.flag();
      if (!fl) throw BadCommand{"Invalid flag"};
      if (ascii_iequal(*fl, "\\Recent")) return;  // cannot be changed (RFC 3501 section 2.3.2)
      if (!flags.add(*fl)) throw BadCommand{"Invalid flag " + *fl};
    };
    if (c.consume('(')) {
      if (!c.consume(')')) {
        while (true) {
          take_flag();
          if (c.consume(')')) break;
          need_sp(c);
        }
      }
    } else {
      while (true) {
        take_flag();
        if (c.at_end()) break;
        need_sp(c);
      }
    }
    need_end(c);
    const auto messages = resolve(set, by_uid);
    if (view->read_only) {
      tagged(tag, "NO", "[READ-ONLY] Mailbox is read-only");
      return;
    }
    const mail::Folder* f = folder();
    bool missing = false;
    for (const auto& [seq, uid] : messages) {
      const mail::StoredMessage* m = f ? f->by_uid(uid) : nullptr;
      if (!m) {
        missing = true;
        continue;
      }
      const FlagSet before = m->flags;
      if (mode == Mode::kSet) store->set_flags(view->folder, uid, flags);
      else if (mode == Mode::kAdd) store->add_flags(view->folder, uid, flags);
      else store->remove_flags(view->folder, uid, flags);
      m = f->by_uid(uid);
      if (!(m->flags == before)) events.emplace_back(ev::FlagsChanged{view->folder, uid, m->flags.str()});
      view->flags[uid] = m->flags;
      if (!silent) {
        std::string text = std::to_string(seq) + " FETCH (";
        if (by_uid) text += "UID " + std::to_string(uid) + " ";
        untagged(text + "FLAGS " + flags_text(uid, m->flags) + ")");
      }
    }
    sync(by_uid, by_uid);
    if (missing) {
      tagged(tag, "NO", "[EXPUNGEISSUED] Some messages were expunged by another session");
    } else {
      tagged(tag, "OK", std::string(by_uid ? "UID " : "") + "STORE completed");
    }
  }

  SearchKey parse_search_key(ImapCursor& c, int depth) {
    if (depth > 32) throw BadCommand{"Search too deeply nested"};
    SearchKey k;
    if (c.consume('(')) {
      k.kind = SearchKey::Kind::kAnd;
      while (true) {
        k.children.push_back(parse_search_key(c, depth + 1));
        if (c.consume(')')) break;
        need_sp(c);
      }
      return k;
    }
    if (c.peek() == '*' || (c.peek() >= '1' && c.peek() <= '9')) {
      k.kind = SearchKey::Kind::kSequence;
      k.set = SequenceSet::parse(read_set_until(c));
      if (!k.set) throw BadCommand{"Invalid sequence set"};
      return k;
    }
    const auto a = c.atom();
    if (!a) throw BadCommand{"Invalid search key"};
    const std::string name = ascii_upper(*a);
    auto arg = [&]() {
      need_sp(c);
      return need_astring(c);
    };
    auto flag = [&](SearchKey::Kind kind, std::string f) {
      k.kind = kind;
      k.a = std::move(f);
    };
    if (name == "ALL") k.kind = SearchKey::Kind::kAll;
    else if (name == "SEEN") flag(SearchKey::Kind::kFlag, "\\Seen");
    else if (name == "UNSEEN") flag(SearchKey::Kind::kNoFlag, "\\Seen");
    else if (name == "ANSWERED") flag(SearchKey::Kind::kFlag, "\\Answered");
    else if (name == "UNANSWERED") flag(SearchKey::Kind::kNoFlag, "\\Answered");
    else if (name == "DELETED") flag(SearchKey::Kind::kFlag, "\\Deleted");
    else if (name == "UNDELETED") flag(SearchKey::Kind::kNoFlag, "\\Deleted");
    else if (name == "FLAGGED") flag(SearchKey::Kind::kFlag, "\\Flagged");
    else if (name == "UNFLAGGED") flag(SearchKey::Kind::kNoFlag, "\\Flagged");
    else if (name == "DRAFT") flag(SearchKey::Kind::kFlag, "\\Draft");
    else if (name == "UNDRAFT") flag(SearchKey::Kind::kNoFlag, "\\Draft");
    else if (name == "KEYWORD") flag(SearchKey::Kind::kFlag, arg());
    else if (name == "UNKEYWORD") flag(SearchKey::Kind::kNoFlag, arg());
    else if (name == "NEW") k.kind = SearchKey::Kind::kNew;
    else if (name == "OLD") k.kind = SearchKey::Kind::kOld;
    else if (name == "RECENT") k.kind = SearchKey::Kind::kRecent;
    else if (name == "FROM" || name == "TO" || name == "CC" || name == "BCC" || name == "SUBJECT") {
      k.kind = SearchKey::Kind::kHeader;
      k.a = name;
      k.b = arg();
    } else if (name == "HEADER") {
      k.kind = SearchKey::Kind::kHeader;
      k.a = arg();
      k.b = arg();
    } else if (name == "BODY") {
      k.kind = SearchKey::Kind::kBody;
      k.b = arg();
    } else if (name == "TEXT") {
      k.kind = SearchKey::Kind::kText;
      k.b = arg();
    } else if (name == "LARGER" || name == "SMALLER") {
      need_sp(c);
      const auto n = c.number();
      if (!n) throw BadCommand{"Invalid number"};
      k.kind = name == "LARGER" ? SearchKey::Kind::kLarger : SearchKey::Kind::kSmaller;
      k.n = *n;
    } else if (name == "BEFORE" || name == "ON" || name == "SINCE") {
      const auto d = parse_search_date(arg());
      if (!d) throw BadCommand{"Invalid date"};
      k.kind = name == "BEFORE" ? SearchKey::Kind::kBefore
               : name == "ON"   ? SearchKey::Kind::kOn
                                : SearchKey::Kind::kSince;
      k.n = *d;
    } else if (name == "UID") {
      need_sp(c);
      k.kind = SearchKey::Kind::kUid;
      k.set = SequenceSet::parse(read_set_until(c));
      if (!k.set) throw BadCommand{"Invalid UID set"};
    } else if (name == "NOT") {
      need_sp(c);
      k.kind = SearchKey::Kind::kNot;
      k.children.push_back(parse_search_key(c, depth + 1));
    } else if (name == "OR") {
      k.kind = SearchKey::Kind::kOr;
      need_sp(c);
      k.children.push_back(parse_search_key(c, depth + 1));
      need_sp(c);
      k.children.push_back(parse_search_key(c, depth + 1));
    } else {
      throw BadCommand{"Unknown search key " + name};
    }
    return k;
  }

  static std::string read_set_until(ImapCursor& c) {
    std::string set;
    while (!c.at_end() && c.peek() != ' ' && c.peek() != ')') {
      set += c.peek();
      c.consume(c.peek());
    }
    return set;
  }

  bool matches(const SearchKey& k, std::size_t seq, const mail::StoredMessage& m) const {
    const View& v = *view;
    switch (k.kind) {
      case SearchKey::Kind::kAll: return true;
      case SearchKey::Kind::kAnd:
        return std::all_of(k.children.begin(), k.children.end(),
                           [&](const SearchKey& c) { return matches(c, seq, m); });
      case SearchKey::Kind::kOr: return matches(k.children[0], seq, m) || matches(k.children[1], seq, m);
      case SearchKey::Kind::kNot: return !matches(k.children[0], seq, m);
      case SearchKey::Kind::kFlag: return m.flags.contains(k.a);
      case SearchKey::Kind::kNoFlag: return !m.flags.contains(k.a);
      case SearchKey::Kind::kRecent: return v.recent.count(m.uid) > 0;
      case SearchKey::Kind::kNew: return v.recent.count(m.uid) > 0 && !m.flags.has(SystemFlag::kSeen);
      case SearchKey::Kind::kOld: return v.recent.count(m.uid) == 0;
      case SearchKey::Kind::kHeader: {
        const std::string value = imap_header_value(m.content, k.a);
        if (k.b.empty()) return !imap_header_fields(m.content, {k.a}, false).empty() &&
                                imap_header_fields(m.content, {k.a}, false) != "\r\n";
        return contains_ci(value, k.b);
      }
      case SearchKey::Kind::kBody: return contains_ci(imap_text_part(m.content), k.b);
      case SearchKey::Kind::kText: return contains_ci(m.content, k.b);
      case SearchKey::Kind::kLarger: return static_cast<std::int64_t>(m.size()) > k.n;
      case SearchKey::Kind::kSmaller: return static_cast<std::int64_t>(m.size()) < k.n;
      case SearchKey::Kind::kBefore: return day_of(m.internal_date) < k.n;
      case SearchKey::Kind::kOn: return day_of(m.internal_date) == k.n;
      case SearchKey::Kind::kSince: return day_of(m.internal_date) >= k.n;
      case SearchKey::Kind::kUid:
        return k.set->contains(m.uid, v.uids.empty() ? 0 : v.uids.back());
      case SearchKey::Kind::kSequence:
        return k.set->contains(static_cast<std::uint32_t>(seq), static_cast<std::uint32_t>(v.uids.size()));
    }
    return false;
  }

  void cmd_search(std::string_view tag, ImapCursor& c, bool by_uid) {
    need_sp(c);
    if (c.consume_keyword("CHARSET ")) {
      const std::string charset = ascii_upper(need_astring(c));
      if (charset != "US-ASCII" && charset != "UTF-8") {
        tagged(tag, "NO", "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
        return;
      }
      need_sp(c);
    }
    SearchKey all;
    all.kind = SearchKey::Kind::kAnd;
    while (true) {
      all.children.push_back(parse_search_key(c, 0));
      if (c.at_end()) break;
      need_sp(c);
    }
    const mail::Folder* f = folder();
    std::string out = "SEARCH";
    for (std::size_t i = 0; i < view->uids.size(); ++i) {
      const mail::StoredMessage* m = f ? f->by_uid(view->uids[i]) : nullptr;
      if (!m || !matches(all, i + 1, *m)) continue;
      out += " " + std::to_string(by_uid ? m->uid : i + 1);
    }
    untagged(out);
    sync(by_uid, by_uid);
    tagged(tag, "OK", std::string(by_uid ? "UID " : "") + "SEARCH completed");
  }

  void cmd_expunge(std::string_view tag) {
    if (view->read_only) {
      tagged(tag, "NO", "[READ-ONLY] Mailbox is read-only");
      return;
    }
    for (std::uint32_t uid : store->expunge(view->folder)) {
      events.emplace_back(ev::Expunged{view->folder, uid});
    }
    sync(true, false);
    tagged(tag, "OK", "EXPUNGE completed");
  }

  void cmd_close(std::string_view tag, bool expunge) {
    if (expunge && !view->read_only) {
      for (std::uint32_t uid : store->expunge(view->folder)) {
        events.emplace_back(ev::Expunged{view->folder, uid});
      }
    }
    deselect();
    tagged(tag, "OK", expunge ? "CLOSE completed" : "UNSELECT completed");
  }

  void cmd_idle(std::string_view tag) {
    idle_tag = std::string(tag);
    events.emplace_back(ev::IdleStarted{});
    continuation("idling");
    if (state == ImapState::kSelected) sync(true, false);
  }

  void command(const std::string& text) {
    ImapCursor c(text);
    const auto tag = c.tag();
    if (!tag) {
      events.emplace_back(ev::CommandReceived{"", "", text});
      untagged("BAD Missing or invalid tag");
      return;
    }
    if (!c.sp()) {
      events.emplace_back(ev::CommandReceived{*tag, "", text});
      tagged(*tag, "BAD", "Missing command");
      return;
    }
    const auto word = c.atom();
    const std::string name = word ? ascii_upper(*word) : std::string();
    events.emplace_back(ev::CommandReceived{*tag, name, text});
    if (name.empty()) {
      tagged(*tag, "BAD", "Missing command");
      return;
    }
    const bool known = kAnyState.count(name) || kNotAuthenticated.count(name) ||
                       kAuthenticated.count(name) || kSelected.count(name);
    if (!known) {
      tagged(*tag, "BAD", "Unknown command");
      return;
    }
    const bool allowed =
        kAnyState.count(name) ||
        (state == ImapState::kNotAuthenticated && kNotAuthenticated.count(name)) ||
        (state != ImapState::kNotAuthenticated && kAuthenticated.count(name)) ||
        (state == ImapState::kSelected && kSelected.count(name));
    if (!allowed) {
      tagged(*tag, "BAD", "Command not valid in this state");
      return;
    }
    try {
      dispatch(*tag, name, c);
    } catch (const BadCommand& bad) {
      tagged(*tag, "BAD", bad.reason);
    }
  }

  void dispatch(const std::string& tag, const std::string& name, ImapCursor& c) {
    if (name == "CAPABILITY") {
      need_end(c);
      untagged("CAPABILITY " + capabilities());
      tagged(tag, "OK", "CAPABILITY completed");
    } else if (name == "NOOP" || name == "CHECK") {
      need_end(c);
      if (state == ImapState::kSelected) sync(true, false);
      tagged(tag, "OK", name + " completed");
    } else if (name == "LOGOUT") {
      need_end(c);
      untagged("BYE " + config.hostname + " IMAP4rev1 server logging out");
      tagged(tag, "OK", "LOGOUT completed");
      close_wanted = true;
      close("LOGOUT");
    } else if (name == "STARTTLS") {
      need_end(c);
      if (tls_active) throw BadCommand{"TLS already active"};
      if (config.tls != ImapTls::kAvailable) throw BadCommand{"STARTTLS not available"};
      tagged(tag, "OK", "Begin TLS negotiation now");
      tls_pending = true;
      assembler.clear();  // RFC 3501 section 6.2.1: no pipelining past STARTTLS
      events.emplace_back(ev::StartTls{});
    } else if (name == "LOGIN") {
      need_sp(c);
      const std::string u = need_astring(c);
      need_sp(c);
      const std::string p = need_astring(c);
      need_end(c);
      if (login_disabled()) {
        events.emplace_back(ev::AuthFailed{u, "LOGIN", "PRIVACYREQUIRED"});
        tagged(tag, "NO", "[PRIVACYREQUIRED] LOGIN is disabled before STARTTLS");
        return;
      }
      finish_login(tag, u, p, "LOGIN");
    } else if (name == "AUTHENTICATE") {
      need_sp(c);
      const auto mech = c.atom();
      if (!mech) throw BadCommand{"Missing mechanism"};
      std::optional<std::string> initial;
      if (c.sp()) {
        initial = c.atom();
        if (!initial && c.consume('=')) initial = "=";
        if (!initial) throw BadCommand{"Invalid initial response"};
      }
      need_end(c);
      if (ascii_upper(*mech) != "PLAIN") {
        tagged(tag, "NO", "[CANNOT] Unsupported authentication mechanism");
        return;
      }
      if (login_disabled()) {
        events.emplace_back(ev::AuthFailed{"", "PLAIN", "PRIVACYREQUIRED"});
        tagged(tag, "NO", "[PRIVACYREQUIRED] Authentication is disabled before STARTTLS");
        return;
      }
      if (initial) {
        plain_response(tag, *initial);
      } else {
        auth_tag = tag;
        continuation("");
      }
    } else if (name == "SELECT" || name == "EXAMINE") {
      cmd_select(tag, c, name == "EXAMINE");
    } else if (name == "LIST" || name == "LSUB") {
      cmd_list(tag, c, name);
    } else if (name == "STATUS") {
      cmd_status(tag, c);
    } else if (name == "APPEND") {
      cmd_append(tag, c);
    } else if (name == "COPY") {
      cmd_copy(tag, c, false);
    } else if (name == "CREATE") {
      cmd_create(tag, c);
    } else if (name == "SUBSCRIBE" || name == "UNSUBSCRIBE") {
      need_sp(c);
      const std::string mbox = mailbox_name(need_astring(c));
      need_end(c);
      if (!store->folder(mbox)) {
        tagged(tag, "NO", "[NONEXISTENT] No such mailbox");
      } else {
        tagged(tag, "OK", name + " completed");
      }
    } else if (name == "IDLE") {
      need_end(c);
      cmd_idle(tag);
    } else if (name == "FETCH") {
      cmd_fetch(tag, c, false);
    } else if (name == "STORE") {
      cmd_store(tag, c, false);
    } else if (name == "SEARCH") {
      cmd_search(tag, c, false);
    } else if (name == "UID") {
      need_sp(c);
      const auto sub = c.atom();
      const std::string s = sub ? ascii_upper(*sub) : std::string();
      if (s == "FETCH") cmd_fetch(tag, c, true);
      else if (s == "STORE") cmd_store(tag, c, true);
      else if (s == "SEARCH") cmd_search(tag, c, true);
      else if (s == "COPY") cmd_copy(tag, c, true);
      else throw BadCommand{"Unknown UID command"};
    } else if (name == "EXPUNGE") {
      need_end(c);
      cmd_expunge(tag);
    } else if (name == "CLOSE" || name == "UNSELECT") {
      need_end(c);
      cmd_close(tag, name == "CLOSE");
    }
  }

  void line_while_waiting(const std::string& text) {
    if (auth_tag) {
      const std::string tag = *auth_tag;
      auth_tag.reset();
      events.emplace_back(ev::CommandReceived{"", "", text});
      plain_response(tag, text);
      return;
    }
    const std::string tag = *idle_tag;
    idle_tag.reset();
    events.emplace_back(ev::CommandReceived{"", "", text});
    events.emplace_back(ev::IdleEnded{});
    if (ascii_iequal(text, "DONE")) {
      tagged(tag, "OK", "IDLE terminated");
    } else {
      tagged(tag, "BAD", "Expected DONE");
    }
  }

  void pump() {
    while (state != ImapState::kLogout && !tls_pending) {
      auto item = assembler.next();
      if (!item) return;
      using Kind = ImapAssembler::Item::Kind;
      switch (item->kind) {
        case Kind::kLiteralWanted:
          continuation("Ready for literal data");
          break;
        case Kind::kTooLong:
        case Kind::kLiteralTooBig: {
          ImapCursor c(item->text);
          const auto tag = c.tag();
          const std::string reason = item->kind == Kind::kTooLong ? "[TOOBIG] Command line too long"
                                                                  : "[TOOBIG] Literal too big";
          events.emplace_back(ev::CommandReceived{tag && c.peek() == ' ' ? *tag : "", "", item->text});
          auth_tag.reset();
          if (idle_tag) {
            events.emplace_back(ev::IdleEnded{});
            tagged(*idle_tag, "BAD", reason);
            idle_tag.reset();
          } else if (tag && c.peek() == ' ') {
            tagged(*tag, "BAD", reason);
          } else {
            untagged("BAD " + reason);
          }
          break;
        }
        case Kind::kComplete:
          if (auth_tag || idle_tag) {
            line_while_waiting(item->text);
          } else {
            command(item->text);
          }
          break;
      }
    }
  }
};

ImapServer::ImapServer(ImapServerConfig config, ImapAccounts& accounts)
    : m_impl(std::make_unique<Impl>(std::move(config), accounts)) {}
ImapServer::~ImapServer() = default;
ImapServer::ImapServer(ImapServer&&) noexcept = default;
ImapServer& ImapServer::operator=(ImapServer&&) noexcept = default;

void ImapServer::open(Micros now) {
  Impl& s = *m_impl;
  if (s.opened) return;
  s.opened = true;
  s.deadline = now + s.config.autologout;
  s.untagged("OK [CAPABILITY " + s.capabilities() + "] " + s.config.hostname +
             " IMAP4rev1 server ready");
}

void ImapServer::receive(std::string_view bytes, Micros now) {
  Impl& s = *m_impl;
  if (!s.opened || s.state == ImapState::kLogout || bytes.empty()) return;
  s.deadline = now + s.config.autologout;
  s.now = now;
  if (s.tls_pending) return;  // plaintext after STARTTLS, before the handshake: discarded
  s.assembler.feed(bytes);
  s.pump();
}

void ImapServer::tls_established(Micros now) {
  Impl& s = *m_impl;
  if (!s.tls_pending) return;
  s.tls_pending = false;
  s.tls_active = true;
  s.assembler.clear();
  s.deadline = now + s.config.autologout;
}

void ImapServer::peer_closed(Micros /*now*/) {
  Impl& s = *m_impl;
  if (s.state == ImapState::kLogout) return;
  s.close("connection closed by client");
}

void ImapServer::tick(Micros now) {
  Impl& s = *m_impl;
  if (s.state == ImapState::kLogout || !s.opened || now < s.deadline) return;
  s.events.emplace_back(ev::TimedOut{});
  s.untagged("BYE Autologout; idle for too long");
  s.close_wanted = true;
  s.close("autologout timer expired");
}

void ImapServer::mailbox_changed(Micros /*now*/) {
  Impl& s = *m_impl;
  if (s.idle_tag && s.state == ImapState::kSelected) s.sync(true, false);
}

std::string ImapServer::take_output() { return std::exchange(m_impl->output, {}); }
std::vector<ImapServerEvent> ImapServer::take_events() { return std::exchange(m_impl->events, {}); }

std::optional<Micros> ImapServer::next_deadline() const {
  const Impl& s = *m_impl;
  if (!s.opened || s.state == ImapState::kLogout) return std::nullopt;
  return s.deadline;
}

bool ImapServer::wants_close() const { return m_impl->close_wanted; }
ImapState ImapServer::state() const { return m_impl->state; }
bool ImapServer::tls_active() const { return m_impl->tls_active; }
bool ImapServer::idling() const { return m_impl->idle_tag.has_value(); }
std::string ImapServer::user() const { return m_impl->user; }
std::string ImapServer::selected_mailbox() const {
  return m_impl->view ? m_impl->view->folder : std::string();
}

}  // namespace mailhop::proto
