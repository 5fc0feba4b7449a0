// Mail retrieval in the world: POP3 sessions between devices and the mail host, what each
// device keeps, the webmail reading the store directly, and failures that lose nothing.

#include "sim/world/retrieval.h"

#include <catch2/catch.hpp>

#include <algorithm>

#include "sim/world/expectations.h"
#include "sim/world/world.h"

using namespace mailhop;
using core::SimTime;
using scenario::FetchOperation;
using scenario::Role;

namespace {

constexpr const char* kHost = "mail.yahoo.example";
constexpr const char* kLaptop = "laptop.julia.example";
constexpr const char* kPhone = "phone.julia.example";
constexpr const char* kJulia = "julia@yahoo.example";

scenario::Account julia_account(scenario::RetrievalProtocol protocol, scenario::TlsMode tls,
                                scenario::Pop3Mode mode, std::string password = "julia123") {
  scenario::Account a;
  a.address = kJulia;
  a.password = std::move(password);
  a.submission_host = kHost;
  a.retrieval = protocol;
  a.retrieval_host = kHost;
  a.retrieval_tls = tls;
  a.pop3_mode = mode;
  return a;
}

// Marcos (gmail.example) sends Julia two messages at 1 s and 2 s; they are in her INBOX on
// mail.yahoo.example well before 1 minute. Julia reads on a laptop and a phone, each with the
// account given, and in the webmail of her provider.
scenario::Scenario world_with(const scenario::Account& laptop_account,
                              const scenario::Account& phone_account) {
  scenario::Scenario s;
  scenario::Node marcos;
  marcos.name = "laptop.marcos.example";
  marcos.roles = {Role::kMua};
  scenario::Account m;
  m.address = "marcos@gmail.example";
  m.password = "marcos123";
  m.submission_host = "smtp.gmail.example";
  marcos.accounts = {m};
  scenario::Node gmail;
  gmail.name = "smtp.gmail.example";
  gmail.roles = {Role::kMsa, Role::kMta, Role::kMx, Role::kMda};
  gmail.domains = {"gmail.example"};
  scenario::Node yahoo;
  yahoo.name = kHost;
  yahoo.roles = {Role::kMsa, Role::kMx, Role::kMda, Role::kPop3, Role::kImap, Role::kWebmail};
  yahoo.domains = {"yahoo.example"};
  scenario::Account web;
  web.address = kJulia;
  web.password = "julia123";
  web.submission_host = kHost;
  yahoo.accounts = {web};
  scenario::Node laptop;
  laptop.name = kLaptop;
  laptop.roles = {Role::kMua};
  laptop.accounts = {laptop_account};
  scenario::Node phone;
  phone.name = kPhone;
  phone.roles = {Role::kMua};
  phone.accounts = {phone_account};
  s.nodes = {marcos, gmail, yahoo, laptop, phone};
  s.links = {{"laptop.marcos.example", "smtp.gmail.example", SimTime::from_millis(20), 0, 0.0, true},
             {"smtp.gmail.example", kHost, SimTime::from_millis(40), 0, 0.0, true},
             {kLaptop, kHost, SimTime::from_millis(15), 0, 0.0, true},
             {kPhone, kHost, SimTime::from_millis(60), 0, 0.0, true}};
  s.dns = {{"gmail.example", scenario::DnsType::kMx, 10, "smtp.gmail.example"},
           {"yahoo.example", scenario::DnsType::kMx, 10, kHost}};
  s.users = {{"marcos@gmail.example", "marcos123", "", 0}, {kJulia, "julia123", "", 0}};
  for (const char* subject : {"Uno", "Dos"}) {
    scenario::SendAction send;
    send.from_node = "laptop.marcos.example";
    send.from = "marcos@gmail.example";
    send.to = {kJulia};
    send.subject = subject;
    send.body = "Hola Julia:\n.una línea con punto\n";
    s.script.push_back({SimTime::from_seconds(static_cast<std::int64_t>(s.script.size()) + 1), send, {}});
  }
  return s;
}

scenario::Scenario pop3_world(scenario::Pop3Mode mode,
                              scenario::TlsMode tls = scenario::TlsMode::kNone) {
  const auto a = julia_account(scenario::RetrievalProtocol::kPop3, tls, mode);
  return world_with(a, a);
}

void at(scenario::Scenario& s, SimTime t, const std::string& node, FetchOperation op = FetchOperation::kFetch,
        std::string subject = {}) {
  scenario::FetchAction f;
  f.node = node;
  f.account = kJulia;
  f.operation = op;
  f.subject = std::move(subject);
  s.script.push_back({t, f, {}});
}

struct Run {
  core::Trace trace;
  core::TraceRecorder rec;
  std::unique_ptr<world::World> world;

