// Tests of the transcript reader and driver (tests/support/transcript.h).

#include "tests/support/transcript.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/support/smtp_server_harness.h"

namespace mailhop::testing {
namespace {

using proto::Micros;

Transcript parse_ok(std::string_view text) {
  TranscriptParse p = parse_transcript(text, "t.txt");
  INFO(p.error);
  REQUIRE(p.transcript);
  return std::move(*p.transcript);
}

std::string parse_error(std::string_view text) {
  TranscriptParse p = parse_transcript(text, "t.txt");
  CHECK_FALSE(p.transcript);
  return p.error;
}

// An engine that echoes every received chunk back as "ECHO <bytes>" lines per CRLF line,
// reports "got N" events and closes on "BYE".
class EchoEngine : public TranscriptEngine {
 public:
  void open(Micros) override { m_out += "HELLO\r\n"; }
  void receive(std::string_view bytes, Micros) override {
    m_buffer += bytes;
    std::size_t crlf;
    while ((crlf = m_buffer.find("\r\n")) != std::string::npos) {
      const std::string line = m_buffer.substr(0, crlf);
      m_buffer.erase(0, crlf + 2);
      m_out += "ECHO " + line + "\r\n";
      m_events.push_back("got " + std::to_string(line.size()));
      if (line == "BYE") m_close = true;
    }
  }
  void tls_established(Micros) override { m_events.emplace_back("tls"); }
  void peer_closed(Micros) override { m_events.emplace_back("peer closed"); }
  void tick(Micros now) override { m_events.push_back("tick " + std::to_string(now.count())); }
  std::string take_output() override { return std::exchange(m_out, {}); }
  std::vector<std::string> take_events() override { return std::exchange(m_events, {}); }
  std::optional<Micros> next_deadline() const override { return std::nullopt; }
  bool wants_close() const override { return m_close; }
  bool tls_pending() const override { return false; }

