#pragma once
// Runs an SmtpClient against an SmtpServer in memory: no I/O, explicit simulated time. Bytes
// sent in each direction reach the peer after a fixed one-way latency; TLS is simulated by
// calling tls_established on both engines after a handshake of one and a half round trips. The
// result is a transcript (one entry per line, plus notes for the connection and TLS) and every
// event both engines reported, in order. Same inputs, same result: it is deterministic.

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/proto/smtp_client.h"
#include "sim/proto/smtp_server.h"
#include "sim/proto/time.h"

namespace mailhop::proto {

enum class LoopbackDirection {
  kClientToServer,
  kServerToClient,
  kNote,  // something that happened on the connection rather than a line of text
};

enum class LoopbackLineKind {
  kCommand,           // C→S: a command line
  kAuthData,          // C→S: a line answering a 334 challenge (RFC 4954)
  kMessageHeader,     // C→S: a header line of the message, between 354 and the empty line
  kMessageSeparator,  // C→S: the empty line between header and body
  kMessageBody,       // C→S: a body line (as sent: dot-stuffed)
  kEndOfData,         // C→S: the "." that ends the message
  kReply,             // S→C: one line of a reply
  kConnected,         // note: the TCP connection is up
  kTlsStart,          // note: the TLS handshake begins (after 220 to STARTTLS)
  kTlsEstablished,    // note: the handshake finished; what follows is encrypted
  kClientClosed,      // note: the client closed the connection
  kServerClosed,      // note: the server closed the connection
};

struct TranscriptEntry {
  Micros time{0};     // when the line was sent (for a note: when it happened)
  Micros arrival{0};  // when it reached the peer (for a note: the same as time)
  LoopbackDirection direction = LoopbackDirection::kNote;
  LoopbackLineKind kind = LoopbackLineKind::kConnected;
  std::string text;        // the line without CRLF; for a note a short English label
  bool encrypted = false;  // it travelled inside TLS
  // For a reply line: what it answers — "greeting", a command verb in upper case ("EHLO",
  // "MAIL", "DATA"), "end_of_data" or "auth_data"; empty for an unsolicited reply.
  std::string context;
};

enum class LoopbackSide { kClient, kServer };

struct LoopbackEvent {
  Micros time{0};
  LoopbackSide side = LoopbackSide::kClient;
  std::variant<SmtpClientEvent, SmtpServerEvent> event;
};

struct SmtpLoopbackConfig {
  Micros start{0};
  Micros one_way_latency = std::chrono::milliseconds(20);
  // Stop (not completed) when simulated time passes start + max_duration, or after max_steps
  // scheduler steps: a guard against engines that never finish.
  Micros max_duration = std::chrono::hours(1);
  std::size_t max_steps = 100000;
};

struct SmtpLoopbackResult {
  std::vector<TranscriptEntry> transcript;
  std::vector<LoopbackEvent> events;
  std::vector<TransactionOutcome> outcomes;    // the client's, one per transaction
  std::vector<std::string> server_extensions;  // what the client saw in the EHLO reply
  std::vector<smtp_server_event::MessageAccepted> accepted;  // messages the server took
  bool completed = false;  // the client finished and both sides closed the connection
  std::string error;       // why the run stopped early, when not completed
  Micros end_time{0};
};

// Takes the engines as configured; the server's policy must outlive the call.
SmtpLoopbackResult run_smtp_loopback(SmtpClient client, SmtpServer server,
                                     const SmtpLoopbackConfig& config = {});

// "C->S", "S->C" or "--", for logs and tests.
std::string_view direction_label(LoopbackDirection direction);

}  // namespace mailhop::proto
