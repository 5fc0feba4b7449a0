// Loading and saving scenario files: round trips, defaults, the accepted spellings and the
// saved layout.

#include "sim/scenario/scenario_json.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace mailhop::scenario {
namespace {

std::string scenario_path(const std::string& name) {
  return std::string(MAILHOP_TEST_DATA_DIR) + "/scenarios/" + name;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Scenario load_ok(const std::string& name) {
  const LoadResult r = load_scenario_file(scenario_path(name));
  INFO(r.error_text());
  REQUIRE(r.ok());
  REQUIRE(r.errors.empty());
  return *r.scenario;
}

Scenario reload(const Scenario& s) {
  const std::string text = save_scenario(s);
  const LoadResult r = load_scenario(text);
  INFO(text);
  INFO(r.error_text());
  REQUIRE(r.ok());
  return *r.scenario;
}

// A scenario built in code that sets every field to something other than its default and
// uses every action and fault kind.
Scenario everything() {
  Scenario s;
  s.schema = "schema.json";
  s.title = {"Todo", "Everything"};
  s.description = {"Cada campo con un valor propio.", "Every field with a value of its own."};
  s.seed = 18446744073709551615ULL;
  s.until = SimTime::from_days(3);
  s.start_unix = 1709251199;  // 2024-02-29T23:59:59Z

  Node mua;
  mua.name = "pc.example";
  mua.roles = {Role::kMua, Role::kWebmail};
  mua.address = "2001:db8::7";
  Account acc;
  acc.address = "ana@example.org";
  acc.user = "ana";
  acc.password = "pw";
  acc.submission_host = "smtp.example.org";
  acc.submission_port = 2525;
  acc.submission_tls = TlsMode::kNone;
  acc.use_auth = false;
  acc.retrieval = RetrievalProtocol::kPop3;
  acc.retrieval_host = "smtp.example.org";
  acc.retrieval_port = 995;
  acc.retrieval_tls = TlsMode::kImplicit;
  acc.pop3_mode = Pop3Mode::kLeaveCopy;
  mua.accounts = {acc};
  mua.position = Position{-1.5, 1e-3};
  mua.label = {"PC de Ana", "Ana's PC"};

  Node server;
  server.name = "smtp.example.org";
  server.roles = {Role::kMsa,  Role::kMta,  Role::kMx, Role::kMda,
                  Role::kPop3, Role::kImap, Role::kDns};
  server.address = "192.0.2.1";
  server.domains = {"example.org", "example.net"};
  server.relay_host = "relay.example";
  server.relay_port = 26;
  server.ports = {2525, 1587, 1465, 1110, 1995, 1143, 1993};
  server.policy.max_message_size = 1000;
  server.policy.max_recipients = 2;
  server.policy.tls = false;
  server.policy.auth_requires_tls = false;
  server.policy.relay_clients = {"pc.example"};
  server.policy.greylisting = true;
  server.policy.greylist_delay = SimTime::from_millis(1500);
  server.policy.rate_limit_per_hour = 100;
  server.policy.add_message_id = false;
  server.queue = {SimTime::from_seconds(1), SimTime::from_seconds(10), SimTime::from_hours(1),
                  SimTime::from_minutes(30), SimTime::from_micros(7)};

  Node relay;
  relay.name = "relay.example";
  relay.roles = {Role::kMta};
  s.nodes = {mua, server, relay};

  s.links = {Link{"pc.example", "smtp.example.org", SimTime::from_micros(1), 64000, 0.125, false},
             Link{"smtp.example.org", "relay.example", SimTime::from_seconds(2), 1, 1.0, true}};
  s.dns = {DnsRecord{"example.org", DnsType::kMx, 0, "smtp.example.org"},
           DnsRecord{"smtp.example.org", DnsType::kA, 10, "192.0.2.1"},
           DnsRecord{"smtp.example.org", DnsType::kA, 10, "2001:db8::1"},
           DnsRecord{"example.org", DnsType::kTxt, 10, ""},
           DnsRecord{"example.net", DnsType::kMx, 0, "."}};
  s.users = {User{"ana@example.org", "pw", "smtp.example.org", 5},
             User{"bob@example.net", "", "", 0}};

  SendAction send;
  send.from_node = "pc.example";
  send.from = "ana@example.org";
  send.to = {"bob@example.net", "nobody@example.net"};
  send.cc = {"ana@example.org"};
  send.subject = "Asunto: ñ";
  send.body = "line 1\nline 2\n";
  send.header_from = "ceo@bank.example";
  send.headers = {{"X-A", "1"}, {"Reply-To", "ana@example.org"}};
  s.script.push_back({SimTime::from_seconds(1), send, {"nota", "note"}});
  const std::pair<FaultKind, std::string> faults[] = {
      {FaultKind::kHostDown, ""},
      {FaultKind::kHostCrash, ""},
      {FaultKind::kLinkDown, ""},
      {FaultKind::kLinkSlow, "2s"},
      {FaultKind::kLinkLossy, "0.5"},
      {FaultKind::kDnsFailure, "servfail"},
      {FaultKind::kTempRefusal, "greeting"},
      {FaultKind::kGreylisting, ""},
      {FaultKind::kMailboxFull, ""},
      {FaultKind::kUnknownUser, ""},
      {FaultKind::kTooLarge, "10"},
      {FaultKind::kRelayDenied, ""},
      {FaultKind::kAuthFailure, ""},
      {FaultKind::kRateLimit, "3"},
  };
  for (const auto& [kind, value] : faults) {
    FaultAction f;
    f.kind = kind;
    f.value = value;
    switch (kind) {
      case FaultKind::kLinkDown:
      case FaultKind::kLinkSlow:
      case FaultKind::kLinkLossy:
        f.target = "smtp.example.org--pc.example";
        break;
      case FaultKind::kDnsFailure:
        f.target = "_dmarc.example.org";
        break;
      case FaultKind::kMailboxFull:
      case FaultKind::kUnknownUser:
        f.target = "bob@example.net";
        break;
      default:
        f.target = "smtp.example.org";
        break;
    }
    if (kind == FaultKind::kHostDown) f.duration = SimTime::from_minutes(10);
    s.script.push_back({SimTime::from_minutes(2), f, {}});
  }
  s.script.push_back(
      {SimTime::from_hours(1), ClearFaultAction{FaultKind::kHostDown, "smtp.example.org"}, {}});
  s.script.push_back(
      {SimTime::from_hours(2),
       FetchAction{"pc.example", "ana@example.org", FetchOperation::kFetch, "", std::nullopt,
                   std::nullopt},
       {"leer", "read"}});
  s.script.push_back({SimTime::from_hours(2),
                      FetchAction{"pc.example", "ana@example.org", FetchOperation::kMarkRead,
                                  "Asunto: ñ", std::nullopt, std::nullopt},
                      {}});
  s.script.push_back({SimTime::from_hours(2),
                      FetchAction{"pc.example", "ana@example.org", FetchOperation::kDelete, "", 3,
                                  std::nullopt},
                      {}});

  s.traffic = Traffic{5, SimTime::from_hours(1), SimTime::from_seconds(1), 0};
  s.expect.mailboxes = {
      MailboxExpectation{"bob@example.net", 0, {"Asunto: ñ", ""}, std::nullopt, std::nullopt}};
  s.expect.bounces = {BounceExpectation{"ana@example.org", "nobody@example.net", "5.1.1"},
                      BounceExpectation{"ana@example.org", "bob@example.net", std::nullopt}};
  s.expect.bounce_count = 0;
  s.expect.replies = {ReplyExpectation{550, "5.7.1", "smtp.example.org", 3},
                      ReplyExpectation{421, std::nullopt, std::nullopt, std::nullopt}};
  s.expect.queues = {QueueExpectation{"relay.example", 4}};
  s.expect.mailboxes.push_back(MailboxExpectation{"ana@example.org", std::nullopt, {}, 2, 0});
  s.expect.devices = {DeviceExpectation{"pc.example", "ana@example.org", 1, {"Asunto: ñ"}, 1, 0,
                                        "-ERR [AUTH]"},
                      DeviceExpectation{"pc.example", "ana@example.org", std::nullopt, {},
                                        std::nullopt, std::nullopt, "refused"}};
  return s;
}

TEST_CASE("the rich scenario file is saved back byte for byte", "[scenario]") {
  // rich.json is written in the saved form: keys in the documented order, defaults left out.
  const std::string text = read_text(scenario_path("rich.json"));
  const Scenario s = load_ok("rich.json");
  CHECK(save_scenario(s) == text);
}

TEST_CASE("rich scenario: load, save, load gives an equal scenario", "[scenario]") {
  const Scenario s = load_ok("rich.json");
  CHECK(reload(s) == s);
  const std::string once = save_scenario(s);
  CHECK(save_scenario(reload(s)) == once);
}

TEST_CASE("the rich scenario reads every field into the right place", "[scenario]") {
  const Scenario s = load_ok("rich.json");
  CHECK(s.schema == "../../../scenarios/schema.json");
  CHECK(s.title.es == "Prueba completa: todos los campos");
  CHECK(s.title.en == "Full test: every field");
  CHECK(s.seed == 42);
  CHECK(s.until == SimTime::from_hours(2));
  CHECK(s.start_unix == 1772443800);  // 2026-03-02T09:30:00Z
  REQUIRE(s.nodes.size() == 11);

  const Node& laptop = s.nodes[0];
  CHECK(laptop.roles == std::vector<Role>{Role::kMua});
  CHECK(laptop.address == "198.51.100.20");
  REQUIRE(laptop.accounts.size() == 1);
  const Account& a = laptop.accounts[0];
  CHECK(a.address == "marcos@gmail.example");
  CHECK(a.user == "marcos");
  CHECK(a.password == "s3cret");
  CHECK(a.submission_host == "smtp.gmail.example");
  CHECK(a.submission_port == 465);
  CHECK(a.submission_tls == TlsMode::kImplicit);
  CHECK(a.use_auth);
  CHECK(a.retrieval == RetrievalProtocol::kImap);
  CHECK(a.retrieval_host == "imap.gmail.example");
  CHECK(a.retrieval_port == 993);
  CHECK(a.retrieval_tls == TlsMode::kImplicit);
  REQUIRE(laptop.position.has_value());
  CHECK(laptop.position->x == 80.0);
  CHECK(laptop.position->y == 120.5);
  CHECK(laptop.label.es == "Portátil de Marcos");

  const Account& julia = s.nodes[1].accounts.at(0);
  CHECK(julia.user == "julia@yahoo.example");  // defaults to the address
  CHECK(julia.submission_port == 587);
  CHECK(julia.submission_tls == TlsMode::kNone);
  CHECK_FALSE(julia.use_auth);
  CHECK(julia.retrieval == RetrievalProtocol::kPop3);
  CHECK(julia.pop3_mode == Pop3Mode::kLeaveCopy);

  const Node& gmail = s.nodes[2];
  CHECK(gmail.policy.max_message_size == 26214400);
  CHECK(gmail.policy.max_recipients == 50);
  CHECK(gmail.policy.rate_limit_per_hour == 100);
  CHECK_FALSE(gmail.policy.add_message_id);
  CHECK(gmail.policy.tls);  // default kept
  CHECK(gmail.queue.min_backoff == SimTime::from_minutes(1));
  CHECK(gmail.queue.max_backoff == SimTime::from_minutes(30));
  CHECK(gmail.queue.lifetime == SimTime::from_hours(2));
  CHECK(gmail.queue.bounce_lifetime == SimTime::from_hours(1));
  CHECK(gmail.queue.queue_run_delay == SimTime::from_seconds(30));

  CHECK(s.nodes[3].ports == Ports{0, 0, 0, 0, 0, 1143, 1993});
  const Node& mx = s.nodes[4];
  CHECK(mx.domains == std::vector<std::string>{"yahoo.example", "ymail.example"});
  CHECK_FALSE(mx.policy.tls);
  CHECK_FALSE(mx.policy.auth_requires_tls);
  CHECK(mx.policy.relay_clients == std::vector<std::string>{"smarthost.office.example"});
  CHECK(mx.policy.greylisting);
  CHECK(mx.policy.greylist_delay == SimTime::from_minutes(5));
  CHECK(s.nodes[7].relay_host == std::optional<std::string>("smtp.gmail.example"));
  CHECK(s.nodes[7].relay_port == 587);

  REQUIRE(s.links.size() == 7);
  CHECK(s.links[0].latency == SimTime::from_millis(20));
  CHECK(s.links[0].bandwidth_bps == 10000000);
  CHECK(s.links[0].loss == 0.01);
  CHECK_FALSE(s.links[2].up);
  CHECK(s.links[3].latency == SimTime::from_millis(10));  // default
  CHECK(s.links[4].latency == SimTime::from_micros(250));
  CHECK(s.links[6].latency == SimTime());

  REQUIRE(s.dns.size() == 7);
  CHECK(s.dns[0] == DnsRecord{"yahoo.example", DnsType::kMx, 10, "mx.yahoo.example"});
  CHECK(s.dns[1].preference == 20);
  CHECK(s.dns[2] == DnsRecord{"mx.yahoo.example", DnsType::kA, 10, "2001:db8::25"});
  CHECK(s.dns[5].type == DnsType::kTxt);
  CHECK(s.dns[6] == DnsRecord{"nomail.example", DnsType::kMx, 0, "."});

  REQUIRE(s.users.size() == 3);
  CHECK(s.users[0] == User{"marcos@gmail.example", "s3cret", "imap.gmail.example", 1048576});
  CHECK(s.users[2] == User{"pedro@office.example", "", "", 0});

  REQUIRE(s.script.size() == 19);
  const auto& send = std::get<SendAction>(s.script[0].action);
  CHECK(send.cc == std::vector<std::string>{"pedro@office.example", "nobody@yahoo.example"});
  CHECK(send.body == "¿Nos vemos el lunes?\nMarcos");
  CHECK(send.header_from == std::optional<std::string>("Banco <seguridad@banco.example>"));
  CHECK(send.headers.at("X-Mailer") == "mailhop");
  CHECK(s.script[0].note.en == "Marcos presses \"Send\".");
  CHECK(std::get<FetchAction>(s.script[1].action).account == "julia@yahoo.example");
  CHECK(std::get<FetchAction>(s.script[1].action).operation == FetchOperation::kFetch);
  CHECK(std::get<FetchAction>(s.script[2].action) ==
        FetchAction{"phone.julia.example", "julia@yahoo.example", FetchOperation::kMarkRead,
                    "Hola, Julia", std::nullopt, std::nullopt});
  CHECK(std::get<FetchAction>(s.script[3].action) ==
        FetchAction{"phone.julia.example", "julia@yahoo.example", FetchOperation::kDelete, "", 1,
                    std::nullopt});

  // Every fault kind appears once, with its value in the canonical text form.
  std::set<FaultKind> kinds;
  std::map<FaultKind, FaultAction> by_kind;
  for (const ScriptStep& step : s.script) {
    if (const auto* f = std::get_if<FaultAction>(&step.action)) {
      kinds.insert(f->kind);
      by_kind[f->kind] = *f;
    }
  }
  CHECK(kinds.size() == 14);
  CHECK(by_kind[FaultKind::kHostDown].duration == SimTime::from_minutes(30));
  CHECK(by_kind[FaultKind::kHostDown].value.empty());
  CHECK(by_kind[FaultKind::kLinkSlow].value == "200ms");
  CHECK(by_kind[FaultKind::kLinkLossy].value == "0.25");
  CHECK(by_kind[FaultKind::kDnsFailure].value == "nxdomain");
  CHECK(by_kind[FaultKind::kTempRefusal].value == "rcpt");
  CHECK(by_kind[FaultKind::kTooLarge].value == "1048576");
  CHECK(by_kind[FaultKind::kRateLimit].value == "100");
  const auto& clear = std::get<ClearFaultAction>(s.script.back().action);
  CHECK(clear.kind == FaultKind::kHostDown);
  CHECK(s.script.back().at == SimTime::from_minutes(90));

  CHECK(s.traffic == std::optional<Traffic>(
                         Traffic{100, SimTime::from_minutes(10), SimTime::from_seconds(2), 512}));
  CHECK(s.expect.mailboxes ==
        std::vector<MailboxExpectation>{{"julia@yahoo.example", 1, {"Hola, Julia"}, 0, 1}});
  CHECK(s.expect.devices ==
        std::vector<DeviceExpectation>{{"phone.julia.example", "julia@yahoo.example", 0, {},
                                        std::nullopt, std::nullopt, std::nullopt},
                                       {"phone.julia.example", "julia@yahoo.example",
                                        std::nullopt, {"Hola, Julia"}, 1, 0, "[AUTH]"}});
  CHECK(s.expect.bounces ==
        std::vector<BounceExpectation>{{"marcos@gmail.example", "nobody@yahoo.example", "5.1.1"}});
  CHECK(s.expect.bounce_count == 1);
  REQUIRE(s.expect.replies.size() == 2);
  CHECK(s.expect.replies[0] == ReplyExpectation{550, "5.7.1", "smtp.gmail.example", 2});
  CHECK(s.expect.replies[1] == ReplyExpectation{421, std::nullopt, std::nullopt, std::nullopt});
  CHECK(s.expect.queues ==
        std::vector<QueueExpectation>{{"smtp.gmail.example", 1}, {"mx2.yahoo.example", 0}});
}

TEST_CASE("a scenario built in code survives save and load", "[scenario]") {
  const Scenario s = everything();
  const std::string text = save_scenario(s);
  const Scenario back = reload(s);
  CHECK(back == s);
  CHECK(save_scenario(back) == text);
  // Numbers keep their JSON types.
  CHECK(text.find("\"value\": 0.5") != std::string::npos);
  CHECK(text.find("\"value\": 10}") != std::string::npos);
  CHECK(text.find("\"value\": \"2s\"") != std::string::npos);
  CHECK(text.find("\"seed\": 18446744073709551615") != std::string::npos);
  CHECK(text.find("\"start\": \"2024-02-29T23:59:59Z\"") != std::string::npos);
  CHECK(text.find("\"queue_run_delay\": \"7us\"") != std::string::npos);
  CHECK(text.find("\"type\": \"AAAA\", \"value\": \"2001:db8::1\"") != std::string::npos);
}

TEST_CASE("defaults apply to everything a file leaves out", "[scenario]") {
  const Scenario s = load_ok("minimal.json");
  const Scenario defaults;
  CHECK(s.schema.empty());
  CHECK(s.seed == 1);
  CHECK(s.until == SimTime::from_hours(1));
  CHECK(s.start_unix == 1'795'000'000);
  REQUIRE(s.nodes.size() == 2);
  const Node& pc = s.nodes[0];
  CHECK(pc.address.empty());
  CHECK(pc.domains.empty());
  CHECK_FALSE(pc.relay_host.has_value());
  CHECK(pc.relay_port == 25);
  CHECK(pc.ports == Ports{25, 587, 465, 110, 995, 143, 993});
  CHECK(pc.policy == ServerPolicy{});
  CHECK(pc.policy.max_message_size == 10 * 1024 * 1024);
  CHECK(pc.queue == QueueSettings{});
  CHECK(pc.queue.min_backoff == SimTime::from_seconds(300));
  CHECK(pc.queue.max_backoff == SimTime::from_seconds(4000));
  CHECK(pc.queue.lifetime == SimTime::from_days(5));
  CHECK_FALSE(pc.position.has_value());
  CHECK(pc.label == LocalizedText{});
  REQUIRE(pc.accounts.size() == 1);
  const Account& a = pc.accounts[0];
  CHECK(a.user == "ana@example.org");
  CHECK(a.password.empty());
  CHECK(a.submission_port == 587);
  CHECK(a.submission_tls == TlsMode::kStartTls);
  CHECK(a.use_auth);
  CHECK_FALSE(a.retrieval.has_value());
  CHECK(a.retrieval_port == 0);
  CHECK(a.retrieval_tls == TlsMode::kNone);
  CHECK(a.pop3_mode == Pop3Mode::kDownloadAndDelete);
  CHECK(s.links.at(0).latency == SimTime::from_millis(10));
  CHECK(s.links.at(0).bandwidth_bps == 0);
  CHECK(s.links.at(0).loss == 0.0);
  CHECK(s.links.at(0).up);
  CHECK(s.dns.at(0).preference == 10);
  CHECK(s.users.at(0).quota == 0);
  CHECK(s.users.at(0).password.empty());
  const auto& send = std::get<SendAction>(s.script.at(0).action);
  CHECK(send.to == std::vector<std::string>{"ana@example.org"});
  CHECK(send.cc.empty());
  CHECK(send.subject.empty());
  CHECK(send.body.empty());
  CHECK_FALSE(send.header_from.has_value());
  CHECK(send.headers.empty());
  CHECK(s.script.at(0).note == LocalizedText{});
  CHECK_FALSE(std::get<FaultAction>(s.script.at(1).action).duration.has_value());
  CHECK(s.expect.mailboxes.at(0).count == 0);
  CHECK(s.expect.mailboxes.at(0).subjects.empty());
  CHECK_FALSE(s.expect.bounce_count.has_value());
  CHECK(s.expect.queues.at(0).count == 0);
  CHECK_FALSE(s.traffic.has_value());
  CHECK(defaults.nodes.empty());
}

TEST_CASE("saving leaves defaults out", "[scenario]") {
  const std::string text = save_scenario(load_ok("minimal.json"));
  CHECK(
      text ==
      "{\n"
      "  \"title\": {\"es\": \"Mínimo\", \"en\": \"Minimal\"},\n"
      "  \"description\": {\"es\": \"Solo lo obligatorio.\", \"en\": \"Only what is required.\"},\n"
      "  \"nodes\": [\n"
      "    {\n"
      "      \"name\": \"pc.example\",\n"
      "      \"roles\": [\"mua\"],\n"
      "      \"accounts\": [{\"address\": \"ana@example.org\", \"submission_host\": "
      "\"smtp.example\"}]\n"
      "    },\n"
      "    {\"name\": \"smtp.example\", \"roles\": [\"msa\", \"mda\"]}\n"
      "  ],\n"
      "  \"links\": [{\"a\": \"pc.example\", \"b\": \"smtp.example\"}],\n"
      "  \"dns\": [{\"name\": \"example.org\", \"type\": \"MX\", \"value\": \"smtp.example\"}],\n"
      "  \"users\": [{\"address\": \"ana@example.org\", \"host\": \"smtp.example\"}],\n"
      "  \"script\": [\n"
      "    {\n"
      "      \"at\": \"0s\",\n"
      "      \"send\": {\"from_node\": \"pc.example\", \"from\": \"ana@example.org\", \"to\": "
      "[\"ana@example.org\"]}\n"
      "    },\n"
      "    {\"at\": \"0s\", \"fault\": {\"kind\": \"host_down\", \"target\": \"smtp.example\"}}\n"
      "  ],\n"
      "  \"expect\": {\n"
      "    \"mailboxes\": [{\"address\": \"ana@example.org\", \"count\": 0}],\n"
      "    \"queues\": [{\"node\": \"smtp.example\", \"count\": 0}]\n"
      "  }\n"
      "}\n");
}

TEST_CASE("other spellings load to the same values", "[scenario]") {
  const Scenario s = load_ok("variants.json");
  CHECK(s.until == SimTime::from_minutes(90));              // 5400 (seconds)
  CHECK(s.start_unix == 1794992400);                        // 2026-11-18T10:00:00+01:00
  CHECK(s.nodes[0].accounts.at(0).submission_port == 587);  // 587.0
  CHECK(s.nodes[0].position == std::optional<Position>(Position{-10.25, 3.0}));
  CHECK(s.nodes[1].queue.min_backoff == SimTime::from_millis(500));                // 0.5
  CHECK(s.nodes[1].queue.max_backoff == SimTime::from_minutes(10));                // "00:10:00"
  CHECK(s.nodes[1].queue.lifetime == SimTime::from_minutes(90));                   // "1.5h"
  CHECK(s.links[0].latency == SimTime::from_millis(15));                           // 0.015
  CHECK(s.links[0].loss == 1.0);                                                   // 1
  CHECK(s.dns[0].type == DnsType::kMx);                                            // "mx"
  CHECK(s.dns[1].type == DnsType::kA);                                             // "a"
  CHECK(s.dns[2] == DnsRecord{"smtp.a.example", DnsType::kA, 10, "2001:DB8::1"});  // "aaaa"

  // The script is sorted by time; equal times keep the file's order.
  REQUIRE(s.script.size() == 5);
  CHECK(s.script[0].at == SimTime::from_seconds(30));
  CHECK(std::get<SendAction>(s.script[0].action).subject == "first");
  CHECK(std::get<SendAction>(s.script[0].action).cc == std::vector<std::string>{"ana@a.example"});
  CHECK(std::get<SendAction>(s.script[1].action).subject == "second");
  CHECK(std::get<SendAction>(s.script[1].action).to == std::vector<std::string>{"Bob@a.example"});
  CHECK(std::get<FaultAction>(s.script[2].action).kind == FaultKind::kLinkSlow);
  CHECK(std::get<FaultAction>(s.script[2].action).value == "200ms");    // 0.2
  CHECK(std::get<FaultAction>(s.script[3].action).value == "1");        // 1
  CHECK(std::get<FaultAction>(s.script[4].action).value == "1000000");  // 1e6
  for (std::size_t i = 1; i < s.script.size(); ++i)
    CHECK(s.script[i].at == SimTime::from_minutes(1));
  // Traffic with only the number of messages keeps the other defaults.
  CHECK(s.traffic == std::optional<Traffic>(Traffic{3, SimTime(), SimTime::from_millis(10), 2048}));

  // And they save in the canonical spelling, which loads back equal.
  const std::string text = save_scenario(s);
  CHECK(text.find("\"until\": \"90m\"") != std::string::npos);
  CHECK(text.find("\"start\": \"2026-11-18T09:00:00Z\"") != std::string::npos);
  CHECK(text.find("\"type\": \"mx\"") == std::string::npos);
  CHECK(text.find("\"type\": \"AAAA\"") != std::string::npos);
  CHECK(text.find("  \"traffic\": {\"messages\": 3},\n") != std::string::npos);
  CHECK(reload(s) == s);
}

TEST_CASE("times are saved in the largest exact unit", "[scenario]") {
  CHECK(format_scenario_time(SimTime()) == "0s");
  CHECK(format_scenario_time(SimTime::from_days(5)) == "5d");
  CHECK(format_scenario_time(SimTime::from_hours(49)) == "49h");
  CHECK(format_scenario_time(SimTime::from_minutes(5)) == "5m");
  CHECK(format_scenario_time(SimTime::from_seconds(300)) == "5m");
  CHECK(format_scenario_time(SimTime::from_seconds(4000)) == "4000s");
  CHECK(format_scenario_time(SimTime::from_seconds(90)) == "90s");
  CHECK(format_scenario_time(SimTime::from_millis(250)) == "250ms");
  CHECK(format_scenario_time(SimTime::from_millis(1500)) == "1500ms");
  CHECK(format_scenario_time(SimTime::from_micros(1001)) == "1001us");
  CHECK(format_scenario_time(SimTime::from_seconds(-30)) == "-30s");
  // Every saved form parses back to the same time.
  for (const SimTime t : {SimTime::from_days(5), SimTime::from_seconds(4000),
                          SimTime::from_micros(1001), SimTime::from_millis(250)}) {
    SimTime back;
    REQUIRE(core::parse_sim_time(format_scenario_time(t), &back, nullptr));
    CHECK(back == t);
  }
}

TEST_CASE("names used in files", "[scenario]") {
  CHECK(role_name(Role::kWebmail) == "webmail");
  CHECK(parse_role("pop3") == std::optional<Role>(Role::kPop3));
  CHECK_FALSE(parse_role("POP3").has_value());
  CHECK(tls_mode_name(TlsMode::kStartTls) == "starttls");
  CHECK(fault_kind_name(FaultKind::kDnsFailure) == "dns_failure");
  CHECK(parse_fault_kind("rate_limit") == std::optional<FaultKind>(FaultKind::kRateLimit));
  CHECK_FALSE(parse_fault_kind("ratelimit").has_value());
}

TEST_CASE("long arrays and objects break over lines, short ones stay on one", "[scenario]") {
  Scenario s;
  s.title = {"T", "T"};
  s.description = {std::string(120, 'x'), "d"};
  Node n;
  n.name = "n.example";
  n.roles = {Role::kMta};
  for (int i = 0; i < 12; ++i) n.domains.push_back("domain" + std::to_string(i) + ".example");
  s.nodes = {n};
  const std::string text = save_scenario(s);
  CHECK(text.find("  \"title\": {\"es\": \"T\", \"en\": \"T\"},\n") != std::string::npos);
  CHECK(text.find("  \"description\": {\n    \"es\": \"" + std::string(120, 'x') + "\",\n") !=
        std::string::npos);
  CHECK(text.find("      \"domains\": [\n        \"domain0.example\",\n") != std::string::npos);
  for (const std::string& line : [&] {
         std::vector<std::string> lines;
         std::istringstream in(text);
         for (std::string l; std::getline(in, l);) lines.push_back(l);
         return lines;
       }()) {
    // Only a single long string may overflow the width.
    if (line.size() > 100) CHECK(line.find("xxxxxxxx") != std::string::npos);
  }
  CHECK(reload(s) == s);
}

}  // namespace
}  // namespace mailhop::scenario
