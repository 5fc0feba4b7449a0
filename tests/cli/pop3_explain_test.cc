// `mailhop run --explain` attaches a meaning to POP3 lines, from the "pop3" explanations.

#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/cli.h"
#include "sim/cli/pop3_explainer.h"
#include "sim/text/explanations.h"

using namespace mailhop;

namespace {

struct Run {
  int status;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int status = cli::run_command(args, out, err);
  return {status, out.str(), err.str()};
}

// The transcript line holding `line` and the explanation printed under it ("" when none).
std::string explanation_after(const std::string& transcript, const std::string& line) {
  const std::size_t at = transcript.find(line);
  if (at == std::string::npos) return {};
  const std::size_t next = transcript.find('\n', at);
  if (next == std::string::npos) return {};
  const std::size_t end = transcript.find('\n', next + 1);
  const std::string following = transcript.substr(next + 1, end - next - 1);
  const std::string arrow = "↳ ";
  const std::size_t mark = following.find(arrow);
  return mark == std::string::npos ? std::string() : following.substr(mark + arrow.size());
}

core::TraceEvent pop3_line(core::TraceKind kind, std::uint64_t connection, std::string text) {
  core::TraceEvent e;
  e.kind = kind;
  e.protocol = "POP3";
  e.connection = connection;
  e.text = std::move(text);
  return e;
}

}  // namespace

