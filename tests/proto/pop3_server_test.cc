// Tests for the sans-I/O POP3 server (sim/proto/pop3_server.h). Conversations are written as
// transcripts (format in tests/data/README.md) and played by check_transcript(), which feeds
// every input chunk whole, one byte at a time and split at every offset, and demands the same
// output and events each time.

#include "sim/proto/pop3_server.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "tests/support/pop3_harness.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {
namespace {


using Factory = Pop3ServerFactory;
std::string describe(const proto::Pop3ServerEvent& e) { return describe_pop3_server_event(e); }

// Plays `text` three ways (whole, byte by byte, split at every offset); returns the stores of
// every run so the caller can check what reached the maildrop.
std::vector<std::shared_ptr<FakeMaildrop>> play(const std::string& text) {
  auto parsed = parse_transcript(text, "inline");
  REQUIRE(parsed.error == "");
  REQUIRE(parsed.transcript);
  Factory factory;
  const std::string failure = check_transcript(*parsed.transcript, Side::kServer, factory.make());
  INFO(text);
  CHECK(failure == "");
  REQUIRE(factory.stores.size() >= 2);
  return factory.stores;
}

const std::string kGreeting = "! server tls=available\nS: +OK mail.example POP3 server ready\n";
const std::string kUser = kGreeting + "C: USER julia\nS: +OK send PASS\n";
const std::string kLogin = kUser +
                           "C: PASS secret\n"
                           "E: authenticated user=julia mechanism=USER\n"
                           "S: +OK julia's maildrop has 2 messages (112 octets)\n";

const std::string kCapaAuth =
    "S: +OK Capability list follows\nS: USER\nS: SASL PLAIN\nS: STLS\nS: TOP\nS: UIDL\n"
    "S: PIPELINING\n"
    "S: RESP-CODES\nS: AUTH-RESP-CODE\nS: IMPLEMENTATION mailhop\nS: .\n";
const std::string kCapaAuthNoStls =
    "S: +OK Capability list follows\nS: USER\nS: SASL PLAIN\nS: TOP\nS: UIDL\nS: PIPELINING\n"
    "S: RESP-CODES\nS: AUTH-RESP-CODE\nS: IMPLEMENTATION mailhop\nS: .\n";
const std::string kCapaTrans =
    "S: +OK Capability list follows\nS: USER\nS: TOP\nS: UIDL\nS: PIPELINING\n"
    "S: RESP-CODES\nS: AUTH-RESP-CODE\nS: IMPLEMENTATION mailhop\nS: .\n";

}  // namespace

