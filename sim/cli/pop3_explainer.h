#pragma once
// The meaning of a POP3 transcript line for `mailhop run --explain`, from the "pop3" group of
// the explanations: a command by its name; a status line by its response code in brackets
// ("-ERR [AUTH] ...") when there is one, else by "+OK" / "-ERR"; the SASL "+" and the client's
// base64 answer to it; and the lines of the multi-line answers traced line by line (CAPA by
// the capability name, LIST and UIDL listings, the closing ".").

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "sim/core/trace.h"
#include "sim/text/explanations.h"

namespace mailhop::cli {

class Pop3Explainer {
 public:
  Pop3Explainer(const text::Explanations& explanations, text::Language language);

  // The explanation of one POP3 client or server line, or nullptr. The lines of a connection
  // must come in the order they were sent; a status line answers the oldest command still
  // unanswered, so pipelined commands are matched too.
  const text::Explanation* explain(const core::TraceEvent& event);

 private:
  // The multi-line answer being listed on a connection.
  enum class Listing { kNone, kCapabilities, kScan, kUniqueIds };
  struct Session {
    std::deque<Listing> pending;  // per unanswered command: the listing a +OK starts
    Listing listing = Listing::kNone;
    bool sasl_challenge = false;  // the server sent "+": the next client line is SASL data
  };

  const text::Explanation* client_line(Session& session, const std::string& line);
  const text::Explanation* server_line(Session& session, const std::string& line);

  const text::Explanations& m_explanations;
  text::Language m_language;
  std::map<std::uint64_t, Session> m_sessions;  // connection id → its state
};

}  // namespace mailhop::cli