 private:
  std::string m_buffer;
  std::string m_out;
  std::vector<std::string> m_events;
  bool m_close = false;
};

EngineFactory echo_factory() {
  return [](const Transcript&, std::string*) { return std::make_unique<EchoEngine>(); };
}

}  // namespace

TEST_CASE("decode_escapes and escape_bytes are inverse", "[transcript]") {
  std::string error;
  CHECK(decode_escapes("a\\r\\n\\t\\0\\\\\\x41\\xff", &error) ==
        std::string("a\r\n\t\0\\A\xFF", 8));
  CHECK(decode_escapes("x\\{3*ab}y", &error) == "xabababy");
  CHECK(decode_escapes("\\{0*ab}", &error) == "");
  for (const char* bad : {"\\", "\\q", "\\x4", "\\xZZ", "\\{3ab}", "\\{3*ab", "\\{*a}", "\\{2*}",
                          "\\{99999999999*a}"}) {
    INFO(bad);
    CHECK_FALSE(decode_escapes(bad, &error));
    CHECK_FALSE(error.empty());
  }
  const std::string all = [] {
    std::string s;
    for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
    return s + " ";
  }();
  const std::string escaped = escape_bytes(all);
  CHECK(decode_escapes(escaped, &error) == all);
  // Only printable ASCII (no trailing space) in the escaped form.
  for (char c : escaped) CHECK((c >= 0x20 && c < 0x7F));
  CHECK(escaped.back() != ' ');
  CHECK(escape_bytes("334 ") == "334\\x20");
}

TEST_CASE("render_wire writes transcript lines", "[transcript]") {
  CHECK(render_wire(Side::kServer, "250-a\r\n250 b\r\n") == "S: 250-a\nS: 250 b\n");
  CHECK(render_wire(Side::kClient, "\r\nNOOP\r\nMAIL") == "C:\nC: NOOP\nC~ MAIL\n");
  CHECK(render_wire(Side::kClient, "a\nb\r\n") == "C: a\\nb\n");
  CHECK(render_wire(Side::kClient, "").empty());
}

TEST_CASE("parse_duration", "[transcript]") {
  CHECK(parse_duration("300s") == Micros{300'000'000});
  CHECK(parse_duration("5m") == Micros{300'000'000});
  CHECK(parse_duration("5min") == Micros{300'000'000});
  CHECK(parse_duration("1h") == Micros{3'600'000'000});
  CHECK(parse_duration("1500ms") == Micros{1'500'000});
  CHECK(parse_duration("7us") == Micros{7});
  CHECK_FALSE(parse_duration("s"));
  CHECK_FALSE(parse_duration("5"));
  CHECK_FALSE(parse_duration("5 s"));
  CHECK_FALSE(parse_duration("5d"));
}

TEST_CASE("parse_transcript reads every kind of line", "[transcript]") {
  const Transcript t = parse_ok(
      "# comment\n"
      "\n"
      "! server hostname=mx.example greeting=\"ESMTP \\\"x\\\" ready\"\n"
      "! server max_size=10\n"
      "S: 220 hi\r\n"  // a CRLF file works too
      "C: EHLO a\n"
      "C~ raw\\n\n"
      "C:\n"
      "= tls\n"
      "@ +5s\n"
      "@ 1m\n"
      "E: got \\{3*x} \\r\\n\n"
      "C! close\n"
      "S! close\n");
  REQUIRE(t.items.size() == 12);
  using K = TranscriptItem::Kind;
  CHECK(t.items[0].kind == K::kDirective);
  CHECK(t.items[0].text == "server");
  CHECK(t.items[2].kind == K::kBytes);
  CHECK(t.items[2].side == Side::kServer);
  CHECK(t.items[2].bytes == "220 hi\r\n");
  CHECK(t.items[2].line == 5);
  CHECK(t.items[3].bytes == "EHLO a\r\n");
  CHECK(t.items[4].bytes == "raw\n");
  CHECK(t.items[5].bytes == "\r\n");
  CHECK(t.items[6].kind == K::kTls);
  CHECK(t.items[7].kind == K::kAdvance);
  CHECK(t.items[7].relative);
  CHECK(t.items[7].time == Micros{5'000'000});
  CHECK_FALSE(t.items[8].relative);
  CHECK(t.items[9].kind == K::kEvent);
  CHECK(t.items[9].text == "got xxx \\r\\n");  // only repeats are expanded in E: lines
  CHECK(t.items[10].kind == K::kClose);
  CHECK(t.items[10].side == Side::kClient);
  CHECK(t.items[11].side == Side::kServer);
  const auto* server = t.directive("server");
  REQUIRE(server != nullptr);
  CHECK(server->at("hostname") == "mx.example");
  CHECK(server->at("greeting") == "ESMTP \"x\" ready");
  CHECK(server->at("max_size") == "10");  // two lines merge
  CHECK(t.directive("policy") == nullptr);
}

TEST_CASE("parse_transcript reports errors with the line", "[transcript]") {
  CHECK(parse_error("C: ok\nX: what\n") == "t.txt:2: unrecognised line (see tests/data/README.md)");
  CHECK(parse_error("C:NOOP\n") == "t.txt:1: expected a space after \"C:\"");
  CHECK(parse_error("C: NOOP \n") == "t.txt:1: trailing whitespace: write a final space as \\x20");
  CHECK(parse_error("C: \\q\n") == "t.txt:1: unknown escape \\q");
  CHECK(parse_error("C! open\n") == "t.txt:1: unknown action (expected \"close\")");
  CHECK(parse_error("= ssl\n") == "t.txt:1: unknown action (expected \"= tls\")");
  CHECK(parse_error("@ soon\n") == "t.txt:1: bad time (expected e.g. \"@ +300s\" or \"@ 1500ms\")");
  CHECK(parse_error("!\n") == "t.txt:1: directive without a name");
  CHECK(parse_error("! server a=\"b\n") == "t.txt:1: unterminated quoted value for \"a\"");
  CHECK(parse_error("E:\n") == "t.txt:1: empty event");
}

TEST_CASE("transcript_steps groups chunks and expectations", "[transcript]") {
  const Transcript t = parse_ok(
      "S: 220 hi\n"
      "C: A\n"
      "! policy x=y\n"
      "C: B\n"
      "S: 250 ok\n"
      "E: ev1\n"
      "C: C\n"
      "@ +2s\n"
      "E: ev2\n"
      "= tls\n"
      "C! close\n"
      "S! close\n");
  const auto steps = transcript_steps(t, Side::kServer);
  REQUIRE(steps.size() == 6);
  using A = TranscriptStep::Action;
  CHECK(steps[0].action == A::kOpen);
  CHECK(steps[0].expected_output == "220 hi\r\n");
  CHECK(steps[1].action == A::kReceive);
  CHECK(steps[1].input == "A\r\nB\r\n");  // a directive does not split a chunk
  CHECK(steps[1].line == 2);
  CHECK(steps[1].last_line == 4);
  CHECK(steps[1].expected_output == "250 ok\r\n");
  CHECK(steps[1].expected_events == std::vector<std::string>{"ev1"});
  CHECK(steps[2].input == "C\r\n");
  CHECK(steps[2].expected_output.empty());
  CHECK(steps[3].action == A::kAdvance);
  CHECK(steps[3].time == Micros{2'000'000});
  CHECK(steps[3].expected_events == std::vector<std::string>{"ev2"});
  CHECK(steps[4].action == A::kTls);
  CHECK(steps[5].action == A::kPeerClose);
  CHECK(steps[5].expect_close);
  CHECK_FALSE(steps[4].expect_close);

  // Seen from the client, the roles swap.
  const auto client_steps = transcript_steps(t, Side::kClient);
  REQUIRE(client_steps.size() == 6);
  CHECK(client_steps[0].expected_output.empty());
  CHECK(client_steps[1].input == "220 hi\r\n");
  CHECK(client_steps[1].expected_output == "A\r\nB\r\n");
  CHECK(client_steps[2].input == "250 ok\r\n");
  CHECK(client_steps[2].expected_events == std::vector<std::string>{"ev1"});
  CHECK(client_steps[2].expected_output == "C\r\n");
  CHECK(client_steps[4].action == A::kTls);
  CHECK(client_steps[4].expect_close);             // "C! close" is the client's own close
  CHECK(client_steps[5].action == A::kPeerClose);  // "S! close" is done to the client
}

TEST_CASE("run_transcript passes and fails as it should", "[transcript]") {
  const Transcript good = parse_ok(
      "S: HELLO\n"
      "C: ab\n"
      "C: cde\n"
      "S: ECHO ab\n"
      "S: ECHO cde\n"
      "E: got 2\n"
      "E: got 3\n"
      "@ +1s\n"
      "E: tick 1000000\n"
      "C: BYE\n"
      "S: ECHO BYE\n"
      "E: got 3\n"
      "S! close\n");
  CHECK(check_transcript(good, Side::kServer, echo_factory()) == "");

  const Transcript wrong_output = parse_ok("S: HELLO\nC: ab\nS: ECHO xy\nE: got 2\n");
  const std::string failure =
      run_transcript(wrong_output, Side::kServer, echo_factory(), FeedPlan{});
  CHECK(failure ==
        "t.txt:2: after the input chunk (lines 2-2), each chunk fed whole:\n"
        "  input:\n"
        "    C: ab\n"
        "  expected output:\n"
        "    S: ECHO xy\n"
        "  actual output:\n"
        "    S: ECHO ab\n");

  const Transcript wrong_events = parse_ok("S: HELLO\nC: ab\nS: ECHO ab\n");
  CHECK(run_transcript(wrong_events, Side::kServer, echo_factory(), FeedPlan{})
            .find("  expected events:\n    (nothing)\n  actual events:\n    E: got 2\n") !=
        std::string::npos);

  const Transcript missing_close = parse_ok("S: HELLO\nC: BYE\nS: ECHO BYE\nE: got 3\n");
  CHECK(run_transcript(missing_close, Side::kServer, echo_factory(), FeedPlan{})
            .find("the engine wants the connection closed; the transcript says it should not") !=
        std::string::npos);

  const EngineFactory broken = [](const Transcript&, std::string* error) {
    *error = "bad directive";
    return std::unique_ptr<TranscriptEngine>();
  };
  CHECK(run_transcript(good, Side::kServer, broken, FeedPlan{}) ==
        "t.txt: cannot build the server engine: bad directive");
}

TEST_CASE("check_transcript feeds every split of every chunk", "[transcript]") {
  // An engine whose output depends on how the input was cut: it must be caught.
  class ChunkCounter : public EchoEngine {
   public:
    void receive(std::string_view bytes, Micros now) override {
      ++m_calls;
      EchoEngine::receive(bytes, now);
    }
    std::vector<std::string> take_events() override {
      auto e = EchoEngine::take_events();
      if (m_calls > 1) e.push_back("split!");
      m_calls = 0;
      return e;
    }

   private:
    int m_calls = 0;
  };
  const EngineFactory factory = [](const Transcript&, std::string*) {
    return std::make_unique<ChunkCounter>();
  };
  const Transcript t = parse_ok("S: HELLO\nC: abc\nS: ECHO abc\nE: got 3\n");
  CHECK(run_transcript(t, Side::kServer, factory, FeedPlan{}) == "");
  const std::string failure = check_transcript(t, Side::kServer, factory);
  CHECK(failure.find("fed one byte at a time") != std::string::npos);
  FeedPlan split;
  split.mode = FeedPlan::Mode::kSplit;
  split.step = 1;
  split.offset = 2;
  CHECK(split.describe() == "the chunk of step 1 split after 2 octets");
  CHECK(run_transcript(t, Side::kServer, factory, split).find("split!") != std::string::npos);
}

namespace {

// A scripted client for run_pair: sends the next line whenever a complete reply (a line whose
// 4th character is a space) arrives.
class ScriptedClient : public TranscriptEngine {
 public:
  explicit ScriptedClient(std::vector<std::string> lines) : m_lines(std::move(lines)) {}
  void open(Micros) override {}
  void receive(std::string_view bytes, Micros) override {
    m_buffer += bytes;
    std::size_t crlf;
    while ((crlf = m_buffer.find("\r\n")) != std::string::npos) {
      const std::string line = m_buffer.substr(0, crlf);
      m_buffer.erase(0, crlf + 2);
      if (line.size() >= 4 && line[3] == '-') continue;
      if (line.rfind("220 2.0.0", 0) == 0) {
        // Wait for the handshake before the next command.
        m_tls = true;
        m_events.emplace_back("starttls");
        continue;
      }
      send_next();
    }
  }
  void tls_established(Micros) override {
    m_tls = false;
    send_next();
  }
  void send_next() {
    if (m_next < m_lines.size()) m_out += m_lines[m_next++] + "\r\n";
  }
  void peer_closed(Micros) override { m_events.emplace_back("server closed"); }
  void tick(Micros) override {}
  std::string take_output() override { return std::exchange(m_out, {}); }
  std::vector<std::string> take_events() override { return std::exchange(m_events, {}); }
  std::optional<Micros> next_deadline() const override { return std::nullopt; }
  bool wants_close() const override { return false; }
  bool tls_pending() const override { return m_tls; }

 private:
  std::vector<std::string> m_lines;
  std::size_t m_next = 0;
  std::string m_buffer;
  std::string m_out;
  std::vector<std::string> m_events;
  bool m_tls = false;
};

}  // namespace

TEST_CASE("run_pair connects a client and the server engine", "[transcript][smtp_server]") {
  ScriptedClient client({"EHLO c.example", "STARTTLS", "EHLO c.example", "QUIT"});
  const Transcript t = parse_ok("! server hostname=mx.example tls=available\n");
  std::string error;
  auto server = make_server_engine(t, &error);
  REQUIRE(server);
  const PairRun run = run_pair(client, *server, Micros{0});
  CHECK(run.finished);
  CHECK(run.wire ==
        "S: 220 mx.example ESMTP mailhop\n"
        "C: EHLO c.example\n"
        "S: 250-mx.example\nS: 250-PIPELINING\nS: 250-SIZE 10485760\nS: 250-8BITMIME\n"
        "S: 250-ENHANCEDSTATUSCODES\nS: 250-DSN\nS: 250 STARTTLS\n"
        "C: STARTTLS\n"
        "S: 220 2.0.0 Ready to start TLS\n"
        "= tls\n"
        "C: EHLO c.example\n"
        "S: 250-mx.example\nS: 250-PIPELINING\nS: 250-SIZE 10485760\nS: 250-8BITMIME\n"
        "S: 250-ENHANCEDSTATUSCODES\nS: 250 DSN\n"
        "C: QUIT\n"
        "S: 221 2.0.0 mx.example Service closing transmission channel\n"
        "S! close\n");
  CHECK(run.server_events == std::vector<std::string>{"starttls", "closing reason=\"QUIT\""});
  CHECK(run.client_events == std::vector<std::string>{"starttls", "server closed"});
  // The exchange, with the server's events added, is a transcript the server passes.
  std::string replay = "! server hostname=mx.example tls=available\n" + run.wire;
  replay.insert(replay.find("= tls\n"), "E: starttls\n");
  replay.insert(replay.find("S! close\n"), "E: closing reason=\"QUIT\"\n");
  CHECK(check_transcript(parse_ok(replay), Side::kServer, server_engine_factory()) == "");
}

}  // namespace mailhop::testing