  explicit Run(const scenario::Scenario& s, SimTime until = SimTime::from_minutes(10)) {
    trace.add_observer(&rec);
    std::string error;
    world = world::World::build(s, trace, &error);
    INFO(error);
    REQUIRE(world);
    world->start();
    world->run_until(until);
  }
  const world::DeviceMailbox* device(const char* node) const {
    return world->retrieval().device(node, kJulia);
  }
  std::size_t shown(const char* node) const {
    const world::DeviceMailbox* d = device(node);
    return d ? d->messages.size() : 0;
  }
  std::size_t on_server() { return world->mailbox(kJulia)->inbox().count(); }
  // The lines of `protocol` sent by `node` (client lines) or to it (server lines), in order.
  std::vector<std::string> lines(core::TraceKind kind, const std::string& protocol) const {
    std::vector<std::string> out;
    for (const core::TraceEvent& e : rec.events())
      if (e.kind == kind && e.protocol == protocol) out.push_back(e.text);
    return out;
  }
  bool has_line(core::TraceKind kind, const std::string& text) const {
    const auto all = lines(kind, "POP3");
    return std::find(all.begin(), all.end(), text) != all.end();
  }
  std::size_t count_lines(core::TraceKind kind, const std::string& prefix) const {
    std::size_t n = 0;
    for (const std::string& l : lines(kind, "POP3"))
      if (l.starts_with(prefix)) ++n;
    return n;
  }
};

}  // namespace

TEST_CASE("POP3 download and delete: the phone never sees what the laptop took", "[retrieval]") {
  auto s = pop3_world(scenario::Pop3Mode::kDownloadAndDelete);
  at(s, SimTime::from_minutes(1), kLaptop);
  at(s, SimTime::from_minutes(2), kPhone);
  Run r(s);
  CHECK(r.shown(kLaptop) == 2);
  CHECK(r.device(kLaptop)->messages[0].subject == "Uno");
  CHECK(r.device(kLaptop)->messages[1].subject == "Dos");
  // The dot-stuffed line came back as it was written.
  CHECK(r.device(kLaptop)->messages[0].content.find("\r\n.una l") != std::string::npos);
  REQUIRE(r.device(kPhone));
  CHECK(r.device(kPhone)->last_error.empty());
  CHECK(r.shown(kPhone) == 0);
  CHECK(r.on_server() == 0);
  // The classic session, every line in the trace as POP3.
  CHECK(r.has_line(core::TraceKind::kClientLine, "USER julia@yahoo.example"));
  CHECK(r.has_line(core::TraceKind::kClientLine, "PASS julia123"));
  CHECK(r.has_line(core::TraceKind::kClientLine, "RETR 2"));
  CHECK(r.has_line(core::TraceKind::kClientLine, "DELE 2"));
  CHECK(r.count_lines(core::TraceKind::kClientLine, "QUIT") == 2);
  CHECK(r.count_lines(core::TraceKind::kServerLine, "+OK") > 8);
  // The phone's STAT says the maildrop is empty.
  CHECK(r.has_line(core::TraceKind::kServerLine, "+OK 0 0"));
  CHECK(r.world->stats().mailbox_sessions == 2);
  CHECK(r.world->audit().empty());
}

