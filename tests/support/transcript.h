#pragma once
// Transcript files (tests/data/**/*.txt): a conversation between an SMTP client and server
// written as lines, and a driver that plays one side of it into a sans-I/O engine and checks
// everything the engine writes and reports. The format is documented in tests/data/README.md.
//
// The driver plays every transcript three ways and demands identical results: each input chunk
// fed whole, fed one byte at a time, and split in two at every offset.
//
// Used by the server tests (tests/proto/smtp_server_test.cc, adapter in
// tests/support/smtp_server_harness.h) and by the client tests, which provide their own
// TranscriptEngine adapter.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/proto/time.h"

namespace mailhop::testing {

enum class Side { kClient, kServer };

// "client" / "server".
std::string_view side_name(Side side);
// The other side.
Side peer_of(Side side);

// One meaningful line of a transcript file.
struct TranscriptItem {
  enum class Kind {
    kBytes,      // "C: text" / "S: text" (CRLF appended) or "C~ text" / "S~ text" (raw)
    kTls,        // "= tls": the TLS handshake completes on both sides
    kAdvance,    // "@ +300s" (relative) or "@ 300s" (absolute): time moves on
    kClose,      // "C! close" / "S! close": that side closes the connection
    kEvent,      // "E: text": an event the engine must report, in canonical text
    kDirective,  // "! name key=value ...": configuration for the driver and the engine
  };
  Kind kind = Kind::kBytes;
  Side side = Side::kClient;  // kBytes, kClose
  std::string bytes;          // kBytes: decoded bytes
  proto::Micros time{0};      // kAdvance: the amount (relative) or the time (absolute)
  bool relative = true;       // kAdvance
  std::string text;           // kEvent: the event text; kDirective: the directive name
  std::map<std::string, std::string> params;  // kDirective: key=value pairs
  int line = 0;                               // 1-based line number in the file
};

struct Transcript {
  std::string name;  // usually the file name; starts every error message
  std::vector<TranscriptItem> items;

  // The key=value pairs of the "! name ..." directive, or nullptr when absent. When a
  // directive appears more than once, the pairs of all its lines are merged (later wins).
  const std::map<std::string, std::string>* directive(std::string_view key) const;

