#pragma once
// The full trace as JSON, written by `mailhop run --trace OUT.json` and read back for replay.

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/core/trace.h"

namespace mailhop::cli {

// Collects events, then writes {"format": "mailhop-trace", "version": 1, "scenario": ...,
// "seed": ..., "events": [...]}.
class TraceJsonWriter : public core::TraceObserver {
 public:
  void on_trace(const core::TraceEvent& event) override { m_events.push_back(event); }
  void write(std::ostream& out, const std::string& scenario_path, std::uint64_t seed) const;
  const std::vector<core::TraceEvent>& events() const { return m_events; }

 private:
  std::vector<core::TraceEvent> m_events;
};

struct LoadedTrace {
  std::string scenario_path;
  std::uint64_t seed = 0;
  std::vector<core::TraceEvent> events;
};

// Reads a trace file; on failure returns nothing and says why in `error`.
std::optional<LoadedTrace> read_trace_json(const std::filesystem::path& path, std::string* error);
std::optional<core::TraceKind> parse_trace_kind(std::string_view name);

}  // namespace mailhop::cli
