#include "sim/world/retrieval.h"

#include <algorithm>
#include <charconv>

#include "sim/mail/ascii.h"
#include "sim/proto/imap_client.h"
#include "sim/proto/pop3_client.h"
#include "sim/proto/pop3_server.h"
#include "sim/world/expectations.h"
#include "sim/world/retrieval_endpoints.h"
#include "sim/world/world.h"

namespace mailhop::world {

using core::SimTime;
using core::TraceKind;
using mail::ascii_lower;
using scenario::Role;

namespace {

constexpr int kPop3Port = 110;
constexpr int kPop3sPort = 995;
constexpr int kImapPort = 143;
constexpr int kImapsPort = 993;
constexpr const char* kInbox = "INBOX";

// POP3 unique-ids (RFC 1939 section 7): "UIDVALIDITY.UID" stays unique for the mailbox's life.
std::string pop3_uid(const mail::Folder& folder, std::uint32_t uid) {
  return std::to_string(folder.uidvalidity()) + "." + std::to_string(uid);
}

std::optional<std::uint32_t> uid_of_pop3_uid(const mail::Folder& folder, std::string_view id) {
  const std::string prefix = std::to_string(folder.uidvalidity()) + ".";
  if (!id.starts_with(prefix)) return std::nullopt;
  std::uint32_t uid = 0;
  const std::string_view digits = id.substr(prefix.size());
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), uid);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return uid;
}

std::string login_of(const scenario::Account& account) {
  return account.user.empty() ? account.address : account.user;
}

// The maildrops of one host, for its POP3 server: the INBOX of each user whose mailbox the
// host holds.
class StoreMaildrop : public proto::Pop3Maildrop {
 public:
  StoreMaildrop(World& world, std::string host, std::set<std::string>& locks)
      : m_world(world), m_host(std::move(host)), m_locks(locks) {}

  bool check_credentials(std::string_view user, std::string_view password) override {
    const MailboxState* box = find(user);
    const NodeState* host = m_world.node(m_host);
    return box && host && !host->auth_failure && box->password == password;
  }
  bool lock(std::string_view user) override {
    return m_locks.insert(ascii_lower(std::string(user))).second;
  }
  void unlock(std::string_view user) override { m_locks.erase(ascii_lower(std::string(user))); }
  std::vector<proto::Pop3Message> messages(std::string_view user) override {
    std::vector<proto::Pop3Message> out;
    const MailboxState* box = find(user);
    if (!box) return out;
    const mail::Folder& inbox = box->inbox();
    for (const mail::StoredMessage& m : inbox.messages())
      out.push_back({pop3_uid(inbox, m.uid), m.content.size(), m.content});
    return out;
  }
  bool commit_deletions(std::string_view user, const std::vector<std::string>& uids) override {
    MailboxState* box = find(user);
    if (!box) return false;
    std::vector<std::uint32_t> numbers;
    for (const std::string& id : uids)
      if (const auto uid = uid_of_pop3_uid(box->inbox(), id)) numbers.push_back(*uid);
    return box->store->remove(kInbox, numbers).size() == uids.size();
  }

 private:
  MailboxState* find(std::string_view user) {
    MailboxState* box = m_world.mailbox(ascii_lower(std::string(user)));
    if (!box || box->unknown || box->host != m_host) return nullptr;
    return box;
  }

  World& m_world;
  std::string m_host;
  std::set<std::string>& m_locks;
};

// The accounts of one host, for its IMAP server: the stores of the mailboxes it holds.
class StoreAccounts : public proto::ImapAccounts {
 public:
  StoreAccounts(World& world, std::string host) : m_world(world), m_host(std::move(host)) {}

  bool check_credentials(std::string_view user, std::string_view password) override {
    const MailboxState* box = find(user);
    const NodeState* host = m_world.node(m_host);
    return box && host && !host->auth_failure && box->password == password;
  }
  mail::MailStore* mail_store(std::string_view user) override {
    MailboxState* box = find(user);
    return box ? box->store.get() : nullptr;
  }