  // All directives by name (merged as above).
  std::map<std::string, std::map<std::string, std::string>, std::less<>> directives;
};

struct TranscriptParse {
  std::optional<Transcript> transcript;
  std::string error;  // "name:line: reason" when transcript is empty
};

// Parses transcript text. `name` prefixes error messages.
TranscriptParse parse_transcript(std::string_view text, std::string name);
// Reads and parses a file.
TranscriptParse load_transcript(const std::string& path);

// Decodes the escapes of a C:/S:/E: text (\r \n \t \0 \\ \xHH and \{N*TEXT} for TEXT repeated
// N times). Returns nothing and sets `error` on a bad escape.
std::optional<std::string> decode_escapes(std::string_view text, std::string* error);
// Expands only the \{N*TEXT} repeats and keeps every other escape as written: E: lines are
// compared with event texts that themselves contain escapes such as "\r\n".
std::optional<std::string> expand_repeats(std::string_view text, std::string* error);
// The inverse for display and for writing transcripts: printable ASCII stays, everything else
// becomes an escape, so that decode_escapes(escape_bytes(x)) == x.
std::string escape_bytes(std::string_view bytes);
// Renders bytes as transcript lines, one "P: text" per CRLF-terminated line and a final
// "P~ text" for a trailing part without CRLF (P is the side's letter).
std::string render_wire(Side side, std::string_view bytes);

// Parses a duration such as "300s", "5m", "1500ms", "20us", "1h" (digits and a unit).
std::optional<proto::Micros> parse_duration(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Playing a transcript into an engine.

// The driver's view of an engine. Adapters wrap SmtpServer, SmtpClient, ...
class TranscriptEngine {
 public:
  virtual ~TranscriptEngine() = default;
  virtual void open(proto::Micros now) = 0;
  virtual void receive(std::string_view bytes, proto::Micros now) = 0;
  virtual void tls_established(proto::Micros now) = 0;
  virtual void peer_closed(proto::Micros now) = 0;
  virtual void tick(proto::Micros now) = 0;
  virtual std::string take_output() = 0;
  // The events reported since the last call, rendered in canonical text (one line each, no
  // CR or LF). Adapters leave out events that only repeat the wire (commands and replies) but
  // should check those against the output and report a mismatch as an event text starting
  // with "!!", which no transcript expects.
  virtual std::vector<std::string> take_events() = 0;
  virtual std::optional<proto::Micros> next_deadline() const = 0;
  // The engine wants the connection closed (server: after 221/421; client: finished).
  virtual bool wants_close() const = 0;
  // The engine asked for a TLS handshake (a StartTls event was taken by take_events()) and
  // tls_established() has not been called since.
  virtual bool tls_pending() const = 0;
};

// Builds the engine for a transcript from its directives; on a bad directive returns nullptr
// and sets `error`.
using EngineFactory =
    std::function<std::unique_ptr<TranscriptEngine>(const Transcript&, std::string* error)>;

// One step of the conversation seen from the engine's side: something done to the engine,
// then what it must write and report.
struct TranscriptStep {
  enum class Action { kOpen, kReceive, kTls, kAdvance, kPeerClose };
  Action action = Action::kOpen;
  std::string input;            // kReceive: the chunk (consecutive input lines, joined)
  proto::Micros time{0};        // the time of the action (absolute)
  std::string expected_output;  // bytes the engine must write in response
  std::vector<std::string> expected_events;
  bool expect_close = false;  // a "P! close" for the engine's side has appeared by now
  int line = 0;               // line of the action in the file (0 for kOpen)
  int last_line = 0;          // last line of the action (of the chunk for kReceive)
};

// Splits a transcript into steps for an engine playing `engine_side`: the other side's bytes,
// "= tls", "@" and the other side's "! close" are actions; the engine side's bytes, its
// "! close" and "E:" lines are expectations. The first step is kOpen.
std::vector<TranscriptStep> transcript_steps(const Transcript& transcript, Side engine_side);

// How to feed the input chunks.
struct FeedPlan {
  enum class Mode { kWhole, kByteByByte, kSplit };
  Mode mode = Mode::kWhole;
  std::size_t step = 0;    // kSplit: the index of the step whose chunk is split (others whole)
  std::size_t offset = 0;  // kSplit: the first part's length
  std::string describe() const;
};

// Plays the transcript once. Returns an empty string when everything matched, else a message
// naming the file, the line and the feed plan, with the expected and the actual output/events.
// After every step the driver also checks that wants_close() matches the transcript. After an
// "@" it calls tick(now) whether or not the deadline has passed (engines must ignore early
// ticks).
std::string run_transcript(const Transcript& transcript, Side engine_side,
                           const EngineFactory& factory, const FeedPlan& plan);

// Plays the transcript whole, byte by byte, and split at every offset of every chunk (chunks
// longer than `max_split_chunk` octets are split at `max_split_chunk` evenly spread offsets
// instead). Returns the first failure, or an empty string.
std::string check_transcript(const Transcript& transcript, Side engine_side,
                             const EngineFactory& factory, std::size_t max_split_chunk = 4096);

// Loads the file at `path` and checks it; any load error is returned as the failure.
std::string check_transcript_file(const std::string& path, Side engine_side,
                                  const EngineFactory& factory);

// ---------------------------------------------------------------------------------------------
// Client <-> server pairs.

struct PairRun {
  std::string wire;  // the exchange as transcript lines (S:, C:, = tls, S! close, C! close)
  std::vector<std::string> client_events;
  std::vector<std::string> server_events;
  bool finished = false;  // both sides went quiet with the connection closed
};

// Connects two engines at time `now` and shuttles bytes until both go quiet (at most
// `max_rounds` exchanges). When both have tls_pending(), completes the handshake ("= tls").
// When one side wants_close() after its output was delivered, the other gets peer_closed().
PairRun run_pair(TranscriptEngine& client, TranscriptEngine& server, proto::Micros now,
                 std::size_t max_rounds = 10000);

#ifdef MAILHOP_TEST_DATA_DIR
// Absolute path of a file under tests/data.
inline std::string test_data_path(std::string_view relative) {
  return std::string(MAILHOP_TEST_DATA_DIR) + "/" + std::string(relative);
}
#endif

}  // namespace mailhop::testing