TEST_CASE("run --explain explains POP3 commands and -ERR [AUTH]", "[cli][pop3]") {
  const std::string scenario = std::string(MAILHOP_SCENARIOS_DIR) + "/13-wrong-password.json";
  SECTION("in English") {
    const Run r = run({scenario, "--explain", "--lang", "en"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    const std::string user = explanation_after(r.out, "C: USER julia@yahoo.example\n");
    CHECK(user.find("USER — ") == 0);
    CHECK(user.find("(RFC 1939 §7)") != std::string::npos);
    const std::string pass = explanation_after(r.out, "C: PASS ");
    CHECK(pass.find("PASS — ") == 0);
    const std::string refused = explanation_after(r.out, "S: -ERR [AUTH] ");
    CHECK(refused.find("[AUTH] — ") == 0);
    CHECK(refused.find("(RFC 3206 §5)") != std::string::npos);
    const std::string greeting = explanation_after(r.out, "S: +OK mail.yahoo.example POP3 server ready\n");
    CHECK(greeting.find("+OK — ") == 0);
  }
  SECTION("in Spanish") {
    const Run r = run({scenario, "--explain", "--lang", "es"});
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(explanation_after(r.out, "C: USER julia@yahoo.example\n").find("USER — Quién") == 0);
    CHECK(explanation_after(r.out, "S: -ERR [AUTH] ").find("[AUTH] — Credenciales") == 0);
  }
  SECTION("without --explain, no explanations") {
    const Run r = run({scenario, "--transcript", "--lang", "en"});
    REQUIRE(r.status == 0);
    CHECK(r.out.find("C: USER julia@yahoo.example\n") != std::string::npos);
    CHECK(r.out.find("↳") == std::string::npos);
  }
}

TEST_CASE("run --explain explains the lines of CAPA and UIDL answers", "[cli][pop3]") {
  const Run r = run({std::string(MAILHOP_SCENARIOS_DIR) + "/11-pop3-vs-imap.json", "--explain",
                     "--lang", "en"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(explanation_after(r.out, "C: CAPA\n").find("CAPA — ") == 0);
  CHECK(explanation_after(r.out, "S: SASL PLAIN\n").find("SASL (capability)") == 0);
  CHECK(explanation_after(r.out, "S: PIPELINING\n").find("PIPELINING (capability)") == 0);
  CHECK(explanation_after(r.out, "S: 1 1795000000.1\n").find("(RFC 1939 §7)") != std::string::npos);
  CHECK(explanation_after(r.out, "S: .\n").find(". — ") == 0);
  CHECK(explanation_after(r.out, "C: RETR 1\n").find("RETR — ") == 0);
  CHECK(explanation_after(r.out, "C: DELE 1\n").find("DELE — ") == 0);
}

TEST_CASE("the POP3 explainer follows each connection's answers", "[cli][pop3]") {
  text::LoadError error;
  const auto explanations = text::Explanations::load(
      std::filesystem::path(MAILHOP_SCENARIOS_DIR) / ".." / "assets" / "explain", &error);
  if (!explanations) FAIL(error.message());
  cli::Pop3Explainer explainer(*explanations, text::Language::kEnglish);
  using core::TraceKind;
  auto title = [&](TraceKind kind, std::uint64_t connection, const std::string& text) {
    const text::Explanation* e = explainer.explain(pop3_line(kind, connection, text));
    return e ? e->title : std::string();
  };
  const auto& ex = *explanations;
  const auto en = text::Language::kEnglish;

  SECTION("pipelined commands: each status line answers the oldest one") {
    CHECK(title(TraceKind::kServerLine, 1, "+OK ready") == ex.pop3_response(en, "+OK")->title);
    CHECK(title(TraceKind::kClientLine, 1, "LIST") == ex.pop3_command(en, "LIST")->title);
    CHECK(title(TraceKind::kClientLine, 1, "STAT") == ex.pop3_command(en, "STAT")->title);
    CHECK(title(TraceKind::kServerLine, 1, "+OK 2 messages") == ex.pop3_response(en, "+OK")->title);
    CHECK(title(TraceKind::kServerLine, 1, "1 120") == ex.pop3_response(en, "SCAN-LISTING")->title);
    CHECK(title(TraceKind::kServerLine, 1, "2 300") == ex.pop3_response(en, "SCAN-LISTING")->title);
    CHECK(title(TraceKind::kServerLine, 1, ".") == ex.pop3_response(en, ".")->title);
    // STAT's answer is a status line again, not a listing line.
    CHECK(title(TraceKind::kServerLine, 1, "+OK 2 420") == ex.pop3_response(en, "+OK")->title);
  }
  SECTION("LIST with an argument and a refused CAPA start no listing") {
    CHECK(title(TraceKind::kClientLine, 2, "LIST 1") == ex.pop3_command(en, "LIST")->title);
    CHECK(title(TraceKind::kServerLine, 2, "+OK 1 120") == ex.pop3_response(en, "+OK")->title);
    CHECK(title(TraceKind::kClientLine, 2, "capa") == ex.pop3_command(en, "CAPA")->title);
    CHECK(title(TraceKind::kServerLine, 2, "-ERR [SYS/TEMP] try later") ==
          ex.pop3_response(en, "[SYS/TEMP]")->title);
    CHECK(title(TraceKind::kServerLine, 2, "-ERR no such message") ==
          ex.pop3_response(en, "-ERR")->title);
  }
  SECTION("AUTH PLAIN after a challenge: the base64 line is no command") {
    CHECK(title(TraceKind::kClientLine, 3, "AUTH PLAIN") == ex.pop3_command(en, "AUTH")->title);
    CHECK(title(TraceKind::kServerLine, 3, "+ ") == ex.pop3_response(en, "+")->title);
    CHECK(title(TraceKind::kClientLine, 3, "AGp1bGlhAHNlY3JldA==") ==
          ex.pop3_response(en, "SASL-RESPONSE")->title);
    CHECK(title(TraceKind::kServerLine, 3, "-ERR [IN-USE] maildrop already locked") ==
          ex.pop3_response(en, "[IN-USE]")->title);
    CHECK(title(TraceKind::kClientLine, 3, "APOP julia c4c9334bac560ecc979e58001b3e22fb") ==
          ex.pop3_command(en, "APOP")->title);
  }
  SECTION("unknown lines and other protocols get nothing") {
    CHECK(title(TraceKind::kClientLine, 4, "XTND XMIT").empty());
    CHECK(title(TraceKind::kServerLine, 4, "garbage").empty());
    CHECK(title(TraceKind::kServerLine, 4, "-ERR [X-UNKNOWN] odd") == ex.pop3_response(en, "-ERR")->title);
    core::TraceEvent smtp = pop3_line(TraceKind::kClientLine, 5, "QUIT");
    smtp.protocol = "SMTP";
    CHECK(explainer.explain(smtp) == nullptr);
  }
}