TEST_CASE("pop3 server: every command in every state", "[pop3][pop3_server]") {
  enum State { kAuth, kAfterUser, kTrans };
  struct Row {
    State state;
    std::string command;
    std::string expected;  // transcript lines after the command
  };
  const std::string not_before = "S: -ERR command not valid before login\n";
  const std::string not_after = "S: -ERR command not valid after login\n";
  const std::string unknown = "S: -ERR unknown command\n";
  const std::string bye_auth =
      "S: +OK mail.example POP3 server signing off\nE: closing reason=\"QUIT\"\nS! close\n";
  const std::vector<Row> rows = {
      {kAuth, "USER bob", "S: +OK send PASS\n"},
      {kAfterUser, "USER bob", "S: +OK send PASS\n"},
      {kTrans, "USER bob", not_after},
      {kAuth, "PASS secret", "S: -ERR send USER first\n"},
      {kAfterUser, "PASS secret",
       "E: authenticated user=julia mechanism=USER\n"
       "S: +OK julia's maildrop has 2 messages (112 octets)\n"},
      {kTrans, "PASS secret", not_after},
      {kAuth, "STLS", "S: +OK Begin TLS negotiation\nE: starttls\n"},
      {kAfterUser, "STLS", "S: +OK Begin TLS negotiation\nE: starttls\n"},
      {kTrans, "STLS", not_after},
      {kAuth, "CAPA", kCapaAuth},
      {kAfterUser, "CAPA", kCapaAuth},
      {kTrans, "CAPA", kCapaTrans},
      {kAuth, "QUIT", bye_auth},
      {kAfterUser, "QUIT", bye_auth},
      {kTrans, "QUIT",
       "S: +OK mail.example POP3 server signing off (2 messages left)\n"
       "E: closing reason=\"QUIT\"\nS! close\n"},
      {kTrans, "STAT", "S: +OK 2 112\n"},
      {kTrans, "LIST", "S: +OK 2 messages (112 octets)\nS: 1 75\nS: 2 37\nS: .\n"},
      {kTrans, "LIST 2", "S: +OK 2 37\n"},
      {kTrans, "RETR 2",
       "S: +OK 37 octets\nS: Subject: two\nS:\nS: line1\nS: line2\nS: line3\nS: .\n"},
      {kTrans, "DELE 1", "S: +OK message 1 deleted\n"},
      {kTrans, "NOOP", "S: +OK\n"},
      {kTrans, "RSET", "S: +OK maildrop has 2 messages (112 octets)\n"},
      {kTrans, "TOP 2 1", "S: +OK top of message follows\nS: Subject: two\nS:\nS: line1\nS: .\n"},
      {kTrans, "UIDL", "S: +OK unique-id listing follows\nS: 1 uid-1\nS: 2 uid-2\nS: .\n"},
      {kTrans, "UIDL 1", "S: +OK 1 uid-1\n"},
      {kAuth, "APOP julia c4c9334bac560ecc979e58001b3e22fb", "S: -ERR APOP not available\n"},
      {kAfterUser, "APOP julia c4c9334bac560ecc979e58001b3e22fb",
       "S: -ERR APOP not available\n"},
      {kTrans, "APOP julia c4c9334bac560ecc979e58001b3e22fb", not_after},
      {kAuth, "AUTH PLAIN", "S: +\\x20\n"},
      {kAfterUser, "AUTH PLAIN", "S: +\\x20\n"},
      {kTrans, "AUTH PLAIN", not_after},
  };
  for (const auto& cmd : {"STAT", "LIST", "LIST 2", "RETR 2", "DELE 1", "NOOP", "RSET",
                          "TOP 2 1", "UIDL", "UIDL 1"}) {
    for (State s : {kAuth, kAfterUser}) {
      SECTION(std::string(cmd) + (s == kAuth ? " before USER" : " after USER")) {
        play((s == kAuth ? kGreeting : kUser) + "C: " + cmd + "\n" + not_before);
      }
    }
  }
  for (const auto& cmd : {"XTND", "RETRX 1", "LAST"}) {
    for (State s : {kAuth, kAfterUser, kTrans}) {
      SECTION(std::string(cmd) + " in state " + std::to_string(s)) {
        const std::string& prefix = s == kAuth ? kGreeting : s == kAfterUser ? kUser : kLogin;
        play(prefix + "C: " + cmd + "\n" + unknown);
      }
    }
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    SECTION(row.command + " in state " + std::to_string(row.state)) {
      const std::string& prefix =
          row.state == kAuth ? kGreeting : row.state == kAfterUser ? kUser : kLogin;
      play(prefix + "C: " + row.command + "\n" + row.expected);
    }
  }
}

TEST_CASE("pop3 server: commands are case-insensitive", "[pop3][pop3_server]") {
  play(kGreeting + "C: user julia\nS: +OK send PASS\nC: pAsS secret\n"
                   "E: authenticated user=julia mechanism=USER\n"
                   "S: +OK julia's maildrop has 2 messages (112 octets)\n"
                   "C: stat\nS: +OK 2 112\n");
}

TEST_CASE("pop3 server: RETR and TOP byte-stuff lines starting with a dot",
          "[pop3][pop3_server]") {
  play(kLogin +
       "C: RETR 1\n"
       "S: +OK 75 octets\nS: From: a@b.example\nS: Subject: one\nS:\nS: Hello\n"
       "S: ..hidden dot\nS: ...two dots\nS: ..\nS: end\nS: .\n"
       "C: TOP 1 2\n"
       "S: +OK top of message follows\nS: From: a@b.example\nS: Subject: one\nS:\nS: Hello\n"
       "S: ..hidden dot\nS: .\n"
       "C: TOP 1 0\n"
       "S: +OK top of message follows\nS: From: a@b.example\nS: Subject: one\nS:\nS: .\n"
       "C: TOP 1 100\n"
       "S: +OK top of message follows\nS: From: a@b.example\nS: Subject: one\nS:\nS: Hello\n"
       "S: ..hidden dot\nS: ...two dots\nS: ..\nS: end\nS: .\n");
}

