#pragma once
// Prints the trace as a readable transcript: each conversation's C:/S: lines under a header
// naming client and server, and the queue, delivery and fault events between them.

#include <functional>
#include <map>
#include <ostream>
#include <string>

#include "sim/cli/narration.h"
#include "sim/core/trace.h"
#include "sim/text/catalog.h"

namespace mailhop::cli {

class TranscriptPrinter : public core::TraceObserver {
 public:
  // `explain`, when set, returns a one-line meaning for a client or server line (or empty).
  using Explain = std::function<std::string(const core::TraceEvent&)>;
  // Framing texts come from `catalog` ("transcript.*", "trace.kind.*"); the protocol lines and
  // the servers' log texts are printed as they are, like a real server's log.
  TranscriptPrinter(std::ostream& out, const text::Catalog& catalog, Explain explain = {});
  // Script notes in the class's language (not owned; null: as traced).
  void set_narration(const Narration* narration) { m_narration = narration; }
  void on_trace(const core::TraceEvent& event) override;

 private:
  void header(const core::TraceEvent& e);
  bool from_server(const core::TraceEvent& e) const;

  std::ostream& m_out;
  const text::Catalog& m_catalog;
  Explain m_explain;
  const Narration* m_narration = nullptr;
  std::uint64_t m_current_connection = 0;
  std::map<std::uint64_t, std::string> m_clients;  // connection id → client host
};

}  // namespace mailhop::cli
