#include "sim/cli/pop3_explainer.h"

#include <string_view>

#include "sim/mail/ascii.h"

namespace mailhop::cli {

namespace {

// The first space-separated word of `line`, upper-cased.
std::string first_word(std::string_view line) {
  return mail::ascii_upper(line.substr(0, line.find(' ')));
}

}  // namespace

Pop3Explainer::Pop3Explainer(const text::Explanations& explanations, text::Language language)
    : m_explanations(explanations), m_language(language) {}

const text::Explanation* Pop3Explainer::explain(const core::TraceEvent& event) {
  if (event.protocol != "POP3") return nullptr;
  Session& session = m_sessions[event.connection];
  if (event.kind == core::TraceKind::kClientLine) return client_line(session, event.text);
  if (event.kind == core::TraceKind::kServerLine) return server_line(session, event.text);
  return nullptr;
}

const text::Explanation* Pop3Explainer::client_line(Session& session, const std::string& line) {
  if (session.sasl_challenge) {
    // RFC 5034 section 4: the answer to a "+" challenge is a base64 line (or "*" to cancel),
    // not a command; the AUTH command it belongs to is still unanswered.
    session.sasl_challenge = false;
    return m_explanations.pop3_response(m_language, "SASL-RESPONSE");
  }
  const std::string verb = first_word(line);
  const bool has_argument = line.find(' ') != std::string::npos;
  // RFC 1939 section 5: LIST and UIDL without an argument answer with a multi-line listing;
  // RFC 2449 section 5: so does CAPA. (RETR and TOP are traced as one block of data.)
  Listing listing = Listing::kNone;
  if (verb == "CAPA") listing = Listing::kCapabilities;
  if (verb == "LIST" && !has_argument) listing = Listing::kScan;
  if (verb == "UIDL" && !has_argument) listing = Listing::kUniqueIds;
  session.pending.push_back(listing);
  return m_explanations.pop3_command(m_language, verb);
}

const text::Explanation* Pop3Explainer::server_line(Session& session, const std::string& line) {
  if (session.listing != Listing::kNone) {
    const Listing listing = session.listing;
    if (line == ".") {
      session.listing = Listing::kNone;
      return m_explanations.pop3_response(m_language, ".");
    }
    switch (listing) {
      case Listing::kCapabilities:
        return m_explanations.pop3_response(m_language, first_word(line));
      case Listing::kScan:
        return m_explanations.pop3_response(m_language, "SCAN-LISTING");
      case Listing::kUniqueIds:
        return m_explanations.pop3_response(m_language, "UNIQUE-ID-LISTING");
      case Listing::kNone:
        break;
    }
    return nullptr;
  }
  const std::string status = first_word(line);
  if (status == "+") {
    session.sasl_challenge = true;
    return m_explanations.pop3_response(m_language, "+");
  }
  if (status != "+OK" && status != "-ERR") return nullptr;
  session.sasl_challenge = false;
  // The greeting answers no command; every other status line answers the oldest one.
  Listing starts = Listing::kNone;
  if (!session.pending.empty()) {
    starts = session.pending.front();
    session.pending.pop_front();
  }
  if (status == "+OK") session.listing = starts;
  // RFC 2449 section 8: a response code in brackets right after the status indicator.
  const std::size_t open = status.size() + 1;
  if (line.size() > open && line[open] == '[') {
    const std::size_t close = line.find(']', open);
    if (close != std::string::npos) {
      if (const text::Explanation* code =
              m_explanations.pop3_response(m_language, line.substr(open, close - open + 1))) {
        return code;
      }
    }
  }
  return m_explanations.pop3_response(m_language, status);
}

}  // namespace mailhop::cli