TEST_CASE("pop3 server: bad message numbers and arguments", "[pop3][pop3_server]") {
  play(kLogin +
       "C: RETR 3\nS: -ERR no such message, only 2 messages in maildrop\n"
       "C: RETR 0\nS: -ERR no such message, only 2 messages in maildrop\n"
       "C: RETR x\nS: -ERR invalid message number\n"
       "C: RETR -1\nS: -ERR invalid message number\n"
       "C: RETR\nS: -ERR RETR needs a message number\n"
       "C: RETR 1 2\nS: -ERR RETR needs a message number\n"
       "C: LIST 9\nS: -ERR no such message, only 2 messages in maildrop\n"
       "C: LIST 1 2\nS: -ERR too many arguments\n"
       "C: UIDL 3\nS: -ERR no such message, only 2 messages in maildrop\n"
       "C: TOP 1\nS: -ERR TOP needs a message number and a line count\n"
       "C: TOP 1 x\nS: -ERR invalid line count\n"
       "C: DELE\nS: -ERR DELE needs a message number\n"
       "C: STAT 1\nS: -ERR STAT takes no argument\n"
       "C: NOOP x\nS: -ERR NOOP takes no argument\n"
       "C: RSET x\nS: -ERR RSET takes no argument\n"
       "C: CAPA x\nS: -ERR CAPA takes no argument\n"
       "C: QUIT now\nS: -ERR QUIT takes no argument\n"
       "C:\nS: -ERR empty command\n"
       "C: NOOP\\x01\nS: -ERR invalid character in command line\n"
       "C: STAT\nS: +OK 2 112\n");
}

TEST_CASE("pop3 server: deleted messages and the UPDATE state", "[pop3][pop3_server]") {
  SECTION("deletions are committed only after QUIT") {
    const auto stores = play(
        kLogin +
        "C: DELE 1\nS: +OK message 1 deleted\n"
        "C: DELE 1\nS: -ERR message 1 already deleted\n"
        "C: RETR 1\nS: -ERR message 1 already deleted\n"
        "C: TOP 1 0\nS: -ERR message 1 already deleted\n"
        "C: LIST 1\nS: -ERR message 1 already deleted\n"
        "C: UIDL 1\nS: -ERR message 1 already deleted\n"
        "C: STAT\nS: +OK 1 37\n"
        "C: LIST\nS: +OK 1 message (37 octets)\nS: 2 37\nS: .\n"
        "C: UIDL\nS: +OK unique-id listing follows\nS: 2 uid-2\nS: .\n"
        "C: QUIT\nE: deleted uid=uid-1\n"
        "S: +OK mail.example POP3 server signing off (1 message left)\n"
        "E: closing reason=\"QUIT\"\nS! close\n"
        "C: NOOP\n");
    for (const auto& s : stores) {
      REQUIRE(s->commits.size() == 1);
      CHECK(s->commits[0] == std::vector<std::string>{"uid-1"});
      CHECK(s->unlocks == std::vector<std::string>{"julia"});
      CHECK(s->locked.count("julia") == 0);
    }
  }
  SECTION("RSET unmarks") {
    const auto stores = play(kLogin +
                             "C: DELE 2\nS: +OK message 2 deleted\n"
                             "C: RSET\nS: +OK maildrop has 2 messages (112 octets)\n"
                             "C: RETR 2\n"
                             "S: +OK 37 octets\nS: Subject: two\nS:\nS: line1\nS: line2\n"
                             "S: line3\nS: .\n"
                             "C: QUIT\nS: +OK mail.example POP3 server signing off (2 messages left)\n"
                             "E: closing reason=\"QUIT\"\nS! close\n");
    for (const auto& s : stores) CHECK(s->commits.empty());
  }
  SECTION("a dropped connection deletes nothing") {
    const auto stores = play(kLogin +
                             "C: DELE 1\nS: +OK message 1 deleted\n"
                             "C! close\nE: closing reason=\"connection closed by client\"\n");
    for (const auto& s : stores) {
      CHECK(s->commits.empty());
      CHECK(s->unlocks == std::vector<std::string>{"julia"});
    }
  }
  SECTION("a failed commit is reported") {
    play("! store commit=fail\n" + kLogin +
         "C: DELE 1\nS: +OK message 1 deleted\n"
         "C: QUIT\nS: -ERR some deleted messages not removed\n"
         "E: closing reason=\"QUIT\"\nS! close\n");
  }
  SECTION("commands pipelined after QUIT are ignored") {
    play(kLogin + "C: QUIT\nC: DELE 1\n"
                  "S: +OK mail.example POP3 server signing off (2 messages left)\n"
                  "E: closing reason=\"QUIT\"\nS! close\n");
  }
}

