// Tests for the sans-I/O POP3 client (sim/proto/pop3_client.h): transcripts played into the
// client (fed whole, byte by byte and split at every offset by check_transcript()), and the
// client talking to the POP3 server in memory.

#include "sim/proto/pop3_client.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "sim/proto/pop3_server.h"
#include "tests/support/pop3_harness.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {
namespace {

using ClientEngine = Pop3ClientTranscriptEngine;
using Drop = FakeMaildrop;
const std::string& kMessage1 = kPop3Message1;
const std::string& kMessage2 = kPop3Message2;

// Server events of a pair run, without the "closing" line (the pair tests look at logins and
// deletions).
std::vector<std::string> without_closing(const std::vector<std::string>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (e.rfind("closing", 0) != 0) out.push_back(e);
  }
  return out;
}

void play_client(const std::string& text) {
  auto parsed = parse_transcript(text, "inline");
  REQUIRE(parsed.error == "");
  REQUIRE(parsed.transcript);
  INFO(text);
  CHECK(check_transcript(*parsed.transcript, Side::kClient, pop3_client_factory()) == "");
}

proto::Pop3ClientOptions options(proto::Pop3ClientTls tls, proto::Pop3Delete del) {
  proto::Pop3ClientOptions o;
  o.user = "julia";
  o.password = "secret";
  o.tls = tls;
  o.delete_after_retrieve = del;
  return o;
}

const std::string kLoginWire =
    "S: +OK mail.example POP3 server ready\n"
    "C: USER julia\nS: +OK send PASS\n"
    "C: PASS secret\nS: +OK julia's maildrop has 2 messages (112 octets)\n"
    "E: logged_in mechanism=USER\n";

}  // namespace

TEST_CASE("pop3 client: retrieves, unstuffs and keeps messages", "[pop3][pop3_client]") {
  play_client("! client tls=never login=user\n" + kLoginWire +
              "C: STAT\nS: +OK 2 112\n"
              "C: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: .\nE: list 1 uid-1 | 2 uid-2\n"
              "C: RETR 1\n"
              "S: +OK 75 octets\nS: From: a@b.example\nS: Subject: one\nS:\nS: Hello\n"
              "S: ..hidden dot\nS: ...two dots\nS: ..\nS: end\nS: .\n"
              "E: retrieved number=1 uid=uid-1 octets=75\n"
              "C: RETR 2\n"
              "S: +OK 37 octets\nS: Subject: two\nS:\nS: line1\nS: line2\nS: line3\nS: .\n"
              "E: retrieved number=2 uid=uid-2 octets=37\n"
              "C: QUIT\nS: +OK bye\nE: finished retrieved=2 ok=yes\nC! close\n");
}

TEST_CASE("pop3 client: deletes after retrieving; UIDL refused is not fatal",
          "[pop3][pop3_client]") {
  play_client("! client tls=never login=user delete=yes\n" + kLoginWire +
              "C: STAT\nS: +OK 1 37\n"
              "C: UIDL\nS: -ERR not implemented\n"
              "C: RETR 1\nS: +OK\nS: Subject: x\nS: .\n"
              "E: retrieved number=1 uid= octets=12\n"
              "C: DELE 1\nS: +OK message 1 deleted\n"
              "C: QUIT\nS: +OK bye\nE: finished retrieved=1 ok=yes\nC! close\n");
}

TEST_CASE("pop3 client: STLS and its failures", "[pop3][pop3_client]") {
  SECTION("STLS offered: used; USER/PASS login needs no second CAPA") {
    play_client(
        "! client tls=if_offered login=user\n"
        "S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: STLS\nS: .\nE: list USER | STLS\n"
        "C: STLS\nS: +OK go\nE: starttls\nS: -ERR pipelined junk\n"
        "= tls\nC: USER julia\nS: -ERR no\n"
        "E: failed reason=\"USER refused: -ERR no\"\n"
        "C: QUIT\nS: +OK\nE: finished retrieved=0 ok=no\nC! close\n");
  }
  SECTION("required but not offered: QUIT before any password") {
    play_client(
        "! client tls=required\n"
        "S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\nE: list USER\n"
        "E: failed reason=\"the server does not offer STLS, and TLS is required\"\n"
        "C: QUIT\nS: +OK\nE: finished retrieved=0 ok=no\nC! close\n");
  }
  SECTION("not offered, if_offered: plaintext login") {
    play_client("! client tls=if_offered\n"
                "S: +OK ready\nC: CAPA\nS: -ERR what\n"
                "C: USER julia\nS: +OK\nC: PASS secret\nS: -ERR [AUTH] invalid\n"
                "E: failed reason=\"login failed: -ERR [AUTH] invalid\"\n"
                "C: QUIT\nS: +OK\nE: finished retrieved=0 ok=no\nC! close\n");
  }
}

TEST_CASE("pop3 client: implicit TLS logs in without CAPA", "[pop3][pop3_client]") {
  play_client("! client tls=implicit login=user\n" + kLoginWire +
              "C: STAT\nS: +OK 0 0\n"
              "C: UIDL\nS: +OK\nS: .\nE: list\n"
              "C: QUIT\nS: +OK bye\nE: finished retrieved=0 ok=yes\nC! close\n");
}