TEST_CASE("POP3 leave a copy: both devices have the messages, none twice", "[retrieval]") {
  auto s = pop3_world(scenario::Pop3Mode::kLeaveCopy);
  at(s, SimTime::from_minutes(1), kLaptop);
  at(s, SimTime::from_minutes(2), kPhone);
  at(s, SimTime::from_minutes(3), kLaptop);
  Run r(s);
  CHECK(r.shown(kLaptop) == 2);
  CHECK(r.shown(kPhone) == 2);
  CHECK(r.on_server() == 2);
  CHECK(r.count_lines(core::TraceKind::kClientLine, "DELE") == 0);
  CHECK(r.has_line(core::TraceKind::kClientLine, "UIDL"));
  // Each device downloads each message once: the laptop's second check skips the two it has.
  CHECK(r.count_lines(core::TraceKind::kClientLine, "RETR 1") == 2);
  CHECK(r.count_lines(core::TraceKind::kClientLine, "RETR 2") == 2);
  CHECK(r.count_lines(core::TraceKind::kClientLine, "QUIT") == 3);
  // The unique-ids are stable: the same message has the same UIDL on every session.
  CHECK(r.device(kLaptop)->messages[0].pop3_uid == r.device(kPhone)->messages[0].pop3_uid);
  CHECK(r.device(kLaptop)->messages[0].pop3_uid != r.device(kLaptop)->messages[1].pop3_uid);
}

TEST_CASE("POP3 marks and deletions stay on the device", "[retrieval]") {
  auto s = pop3_world(scenario::Pop3Mode::kLeaveCopy);
  at(s, SimTime::from_minutes(1), kLaptop);
  at(s, SimTime::from_minutes(2), kLaptop, FetchOperation::kMarkRead, "Uno");
  at(s, SimTime::from_minutes(3), kLaptop, FetchOperation::kDelete, "Dos");
  at(s, SimTime::from_minutes(4), kLaptop);  // does not bring "Dos" back
  at(s, SimTime::from_minutes(5), kPhone);
  Run r(s);
  REQUIRE(r.shown(kLaptop) == 1);
  CHECK(r.device(kLaptop)->messages[0].subject == "Uno");
  CHECK(r.device(kLaptop)->messages[0].seen);
  // The server knows nothing of it: both messages, neither read; the phone gets both unread.
  CHECK(r.on_server() == 2);
  CHECK(r.world->mailbox(kJulia)->inbox().unseen_count() == 2);
  CHECK(r.shown(kPhone) == 2);
  CHECK(r.device(kPhone)->seen_count() == 0);
}

TEST_CASE("POP3 with STLS on 110 and implicit TLS on 995", "[retrieval]") {
  auto s = world_with(julia_account(scenario::RetrievalProtocol::kPop3, scenario::TlsMode::kStartTls,
                                    scenario::Pop3Mode::kLeaveCopy),
                      julia_account(scenario::RetrievalProtocol::kPop3, scenario::TlsMode::kImplicit,
                                    scenario::Pop3Mode::kLeaveCopy));
  at(s, SimTime::from_minutes(1), kLaptop);
  at(s, SimTime::from_minutes(2), kPhone);
  Run r(s);
  CHECK(r.shown(kLaptop) == 2);
  CHECK(r.shown(kPhone) == 2);
  CHECK(r.has_line(core::TraceKind::kClientLine, "STLS"));
  std::vector<std::string> opened;
  std::size_t handshakes = 0;
  for (const core::TraceEvent& e : r.rec.events()) {
    if (e.kind == core::TraceKind::kConnectionOpened && e.protocol == "POP3") opened.push_back(e.text);
    if (e.kind == core::TraceKind::kTlsHandshake && e.protocol == "POP3") ++handshakes;
  }
  CHECK(handshakes == 2);
  // The greeting on 995 comes after the handshake: no STLS there (only the laptop sent one).
  CHECK(r.count_lines(core::TraceKind::kClientLine, "STLS") == 1);
}

