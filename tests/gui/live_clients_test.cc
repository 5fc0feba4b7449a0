// Real clients in the app: a real SMTP client over a real socket speaks to the world of the
// session shown, and its session becomes part of the scenario.

#include "gui/live_clients.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "sim/realnet/smtp_session.h"
#include "sim/scenario/scenario_json.h"

namespace {

using mailhop::core::SimTime;
using mailhop::gui::LiveClients;
using mailhop::gui::Session;
namespace fs = std::filesystem;
namespace proto = mailhop::proto;
namespace realnet = mailhop::realnet;
namespace scenario = mailhop::scenario;

const fs::path kScenarios = fs::path(MAILHOP_ASSETS_DIR).parent_path() / "scenarios";

// LiveClients on a free port leading to `host:port` (SDL_net takes no port 0: ports are tried).
int start_on_free_port(LiveClients& live, const Session& s, const std::string& host, int port) {
  std::string why;
  for (int i = 0; i < 200; ++i) {
    const int real = 20000 + static_cast<int>((getpid() * 7 + i * 131) % 30000);
    if (live.start(s, &why, {{real, host, port}})) return real;
  }
  FAIL("no free port: " << why);
  return 0;
}

}  // namespace

TEST_CASE("a real client speaks to the world shown, and its session joins the script",
          "[gui][live]") {
  std::string error;
  std::unique_ptr<Session> s = Session::open(kScenarios / "01-journey.json", &error);
  REQUIRE(s);
  s->seek_time(SimTime::from_seconds(30));
  LiveClients live;
  const int port = start_on_free_port(live, *s, "smtp.gmail.example", 587);
  REQUIRE(live.active());

  // The client runs in a thread; this one is the app's loop, polling (the time shown stays
  // at 30 s: the world answers at once, paused or not).
  proto::SmtpClientOptions options;
  options.helo_domain = "laptop.marcos.example";
  options.tls = proto::ClientTls::kRequired;
  options.credentials = proto::SmtpCredentials{"marcos@gmail.example", "marcos123"};
  proto::SmtpTransaction t;
  t.envelope.mail_from = mailhop::mail::Mailbox{"marcos", "gmail.example"};
  t.envelope.rcpt_to.push_back({mailhop::mail::Mailbox{"julia", "yahoo.example"}, {}, {}});
  t.content = "Subject: from a real client\r\n\r\nhi\r\n";
  proto::SmtpClient engine(options, {std::move(t)});
  std::atomic<bool> done{false};
  std::thread client([&] {
    std::string why;
    std::optional<realnet::TcpStream> stream = realnet::TcpStream::connect("127.0.0.1", port, &why);
    if (stream) {
      realnet::run_smtp_client(*stream, engine, {}, {false, "smtp.gmail.example", {}});
      stream->close();
    }
    done = true;
  });
  for (int i = 0; i < 1000 && !(done && live.connected() == 0); ++i) {
    live.poll(*s);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  client.join();
  REQUIRE(engine.outcomes().size() == 1);
  CHECK(engine.tls_active());
  CHECK(engine.outcomes()[0].recipients.at(0).status == proto::DeliveryStatus::kDelivered);
  CHECK(live.connected() == 0);

  // The session is a step of the script at the time shown, with what the client sent.
  const scenario::ClientSessionAction* session = nullptr;
  SimTime at;
  for (const scenario::ScriptStep& step : s->scenario().script) {
    if (const auto* a = std::get_if<scenario::ClientSessionAction>(&step.action)) {
      session = a;
      at = step.at;
    }
  }
  REQUIRE(session != nullptr);
  CHECK(at == SimTime::from_seconds(30));
  CHECK(session->client == "127.0.0.1");
  CHECK(session->input.back().kind == scenario::ClientInputKind::kClose);
  CHECK(s->dirty());
  // The class sees it: the client's lines in the trace, the message in Julia's mailbox once
  // the world has carried it there.
  bool auth = false;
  for (const mailhop::core::TraceEvent& e : s->events()) {
    auth = auth || (e.kind == mailhop::core::TraceKind::kClientLine && e.node == "127.0.0.1" &&
                    e.text.rfind("AUTH PLAIN ", 0) == 0);
  }
  CHECK(auth);
  s->seek_time(SimTime::from_minutes(2));
  CHECK(s->world().mailboxes().at("julia@yahoo.example").inbox().count() == 2);

  // Saved and loaded again, the file replays the same session.
  const scenario::LoadResult again =
      scenario::load_scenario(scenario::save_scenario(s->scenario()));
  INFO(again.error_text());
  REQUIRE(again.ok());
  CHECK(*again.scenario == s->scenario());
  live.stop();
  CHECK_FALSE(live.active());
}

TEST_CASE("real-client ports name this computer's addresses, and only the scenario's hosts",
          "[gui][live]") {
  std::string error;
  std::unique_ptr<Session> s = Session::open(kScenarios / "01-journey.json", &error);
  REQUIRE(s);
  LiveClients live;
  std::string why;
  CHECK_FALSE(live.start(*s, &why, {{2999, "no.such.example", 25}}));
  CHECK(why == "no host no.such.example in this scenario");
  CHECK_FALSE(live.active());

  start_on_free_port(live, *s, "smtp.gmail.example", 587);
  std::vector<std::string> expected = realnet::local_addresses();
  expected.push_back("127.0.0.1");
  CHECK(live.addresses() == expected);
  live.stop();
  CHECK(live.addresses().empty());
}

TEST_CASE("a real client whose TLS fails is closed, and the app is told why", "[gui][live]") {
  std::string error;
  std::unique_ptr<Session> s = Session::open(kScenarios / "01-journey.json", &error);
  REQUIRE(s);
  s->seek_time(SimTime::from_seconds(30));
  LiveClients live;
  // Port 465 is implicit TLS: a client that speaks plaintext there fails the handshake.
  const int port = start_on_free_port(live, *s, "smtp.gmail.example", 465);
  std::string why;
  std::optional<realnet::TcpStream> stream = realnet::TcpStream::connect("127.0.0.1", port, &why);
  REQUIRE(stream);
  REQUIRE(stream->write("EHLO plain.example\r\n"));
  // Polls until the app is told of a problem (two seconds at most).
  const auto problems_reported = [&] {
    std::vector<LiveClients::Problem> problems;
    for (int i = 0; i < 400 && problems.empty(); ++i) {
      live.poll(*s);
      problems = live.take_problems();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return problems;
  };
  std::vector<LiveClients::Problem> problems = problems_reported();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].peer == "127.0.0.1");
  CHECK(problems[0].tls);
  CHECK(problems[0].why.find("the client began in plain text (\"EHLO plain.example\") where "
                             "TLS comes first") != std::string::npos);
  CHECK(live.connected() == 0);
  CHECK(live.take_problems().empty());
  // The client sees its connection closed.
  std::string bytes;
  realnet::TcpStream::Read r = realnet::TcpStream::Read::kData;
  for (int i = 0; i < 50 && r != realnet::TcpStream::Read::kClosed; ++i) {
    r = stream->read(std::chrono::milliseconds(20), &bytes);
  }
  CHECK(r == realnet::TcpStream::Read::kClosed);

  // Octets that are neither TLS nor text are not called plain text.
  std::optional<realnet::TcpStream> binary = realnet::TcpStream::connect("127.0.0.1", port, &why);
  REQUIRE(binary);
  REQUIRE(binary->write(std::string("\x01\x02\xff\xfe garbage\r\n", 14)));
  problems = problems_reported();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].tls);
  CHECK(problems[0].why.find("the client's first octets are not a TLS handshake") !=
        std::string::npos);
  CHECK(problems[0].why.find("plain text") == std::string::npos);
}

