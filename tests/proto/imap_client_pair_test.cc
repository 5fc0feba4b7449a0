// The IMAP client (sim/proto/imap_client.h) against the IMAP server (sim/proto/imap_server.h)
// in memory, on one mail store: the conversations a mail user agent has, and two devices of
// one user seeing each other's changes.

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "sim/mail/mail_store.h"
#include "sim/proto/imap_client.h"
#include "sim/proto/imap_server.h"
#include "tests/support/imap_client_harness.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {
namespace {

namespace cev = proto::imap_client_event;
namespace sev = proto::imap_server_event;

const std::string kHello = "From: ana@b.example\r\nSubject: hello\r\n\r\nHi Julia!\r\n";
const std::string kDots = "Subject: dots\r\n\r\n.one\r\n{3}\r\n)\r\n";

class Accounts : public proto::ImapAccounts {
 public:
  mail::MailStore store{1000};
  bool check_credentials(std::string_view user, std::string_view password) override {
    return user == "julia" && password == "secret";
  }
  mail::MailStore* mail_store(std::string_view user) override {
    return user == "julia" ? &store : nullptr;
  }
};

// One client connected to one server; bytes are shuttled until both are quiet.
struct Session {
  Session(proto::ImapServerConfig config, Accounts& accounts, proto::ImapClientOptions options)
      : server(std::move(config), accounts), client(std::move(options)) {
    server.open(now);
    client.open(now);
    pump();
  }

  void pump() {
    for (int round = 0; round < 10000; ++round) {
      const std::string s = server.take_output();
      const std::string c = client.take_output();
      for (auto& e : server.take_events()) {
        if (std::holds_alternative<sev::StartTls>(e)) server_tls = true;
        server_events.push_back(std::move(e));
      }
      for (auto& e : client.take_events()) {
        if (std::holds_alternative<cev::StartTls>(e)) client_tls = true;
        log.push_back(describe_imap_client_event(e));
        client_events.push_back(std::move(e));
      }
      if (!s.empty()) client.receive(s, now);
      if (!c.empty()) server.receive(c, now);
      if (s.empty() && c.empty()) {
        if (server_tls && client_tls) {
          server_tls = client_tls = false;
          server.tls_established(now);
          client.tls_established(now);
          log.push_back("= tls");
          continue;
        }
        if (server.wants_close() && !client_closed) {
          client_closed = true;
          client.peer_closed(now);
          continue;
        }
        if (client.wants_close() && !server_closed) {
          server_closed = true;
          server.peer_closed(now);
          continue;
        }
        return;
      }
    }
    FAIL("the session did not settle");
  }

  // The client's events of type T, in order.
  template <typename T>
  std::vector<T> of() const {
    std::vector<T> out;
    for (const auto& e : client_events) {
      if (const auto* x = std::get_if<T>(&e)) out.push_back(*x);
    }
    return out;
  }
  std::string transcript() const {
    std::string out;
    for (const auto& l : log) out += l + "\n";
    return out;
  }