TEST_CASE("POP3 wrong password: -ERR [AUTH], nothing downloaded, nothing lost", "[retrieval]") {
  auto s = world_with(julia_account(scenario::RetrievalProtocol::kPop3, scenario::TlsMode::kNone,
                                    scenario::Pop3Mode::kDownloadAndDelete, "julia321"),
                      julia_account(scenario::RetrievalProtocol::kPop3, scenario::TlsMode::kNone,
                                    scenario::Pop3Mode::kDownloadAndDelete));
  at(s, SimTime::from_minutes(1), kLaptop);
  Run r(s);
  REQUIRE(r.device(kLaptop));
  CHECK(r.device(kLaptop)->last_error.find("-ERR [AUTH]") != std::string::npos);
  CHECK(r.shown(kLaptop) == 0);
  CHECK(r.on_server() == 2);
  CHECK(r.count_lines(core::TraceKind::kServerLine, "-ERR [AUTH]") == 1);

  scenario::Expectations x;
  scenario::DeviceExpectation d;
  d.node = kLaptop;
  d.account = kJulia;
  d.count = 0;
  d.error = "[AUTH]";
  x.devices.push_back(d);
  const auto results = world::check_expectations(*r.world, x);
  REQUIRE(results.size() == 3);  // count, error, nothing lost
  for (const auto& res : results) CHECK(res.passed);
}

TEST_CASE("server down while fetching: the device reports it, the server keeps the mail", "[retrieval]") {
  SECTION("down before the device connects") {
    auto s = pop3_world(scenario::Pop3Mode::kDownloadAndDelete);
    scenario::FaultAction down;
    down.kind = scenario::FaultKind::kHostDown;
    down.target = kHost;
    s.script.push_back({SimTime::from_seconds(30), down, {}});
    at(s, SimTime::from_minutes(1), kLaptop);
    Run r(s);
    REQUIRE(r.device(kLaptop));
    CHECK(r.device(kLaptop)->last_error.find("Connection refused") != std::string::npos);
    CHECK(r.shown(kLaptop) == 0);
    CHECK(r.on_server() == 2);
  }
  SECTION("crashes in the middle of the session: no deletion without QUIT") {
    auto s = pop3_world(scenario::Pop3Mode::kDownloadAndDelete);
    at(s, SimTime::from_minutes(1), kLaptop);
    scenario::FaultAction crash;
    crash.kind = scenario::FaultKind::kHostCrash;
    crash.target = kHost;
    // 15 ms each way: connect, greeting, USER, PASS, STAT, UIDL, RETR 1 take about 0.2 s.
    s.script.push_back({SimTime::from_minutes(1) + SimTime::from_millis(200), crash, {}});
    Run r(s);
    REQUIRE(r.device(kLaptop));
    CHECK_FALSE(r.device(kLaptop)->last_error.empty());
    CHECK(r.has_line(core::TraceKind::kClientLine, "RETR 1"));
    CHECK_FALSE(r.has_line(core::TraceKind::kClientLine, "QUIT"));
    // The UPDATE state never came: both messages are still on the server.
    CHECK(r.on_server() == 2);
    CHECK(r.world->audit().empty());
  }
  SECTION("after the crash, the next check takes everything, with no duplicate on the device") {
    auto s = pop3_world(scenario::Pop3Mode::kDownloadAndDelete);
    at(s, SimTime::from_minutes(1), kLaptop);
    scenario::FaultAction crash;
    crash.kind = scenario::FaultKind::kHostCrash;
    crash.target = kHost;
    crash.duration = SimTime::from_minutes(1);
    // After RETR 1 was answered and before QUIT.
    s.script.push_back({SimTime::from_minutes(1) + SimTime::from_millis(290), crash, {}});
    at(s, SimTime::from_minutes(3), kLaptop);
    Run r(s);
    CHECK(r.count_lines(core::TraceKind::kClientLine, "RETR 1") == 2);
    CHECK(r.on_server() == 0);
    CHECK(r.shown(kLaptop) == 2);
    CHECK(r.device(kLaptop)->last_error.empty());
  }
}