TEST_CASE("pop3 server: PASS failures carry response codes", "[pop3][pop3_server]") {
  const auto stores =
      play(kGreeting +
           "C: USER julia\nS: +OK send PASS\n"
           "C: PASS wrong\nE: auth_failed user=julia reason=AUTH mechanism=USER\n"
           "S: -ERR [AUTH] invalid user name or password\n"
           "C: PASS secret\nS: -ERR send USER first\n"
           "C: USER nobody\nS: +OK send PASS\n"
           "C: PASS secret\nE: auth_failed user=nobody reason=AUTH mechanism=USER\n"
           "S: -ERR [AUTH] invalid user name or password\n"
           "C: USER pedro\nS: +OK send PASS\n"
           "C: PASS pw\nE: auth_failed user=pedro reason=IN-USE mechanism=USER\n"
           "S: -ERR [IN-USE] maildrop already locked\n"
           "C: USER\nS: -ERR USER needs a name\n"
           "C: USER ana\nS: +OK send PASS\n"
           "C: PASS x\nE: authenticated user=ana mechanism=USER\n"
           "S: +OK ana's maildrop has 0 messages (0 octets)\n"
           "C: LIST\nS: +OK 0 messages (0 octets)\nS: .\n"
           "C: UIDL\nS: +OK unique-id listing follows\nS: .\n"
           "C: RETR 1\nS: -ERR no such message, only 0 messages in maildrop\n"
           "C: QUIT\nS: +OK mail.example POP3 server signing off (maildrop empty)\n"
           "E: closing reason=\"QUIT\"\nS! close\n");
  for (const auto& s : stores) CHECK(s->locked.count("pedro") == 1);
}

TEST_CASE("pop3 server: a password may contain spaces", "[pop3][pop3_server]") {
  play(kGreeting + "C: USER julia\nS: +OK send PASS\nC: PASS sec ret\n"
                   "E: auth_failed user=julia reason=AUTH mechanism=USER\n"
                   "S: -ERR [AUTH] invalid user name or password\n");
}

TEST_CASE("pop3 server: command lines are limited to 255 octets", "[pop3][pop3_server]") {
  // 5 + 248 + CRLF = 255 octets: accepted; one more: refused.
  play(kGreeting + "C: USER \\{248*a}\nS: +OK send PASS\n"
                   "C: USER \\{249*a}\nS: -ERR line too long\n"
                   "C: NOOP\\{600*x}\nS: -ERR line too long\n"
                   "C: PASS secret\nE: auth_failed user=\\{248*a} reason=AUTH mechanism=USER\n"
                   "S: -ERR [AUTH] invalid user name or password\n");
}

