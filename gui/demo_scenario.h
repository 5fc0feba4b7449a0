#pragma once
// The conversation the app shows first: marcos@gmail.example writes to julia@yahoo.example;
// Gmail's outgoing server (smtp.gmail.example) hands the message to Yahoo's MX
// (mx.yahoo.example), which offers STARTTLS. Built by running the real engines through
// smtp_loopback, so every line is what the protocol code really says.

#include <string>

#include "sim/proto/smtp_loopback.h"

namespace mailhop::gui {

struct ConversationInfo {
  std::string client_host;  // "smtp.gmail.example"
  std::string server_host;  // "mx.yahoo.example"
  std::string from;         // "marcos@gmail.example"
  std::string to;           // "julia@yahoo.example"
};

struct ConversationRun {
  ConversationInfo info;
  proto::SmtpLoopbackResult result;
};

// Deterministic: every call gives the same transcript.
ConversationRun run_demo_conversation();

// The message Marcos sends (CRLF line ends): exposed for the tests.
std::string demo_message_text();

}  // namespace mailhop::gui
