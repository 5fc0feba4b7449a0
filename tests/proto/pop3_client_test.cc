// Tests for the sans-I/O POP3 client (sim/proto/pop3_client.h): transcripts played into the
// client (fed whole, byte by byte and split at every offset by check_transcript()), and the
// client talking to the POP3 server in memory.

#include "sim/proto/pop3_client.h"

#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "sim/proto/pop3_server.h"
#include "tests/support/transcript.h"

namespace mailhop::testing {
namespace {

namespace cev = proto::pop3_client_event;
namespace sev = proto::pop3_server_event;

const std::string kMessage1 =
    "From: a@b.example\r\nSubject: one\r\n\r\nHello\r\n.hidden dot\r\n..two dots\r\n.\r\n"
    "end\r\n";
const std::string kMessage2 = "Subject: two\r\n\r\nline1\r\nline2\r\nline3\r\n";

std::string describe_client(const proto::Pop3ClientEvent& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, cev::CommandSent>) {
          return "command " + e.line;
        } else if constexpr (std::is_same_v<T, cev::ResponseReceived>) {
          return "response " + e.line;
        } else if constexpr (std::is_same_v<T, cev::StartTls>) {
          return "starttls";
        } else if constexpr (std::is_same_v<T, cev::MessageRetrieved>) {
          return "retrieved number=" + std::to_string(e.number) + " uid=" + e.uid +
                 " octets=" + std::to_string(e.octets);
        } else if constexpr (std::is_same_v<T, cev::Failed>) {
          return "failed reason=\"" + e.reason + "\"";
        } else if constexpr (std::is_same_v<T, cev::TimedOut>) {
          return "timed_out";
        } else {
          return "finished retrieved=" + std::to_string(e.retrieved) + " ok=" +
                 (e.ok ? "yes" : "no");
        }
      },
      event);
}

class ClientEngine : public TranscriptEngine {
 public:
  explicit ClientEngine(proto::Pop3ClientOptions options) : m_client(std::move(options), {}) {}
  void open(proto::Micros) override {}
  void receive(std::string_view bytes, proto::Micros now) override { m_client.receive(bytes, now); }
  void tls_established(proto::Micros now) override {
    m_tls_pending = false;
    m_client.tls_established(now);
  }
  void peer_closed(proto::Micros now) override { m_client.peer_closed(now); }
  void tick(proto::Micros now) override { m_client.tick(now); }
  std::string take_output() override { return m_client.take_output(); }
  std::vector<std::string> take_events() override {
    std::vector<std::string> out;
    for (const auto& e : m_client.take_events()) {
      if (std::holds_alternative<cev::CommandSent>(e) ||
          std::holds_alternative<cev::ResponseReceived>(e)) {
        continue;
      }
      if (std::holds_alternative<cev::StartTls>(e)) m_tls_pending = true;
      out.push_back(describe_client(e));
    }
    return out;
  }
  std::optional<proto::Micros> next_deadline() const override { return m_client.next_deadline(); }
  bool wants_close() const override { return m_client.wants_close(); }
  bool tls_pending() const override { return m_tls_pending; }
  proto::Pop3Client& client() { return m_client; }

 private:
  proto::Pop3Client m_client;
  bool m_tls_pending = false;
};

class Drop : public proto::Pop3Maildrop {
 public:
  std::set<std::string> locked;
  std::vector<std::vector<std::string>> commits;
  bool check_credentials(std::string_view user, std::string_view password) override {
    return user == "julia" && password == "secret";
  }
  bool lock(std::string_view user) override { return locked.insert(std::string(user)).second; }
  void unlock(std::string_view user) override { locked.erase(std::string(user)); }
  std::vector<proto::Pop3Message> messages(std::string_view) override {
    return {{"uid-1", kMessage1.size(), kMessage1}, {"uid-2", kMessage2.size(), kMessage2}};
  }
  bool commit_deletions(std::string_view, const std::vector<std::string>& uids) override {
    commits.push_back(uids);
    return true;
  }
};