TEST_CASE("pop3 server: STLS", "[pop3][pop3_server]") {
  SECTION("pipelined plaintext after STLS is discarded; after TLS, CAPA drops STLS") {
    play(kGreeting +
         "C: STLS\nC: USER julia\nC: PASS secret\n"
         "S: +OK Begin TLS negotiation\nE: starttls\n"
         "C: STAT\n"
         "= tls\n"
         "C: CAPA\n" + kCapaAuthNoStls +
         "C: STLS\nS: -ERR TLS already active\n"
         "C: PASS secret\nS: -ERR send USER first\n" +
         "C: USER julia\nS: +OK send PASS\nC: PASS secret\n"
         "E: authenticated user=julia mechanism=USER\n"
         "S: +OK julia's maildrop has 2 messages (112 octets)\n");
  }
  SECTION("USER before STLS is forgotten") {
    play(kUser + "C: STLS\nS: +OK Begin TLS negotiation\nE: starttls\n= tls\n"
                 "C: PASS secret\nS: -ERR send USER first\n");
  }
  SECTION("STLS with an argument") {
    play(kGreeting + "C: STLS now\nS: -ERR STLS takes no argument\n");
  }
  SECTION("STLS without TLS") {
    play("! server tls=none\nS: +OK mail.example POP3 server ready\n"
         "C: STLS\nS: -ERR TLS not available\n"
         "C: CAPA\n" + kCapaAuthNoStls);
  }
  SECTION("implicit TLS") {
    play("! server tls=active hostname=pop.yahoo.example\n"
         "S: +OK pop.yahoo.example POP3 server ready\n"
         "C: STLS\nS: -ERR TLS already active\n"
         "C: CAPA\n" + kCapaAuthNoStls +
         "C: QUIT\nS: +OK pop.yahoo.example POP3 server signing off\n"
         "E: closing reason=\"QUIT\"\nS! close\n");
  }
}

TEST_CASE("pop3 server: the autologout timer", "[pop3][pop3_server]") {
  SECTION("in AUTHORIZATION: closes silently after 10 minutes") {
    play(kGreeting + "@ +599s\n@ +1s\nE: timed_out\n"
                     "E: closing reason=\"autologout timer expired\"\nS! close\n");
  }
  SECTION("activity restarts it; in TRANSACTION nothing is deleted") {
    const auto stores = play(kLogin +
                             "@ +300s\n"
                             "C: DELE 1\nS: +OK message 1 deleted\n"
                             "@ +599s\n"
                             "C~ NO\n"
                             "@ +599s\n"
                             "@ +1s\nE: timed_out\n"
                             "E: closing reason=\"autologout timer expired\"\nS! close\n"
                             "C: OP\n");
    for (const auto& s : stores) {
      CHECK(s->commits.empty());
      CHECK(s->unlocks == std::vector<std::string>{"julia"});
    }
  }
}

TEST_CASE("pop3 server: events, deadline and state", "[pop3][pop3_server]") {
  FakeMaildrop store;
  proto::Pop3Server server({}, store);
  const proto::Micros t0{1'000'000};
  CHECK_FALSE(server.next_deadline());
  server.receive("NOOP\r\n", t0);  // before open: ignored
  CHECK(server.take_output().empty());
  server.open(t0);
  CHECK(server.next_deadline() == t0 + std::chrono::minutes(10));
  CHECK(server.state() == proto::Pop3State::kAuthorization);
  server.receive("USER julia\r\nPASS secret\r\n", t0);
  CHECK(server.state() == proto::Pop3State::kTransaction);
  std::vector<std::string> texts;
  for (const auto& e : server.take_events()) texts.push_back(describe(e));
  CHECK(texts == std::vector<std::string>{
                     "response ok=yes line=\"+OK mail.example POP3 server ready\"",
                     "command line=\"USER julia\"",
                     "response ok=yes line=\"+OK send PASS\"",
                     "command line=\"PASS secret\"",
                     "authenticated user=julia mechanism=USER",
                     "response ok=yes line=\"+OK julia's maildrop has 2 messages (112 octets)\"",
                 });
  server.receive("RETR 1\r\n", t0);
  texts.clear();
  for (const auto& e : server.take_events()) texts.push_back(describe(e));
  CHECK(texts == std::vector<std::string>{"command line=\"RETR 1\"",
                                          "response ok=yes line=\"+OK 75 octets\""});
  server.tick(t0 + std::chrono::minutes(5));  // early: ignored
  CHECK(server.take_events().empty());
  server.receive("QUIT\r\n", t0);
  CHECK(server.wants_close());
  CHECK_FALSE(server.next_deadline());
  CHECK(server.state() == proto::Pop3State::kClosed);
}

}  // namespace mailhop::testing