TEST_CASE("pop3 client: timeouts and a closed connection", "[pop3][pop3_client]") {
  SECTION("no greeting") {
    play_client("@ +599s\n@ +1s\nE: timed_out\nE: failed reason=\"no response from the server\"\n"
                "E: finished retrieved=0 ok=no\nC! close\n");
  }
  SECTION("server closes") {
    play_client("! client tls=never login=user\nS: +OK ready\nC: USER julia\nS! close\n"
                "E: failed reason=\"the server closed the connection\"\n"
                "E: finished retrieved=0 ok=no\n");
  }
  SECTION("malformed greeting") {
    play_client("S: hello\nE: failed reason=\"malformed response: hello\"\n"
                "E: finished retrieved=0 ok=no\nC! close\n");
  }
}

TEST_CASE("pop3 client transcript files", "[pop3][pop3_client][transcript]") {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(test_data_path("pop3"))) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("client_", 0) == 0 && entry.path().extension() == ".txt") files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 8);
  for (const auto& name : files) {
    SECTION(name) {
      CHECK(check_transcript_file(test_data_path("pop3/" + name), Side::kClient,
                                  pop3_client_factory()) == "");
    }
  }
}

TEST_CASE("pop3 client and server in memory", "[pop3][pop3_client][pop3_server]") {
  SECTION("STLS, CAPA again, AUTH PLAIN, retrieve and delete everything") {
    auto drop = std::make_shared<Drop>();
    proto::Pop3ServerConfig config;
    config.tls = proto::Pop3Tls::kAvailable;
    config.sasl_plain = proto::Pop3SaslPlain::kAfterTls;
    Pop3ServerTranscriptEngine server(config, drop);
    ClientEngine client(
        options(proto::Pop3ClientTls::kRequired, proto::Pop3Delete::kDeleteAfterRetrieve));
    const PairRun run = run_pair(client, server, proto::Micros{0});
    INFO(run.wire);
    CHECK(run.finished);
    CHECK(run.wire.find("= tls\nC: CAPA\n") != std::string::npos);
    CHECK(run.wire.find("C: AUTH PLAIN AGp1bGlhAHNlY3JldA==\n") != std::string::npos);
    REQUIRE(client.client().succeeded());
    REQUIRE(client.client().messages().size() == 2);
    CHECK(client.client().messages()[0].content == kMessage1);
    CHECK(client.client().messages()[0].uid == "uid-1");
    CHECK(client.client().messages()[1].content == kMessage2);
    CHECK(client.client().messages()[1].uid == "uid-2");
    REQUIRE(drop->commits.size() == 1);
    CHECK(drop->commits[0] == std::vector<std::string>{"uid-1", "uid-2"});
    CHECK(without_closing(run.server_events) ==
          std::vector<std::string>{"starttls", "authenticated user=julia mechanism=PLAIN",
                                   "deleted uid=uid-1", "deleted uid=uid-2"});
    CHECK(run.client_events.back() == "finished retrieved=2 ok=yes");
  }
  SECTION("TLS required against a server without it: no password is sent") {
    auto drop = std::make_shared<Drop>();
    drop->locked.clear();
    Pop3ServerTranscriptEngine server({}, drop);
    ClientEngine client(options(proto::Pop3ClientTls::kRequired, proto::Pop3Delete::kKeep));
    const PairRun run = run_pair(client, server, proto::Micros{0});
    INFO(run.wire);
    CHECK(run.finished);
    CHECK(run.wire.find("PASS") == std::string::npos);
    CHECK(run.wire.find("C: AUTH") == std::string::npos);
    CHECK_FALSE(client.client().succeeded());
    CHECK(drop->commits.empty());
    CHECK(drop->locked.empty());
  }
  SECTION("plaintext, leave a copy: nothing deleted, a second device sees the same mail") {
    auto drop = std::make_shared<Drop>();
    drop->locked.clear();
    for (int device = 0; device < 2; ++device) {
      Pop3ServerTranscriptEngine server({}, drop);
      ClientEngine client(options(proto::Pop3ClientTls::kNever, proto::Pop3Delete::kKeep));
      const PairRun run = run_pair(client, server, proto::Micros{0});
      INFO(run.wire);
      CHECK(run.finished);
      CHECK(client.client().succeeded());
      CHECK(client.client().messages().size() == 2);
    }
    CHECK(drop->commits.empty());
    CHECK(drop->locked.empty());
  }
  SECTION("APOP against a server with a timestamp") {
    auto drop = std::make_shared<Drop>();
    proto::Pop3ServerConfig config;
    config.apop_timestamp = "<77.1@pop.example>";
    Pop3ServerTranscriptEngine server(config, drop);
    auto o = options(proto::Pop3ClientTls::kNever, proto::Pop3Delete::kKeep);
    o.login = proto::Pop3Login::kApop;
    ClientEngine client(o);
    const PairRun run = run_pair(client, server, proto::Micros{0});
    INFO(run.wire);
    CHECK(run.finished);
    CHECK(client.client().succeeded());
    CHECK(run.wire.find("secret") == std::string::npos);
    CHECK(without_closing(run.server_events).front() ==
          "authenticated user=julia mechanism=APOP");
  }
  SECTION("wrong password: the session ends after [AUTH]") {
    auto drop = std::make_shared<Drop>();
    Pop3ServerTranscriptEngine server({}, drop);
    auto o = options(proto::Pop3ClientTls::kNever, proto::Pop3Delete::kKeep);
    o.password = "nope";
    ClientEngine client(o);
    const PairRun run = run_pair(client, server, proto::Micros{0});
    INFO(run.wire);
    CHECK(run.finished);
    CHECK_FALSE(client.client().succeeded());
    CHECK(client.client().error() == "login failed: -ERR [AUTH] invalid user name or password");
    CHECK(drop->locked.count("julia") == 0);
  }
}

}  // namespace mailhop::testing
