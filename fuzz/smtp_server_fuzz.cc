// libFuzzer target: arbitrary bytes, split into chunks by the input, plus TLS completions,
// time jumps and client closes (format in fuzz/fuzz_input.h), fed into the SMTP server engine
// with a permissive policy. Besides the sanitizers, it checks the engine's promises:
//   - everything written is whole, valid RFC 5321 reply lines (validate_reply_stream);
//   - the ReplySent events are exactly the bytes written;
//   - nothing is written after the engine asked to close, or after the client closed;
//   - a tick at or past the deadline always acts (no deadline left in the past);
//   - an accepted message has recipients, fits the size limit, and has CRLF-terminated lines
//     of at most 1000 octets;
//   - joining adjacent chunks changes nothing (the same output and events).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "sim/proto/smtp_server.h"
#include "tests/support/smtp_server_harness.h"

namespace {

using mailhop::proto::Micros;
namespace ev = mailhop::proto::smtp_server_event;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "smtp_server_fuzz: invariant broken: %s\n", what.c_str());
  std::abort();
}

void check_message(const ev::MessageAccepted& m, const mailhop::proto::SmtpServerConfig& config) {
  if (m.envelope.rcpt_to.empty()) fail("message accepted without recipients");
  if (config.max_message_size != 0 && m.content.size() > config.max_message_size) {
    fail("message over the size limit accepted");
  }
  std::size_t start = 0;
  while (start < m.content.size()) {
    const std::size_t crlf = m.content.find("\r\n", start);
    if (crlf == std::string::npos) fail("accepted content does not end with CRLF");
    if (crlf + 2 - start > 1000) fail("accepted content has a line over 1000 octets");
    start = crlf + 2;
  }
}

// Plays the operations into a fresh server, checking the invariants after each one, and
// returns everything it reported (events in canonical text), then everything it wrote.
std::string play(const std::vector<mailhop::fuzz::FuzzOp>& ops,
                 const mailhop::proto::SmtpServerConfig& config) {
  mailhop::testing::TestServerPolicy policy;
  policy.users["julia"] = "secret";
  mailhop::proto::SmtpServer server(config, policy);

  std::string events_text;  // every event in canonical text
  std::string output;       // every byte written
  Micros now{0};
  bool over = false;  // the engine closed, or the client did
  auto check = [&](const char* after) {
    const std::string out = server.take_output();
    if (over && !out.empty()) {
      fail(std::string("output after the end of the session, after ") + after);
    }
    std::string replies;
    for (const auto& event : server.take_events()) {
      if (const auto* r = std::get_if<ev::ReplySent>(&event)) replies += r->reply.to_wire();
      if (const auto* m = std::get_if<ev::MessageAccepted>(&event)) check_message(*m, config);
      events_text += mailhop::testing::describe(event) + "\n";
    }
    if (replies != out) {
      fail(std::string("ReplySent events differ from the output after ") + after);
    }
    if (const std::string problem = mailhop::testing::validate_reply_stream(out);
        !problem.empty()) {
      fail(problem);
    }
    output += out;
    if (server.wants_close()) over = true;
  };

  server.open(now);
  check("open");
  for (const auto& op : ops) {
    using Kind = mailhop::fuzz::FuzzOp::Kind;
    switch (op.kind) {
      case Kind::kData:
        server.receive(op.data, now);
        check("receive");
        break;
      case Kind::kTls:
        server.tls_established(now);
        check("tls_established");
        break;
      case Kind::kAdvance: {
        now += std::chrono::seconds(10 * op.tens_of_seconds);
        server.tick(now);
        check("tick");
        const auto deadline = server.next_deadline();
        if (deadline && *deadline <= now) fail("a deadline in the past survived tick()");
        break;
      }
      case Kind::kClose:
        server.peer_closed(now);
        check("peer_closed");
        over = true;
        if (server.next_deadline()) fail("a deadline after peer_closed");
        break;
    }
  }
  return events_text + "--- output:\n" + output;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mailhop::fuzz::FuzzInput input = mailhop::fuzz::decode_fuzz_input(data, size);
  const mailhop::proto::SmtpServerConfig config = mailhop::fuzz::server_config_for(input.config);
  const std::string chunked = play(input.ops, config);

  // The same bytes with adjacent chunks joined must give exactly the same session: how TCP
  // cuts the stream must never matter.
  std::vector<mailhop::fuzz::FuzzOp> joined;
  for (const auto& op : input.ops) {
    if (op.kind == mailhop::fuzz::FuzzOp::Kind::kData && !joined.empty() &&
        joined.back().kind == mailhop::fuzz::FuzzOp::Kind::kData) {
      joined.back().data += op.data;
    } else {
      joined.push_back(op);
    }
  }
  if (joined.size() != input.ops.size()) {
    const std::string whole = play(joined, config);
    if (whole != chunked) {
      std::size_t i = 0;
      while (i < whole.size() && i < chunked.size() && whole[i] == chunked[i]) ++i;
      const std::size_t from = i > 300 ? i - 300 : 0;
      std::fprintf(stderr, "--- in chunks:\n%s\n--- joined:\n%s\n",
                   mailhop::testing::escape_bytes(chunked.substr(from, 600)).c_str(),
                   mailhop::testing::escape_bytes(whole.substr(from, 600)).c_str());
      fail("the session depends on how the input was cut into chunks");
    }
  }
  return 0;
}