TEST_CASE("webmail reads and changes the mailbox on the server directly", "[retrieval]") {
  auto s = pop3_world(scenario::Pop3Mode::kLeaveCopy);
  at(s, SimTime::from_minutes(1), kHost);
  at(s, SimTime::from_minutes(2), kHost, FetchOperation::kMarkRead, "Uno");
  at(s, SimTime::from_minutes(3), kHost, FetchOperation::kDelete, "Dos");
  at(s, SimTime::from_minutes(4), kLaptop);
  Run r(s);
  const world::DeviceMailbox* web = r.world->retrieval().device(kHost, kJulia);
  REQUIRE(web);
  CHECK(web->access == world::DeviceAccess::kWebmail);
  REQUIRE(web->messages.size() == 1);
  CHECK(web->messages[0].subject == "Uno");
  CHECK(web->messages[0].seen);
  CHECK(r.on_server() == 1);
  CHECK(r.world->mailbox(kJulia)->inbox().unseen_count() == 0);
  // No protocol: the webmail opened no connection; the laptop's POP3 sees the one left.
  CHECK(r.world->stats().mailbox_sessions == 1);
  CHECK(r.shown(kLaptop) == 1);
  bool opened_note = false;
  for (const core::TraceEvent& e : r.rec.events())
    if (e.kind == core::TraceKind::kNote && e.text == "webmail: julia@yahoo.example opened INBOX, 2 messages, 2 unread")
      opened_note = true;
  CHECK(opened_note);

  scenario::Expectations x;
  scenario::MailboxExpectation m;
  m.address = kJulia;
  m.count = 1;
  m.seen = 1;
  m.unseen = 0;
  x.mailboxes.push_back(m);
  scenario::DeviceExpectation d;
  d.node = kHost;
  d.account = kJulia;
  d.subjects = {"Uno"};
  d.seen = 1;
  x.devices.push_back(d);
  for (const auto& res : world::check_expectations(*r.world, x)) CHECK(res.passed);
}

TEST_CASE("device expectations fail with what the device shows", "[retrieval]") {
  auto s = pop3_world(scenario::Pop3Mode::kDownloadAndDelete);
  at(s, SimTime::from_minutes(1), kLaptop);
  Run r(s);
  scenario::Expectations x;
  scenario::DeviceExpectation d;
  d.node = kPhone;  // never fetched
  d.account = kJulia;
  d.count = 1;
  d.subjects = {"Uno"};
  d.error = "[AUTH]";
  x.devices.push_back(d);
  const auto results = world::check_expectations(*r.world, x);
  REQUIRE(results.size() == 4);
  CHECK_FALSE(results[0].passed);
  CHECK(results[0].detail.key == "expect.found_count");
  CHECK(results[0].detail.args == std::vector<std::string>{"0"});
  CHECK_FALSE(results[1].passed);
  CHECK(results[1].detail.key == "expect.device_empty");
  CHECK_FALSE(results[2].passed);
  CHECK(results[2].detail.key == "expect.device_no_error");
  CHECK(results[3].passed);  // nothing lost
}

namespace {

scenario::Scenario imap_world(scenario::TlsMode laptop_tls = scenario::TlsMode::kStartTls,
                              scenario::TlsMode phone_tls = scenario::TlsMode::kImplicit) {
  return world_with(julia_account(scenario::RetrievalProtocol::kImap, laptop_tls,
                                  scenario::Pop3Mode::kDownloadAndDelete),
                    julia_account(scenario::RetrievalProtocol::kImap, phone_tls,
                                  scenario::Pop3Mode::kDownloadAndDelete));
}

std::size_t imap_lines(const Run& r, core::TraceKind kind, const std::string& text) {
  const auto all = r.lines(kind, "IMAP");
  return static_cast<std::size_t>(std::count(all.begin(), all.end(), text));
}

// Client commands without their tags ("A3 EXPUNGE" counts as "EXPUNGE").
std::size_t imap_commands(const Run& r, const std::string& command) {
  std::size_t n = 0;
  for (const std::string& line : r.lines(core::TraceKind::kClientLine, "IMAP"))
    if (line.find(' ') != std::string::npos && line.substr(line.find(' ') + 1) == command) ++n;
  return n;
}

}  // namespace