namespace mailhop::testing {

TEST_CASE("pop3 server: random command soup gives the same result however it is split",
          "[pop3][pop3_server]") {
  const std::vector<std::string> words = {
      "USER julia", "PASS secret", "PASS x", "USER pedro", "STAT", "LIST", "LIST 1", "LIST 7",
      "RETR 1", "RETR 2", "TOP 1 1", "DELE 1", "DELE 2", "RSET", "NOOP", "UIDL", "UIDL 2",
      "CAPA", "STLS", "BOGUS", "", "LIST \x01", "QUIT"};
  std::uint32_t seed = 12345;
  auto next = [&seed]() {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7fffu;
  };
  for (int round = 0; round < 20; ++round) {
    std::string input;
    for (int i = 0; i < 30; ++i) input += words[next() % words.size()] + "\r\n";
    auto run = [&input](std::size_t piece) {
      FakeMaildrop store;
      proto::Pop3ServerConfig config;
      config.tls = proto::Pop3Tls::kAvailable;
      proto::Pop3Server server(config, store);
      server.open(proto::Micros{0});
      for (std::size_t at = 0; at < input.size(); at += piece) {
        server.receive(std::string_view(input).substr(at, piece), proto::Micros{0});
      }
      std::string out = server.take_output();
      for (const auto& e : server.take_events()) out += "\n" + describe(e);
      return out;
    };
    const std::string whole = run(input.size());
    INFO(input);
    CHECK(whole.rfind("+OK mail.example POP3 server ready\r\n", 0) == 0);
    CHECK(run(1) == whole);
    CHECK(run(7) == whole);
  }
}

}  // namespace mailhop::testing

namespace mailhop::testing {

TEST_CASE("pop3 server transcript files", "[pop3][pop3_server][transcript]") {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(test_data_path("pop3"))) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("server_", 0) == 0 && entry.path().extension() == ".txt") files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  CHECK(files.size() >= 10);
  for (const auto& name : files) {
    SECTION(name) {
      Factory factory;
      CHECK(check_transcript_file(test_data_path("pop3/" + name), Side::kServer,
                                  factory.make()) == "");
    }
  }
}

TEST_CASE("pop3 server: deletions of a download-and-delete session reach the maildrop",
          "[pop3][pop3_server][transcript]") {
  const TranscriptParse parsed =
      load_transcript(test_data_path("pop3/server_download_and_delete.txt"));
  REQUIRE(parsed.transcript);
  Factory factory;
  CHECK(check_transcript(*parsed.transcript, Side::kServer, factory.make()) == "");
  REQUIRE(factory.stores.size() >= 3);
  for (const auto& s : factory.stores) {
    REQUIRE(s->commits.size() == 1);
    CHECK(s->commits[0] == std::vector<std::string>{"uid-1", "uid-2"});
  }
}

TEST_CASE("pop3 server: the AUTH continuation is reported as a response",
          "[pop3][pop3_server]") {
  FakeMaildrop store;
  proto::Pop3Server server({}, store);
  server.open(proto::Micros{0});
  server.take_events();
  server.take_output();
  server.receive("AUTH PLAIN\r\n", proto::Micros{0});
  CHECK(server.take_output() == "+ \r\n");
  std::vector<std::string> texts;
  for (const auto& e : server.take_events()) texts.push_back(describe(e));
  CHECK(texts == std::vector<std::string>{"command line=\"AUTH PLAIN\"",
                                          "response ok=yes line=\"+\\x20\""});
  // A response over 255 octets is refused like an over-long command.
  server.receive(std::string(300, 'A') + "\r\nNOOP\r\n", proto::Micros{0});
  CHECK(server.take_output() == "-ERR line too long\r\n-ERR command not valid before login\r\n");
}

TEST_CASE("pop3 server: a malformed APOP timestamp in the configuration disables APOP",
          "[pop3][pop3_server]") {
  for (const char* bad : {"1896.697@x", "<no-at-sign>", "<a b@c>", "<>"}) {
    FakeMaildrop store;
    proto::Pop3ServerConfig config;
    config.apop_timestamp = bad;
    proto::Pop3Server server(config, store);
    server.open(proto::Micros{0});
    INFO(bad);
    CHECK(server.take_output() == "+OK mail.example POP3 server ready\r\n");
    server.receive("APOP julia 0123\r\n", proto::Micros{0});
    CHECK(server.take_output() == "-ERR APOP not available\r\n");
  }
}

}  // namespace mailhop::testing