TEST_CASE("two real clients at the same time shown each get their own session", "[gui][live]") {
  std::string error;
  std::unique_ptr<Session> s = Session::open(kScenarios / "01-journey.json", &error);
  REQUIRE(s);
  s->seek_time(SimTime::from_seconds(30));  // paused: both connect at 30 s
  LiveClients live;
  const int port = start_on_free_port(live, *s, "smtp.gmail.example", 587);
  // Polls until the client has read `expected`.
  const auto read_until = [&](realnet::TcpStream& stream, std::string* received,
                              const std::string& expected) {
    std::string bytes;
    for (int i = 0; i < 400 && received->find(expected) == std::string::npos; ++i) {
      live.poll(*s);
      if (stream.read(std::chrono::milliseconds(5), &bytes) == realnet::TcpStream::Read::kData) {
        *received += bytes;
      }
    }
    return received->find(expected) != std::string::npos;
  };
  std::string why;
  for (int client = 0; client < 2; ++client) {
    INFO("client " << client);
    std::optional<realnet::TcpStream> stream = realnet::TcpStream::connect("127.0.0.1", port, &why);
    REQUIRE(stream);
    std::string received;
    CHECK(read_until(*stream, &received, "220 smtp.gmail.example ESMTP"));
    REQUIRE(stream->write("QUIT\r\n"));
    CHECK(read_until(*stream, &received, "221 "));
    stream->close();
  }
  std::size_t sessions = 0;
  for (const scenario::ScriptStep& step : s->scenario().script) {
    const auto* a = std::get_if<scenario::ClientSessionAction>(&step.action);
    if (!a) continue;
    ++sessions;
    CHECK(step.at == SimTime::from_seconds(30));
    REQUIRE(a->input.size() >= 1);
    CHECK(a->input.front().text == "QUIT\r\n");
  }
  CHECK(sessions == 2);
}