TEST_CASE("IMAP on two devices: both show the mail, read marks and deletions follow", "[retrieval]") {
  auto s = imap_world();
  at(s, SimTime::from_minutes(1), kLaptop);
  at(s, SimTime::from_minutes(2), kPhone);
  at(s, SimTime::from_minutes(3), kPhone, FetchOperation::kMarkRead, "Uno");
  at(s, SimTime::from_minutes(4), kLaptop);
  at(s, SimTime::from_minutes(5), kLaptop, FetchOperation::kDelete, "Dos");
  at(s, SimTime::from_minutes(6), kPhone);
  Run r(s);
  const mail::Folder& inbox = r.world->mailbox(kJulia)->inbox();
  // The server keeps the mail; "Dos" was expunged from the laptop.
  REQUIRE(inbox.count() == 1);
  CHECK(inbox.messages()[0].flags.has(mail::SystemFlag::kSeen));
  for (const char* device : {kLaptop, kPhone}) {
    INFO(device);
    REQUIRE(r.shown(device) == 1);
    const world::DeviceMessage& m = r.device(device)->messages[0];
    CHECK(m.subject == "Uno");
    CHECK(m.seen);
    // The device holds the server's UID under the server's UIDVALIDITY.
    CHECK(m.uid == inbox.messages()[0].uid);
    CHECK(r.device(device)->uidvalidity == inbox.uidvalidity());
    CHECK(r.device(device)->last_error.empty());
  }
  CHECK(imap_commands(r, "UID STORE 1 +FLAGS (\\Seen)") == 1);
  CHECK(imap_commands(r, "UID STORE 2 +FLAGS (\\Deleted)") == 1);
  CHECK(imap_commands(r, "EXPUNGE") == 1);
  // Each device downloads both once; fetching never marks read on its own (BODY.PEEK).
  CHECK(imap_commands(r, "UID FETCH 1:2 (UID FLAGS BODY.PEEK[])") == 2);
  CHECK(imap_commands(r, "SELECT \"INBOX\"") == 6);
  CHECK(r.world->stats().mailbox_sessions == 6);
  CHECK(r.world->audit().empty());
}

TEST_CASE("IMAP IDLE: new mail is pushed to the device as it is delivered", "[retrieval]") {
  auto s = imap_world(scenario::TlsMode::kNone, scenario::TlsMode::kNone);
  scenario::FetchAction idle;
  idle.node = kPhone;
  idle.account = kJulia;
  idle.operation = FetchOperation::kIdle;
  idle.duration = SimTime::from_minutes(3);
  // Waiting before the first message is sent (at 1 s).
  s.script.insert(s.script.begin(), {SimTime::from_millis(100), idle, {}});
  Run r(s);
  REQUIRE(r.shown(kPhone) == 2);
  CHECK(r.device(kPhone)->messages[0].subject == "Uno");
  CHECK(r.device(kPhone)->messages[1].subject == "Dos");
  CHECK(r.device(kPhone)->seen_count() == 0);
  // The server announced each message while the phone idled, and the phone fetched it.
  CHECK(imap_lines(r, core::TraceKind::kServerLine, "* 1 EXISTS") >= 1);
  CHECK(imap_lines(r, core::TraceKind::kServerLine, "* 2 EXISTS") >= 1);
  CHECK(imap_lines(r, core::TraceKind::kClientLine, "DONE") >= 2);
  // Each message reached the phone within a second of its delivery.
  std::vector<SimTime> delivered, fetched;
  for (const core::TraceEvent& e : r.rec.events()) {
    if (e.kind == core::TraceKind::kDelivered && e.text == kJulia) delivered.push_back(e.time);
    if (e.kind == core::TraceKind::kDataSent && e.protocol == "IMAP") fetched.push_back(e.time);
  }
  REQUIRE(delivered.size() == 2);
  REQUIRE(fetched.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(fetched[i] > delivered[i]);
    CHECK(fetched[i] - delivered[i] < SimTime::from_seconds(1));
  }
  // The idle step ends with LOGOUT after its 3 minutes.
  bool logged_out = false;
  for (const core::TraceEvent& e : r.rec.events())
    if (e.kind == core::TraceKind::kClientLine && e.protocol == "IMAP" && e.text.ends_with(" LOGOUT")) {
      logged_out = true;
      CHECK(e.time >= SimTime::from_millis(100) + SimTime::from_minutes(3));
    }
  CHECK(logged_out);
}

