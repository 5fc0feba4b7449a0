// Clients outside the simulation (the real sockets of `mailhop serve`) talking to the world's
// servers through World::connect_external: the same servers, policies, queues and mailboxes.

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim/core/trace.h"
#include "sim/scenario/scenario_json.h"
#include "sim/world/world.h"

using namespace mailhop;
using core::SimTime;

namespace {

struct Outside : world::World::ExternalClient {
  std::string received;
  bool closed = false;
  void on_bytes(std::string_view bytes) override { received += bytes; }
  void on_closed() override { closed = true; }
};

struct Journey {
  core::Trace trace;
  core::TraceRecorder rec;
  std::unique_ptr<world::World> world;
  SimTime now = SimTime::from_seconds(60);  // after the scenario's own message

  Journey() {
    scenario::LoadResult loaded =
        scenario::load_scenario_file(std::string(MAILHOP_SCENARIOS_DIR) + "/01-journey.json");
    REQUIRE(loaded.ok());
    trace.add_observer(&rec);
    std::string error;
    world = world::World::build(*loaded.scenario, trace, &error);
    INFO(error);
    REQUIRE(world);
    world->start();
    world->run_until(now);
  }
  // The client sends `bytes`; the world runs a second.
  void say(std::uint64_t id, const std::string& bytes) {
    world->send_external(id, bytes);
    now = now + SimTime::from_seconds(1);
    world->run_until(now);
  }
};

}  // namespace

TEST_CASE("a client outside submits a message that the world delivers", "[world][external]") {
  Journey j;
  Outside client;
  std::string why;
  const std::optional<std::uint64_t> id =
      j.world->connect_external("127.0.0.1", "smtp.gmail.example", 587, client, &why);
  INFO(why);
  REQUIRE(id);
  j.world->run_until(j.now);
  CHECK(client.received.rfind("220 smtp.gmail.example ESMTP", 0) == 0);

  j.say(*id, "EHLO laptop\r\n");
  // No TLS can be offered to a real socket: no STARTTLS, and AUTH over plain text.
  CHECK(client.received.find("STARTTLS") == std::string::npos);
  CHECK(client.received.find("250 AUTH PLAIN LOGIN\r\n") != std::string::npos);
  // "\0marcos@gmail.example\0marcos123" in base64; the command split across two reads.
  j.say(*id, "AUTH PLAIN AG1hcmNvc0BnbWFp");
  j.say(*id, "bC5leGFtcGxlAG1hcmNvczEyMw==\r\n");
  CHECK(client.received.find("235 2.7.0") != std::string::npos);
  j.say(*id, "MAIL FROM:<marcos@gmail.example>\r\nRCPT TO:<julia@yahoo.example>\r\nDATA\r\n");
  CHECK(client.received.find("354 ") != std::string::npos);
  j.say(*id, "Subject: from outside\r\n\r\nHello\r\n.\r\n");
  CHECK(client.received.find("250 2.0.0 Ok: queued as") != std::string::npos);
  j.say(*id, "QUIT\r\n");
  CHECK(client.received.find("221 2.0.0") != std::string::npos);
  CHECK(client.closed);
  j.world->run_until(j.now + SimTime::from_minutes(1));

  // The message went on through the simulated network into Julia's mailbox (the scenario's
  // own message is the first).
  world::MailboxState* julia = j.world->mailbox("julia@yahoo.example");
  REQUIRE(julia);
  REQUIRE(julia->inbox().count() == 2);
  const std::string& content = julia->inbox().messages().back().content;
  CHECK(content.find("Subject: from outside") != std::string::npos);
  // The Received field names the client by its address (there is no reverse DNS outside).
  CHECK(content.find("Received: from laptop (127.0.0.1 [127.0.0.1])\r\n\tby smtp.gmail.example") !=
        std::string::npos);

  // The trace shows the outside client's lines, the message as one event.
  std::vector<std::string> lines;
  bool data_sent = false;
  for (const core::TraceEvent& e : j.rec.events()) {
    if (e.connection != *id) continue;
    if (e.kind == core::TraceKind::kClientLine) lines.push_back(e.text);
    if (e.kind == core::TraceKind::kDataSent) data_sent = e.text == "35";  // with the "." line
  }
  CHECK(lines == std::vector<std::string>{"EHLO laptop",
                                          "AUTH PLAIN AG1hcmNvc0BnbWFpbC5leGFtcGxlAG1hcmNvczEyMw==",
                                          "MAIL FROM:<marcos@gmail.example>",
                                          "RCPT TO:<julia@yahoo.example>", "DATA", "QUIT"});
  CHECK(data_sent);
}