class ServerEngine : public TranscriptEngine {
 public:
  ServerEngine(proto::Pop3ServerConfig config, Drop& drop) : m_server(std::move(config), drop) {}
  void open(proto::Micros now) override { m_server.open(now); }
  void receive(std::string_view bytes, proto::Micros now) override { m_server.receive(bytes, now); }
  void tls_established(proto::Micros now) override {
    m_tls_pending = false;
    m_server.tls_established(now);
  }
  void peer_closed(proto::Micros now) override { m_server.peer_closed(now); }
  void tick(proto::Micros now) override { m_server.tick(now); }
  std::string take_output() override { return m_server.take_output(); }
  std::vector<std::string> take_events() override {
    std::vector<std::string> out;
    for (const auto& e : m_server.take_events()) {
      if (std::holds_alternative<sev::StartTls>(e)) {
        m_tls_pending = true;
        out.push_back("starttls");
      } else if (const auto* d = std::get_if<sev::Deleted>(&e)) {
        out.push_back("deleted uid=" + d->uid);
      } else if (const auto* a = std::get_if<sev::Authenticated>(&e)) {
        out.push_back("authenticated user=" + a->user);
      }
    }
    return out;
  }
  std::optional<proto::Micros> next_deadline() const override { return m_server.next_deadline(); }
  bool wants_close() const override { return m_server.wants_close(); }
  bool tls_pending() const override { return m_tls_pending; }

 private:
  proto::Pop3Server m_server;
  bool m_tls_pending = false;
};

proto::Pop3ClientOptions options_from(const Transcript& t, std::string* error) {
  proto::Pop3ClientOptions o;
  o.user = "julia";
  o.password = "secret";
  if (const auto* p = t.directive("client")) {
    for (const auto& [key, value] : *p) {
      if (key == "user") {
        o.user = value;
      } else if (key == "password") {
        o.password = value;
      } else if (key == "tls" && value == "never") {
        o.tls = proto::Pop3ClientTls::kNever;
      } else if (key == "tls" && value == "if_offered") {
        o.tls = proto::Pop3ClientTls::kIfOffered;
      } else if (key == "tls" && value == "required") {
        o.tls = proto::Pop3ClientTls::kRequired;
      } else if (key == "tls" && value == "implicit") {
        o.tls = proto::Pop3ClientTls::kImplicit;
      } else if (key == "delete" && (value == "yes" || value == "no")) {
        o.delete_after_retrieve =
            value == "yes" ? proto::Pop3Delete::kDeleteAfterRetrieve : proto::Pop3Delete::kKeep;
      } else {
        *error = "bad ! client setting " + key + "=" + value;
      }
    }
  }
  return o;
}

void play_client(const std::string& text) {
  auto parsed = parse_transcript(text, "inline");
  REQUIRE(parsed.error == "");
  REQUIRE(parsed.transcript);
  const EngineFactory factory = [](const Transcript& t,
                                   std::string* error) -> std::unique_ptr<TranscriptEngine> {
    auto o = options_from(t, error);
    if (!error->empty()) return nullptr;
    return std::make_unique<ClientEngine>(std::move(o));
  };
  INFO(text);
  CHECK(check_transcript(*parsed.transcript, Side::kClient, factory) == "");
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
    "C: PASS secret\nS: +OK julia's maildrop has 2 messages (112 octets)\n";

}  // namespace