TEST_CASE("IMAP wrong password: NO [AUTHENTICATIONFAILED], nothing fetched", "[retrieval]") {
  auto s = world_with(julia_account(scenario::RetrievalProtocol::kImap, scenario::TlsMode::kNone,
                                    scenario::Pop3Mode::kDownloadAndDelete, "nope"),
                      julia_account(scenario::RetrievalProtocol::kImap, scenario::TlsMode::kNone,
                                    scenario::Pop3Mode::kDownloadAndDelete));
  at(s, SimTime::from_minutes(1), kLaptop);
  Run r(s);
  REQUIRE(r.device(kLaptop));
  CHECK(r.device(kLaptop)->last_error.find("NO [AUTHENTICATIONFAILED]") != std::string::npos);
  CHECK(r.shown(kLaptop) == 0);
  CHECK(r.on_server() == 2);
}

TEST_CASE("IMAP server down: the device reports it and keeps what it had", "[retrieval]") {
  auto s = imap_world();
  at(s, SimTime::from_minutes(1), kLaptop);
  scenario::FaultAction down;
  down.kind = scenario::FaultKind::kHostDown;
  down.target = kHost;
  s.script.push_back({SimTime::from_minutes(2), down, {}});
  at(s, SimTime::from_minutes(3), kLaptop);
  Run r(s);
  REQUIRE(r.device(kLaptop));
  CHECK(r.device(kLaptop)->last_error.find("Connection refused") != std::string::npos);
  CHECK(r.shown(kLaptop) == 2);
  CHECK(r.on_server() == 2);
}

TEST_CASE("IMAP IDLE: a read mark or a deletion on another device shows at once", "[retrieval]") {
  auto s = imap_world(scenario::TlsMode::kNone, scenario::TlsMode::kNone);
  scenario::FetchAction idle;
  idle.node = kLaptop;
  idle.account = kJulia;
  idle.operation = FetchOperation::kIdle;
  idle.duration = SimTime::from_minutes(5);
  s.script.push_back({SimTime::from_minutes(1), idle, {}});
  at(s, SimTime::from_minutes(2), kPhone);
  at(s, SimTime::from_minutes(3), kPhone, FetchOperation::kMarkRead, "Uno");
  at(s, SimTime::from_minutes(4), kPhone, FetchOperation::kDelete, "Dos");
  // Stop before the laptop's idle step ends: what it shows was pushed, not fetched later.
  Run r(s, SimTime::from_minutes(5));
  REQUIRE(r.shown(kLaptop) == 1);
  CHECK(r.device(kLaptop)->messages[0].subject == "Uno");
  CHECK(r.device(kLaptop)->messages[0].seen);
  CHECK(r.shown(kPhone) == 1);
  CHECK(r.on_server() == 1);
  // The laptop is still connected, idling: its session has not logged out.
  std::size_t logouts = 0;
  for (const core::TraceEvent& e : r.rec.events())
    if (e.kind == core::TraceKind::kClientLine && e.node == kLaptop && e.text.ends_with(" LOGOUT")) ++logouts;
  CHECK(logouts == 0);
}