TEST_CASE("an outside client is refused where nothing would answer it", "[world][external]") {
  Journey j;
  Outside client;
  std::string why;
  CHECK_FALSE(j.world->connect_external("127.0.0.1", "nowhere.example", 25, client, &why));
  CHECK(why == "no host nowhere.example in this scenario");
  CHECK_FALSE(j.world->connect_external("127.0.0.1", "smtp.gmail.example", 110, client, &why));
  CHECK(why == "smtp.gmail.example does not listen on port 110");
  CHECK_FALSE(j.world->connect_external("127.0.0.1", "smtp.gmail.example", 465, client, &why));
  CHECK(why.find("needs TLS from the first byte") != std::string::npos);
}

TEST_CASE("an outside client that hangs up mid-message loses nothing accepted",
          "[world][external]") {
  Journey j;
  Outside client;
  std::string why;
  const std::optional<std::uint64_t> id =
      j.world->connect_external("127.0.0.1", "mx.yahoo.example", 25, client, &why);
  REQUIRE(id);
  j.world->run_until(j.now);
  j.say(*id, "HELO outside\r\nMAIL FROM:<x@outside.example>\r\nRCPT TO:<julia@yahoo.example>\r\n");
  j.say(*id, "DATA\r\nSubject: cut\r\n\r\nhalf a mess");
  const std::size_t received = client.received.size();
  j.world->close_external(*id);
  j.world->run_until(j.now + SimTime::from_minutes(1));
  // The server closed its side too, and the outside client, gone, was not called again.
  bool closed = false;
  for (const core::TraceEvent& e : j.rec.events()) {
    closed = closed || (e.connection == *id && e.kind == core::TraceKind::kConnectionClosed);
  }
  CHECK(closed);
  CHECK_FALSE(client.closed);
  CHECK(client.received.size() == received);
  CHECK(j.world->mailbox("julia@yahoo.example")->inbox().count() == 1);  // the scenario's own
  CHECK(j.world->audit().empty());
}

namespace {
// The journey with `steps` added to its script, run for five minutes with every event kept.
struct JourneyWith {
  scenario::Scenario sc;
  core::Trace trace;
  core::TraceRecorder rec;
  std::unique_ptr<world::World> world;

  explicit JourneyWith(std::vector<scenario::ScriptStep> steps) {
    scenario::LoadResult loaded =
        scenario::load_scenario_file(std::string(MAILHOP_SCENARIOS_DIR) + "/01-journey.json");
    REQUIRE(loaded.ok());
    sc = *loaded.scenario;
    for (scenario::ScriptStep& s : steps) sc.script.push_back(std::move(s));
    trace.add_observer(&rec);
    std::string error;
    world = world::World::build(sc, trace, &error);
    INFO(error);
    REQUIRE(world);
    world->start();
    world->run_until(SimTime::from_minutes(5));
  }
};

scenario::ScriptStep session_step(SimTime at, std::string client, std::string server, int port,
                                  std::vector<scenario::ClientInput> input) {
  scenario::ScriptStep step;
  step.at = at;
  step.action =
      scenario::ClientSessionAction{std::move(client), std::move(server), port, std::move(input)};
  return step;
}
}  // namespace