 private:
  MailboxState* find(std::string_view user) {
    MailboxState* box = m_world.mailbox(ascii_lower(std::string(user)));
    if (!box || box->unknown || box->host != m_host) return nullptr;
    return box;
  }

  World& m_world;
  std::string m_host;
};

DeviceMessage device_message(const mail::StoredMessage& m) {
  DeviceMessage d;
  d.uid = m.uid;
  d.content = m.content;
  d.subject = decoded_subject(m.content);
  d.seen = m.flags.has(mail::SystemFlag::kSeen);
  return d;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Retrieval::Retrieval(World& world) : m_world(world) {}
Retrieval::~Retrieval() = default;

bool Retrieval::listens(const NodeState& server, int port) const {
  if (port <= 0) return false;
  const scenario::Ports& p = server.spec.ports;
  // (The ports first: comparing them is cheaper than looking for the role.)
  if ((port == p.pop3 || port == p.pop3s) && server.has_role(Role::kPop3)) return true;
  if ((port == p.imap || port == p.imaps) && server.has_role(Role::kImap)) return true;
  return false;
}

const char* Retrieval::protocol(const NodeState& server, int port) const {
  if (!listens(server, port)) return nullptr;
  const scenario::Ports& p = server.spec.ports;
  return (port == p.pop3 || port == p.pop3s) && server.has_role(Role::kPop3) ? "POP3" : "IMAP";
}

std::unique_ptr<Endpoint> Retrieval::make_server(Connection& conn, NodeState& server, int port,
                                                 bool tls_possible) {
  if (!listens(server, port)) return nullptr;
  const scenario::Ports& p = server.spec.ports;
  if ((port == p.pop3 || port == p.pop3s) && server.has_role(Role::kPop3)) {
    const bool implicit = port == p.pop3s;
    proto::Pop3ServerConfig cfg;
    cfg.hostname = server.spec.name;
    cfg.tls = implicit ? proto::Pop3Tls::kActive
                       : (server.spec.policy.tls && tls_possible ? proto::Pop3Tls::kAvailable
                                                                 : proto::Pop3Tls::kNone);
    return std::make_unique<Pop3ServerEndpoint>(
        m_world.m_sim, m_world.m_trace, conn, std::move(cfg),
        std::make_unique<StoreMaildrop>(m_world, server.spec.name, m_pop3_locks),
        implicit ? SessionTls::kImplicit : SessionTls::kPlain);
  }
  const bool implicit = port == p.imaps;
  proto::ImapServerConfig cfg;
  cfg.hostname = server.spec.name;
  cfg.tls = implicit ? proto::ImapTls::kActive
                     : (server.spec.policy.tls && tls_possible ? proto::ImapTls::kAvailable
                                                               : proto::ImapTls::kNone);
  auto accounts = std::make_unique<StoreAccounts>(m_world, server.spec.name);
  StoreAccounts* lookup = accounts.get();
  return std::make_unique<ImapServerEndpoint>(
      m_world.m_sim, m_world.m_trace, conn, std::move(cfg), std::move(accounts),
      implicit ? SessionTls::kImplicit : SessionTls::kPlain,
      [lookup](const std::string& user) { return lookup->mail_store(user); });
}

const DeviceMailbox* Retrieval::device(const std::string& node, const std::string& account) const {
  auto it = m_devices.find({node, ascii_lower(account)});
  return it == m_devices.end() ? nullptr : &it->second;
}

DeviceMailbox& Retrieval::device_for(const std::string& node, const std::string& account,
                                     DeviceAccess access) {
  DeviceMailbox& d = m_devices[{node, ascii_lower(account)}];
  if (d.node.empty()) {
    d.node = node;
    d.account = ascii_lower(account);
  }
  d.access = access;
  return d;
}

void Retrieval::note(const std::string& node, const std::string& text) {
  m_world.note(TraceKind::kNote, node, text);
}

void Retrieval::failed(DeviceMailbox& device, const std::string& what, const std::string& why) {
  device.last_error = why;
  note(device.node, what + " for " + device.account + " failed: " + why);
}

void Retrieval::run(const scenario::FetchAction& action) {
  NodeState* n = m_world.node(action.node);
  const scenario::Account* account = nullptr;
  if (n)
    for (const scenario::Account& acc : n->spec.accounts)
      if (ascii_lower(acc.address) == ascii_lower(action.account)) account = &acc;
  if (!account) {
    note(action.node, "fetch: no account " + action.account + " on this device");
    return;
  }
  if (!account->retrieval) {
    if (n->has_role(Role::kWebmail)) return webmail(*account, action);
    note(action.node, "fetch: the account " + account->address + " has no POP3 or IMAP server set up");
    return;
  }
  if (*account->retrieval == scenario::RetrievalProtocol::kImap) return imap_session(*account, action);
  DeviceMailbox& dev = device_for(action.node, account->address, DeviceAccess::kPop3);
  switch (action.operation) {
    case scenario::FetchOperation::kFetch:
      return fetch_pop3(*account, action.node);
    case scenario::FetchOperation::kMarkRead:
    case scenario::FetchOperation::kDelete:
      return on_device(action, dev);
    case scenario::FetchOperation::kIdle:
      note(action.node, "POP3 has no push (IDLE is IMAP): " + account->address +
                            " sees new mail only when the program checks");
      return;
  }
}

DeviceMessage* Retrieval::pick(DeviceMailbox& device, const scenario::FetchAction& action) {
  if (action.index) {
    const auto i = static_cast<std::size_t>(*action.index);
    if (i >= 1 && i <= device.messages.size()) return &device.messages[i - 1];
    note(device.node, "there is no message " + std::to_string(i) + " on this device for " +
                          device.account + " (it shows " +
                          plural(device.messages.size(), "message", "messages") + ")");
    return nullptr;
  }
  for (DeviceMessage& m : device.messages)
    if (m.subject == action.subject) return &m;
  note(device.node, "there is no message \"" + action.subject + "\" on this device for " +
                        device.account);
  return nullptr;
}

// POP3 has no flags and no way to delete one message later: what the user does with a
// downloaded message stays on the device.
void Retrieval::on_device(const scenario::FetchAction& action, DeviceMailbox& device) {
  DeviceMessage* m = pick(device, action);
  if (!m) return;
  if (action.operation == scenario::FetchOperation::kMarkRead) {
    m->seen = true;
    note(device.node, "\"" + m->subject + "\" marked as read on this device only (POP3 cannot tell the server)");
  } else {
    const std::string subject = m->subject;
    device.messages.erase(device.messages.begin() + (m - device.messages.data()));
    note(device.node, "\"" + subject + "\" deleted on this device only (POP3 cannot tell the server)");
  }
}

void Retrieval::fetch_pop3(const scenario::Account& account, const std::string& node) {
  DeviceMailbox& dev = device_for(node, account.address, DeviceAccess::kPop3);
  ++dev.attempts;
  proto::Pop3ClientOptions opts;
  opts.user = login_of(account);
  opts.password = account.password;
  opts.login = proto::Pop3Login::kUserPass;  // the classic login of RFC 1939, readable in class
  opts.tls = account.retrieval_tls == scenario::TlsMode::kStartTls ? proto::Pop3ClientTls::kRequired
             : account.retrieval_tls == scenario::TlsMode::kImplicit ? proto::Pop3ClientTls::kImplicit
                                                                      : proto::Pop3ClientTls::kNever;
  const bool leave_copy = account.pop3_mode == scenario::Pop3Mode::kLeaveCopy;
  opts.delete_after_retrieve = leave_copy ? proto::Pop3Delete::kKeep
                                          : proto::Pop3Delete::kDeleteAfterRetrieve;
  // What this device downloaded before stays on the server with "leave a copy": UIDL tells
  // which messages those are, so they are not downloaded again. ("Download and delete" takes
  // everything, also what a broken session left behind; the device keeps one copy of each.)
  if (leave_copy) opts.known_uids.assign(dev.known_pop3_uids.begin(), dev.known_pop3_uids.end());
  const int port = account.retrieval_port ? account.retrieval_port
                   : account.retrieval_tls == scenario::TlsMode::kImplicit ? kPop3sPort
                                                                          : kPop3Port;
  const std::pair<std::string, std::string> key{node, ascii_lower(account.address)};
  auto done = [this, key](const proto::Pop3Client& engine, SimTime) {
    DeviceMailbox& d = m_devices[key];
    std::size_t added = 0;
    for (const proto::Pop3RetrievedMessage& r : engine.messages()) {
      if (!r.uid.empty() && !d.known_pop3_uids.insert(r.uid).second) continue;
      DeviceMessage m;
      m.pop3_uid = r.uid;
      m.content = r.content;
      m.subject = decoded_subject(r.content);
      d.messages.push_back(std::move(m));
      ++added;
    }
    if (!engine.succeeded()) {
      failed(d, "POP3 check", engine.error().empty() ? "the session did not finish" : engine.error());
      return;
    }
    d.last_error.clear();
    note(d.node, "POP3: " + plural(added, "new message", "new messages") + " for " + d.account +
                     "; this device now shows " + plural(d.messages.size(), "message", "messages"));
  };
  m_world.connect(
      node, account.retrieval_host, port,
      [this, opts, done](Connection& conn) -> std::unique_ptr<Endpoint> {
        ++m_world.m_stats.mailbox_sessions;
        return std::make_unique<Pop3ClientEndpoint>(m_world.m_sim, m_world.m_trace, conn, opts, done);
      },
      [this, key](const std::string& why) { failed(m_devices[key], "POP3 check", why); });
}

// One IMAP session of a device: what it does, and what it learnt so far.
struct Retrieval::ImapRun {
  enum class Op { kSync, kMarkSeen, kDelete, kIdle, kLogout };
  std::pair<std::string, std::string> key;
  std::vector<Op> ops;                 // every operation given, in order (OperationDone index)
  std::set<std::uint32_t> listed;      // UIDs the server listed since the last operation ended
  std::size_t fetched = 0;             // new messages downloaded in this session
  std::uint32_t marked = 0;            // the UID a MarkSeen or Delete is about
  SimTime idle_until;                  // when an idle step ends
  bool idle_step = false;
  bool resync_pending = false;         // a Sync was added because the mailbox changed
  scenario::FetchOperation step = scenario::FetchOperation::kFetch;
  std::string subject;                 // of the message marked or deleted
};

void Retrieval::imap_session(const scenario::Account& account, const scenario::FetchAction& action) {
  DeviceMailbox& dev = device_for(action.node, account.address, DeviceAccess::kImap);
  auto run = std::make_shared<ImapRun>();
  run->key = {action.node, ascii_lower(account.address)};
  run->step = action.operation;
  proto::ImapClientOptions opts;
  opts.user = login_of(account);
  opts.password = account.password;
  opts.tls = account.retrieval_tls == scenario::TlsMode::kStartTls ? proto::ImapClientTls::kRequired
             : account.retrieval_tls == scenario::TlsMode::kImplicit ? proto::ImapClientTls::kImplicit
                                                                      : proto::ImapClientTls::kNever;
  opts.known_uidvalidity = dev.uidvalidity;
  for (const DeviceMessage& m : dev.messages) opts.known_uids.push_back(m.uid);
  using Op = ImapRun::Op;
  auto add = [&](Op op, proto::ImapOperation what) {
    run->ops.push_back(op);
    opts.job.push_back(std::move(what));
  };
  switch (action.operation) {
    case scenario::FetchOperation::kFetch:
      add(Op::kSync, proto::imap_op::Sync{});
      add(Op::kLogout, proto::imap_op::Logout{});
      break;
    case scenario::FetchOperation::kMarkRead:
    case scenario::FetchOperation::kDelete: {
      const DeviceMessage* m = pick(dev, action);
      if (!m) return;
      run->marked = m->uid;
      run->subject = m->subject;
      if (action.operation == scenario::FetchOperation::kMarkRead)
        add(Op::kMarkSeen, proto::imap_op::MarkSeen{m->uid});
      else
        add(Op::kDelete, proto::imap_op::Delete{m->uid});
      add(Op::kLogout, proto::imap_op::Logout{});
      break;
    }
    case scenario::FetchOperation::kIdle: {
      const SimTime duration = action.duration.value_or(SimTime::from_minutes(10));
      run->idle_step = true;
      run->idle_until = m_world.m_sim.now() + duration;
      add(Op::kSync, proto::imap_op::Sync{});
      add(Op::kIdle, proto::imap_op::Idle{duration.to_proto()});
      break;
    }
  }
  ++dev.attempts;
  const int port = account.retrieval_port ? account.retrieval_port
                   : account.retrieval_tls == scenario::TlsMode::kImplicit ? kImapsPort
                                                                          : kImapPort;
  auto on_event = [this, run](ImapClientEndpoint& ep, const proto::ImapClientEvent& ev, SimTime now) {
    imap_event(*run, ep, ev, now);
  };
  auto done = [this, run](const proto::ImapClient& engine, SimTime) {
    DeviceMailbox& d = m_devices[run->key];
    if (!engine.error().empty()) return failed(d, "IMAP session", engine.error());
    d.last_error.clear();
    std::string what;
    switch (run->step) {
      case scenario::FetchOperation::kMarkRead:
        what = "\"" + run->subject + "\" marked as read on the server";
        break;
      case scenario::FetchOperation::kDelete:
        what = "\"" + run->subject + "\" deleted on the server";
        break;
      case scenario::FetchOperation::kFetch:
      case scenario::FetchOperation::kIdle:
        what = plural(run->fetched, "new message", "new messages") + " for " + d.account;
        break;
    }
    note(d.node, "IMAP: " + what + "; this device shows " +
                     plural(d.messages.size(), "message", "messages") + ", " +
                     std::to_string(d.messages.size() - d.seen_count()) + " unread");
  };
  m_world.connect(
      action.node, account.retrieval_host, port,
      [this, opts, on_event, done](Connection& conn) -> std::unique_ptr<Endpoint> {
        ++m_world.m_stats.mailbox_sessions;
        return std::make_unique<ImapClientEndpoint>(m_world.m_sim, m_world.m_trace, conn, opts,
                                                    on_event, done);
      },
      [this, run](const std::string& why) { failed(m_devices[run->key], "IMAP session", why); });
}

void Retrieval::imap_event(ImapRun& run, ImapClientEndpoint& ep, const proto::ImapClientEvent& ev,
                           SimTime now) {
  namespace ie = proto::imap_client_event;
  using Op = ImapRun::Op;
  DeviceMailbox& d = m_devices[run.key];
  auto find = [&](std::uint32_t uid) -> DeviceMessage* {
    for (DeviceMessage& m : d.messages)
      if (m.uid == uid) return &m;
    return nullptr;
  };
  auto seen_in = [](const std::vector<std::string>& flags) {
    return std::any_of(flags.begin(), flags.end(),
                       [](const std::string& f) { return ascii_lower(f) == "\\seen"; });
  };
  // New mail or a message gone while the session is open (IDLE): sync again.
  auto resync = [&] {
    if (run.resync_pending) return;
    run.resync_pending = true;
    run.ops.push_back(Op::kSync);
    ep.enqueue(proto::imap_op::Sync{});
  };
  if (const auto* s = std::get_if<ie::Selected>(&ev)) {
    // RFC 3501 2.3.1.1: another UIDVALIDITY means the UIDs the device holds mean nothing now.
    if (d.uidvalidity != 0 && s->uidvalidity != d.uidvalidity) d.messages.clear();
    d.uidvalidity = s->uidvalidity;
  } else if (const auto* m = std::get_if<ie::MessageFetched>(&ev)) {
    run.listed.insert(m->uid);
    if (find(m->uid)) return;
    DeviceMessage msg;
    msg.uid = m->uid;
    msg.content = m->content;
    msg.subject = decoded_subject(m->content);
    msg.seen = seen_in(m->flags);
    d.messages.push_back(std::move(msg));
    std::sort(d.messages.begin(), d.messages.end(),
              [](const DeviceMessage& a, const DeviceMessage& b) { return a.uid < b.uid; });
    ++run.fetched;
  } else if (const auto* f = std::get_if<ie::FlagsUpdated>(&ev)) {
    run.listed.insert(f->uid);
    if (DeviceMessage* msg = find(f->uid)) msg->seen = seen_in(f->flags);
  } else if (std::holds_alternative<ie::Exists>(ev) || std::holds_alternative<ie::Expunged>(ev)) {
    if (ep.idling()) resync();
  } else if (const auto* o = std::get_if<ie::OperationDone>(&ev)) {
    const Op op = o->index < run.ops.size() ? run.ops[o->index] : Op::kLogout;
    if (op == Op::kSync && o->ok) {
      // What the server did not list is gone from it (expunged elsewhere): gone here too.
      std::erase_if(d.messages, [&](const DeviceMessage& msg) { return !run.listed.count(msg.uid); });
      run.resync_pending = false;
    } else if (op == Op::kMarkSeen && o->ok) {
      if (DeviceMessage* msg = find(run.marked)) msg->seen = true;
    } else if (op == Op::kDelete && o->ok) {
      std::erase_if(d.messages, [&](const DeviceMessage& msg) { return msg.uid == run.marked; });
    } else if (!o->ok) {
      note(d.node, "IMAP: " + o->detail);
    }
    run.listed.clear();
    if (run.idle_step && (op == Op::kSync || op == Op::kIdle)) {
      // An idle step: wait (again) until its end, then log out.
      const bool last = o->index + 1 == run.ops.size();
      if (last && now < run.idle_until) {
        run.ops.push_back(Op::kIdle);
        ep.enqueue(proto::imap_op::Idle{(run.idle_until - now).to_proto()});
      } else if (last) {
        run.ops.push_back(Op::kLogout);
        ep.enqueue(proto::imap_op::Logout{});
      }
    }
  } else if (const auto* l = std::get_if<ie::LoginFailed>(&ev)) {
    d.last_error = l->reason;
  }
}

void Retrieval::webmail(const scenario::Account& account, const scenario::FetchAction& action) {
  DeviceMailbox& dev = device_for(action.node, account.address, DeviceAccess::kWebmail);
  ++dev.attempts;
  MailboxState* box = m_world.mailbox(ascii_lower(account.address));
  if (!box || box->unknown) return failed(dev, "webmail", "there is no mailbox " + dev.account);
  if (box->host != action.node)
    return failed(dev, "webmail", "the mailbox of " + dev.account + " is on " + box->host +
                                      ", not on this host");
  auto refresh = [&] {
    dev.messages.clear();
    for (const mail::StoredMessage& m : box->inbox().messages()) dev.messages.push_back(device_message(m));
    dev.uidvalidity = box->inbox().uidvalidity();
    dev.last_error.clear();
  };
  refresh();
  const std::string who = "webmail: " + dev.account;
  switch (action.operation) {
    case scenario::FetchOperation::kFetch:
    case scenario::FetchOperation::kIdle:
      note(action.node, who + " opened INBOX, " + plural(dev.messages.size(), "message", "messages") +
                            ", " + std::to_string(dev.messages.size() - dev.seen_count()) + " unread");
      return;
    case scenario::FetchOperation::kMarkRead:
    case scenario::FetchOperation::kDelete:
      break;
  }
  const DeviceMessage* m = pick(dev, action);
  if (!m) return;
  const std::uint32_t uid = m->uid;
  const std::string subject = m->subject;
  mail::FlagSet flags;
  if (action.operation == scenario::FetchOperation::kMarkRead) {
    flags.set(mail::SystemFlag::kSeen);
    box->store->add_flags(kInbox, uid, flags);
    note(action.node, who + " read \"" + subject + "\": marked as read in the mailbox on the server");
  } else {
    flags.set(mail::SystemFlag::kDeleted);
    box->store->add_flags(kInbox, uid, flags);
    box->store->expunge(kInbox);
    note(action.node, who + " deleted \"" + subject + "\" from the mailbox on the server");
  }
  refresh();
}

}  // namespace mailhop::world