TEST_CASE("pop3 client: retrieves, unstuffs and keeps messages", "[pop3][pop3_client]") {
  play_client("! client tls=never\n" + kLoginWire +
              "C: STAT\nS: +OK 2 112\n"
              "C: UIDL\nS: +OK\nS: 1 uid-1\nS: 2 uid-2\nS: .\n"
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
  play_client("! client tls=never delete=yes\n" + kLoginWire +
              "C: STAT\nS: +OK 1 37\n"
              "C: UIDL\nS: -ERR not implemented\n"
              "C: RETR 1\nS: +OK\nS: Subject: x\nS: .\n"
              "E: retrieved number=1 uid= octets=12\n"
              "C: DELE 1\nS: +OK message 1 deleted\n"
              "C: QUIT\nS: +OK bye\nE: finished retrieved=1 ok=yes\nC! close\n");
}

TEST_CASE("pop3 client: STLS and its failures", "[pop3][pop3_client]") {
  SECTION("STLS offered: used, then CAPA is not repeated") {
    play_client("! client tls=if_offered\n"
                "S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: STLS\nS: .\n"
                "C: STLS\nS: +OK go\nE: starttls\nS: -ERR pipelined junk\n"
                "= tls\nC: USER julia\nS: -ERR no\n"
                "E: failed reason=\"USER refused: -ERR no\"\n"
                "C: QUIT\nS: +OK\nE: finished retrieved=0 ok=no\nC! close\n");
  }
  SECTION("required but not offered: QUIT before any password") {
    play_client("! client tls=required\n"
                "S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .\n"
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
  play_client("! client tls=implicit\n" + kLoginWire +
              "C: STAT\nS: +OK 0 0\n"
              "C: UIDL\nS: +OK\nS: .\n"
              "C: QUIT\nS: +OK bye\nE: finished retrieved=0 ok=yes\nC! close\n");
}

TEST_CASE("pop3 client: timeouts and a closed connection", "[pop3][pop3_client]") {
  SECTION("no greeting") {
    play_client("@ +599s\n@ +1s\nE: timed_out\nE: failed reason=\"no response from the server\"\n"
                "E: finished retrieved=0 ok=no\nC! close\n");
  }
  SECTION("server closes") {
    play_client("! client tls=never\nS: +OK ready\nC: USER julia\nS! close\n"
                "E: failed reason=\"the server closed the connection\"\n"
                "E: finished retrieved=0 ok=no\n");
  }
  SECTION("malformed greeting") {
    play_client("S: hello\nE: failed reason=\"malformed response: hello\"\n"
                "E: finished retrieved=0 ok=no\nC! close\n");
  }
}

TEST_CASE("pop3 client and server in memory", "[pop3][pop3_client][pop3_server]") {
  SECTION("STLS, retrieve and delete everything") {
    Drop drop;
    proto::Pop3ServerConfig config;
    config.tls = proto::Pop3Tls::kAvailable;
    ServerEngine server(config, drop);
    ClientEngine client(
        options(proto::Pop3ClientTls::kRequired, proto::Pop3Delete::kDeleteAfterRetrieve));
    const PairRun run = run_pair(client, server, proto::Micros{0});
    INFO(run.wire);
    CHECK(run.finished);
    CHECK(run.wire.find("= tls\nC: USER julia\n") != std::string::npos);
    REQUIRE(client.client().succeeded());
    REQUIRE(client.client().messages().size() == 2);
    CHECK(client.client().messages()[0].content == kMessage1);
    CHECK(client.client().messages()[0].uid == "uid-1");
    CHECK(client.client().messages()[1].content == kMessage2);
    CHECK(client.client().messages()[1].uid == "uid-2");
    REQUIRE(drop.commits.size() == 1);
    CHECK(drop.commits[0] == std::vector<std::string>{"uid-1", "uid-2"});
    CHECK(server.take_events().empty());
    CHECK(run.server_events ==
          std::vector<std::string>{"starttls", "authenticated user=julia", "deleted uid=uid-1",
                                   "deleted uid=uid-2"});
  }
  SECTION("TLS required against a server without it: no password is sent") {
    Drop drop;
    ServerEngine server({}, drop);
    ClientEngine client(options(proto::Pop3ClientTls::kRequired, proto::Pop3Delete::kKeep));
    const PairRun run = run_pair(client, server, proto::Micros{0});
    INFO(run.wire);
    CHECK(run.finished);
    CHECK(run.wire.find("PASS") == std::string::npos);
    CHECK_FALSE(client.client().succeeded());
    CHECK(drop.commits.empty());
    CHECK(drop.locked.empty());
  }
  SECTION("plaintext, keep: nothing deleted") {
    Drop drop;
    ServerEngine server({}, drop);
    ClientEngine client(options(proto::Pop3ClientTls::kNever, proto::Pop3Delete::kKeep));
    const PairRun run = run_pair(client, server, proto::Micros{0});
    INFO(run.wire);
    CHECK(run.finished);
    CHECK(client.client().succeeded());
    CHECK(client.client().messages().size() == 2);
    CHECK(drop.commits.empty());
    CHECK(drop.locked.empty());
  }
}

}  // namespace mailhop::testing