TEST_CASE("a client_session step speaks to a server with its fixed input, seen as a guest node",
          "[world][external]") {
  using K = scenario::ClientInputKind;
  // Typed as at a terminal: DATA too early, then the message (with one Latin-1 octet, not
  // UTF-8), all of it in the time order of the input; the server closes after QUIT.
  JourneyWith j({session_step(
      SimTime::from_seconds(60), "192.0.2.99", "mx.yahoo.example", 25,
      {{SimTime::from_seconds(1), K::kSend, "HELO terminal\r\n"},
       {SimTime::from_seconds(2), K::kSend, "DATA\r\n"},
       {SimTime::from_seconds(3), K::kSend,
        "MAIL FROM:<ana@aula.example>\r\nRCPT TO:<julia@yahoo.example>\r\n"},
       {SimTime::from_seconds(4), K::kSend, "DATA\r\n"},
       {SimTime::from_seconds(5), K::kSend, "Subject: a mano\r\n\r\ncaf\xE9\r\n.\r\nQUIT\r\n"}})});
  // The client is a node now (a guest: in the world, not in the scenario), with a line to the
  // server it spoke to, and its address for what checks addresses.
  const world::NodeState* guest = j.world->node("192.0.2.99");
  REQUIRE(guest);
  CHECK(guest->guest);
  CHECK(guest->spec.address == "192.0.2.99");
  const auto& links = j.world->network().links();
  CHECK(std::any_of(links.begin(), links.end(), [](const world::LinkState& l) {
    return l.connects("192.0.2.99", "mx.yahoo.example");
  }));
  CHECK(j.sc.nodes.size() + 1 == j.world->nodes().size());

  world::MailboxState* julia = j.world->mailbox("julia@yahoo.example");
  REQUIRE(julia->inbox().count() == 2);
  const std::string& content = julia->inbox().messages().back().content;
  CHECK(content.find("Received: from terminal (192.0.2.99 [192.0.2.99])") != std::string::npos);
  CHECK(content.find("caf\xE9\r\n") != std::string::npos);

  // The trace: the refused DATA is a command, the second one is followed by the message.
  std::vector<std::string> lines;
  std::vector<int> codes;
  std::string data_octets;
  bool closed = false;
  for (const core::TraceEvent& e : j.rec.events()) {
    if (e.node != "192.0.2.99" && e.peer != "192.0.2.99") continue;
    if (e.kind == core::TraceKind::kClientLine) lines.push_back(e.text);
    if (e.kind == core::TraceKind::kServerLine) codes.push_back(e.code);
    if (e.kind == core::TraceKind::kDataSent) data_octets = e.text;
    closed = closed || e.kind == core::TraceKind::kConnectionClosed;
  }
  CHECK(lines == std::vector<std::string>{"HELO terminal", "DATA", "MAIL FROM:<ana@aula.example>",
                                          "RCPT TO:<julia@yahoo.example>", "DATA", "QUIT"});
  CHECK(codes == std::vector<int>{220, 250, 503, 250, 250, 354, 250, 221});
  CHECK(data_octets == "28");
  CHECK(closed);

  // Saved, the octet that is not UTF-8 goes in base64, and the file loads back the same.
  const std::string saved = scenario::save_scenario(j.sc);
  CHECK(saved.find("\"send_base64\": \"U3ViamVjdDogYSBtYW5vDQoNCmNhZukNCi4NClFVSVQNCg==\"") !=
        std::string::npos);
  CHECK(saved.find("\"send\": \"MAIL FROM:<ana@aula.example>\\r\\nRCPT TO:<julia@yahoo.example>"
                   "\\r\\n\"") != std::string::npos);
  const scenario::LoadResult again = scenario::load_scenario(saved);
  INFO(again.error_text());
  REQUIRE(again.ok());
  CHECK(*again.scenario == j.sc);
}

TEST_CASE("a client_session step to a port where nothing listens is refused in the trace",
          "[world][external]") {
  JourneyWith j({session_step(
      SimTime::from_seconds(60), "192.0.2.99", "mx.yahoo.example", 110,
      {{SimTime::from_seconds(1), scenario::ClientInputKind::kSend, "USER julia\r\n"}})});
  bool refused = false;
  for (const core::TraceEvent& e : j.rec.events()) {
    refused = refused || (e.kind == core::TraceKind::kConnectionRefused && e.node == "192.0.2.99" &&
                          e.text ==
                              "connect to mx.yahoo.example:110: mx.yahoo.example does not "
                              "listen on port 110");
  }
  CHECK(refused);
}