  proto::Micros now{0};
  proto::ImapServer server;
  proto::ImapClient client;
  std::vector<proto::ImapServerEvent> server_events;
  std::vector<proto::ImapClientEvent> client_events;
  std::vector<std::string> log;
  bool server_tls = false;
  bool client_tls = false;
  bool client_closed = false;
  bool server_closed = false;
};

proto::ImapClientOptions device(std::vector<proto::ImapOperation> job,
                                proto::ImapClientTls tls = proto::ImapClientTls::kIfOffered) {
  proto::ImapClientOptions o;
  o.user = "julia";
  o.password = "secret";
  o.tls = tls;
  o.job = std::move(job);
  return o;
}

bool has_flag(const std::vector<std::string>& flags, const std::string& flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

}  // namespace

TEST_CASE("imap client and server: login, sync, mark seen, delete", "[imap][imap_client][pair]") {
  Accounts accounts;
  accounts.store.append("INBOX", kHello, 1700000000);
  accounts.store.append("INBOX", kDots, 1700000100);
  proto::ImapServerConfig config;
  config.tls = proto::ImapTls::kAvailable;
  config.login = proto::ImapLoginPolicy::kDisabledWithoutTls;
  Session s(config, accounts,
            device({proto::imap_op::Sync{}, proto::imap_op::MarkSeen{1}, proto::imap_op::Delete{2},
                    proto::imap_op::Logout{}},
                   proto::ImapClientTls::kRequired));
  INFO(s.transcript());
  REQUIRE(s.client.finished());
  CHECK(s.client.error() == "");
  CHECK(s.client.tls_active());
  CHECK(s.of<cev::Closed>().back().ok);
  const auto fetched = s.of<cev::MessageFetched>();
  REQUIRE(fetched.size() == 2);
  CHECK(fetched[0].uid == 1);
  CHECK(fetched[0].content == kHello);
  CHECK(fetched[1].content == kDots);
  // BODY.PEEK[] does not set \Seen; MarkSeen does.
  CHECK_FALSE(has_flag(fetched[0].flags, "\\Seen"));
  const auto* inbox = accounts.store.folder("INBOX");
  REQUIRE(inbox);
  REQUIRE(inbox->count() == 1);
  CHECK(inbox->by_uid(1)->flags.has(mail::SystemFlag::kSeen));
  CHECK(inbox->by_uid(2) == nullptr);
  CHECK(s.of<cev::Expunged>().size() == 1);
  CHECK(s.client.known_uids() == std::vector<std::uint32_t>{1});
  for (const auto& d : s.of<cev::OperationDone>()) CHECK(d.ok);
  CHECK(s.log.end() != std::find(s.log.begin(), s.log.end(), "= tls"));
}

TEST_CASE("imap client and server: a wrong password", "[imap][imap_client][pair]") {
  Accounts accounts;
  auto o = device({proto::imap_op::Sync{}}, proto::ImapClientTls::kNever);
  o.password = "nope";
  Session s({}, accounts, o);
  INFO(s.transcript());
  REQUIRE(s.client.finished());
  REQUIRE(s.of<cev::LoginFailed>().size() == 1);
  CHECK(s.of<cev::LoginFailed>()[0].reason.find("AUTHENTICATIONFAILED") != std::string::npos);
  CHECK_FALSE(s.of<cev::Closed>().back().ok);
  CHECK(s.of<cev::MessageFetched>().empty());
}

TEST_CASE("imap client and server: LOGINDISABLED keeps the password in",
          "[imap][imap_client][pair]") {
  Accounts accounts;
  proto::ImapServerConfig config;
  config.tls = proto::ImapTls::kNone;
  config.login = proto::ImapLoginPolicy::kDisabledWithoutTls;
  Session s(config, accounts, device({proto::imap_op::Sync{}}, proto::ImapClientTls::kIfOffered));
  INFO(s.transcript());
  REQUIRE(s.client.finished());
  CHECK(s.transcript().find("secret") == std::string::npos);
  CHECK(s.transcript().find("AGp1bGlh") == std::string::npos);
  CHECK(s.of<cev::LoginFailed>().size() == 1);
}

TEST_CASE("imap client and server: IDLE reports new mail pushed by the server",
          "[imap][imap_client][pair]") {
  Accounts accounts;
  accounts.store.append("INBOX", kHello, 1700000000);
  Session s({}, accounts,
            device({proto::imap_op::Sync{}, proto::imap_op::Idle{}}, proto::ImapClientTls::kNever));
  INFO(s.transcript());
  REQUIRE(s.client.idling());
  CHECK(s.of<cev::MessageFetched>().size() == 1);
  // Mail arrives; the owner tells the server, which pushes EXISTS during IDLE.
  accounts.store.append("INBOX", kDots, 1700000200);
  s.server.mailbox_changed(s.now);
  s.pump();
  REQUIRE(s.of<cev::Exists>().size() == 1);
  CHECK(s.of<cev::Exists>()[0].count == 2);
  // The device reacts: a Sync ends the IDLE and fetches only the new message.
  s.client.enqueue(proto::imap_op::Sync{}, s.now);
  s.pump();
  const auto fetched = s.of<cev::MessageFetched>();
  REQUIRE(fetched.size() == 2);
  CHECK(fetched[1].uid == 2);
  CHECK(fetched[1].content == kDots);
  CHECK_FALSE(s.client.idling());
  s.client.enqueue(proto::imap_op::Logout{}, s.now);
  s.pump();
  CHECK(s.client.finished());
  CHECK(s.client.error() == "");
}

TEST_CASE("imap client and server: two devices see each other's \\Seen",
          "[imap][imap_client][pair]") {
  Accounts accounts;
  accounts.store.append("INBOX", kHello, 1700000000);
  accounts.store.append("INBOX", kDots, 1700000100);
  // The laptop syncs and reads message 2.
  Session laptop(
      {}, accounts,
      device({proto::imap_op::Sync{}, proto::imap_op::MarkSeen{2}}, proto::ImapClientTls::kNever));
  REQUIRE(laptop.of<cev::MessageFetched>().size() == 2);
  // The phone already has both messages from an earlier sync; it learns the flag.
  auto phone_options =
      device({proto::imap_op::Sync{}, proto::imap_op::Logout{}}, proto::ImapClientTls::kNever);
  phone_options.known_uidvalidity = laptop.client.uidvalidity();
  phone_options.known_uids = {1, 2};
  Session phone({}, accounts, phone_options);
  INFO(phone.transcript());
  CHECK(phone.of<cev::MessageFetched>().empty());
  const auto flags = phone.of<cev::FlagsUpdated>();
  REQUIRE(flags.size() == 2);
  CHECK_FALSE(has_flag(flags[0].flags, "\\Seen"));
  CHECK(flags[1].uid == 2);
  CHECK(has_flag(flags[1].flags, "\\Seen"));
  // The phone reads message 1; the laptop, still connected, hears of it on its next Sync.
  Session phone2({}, accounts,
                 device({proto::imap_op::MarkSeen{1}, proto::imap_op::Logout{}},
                        proto::ImapClientTls::kNever));
  laptop.client.enqueue(proto::imap_op::Sync{}, laptop.now);
  laptop.pump();
  INFO(laptop.transcript());
  bool seen1 = false;
  for (const auto& f : laptop.of<cev::FlagsUpdated>()) {
    if (f.uid == 1 && has_flag(f.flags, "\\Seen")) seen1 = true;
  }
  CHECK(seen1);
  CHECK(laptop.client.error() == "");
}

}  // namespace mailhop::testing