TEST_CASE("a real client's lines at one time shown keep their order with the server's answers",
          "[gui][live]") {
  // Paused, the time shown does not move: a client that waits for each answer before its next
  // line must still be seen that way on the ladder (each input a microsecond after the last).
  std::string error;
  std::unique_ptr<Session> s = Session::open(kScenarios / "01-journey.json", &error);
  REQUIRE(s);
  s->seek_time(SimTime::from_seconds(30));
  std::optional<Session::ClientSessionHandle> h =
      s->begin_client_session("127.0.0.1", "smtp.gmail.example", 587, &error);
  REQUIRE(h);
  s->client_input(*h, scenario::ClientInputKind::kSend, "EHLO a.example\r\n");
  s->client_input(*h, scenario::ClientInputKind::kSend, "NOOP\r\n");
  s->client_input(*h, scenario::ClientInputKind::kSend, "QUIT\r\n");
  std::vector<std::string> lines;
  for (const mailhop::core::TraceEvent& e : s->events()) {
    if (e.kind == mailhop::core::TraceKind::kClientLine && e.node == "127.0.0.1") {
      lines.push_back("C: " + e.text);
    } else if (e.kind == mailhop::core::TraceKind::kServerLine && e.peer == "127.0.0.1") {
      lines.push_back("S: " + e.text.substr(0, 4));
    }
  }
  const std::vector<std::string> expected = {
      "S: 220 ", "C: EHLO a.example", "S: 250-", "S: 250-", "S: 250-", "S: 250-", "S: 250-",
      "S: 250-", "S: 250 ",           "C: NOOP", "S: 250 ", "C: QUIT", "S: 221 "};
  CHECK(lines == expected);
}

TEST_CASE("a real client that sends garbage and leaves is let go", "[gui][live]") {
  std::string error;
  std::unique_ptr<Session> s = Session::open(kScenarios / "01-journey.json", &error);
  REQUIRE(s);
  LiveClients live;
  const int port = start_on_free_port(live, *s, "smtp.gmail.example", 25);
  std::string why;
  {
    std::optional<realnet::TcpStream> stream = realnet::TcpStream::connect("127.0.0.1", port, &why);
    REQUIRE(stream);
    std::string garbage(200000, '\0');
    std::uint32_t x = 12345;
    for (char& c : garbage) {
      x = x * 1664525u + 1013904223u;
      c = static_cast<char>(x >> 24);
    }
    REQUIRE(stream->write(garbage));
    for (int i = 0; i < 100 && live.connected() == 0; ++i) {
      live.poll(*s);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(live.connected() == 1);
    stream->close();
  }
  for (int i = 0; i < 400 && live.connected() > 0; ++i) {
    live.poll(*s);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(live.connected() == 0);
}
